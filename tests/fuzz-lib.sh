#!/bin/bash
# Helpers for the attacking VM tests (tests/vm/fuzz-*.sh, attack-*.sh);
# sourced after lib.sh.  The devices are added with the vdpa bus's
# autoprobe off, so they go to vhost_vdpa without ever being on
# virtio_vdpa first: tests/vm/attack-stale-cb.sh is the test for what a
# consumer's callback left behind by virtio_vdpa does then.
VC=$PWD/tests/vhost-client/vhost-client
[ -x "$VC" ] || t_bail "$VC not built (make all)"

# fuzz_setup: vd0 on net function $A (vhost, in $DEV), blk0 on $F (in
# $BDEV, when there is one), $B on virtio_net as the peer ($NB, $MB), and
# the MAC of vd0 in $MA.
fuzz_setup() {
	set -- $VM_NETS
	A=$1 B=$2
	set -- $VM_BLKS
	F=${1:-}
	[ -n "$B" ] || t_bail "needs two net functions"
	load_modules || t_bail "modprobe"
	echo 0 >/sys/bus/vdpa/drivers_autoprobe
	bind_fn "$A" || t_bail "bind $A"
	bind_fn "$B" virtio-pci || t_bail "bind $B"
	vdpa dev add name vd0 mgmtdev "pci/$A" || t_bail "dev add vd0"
	DEV=$(vhost_dev vd0) || t_bail "vd0 on vhost_vdpa"
	MA=$(vdpa -j dev config show vd0 | jq -r .config.vd0.mac)
	BDEV=
	if [ -n "$F" ]; then
		bind_fn "$F" || t_bail "bind $F"
		vdpa dev add name blk0 mgmtdev "pci/$F" || t_bail "dev add blk0"
		BDEV=$(vhost_dev blk0) || t_bail "blk0 on vhost_vdpa"
	fi
	wait_for netdev_of "$B" || t_bail "no netdev on $B"
	NB=$(basename "$(netdev_of "$B")")
	ip link set "$NB" up
	MB=$(cat "/sys/class/net/$NB/address")
}

# feed_start / feed_stop: the peer sends frames to vd0 all along, so the
# function fills (hostile) receive buffers too.
feed_start() {
	$VC pkt-send "$NB" --count 100000000 --rate 200 --dst-mac "$MA" --stream 0xfeed \
		>/tmp/feed.log 2>&1 &
	FEED=$!
}
feed_stop() {
	[ -n "${FEED:-}" ] && kill "$FEED" 2>/dev/null && wait "$FEED" 2>/dev/null
	FEED=
}

# fuzz_run DESCRIPTION ARGS...: vhost-client ring-fuzz ARGS; its summary
# (seed, iterations, chains, NEEDS_RESET count, ops, rate) as comments.
fuzz_run() {
	local desc=$1 rc=0
	shift
	timeout -k 5 "${FUZZ_LIMIT:-150}" "$VC" ring-fuzz "$@" >/tmp/fuzz.out 2>&1 || rc=$?
	grep -v '^vhost-client: iteration' /tmp/fuzz.out | tail -n 12 | sed 's/^/# /'
	[ "$rc" = 124 ] && echo "# ring-fuzz $*: no end in ${FUZZ_LIMIT:-150} s"
	t_result "$rc" "$desc"
}

# The kernel's verdicts on the consumer since the last mark (TAP comments).
dmesg_tail() { _dmesg_since_mark | grep -E 'dpu|vdpa' | tail -n "${1:-5}" | sed 's/^/# dmesg: /'; }

# ring_fuzz_all MODE SEED NET_ITER CVQ_ITER: the ring fuzzer in MODE over
# net RX/TX (seed SEED) with the peer sending all along, net with the
# control queue on address space 1 (SEED+1), blk (SEED+2) when there is a
# blk function; then the net device must still carry frames, and both
# devices go.  After fuzz_setup.
ring_fuzz_all() {
	local mode=$1 seed=$2 n=$3 nc=$4
	feed_start
	fuzz_run "ring-fuzz $mode net rx/tx: seed $seed, $n iterations" \
		"$DEV" --mode "$mode" --seed "$seed" --iterations "$n" --round-ms 2000
	fuzz_run "ring-fuzz $mode net rx/tx/control queue (control group on asid 1): seed $((seed + 1)), $nc iterations" \
		"$DEV" --mode "$mode" --seed $((seed + 1)) --iterations "$nc" --pairs 1 --round-ms 2000
	feed_stop
	[ -n "$BDEV" ] && fuzz_run "ring-fuzz $mode blk: seed $((seed + 2)), $n iterations" \
		"$BDEV" --mode "$mode" --seed $((seed + 2)) --iterations "$n" --round-ms 2000
	dmesg_tail 3
	t_ok "after the fuzz: net-tx of 200 frames to $NB still works" -- \
		pair after "$VC" pkt-recv "$NB" --count 200 --stream 9 --timeout 5 -- \
		"$VC" net-tx "$DEV" --count 200 --stream 9 --dst-mac "$MB" --rate 5000
	t_ok "dev del vd0" -- vdpa dev del vd0
	[ -n "$BDEV" ] && t_ok "dev del blk0" -- vdpa dev del blk0
}
