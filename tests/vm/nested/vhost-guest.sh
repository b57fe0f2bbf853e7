#!/bin/bash
# Runs inside the nested VM of tests/vm/vhost-nested.sh.  Prints
# "nested: ok - what" or "nested: not ok - what" per check.
ok() { echo "nested: ok - $*"; }
nok() { echo "nested: not ok - $*"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else nok "$d"; fi; }

modprobe -a virtio_net virtio_blk 2>/dev/null
netdev() { basename "$(ls -d /sys/bus/pci/devices/$1/virtio*/net/* 2>/dev/null | head -n1)"; }
for i in $(seq 50); do [ -n "$(netdev 0000:00:08.0)" ] && [ -n "$(netdev 0000:00:09.0)" ] && break; sleep 0.2; done

# 1. -netdev vhost-vdpa + virtio-net-pci: control queue
n0=$(netdev 0000:00:08.0)
check "virtio-net on -netdev vhost-vdpa probed ($n0)" test -n "$n0"
check "MAC from vdpa dev add" test "$(cat /sys/class/net/$n0/address)" = 02:00:00:00:0c:01
check "set MAC 02:00:00:00:0d:01 (control queue)" ip link set "$n0" address 02:00:00:00:0d:01
check "2 queue pairs offered" sh -c "ethtool -l $n0 | grep -A4 'maximums' | grep -q 'Combined:.*2'"
check "ethtool -L combined 2 (control queue)" ethtool -L "$n0" combined 2
ip link set "$n0" up
ip addr add 10.71.0.1/24 dev "$n0"
check "ping peer 10.71.0.2 with the new MAC" ping -c 3 -W 5 10.71.0.2
check "peer saw the new MAC" sh -c "ip neigh show 10.71.0.2 | grep -q ." 

# 2. vhost-vdpa-device-pci: net
n1=$(netdev 0000:00:09.0)
check "virtio-net on vhost-vdpa-device-pci probed ($n1)" test -n "$n1"
ip link set "$n1" up
ip addr add 10.72.0.1/24 dev "$n1"
check "ping peer 10.72.0.2" ping -c 3 -W 5 10.72.0.2

# 3. vhost-vdpa-device-pci: blk
blk=$(basename "$(ls -d /sys/bus/pci/devices/0000:00:0a.0/virtio*/block/* 2>/dev/null | head -n1)")
check "virtio-blk on vhost-vdpa-device-pci probed ($blk)" test -n "$blk"
if [ -n "$blk" ]; then
	head -c 8M /dev/urandom >/tmp/pattern
	sum=$(sha256sum </tmp/pattern)
	check "write 8 MiB pattern" dd if=/tmp/pattern of=/dev/$blk bs=1M oflag=direct status=none
	echo 3 >/proc/sys/vm/drop_caches
	check "read back equal" test "$(head -c 8M /dev/$blk | sha256sum)" = "$sum"
fi
exit 0
