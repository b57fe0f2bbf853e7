#!/bin/bash
# make bench, network figures (scripts/bench runs this in the test VM and
# turns its "# BENCH" lines into build/bench/results.*).
#
# Function A carries the traffic under each driver stack in turn; its
# cabled peer B stays on plain virtio_net throughout, in a namespace of its
# own.  The stacks, in a different order each round so that none always
# runs first or last:
#   plain       virtio-pci and virtio_net on A (no vDPA)
#   vp_vdpa     upstream's vp_vdpa (scripts/build-vp-vdpa; its PCI driver is
#               "vp-vdpa"), virtio_vdpa, one queue pair: it cannot offer MQ
#               on QEMU's virtio-net (stack_up), so its "4 streams" run
#               over one pair
#   direct      dpu_vdpa, the function runs the rings itself, virtio_vdpa
#   shadow      dpu_vdpa with shadow=1: the relay runs shadow rings
#   shadow_log  dpu_vdpa with the dirty log on (shadow by necessity)
# Each round measures on each stack: TCP, 1 stream, A to B and B to A;
# TCP, 4 streams over 4 queue pairs; UDP 64-byte frames A to B and B to A
# (frames/s the receiver got); ping RTT from A (p50, p99 over PINGS).
#
# Parameters come from build/bench/params (written by scripts/bench):
# ROUNDS, SECS (per iperf3 run), PINGS, STACKS.
# vm-options: --mem 3G --timeout 3600
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC2034 # ROUNDS and STACKS are read by bench_rounds (lib.sh)
ROUNDS=5 SECS=3 PINGS=200 STACKS="plain vp_vdpa direct shadow shadow_log"
[ -r "$PROJECT/build/bench/params" ] && . "$PROJECT/build/bench/params"
MGMT=$PROJECT/tools/vdpa-mgmt/vdpa-mgmt
VP_KO=$(ls "$PROJECT"/build/vp_vdpa/"$(uname -r)"/vp_vdpa.ko 2>/dev/null)
two_nets
IPA=10.77.0.1 IPB=10.77.0.2

t_ok "bind $B to virtio-pci (the peer)" -- bind_fn "$B" virtio-pci
wait_for netdev_of "$B" || t_bail "no netdev on $B"
NB=$(basename "$(netdev_of "$B")")
ip netns add bnb
ip link set "$NB" netns bnb
ip -n bnb addr add "$IPB/24" dev "$NB"
ip -n bnb link set "$NB" up
ip netns exec bnb ethtool -L "$NB" combined 4 >/dev/null 2>&1
if [[ " $STACKS " = *" vp_vdpa "* ]]; then
	[ -n "$VP_KO" ] || t_bail "no vp_vdpa.ko for $(uname -r) (scripts/build-vp-vdpa)"
	t_ok "vp_vdpa loads ($VP_KO)" -- insmod "$VP_KO"
fi

# stack_up STACK: A under STACK, its netdev in namespace bna, addressed,
# 4 queue pairs
stack_up() {
	local s=$1 na
	ip netns add bna
	case $s in
	plain)
		bind_fn "$A" virtio-pci || return 1 ;;
	vp_vdpa)
		# without MQ: vp_vdpa sizes the device by the function's
		# num_queues at probe, which QEMU's virtio-net reports as 3
		# until MQ is negotiated, so virtio_net asks for a vq it
		# does not have (ENOENT)
		bind_fn "$A" vp-vdpa &&
			"$MGMT" dev add name bench0 mgmtdev "pci/$A" device_features -MQ &&
			attach_vdpa bench0 virtio_vdpa || return 1 ;;
	direct|shadow|shadow_log)
		echo "$([ "$s" = shadow ] && echo Y || echo N)" >/sys/module/dpu_vdpa/parameters/shadow
		bind_fn "$A" dpu_vdpa && vdpa dev add name bench0 mgmtdev "pci/$A" max_vqp 4 &&
			attach_vdpa bench0 virtio_vdpa || return 1 ;;
	esac
	wait_for netdev_of "$A" || return 1
	na=$(basename "$(netdev_of "$A")")
	ip link set "$na" netns bna
	ip -n bna addr add "$IPA/24" dev "$na"
	ip -n bna link set "$na" up
	if [ "$s" != vp_vdpa ]; then
		ip netns exec bna ethtool -L "$na" combined 4 || return 1
	fi
	if [ "$s" = shadow_log ]; then
		"$MGMT" dev log start bench0 len 0x100000000 || return 1
	fi
	# the first frames also settle the neighbour entries
	ip netns exec bna ping -c 3 -i 0.2 -W 3 "$IPB" >/dev/null
}

stack_down() {
	[ -e /sys/bus/vdpa/devices/bench0 ] && vdpa dev del bench0
	ip netns del bna
	echo N >/sys/module/dpu_vdpa/parameters/shadow
	wait_for sh -c "! ip netns list | grep -qw bna"
}

# tcp FLAGS...: receiver's Gbit/s of one iperf3 TCP run from bna
tcp() {
	pkill -x iperf3; sleep 0.2
	ip netns exec bnb iperf3 -s -1 -D -p 5201 >/dev/null 2>&1
	sleep 0.5
	ip netns exec bna iperf3 -c "$IPB" -p 5201 -t "$SECS" -J "$@" 2>/dev/null |
		jq -e '.end.sum_received.bits_per_second / 1e9'
}

# udp64 FLAGS...: 64-byte UDP frames per second that the receiver got
udp64() {
	pkill -x iperf3; sleep 0.2
	ip netns exec bnb iperf3 -s -1 -D -p 5202 >/dev/null 2>&1
	sleep 0.5
	ip netns exec bna iperf3 -u -c "$IPB" -p 5202 -l 64 -b 0 -t "$SECS" -J "$@" 2>/dev/null |
		jq -e '(.end.sum.packets - .end.sum.lost_packets) / .end.sum.seconds | floor'
}

# rtt: "P50 P99" in ms of PINGS pings from A, 10 ms apart
rtt() {
	ip netns exec bna ping -c "$PINGS" -i 0.01 -W 1 "$IPB" |
		sed -n 's/.* time=\([0-9.]*\) ms/\1/p' | sort -n |
		awk '{ v[NR] = $1 } END { if (NR < 10) exit 1;
			printf "%s %s\n", v[int(NR * 0.5 + 0.5)], v[int(NR * 0.99 + 0.5)] }'
}

measure_stack() {
	local r=$1 s=$2 v
	measure "$r" "$s" tcp1_tx_gbps tcp
	measure "$r" "$s" tcp1_rx_gbps tcp -R
	measure "$r" "$s" tcp4_tx_gbps tcp -P 4
	measure "$r" "$s" udp64_tx_pps udp64
	measure "$r" "$s" udp64_rx_pps udp64 -R
	v=$(rtt)
	measure "$r" "$s" rtt_p50_ms echo "${v% *}"
	measure "$r" "$s" rtt_p99_ms echo "${v#* }"
}

bench_rounds "A"
t_done
