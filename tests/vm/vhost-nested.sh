#!/bin/bash
# VMs on our devices through vhost_vdpa: a nested QEMU (TCG inside the
# test VM) boots with three of them at once, so the slow nested boot is
# paid once:
#   00:08  -netdev vhost-vdpa + virtio-net-pci, control queue and 2 queue
#          pairs: the guest sets a new MAC and multiqueue, then pings and
#          runs TCP over both pairs
#   00:09  vhost-vdpa-device-pci on a net device: the guest pings
#   00:0a  vhost-vdpa-device-pci on a blk device: checksummed pattern
# The peers are the functions cabled to A and C, on plain virtio_net here.
# The guest's part is tests/nested/vhost-guest.sh; it prints
# "nested: ok|not ok - what" lines that become this test's results, and
# checks the nested kernel's log for splats (scripts/vm inside also fails
# the nested run on one).  Afterwards each device must be usable again.
# vm-options: --nets 4 --mem 3G --timeout 1800
. "$(dirname "$0")/../lib.sh"
VC=$PWD/tests/vhost-client/vhost-client
NESTED_MEM=512M
set -- $VM_NETS
A=$1 B=$2 C=$3 D=$4
BLK=${VM_BLKS%% *}
[ -n "$D" ] && [ -n "$BLK" ] || t_bail "needs four net functions and a blk function"
[ -x "$VC" ] || t_bail "$VC not built (make all)"

# The nested QEMU maps its whole RAM into each device.  vhost_vdpa pins it
# and keeps one IOTLB entry per physically contiguous run of pages, at most
# max_iotlb_entries (default 2048) per address space: 512 MiB of RAM that
# did not get huge pages is up to 131072 runs.  The parameter is read-only
# once the module is loaded, so load it first, with room for every page.
ENTRIES=262144
modprobe vhost_vdpa max_iotlb_entries=$ENTRIES || t_bail "modprobe vhost_vdpa"
t_eq "vhost_vdpa loaded with max_iotlb_entries=$ENTRIES" "$ENTRIES" \
	"$(cat /sys/module/vhost_vdpa/parameters/max_iotlb_entries)"
# The pinned pages count against RLIMIT_MEMLOCK, for root too (8 MiB here).
ulimit -l unlimited || t_bail "ulimit -l unlimited"
load_modules || t_bail "modprobe"

t_ok "bind $A, $C, $BLK to dpu_vdpa" -- sh -c "$(declare -f bind_fn); bind_fn $A && bind_fn $C && bind_fn $BLK"
t_ok "bind peers $B, $D to virtio-pci" -- sh -c "$(declare -f bind_fn); bind_fn $B virtio-pci && bind_fn $D virtio-pci"
t_ok "dev add vn0 (mac, 2 queue pairs)" -- \
	vdpa dev add name vn0 mgmtdev "pci/$A" mac 02:00:00:00:0c:01 max_vqp 2
t_ok "dev add vn1 (mac)" -- vdpa dev add name vn1 mgmtdev "pci/$C" mac 02:00:00:00:0c:02
t_ok "dev add vb0" -- vdpa dev add name vb0 mgmtdev "pci/$BLK"
for d in vn0 vn1 vb0; do
	t_ok "$d attached to vhost_vdpa" -- attach_vdpa $d vhost_vdpa
done
chr() { basename /sys/bus/vdpa/devices/$1/vhost-vdpa-*; }
VN0=/dev/$(chr vn0) VN1=/dev/$(chr vn1) VB0=/dev/$(chr vb0)
t_ok "char devices $VN0 $VN1 $VB0" -- test -c "$VN0" -a -c "$VN1" -a -c "$VB0"

# peers in namespaces of their own
wait_for netdev_of "$B"; wait_for netdev_of "$D"
NB=$(basename "$(netdev_of "$B")") ND=$(basename "$(netdev_of "$D")")
peer() {
	local ns=$1 nd=$2 addr=$3
	ip netns add "$ns" && ip link set "$nd" netns "$ns" &&
		ip -n "$ns" link set "$nd" mtu 9000 up && ip -n "$ns" addr add "$addr" dev "$nd"
}
t_ok "peer of vn0 ($NB) at 10.71.0.2" -- peer pb "$NB" 10.71.0.2/24
t_ok "peer of vn1 ($ND) at 10.72.0.2" -- peer pd "$ND" 10.72.0.2/24
ip netns exec pb iperf3 -s -D -I /tmp/iperf3.pid >/dev/null 2>&1

out=$(mktemp -p "$PROJECT/build" nested.XXXXXX)
start=$(date +%s)
# VM_MODULES=: the nested guest needs none of this tree's modules
VM_MODULES= scripts/vm --no-iommu --nets 0 --blks 0 --mem $NESTED_MEM --cpus 1 \
	--timeout "${NESTED_TIMEOUT:-1500}" --append "${NESTED_APPEND:-loglevel=5}" \
	--qemu -netdev --qemu "vhost-vdpa,vhostdev=$VN0,id=vn0" \
	--qemu -device --qemu "virtio-net-pci,netdev=vn0,mq=on,vectors=8,addr=0x08,romfile=" \
	--qemu -device --qemu "vhost-vdpa-device-pci,vhostdev=$VN1,addr=0x09" \
	--qemu -device --qemu "vhost-vdpa-device-pci,vhostdev=$VB0,addr=0x0a" \
	-- bash tests/nested/vhost-guest.sh >"$out" 2>&1
rc=$?
echo "# nested VM: exit $rc after $(($(date +%s) - start)) s"
# everything but the results, which follow as our own
grep -v -E '^nested: (ok|not ok) ' "$out" | sed 's/^/#   /' | tail -n "${NESTED_LINES:-40}"
while read -r status rest; do
	case "$status" in
	ok) t_result 0 "nested: ${rest#- }" ;;
	not) rest=${rest#ok }; t_result 1 "nested: ${rest#- }" ;;
	esac
done < <(sed -n 's/^nested: \(ok\|not ok\) /\1 /p' "$out")
t_ok "the nested guest reported its results" -- grep -q '^nested: ok - no kernel splat' "$out"
# scripts/vm fails the nested run on a splat in the nested kernel's log too
t_eq "nested VM exited cleanly (no timeout, panic or splat)" 0 "$rc"
rm -f "$out"
[ -f /tmp/iperf3.pid ] && kill "$(cat /tmp/iperf3.pid)" 2>/dev/null

t_ok "the peer learned vn0's new MAC (02:00:00:00:0d:01)" -- \
	sh -c "ip -n pb neigh show 10.71.0.1 | grep -q 'lladdr 02:00:00:00:0d:01'"

# After QEMU is gone, vhost_vdpa has reset the devices and dropped their
# mappings: a new consumer must find them working.
reuse() {	# reuse NS PEER_NETDEV DEV STREAM
	local ns=$1 nd=$2 dev=$3 id=$4 pid rc=0 mac
	mac=$(ip netns exec "$ns" cat "/sys/class/net/$nd/address")
	ip netns exec "$ns" $VC pkt-recv "$nd" --count 200 --stream "$id" --timeout 5 >/tmp/reuse.recv 2>&1 &
	pid=$!
	wait_for grep -q ready /tmp/reuse.recv
	$VC net-tx "$dev" --count 200 --stream "$id" --dst-mac "$mac" --rate 10000 --timeout 5 || rc=$?
	wait "$pid" || rc=$?
	cat /tmp/reuse.recv
	return "$rc"
}
t_ok "vn0 usable again: 200 frames from vhost-client reach its peer" -- reuse pb "$NB" "$VN0" 21
t_ok "vn1 usable again: 200 frames from vhost-client reach its peer" -- reuse pd "$ND" "$VN1" 22
t_ok "vb0 usable again: blk-write and blk-read with vhost-client" -- \
	sh -c "$VC blk-write $VB0 --sector 4096 --count 256 --seed 3 &&
		$VC blk-read $VB0 --sector 4096 --count 256 --seed 3"
t_ok "dev del all three" -- sh -c "vdpa dev del vn0 && vdpa dev del vn1 && vdpa dev del vb0"
t_done
