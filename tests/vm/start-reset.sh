#!/bin/bash
# A consumer that resets the device right after DRIVER_OK, over and over.
# At each start the driver programs the device's MAC into the function
# through the control-queue ring it owns; a reset must not unmap that
# ring before the function is reset: a virtio device may read its avail
# index again after using the last command (QEMU's does, from its main
# loop), and then faults on the IOMMU (seen under fault injection:
# "DMAR: [DMA Read] ... fault addr 0xfffffc000000", the driver's own
# window, and QEMU's "zero sized buffers are not allowed").  scripts/vm
# fails the run on either; this test also counts the faults itself.
# The same with a start that fails after the relay ran is in
# tests/vm/fault-inject.sh (debug kernel).
. "$(dirname "$0")/../lib.sh"
set -- $VM_NETS
A=$1
N=${START_RESET_RUNS:-300}
load_modules || t_bail "modprobe"
t_ok "bind $A to dpu_vdpa" -- bind_fn "$A"
t_ok "dev add sr0 with a MAC" -- vdpa dev add name sr0 mgmtdev "pci/$A" mac 02:00:00:00:5e:01
DEV=$(vhost_dev sr0)
t_ok "sr0 on vhost_vdpa ($DEV)" -- test -c "$DEV"
out=$(python3 tests/vhost-ctl.py "$DEV" start-reset "$N" 2>&1)
t_eq "$N starts and resets in a row, every start accepted" "started=$N refused=0" "$out"
sleep 1	# the IOMMU reports a fault by interrupt
faults=$(_dmesg_since_mark | grep -c 'DMAR: \[DMA' || true)
t_eq "no IOMMU fault of the function" 0 "$faults"
t_ok "dev del sr0" -- vdpa dev del sr0
t_done
