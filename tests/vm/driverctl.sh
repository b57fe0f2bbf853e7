#!/bin/bash
# driverctl (Debian's package) as the persistent way to hand a function to
# dpu_vdpa: set-override binds it now and saves the choice in
# /etc/driverctl.d; what driverctl@.service runs at boot (load-override,
# started by driverctl's udev rule when the function appears) binds it
# again after the function came back on virtio-pci, as after a reboot; a
# device made on it works; unset-override gives it back and forgets.
# The VM's /etc is the host's, read-only: the saved overrides go to a
# tmpfs over /etc/driverctl.d.
. "$(dirname "$0")/../lib.sh"
command -v driverctl >/dev/null || t_bail "driverctl not installed (scripts/install-deps)"
two_nets
[ -d /etc/driverctl.d ] || t_bail "no /etc/driverctl.d (driverctl's package makes it)"
mount -t tmpfs driverctl /etc/driverctl.d || t_bail "tmpfs on /etc/driverctl.d"
trap 'umount /etc/driverctl.d' EXIT
SAVED=/etc/driverctl.d/pci-$A

drv_of() { basename "$(readlink "/sys/bus/pci/devices/$1/driver")"; }

t_ok "the function starts on virtio-pci" -- bind_fn "$A" virtio-pci
echo >"/sys/bus/pci/devices/$A/driver_override"
t_ok "driverctl set-override $A dpu_vdpa" -- driverctl set-override "$A" dpu_vdpa
t_eq "the function is dpu_vdpa's" dpu_vdpa "$(drv_of "$A")"
t_eq "... saved for the next boot in $SAVED" dpu_vdpa "$(cat "$SAVED" 2>/dev/null)"
t_ok "driverctl list-overrides shows it" -- \
	sh -c "driverctl list-overrides | grep -qx '$A dpu_vdpa'"
t_ok "its mgmtdev pci/$A is there" -- sh -c "vdpa mgmtdev show pci/$A >/dev/null"

# a reboot, as far as the function sees it: no override, on virtio-pci;
# then what the boot does with the saved choice
echo "$A" >"/sys/bus/pci/devices/$A/driver/unbind"
echo >"/sys/bus/pci/devices/$A/driver_override"
echo "$A" >/sys/bus/pci/drivers_probe
t_eq "as after a reboot: on virtio-pci" virtio-pci "$(drv_of "$A")"
t_ok "driverctl load-override $A (driverctl@.service at boot)" -- driverctl load-override "$A"
t_eq "the function is dpu_vdpa's again" dpu_vdpa "$(drv_of "$A")"
t_ok "its peer $B on dpu_vdpa too" -- bind_fn "$B" dpu_vdpa
t_ok "devices on both carry traffic (net_pair_works)" -- net_pair_works "$A" "$B"
t_ok "the peer back on virtio-pci" -- bind_fn "$B" virtio-pci

t_ok "driverctl unset-override $A" -- driverctl unset-override "$A"
t_eq "the function is back on virtio-pci" virtio-pci "$(drv_of "$A")"
t_ok "... and the saved choice is gone" -- test ! -e "$SAVED"
# negative control: load-override with nothing saved binds nothing
driverctl load-override "$A" 2>/dev/null
t_eq "negative control: nothing saved, load-override leaves virtio-pci" virtio-pci "$(drv_of "$A")"
t_done
