#!/bin/bash
# TAP helpers shared by host tests (tests/lib-host.sh) and in-VM tests
# (tests/lib.sh); sourced.  Tests print "ok N - what", "not ok N - what" or
# "ok N - what # SKIP why"; tests/run counts them (a skip is not a pass).  A library may define t_check_hook, which prints
# why the current result must fail (nothing if all is well), and
# t_after_hook, run after each result.

T_NUM=0
T_FAILED=0
T_SKIPPED=0

# t_result STATUS DESCRIPTION: STATUS 0 is a pass.
t_result() {
	local status=$1; shift
	local why=
	T_NUM=$((T_NUM + 1))
	if declare -F t_check_hook >/dev/null; then why=$(t_check_hook); fi
	if [ -n "$why" ]; then
		echo "$why"
		status=1
	fi
	if [ "$status" = 0 ]; then
		echo "ok $T_NUM - $*"
	else
		echo "not ok $T_NUM - $*"
		T_FAILED=$((T_FAILED + 1))
	fi
	if declare -F t_after_hook >/dev/null; then t_after_hook; fi
	return 0
}

# t_ok DESCRIPTION -- CMD...: pass if CMD succeeds.
t_ok() {
	local desc=$1; shift; [ "$1" = -- ] && shift
	local out
	if out=$("$@" 2>&1); then t_result 0 "$desc"; else
		echo "# command failed: $*"; echo "$out" | sed 's/^/#   /' | tail -n 20
		t_result 1 "$desc"; fi
}

# t_err DESCRIPTION PATTERN -- CMD...: pass if CMD fails and prints PATTERN (ERE).
t_err() {
	local desc=$1 pat=$2; shift 2; [ "$1" = -- ] && shift
	local out rc=0
	out=$("$@" 2>&1) || rc=$?
	if [ "$rc" != 0 ] && echo "$out" | grep -Eq "$pat"; then t_result 0 "$desc"; else
		echo "# expected failure matching /$pat/, got rc=$rc:"; echo "$out" | sed 's/^/#   /'
		t_result 1 "$desc"; fi
}

# t_fail DESCRIPTION PATTERN -- CMD...: t_err, and CMD's exit status must be
# exactly 1 (a failed operation; 2 is bad usage, other codes a crash).
t_fail() {
	local desc=$1 pat=$2; shift 2; [ "$1" = -- ] && shift
	# any status but 1 becomes a success, which t_err fails with the reason
	t_err "$desc" "$pat" -- sh -c '"$@"; rc=$?; [ $rc = 1 ] && exit 1
		echo "exit status $rc, not 1"; exit 0' sh "$@"
}

# t_skip DESCRIPTION REASON: the test could not run here; TAP's
# "ok N - DESCRIPTION # SKIP REASON", which tests/run counts as skipped,
# never as passed.  The check hook still applies: a kernel splat since the
# previous result turns the skip into a failure.
t_skip() {
	local desc=$1 reason=$2 why=
	T_NUM=$((T_NUM + 1))
	if declare -F t_check_hook >/dev/null; then why=$(t_check_hook); fi
	if [ -n "$why" ]; then
		echo "$why"
		echo "not ok $T_NUM - $desc"
		T_FAILED=$((T_FAILED + 1))
	else
		echo "ok $T_NUM - $desc # SKIP $reason"
		T_SKIPPED=$((T_SKIPPED + 1))
	fi
	if declare -F t_after_hook >/dev/null; then t_after_hook; fi
	return 0
}

# t_eq DESCRIPTION EXPECTED ACTUAL
t_eq() {
	if [ "$2" = "$3" ]; then t_result 0 "$1"; else
		echo "# expected '$2', got '$3'"; t_result 1 "$1"; fi
}

t_done() {
	echo "# $T_NUM tests, $T_FAILED failed, $T_SKIPPED skipped"
	[ "$T_FAILED" = 0 ]
}

t_bail() { echo "Bail out! $*"; exit 1; }
