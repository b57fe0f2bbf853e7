#!/bin/bash
# tests/run's plan from tests/debug.list: a test marked "check" runs on
# both kernels, one marked "instead" only on the debug kernel, with its
# NAME=VALUE settings; DEBUG_PASS=1 (make check-debug) runs everything on
# the stock kernel and the whole list on the debug kernel, each test in a
# VM of its own; tests of one vm:GROUP share one debug VM in make check.
. "$(dirname "$0")/../lib-host.sh"
cd "$PROJECT"
list=$(mktemp)
trap 'rm -f "$list"' EXIT
has() { grep -qx -- "$1" <<<"$plan"; }
lacks() { ! grep -q -- "$1" <<<"$plan"; }
not() { ! "$@"; }
printf '%s\n' '# a comment' '' \
	'tests/vm/genl.sh	check' \
	'tests/vm/nl-fuzz.sh	instead	FUZZ_SECS=20 FUZZ_SEED=7' \
	'tests/vm/race.sh' \
	'tests/vm/state.sh	instead	X=1	# a comment ends the line' \
	'tests/vm/bad-input.sh	instead	vm:g	Y=2' \
	'tests/vm/teardown.sh	instead	vm:g' >"$list"
fl=$(mktemp)
trap 'rm -f "$list" "$fl"' EXIT
printf '%s\n' '# a comment' 'tests/vm/race.sh	# too long for make check' >"$fl"
plan=$(FULL_LIST=$fl DEBUG_LIST=$list tests/run --plan)
t_ok "full.list: race is not in make check" -- lacks 'tests/vm/race.sh'
t_ok "negative control: a test not in full.list still is (genl)" -- has 'tests/vm/genl.sh'
plan=$(DEBUG_PASS=1 FULL_LIST=$fl DEBUG_LIST=$list tests/run --plan)
t_ok "full.list: make check-debug runs race on the stock kernel" -- has 'tests/vm/race.sh'
plan=$(FULL_LIST=/dev/null DEBUG_LIST=$list tests/run --plan)
t_ok "check: genl runs on the stock kernel" -- has 'tests/vm/genl.sh'
t_ok "check: and on the debug kernel" -- has 'debug:tests/vm/genl.sh'
t_ok "instead: nl-fuzz not on the stock kernel" -- lacks '^tests/vm/nl-fuzz.sh'
t_ok "instead: nl-fuzz on the debug kernel with its settings" -- \
	has 'debug:tests/vm/nl-fuzz.sh FUZZ_SECS=20 FUZZ_SEED=7'
t_ok "unmarked: race on the stock kernel" -- has 'tests/vm/race.sh'
t_ok "unmarked: not on the debug kernel" -- lacks 'debug:tests/vm/race.sh'
t_ok "unit tests run too" -- has 'tests/unit/run-plan.sh'
t_ok "a comment after the settings is not one" -- has 'debug:tests/vm/state.sh X=1'
t_ok "vm:g: bad-input in the group, its setting apart" -- has 'debug:tests/vm/bad-input.sh vm:g Y=2'
t_ok "vm:g: teardown in the group too" -- has 'debug:tests/vm/teardown.sh vm:g'
plan=$(DEBUG_LIST=$list tests/run --plan vm:g)
t_ok "tests/run vm:g: the group's two tests, as make check runs them" -- \
	test "$plan" = "debug:tests/vm/bad-input.sh vm:g Y=2
debug:tests/vm/teardown.sh vm:g"
t_ok "tests/run vm:nope: refused" -- not tests/run --plan vm:nope
plan=$(DEBUG_PASS=1 DEBUG_LIST=$list tests/run --plan)
t_ok "DEBUG_PASS=1: each test in a VM of its own" -- lacks 'vm:g'
t_ok "DEBUG_PASS=1: nl-fuzz on the stock kernel" -- has 'tests/vm/nl-fuzz.sh'
t_ok "DEBUG_PASS=1: race on the debug kernel, no settings" -- has 'debug:tests/vm/race.sh'
t_ok "DEBUG_PASS=1: nl-fuzz's settings not applied" -- has 'debug:tests/vm/nl-fuzz.sh'
# tests/kernels.list: make check-kernels (tests/run kernels) and make
# check-debug run those tests again on the kernels named; make check not
kl=$(mktemp)
trap 'rm -f "$list" "$fl" "$kl"' EXIT
printf '%s\n' '# a comment' 'tests/vm/net-virtio.sh	6.1 6.99	# two kernels' \
	'tests/vm/blk-virtio.sh 6.1' >"$kl"
plan=$(KERNELS_LIST=$kl FULL_LIST=/dev/null DEBUG_LIST=$list tests/run --plan kernels)
t_ok "tests/run kernels: net-virtio on 6.1" -- has '6.1:tests/vm/net-virtio.sh'
t_ok "tests/run kernels: and on the second kernel of its line" -- has '6.99:tests/vm/net-virtio.sh'
t_ok "tests/run kernels: blk-virtio on 6.1" -- has '6.1:tests/vm/blk-virtio.sh'
t_ok "tests/run kernels: nothing else" -- test "$(wc -l <<<"$plan")" = 3
plan=$(DEBUG_PASS=1 KERNELS_LIST=$kl FULL_LIST=/dev/null DEBUG_LIST=$list tests/run --plan)
t_ok "DEBUG_PASS=1: net-virtio on 6.1 too" -- has '6.1:tests/vm/net-virtio.sh'
plan=$(KERNELS_LIST=$kl FULL_LIST=/dev/null DEBUG_LIST=$list tests/run --plan)
t_ok "make check: an unmarked line not on 6.1 (CI's time)" -- lacks '^6.1:'
t_ok "negative control: but on the stock kernel" -- has 'tests/vm/net-virtio.sh'
# a line marked "check": make check runs it on its kernels too
printf '%s\n' 'tests/vm/net-virtio.sh	6.1 6.99	check' 'tests/vm/blk-virtio.sh 6.1' >"$kl"
plan=$(KERNELS_LIST=$kl FULL_LIST=/dev/null DEBUG_LIST=$list tests/run --plan)
t_ok "make check: a line marked check, on 6.1" -- has '6.1:tests/vm/net-virtio.sh'
t_ok "... and on its second kernel" -- has '6.99:tests/vm/net-virtio.sh'
t_ok "negative control: an unmarked line is not in make check" -- lacks '6.1:tests/vm/blk-virtio.sh'
t_ok "'check' is no kernel" -- lacks '^check:'
plan=$(KERNELS_LIST=$kl FULL_LIST=/dev/null DEBUG_LIST=$list tests/run --plan kernels)
t_ok "tests/run kernels: the unmarked line too" -- has '6.1:tests/vm/blk-virtio.sh'
t_ok "tests/run kernels: and no 'check' kernel" -- lacks '^check:'
# negative control: the same checks see a test that lost its mark
printf '%s\n' 'tests/vm/nl-fuzz.sh' 'tests/vm/teardown.sh instead vm:g' >"$list"
plan=$(DEBUG_LIST=$list tests/run --plan)
t_ok "negative control: unmarked, nl-fuzz is not on the debug kernel" -- \
	lacks 'debug:tests/vm/nl-fuzz.sh'
t_ok "negative control: there, the 'not on the stock kernel' check fails" -- \
	not lacks '^tests/vm/nl-fuzz.sh'
plan=$(DEBUG_LIST=$list tests/run --plan vm:g)
t_ok "negative control: a test without vm:g is not in the group" -- \
	test "$plan" = "debug:tests/vm/teardown.sh vm:g"
t_done
