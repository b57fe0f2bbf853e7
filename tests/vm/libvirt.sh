#!/bin/bash
# libvirt (bookworm-backports, 11.x) runs a VM on one of our devices the
# way an operator writes it: an <interface type='vdpa'> whose source is the
# device's /dev/vhost-vdpa-N (README shows the XML).  The test starts
# libvirtd itself inside the test VM (no systemd there; Debian's 11.x ships
# the QEMU driver for the monolithic daemon, not virtqemud); the domain is a
# TCG guest booting tests/nested/migrate-init's initramfs, which pings a
# peer on the function cabled to ours.  Asserted: the domain starts on the
# device, virsh domiflist shows it, the guest's pings are answered and so
# are the peer's pings to the guest (traffic that starts outside); after
# virsh destroy the peer's pings go unanswered (the negative control of
# that check), and the device carries frames for the next consumer.
# vm-options: --nets 2 --mem 2G --timeout 1500
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../nested/migrate.sh"
VC=$PWD/tests/vhost-client/vhost-client
DOM=dpu-vdpa-lv
GUEST_IP=10.74.0.1
PEER_IP=10.74.0.2
BOOT_SECS=${LIBVIRT_BOOT_SECS:-600}	# a TCG guest inside the TCG test VM
set -- $VM_NETS
A=$1 PA=$2
[ -n "$PA" ] || t_bail "needs two net functions"
[ -x /usr/sbin/libvirtd ] && command -v virsh >/dev/null ||
	t_bail "libvirt is not installed (scripts/install-deps)"
[ -x "$VC" ] || t_bail "$VC not built (make all)"
MIG_DIR=$(mktemp -d -p "$PROJECT/build" libvirt.XXXXXX)
LV=$MIG_DIR/libvirt

# QEMU pins the guest's RAM for the device: no memlock limit, and room in
# vhost_vdpa's IOTLB (mig_modules loads it with that before anything else).
ulimit -l unlimited || t_bail "ulimit -l unlimited"
t_ok "modules (vhost_vdpa with room for every guest page)" -- mig_modules
DEV=$(mig_dev_add lv0 "$A") || t_bail "dev add lv0 on $A, attached to vhost_vdpa"
t_ok "lv0 on $A is $DEV" -- test -c "$DEV"

# the peer: the function cabled to A, on virtio_net, in a namespace
mig_bind "$PA" virtio-pci || t_bail "bind $PA to virtio-pci"
PEER=$(basename "$(_mig_netdev "$PA")") || t_bail "no netdev on $PA"
ip netns add lvpeer && ip link set "$PEER" netns lvpeer &&
	ip -n lvpeer addr add "$PEER_IP/24" dev "$PEER" && ip -n lvpeer link set "$PEER" up ||
	t_bail "peer $PEER at $PEER_IP"

# --- libvirt, started here.  The root file system is the host's, read-only:
# the configuration is a copy laid over /etc/libvirt, with what a daemon
# without systemd, cgroups or a security module needs.  QEMU runs as root.
mkdir -p "$LV/etc" /var/lib/libvirt/qemu /var/cache/libvirt/qemu /var/log/libvirt/qemu /run/libvirt
cp -a /etc/libvirt/. "$LV/etc/"
cat >"$LV/etc/qemu.conf" <<EOF
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
namespaces = [ ]
cgroup_controllers = [ ]
stdio_handler = "file"
EOF
mount --bind "$LV/etc" /etc/libvirt || t_bail "configuration over /etc/libvirt"
export LIBVIRT_DEFAULT_URI=qemu:///system
LIBVIRT_LOG_OUTPUTS="3:file:$LV/libvirtd.log" /usr/sbin/libvirtd --daemon ||
	t_bail "libvirtd --daemon"
t_ok "libvirtd answers" -- mig_wait 180 virsh version

cat >"$LV/$DOM.xml" <<EOF
<domain type='qemu'>
  <name>$DOM</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <kernel>$MIG_KERNEL</kernel>
    <initrd>$(mig_initrd)</initrd>
    <cmdline>console=ttyS0 loglevel=5 panic=-1 mitigations=off mig.ip=$GUEST_IP/24 mig.target=$PEER_IP mig.interval=0.5</cmdline>
  </os>
  <on_reboot>destroy</on_reboot>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <interface type='vdpa'>
      <source dev='$DEV'/>
      <mac address='$MIG_MAC0'/>
      <model type='virtio'/>
    </interface>
    <serial type='file'>
      <source path='$MIG_DIR/$DOM.console'/>
      <target port='0'/>
    </serial>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
t_ok "virsh define (interface type='vdpa', source $DEV)" -- virsh define "$LV/$DOM.xml"
t_ok "virsh start" -- virsh start "$DOM"
start=$SECONDS
replies() { [ "$(mig_replies "$DOM")" -ge "$1" ]; }
t_ok "the guest's pings to the peer are answered" -- mig_wait "$BOOT_SECS" replies 3
echo "# guest answered after $((SECONDS - start)) s"
t_ok "virsh domiflist shows the vdpa interface with its MAC" -- \
	sh -c "virsh domiflist $DOM | grep -E 'vdpa' | grep -q '$MIG_MAC0'"
t_ok "the peer's pings to the guest are answered (from outside)" -- \
	ip netns exec lvpeer ping -c 5 -i 0.5 -W 3 "$GUEST_IP"
t_ok "no complaint on the guest's console" -- mig_no_splat "$DOM"

t_ok "virsh destroy" -- virsh destroy "$DOM"
t_ok "the domain is shut off" -- sh -c "virsh domstate $DOM | grep -q 'shut off'"
ip -n lvpeer neigh flush dev "$PEER"
t_ok "negative control: with the guest gone, the peer's pings go unanswered" -- \
	sh -c "! ip netns exec lvpeer ping -c 3 -i 0.5 -W 1 $GUEST_IP"

# vhost_vdpa reset the device and dropped QEMU's mappings when QEMU exited:
# the next consumer finds it working
PEER_MAC=$(ip netns exec lvpeer cat "/sys/class/net/$PEER/address")
t_ok "lv0 usable again: 200 frames from vhost-client reach the peer" -- \
	pair lvreuse ip netns exec lvpeer "$VC" pkt-recv "$PEER" --count 200 --stream 31 --timeout 5 -- \
	"$VC" net-tx "$DEV" --count 200 --stream 31 --dst-mac "$PEER_MAC" --rate 10000 --timeout 5
t_ok "virsh undefine" -- virsh undefine "$DOM"
[ -s "$LV/libvirtd.log" ] && tail -n 20 "$LV/libvirtd.log" | sed 's/^/#   libvirtd: /'
pkill -x libvirtd
umount /etc/libvirt
t_ok "dev del lv0" -- vdpa dev del lv0
rm -rf "$MIG_DIR"
t_done
