#!/bin/bash
# Device-state blobs mutated structure-aware (tests/state-fuzz.py): real
# net and blk blobs, saved from devices a guest used, with header fields,
# section types, lengths, counts and field values mutated and the CRC
# recomputed, so the parser's deeper checks are reached; each loaded into
# a device on vhost_vdpa.  Every load must be refused cleanly or accepted;
# an accepted one is started by a consumer (vhost-vdpa's status dance, or
# virtio_net through virtio_vdpa), which must run or refuse cleanly; no
# hang, no splat.  Afterwards the pristine blob still loads and replays,
# and fresh devices on the same functions pass traffic and I/O.
#
# FUZZ_SEED=N replays a run (the seed is printed); FUZZ_SECS (default 100).
. "$(dirname "$0")/../lib.sh"
two_nets_one_blk
# the state replay's account is a debug message
driver_debug_messages
T=/tmp/statefuzz; mkdir -p $T
SEED=$(fuzz_seed 2520380307)	# the refused-start hang
echo "# seed $SEED (replay: FUZZ_SEED=$SEED tests/run tests/vm/state-fuzz.sh)"

bind3() { bind_fn "$A" && bind_fn "$B" && bind_fn "$F"; }
t_ok "bind $A, $B, $F to dpu_vdpa" -- bind3
t_ok "dev add vdpa0, vdpa1 (max_vqp 2), blk0" -- sh -c "
	vdpa dev add name vdpa0 mgmtdev pci/$A mac 02:00:00:00:f1:01 max_vqp 2 &&
	vdpa dev add name vdpa1 mgmtdev pci/$B mac 02:00:00:00:f1:02 max_vqp 2 &&
	vdpa dev add name blk0 mgmtdev pci/$F"
attach_vdpa vdpa0 virtio_vdpa; attach_vdpa blk0 virtio_vdpa
wait_for netdev_of "$A"; wait_for blkdev_of "$F"
NA=$(netdev_of "$A")
# state in every net section: MAC, RX mode, MAC table, VLANs, queue pairs
t_ok "guest state through the control queue on $NA" -- sh -c "
	ip link set $NA up && ip link set $NA promisc on &&
	ip link add link $NA name vl100 type vlan id 100 && ip link set vl100 up &&
	ip maddr add 01:00:5e:01:02:03 dev $NA &&
	ip link set $NA address 02:00:00:00:f1:99 && ethtool -L $NA combined 2"
dd if=/dev/urandom of=/dev/$(blkdev_of "$F") bs=4k count=100 oflag=direct status=none
sleep 0.5
t_ok "net and blk blobs saved" -- sh -c "
	$G suspend vdpa0 && $G state-save vdpa0 $T/net.bin && $G resume vdpa0 &&
	$G suspend blk0 && $G state-save blk0 $T/blk.bin && $G resume blk0"
echo "# net blob: $(python3 tests/state-blob.py show $T/net.bin | grep -v '^vq' | paste -sd' ')"
to_vhost() { attach_vdpa vdpa1 vhost_vdpa && attach_vdpa blk0 vhost_vdpa; }
t_ok "vdpa1 and blk0 on vhost_vdpa" -- to_vhost
t_ok "the unmutated blobs load (the fuzzer starts from accepted state)" -- sh -c "
	$G state-load vdpa1 $T/net.bin && $G state-load blk0 $T/blk.bin"

fuzz_run "state-fuzz: every load refused cleanly or accepted and started, no splat (seed $SEED)" \
	$((${FUZZ_SECS:-100} + 90)) -- python3 tests/state-fuzz.py --seed "$SEED" \
	--secs "${FUZZ_SECS:-100}" --target vdpa1:$T/net.bin,$T/blk.bin --target blk0:$T/blk.bin,$T/net.bin

# the device took all that and still does its job
t_ok "the pristine net blob loads into vdpa1 after the fuzzing" -- sh -c "
	echo vdpa1 >/sys/bus/vdpa/devices/vdpa1/driver/unbind; $G state-load vdpa1 $T/net.bin"
dmesg -C
start_virtio() { attach_vdpa vdpa1 virtio_vdpa && wait_for netdev_of "$B"; }
t_ok "virtio_net starts vdpa1 on it" -- start_virtio
t_eq "and the net state was replayed" "1" \
	"$(dmesg | grep -c 'state replay: MAC 02:00:00:00:f1:99, 2 queue pairs')"
t_ok "dev del vdpa0, vdpa1, blk0" -- sh -c "vdpa dev del vdpa0 && vdpa dev del vdpa1 && vdpa dev del blk0"
t_ok "fresh devices on $A and $B: ping, multiqueue, ping" -- net_pair_works "$A" "$B"
t_ok "fresh device on $F: 1 MiB written and read back" -- blk_works "$F"
t_done
