#!/bin/bash
# Runs inside the nested VM of tests/vm/vhost-nested.sh, whose devices are
# vDPA devices of the outer VM through vhost_vdpa:
#   00:08  virtio-net-pci on -netdev vhost-vdpa (QEMU's own net backend,
#          control queue shadowed by QEMU), 2 queue pairs, peer 10.71.0.2
#   00:09  vhost-vdpa-device-pci on a net device, peer 10.72.0.2
#   00:0a  vhost-vdpa-device-pci on a blk device
# Prints "nested: ok - what" or "nested: not ok - what" per check, which
# the outer test turns into its own results; "nested: info ..." lines are
# facts for the outer test to check.
ok() { echo "nested: ok - $*"; }
nok() { echo "nested: not ok - $*"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else nok "$d"; fi; }

modprobe -a virtio_net virtio_blk 2>/dev/null
netdev() { basename "$(ls -d /sys/bus/pci/devices/$1/virtio*/net/* 2>/dev/null | head -n1)"; }
for i in $(seq 50); do [ -n "$(netdev 0000:00:08.0)" ] && [ -n "$(netdev 0000:00:09.0)" ] && break; sleep 0.2; done

# Interrupts of one virtqueue (MSI-X vector per queue): "virtioN-input.1".
vq_irqs() {	# vq_irqs NETDEV input|output QUEUE
	local v
	v=$(basename "$(readlink "/sys/class/net/$1/device")")
	awk -v q="$v-$2.$3" '$NF == q { n = 0; for (i = 2; i < NF; i++) if ($i ~ /^[0-9]+$/) n += $i; print n; f = 1 }
		END { if (!f) print "none" }' /proc/interrupts
}

# --- 1. -netdev vhost-vdpa + virtio-net-pci: control queue and multiqueue
n0=$(netdev 0000:00:08.0)
check "virtio-net on -netdev vhost-vdpa probed (${n0:-none})" test -n "$n0"
if [ -n "$n0" ]; then
	check "MAC from vdpa dev add (02:00:00:00:0c:01)" \
		test "$(cat /sys/class/net/$n0/address)" = 02:00:00:00:0c:01
	check "set MAC 02:00:00:00:0d:01 (VIRTIO_NET_CTRL_MAC_ADDR_SET)" \
		ip link set "$n0" address 02:00:00:00:0d:01
	check "2 queue pairs offered" \
		sh -c "ethtool -l $n0 | sed -n '/maximums/,/Current/p' | grep -q 'Combined:[[:space:]]*2$'"
	check "ethtool -L combined 2 (VIRTIO_NET_CTRL_MQ)" ethtool -L "$n0" combined 2
	check "2 queue pairs in use" \
		sh -c "ethtool -l $n0 | sed -n '/Current/,\$p' | grep -q 'Combined:[[:space:]]*2$'"
	ip link set "$n0" up
	ip addr add 10.71.0.1/24 dev "$n0"
	check "ping peer 10.71.0.2 with the new MAC" ping -c 3 -W 5 10.71.0.2
	# Spread flows over both pairs: no XPS (one vCPU would pin every flow to
	# pair 0), so each connection hashes to a queue of its own; the tap
	# behind the function answers a flow on the queue it came from.
	for x in /sys/class/net/$n0/queues/tx-*/xps_cpus; do echo 0 >"$x"; done
	tx1=$(vq_irqs "$n0" output 1) rx1=$(vq_irqs "$n0" input 1)
	# iperf3 is the traffic; what is asserted is that both pairs carried it
	# (its -J exits 0 even when it never connected: its figure is info)
	iperf3 -c 10.71.0.2 -P 16 -t 2 -J >/tmp/iperf.json 2>&1
	echo "nested: info iperf3 rc=$? $(grep -o -e '"bits_per_second":[[:space:]]*[0-9.e+]*' -e '"error":.*' /tmp/iperf.json | tail -n1)"
	tx1b=$(vq_irqs "$n0" output 1) rx1b=$(vq_irqs "$n0" input 1)
	echo "nested: info queue pair 1 interrupts: output $tx1 -> $tx1b, input $rx1 -> $rx1b"
	check "queue pair 1 carried traffic out (output.1 interrupts $tx1 -> $tx1b)" \
		test "$tx1" != none -a "$tx1b" != none -a "${tx1b:-0}" -gt "${tx1:-0}"
	check "queue pair 1 carried traffic in (input.1 interrupts $rx1 -> $rx1b)" \
		test "$rx1" != none -a "$rx1b" != none -a "${rx1b:-0}" -gt "${rx1:-0}"
fi

# --- 2. vhost-vdpa-device-pci: net
n1=$(netdev 0000:00:09.0)
check "virtio-net on vhost-vdpa-device-pci probed (${n1:-none})" test -n "$n1"
if [ -n "$n1" ]; then
	check "MAC from vdpa dev add (02:00:00:00:0c:02)" \
		test "$(cat /sys/class/net/$n1/address)" = 02:00:00:00:0c:02
	ip link set "$n1" up
	ip addr add 10.72.0.1/24 dev "$n1"
	check "ping peer 10.72.0.2" ping -c 3 -W 5 10.72.0.2
	check "ping peer 10.72.0.2 with 8000-byte packets (MTU 9000)" \
		sh -c "ip link set $n1 mtu 9000 && ping -c 2 -W 5 -M do -s 8000 10.72.0.2"
fi

# --- 3. vhost-vdpa-device-pci: blk
blk=$(basename "$(ls -d /sys/bus/pci/devices/0000:00:0a.0/virtio*/block/* 2>/dev/null | head -n1)")
check "virtio-blk on vhost-vdpa-device-pci probed (${blk:-none})" test -n "$blk"
if [ -n "$blk" ]; then
	check "capacity is the function's 1 GiB" test "$(cat /sys/block/$blk/size)" = 2097152
	head -c 8388608 /dev/urandom >/tmp/pattern
	sum=$(sha256sum </tmp/pattern)
	check "write an 8 MiB pattern at 64 MiB (O_DIRECT)" \
		dd if=/tmp/pattern of=/dev/$blk bs=1M seek=64 oflag=direct status=none
	check "read it back (O_DIRECT), same sha256" \
		test "$(dd if=/dev/$blk bs=1M skip=64 count=8 iflag=direct status=none | sha256sum)" = "$sum"
	check "the MiB before it is still zero" \
		test "$(dd if=/dev/$blk bs=1M skip=63 count=1 iflag=direct status=none | tr -d '\0' | wc -c)" = 0
fi

# --- the nested kernel must not have complained
SPLAT='WARNING:|BUG:|Oops|general protection fault|kernel BUG at|KASAN|UBSAN|'
SPLAT+='possible (circular|recursive) locking|inconsistent lock state|'
SPLAT+='suspicious RCU usage|INFO: task .* blocked|refcount_t:|list_(add|del) corruption|'
SPLAT+='sleeping function called from invalid context|virtio.*(error|failed)|NETDEV WATCHDOG'
if dmesg | grep -E "$SPLAT" >/tmp/splat; then
	sed 's/^/nested: dmesg: /' /tmp/splat | head -n 40
	nok "no kernel splat or virtio error in the nested guest's dmesg"
else
	ok "no kernel splat or virtio error in the nested guest's dmesg"
fi
exit 0
