#!/bin/bash
# The shadow relay (shadow.c) under real traffic, through virtio_vdpa: the
# module's "shadow" parameter starts every device in shadow mode.  Net:
# ping, multiqueue through the control queue, iperf3; blk: ext4 with
# 64 MiB written and read back.  The relay's own interrupt must fire, so
# the traffic really went through it.  Then the same net pair in direct
# mode, for a side-by-side shadow/direct figure.
# vm-options: --append dpu_vdpa.shadow=1
. "$(dirname "$0")/../lib.sh"
set -- $VM_NETS
A=$1 B=$2
set -- $VM_BLKS
F=$1
[ -n "$B" ] && [ -n "$F" ] || t_bail "needs two net functions and a blk function"
load_modules || t_bail "modprobe"

t_eq "module parameter shadow is on" "Y" "$(cat /sys/module/dpu_vdpa/parameters/shadow)"
for f in "$A" "$B" "$F"; do t_ok "bind $f to dpu_vdpa" -- bind_fn "$f"; done

# shadow_irqs NAME: interrupts of device NAME's relay vector so far.
shadow_irqs() {
	awk -v n="dpu_vdpa-$1-shadow" '$NF == n { s = 0; for (i = 2; i < NF; i++) if ($i ~ /^[0-9]+$/) s += $i; print s }' \
		/proc/interrupts
}

setup_net() {
	vdpa dev add name vdpa0 mgmtdev "pci/$A" mac 02:00:00:00:0c:01 max_vqp 2 &&
	vdpa dev add name vdpa1 mgmtdev "pci/$B" mac 02:00:00:00:0c:02 || return 1
	wait_for netdev_of "$A" && wait_for netdev_of "$B" || return 1
	NA=$(netdev_of "$A"); NB=$(netdev_of "$B")
	ip netns add a; ip netns add b
	ip link set "$NA" netns a; ip link set "$NB" netns b
	ip -n a addr add 10.99.0.1/24 dev "$NA"; ip -n a link set "$NA" up
	ip -n b addr add 10.99.0.2/24 dev "$NB"; ip -n b link set "$NB" up
}
teardown_net() {
	ip netns del a; ip netns del b
	vdpa dev del vdpa0; vdpa dev del vdpa1
}

setup_net
t_ok "two net devices on virtio_vdpa ($NA, $NB)" -- test -n "$NA" -a -n "$NB"
t_ok "ping through the relay" -- ip netns exec a ping -c 3 -i 0.2 -W 3 10.99.0.2
t_ok "ethtool -L combined 2" -- ip netns exec a ethtool -L "$NA" combined 2
t_ok "ping -f 2000 frames, none lost" -- sh -c \
	"ip netns exec a ping -f -c 2000 -W 2 10.99.0.2 | grep -q ' 0% packet loss'"
SHADOW_GBPS=$(iperf_gbps b a 10.99.0.2)
t_ok "iperf3 through the relay: $SHADOW_GBPS Gbit/s" -- \
	test -n "$SHADOW_GBPS" -a "$SHADOW_GBPS" != null
IRQS=$(shadow_irqs vdpa0)
t_ok "the relay's interrupt fired ($IRQS times)" -- test "${IRQS:-0}" -gt 100
teardown_net

t_ok "dev add blk0" -- vdpa dev add name blk0 mgmtdev "pci/$F"
wait_for blkdev_of "$F"
D=$(blkdev_of "$F")
t_ok "virtio_blk disk appeared (/dev/$D)" -- test -b "/dev/$D"
t_ok "mkfs.ext4 through the relay" -- mkfs.ext4 -q -F "/dev/$D"
mkdir -p /tmp/mnt
mount "/dev/$D" /tmp/mnt
head -c 64M /dev/urandom >/tmp/data
want=$(sha256sum </tmp/data)
t_ok "write 64 MiB" -- sh -c "cp /tmp/data /tmp/mnt/data && sync"
rm -f /tmp/data
umount /tmp/mnt
echo 3 >/proc/sys/vm/drop_caches
mount "/dev/$D" /tmp/mnt
t_eq "64 MiB read back intact" "$want" "$(sha256sum </tmp/mnt/data)"
t_ok "fsck clean" -- sh -c "umount /tmp/mnt && fsck.ext4 -n -f /dev/$D"
IRQS=$(shadow_irqs blk0)
t_ok "the relay's interrupt fired for blk ($IRQS times)" -- test "${IRQS:-0}" -gt 100
t_ok "dev del blk0" -- vdpa dev del blk0

# The same pair in direct mode, for the ratio.
echo 0 >/sys/module/dpu_vdpa/parameters/shadow
setup_net
t_ok "two net devices in direct mode ($NA, $NB)" -- test -n "$NA" -a -n "$NB"
wait_for ip netns exec a ping -c 1 -W 1 10.99.0.2
DIRECT_GBPS=$(iperf_gbps b a 10.99.0.2)
t_ok "iperf3 in direct mode: $DIRECT_GBPS Gbit/s" -- \
	test -n "$DIRECT_GBPS" -a "$DIRECT_GBPS" != null
t_eq "no relay interrupts in direct mode" "0" "$(shadow_irqs vdpa0)"
teardown_net
echo "# benchmark: iperf3 shadow ${SHADOW_GBPS} Gbit/s, direct ${DIRECT_GBPS} Gbit/s," \
	"ratio $(echo "$SHADOW_GBPS $DIRECT_GBPS" | awk '{ if ($2 > 0) printf "%.2f", $1 / $2 }')"
t_done
