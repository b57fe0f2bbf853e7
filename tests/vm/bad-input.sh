#!/bin/bash
# Every bad "vdpa dev add" gets a precise error and changes nothing.
. "$(dirname "$0")/../lib.sh"
set -- $VM_NETS
A=$1
load_modules || t_bail "modprobe"
bind_fn "$A" || t_bail "bind"
M=pci/$A

t_err "unknown mgmtdev: ENODEV" "No such device" -- vdpa dev add name x mgmtdev pci/0000:00:1e.0
t_err "multicast mac: EINVAL" "Invalid argument" -- vdpa dev add name x mgmtdev $M mac 01:00:5e:00:00:01
t_err "mtu 10 below minimum: ERANGE" "out of range|Numerical result" -- vdpa dev add name x mgmtdev $M mtu 10
t_err "mtu above the function's 9000: ERANGE" "out of range|Numerical result" -- \
	vdpa dev add name x mgmtdev $M mtu 9001
t_err "max_vqp above the function's 4: ERANGE" "out of range|Numerical result" -- \
	vdpa dev add name x mgmtdev $M max_vqp 5
t_err "feature the function lacks: EINVAL" "Invalid argument" -- \
	vdpa dev add name x mgmtdev $M device_features 0x4300000000
t_err "features without VERSION_1: EINVAL" "Invalid argument" -- \
	vdpa dev add name x mgmtdev $M device_features 0x20000
t_eq "no device left behind by failed adds" "0" "$(vdpa -j dev show | jq '.dev | length')"
t_ok "dmesg says why (features)" -- sh -c "dmesg | grep -q 'not supported (supported'"

t_ok "dev add vdpa0 with device_features limiting the device" -- \
	vdpa dev add name vdpa0 mgmtdev $M device_features 0x300010000 max_vqp 1
t_eq "config show reflects the limited features" "STATUS VERSION_1 ACCESS_PLATFORM" \
	"$(vdpa -j dev config show vdpa0 | jq -r '.config.vdpa0.negotiated_features | join(" ")')"
t_err "second device on the function: EBUSY" "Device or resource busy" -- \
	vdpa dev add name vdpa1 mgmtdev $M
bind_fn "$2" || t_bail "bind $2"
t_err "duplicate name on another function: EEXIST" "File exists" -- \
	vdpa dev add name vdpa0 mgmtdev "pci/$2"
t_err "del unknown device: ENODEV" "No such device" -- vdpa dev del nosuch
t_ok "dev del vdpa0" -- vdpa dev del vdpa0
t_ok "dev add works again after del" -- vdpa dev add name vdpa0 mgmtdev $M
t_ok "dev del vdpa0 again" -- vdpa dev del vdpa0
# the SMBus controller stands in for any function that is not virtio
bind_fn 0000:00:1f.3
t_ok "a non-virtio function is refused by probe, with a reason" -- \
	sh -c "dmesg | grep -q '0000:00:1f.3: not a modern virtio-pci function'"
t_ok "the refused function is not a mgmtdev" -- sh -c "! vdpa mgmtdev show | grep -q 1f.3"
bind_fn 0000:00:1f.3 i801_smbus
t_done
