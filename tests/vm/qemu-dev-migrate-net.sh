#!/bin/bash
# A guest whose NIC is a vhost-vdpa-device-pci live-migrates between two
# dpu_vdpa devices with the patched QEMU (qemu/patches), no shadow
# virtqueues: the device logs its writes and carries its state (the MAC
# and queue pairs the guest set through the control queue) in the blob.
# The guest (tests/nested/migrate-init) sets a MAC and 2 queue pairs and
# pings a target on the bridge of A's and B's peers every 0.1 s; the
# target pings it back.  Asserted: no blocker; the migration completes;
# on B the guest keeps its MAC and queue pairs and its pings are answered;
# the pings lost, the outside outage and what the device's log reported
# per sync round are reported.  Then the guest, on B, is sent to a
# destination device with one queue pair where it set two: QEMU refuses
# the load (at the PCI config: fewer queues, fewer MSI-X vectors), the
# migration fails, and the guest goes on on B (the return path tells the
# source), its log stopped.
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
trap 'mig_outside_stop; mig_stop src; mig_stop dst; mig_stop back; rm -rf "$MIG_DIR"' EXIT
export MIG_QEMU_BIN=$QEMU

mig_modules >/dev/null 2>&1 || t_bail "modprobe"
ulimit -l unlimited || t_bail "ulimit -l unlimited"
DEV_A=$(mig_dev_add qnA "$A") DEV_B=$(mig_dev_add qnB "$B")
t_ok "qnA on $A is $DEV_A, qnB on $B is $DEV_B" -- test -c "$DEV_A" -a -c "$DEV_B"
mig_peers "$PA" "$PB" >/dev/null 2>&1	# not in t_ok's subshell: sets MIG_PEER_A/B
t_ok "peers $PA and $PB in one bridge with the target $MIG_TARGET" -- \
	sh -c "[ -n '$MIG_PEER_B' ] && ip -n $MIG_NS link show $MIG_PEER_B | grep -q 'master $MIG_BR'"
INITRD=$(mig_initrd)
t_ok "guest initramfs ($INITRD)" -- test -s "$INITRD"

MIG_DEVICE="vhost-vdpa-device-pci,vhostdev=$DEV_B,addr=0x08" \
	mig_qemu dst "$DEV_B" "$INITRD" -incoming "tcp:127.0.0.1:$MIG_PORT"
MIG_DEVICE="vhost-vdpa-device-pci,vhostdev=$DEV_A,addr=0x08" \
	mig_qemu src "$DEV_A" "$INITRD"
t_ok "the guest booted and configured eth0" -- mig_wait 600 grep -q 'guest: ready' "$MIG_DIR/src.console"
t_ok "its pings are answered through A" -- \
	mig_wait 120 sh -c "[ \$(grep -c 'bytes from' $MIG_DIR/src.console) -ge 30 ]"
t_eq "it set MAC $MIG_MAC and $MIG_QUEUES queue pairs" \
	"mac=$MIG_MAC rxq=$MIG_QUEUES combined=$MIG_QUEUES" "$(mig_state src)"
t_eq "QEMU sees nothing blocking the migration" "[]" \
	"$(mig_qmp src query-migrate | jq -c '."blocked-reasons" // []')"

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
loss=$(mig_loss src dst)
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

# A destination with fewer queues: the guest on B to a device with one
# queue pair on A.  The load fails; over the return path the source learns
# it and runs the guest again on B.
RETURN_PATH='{"capabilities": [{"capability": "return-path", "state": true}]}'
logging_is() { [ "$("$MIG_VDPA_MGMT" -j dev status "$1" | jq -r '.. | objects | select(has("logging")) | .logging')" = "$2" ]; }
runs() { [ "$(mig_qmp "$1" query-status | jq -r .status)" = running ]; }
answered() { [ "$(grep -a -c 'bytes from' "$MIG_DIR/$1.console")" -ge "$2" ]; }
vdpa dev del qnA
DEV_A1=$(MIG_QUEUES=1 mig_dev_add qnA1 "$A")
t_ok "qnA1 (1 queue pair) on $A is $DEV_A1" -- test -c "$DEV_A1"
MIG_DEVICE="vhost-vdpa-device-pci,vhostdev=$DEV_A1,addr=0x08" \
	mig_qemu back "$DEV_A1" "$INITRD" -incoming "tcp:127.0.0.1:$MIG_PORT"
t_ok "refused by 1 queue pair: a destination on qnA1 listens" -- mig_listening back
t_ok "refused by 1 queue pair: the return path on, both sides" -- \
	sh -c "$MIG_QMP $MIG_DIR/dst.qmp migrate-set-capabilities '$RETURN_PATH' && $MIG_QMP $MIG_DIR/back.qmp migrate-set-capabilities '$RETURN_PATH'"
rc=0
mig_migrate dst 2>/dev/null || rc=$?
t_eq "refused by 1 queue pair: the migration fails" 1 "$rc"
sed 's/^/# destination: /' "$MIG_DIR/back.log"
t_ok "refused by 1 queue pair: the destination refuses the load (PCI config)" -- \
	grep -E -q "Bad config data|Failed to load PCIDevice:config" "$MIG_DIR/back.log"
t_ok "refused by 1 queue pair: QEMU runs the guest on B again" -- mig_wait 60 runs dst
n=$(grep -a -c 'bytes from' "$MIG_DIR/dst.console")
t_ok "refused by 1 queue pair: its pings are answered through B (20 more)" -- \
	mig_wait 300 answered dst $((n + 20))
t_ok "refused by 1 queue pair: qnB's log is stopped" -- mig_wait 20 logging_is qnB false
mig_stop back
mig_stop dst
vdpa dev del qnA1
vdpa dev del qnB
t_done
