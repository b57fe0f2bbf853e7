#!/bin/bash
# Helpers for in-VM tests (sourced).  Tests print TAP: "ok N - what" or
# "not ok N - what"; tests/run counts them.  A kernel splat in dmesg
# since the previous check fails the current test.

_dmesg_mark() { echo "dpu-vdpa-test: mark $1" >/dev/kmsg; }

# Kernel messages after the last mark.
_dmesg_since_mark() {
	dmesg | awk '/dpu-vdpa-test: mark/ { buf = ""; next } { buf = buf $0 "\n" } END { printf "%s", buf }'
}

# Splats of the core kernel, not of this driver, that a test provokes on
# purpose and names with t_known_core_splat: one extended regex a line,
# matched against dmesg lines before anything looks for splats (here and
# in scripts/vm-guest, which fails the whole run on any other).
KNOWN_SPLATS=/run/dpu-vdpa-known-splats

# t_known_core_splat REGEX WHY: a splat line of the core kernel that this
# test provokes, and why it is not the driver's.
t_known_core_splat() {
	echo "$1" >>"$KNOWN_SPLATS"
	echo "# known core-kernel splat, not counted: /$1/: $2"
}

# dmesg without the known core-kernel splat lines.
_dmesg_known_dropped() {
	if [ -s "$KNOWN_SPLATS" ]; then grep -Ev -f "$KNOWN_SPLATS" || true; else cat; fi
}

# Kernel messages after the last mark that name a bug.
_dmesg_splat() {
	_dmesg_since_mark | _dmesg_known_dropped |
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

# On the debug kernel (scripts/build-debug-kernel: KASAN, lockdep, ...),
# which runs 5-10x slower under TCG: a test paces its peers by it.
debug_kernel() {
	case $(uname -r) in *dpudebug*) return 0 ;; esac
	return 1
}

load_modules() {
	modprobe vdpa && modprobe virtio_vdpa && modprobe vhost_vdpa && modprobe dpu_vdpa
}

# The driver's dev_dbg messages on: a test that asserts on one (the state
# replay's account) bails out when the kernel has no dynamic debug rather
# than failing later on a message that could never appear.
driver_debug_messages() {
	local ctl=/sys/kernel/debug/dynamic_debug/control
	[ -e "$ctl" ] || mount -t debugfs none /sys/kernel/debug 2>/dev/null
	[ -w "$ctl" ] || t_bail "no $ctl: this kernel lacks CONFIG_DYNAMIC_DEBUG"
	echo 'module dpu_vdpa +p' >"$ctl" || t_bail "dynamic debug refused module dpu_vdpa"
}

# bind_fn BDF [DRIVER]: hand a PCI function to DRIVER (default dpu_vdpa).
bind_fn() {
	local bdf=$1 drv=${2:-dpu_vdpa} d=/sys/bus/pci/devices/$1
	[ -e "$d/driver" ] && echo "$bdf" >"$d/driver/unbind"
	echo "$drv" >"$d/driver_override"
	echo "$bdf" >/sys/bus/pci/drivers_probe
	[ "$(basename "$(readlink "$d/driver")")" = "$drv" ]
}

# two_nets: the preamble of the tests that use two net functions of the
# VM (A, then B, its cabled peer); bails out without them or the modules.
two_nets() {
	A=$(awk '{ print $1 }' <<<"$VM_NETS") B=$(awk '{ print $2 }' <<<"$VM_NETS")
	[ -n "$B" ] || t_bail "needs two net functions"
	load_modules || t_bail "modprobe"
}

# two_nets_one_blk: the preamble of the tests that use two net functions
# (A, B) and a blk function (F) of the VM, and the dpu_vdpa family ($G);
# bails out without them or the modules.
two_nets_one_blk() {
	G="python3 $PROJECT/tests/dpu-genl.py"
	A=$(awk '{ print $1 }' <<<"$VM_NETS") B=$(awk '{ print $2 }' <<<"$VM_NETS")
	F=$(awk '{ print $1 }' <<<"$VM_BLKS")
	[ -n "$B" ] && [ -n "$F" ] || t_bail "needs two net functions and a blk function"
	load_modules || t_bail "modprobe"
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

# --- fuzzers (tests/vm/*-fuzz.sh)

# The seed of a fuzzer: FUZZ_SEED to replay a run, else a fresh one; the
# test prints it either way.
# fuzz_seed DEFAULT: $FUZZ_SEED, a fresh one for FUZZ_SEED=random, else
# DEFAULT: the suite replays the same inputs every run (a seed that found
# a bug stays as its regression test); exploring is FUZZ_SEED=random.
fuzz_seed() {
	case "${FUZZ_SEED:-}" in
	random) od -An -N4 -tu4 /dev/urandom | tr -d ' ' ;;
	'') echo "$1" ;;
	*) echo "$FUZZ_SEED" ;;
	esac
}

# _bounded SECS CMD...: CMD in the background, its output in
# /tmp/bounded.out; CMD's status, or 124 when CMD is still running after
# SECS seconds.  Then the kernel's stacks of every CPU and of blocked tasks
# go to dmesg (sysrq l, w) and CMD is left behind: a task looping or
# sleeping uninterruptibly in the kernel cannot be killed, and waiting on
# it (or on a pipe it holds, as $(...) does) would hang the test.
_bounded() {
	local secs=$1 pid i; shift
	"$@" >/tmp/bounded.out 2>&1 &
	pid=$!
	for ((i = 0; i < secs * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || { wait "$pid"; return; }
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
	echo l >/proc/sysrq-trigger; echo w >/proc/sysrq-trigger
	sleep 2
	return 124
}

# A step that did not return: the kernel's stacks, a failure, and the end
# of this test (the kernel is wedged; what follows would only time out).
_bounded_hung() {
	local desc=$1 secs=$2; shift 2
	echo "# still running after $secs s: $*"
	tail -n 60 /tmp/bounded.out | sed 's/^/#   /'
	echo "# kernel stacks (sysrq l, w):"
	dmesg | sed -n '/sysrq: Show backtrace of all active CPUs/,$p' | tail -n 150 | sed 's/^/#   /'
	t_result 1 "$desc"
	t_bail "kernel wedged: $*"
}

# t_bounded DESCRIPTION SECS -- CMD...: pass if CMD succeeds within SECS.
t_bounded() {
	local desc=$1 secs=$2 rc=0; shift 2; [ "$1" = -- ] && shift
	_bounded "$secs" "$@" || rc=$?
	[ "$rc" = 124 ] && _bounded_hung "$desc" "$secs" "$@"
	if [ "$rc" != 0 ]; then
		echo "# command failed (status $rc): $*"; tail -n 20 /tmp/bounded.out | sed 's/^/#   /'
	fi
	t_result "$rc" "$desc"
}

# fuzz_run DESCRIPTION SECS -- CMD...: one result for a fuzzer run, bounded
# by SECS; its output (seed, counts, a failure's input and kernel
# messages) as comments.
fuzz_run() {
	local desc=$1 secs=$2 rc=0; shift 2; [ "$1" = -- ] && shift
	_bounded "$secs" "$@" || rc=$?
	[ "$rc" = 124 ] && _bounded_hung "$desc" "$secs" "$@"
	tail -n 60 /tmp/bounded.out | sed 's/^/# /'
	t_result "$rc" "$desc"
}

# One 3-second TCP stream from netns NS_CLIENT to ADDR in NS_SERVER, in
# Gbit/s (3 decimals).  A figure for the log, not a gate: see make bench.
iperf_gbps() {	# iperf_gbps NS_SERVER NS_CLIENT ADDR
	ip netns exec "$1" iperf3 -s -1 -D -p 5201 >/dev/null 2>&1
	sleep 0.5
	ip netns exec "$2" iperf3 -c "$3" -p 5201 -t 3 -J 2>/dev/null |
		jq -r '.end.sum_received.bits_per_second / 1e9 | . * 1000 | floor / 1000'
}

# net_pair_works A B: fresh vDPA devices on net functions A and B (cabled
# to each other) under virtio_vdpa pass a ping between two namespaces;
# both devices are deleted again.  The "devices still work" oracle of the
# fuzzers.
net_pair_works() {
	local a=$1 b=$2 na nb rc=0
	vdpa dev add name chk0 mgmtdev "pci/$a" mac 02:00:00:00:c0:01 max_vqp 2 || return 1
	vdpa dev add name chk1 mgmtdev "pci/$b" mac 02:00:00:00:c0:02 || { vdpa dev del chk0; return 1; }
	attach_vdpa chk0 virtio_vdpa && attach_vdpa chk1 virtio_vdpa &&
		wait_for netdev_of "$a" && wait_for netdev_of "$b" || rc=1
	if [ $rc = 0 ]; then
		na=$(basename "$(netdev_of "$a")"); nb=$(basename "$(netdev_of "$b")")
		ip netns add chka; ip netns add chkb
		ip link set "$na" netns chka; ip link set "$nb" netns chkb
		ip -n chka addr add 10.98.0.1/24 dev "$na"; ip -n chka link set "$na" up
		ip -n chkb addr add 10.98.0.2/24 dev "$nb"; ip -n chkb link set "$nb" up
		ip netns exec chka ping -c 3 -i 0.2 -W 3 10.98.0.2 || rc=1
		ip netns exec chka ethtool -L "$na" combined 2 || rc=1
		ip netns exec chka ping -c 2 -i 0.2 -W 3 10.98.0.2 || rc=1
		ip netns del chka; ip netns del chkb
	fi
	vdpa dev del chk0 || rc=1
	vdpa dev del chk1 || rc=1
	return $rc
}

# blk_works F: a fresh vDPA device on blk function F under virtio_vdpa
# writes and reads back 1 MiB; deleted again.
blk_works() {
	local f=$1 d rc=0
	vdpa dev add name chkb0 mgmtdev "pci/$f" || return 1
	attach_vdpa chkb0 virtio_vdpa && wait_for blkdev_of "$f" || rc=1
	if [ $rc = 0 ]; then
		d=/dev/$(basename "$(blkdev_of "$f")")
		head -c 1048576 /dev/urandom >/tmp/chkb.in
		dd if=/tmp/chkb.in of="$d" bs=64k oflag=direct status=none &&
			dd if="$d" of=/tmp/chkb.out bs=64k count=16 iflag=direct status=none &&
			cmp /tmp/chkb.in /tmp/chkb.out || rc=1
	fi
	vdpa dev del chkb0 || rc=1
	return $rc
}
