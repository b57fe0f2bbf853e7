#!/bin/bash
# The dirty-page log from a consumer's side: tests/vhost-client dirty-check
# drives random traffic on a vhost-vdpa device while the driver logs, keeps
# a copy of its memory only from the synced bitmaps and its own CPU
# writes, and compares copy and memory byte for byte after a suspend.
# Net: frames of random sizes both ways (the peer reflects them), over
# several seeds, with and without the control queue and on two pairs;
# blk: random reads and writes.  Negative control: the
# same without the log (--ignore-log) must find the pages only the device
# wrote (used rings, RX buffers, read data).
. "$(dirname "$0")/../lib.sh"
VC=$PWD/tests/vhost-client/vhost-client
set -- $VM_NETS
A=$1 B=$2
set -- $VM_BLKS
F=$1
[ -n "$B" ] && [ -n "$F" ] || t_bail "needs two net functions and a blk function"
[ -x "$VC" ] || t_bail "$VC not built (make all)"
load_modules || t_bail "modprobe"
NET_SEEDS=${NET_SEEDS:-"1 2 3 4 5 6 7 8"}
BLK_SEEDS=${BLK_SEEDS:-"1 2 3 4"}

# check DESC EXPECTED_RC CMD...: run, show the output, compare the status.
check() {
	local desc=$1 want=$2 rc=0
	shift 2
	"$@" >/tmp/dc.out 2>&1 || rc=$?
	sed 's/^/# /' /tmp/dc.out
	[ "$rc" = "$want" ]
	t_result $? "$desc (exit $rc)"
}

t_ok "bind $A to dpu_vdpa" -- bind_fn "$A"
t_ok "dev add vd0" -- vdpa dev add name vd0 mgmtdev "pci/$A"
DEV=$(vhost_dev vd0)
[ -c "$DEV" ] || t_bail "no vhost-vdpa node for vd0"
t_ok "bind $B to virtio-pci" -- bind_fn "$B" virtio-pci
wait_for netdev_of "$B"
NB=$(basename "$(netdev_of "$B")")
ip link set "$NB" up
MB=$(cat "/sys/class/net/$NB/address")

$VC pkt-reflect "$NB" --timeout 600 >/tmp/reflect.out 2>&1 &
RPID=$!
wait_for grep -q ready /tmp/reflect.out
# seeds 1-4: one pair, no control queue; 5-6: the control queue (served by
# the driver in software) with a command each round; 7-8: two pairs
for s in $NET_SEEDS; do
	case $s in
	5|6) extra=(--pairs 1) ;;
	7|8) extra=(--pairs 2 --qsize 128) ;;
	*) extra=() ;;
	esac
	check "net dirty-check seed $s ${extra[*]}: the copy from log + client writes equals memory" 0 \
		$VC dirty-check "$DEV" --name vd0 --seed "$s" --rounds 6 --round-ms 150 \
		--dst-mac "$MB" "${extra[@]}"
done
check "net dirty-check --ignore-log (negative control): mismatches, exit 3" 3 \
	$VC dirty-check "$DEV" --name vd0 --seed 99 --rounds 3 --dst-mac "$MB" --ignore-log
t_ok "... the differing pages are ones only the device writes" -- \
	grep -qE 'differs .*: (rx used ring|rx buffers|tx used ring)$' /tmp/dc.out
kill "$RPID" 2>/dev/null; wait "$RPID" 2>/dev/null

t_ok "bind $F to dpu_vdpa" -- bind_fn "$F"
t_ok "dev add vb0" -- vdpa dev add name vb0 mgmtdev "pci/$F"
BDEV=$(vhost_dev vb0)
[ -c "$BDEV" ] || t_bail "no vhost-vdpa node for vb0"
for s in $BLK_SEEDS; do
	check "blk dirty-check seed $s: random reads and writes, copy equals memory" 0 \
		$VC dirty-check "$BDEV" --name vb0 --seed "$s" --rounds 6 --round-ms 150 \
		--sector 0 --count 4096 --req-sectors 32 --depth 8
done
check "blk dirty-check --ignore-log (negative control): mismatches, exit 3" 3 \
	$VC dirty-check "$BDEV" --name vb0 --seed 99 --rounds 3 --sector 0 --count 4096 \
	--req-sectors 32 --depth 8 --ignore-log
t_ok "... the differing pages are ones only the device writes" -- \
	grep -qE 'differs .*: (used ring|read data|status bytes)$' /tmp/dc.out
t_done
