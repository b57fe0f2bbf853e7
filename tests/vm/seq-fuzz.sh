#!/bin/bash
# A hostile VMM (vhost-client seq-fuzz): random interleavings of IOTLB
# messages, ASID bindings, status bytes, vring setup, suspend/resume, rings
# sane and junk, close and reopen, on a net device while its cabled peer
# (plain virtio_net) sends it frames, then on a blk device.  No operation
# may hang, the kernel must not splat, and afterwards a clean session on
# the same device moves frames both ways (and blocks, for blk).
#
# FUZZ_SEED=N replays a run (the seed is printed); FUZZ_SECS (default 90)
# is the net device's share, the blk device gets a third of it.
# Junk rings reach the function in direct mode (the outer QEMU reports
# virtio errors) and IOTLB invalidations under a running function fault in
# the IOMMU: both are the containment at work, so neither fails the run.
# vm-options: --allow-virtio-errors --allow-dma-faults
. "$(dirname "$0")/../lib.sh"
VC=$PWD/tests/vhost-client/vhost-client
set -- $VM_NETS
A=$1 B=$2
set -- $VM_BLKS
F=$1
[ -n "$B" ] && [ -n "$F" ] || t_bail "needs two net functions and a blk function"
[ -x "$VC" ] || t_bail "$VC not built (make all)"
load_modules || t_bail "modprobe"
SEED=$(fuzz_seed 1269892415)
SECS=${FUZZ_SECS:-90}
echo "# seed $SEED (replay: FUZZ_SEED=$SEED tests/run tests/vm/seq-fuzz.sh)"

bind2() { bind_fn "$A" && bind_fn "$B" virtio-pci; }
t_ok "bind $A to dpu_vdpa, $B to virtio-pci (the peer)" -- bind2
t_ok "dev add vd0 on vhost_vdpa" -- vdpa dev add name vd0 mgmtdev "pci/$A"
DEV=$(vhost_dev vd0)
[ -c "$DEV" ] || t_bail "no vhost-vdpa device node"
wait_for netdev_of "$B"
NB=$(basename "$(netdev_of "$B")")
ip link set "$NB" up
MB=$(cat "/sys/class/net/$NB/address")
MA=$(vdpa -j dev config show vd0 | jq -r .config.vd0.mac)

# traffic from the peer the whole time, at the device's MAC
timeout -k 5 $((SECS + 60)) $VC pkt-send "$NB" --count 100000000 --rate 2000 --dst-mac "$MA" \
	--timeout 600 >/tmp/peer.log 2>&1 &
PEER=$!
fuzz_run "seq-fuzz on $DEV (net, peer sending): no hang, no splat (seed $SEED)" $((SECS + 120)) -- \
	$VC seq-fuzz "$DEV" --seed "$SEED" --count 10000000 \
	--secs "$SECS" --timeout 20
kill $PEER 2>/dev/null; wait $PEER 2>/dev/null
echo "# peer: $(tail -n1 /tmp/peer.log)"

R="--rate 10000"
t_ok "then a clean session: net-tx, 1000 frames all reach $NB" -- \
	pair tx $VC pkt-recv "$NB" --count 1000 --stream 11 -- \
	$VC net-tx "$DEV" --count 1000 --stream 11 --dst-mac "$MB" $R
t_ok "and net-rx, 1000 frames from $NB all reach the client" -- \
	pair rx $VC net-rx "$DEV" --count 1000 --stream 12 -- \
	$VC pkt-send "$NB" --count 1000 --stream 12 --dst-mac "$MA" $R
t_ok "net-stream with suspend/resume cycles: nothing lost or duplicated" -- \
	pair stream $VC pkt-reflect "$NB" --count 1000 -- \
	$VC net-stream "$DEV" --count 1000 --suspend-every 200 --dst-mac "$MB"
t_ok "dev del vd0" -- vdpa dev del vd0

add_blk() { bind_fn "$F" && vdpa dev add name blk0 mgmtdev "pci/$F"; }
t_ok "bind $F to dpu_vdpa, dev add blk0" -- add_blk
BDEV=$(vhost_dev blk0)
fuzz_run "seq-fuzz on $BDEV (blk): no hang, no splat (seed $((SEED + 1)))" $((SECS / 3 + 120)) -- \
	$VC seq-fuzz "$BDEV" --seed $((SEED + 1)) \
	--count 10000000 --secs $((SECS / 3)) --timeout 20
t_ok "then a clean session: blk-write 512 sectors" -- \
	$VC blk-write "$BDEV" --sector 2048 --count 512 --seed 5
t_ok "blk-read them back, pattern intact" -- \
	$VC blk-read "$BDEV" --sector 2048 --count 512 --seed 5
t_ok "dev del blk0" -- vdpa dev del blk0
t_done
