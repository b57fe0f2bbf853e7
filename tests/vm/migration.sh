#!/bin/bash
# The dpu_vdpa netlink family on net devices held by virtio_vdpa (the
# host's own virtio_net): device query, suspend and resume under traffic,
# dirty logging with a live switch direct -> shadow -> direct under an
# iperf3 TCP stream, and the errors a caller gets for bad requests; a blk
# device suspended and resumed in the middle of direct writes.  A
# suspended net device still answers virtio_net's control commands, and
# is deleted while one is in flight.
# Driven with tests/dpu-genl.py, which speaks the family with raw sockets.
. "$(dirname "$0")/../lib.sh"
two_nets_one_blk
S="python3 $PWD/tests/state-blob.py"

# field NAME KEY: KEY from the device query of NAME
field() { $G get "$1" | sed -n "s/^$2=//p"; }
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"; }

setup_net() {
	vdpa dev add name vdpa0 mgmtdev "pci/$A" mac 02:00:00:00:0d:01 max_vqp 1 &&
	vdpa dev add name vdpa1 mgmtdev "pci/$B" mac 02:00:00:00:0d:02 max_vqp 1 || return 1
	wait_for netdev_of "$A" && wait_for netdev_of "$B" || return 1
	NA=$(netdev_of "$A"); NB=$(netdev_of "$B")
	ip netns add a; ip netns add b
	ip link set "$NA" netns a; ip link set "$NB" netns b
	ip -n a addr add 10.99.0.1/24 dev "$NA"; ip -n a link set "$NA" up
	ip -n b addr add 10.99.0.2/24 dev "$NB"; ip -n b link set "$NB" up
	wait_for ip netns exec a ping -c 1 -W 1 10.99.0.2
}
teardown_net() {
	ip netns del a; ip netns del b
	vdpa dev del vdpa0; vdpa dev del vdpa1
}

t_ok "bind $A to dpu_vdpa" -- bind_fn "$A"
t_ok "bind $B to dpu_vdpa" -- bind_fn "$B"
setup_net
t_ok "two net devices on virtio_vdpa, ping" -- ip netns exec a ping -c 2 -i 0.2 -W 2 10.99.0.2

# --- query
t_eq "DEV_GET: bus driver" "virtio_vdpa" "$(field vdpa0 bus_driver)"
t_eq "DEV_GET: management device" "pci/$A" "$(field vdpa0 mgmtdev_name)"
t_eq "DEV_GET: direct mode" "direct" "$(field vdpa0 mode)"
t_eq "DEV_GET: no queue shadowed" "0" "$(field vdpa0 shadow_vqs)"
t_eq "DEV_GET dump lists both devices" "vdpa0 vdpa1" \
	"$($G get | sed -n 's/^dev_name=//p' | sort | xargs)"
t_eq "DEV_GET needs no privilege" "direct" "$(nobody $G get vdpa0 | sed -n 's/^mode=//p')"
t_err "unknown device: ENODEV, named" 'ENODEV: .*no dpu_vdpa device named "nosuch"' -- $G get nosuch
t_err "no device name: EINVAL" "EINVAL: dpu_vdpa: device name" -- $G raw 2
t_err "unknown attribute refused (strict policy)" "EINVAL" -- $G raw 2 2:str:vdpa0 99:u32:1
t_err "unprivileged suspend: EPERM" "EPERM" -- nobody $G suspend vdpa0
t_err "unprivileged log sync: EPERM" "EPERM" -- nobody $G log-sync vdpa0 0
t_err "resume when not suspended: EINVAL" "EINVAL: dpu_vdpa: device is not suspended" -- \
	$G resume vdpa0
t_err "log sync without start: ENOENT" "ENOENT: dpu_vdpa: dirty logging is not started" -- \
	$G log-sync vdpa0 0
t_err "log stop without start: ENOENT" "ENOENT" -- $G log-stop vdpa0
t_err "log page size 3000: EINVAL" "EINVAL: dpu_vdpa: page size" -- \
	$G log-start vdpa0 0 0x100000 3000
t_err "log of an empty range: EINVAL" "EINVAL" -- $G log-start vdpa0 0 0
t_eq "nothing changed by refused requests" "direct 0 0" \
	"$(field vdpa0 mode) $(field vdpa0 suspended) $(field vdpa0 logging)"

# --- suspend and resume; then a quick cycle under a ping flood
t_ok "suspend vdpa0" -- $G suspend vdpa0
t_eq "suspended, still in direct mode" "1 direct" "$(field vdpa0 suspended) $(field vdpa0 mode)"
t_err "second suspend: EALREADY" "EALREADY" -- $G suspend vdpa0
t_err "log sync of a suspended device without log: ENOENT" "ENOENT" -- $G log-sync vdpa0 0
t_ok "resume vdpa0" -- $G resume vdpa0
t_eq "resumed in shadow mode, both data queues" "0 shadow 2" \
	"$(field vdpa0 suspended) $(field vdpa0 mode) $(field vdpa0 shadow_vqs)"
ip netns exec a ping -f -c 3000 -W 2 10.99.0.2 >/tmp/flood.txt 2>&1 &
FLOOD=$!
sleep 1
t_ok "suspend + resume under ping -f" -- sh -c "$G suspend vdpa0 && sleep 0.2 && $G resume vdpa0"
wait "$FLOOD"
sed 's/^/# /' /tmp/flood.txt | tail -2
t_ok "ping -f: all 3000 answered across suspend and resume" -- \
	grep -q '3000 received, 0% packet loss' /tmp/flood.txt
t_ok "ping after resume" -- ip netns exec a ping -c 3 -i 0.2 -W 2 10.99.0.2
t_eq "two suspends counted" "2" "$(field vdpa0 suspends)"

# --- a suspended kernel consumer's control queue still answers: virtio_net
# waits for each command holding RTNL, and unbinding it waits for that
t_ok "suspend vdpa0 again" -- $G suspend vdpa0
t_ok "suspended: a MAC change through the control queue returns" -- \
	timeout 20 ip -n a link set "$NA" address 02:00:00:00:0d:11
t_ok "suspended: the new MAC is in the saved state" -- \
	sh -c "$G state-save vdpa0 /tmp/susp.bin && $S show /tmp/susp.bin | grep -q 'net_mac=02:00:00:00:0d:11'"
t_ok "suspended: the MAC set back" -- timeout 20 ip -n a link set "$NA" address 02:00:00:00:0d:01
# promiscuous mode is set from virtio_net's work, which its removal flushes
ip -n a link set "$NA" promisc on
t_ok "dev del of the suspended device returns" -- timeout 30 vdpa dev del vdpa0
teardown_net 2>/dev/null

# --- dirty logging under iperf3: direct -> shadow -> direct (TX) with no TCP drop
setup_net
ip netns exec b iperf3 -s -1 -D -p 5201 >/dev/null 2>&1
ip netns exec b iperf3 -s -1 -D -p 5202 >/dev/null 2>&1
sleep 0.5
ip netns exec a iperf3 -c 10.99.0.2 -p 5201 -t 16 -J >/tmp/tcp.json 2>&1 &
TCP=$!
sleep 2
t_eq "direct mode before logging" "direct" "$(field vdpa0 mode)"
# virtio_vdpa's DMA addresses are IOVAs of the platform IOMMU, below 4 GiB
t_ok "log start over [0, 4 GiB) under iperf3" -- $G log-start vdpa0 0 0x100000000
t_eq "logging, every data queue shadowed" "1 shadow 2" \
	"$(field vdpa0 logging) $(field vdpa0 mode) $(field vdpa0 shadow_vqs)"
t_err "second log start: EBUSY" "EBUSY" -- $G log-start vdpa0 0 0x1000
t_err "log sync outside the range: ERANGE" "ERANGE" -- $G log-sync vdpa0 0x100000000
t_err "log sync of more than 2^18 pages: EINVAL" "EINVAL" -- $G log-sync vdpa0 0 0x80000000
sleep 2
DIRTY=0
for chunk in 0 0x40000000 0x80000000 0xc0000000; do
	n=$($G log-sync vdpa0 $chunk | sed -n 's/^dirty=\([0-9]*\).*/\1/p')
	DIRTY=$((DIRTY + ${n:-0}))
done
t_ok "log sync: pages the function wrote are dirty ($DIRTY)" -- test "$DIRTY" -gt 0
t_ok "log stop" -- $G log-stop vdpa0
# small UDP datagrams move vdpa0's TX ring to its next index wrap quickly
ip netns exec a iperf3 -u -c 10.99.0.2 -p 5202 -l 64 -b 0 -t 6 >/dev/null 2>&1
for i in $(seq 1 60); do [ "$(field vdpa0 shadow_vqs)" = 1 ] && break; sleep 0.5; done
t_eq "TX back in direct mode at its wrap; RX stays shadowed" "1" "$(field vdpa0 shadow_vqs)"
wait "$TCP"
TCP_RC=$?
t_eq "iperf3 TCP stream ran through both switches" "0" "$TCP_RC"
t_ok "iperf3 moved data: $(jq -r '.end.sum_received.bits_per_second / 1e6 | floor' /tmp/tcp.json) Mbit/s" -- \
	test "$(jq -r '.end.sum_received.bytes' /tmp/tcp.json)" -gt 0
t_eq "no ring errors" "0" "$(field vdpa0 ring_errors)"
teardown_net

# --- blk: suspend and resume in the middle of direct writes, data intact
t_ok "bind $F to dpu_vdpa" -- bind_fn "$F"
t_ok "dev add blk0" -- vdpa dev add name blk0 mgmtdev "pci/$F"
wait_for blkdev_of "$F"
D=/dev/$(blkdev_of "$F")
head -c 48M /dev/urandom >/tmp/blkdata
want=$(sha256sum </tmp/blkdata)
dd if=/tmp/blkdata of="$D" bs=64k oflag=direct status=none &
DD=$!
sleep 1
t_ok "suspend blk0 during writes" -- $G suspend blk0
t_eq "blk requests drained: none handed back" "0" "$(field blk0 rewound)"
sleep 0.3
t_ok "resume blk0" -- $G resume blk0
t_ok "suspend and resume again" -- sh -c "$G suspend blk0 && sleep 0.2 && $G resume blk0"
wait "$DD"
t_eq "dd finished" "0" "$?"
t_eq "48 MiB read back intact" "$want" "$(dd if="$D" bs=1M count=48 iflag=direct status=none | sha256sum)"
t_eq "two suspends, shadow mode" "2 shadow" "$(field blk0 suspends) $(field blk0 mode)"
t_ok "dev del blk0" -- vdpa dev del blk0
t_done
