#!/bin/bash
# tests/unit/vm-group.sh's fixture: the machine as scripts/vm boots it,
# and this test's own setting.
. "$(dirname "$0")/../../lib.sh"
t_eq "its setting reached it" "1" "${GROUP_FIXTURE:-}"
t_eq "no vDPA device" "" "$(ls /sys/bus/vdpa/devices 2>/dev/null)"
t_ok "no vDPA module loaded" -- sh -c '! test -d /sys/module/dpu_vdpa && ! test -d /sys/module/vdpa'
on_virtio() {
	local f
	for f in $VM_NETS $VM_BLKS; do
		[ "$(basename "$(readlink "/sys/bus/pci/devices/$f/driver")")" = virtio-pci ] || return 1
	done
}
t_ok "every function on virtio-pci" -- on_virtio
t_eq "no network namespace" "" "$(ip netns list)"
t_done
