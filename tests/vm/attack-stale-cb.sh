#!/bin/bash
# A vDPA device added while virtio_vdpa is loaded is bound to it first
# (the bus probes it), then moved to vhost_vdpa, as every vhost test here
# does.  virtio_vdpa set the device's config callback; vhost_vdpa never
# sets one.  When a guest then breaks its ring the function reports
# NEEDS_RESET with a config interrupt: the driver must not call the
# callback of the consumer that is gone (on a freed virtio device: a CPU
# spins forever in the interrupt, RCU stalls).  A consumer's callbacks
# must go with the consumer, at the latest at reset.
# With the bug the whole VM wedges (RCU stall) and the run fails by its
# timeout (seen: stack in dpu_vdpa_hw_config_irq -> virtio_vdpa_config_cb
# -> virtio_config_changed spinning on the freed device's lock).
# The function sees the hostile ring (direct mode): its errors are expected.
# vm-allow-virtio-errors
# vm-options: --allow-virtio-errors --allow-dma-faults --timeout 150
. "$(dirname "$0")/../lib.sh"
VC=$PWD/tests/vhost-client/vhost-client
set -- $VM_NETS
A=$1
load_modules || t_bail "modprobe"
echo 0 >/sys/module/dpu_vdpa/parameters/shadow
t_ok "bind $A to dpu_vdpa" -- bind_fn "$A"
t_ok "dev add vd0: the bus gives it to virtio_vdpa first" -- vdpa dev add name vd0 mgmtdev "pci/$A"
t_eq "vd0 was on virtio_vdpa" virtio_vdpa "$(basename "$(readlink /sys/bus/vdpa/devices/vd0/driver)")"
DEV=$(vhost_dev vd0)
t_ok "vd0 moved to vhost_vdpa ($DEV)" -- test -c "$DEV"
# hostile rings that the function refuses (NEEDS_RESET, config interrupt);
# a hung CPU never lets the client end: do not wait for it
timeout -k 5 60 "$VC" ring-fuzz "$DEV" --mode direct --seed 201 --iterations 20 \
	>/tmp/stale.out 2>&1 &
pid=$!
for ((i = 0; i < 90; i++)); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 1
done
if kill -0 "$pid" 2>/dev/null; then
	echo "# ring-fuzz still not done after 90 s: the client is stuck in the kernel"
	rc=1
else
	wait "$pid"; rc=$?
fi
sed 's/^/# /' /tmp/stale.out | tail -n 4
stall=$(_dmesg_since_mark | grep -E 'rcu.*stall|soft lockup|hard LOCKUP|virtio_vdpa_config_cb|virtio_config_changed' | head -n 5)
[ -n "$stall" ] && echo "$stall" | sed 's/^/# /' && rc=1
t_result "$rc" "NEEDS_RESET interrupts of the function after vd0 left virtio_vdpa: no stale callback, no stall (ring-fuzz seed 201 direct)"
t_ok "dev del vd0" -- vdpa dev del vd0
t_done
