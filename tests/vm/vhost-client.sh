#!/bin/bash
# vDPA devices on vhost_vdpa, driven from userspace by tests/vhost-client
# the way a VMM does (IOTLB messages, split rings, status byte): device
# info; numbered frames from the client to the peer function's plain
# virtio_net netdev and back, every one accounted for; a windowed stream
# both ways; suspend/resume cycles when the device offers them; a blk
# function written and read back; frames/s against plain virtio_net on
# the same function.
. "$(dirname "$0")/../lib.sh"
VC=$PWD/tests/vhost-client/vhost-client
set -- $VM_NETS
A=$1 B=$2
set -- $VM_BLKS
F=$1
[ -n "$B" ] || t_bail "needs two net functions"
[ -x "$VC" ] || t_bail "$VC not built (make all)"
load_modules || t_bail "modprobe"

# field FILE PREFIX KEY: KEY's value on FILE's line that starts with PREFIX.
field() { sed -n "s|^$2.* $3=\([^ ]*\).*|\1|p" "$1" | head -n1; }

# --- net: function A as a vDPA device on vhost_vdpa, B on plain virtio_net
t_ok "bind $A to dpu_vdpa" -- bind_fn "$A"
# No "mac" here: with a MAC the driver programs it through the function's
# control queue at DRIVER_OK, which vhost_vdpa's IOMMU domain breaks (the
# last tests below check that case).
t_ok "dev add vd0" -- vdpa dev add name vd0 mgmtdev "pci/$A"
DEV=$(vhost_dev vd0)
t_ok "vd0 bound to vhost_vdpa ($DEV)" -- test -c "$DEV"
[ -c "$DEV" ] || t_bail "no vhost-vdpa device node"

$VC info -j "$DEV" >/tmp/info.json 2>&1
t_ok "info -j is valid JSON" -- jq -e .ok /tmp/info.json
echo "# info: $($VC info "$DEV" 2>&1 | grep -E '^(features|backend_offered|vqs|vring_num|iova_range|net_)' | tr -s ' ' | paste -sd';')"
t_eq "info: device id 1 (net)" "1" "$(jq -r .device_id /tmp/info.json)"
t_eq "info: backend offers IOTLB_MSG_V2 and IOTLB_BATCH" "true" \
	"$(jq -r '.backend_offered_names | index("IOTLB_MSG_V2") != null and index("IOTLB_BATCH") != null' /tmp/info.json)"
t_eq "info: vqs = 2 * max_vqp + 1" "$(($(jq -r .net_max_vqp /tmp/info.json) * 2 + 1))" \
	"$(jq -r .vqs /tmp/info.json)"
t_eq "info: mac as vdpa dev config show" "$(vdpa -j dev config show vd0 | jq -r .config.vd0.mac)" \
	"$(jq -r .net_mac /tmp/info.json)"
t_eq "info: mtu as vdpa dev config show" "$(vdpa -j dev config show vd0 | jq -r .config.vd0.mtu)" \
	"$(jq -r .net_mtu /tmp/info.json)"
# net: data queues in group 0, the software control queue in group 1,
# each group with an address space of its own to choose
t_eq "info: net has 2 vq groups and 2 address spaces" "2 2" \
	"$(jq -r '"\(.groups) \(.address_spaces)"' /tmp/info.json)"
t_eq "info: data vqs in group 0, control vq (the last) in group 1" \
	"$(printf '0 %.0s' $(seq $(($(jq -r .vqs /tmp/info.json) - 1))))1" \
	"$(jq -r '[.vq_list[].group] | map(tostring) | join(" ")' /tmp/info.json)"
MA=$(jq -r .net_mac /tmp/info.json)

t_ok "bind $B to virtio-pci" -- bind_fn "$B" virtio-pci
wait_for netdev_of "$B"
NB=$(basename "$(netdev_of "$B")")
ip link set "$NB" up
MB=$(cat "/sys/class/net/$NB/address")

# Paced: unpaced bursts overrun the peer (plain virtio_net under TCG takes
# some 30-60k frames/s and drops the rest), which would not be our loss.
# The debug kernel's virtio_net lost 364 of 2000 at 10k frames/s (it took ~4k/s).
R="--rate 10000"
debug_kernel && R="--rate 2000"
t_ok "net-tx: 2000 frames from the client all reach $NB" -- \
	pair tx $VC pkt-recv "$NB" --count 2000 -- $VC net-tx "$DEV" --count 2000 --dst-mac "$MB" $R
t_ok "net-tx: 300 full-size (1514-byte) frames all reach $NB" -- \
	pair txbig $VC pkt-recv "$NB" --count 300 --stream 2 -- \
	$VC net-tx "$DEV" --count 300 --size 1514 --stream 2 --dst-mac "$MB" $R
t_ok "net-rx: 2000 frames from $NB all reach the client" -- \
	pair rx $VC net-rx "$DEV" --count 2000 -- $VC pkt-send "$NB" --count 2000 --dst-mac "$MA" $R
t_ok "net-rx with MRG_RXBUF: 500 frames, one buffer each" -- \
	pair rxmrg $VC net-rx "$DEV" --count 500 --mrg-rxbuf --stream 3 -- \
	$VC pkt-send "$NB" --count 500 --stream 3 --dst-mac "$MA" $R
t_ok "net-tx with the data group on address space 1 (SET_GROUP_ASID 0:1)" -- \
	pair asid $VC pkt-recv "$NB" --count 500 --stream 7 -- \
	$VC net-tx "$DEV" --count 500 --group-asid 0:1 --stream 7 --dst-mac "$MB" $R
t_ok "net-tx kicking through the mmapped doorbell" -- \
	pair db $VC pkt-recv "$NB" --count 500 --stream 4 -- \
	$VC net-tx "$DEV" --count 500 --doorbell-mmap --stream 4 --dst-mac "$MB" $R
t_ok "net-stream: 2000 frames reflected by $NB, none lost or duplicated" -- \
	pair stream $VC pkt-reflect "$NB" --count 2000 -- $VC net-stream "$DEV" --count 2000 --dst-mac "$MB"

# Suspend cycles: exit 77 means the device does not offer SUSPEND/RESUME.
suspend_cycle() {	# suspend_cycle DESCRIPTION OPTIONS...
	local desc=$1 rc=0 pid
	shift
	$VC pkt-reflect "$NB" --count 2000 --timeout 20 >/tmp/susp.recv 2>&1 &
	pid=$!
	wait_for grep -q ready /tmp/susp.recv
	$VC net-stream "$DEV" --count 2000 --suspend-every 200 --dst-mac "$MB" "$@" \
		>/tmp/susp.out 2>&1 || rc=$?
	kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
	if [ "$rc" = 77 ] && grep -q "suspend not offered by the device" /tmp/susp.out; then
		t_skip "$desc" "suspend not offered by the device"
		return
	fi
	sed 's/^/# /' /tmp/susp.out
	t_result "$rc" "$desc"
}
suspend_cycle "net-stream: suspend / GET_VRING_BASE / resume every 200 of 2000 frames, all accounted for"
suspend_cycle "net-stream: suspend / GET_VRING_BASE / reset / SET_VRING_BASE / DRIVER_OK every 200 frames" --reset

t_err "a missing device fails with exit 1 and names the call" "open /dev/vhost-vdpa-99" -- \
	$VC info /dev/vhost-vdpa-99
t_err "net-rx with nobody sending: loss reported, exit 3, no hang" "lost=5 " -- \
	$VC net-rx "$DEV" --count 5 --timeout 1
if command -v valgrind >/dev/null; then
	t_ok "valgrind: info and net-tx clean" -- sh -c "
		valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
			$VC info $DEV >/dev/null &&
		valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
			$VC net-tx $DEV --count 200 --stream 9 --dst-mac $MB"
fi

# Frames/s: the client on vhost-vdpa, then plain virtio_net on the same
# function sending through AF_PACKET; $NB counts what arrives either way.
N=20000
# bench_tx NAME: N frames from the client to $NB; the sender's frames/s in
# BENCH_FPS, what the peer received in BENCH_RX (empty if not reported)
bench_tx() {
	pair "$1" $VC pkt-recv "$NB" --count $N --stream 5 --allow-loss --timeout 3 -- \
		$VC net-tx "$DEV" --count $N --stream 5 --dst-mac "$MB" --bench >"/tmp/$1.log" 2>&1
	BENCH_FPS=$(field "/tmp/$1.send" "net-tx:" "frames/s")
	BENCH_RX=$(field "/tmp/$1.recv" "pkt-recv:" "received")
}
bench_tx benchv
VHOST_FPS=$BENCH_FPS VHOST_RX=$BENCH_RX
t_ok "benchmark: vhost-vdpa net-tx $VHOST_FPS frames/s ($VHOST_RX of $N at the peer)" -- \
	test -n "$VHOST_FPS"
# The same with dirty logging on: the queues start on the shadow relay,
# which also marks the pages the device writes.
V=$PWD/tools/vdpa-mgmt/vdpa-mgmt
t_ok "log start on vd0 over 1 GiB (its queues go through the shadow relay)" -- \
	"$V" dev log start vd0 len 1G
bench_tx benchs
SHADOW_FPS=$BENCH_FPS SHADOW_RX=$BENCH_RX
t_ok "benchmark: shadow-mode net-tx $SHADOW_FPS frames/s ($SHADOW_RX of $N at the peer)" -- \
	test -n "$SHADOW_FPS"
# the relay wrote the TX used ring: at least that page is dirty
t_ok "log sync after the shadow run: dirty pages reported" -- \
	sh -c "'$V' -j dev log sync vd0 | jq -e '.log.vd0.dirty > 0'"
t_ok "log stop on vd0" -- "$V" dev log stop vd0
# A doorbell once handed out for an mmap stays handed out (vhost-vdpa
# maps whatever the fault asks for), and vd0's was, by the doorbell test
# above.  With the log on, the queues start on the relay, the consumer
# kicks the function through the doorbell, not the relay: the driver polls
# such queues while they are shadowed.
db_logged() {
	local rc=0
	"$V" dev log start vd0 len 1G || return 1
	pair dbs $VC pkt-recv "$NB" --count 500 --stream 10 -- \
		$VC net-tx "$DEV" --count 500 --doorbell-mmap --stream 10 --dst-mac "$MB" $R || rc=$?
	"$V" dev log stop vd0 || rc=1
	return "$rc"
}
t_ok "log on, doorbell mapped: net-tx kicking through it gets all 500 frames out via the relay" -- \
	db_logged
echo "# benchmark: 64-byte frames/s sent by the vhost client on $A: direct $VHOST_FPS," \
	"shadow (dirty log on) $SHADOW_FPS, ratio" \
	"$(echo "$SHADOW_FPS $VHOST_FPS" | awk '{ if ($2 > 0) printf "%.2f", $1 / $2 }')"
t_ok "dev del vd0" -- vdpa dev del vd0
t_ok "rebind $A to virtio-pci" -- bind_fn "$A" virtio-pci
wait_for netdev_of "$A"
NA=$(basename "$(netdev_of "$A")")
ip link set "$NA" up
pair benchp $VC pkt-recv "$NB" --count $N --stream 5 --allow-loss --timeout 3 -- \
	$VC pkt-send "$NA" --count $N --stream 5 --dst-mac "$MB" --bench >/tmp/benchp.log 2>&1
PLAIN_FPS=$(field /tmp/benchp.send "pkt-send:" "frames/s")
PLAIN_RX=$(field /tmp/benchp.recv "pkt-recv:" "received")
t_ok "benchmark: plain virtio_net AF_PACKET send $PLAIN_FPS frames/s ($PLAIN_RX of $N at the peer)" -- \
	test -n "$PLAIN_FPS"
echo "# benchmark: 64-byte frames/s sent on $A: vhost-vdpa client $VHOST_FPS" \
	"($VHOST_RX/$N delivered), plain virtio_net AF_PACKET $PLAIN_FPS ($PLAIN_RX/$N delivered)," \
	"ratio $(echo "$VHOST_FPS $PLAIN_FPS" | awk '{ if ($2 > 0) printf "%.2f", $1 / $2 }')"

# --- blk: function F on vhost_vdpa
if [ -n "$F" ]; then
	t_ok "bind $F to dpu_vdpa" -- bind_fn "$F"
	t_ok "dev add blk0" -- vdpa dev add name blk0 mgmtdev "pci/$F"
	BDEV=$(vhost_dev blk0)
	t_ok "blk0 bound to vhost_vdpa ($BDEV)" -- test -c "$BDEV"
	$VC info -j "$BDEV" >/tmp/binfo.json 2>&1
	t_eq "info: blk capacity is the function's 1 GiB" "2097152" \
		"$(jq -r .blk_capacity /tmp/binfo.json)"
	t_eq "info: blk has 1 vq group and 1 address space" "1 1" \
		"$(jq -r '"\(.groups) \(.address_spaces)"' /tmp/binfo.json)"
	t_ok "blk-write 4096 sectors at 1000, seed 7" -- \
		$VC blk-write "$BDEV" --sector 1000 --count 4096 --seed 7
	t_ok "blk-read them back in another process, pattern intact" -- \
		$VC blk-read "$BDEV" --sector 1000 --count 4096 --seed 7 --req-sectors 8
	t_err "blk-read with another seed finds every sector different" "mismatched=4096" -- \
		$VC blk-read "$BDEV" --sector 1000 --count 4096 --seed 8
	t_ok "blk-read: sectors never written are zero" -- \
		$VC blk-read "$BDEV" --sector 100000 --count 256 --expect-zero
	t_ok "blk-flush" -- $VC blk-flush "$BDEV"
	t_err "a read past the end gets IOERR from the device (exit 3)" "status 1 \(IOERR\)" -- \
		$VC blk-read "$BDEV" --sector 2097150 --count 8 --force
	t_ok "dev del blk0" -- vdpa dev del blk0
fi

# --- the set-up of a VMM: a MAC given to dev add, which the driver programs
# through the function's control queue (its own ring, at a private IOVA of
# the driver's IOMMU domain) at DRIVER_OK.
t_ok "rebind $A to dpu_vdpa" -- bind_fn "$A"
t_ok "dev add vd1 with mac 02:00:00:00:00:0a" -- \
	vdpa dev add name vd1 mgmtdev "pci/$A" mac 02:00:00:00:00:0a
DEV=$(vhost_dev vd1)
t_eq "info: mac is the one given to dev add" "02:00:00:00:00:0a" \
	"$($VC info -j "$DEV" | jq -r .net_mac)"
t_ok "vhost-vdpa device with a dev-add MAC starts and sends to $NB" -- \
	pair mac $VC pkt-recv "$NB" --count 200 --stream 6 --timeout 5 -- \
	$VC net-tx "$DEV" --count 200 --stream 6 --dst-mac "$MB" --timeout 5 $R
t_ok "and receives 200 frames sent to 02:00:00:00:00:0a" -- \
	pair macrx $VC net-rx "$DEV" --count 200 --stream 8 --timeout 5 -- \
	$VC pkt-send "$NB" --count 200 --stream 8 --dst-mac 02:00:00:00:00:0a $R
t_ok "dev del vd1" -- vdpa dev del vd1
t_done
