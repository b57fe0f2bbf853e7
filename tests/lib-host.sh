#!/bin/bash
# Helpers for host tests (sourced by tests/unit/*.sh): the TAP helpers of
# tests/tap.sh without tests/lib.sh's kernel-log marks and splat checks,
# which belong in the test VM and not in the log of the machine running make.

PROJECT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VDPA_MGMT=$PROJECT/tools/vdpa-mgmt
# definite, indirect and possible leaks and every memory error fail
VALGRIND=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible
	--error-exitcode=99)

. "$PROJECT/tests/tap.sh"

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
