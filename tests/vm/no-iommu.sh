#!/bin/bash
# The driver on a machine without an IOMMU, with every streaming DMA
# mapping bounced through swiotlb (swiotlb=force, what confidential VMs
# get): the function sees physical addresses, and a ring the driver maps
# with dma_map_single would be a bounce copy the CPU does not write.
# Net and blk on virtio_vdpa, in direct mode (the default there) and in
# shadow mode (the module parameter), including a control-queue MAC
# change; then on vhost_vdpa through tests/vhost-client, where no IOMMU
# means shadow mode with physical addresses; devices deleted and added
# again in between.
# vm-options: --no-iommu --append swiotlb=force --timeout 420
. "$(dirname "$0")/../lib.sh"
VC=$PWD/tests/vhost-client/vhost-client
V=$PWD/tools/vdpa-mgmt/vdpa-mgmt
set -- $VM_NETS
A=$1 B=$2
set -- $VM_BLKS
F=$1
[ -n "$B" ] && [ -n "$F" ] || t_bail "needs two net functions and a blk function"
[ -x "$VC" ] && [ -x "$V" ] || t_bail "vhost-client or vdpa-mgmt not built (make all)"
load_modules || t_bail "modprobe"

SWIOTLB=/sys/kernel/debug/swiotlb
t_eq "no IOMMU in the machine" "0 0" "$VM_IOMMU $(ls /sys/class/iommu | wc -l)"
t_ok "swiotlb=force on the kernel command line" -- grep -qw swiotlb=force /proc/cmdline
for f in "$A" "$B" "$F"; do t_ok "bind $f to dpu_vdpa" -- bind_fn "$f"; done
t_ok "$A has no IOMMU group" -- test ! -e "/sys/bus/pci/devices/$A/iommu_group"

# dev_field NAME JQ: a field of vdpa-mgmt dev status NAME (mode, stats...).
dev_field() { "$V" -j dev status "$1" | jq -r ".dev[\"$1\"].$2"; }
iperf_ok() {	# iperf_ok NS_SERVER NS_CLIENT ADDR: a 2 s run that moved data
	local gbps
	ip netns exec "$1" iperf3 -s -1 -D -p 5201 >/dev/null 2>&1
	sleep 0.5
	gbps=$(timeout -k 5 30 ip netns exec "$2" iperf3 -c "$3" -p 5201 -t 2 -J 2>/dev/null |
		jq -r '.end.sum_received.bits_per_second / 1e9 | . * 1000 | floor / 1000')
	echo "iperf3: $gbps Gbit/s"
	[ -n "$gbps" ] && [ "$gbps" != null ] && [ "$gbps" != 0 ]
}
# net_up NAME BDF NS ADDR: the netdev of NAME into NS with ADDR.
net_up() {
	local n
	wait_for netdev_of "$2" || return 1
	n=$(basename "$(netdev_of "$2")")
	ip netns list | grep -qw "$3" || ip netns add "$3"
	ip link set "$n" netns "$3" && ip -n "$3" addr add "$4/24" dev "$n" &&
		ip -n "$3" link set "$n" up && echo "$n"
}

# --- virtio_vdpa net, direct mode: the function gets virtio_net's DMA
# addresses, which are swiotlb slots; the MAC from dev add and the one set
# later go through the control-queue relay's own ring.
t_ok "dev add vdpa0, vdpa1 with MACs" -- sh -c "
	vdpa dev add name vdpa0 mgmtdev pci/$A mac 02:00:00:00:0d:01 max_vqp 2 &&
	vdpa dev add name vdpa1 mgmtdev pci/$B mac 02:00:00:00:0d:02"
NA=$(net_up vdpa0 "$A" a 10.98.0.1); NB=$(net_up vdpa1 "$B" b 10.98.0.2)
t_ok "virtio_net netdevs up ($NA, $NB)" -- test -n "$NA" -a -n "$NB"
t_eq "virtio_vdpa: vdpa0 runs in direct mode" "direct" "$(dev_field vdpa0 mode)"
t_ok "ping across the pair" -- ip netns exec a ping -c 3 -i 0.2 -W 3 10.98.0.2
t_ok "ethtool -L combined 2 (control queue)" -- ip netns exec a ethtool -L "$NA" combined 2
t_ok "ip link set address 02:00:00:00:0d:11 (control queue MAC_ADDR_SET)" -- \
	ip -n a link set "$NA" address 02:00:00:00:0d:11
t_eq "the function's config has the new MAC" "02:00:00:00:0d:11" \
	"$(vdpa -j dev config show vdpa0 | jq -r .config.vdpa0.mac)"
# the function filters unicast by its MAC: replies reach the new one only
# if the command reached the function
ip -n b neigh flush all
t_ok "ping after the MAC change" -- ip netns exec b ping -c 3 -i 0.2 -W 3 10.98.0.1
t_eq "the peer learnt the new MAC" "02:00:00:00:0d:11" \
	"$(ip -n b -j neigh show 10.98.0.1 | jq -r '.[0].lladdr')"
t_ok "iperf3 in direct mode" -- iperf_ok b a 10.98.0.2
if [ -r "$SWIOTLB/io_tlb_used_hiwater" ]; then
	t_ok "swiotlb bounced the traffic (high water $(cat $SWIOTLB/io_tlb_used_hiwater) slots)" -- \
		test "$(cat $SWIOTLB/io_tlb_used_hiwater)" -gt 0
else
	t_skip "swiotlb bounced the traffic" "no $SWIOTLB"
fi

# --- the same device deleted and added again, in shadow mode: the
# function runs the relay's rings, which the CPU writes while it reads them.
ip netns del a
t_ok "dev del vdpa0" -- vdpa dev del vdpa0
echo 1 >/sys/module/dpu_vdpa/parameters/shadow
t_ok "dev add vdpa0 again, shadow=1" -- \
	vdpa dev add name vdpa0 mgmtdev "pci/$A" mac 02:00:00:00:0d:01 max_vqp 2
NA=$(net_up vdpa0 "$A" a 10.98.0.1)
t_ok "netdev back ($NA)" -- test -n "$NA"
t_eq "vdpa0 runs in shadow mode" "shadow" "$(dev_field vdpa0 mode)"
ip -n b neigh flush all
t_ok "ping through the relay" -- ip netns exec a ping -c 3 -i 0.2 -W 3 10.98.0.2
t_ok "ethtool -L combined 2 through the relay" -- ip netns exec a ethtool -L "$NA" combined 2
t_ok "ping -f 1000 frames, none lost" -- sh -c \
	"timeout 60 ip netns exec a ping -f -c 1000 -W 2 10.98.0.2 | grep -q ' 0% packet loss'"
t_ok "iperf3 through the relay" -- iperf_ok b a 10.98.0.2
t_ok "the relay carried it (relayed_used $(dev_field vdpa0 stats.relayed_used))" -- \
	test "$(dev_field vdpa0 stats.relayed_used)" -gt 1000
t_eq "no ring errors" "0" "$(dev_field vdpa0 stats.ring_errors)"

# --- virtio_vdpa blk: shadow mode, then direct mode after del and add.
t_ok "dev add blk0 (shadow=1)" -- vdpa dev add name blk0 mgmtdev "pci/$F"
wait_for blkdev_of "$F"
D=$(blkdev_of "$F")
t_ok "virtio_blk disk appeared (/dev/$D)" -- test -b "/dev/$D"
t_eq "blk0 runs in shadow mode" "shadow" "$(dev_field blk0 mode)"
head -c 16M /dev/urandom >/tmp/pattern
WANT=$(sha256sum </tmp/pattern)
t_ok "write 16 MiB with O_DIRECT" -- \
	dd if=/tmp/pattern of="/dev/$D" bs=1M seek=3 oflag=direct conv=fsync status=none
t_eq "read back with O_DIRECT, intact" "$WANT" \
	"$(dd if="/dev/$D" bs=1M skip=3 count=16 iflag=direct status=none | sha256sum)"
t_eq "no ring errors" "0" "$(dev_field blk0 stats.ring_errors)"
t_ok "dev del blk0" -- vdpa dev del blk0
echo 0 >/sys/module/dpu_vdpa/parameters/shadow
t_ok "dev add blk0 again, direct" -- vdpa dev add name blk0 mgmtdev "pci/$F"
wait_for blkdev_of "$F"
D=$(blkdev_of "$F")
t_eq "blk0 runs in direct mode" "direct" "$(dev_field blk0 mode)"
t_eq "the pattern reads back in direct mode" "$WANT" \
	"$(dd if="/dev/$D" bs=1M skip=3 count=16 iflag=direct status=none | sha256sum)"
t_ok "dev del blk0" -- vdpa dev del blk0

# --- vhost_vdpa: no IOMMU domain, so the relay hands the function the
# physical addresses of the client's pages, from its own rings.
ip netns del a
t_ok "dev del vdpa0" -- vdpa dev del vdpa0
t_ok "dev add vd0 with a MAC (programmed through the control queue)" -- \
	vdpa dev add name vd0 mgmtdev "pci/$A" mac 02:00:00:00:0d:0a
DEV=$(vhost_dev vd0)
t_ok "vd0 on vhost_vdpa ($DEV)" -- test -c "$DEV"
MB=$(ip -n b -j link show "$NB" | jq -r '.[0].address')

# pair (tests/lib.sh), each side bounded by 120 s; the device's mode is
# recorded while the receiver waits, in /tmp/NAME.mode
PAIR_TIMEOUT=120
pair_on_ready() { dev_field vd0 mode >"/tmp/$1.mode"; }
R="--rate 5000"
t_ok "net-rx: 1000 frames from $NB all reach the client" -- \
	pair rx $VC net-rx "$DEV" --count 1000 -- \
	ip netns exec b $VC pkt-send "$NB" --count 1000 --dst-mac 02:00:00:00:0d:0a $R
t_eq "vd0 ran in shadow mode" "shadow" "$(cat /tmp/rx.mode)"
t_ok "net-tx: 1000 frames from the client all reach $NB" -- \
	pair tx ip netns exec b $VC pkt-recv "$NB" --count 1000 -- \
	$VC net-tx "$DEV" --count 1000 --dst-mac "$MB" $R
t_ok "net-tx: 200 full-size frames all reach $NB" -- \
	pair txbig ip netns exec b $VC pkt-recv "$NB" --count 200 --stream 2 -- \
	$VC net-tx "$DEV" --count 200 --size 1514 --stream 2 --dst-mac "$MB" $R
t_ok "the relay carried them (relayed_used $(dev_field vd0 stats.relayed_used))" -- \
	test "$(dev_field vd0 stats.relayed_used)" -ge 2200
t_eq "no ring errors" "0" "$(dev_field vd0 stats.ring_errors)"

t_ok "dev add blk0 on vhost_vdpa" -- vdpa dev add name blk0 mgmtdev "pci/$F"
BDEV=$(vhost_dev blk0)
t_ok "blk0 on vhost_vdpa ($BDEV)" -- test -c "$BDEV"
t_ok "blk-write 4096 sectors at 100000, seed 5" -- \
	$VC blk-write "$BDEV" --sector 100000 --count 4096 --seed 5
t_ok "blk-read them back, pattern intact" -- \
	$VC blk-read "$BDEV" --sector 100000 --count 4096 --seed 5 --req-sectors 8
t_ok "blk-read: what virtio_vdpa wrote is there (zeroes where it did not write)" -- \
	$VC blk-read "$BDEV" --sector 0 --count 2048 --expect-zero
t_ok "the relay carried them (relayed_used $(dev_field blk0 stats.relayed_used))" -- \
	test "$(dev_field blk0 stats.relayed_used)" -gt 512
t_eq "no ring errors" "0" "$(dev_field blk0 stats.ring_errors)"

# --- back to virtio_vdpa after vhost: del and add once more.
t_ok "dev del vd0 and blk0" -- sh -c "vdpa dev del vd0 && vdpa dev del blk0"
t_ok "dev add vdpa0 after vhost use" -- \
	vdpa dev add name vdpa0 mgmtdev "pci/$A" mac 02:00:00:00:0d:01
NA=$(net_up vdpa0 "$A" a 10.98.0.1)
ip -n b neigh flush all
t_ok "ping after vhost use" -- ip netns exec a ping -c 3 -i 0.2 -W 3 10.98.0.2
ip netns del a; ip netns del b
t_ok "dev del vdpa0 and vdpa1" -- sh -c "vdpa dev del vdpa0 && vdpa dev del vdpa1"
t_done
