#!/bin/bash
# Two net functions as vDPA devices on virtio_vdpa: config round trip,
# ping and iperf3 between network namespaces, multiqueue through the
# software control queue; then the same functions under plain virtio_net
# for a side-by-side iperf3 figure.
. "$(dirname "$0")/../lib.sh"
set -- $VM_NETS
A=$1 B=$2
[ -n "$B" ] || t_bail "needs two net functions"
load_modules || t_bail "modprobe"

t_ok "bind $A to dpu_vdpa" -- bind_fn "$A"
t_ok "bind $B to dpu_vdpa" -- bind_fn "$B"
t_ok "mgmtdev pci/$A listed" -- sh -c "vdpa mgmtdev show | grep -q 'pci/$A'"
t_ok "dev add vdpa0 with mac and mtu" -- \
	vdpa dev add name vdpa0 mgmtdev "pci/$A" mac 02:00:00:00:0a:01 mtu 4000 max_vqp 4
t_ok "dev add vdpa1 with mac" -- vdpa dev add name vdpa1 mgmtdev "pci/$B" mac 02:00:00:00:0a:02
t_eq "vdpa dev show: type network" "network" \
	"$(vdpa -j dev show vdpa0 | jq -r '.dev.vdpa0.type')"
t_eq "vdpa dev config show: mac" "02:00:00:00:0a:01" \
	"$(vdpa -j dev config show vdpa0 | jq -r '.config.vdpa0.mac')"
t_eq "vdpa dev config show: mtu" "4000" \
	"$(vdpa -j dev config show vdpa0 | jq -r '.config.vdpa0.mtu')"

wait_for netdev_of "$A"; wait_for netdev_of "$B"
NA=$(netdev_of "$A"); NB=$(netdev_of "$B")
t_ok "virtio_net netdevs appeared ($NA, $NB)" -- test -n "$NA" -a -n "$NB"
t_eq "netdev mac is the one given to dev add" "02:00:00:00:0a:01" "$(cat /sys/class/net/$NA/address)"
t_eq "netdev mtu is the one given to dev add" "4000" "$(cat /sys/class/net/$NA/mtu)"
t_eq "netdev max combined channels = max_vqp" "4" \
	"$(ethtool -l "$NA" | awk '/^Pre-set/ {p=1} p && /^Combined/ {print $2; exit}')"

ip netns add a; ip netns add b
ip link set "$NA" netns a; ip link set "$NB" netns b
ip -n a addr add 10.99.0.1/24 dev "$NA"; ip -n a link set "$NA" up
ip -n b addr add 10.99.0.2/24 dev "$NB"; ip -n b link set "$NB" up
t_ok "ping across the two vDPA devices" -- ip netns exec a ping -c 3 -i 0.2 -W 3 10.99.0.2
t_ok "ping with 3000-byte packets (mtu 4000 both ways)" -- \
	sh -c "ip -n b link set $NB mtu 4000 && ip netns exec a ping -c 2 -s 3000 -M do -W 3 10.99.0.2"
t_ok "ethtool -L combined 4 (control queue command)" -- ip netns exec a ethtool -L "$NA" combined 4
t_eq "4 combined channels active" "4" \
	"$(ip netns exec a ethtool -l "$NA" | awk '/^Current/ {p=1} p && /^Combined/ {print $2; exit}')"
t_ok "promiscuous mode toggles (control queue RX mode)" -- \
	sh -c "ip -n a link set $NA promisc on && ip -n a link set $NA promisc off"
t_ok "ping after multiqueue and rx mode changes" -- ip netns exec a ping -c 3 -i 0.2 -W 3 10.99.0.2

VDPA_GBPS=$(iperf_gbps b a 10.99.0.2)
t_ok "iperf3 through vDPA: $VDPA_GBPS Gbit/s" -- test -n "$VDPA_GBPS" -a "$VDPA_GBPS" != null

t_ok "dev del vdpa0 and vdpa1" -- sh -c "vdpa dev del vdpa0 && vdpa dev del vdpa1"
ip netns del a; ip netns del b

# The same two functions under the host's own virtio_net.
t_ok "rebind $A and $B to virtio-pci" -- sh -c "bind_fn() { $(declare -f bind_fn | tail -n +2); }; bind_fn $A virtio-pci && bind_fn $B virtio-pci"
wait_for netdev_of "$A"; wait_for netdev_of "$B"
NA=$(netdev_of "$A"); NB=$(netdev_of "$B")
ip netns add a; ip netns add b
ip link set "$NA" netns a; ip link set "$NB" netns b
ip -n a addr add 10.99.0.1/24 dev "$NA"; ip -n a link set "$NA" up
ip -n b addr add 10.99.0.2/24 dev "$NB"; ip -n b link set "$NB" up
wait_for ip netns exec a ping -c 1 -W 1 10.99.0.2
PLAIN_GBPS=$(iperf_gbps b a 10.99.0.2)
t_ok "iperf3 under plain virtio_net: $PLAIN_GBPS Gbit/s" -- test -n "$PLAIN_GBPS" -a "$PLAIN_GBPS" != null
echo "# benchmark: iperf3 vdpa ${VDPA_GBPS} Gbit/s, plain virtio_net ${PLAIN_GBPS} Gbit/s," \
	"ratio $(echo "$VDPA_GBPS $PLAIN_GBPS" | awk '{ if ($2 > 0) printf "%.2f", $1 / $2 }')"
t_done
