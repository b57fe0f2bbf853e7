#!/bin/bash
# Teardown in every order with a live device: dev del while the netdev is
# up and busy, PCI unbind, hot removal, rmmod.  No warning, no leak of
# the module reference, and everything works again afterwards.
. "$(dirname "$0")/../lib.sh"
set -- $VM_NETS
A=$1 B=$2
BLK=${VM_BLKS%% *}
load_modules || t_bail "modprobe"

setup() {	# both net functions up, pinging each other in the background
	bind_fn "$A" && bind_fn "$B" || return 1
	vdpa dev add name vdpa0 mgmtdev "pci/$A" mac 02:00:00:00:0c:01 || return 1
	vdpa dev add name vdpa1 mgmtdev "pci/$B" mac 02:00:00:00:0c:02 || return 1
	wait_for netdev_of "$A" && wait_for netdev_of "$B" || return 1
	local na nb; na=$(netdev_of "$A"); nb=$(netdev_of "$B")
	ip netns add a 2>/dev/null; ip netns add b 2>/dev/null
	ip link set "$na" netns a && ip link set "$nb" netns b || return 1
	ip -n a addr add 10.98.0.1/24 dev "$na"; ip -n a link set "$na" up
	ip -n b addr add 10.98.0.2/24 dev "$nb"; ip -n b link set "$nb" up
	wait_for ip netns exec a ping -c 1 -W 1 10.98.0.2 || return 1
	ip netns exec a ping -f -q -w 30 10.98.0.2 >/dev/null 2>&1 &
	sleep 1
}
stop_traffic() { pkill -f 'ping -f' 2>/dev/null; wait 2>/dev/null; }

t_ok "setup with traffic" -- setup
t_ok "dev del while the netdev is up under ping -f" -- vdpa dev del vdpa0
t_ok "netdev of vdpa0 is gone" -- sh -c "test -z \"\$(ls /sys/bus/pci/devices/$A/virtio*/net 2>/dev/null)\""
t_ok "vdpa1 still there" -- sh -c "vdpa dev show vdpa1 >/dev/null"
stop_traffic
t_ok "PCI unbind of a function with a live device" -- \
	sh -c "echo $B >/sys/bus/pci/drivers/dpu_vdpa/unbind"
t_ok "its device went with it" -- sh -c "! vdpa dev show vdpa1 >/dev/null 2>&1"
t_ok "its mgmtdev went with it" -- sh -c "! vdpa mgmtdev show pci/$B >/dev/null 2>&1"

ip netns del a; ip netns del b
t_ok "setup again" -- setup
t_ok "hot removal (remove) of a function with a live device under traffic" -- \
	sh -c "echo 1 >/sys/bus/pci/devices/$A/remove"
stop_traffic
t_ok "device of the removed function is gone" -- sh -c "! vdpa dev show vdpa0 >/dev/null 2>&1"
t_ok "rescan brings the function back" -- \
	sh -c "echo 1 >/sys/bus/pci/rescan && test -e /sys/bus/pci/devices/$A"
ip netns del a; ip netns del b
# after rescan driver_override is gone: virtio-pci took it back
t_ok "setup after rescan" -- setup
if [ -n "$BLK" ]; then
	bind_fn "$BLK" && vdpa dev add name blk0 mgmtdev "pci/$BLK" && wait_for blkdev_of "$BLK"
fi
t_eq "module in use only by its devices, not leaked" "0" "$(cat /sys/module/dpu_vdpa/refcnt)"
t_ok "rmmod with three live devices under traffic" -- rmmod dpu_vdpa
stop_traffic
t_ok "no vDPA device left" -- sh -c "test \"\$(vdpa -j dev show | jq '.dev | length')\" = 0"
t_ok "no management device left" -- sh -c "! vdpa mgmtdev show | grep -q pci/"
ip netns del a; ip netns del b
t_ok "modprobe again" -- modprobe dpu_vdpa
t_ok "rebind, add and ping after reload" -- setup
stop_traffic
t_ok "final cleanup: dev del both" -- sh -c "vdpa dev del vdpa0 && vdpa dev del vdpa1"
t_done
