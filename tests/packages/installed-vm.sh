#!/bin/bash
# Run by tests/unit/packages.sh in the test VM while the packages are
# installed on the host (the VM's root): what a user gets from them on a
# machine with functions.  modprobe loads the module DKMS built, and the
# installed vdpa-mgmt makes two net devices whose virtio_net netdevs ping.
#
#   installed-vm.sh VERSION
. "$(dirname "$0")/../lib.sh"
VERSION=${1:?usage: installed-vm.sh VERSION}
V=/usr/sbin/vdpa-mgmt
set -- $VM_NETS
A=$1 B=$2
[ -n "$B" ] || t_bail "needs two net functions"

t_ok "modprobe vdpa virtio_vdpa dpu_vdpa" -- modprobe -a vdpa virtio_vdpa dpu_vdpa
t_ok "the loaded module is DKMS's: $(modinfo -n dpu_vdpa)" -- \
	sh -c "case \"\$(modinfo -n dpu_vdpa)\" in /lib/modules/$(uname -r)/updates/dkms/dpu_vdpa.ko*) ;; *) exit 1 ;; esac"
t_eq "its version is the package's" "$VERSION" "$(cat /sys/module/dpu_vdpa/version 2>/dev/null)"
t_eq "the installed vdpa-mgmt binds $A" "pci/$A" "$("$V" pci bind "$A")"
t_eq "... and $B" "pci/$B" "$("$V" pci bind "$B")"
t_ok "vdpa-mgmt dev add pkg0, pkg1" -- sh -c \
	"'$V' dev add name pkg0 mgmtdev pci/$A mac 02:00:00:00:0d:01 &&
	 '$V' dev add name pkg1 mgmtdev pci/$B mac 02:00:00:00:0d:02"
wait_for netdev_of "$A"; wait_for netdev_of "$B"
NA=$(netdev_of "$A"); NB=$(netdev_of "$B")
t_eq "virtio_net netdevs with the MACs given" "02:00:00:00:0d:01 02:00:00:00:0d:02" \
	"$(cat "/sys/class/net/$NA/address" "/sys/class/net/$NB/address" 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"
ip netns add a; ip netns add b
ip link set "$NA" netns a; ip link set "$NB" netns b
ip -n a addr add 10.98.0.1/24 dev "$NA"; ip -n a link set "$NA" up
ip -n b addr add 10.98.0.2/24 dev "$NB"; ip -n b link set "$NB" up
t_ok "ping across the two devices" -- ip netns exec a ping -c 3 -i 0.2 -W 3 10.98.0.2
t_eq "vdpa-mgmt -j dev show pkg0: type network" "network" "$("$V" -j dev show pkg0 | jq -r .dev.pkg0.type)"
ip netns del a; ip netns del b
t_ok "vdpa-mgmt dev del pkg0, pkg1" -- sh -c "'$V' dev del pkg0 && '$V' dev del pkg1"
t_ok "pci unbind both" -- sh -c "'$V' pci unbind $A && '$V' pci unbind $B"
t_ok "rmmod dpu_vdpa" -- rmmod dpu_vdpa
t_done
