#!/bin/bash
# VMs on our devices through vhost_vdpa: a nested QEMU (TCG inside the
# test VM) boots with three of them at once, so the slow nested boot is
# paid once:
#   00:08  -netdev vhost-vdpa + virtio-net-pci, control queue and 2 queue
#          pairs: the guest sets a new MAC and multiqueue, then pings
#   00:09  vhost-vdpa-device-pci on a net device: the guest pings
#   00:0a  vhost-vdpa-device-pci on a blk device: checksummed pattern
# The peers are the functions cabled to A and C, on plain virtio_net here.
# The guest's part is tests/vm/nested/vhost-guest.sh; it prints
# "nested: ok|not ok - what" lines that become this test's results.
# vm-options: --nets 4 --mem 3G
. "$(dirname "$0")/../lib.sh"
set -- $VM_NETS
A=$1 B=$2 C=$3 D=$4
BLK=${VM_BLKS%% *}
[ -n "$D" ] && [ -n "$BLK" ] || t_bail "needs four net functions and a blk function"
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
peer() {
	local ns=$1 bdf=$2 addr=$3 nd
	nd=$(basename "$(netdev_of "$bdf")")
	ip netns add "$ns" && ip link set "$nd" netns "$ns" &&
		ip -n "$ns" link set "$nd" up && ip -n "$ns" addr add "$addr" dev "$nd"
}
t_ok "peer of vn0 at 10.71.0.2" -- peer pb "$B" 10.71.0.2/24
t_ok "peer of vn1 at 10.72.0.2" -- peer pd "$D" 10.72.0.2/24

out=$(mktemp -p "$PROJECT/build" nested.XXXXXX)
start=$(date +%s)
scripts/vm --no-iommu --nets 0 --blks 0 --mem 512M --cpus 1 --timeout ${NESTED_TIMEOUT:-480} \
	--append "${NESTED_APPEND:-loglevel=5}" \
	--qemu -netdev --qemu "vhost-vdpa,vhostdev=$VN0,id=vn0" \
	--qemu -device --qemu "virtio-net-pci,netdev=vn0,mq=on,vectors=8,addr=0x08,romfile=" \
	--qemu -device --qemu "vhost-vdpa-device-pci,vhostdev=$VN1,addr=0x09" \
	--qemu -device --qemu "vhost-vdpa-device-pci,vhostdev=$VB0,addr=0x0a" \
	-- bash tests/vm/nested/vhost-guest.sh >"$out" 2>&1
rc=$?
echo "# nested VM: exit $rc after $(($(date +%s) - start)) s"
sed 's/^/#   /' "$out" | grep -v '^#   nested: ' | tail -n ${NESTED_LINES:-30}
while read -r status rest; do
	case "$status" in
	ok) t_result 0 "nested: $rest" ;;
	not) t_result 1 "nested: ${rest#ok }" ;;
	esac
done < <(sed -n 's/^nested: //p' "$out")
t_eq "nested VM exited cleanly" 0 "$rc"
rm -f "$out"

t_ok "vn0 still ready for reuse: reset by vhost release" -- \
	sh -c "vdpa dev show vn0 >/dev/null"
t_ok "dev del all three" -- sh -c "vdpa dev del vn0 && vdpa dev del vn1 && vdpa dev del vb0"
t_done
