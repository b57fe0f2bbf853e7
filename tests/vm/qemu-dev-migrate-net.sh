#!/bin/bash
# A guest whose NIC is a vhost-vdpa-device-pci live-migrates between two
# dpu_vdpa devices with the patched QEMU (qemu/patches), no shadow
# virtqueues: the device logs its writes and carries its state (the MAC
# and queue pairs the guest set through the control queue) in the blob.
# The guest (tests/nested/migrate-init) sets a MAC and 2 queue pairs and
# pings a target on the bridge of A's and B's peers every 0.1 s; the
# target pings it back.  First the guest is sent to a destination device
# with one queue pair where it set two: QEMU refuses the load (at the PCI
# config: fewer queues, fewer MSI-X vectors), the migration fails, and
# the guest goes on on A (the return path tells the source), its device
# restarted from the state it saved and its log stopped.  Then the same
# guest migrates to B, as an operator retries: asserted, no blocker, the
# migration completes, on B the guest keeps its MAC and queue pairs and
# its pings are answered; the pings lost, the outside outage and what the
# device's log reported per sync round are reported.  (That retry once
# left B's receive queue silent for good: a completion before QEMU
# unmasked the guest's notifiers was lost; qemu/patches/0005.)
# vm-options: --nets 4 --mem 3G --timeout 1800
# host-prepare: scripts/build-qemu --into build/qemu-dpu
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../nested/migrate.sh"
QEMU=$PROJECT/build/qemu-dpu/qemu-system-x86_64
[ -x "$QEMU" ] || t_bail "no $QEMU (scripts/build-qemu --into build/qemu-dpu)"
LOSS_MAX=${LOSS_MAX:-100}	# pings (10 s at 0.1 s): generous, TCG in TCG
set -- $VM_NETS
A=$1 PA=$2 B=$3 PB=$4
[ -n "$PB" ] || t_bail "needs four net functions"
MIG_DIR=$(mktemp -d -p "$PROJECT/build" qdmn.XXXXXX)
trap 'mig_outside_stop; mig_stop src; mig_stop dst; rm -rf "$MIG_DIR"' EXIT
export MIG_QEMU_BIN=$QEMU

mig_modules >/dev/null 2>&1 || t_bail "modprobe"
ulimit -l unlimited || t_bail "ulimit -l unlimited"
DEV_A=$(mig_dev_add qnA "$A") DEV_B1=$(MIG_QUEUES=1 mig_dev_add qnB1 "$B")
t_ok "qnA on $A is $DEV_A, qnB1 (1 queue pair) on $B is $DEV_B1" -- test -c "$DEV_A" -a -c "$DEV_B1"
mig_peers "$PA" "$PB" >/dev/null 2>&1	# not in t_ok's subshell: sets MIG_PEER_A/B
t_ok "peers $PA and $PB in one bridge with the target $MIG_TARGET" -- \
	sh -c "[ -n '$MIG_PEER_B' ] && ip -n $MIG_NS link show $MIG_PEER_B | grep -q 'master $MIG_BR'"
INITRD=$(mig_initrd)
t_ok "guest initramfs ($INITRD)" -- test -s "$INITRD"

answered() { [ "$(grep -a -c 'bytes from' "$MIG_DIR/$1.console")" -ge "$2" ]; }
# dst_on DEVICE: the destination QEMU, listening, with the return path
dst_on() {
	MIG_DEVICE="vhost-vdpa-device-pci,vhostdev=$1,addr=0x08" \
		mig_qemu dst "$1" "$INITRD" -incoming "tcp:127.0.0.1:$MIG_PORT"
	mig_listening dst && mig_qmp dst migrate-set-capabilities "$MIG_RETURN_PATH" >/dev/null
}

MIG_DEVICE="vhost-vdpa-device-pci,vhostdev=$DEV_A,addr=0x08" \
	mig_qemu src "$DEV_A" "$INITRD"
t_ok "the guest booted and configured eth0" -- mig_wait 600 grep -q 'guest: ready' "$MIG_DIR/src.console"
t_ok "its pings are answered through A" -- \
	mig_wait 120 sh -c "[ \$(grep -c 'bytes from' $MIG_DIR/src.console) -ge 30 ]"
t_eq "it set MAC $MIG_MAC and $MIG_QUEUES queue pairs" \
	"mac=$MIG_MAC rxq=$MIG_QUEUES combined=$MIG_QUEUES" "$(mig_state src)"
t_eq "QEMU sees nothing blocking the migration" "[]" \
	"$(mig_qmp src query-migrate | jq -c '."blocked-reasons" // []')"

# a destination with fewer queues
t_ok "refused by 1 queue pair: a destination on qnB1" -- dst_on "$DEV_B1"
mig_refused "refused by 1 queue pair" src dst "Bad config data|Failed to load PCIDevice:config"
n=$(grep -a -c 'bytes from' "$MIG_DIR/src.console")
t_ok "refused by 1 queue pair: its pings are answered through A (20 more)" -- \
	mig_wait 300 answered src $((n + 20))
t_ok "refused by 1 queue pair: qnA's log is stopped" -- mig_wait 20 mig_logging_is qnA false
mig_stop dst
vdpa dev del qnB1

# the retry, to B: what is lost counts from here
DEV_B=$(mig_dev_add qnB "$B")
t_ok "qnB ($MIG_QUEUES queue pairs) on $B is $DEV_B" -- test -c "$DEV_B"
t_ok "a destination on qnB, the return path on" -- dst_on "$DEV_B"
from=$(grep -a -o 'seq=[0-9]* ttl' "$MIG_DIR/src.console" | sed 's/seq=\([0-9]*\).*/\1/' | sort -n | tail -n1)
rm -f "$MIG_DIR/events"
mig_outside_start
mig_log_mark
t_ok "migrate: completed" -- mig_migrate src
echo "# migration: $(mig_numbers 2>/dev/null)"
echo "# qnA's dirty log, per round: $(mig_log_rounds qnA)"
t_ok "on B its pings are answered (30 more)" -- \
	mig_wait 400 sh -c "[ \$(grep -c 'bytes from' $MIG_DIR/dst.console) -ge 30 ]"
sleep 5
mig_outside_stop
t_ok "B's device kept the guest's MAC and queue pairs" -- \
	mig_wait 90 sh -c "grep -a -q 'guest: state mac=$MIG_MAC rxq=$MIG_QUEUES combined=$MIG_QUEUES' $MIG_DIR/dst.console"
loss=$(mig_loss src dst "${from:-0}")
echo "# pings: $loss"
lost=$(sed -n 's/^lost=\([0-9]*\).*/\1/p' <<<"$loss")
t_ok "pings lost: ${lost:-?} (at most $LOSS_MAX)" -- test "${lost:-999}" -le "$LOSS_MAX"
echo "# outside: $(mig_outside_outage) $(mig_outside_gap), RTT $(mig_outside_rtt)"
t_ok "the target reaches the guest on B" -- \
	ip netns exec "$MIG_NS" ping -c 3 -i 0.5 -W 2 "$MIG_GUEST_IP"
t_ok "no complaint on the guest's console" -- mig_no_splat dst
if [ "$T_FAILED" != 0 ]; then
	tail -n 20 "$MIG_DIR/dst.console" | sed 's/^/# dst console: /'
	tail -n 10 "$MIG_DIR/dst.log" | sed 's/^/# dst QEMU: /'
	"$MIG_VDPA_MGMT" dev status qnB 2>&1 | sed 's/^/# qnB: /'
fi
mig_stop src
mig_stop dst
vdpa dev del qnA
vdpa dev del qnB
t_done
