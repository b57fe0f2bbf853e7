#!/bin/bash
# Helpers for host tests (sourced by tests/unit/*.sh): TAP lines like
# tests/lib.sh, without its kernel-log marks and splat checks, which
# belong in the test VM and not in the log of the machine running make.

T_NUM=0
T_FAILED=0
PROJECT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VDPA_MGMT=$PROJECT/tools/vdpa-mgmt
# definite, indirect and possible leaks and every memory error fail
VALGRIND=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible
	--error-exitcode=99)

t_result() {	# t_result STATUS DESCRIPTION
	local status=$1; shift
	T_NUM=$((T_NUM + 1))
	if [ "$status" = 0 ]; then
		echo "ok $T_NUM - $*"
	else
		echo "not ok $T_NUM - $*"
		T_FAILED=$((T_FAILED + 1))
	fi
}

t_eq() {	# t_eq DESCRIPTION EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then t_result 0 "$1"; else
		echo "# expected '$2', got '$3'"; t_result 1 "$1"; fi
}

t_done() {
	echo "# $T_NUM tests, $T_FAILED failed"
	[ "$T_FAILED" = 0 ]
}

t_bail() { echo "Bail out! $*"; exit 1; }

# Run a C unit test program under valgrind: its own TAP lines, renumbered
# into ours, then one line for valgrind's verdict.
t_program_under_valgrind() {	# NAME PROGRAM
	local name=$1 prog=$2 out rc=0 line
	[ -x "$prog" ] || t_bail "$prog not built (make tools)"
	out=$("${VALGRIND[@]}" "$prog" 2>&1) || rc=$?
	while IFS= read -r line; do
		case "$line" in
		"ok "*) t_result 0 "$name: ${line#ok * - }" ;;
		"not ok "*) t_result 1 "$name: ${line#not ok * - }" ;;
		"1.."*) ;;
		*) echo "$line" ;;
		esac
	done <<<"$out"
	case $rc in
	0) t_result 0 "$name: valgrind clean, all passed" ;;
	99) t_result 1 "$name: valgrind found errors or leaks" ;;
	*) t_result 1 "$name: exited $rc" ;;
	esac
}
