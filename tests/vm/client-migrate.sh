#!/bin/bash
# A consumer moving from one dpu_vdpa net device to another the way a VMM
# migrates: tests/vhost-client net-migrate runs a numbered frame stream on
# vd0 (function A, reflected back by the peer on A's bridge) under
# iterative pre-copy of its memory from the dirty log, stops the source,
# suspends vd0, saves its state, loads it into vd1 (function C, another
# bridge with its own reflecting peer), and finishes the stream on vd1
# from the copied memory.  No frame lost or duplicated, no TX sent twice,
# vd1's saved net state equal to vd0's; downtime printed.  Then the cost
# of a log sync per GiB.
# Without a control queue (one pair; vd1 provisioned with vd0's MAC), and
# with it (--pairs 1, 2, 4: MAC, RX mode, VLAN and MQ set on vd0 are
# replayed on vd1).  blk: writes moved from vb0 to vb1 mid-stream.
# vm-options: --nets 4 --blks 2
. "$(dirname "$0")/../lib.sh"
VC=$PWD/tests/vhost-client/vhost-client
V=$PROJECT/tools/vdpa-mgmt/vdpa-mgmt
set -- $VM_NETS
A=$1 PA=$2 C=$3 PC=$4
[ -n "$PC" ] || t_bail "needs four net functions"
[ -x "$VC" ] && [ -x "$V" ] || t_bail "not built (make all)"
load_modules || t_bail "modprobe"

peer() {	# peer BDF: the function on virtio-pci, up; prints its netdev
	bind_fn "$1" virtio-pci || return 1
	wait_for netdev_of "$1" || return 1
	local nd
	nd=$(basename "$(netdev_of "$1")")
	ip link set "$nd" up && echo "$nd"
}

t_ok "bind $A and $C to dpu_vdpa" -- sh -c "'$V' pci bind $A && '$V' pci bind $C"
t_ok "dev add vd0 on $A, vd1 on $C" -- sh -c \
	"vdpa dev add name vd0 mgmtdev pci/$A && vdpa dev add name vd1 mgmtdev pci/$C"
DA=$(vhost_dev vd0)
DB=$(vhost_dev vd1)
[ -c "$DA" ] && [ -c "$DB" ] || t_bail "no vhost-vdpa nodes"
NPA=$(peer "$PA")
NPC=$(peer "$PC")
[ -n "$NPA" ] && [ -n "$NPC" ] || t_bail "peers"

reflectors() {	# reflectors STREAM
	$VC pkt-reflect "$NPA" --timeout 120 --stream "$1" >/tmp/ra.out 2>&1 &
	RA=$!
	$VC pkt-reflect "$NPC" --timeout 120 --stream "$1" >/tmp/rc.out 2>&1 &
	RC=$!
	wait_for grep -q ready /tmp/ra.out && wait_for grep -q ready /tmp/rc.out
}
stop_reflectors() { kill "$RA" "$RC" 2>/dev/null; wait "$RA" "$RC" 2>/dev/null; }

# migrate DESC EXPECTED_RC STREAM OPTIONS...
migrate() {
	local desc=$1 want=$2 stream=$3 rc=0
	shift 3
	reflectors "$stream"
	$VC net-migrate "$DA" "$DB" --name-a vd0 --name-b vd1 --stream "$stream" "$@" \
		>/tmp/mig.out 2>&1 || rc=$?
	stop_reflectors
	sed 's/^/# /' /tmp/mig.out
	[ "$rc" = "$want" ]
	t_result $? "$desc (exit $rc)"
}

# vd1 has its function's own MAC, not vd0's: the client has no control
# queue to set one, so the state compare must find the difference when
# nothing was loaded, and the load must be refused (before the switch)
migrate "negative control --no-load: vd1 never got vd0's state, the compare finds it" 3 0x4444 \
	--count 1000 --rounds 1 --no-load
t_ok "... reported as a MAC difference" -- grep -q 'state mac: A .*, B ' /tmp/mig.out
migrate "load of vd0's state into vd1 with another MAC: refused at load, not at DRIVER_OK" 1 0x4445 \
	--count 1000 --rounds 1
t_ok "... with the reason" -- grep -q 'state load into vd1: .*saved MAC .*, here .*, no CTRL_VQ' /tmp/mig.out
t_eq "... vd1 not started" "false" \
	"$("$V" -j dev status vd1 | jq -r '.dev.vd1.status | tostring | contains("DRIVER_OK")')"

# as a VMM provisions a destination: vd1 with vd0's MAC
MA=$(vdpa -j dev config show vd0 | jq -r .config.vd0.mac)
t_ok "vd1 again, with vd0's MAC $MA" -- sh -c "vdpa dev del vd1 && vdpa dev add name vd1 mgmtdev pci/$C mac $MA"
DB=$(vhost_dev vd1)
[ -c "$DB" ] || t_bail "no vhost-vdpa node for vd1"
migrate "negative control --tx-rewind 1: vd1 sends vd0's last TX frame again, exit 3" 3 0x3333 \
	--count 1000 --rounds 1 --tx-rewind 1
t_ok "... found as a duplicate" -- grep -qE 'net-migrate: expected=.* dup=[1-9]' /tmp/mig.out

migrate "net-migrate vd0 -> vd1, 1 pair: 4000 frames, none lost or duplicated" 0 0x1111 \
	--count 4000 --rounds 4 --round-ms 200
t_ok "... A's suspend handed RX back and B used none of it twice: no gap, bases agree" -- \
	grep -q 'gaps=0 base_mismatch=0' /tmp/mig.out
t_ok "... B's state (features, MAC, MTU, RX mode, VLANs) is A's" -- \
	grep -q 'state of vd1 after the switch: features' /tmp/mig.out
sed -n 's/^net-migrate: measured /# measured: 1 pair: /p' /tmp/mig.out
sed -n 's/^net-migrate: round \([0-9]*\): pages=\([0-9]*\).*/\1:\2/p' /tmp/mig.out |
	paste -sd' ' | sed 's/^/# measured: 1 pair: pre-copy pages per round (round:pages) /'

# the same, suspended with frames still on the wire (those may be lost,
# none may come twice), and a second run on the same devices
migrate "net-migrate --no-quiesce: frames in flight at suspend, no duplicate" 0 0x2222 \
	--count 4000 --rounds 2 --round-ms 200 --no-quiesce
sed -n 's/^net-migrate: measured /# measured: 1 pair, no quiesce: /p' /tmp/mig.out

# with the control queue: the client sets a MAC, ALLMULTI and VLAN 100
# on vd0 during pre-copy (MQ at open); vd1 must replay them, and its
# saved state must equal vd0's; frames spread over the pairs
for P in 1 2 4; do
	migrate "net-migrate --pairs $P (control queue, MAC/RX mode/VLAN set on vd0): 4000 frames" \
		0 $((0x1500 + P)) --count 4000 --rounds 3 --round-ms 200 --pairs $P --qsize 128
	t_ok "... $P pairs, control commands sent, no gap, bases agree" -- sh -c \
		"grep -q 'pairs=$P ctrl_cmds=[1-9]' /tmp/mig.out && grep -q 'gaps=0 base_mismatch=0' /tmp/mig.out"
	t_ok "... vd1's saved state equals vd0's" -- \
		grep -q 'state of vd1 after the switch: features' /tmp/mig.out
	sed -n "s/^net-migrate: measured /# measured: $P pairs (cvq): /p" /tmp/mig.out
	sed -n 's/^net-migrate: round \([0-9]*\): pages=\([0-9]*\).*/\1:\2/p' /tmp/mig.out |
		paste -sd' ' | sed "s/^/# measured: $P pairs (cvq): pre-copy pages per round (round:pages) /"
done

# --- blk: vb0 and vb1 are different disks.  Half the writes go to vb0,
# then the client moves to vb1 and writes the rest there; the requests
# vb0 had taken at suspend must be finished by vb0 (drained), none left
# for vb1, none lost: read back where each half must be, zeroes elsewhere.
set -- $VM_BLKS
FA=$1 FB=$2
t_ok "bind $FA and $FB, dev add vb0 and vb1" -- sh -c "'$V' pci bind $FA && '$V' pci bind $FB &&
	vdpa dev add name vb0 mgmtdev pci/$FA && vdpa dev add name vb1 mgmtdev pci/$FB"
BA=$(vhost_dev vb0)
BB=$(vhost_dev vb1)
N=16384
rc=0
$VC blk-migrate "$BA" "$BB" --name-a vb0 --name-b vb1 --sector 0 --count $N --seed 7 \
	--req-sectors 64 --depth 16 --rounds 3 --round-ms 150 >/tmp/bmig.out 2>&1 || rc=$?
sed 's/^/# /' /tmp/bmig.out
t_result $rc "blk-migrate vb0 -> vb1: $N sectors, the in-flight writes drained on vb0 (exit $rc)"
SPLIT=$(sed -n 's/^blk-migrate: .* split=\([0-9]*\).*/\1/p' /tmp/bmig.out)
sed -n 's/^blk-migrate: measured /# measured: blk: /p' /tmp/bmig.out
if [ -n "$SPLIT" ]; then
	t_ok "vb0 has sectors 0..$SPLIT" -- $VC blk-read "$BA" --sector 0 --count $SPLIT --seed 7
	t_ok "vb0 has nothing after $SPLIT" -- \
		$VC blk-read "$BA" --sector $SPLIT --count $((N - SPLIT)) --expect-zero
	t_ok "vb1 has sectors $SPLIT..$N" -- \
		$VC blk-read "$BB" --sector $SPLIT --count $((N - SPLIT)) --seed 7
	t_ok "vb1 has nothing before $SPLIT: no request of vb0 executed again" -- \
		$VC blk-read "$BB" --sector 0 --count $SPLIT --expect-zero
fi

# --- the cost of a log sync per GiB (idle device: bitmap read-and-clear and
# its transfer), timed inside one process so tool start-up does not count
G="python3 $PWD/tests/dpu-genl.py"
t_ok "log start over 4 GiB on vd1" -- "$V" dev log start vd1 len 4G
$G log-bench vd1 0x100000000 5 >/tmp/bench.txt 2>&1
t_ok "log sync of 4 GiB, 5 times, in 1 GiB requests" -- grep -q "ms_per_gib=" /tmp/bench.txt
echo "# measured: log sync, idle device, 4-KiB pages: $(cat /tmp/bench.txt)"
t_ok "log stop" -- "$V" dev log stop vd1
t_done
