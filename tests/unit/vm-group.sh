#!/bin/bash
# tests/vm-group.sh, the runner of make check's shared debug VMs, in a
# stock-kernel VM: after a test that leaves a mess the next one finds the
# machine as it booted, with its own settings; a machine that cannot be
# put back (a function removed from the bus) fails and ends the group.
. "$(dirname "$0")/../lib-host.sh"
cd "$PROJECT"
F=tests/unit/vm-group
out=$(scripts/vm -- bash tests/vm-group.sh $F/leave-a-mess.sh \
	$F/find-it-clean.sh:GROUP_FIXTURE=1 $F/remove-a-function.sh $F/find-it-clean.sh:GROUP_FIXTURE=1 2>&1)
rc=$?
out=$(tr -d '\r' <<<"$out")	# the guest's console ends its lines with CR LF
section() {	# section N TEST: the Nth section of TEST's output
	awk -v b="=== group: begin $2" -v e="=== group: end $2 " -v n="$1" '
		$0 == b { k++; on = (k == n); next } index($0, e) == 1 { if (on) print; on = 0 } on'
}
has() { grep -q -- "$2" <<<"$1"; }
t_ok "the mess is made" -- has "$(section 1 $F/leave-a-mess.sh <<<"$out")" "^ok 1 - a device held"
t_ok "and its end says rc=0" -- has "$out" "=== group: end $F/leave-a-mess.sh rc=0"
clean=$(section 1 $F/find-it-clean.sh <<<"$out")
t_ok "the next test finds the machine clean, with its setting" -- \
	bash -c "! grep -q '^not ok' <<<\"\$1\" && test \$(grep -c '^ok' <<<\"\$1\") = 5" _ "$clean"
t_ok "negative control: a removed function fails the reset" -- \
	has "$out" "^not ok - the machine back to its boot state after $F/remove-a-function.sh"
t_ok "and the test after it is reported as not run" -- \
	has "$(section 2 $F/find-it-clean.sh <<<"$out")" "^not ok - $F/find-it-clean.sh not run"
t_eq "the group's exit status is a failure" "1" "$rc"
[ "$T_FAILED" = 0 ] || sed 's/^/# /' <<<"$out"
t_done
