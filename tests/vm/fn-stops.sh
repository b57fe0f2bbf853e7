#!/bin/bash
# A function that stops answering its control queue (firmware hung; here
# its bus mastering is turned off, which QEMU's virtio-pci takes as the
# end of DRIVER_OK) while the host's own virtio_net runs on it through
# virtio_vdpa.  virtio_net waits for every control command's answer
# without a timeout, holding RTNL: the relay must answer the command that
# timed out, and every later one, with an error and raise NEEDS_RESET.
# Unanswered, "ip link set address" never returns, and neither do the
# unbind, dev del or rmmod after it.
. "$(dirname "$0")/../lib.sh"
V=$PWD/tools/vdpa-mgmt/vdpa-mgmt
two_nets

t_ok "bind $A to dpu_vdpa" -- bind_fn "$A"
t_ok "dev add fs0 with a MAC and 2 queue pairs" -- \
	vdpa dev add name fs0 mgmtdev "pci/$A" mac 02:00:00:00:f5:01 max_vqp 2
t_ok "fs0 on virtio_vdpa" -- attach_vdpa fs0 virtio_vdpa
t_ok "its netdev appears" -- wait_for netdev_of "$A"
NA=$(basename "$(netdev_of "$A")")
t_ok "a control command works before ($NA: MAC 02:00:00:00:f5:02)" -- \
	ip link set dev "$NA" address 02:00:00:00:f5:02

t_ok "the function stops: bus mastering off ($A)" -- setpci -s "$A" COMMAND=0:4
t_bounded "a control command returns (the function never answers it)" 60 -- \
	sh -c "! ip link set dev $NA address 02:00:00:00:f5:03"
t_ok "the driver says why" -- sh -c "dmesg | grep -q 'fs0: control queue: function failed a command'"
t_bounded "the next command is refused at once" 10 -- \
	sh -c "! ethtool -L $NA combined 1"
echo "# $($V dev status fs0 2>&1 | tr -s ' \n' ' ')"
t_ok "the device needs reset (vdpa-mgmt dev status)" -- sh -c "$V dev status fs0 | grep -q NEEDS_RESET"
t_ok "bus mastering on again" -- setpci -s "$A" COMMAND=4:4
t_bounded "fs0 leaves virtio_vdpa" 30 -- sh -c "echo fs0 >/sys/bus/vdpa/drivers/virtio_vdpa/unbind"
t_bounded "dev del fs0" 30 -- vdpa dev del fs0
t_bounded "the function is reset and usable: fresh devices on $A and $B pass traffic" 120 -- \
	bash -c "$(declare -f net_pair_works attach_vdpa wait_for netdev_of bind_fn); bind_fn $B && net_pair_works $A $B"
t_bounded "rmmod dpu_vdpa" 60 -- rmmod dpu_vdpa
t_done
