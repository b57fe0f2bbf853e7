#!/bin/bash
# Helpers for in-VM tests (sourced).  Tests print TAP: "ok N - what" or
# "not ok N - what"; tests/run counts them.  A kernel splat in dmesg
# since the previous check fails the current test.

T_NUM=0
T_FAILED=0

_dmesg_mark() { echo "dpu-vdpa-test: mark $1" >/dev/kmsg; }

# Kernel messages after the last mark that name a bug.
_dmesg_splat() {
	dmesg | awk '/dpu-vdpa-test: mark/ { buf = ""; next } { buf = buf $0 "\n" } END { printf "%s", buf }' |
		grep -E 'WARNING:|BUG:|Oops|general protection fault|kernel BUG at|KASAN|UBSAN|possible (circular|recursive) locking|inconsistent lock state|suspicious RCU usage|refcount_t:|list_(add|del) corruption|sleeping function called from invalid context' || true
}

# t_result STATUS DESCRIPTION: STATUS 0 is a pass.
t_result() {
	local status=$1; shift
	local splat
	T_NUM=$((T_NUM + 1))
	splat=$(_dmesg_splat)
	if [ -n "$splat" ]; then
		echo "# kernel splat:"; echo "$splat" | sed 's/^/#   /'
		status=1
	fi
	if [ "$status" = 0 ]; then
		echo "ok $T_NUM - $*"
	else
		echo "not ok $T_NUM - $*"
		T_FAILED=$((T_FAILED + 1))
	fi
	_dmesg_mark "$T_NUM"
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

# t_skip DESCRIPTION REASON: a TAP skip ("ok N - DESCRIPTION # SKIP REASON");
# tests/run counts it as skipped, not passed.
t_skip() {
	T_NUM=$((T_NUM + 1))
	echo "ok $T_NUM - $1 # SKIP $2"
	_dmesg_mark "$T_NUM"
}

# t_eq DESCRIPTION EXPECTED ACTUAL
t_eq() {
	if [ "$2" = "$3" ]; then t_result 0 "$1"; else
		echo "# expected '$2', got '$3'"; t_result 1 "$1"; fi
}

t_done() {
	echo "# $T_NUM tests, $T_FAILED failed"
	[ "$T_FAILED" = 0 ]
}

t_bail() { echo "Bail out! $*"; exit 1; }

# --- functions and devices

load_modules() {
	modprobe vdpa && modprobe virtio_vdpa && modprobe vhost_vdpa && modprobe dpu_vdpa
}

# bind_fn BDF [DRIVER]: hand a PCI function to DRIVER (default dpu_vdpa).
bind_fn() {
	local bdf=$1 drv=${2:-dpu_vdpa} d=/sys/bus/pci/devices/$1
	[ -e "$d/driver" ] && echo "$bdf" >"$d/driver/unbind"
	echo "$drv" >"$d/driver_override"
	echo "$bdf" >/sys/bus/pci/drivers_probe
	[ "$(basename "$(readlink "$d/driver")")" = "$drv" ]
}

# The netdev, or block device, that a virtio device under BDF became.
netdev_of() { ls "/sys/bus/pci/devices/$1"/virtio*/net 2>/dev/null | head -n1; }
blkdev_of() { ls "/sys/bus/pci/devices/$1"/virtio*/block 2>/dev/null | head -n1; }

# wait_for CMD...: up to 10 s.
wait_for() {
	local i
	for ((i = 0; i < 100; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}

_dmesg_mark start
