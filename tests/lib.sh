#!/bin/bash
# Helpers for in-VM tests (sourced).  Tests print TAP: "ok N - what" or
# "not ok N - what"; tests/run counts them.  A kernel splat in dmesg
# since the previous check fails the current test.

_dmesg_mark() { echo "dpu-vdpa-test: mark $1" >/dev/kmsg; }

# Kernel messages after the last mark.
_dmesg_since_mark() {
	dmesg | awk '/dpu-vdpa-test: mark/ { buf = ""; next } { buf = buf $0 "\n" } END { printf "%s", buf }'
}

# Kernel messages after the last mark that name a bug.
_dmesg_splat() {
	_dmesg_since_mark |
		grep -E 'WARNING:|BUG:|Oops|general protection fault|kernel BUG at|KASAN|UBSAN|possible (circular|recursive) locking|inconsistent lock state|suspicious RCU usage|refcount_t:|list_(add|del) corruption|sleeping function called from invalid context' || true
}

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

# A kernel splat since the previous result fails the current one.
t_check_hook() {
	local splat
	splat=$(_dmesg_splat)
	[ -n "$splat" ] || return 0
	echo "# kernel splat:"
	echo "$splat" | sed 's/^/#   /'
}

# After a failure, the kernel's own account of it: its messages since the
# previous result (the last 20), as TAP comments.
_T_FAILED_SEEN=0
t_after_hook() {
	if [ "$T_FAILED" != "$_T_FAILED_SEEN" ]; then
		_T_FAILED_SEEN=$T_FAILED
		echo "# kernel messages since the previous result:"
		_dmesg_since_mark | tail -n 20 | sed 's/^/#   /'
	fi
	_dmesg_mark "$T_NUM"
}

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

# attach_vdpa NAME DRIVER: hand vDPA device NAME to virtio_vdpa or vhost_vdpa.
attach_vdpa() {
	local d=/sys/bus/vdpa/devices/$1
	[ -e "$d/driver" ] && echo "$1" >"$d/driver/unbind"
	echo "$2" >"$d/driver_override"
	echo "$1" >/sys/bus/vdpa/drivers_probe
	[ "$(basename "$(readlink "$d/driver")")" = "$2" ]
}

# vhost_dev NAME: put vDPA device NAME on vhost_vdpa unless it is there
# already; prints its /dev/vhost-vdpa-N once the node exists.
vhost_dev() {
	local d=/sys/bus/vdpa/devices/$1 n
	if [ "$(basename "$(readlink "$d/driver")")" != vhost_vdpa ]; then
		attach_vdpa "$1" vhost_vdpa || return 1
	fi
	n=$(basename "$(ls -d "$d"/vhost-vdpa-* 2>/dev/null | head -n1)")
	wait_for test -c "/dev/$n" || return 1
	echo "/dev/$n"
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

# pair NAME RECEIVER... -- SENDER...: the receiver in the background until
# it prints "ready", then the sender; passes when both pass.  Their output
# stays in /tmp/NAME.recv and /tmp/NAME.send.  Each side is bounded by
# PAIR_TIMEOUT seconds (default 300): one stuck side fails this test, not
# the whole file.  A script may define pair_on_ready, called with NAME
# between the two, to look at the device while the receiver waits.
pair() {
	local name=$1 recv=() pid rs=0 rr=0 limit=${PAIR_TIMEOUT:-300}
	shift
	while [ "$1" != -- ]; do recv+=("$1"); shift; done
	shift
	timeout -k 5 "$limit" "${recv[@]}" >"/tmp/$name.recv" 2>&1 &
	pid=$!
	if ! wait_for grep -q ready "/tmp/$name.recv"; then
		kill "$pid"; wait "$pid"; cat "/tmp/$name.recv"; return 1
	fi
	if declare -F pair_on_ready >/dev/null; then
		pair_on_ready "$name"
	fi
	timeout -k 5 "$limit" "$@" >"/tmp/$name.send" 2>&1 || rs=$?
	wait "$pid" || rr=$?
	echo "sender (rc $rs):"; cat "/tmp/$name.send"
	echo "receiver (rc $rr):"; cat "/tmp/$name.recv"
	[ "$rs" = 0 ] && [ "$rr" = 0 ]
}

_dmesg_mark start
