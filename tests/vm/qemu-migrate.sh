#!/bin/bash
# Live migration with stock QEMU between two of our vDPA devices (issue 6):
# a nested guest on -netdev vhost-vdpa over device A (00:08.0) moves to a
# destination QEMU on device B (00:0a.0) while it pings, every 0.1 s, a
# target on a bridge that joins the peers of A and B (00:09.0, 00:0b.0).
# Before migrating the guest sets a new MAC and 2 queue pairs; both must
# survive.  QEMU shadows the queues (SVQ) from migration start, which
# needs our SUSPEND, the control vq in an address space of its own, and
# device features SVQ accepts.  Shared steps: tests/nested/migrate.sh
# (scripts/migrate-demo runs the same).  Then the same guest migrates on
# QEMU's own tap-backed virtio-net, the baseline for how long the guest is
# unreachable from outside.
# vm-options: --nets 4 --mem 3G --timeout 1800
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../nested/migrate.sh"
LOSS_MAX=${LOSS_MAX:-100}	# pings (10 s at 0.1 s): generous, TCG in TCG
# The outside outage (mig_outside_outage) is compared with QEMU migrating the
# same guest on its own tap-backed virtio-net in this VM, right after, with
# the same tracing, capture and sampling beside it (the baseline: what TCG in
# TCG costs without vDPA).  Both outages end when the guest answers QEMU's
# announce: QEMU's own RARP carries the MAC QEMU was started with, not the one
# the guest set, and vhost-vdpa drops it anyway.  How long the guest takes to
# do so after it runs again is its own time: 1.8-4.7 s measured on vDPA, 1.2-
# 1.6 s on tap, while the device saw nothing from it (tests/diag/outage-trace.sh
# traces both sides).  So a single run's ratio is noise on top of the guest:
# the test bounds it loosely (OUTSIDE_RATIO_MAX, which still catches the 10-20
# s outages of the past: 18-101 s with the VLAN replay) and asserts the
# device's part exactly: the destination's device runs again within
# DEVICE_START_MAX s of QEMU running the guest (it took 1.07 s while the
# destination faulted in the RAM it pins; 20-27 s with the VLAN replay), and
# all but one in a hundred outside requests that reached B once the guest was there are answered.
# Issue 17's target (1.5x tap) is make bench's to measure, over rounds.
OUTSIDE_RATIO_MAX=${OUTSIDE_RATIO_MAX:-4}
DEVICE_START_MAX=${DEVICE_START_MAX:-0.5}
set -- $VM_NETS
A=$1 PA=$2 B=$3 PB=$4
[ -n "$PB" ] || t_bail "needs four net functions"
MIG_DIR=$(mktemp -d -p "$PROJECT/build" qemu-migrate.XXXXXX)

mig_modules >/dev/null 2>&1 || t_bail "modprobe"
t_eq "vhost_vdpa loaded with max_iotlb_entries=262144" 262144 \
	"$(cat /sys/module/vhost_vdpa/parameters/max_iotlb_entries)"
# vhost_vdpa pins the guests' RAM: RLIMIT_MEMLOCK applies to root too
ulimit -l unlimited || t_bail "ulimit -l unlimited"

DEV_A=$(mig_dev_add migA "$A") DEV_B=$(mig_dev_add migB "$B")
FEAT=$(mig_features migA)
echo "# features for SVQ ($MIG_PROFILE): $FEAT (dropped: $(mig_features_dropped "$A" migA))"
t_ok "A: vDPA device on $A, SVQ features, vhost_vdpa ($DEV_A)" -- test -c "$DEV_A"
t_ok "B: vDPA device on $B, SVQ features, vhost_vdpa ($DEV_B)" -- test -c "$DEV_B"
t_eq "A and B offer the same features" "$FEAT" "$(mig_features migB)"
mig_peers "$PA" "$PB" >/dev/null 2>&1	# not in t_ok's subshell: sets MIG_PEER_A/B
t_ok "peers $PA and $PB ($MIG_PEER_A, $MIG_PEER_B) in one bridge with the target $MIG_TARGET" -- \
	sh -c "[ -n '$MIG_PEER_B' ] && ip -n $MIG_NS link show $MIG_PEER_B | grep -q 'master $MIG_BR'"
INITRD=$(mig_initrd)
t_ok "guest initramfs built ($INITRD)" -- test -s "$INITRD"

start=$SECONDS
mig_qemu dst "$DEV_B" "$INITRD" -incoming "tcp:127.0.0.1:$MIG_PORT" "${MIG_DST_TRACE[@]}" >/dev/null 2>&1
mig_qemu src "$DEV_A" "$INITRD" >/dev/null 2>&1
t_ok "destination QEMU waits for the migration" -- \
	mig_wait 60 sh -c "$MIG_QMP $MIG_DIR/dst.qmp query-status | grep -q inmigrate"
t_ok "source guest booted and configured eth0" -- mig_wait 400 grep -q 'guest: ready' "$MIG_DIR/src.console"
echo "# source guest up after $((SECONDS - start)) s"
t_ok "source guest gets ping replies through A" -- mig_wait 60 sh -c "[ \$(grep -c 'bytes from' $MIG_DIR/src.console) -ge 30 ]"
t_eq "guest set MAC $MIG_MAC and $MIG_QUEUES queue pairs" "mac=$MIG_MAC rxq=$MIG_QUEUES combined=$MIG_QUEUES" "$(mig_state src)"
t_ok "the peers saw the guest's new MAC (neighbour table)" -- \
	sh -c "ip -n $MIG_NS neigh show $MIG_GUEST_IP | grep -q 'lladdr $MIG_MAC'"
t_ok "no migration blocker: QEMU accepts SVQ on A" -- \
	sh -c "! $MIG_QMP $MIG_DIR/src.qmp query-migrate | grep -q blocked-reasons"

pa_rx=$(mig_rx_packets "$MIG_PEER_A") pb_rx=$(mig_rx_packets "$MIG_PEER_B")
mig_outside_start
rc=0; mig_capture_start || rc=$?	# not in t_ok's subshell: sets MIG_CAPTURE
t_result "$rc" "tcpdump captures the frames on both peers (the switch breakdown)"
mig_sample_start
mstart=$SECONDS
t_ok "migrate to tcp:127.0.0.1:$MIG_PORT: completed" -- mig_migrate src
echo "# migration: $(mig_numbers 2>/dev/null) (polled for $((SECONDS - mstart)) s)"
sed 's/^/#   /' "$MIG_DIR/src.log" "$MIG_DIR/dst.log" 2>/dev/null | tail -n 20
dst_status=$("$MIG_QMP" "$MIG_DIR/dst.qmp" query-status | jq -r .status)
echo "$(date +%s.%N) dst-qmp-answers" >>"$MIG_DIR/events"
t_eq "the destination runs the guest" running "$dst_status"
t_eq "the source is left paused (postmigrate)" postmigrate "$("$MIG_QMP" "$MIG_DIR/src.qmp" query-status | jq -r .status)"
t_ok "the guest gets ping replies on B after migration" -- \
	mig_wait 120 sh -c "[ \$(grep -c 'bytes from' $MIG_DIR/dst.console) -ge 30 ]"
sleep 10	# a gap that has not closed by now counts up to here
mig_outside_stop
mig_sample_stop
mig_capture_stop
OUTSIDE=$(mig_outside_gap)
OUTSIDE_OUTAGE=$(mig_outside_outage)
echo "# from outside (target -> guest, every 0.1 s): $OUTSIDE_OUTAGE (between prompt replies), $OUTSIDE (between any replies; s, relative to completed)"
SWITCH=$(mig_switch_breakdown)
echo "# the switch, s after the destination runs the guest: $SWITCH"
echo "# outside ping round trips (ms, the target's clock): $(mig_outside_rtt)"
OUTAGE=$(mig_outage)
echo "# wall clock: $OUTAGE; timeline (s since migrate, replies so far, VmPin kB src/dst):"
mig_timeline | sed 's/^/#   /' | tail -n 40
# every second of the guest's clock, which crawls under TCG in TCG right
# after the move: 30 s was once not enough
t_ok "the guest's state line from B" -- mig_wait 90 sh -c "grep -q 'guest: state' $MIG_DIR/dst.console"
grep -a 'guest: \|sysrq\|task:' "$MIG_DIR/dst.console" | head -n 30 | sed 's/^/#   dst: /'
g=$(sed 's/outside_gap=\([-0-9.]*\).*/\1/' <<<"$OUTSIDE")
t_ok "the guest answers pings from outside again (longest gap ${g} s)" -- \
	awk -v g="${g:--1}" 'BEGIN { exit !(g >= 0) }'
t_eq "MAC and queue pairs survived (seen by the guest on B)" "mac=$MIG_MAC rxq=$MIG_QUEUES combined=$MIG_QUEUES" "$(mig_state dst)"
t_ok "the target's neighbour entry still has the guest's MAC" -- \
	sh -c "ip -n $MIG_NS neigh show $MIG_GUEST_IP | grep -q 'lladdr $MIG_MAC'"
t_ok "the bridge learned the guest's MAC on B's peer $MIG_PEER_B" -- \
	sh -c "bridge -n $MIG_NS fdb show br $MIG_BR | grep -q '^$MIG_MAC dev $MIG_PEER_B '"
t_ok "traffic arrives through B's peer now (rx $pb_rx -> $(mig_rx_packets "$MIG_PEER_B"))" -- \
	test "$(mig_rx_packets "$MIG_PEER_B")" -gt $((pb_rx + 20))
echo "# A's peer rx: $pa_rx -> $(mig_rx_packets "$MIG_PEER_A")"
# The bug this catches (issue 17) left B deaf for 20 s: some 200 requests
# unanswered in a row.  A single one lost in 400 is not that: the nested
# guest under TCG, whose RTT reaches 27 s right after the move, once let
# one go (CI of stop 30, 416 of 417); the unanswered are named so that a
# repeat can be told apart from a deaf receive path.
ANSWERED=$(mig_b_answered)
t_ok "outside requests that reached B after the switch were answered, at most 1% missed ($ANSWERED)" -- \
	awk -v s="$ANSWERED" 'BEGIN { split(s, f, /[ =]/); n = f[2]; m = f[4]
		exit !(n > 0 && n - m <= (n >= 100 ? int(n / 100) : 0)) }'
dstart=$(awk -v s="$SWITCH" 'BEGIN { n = split(s, f, " "); m = -1
	for (i = 1; i <= n; i++) if (f[i] ~ /^(driver_ok|last_cvq_load)=[-+]?[0-9.]+$/) {
		split(f[i], kv, "="); if (kv[2] + 0 > m) m = kv[2] + 0 }
	print m }')
t_ok "B's device runs again within ${DEVICE_START_MAX} s of QEMU running the guest (${dstart} s: DRIVER_OK and the control state replayed)" -- \
	awk -v d="$dstart" -v m="$DEVICE_START_MAX" 'BEGIN { exit !(d >= 0 && d <= m) }'
echo "# the outer kernel around the migration:"
dmesg | sed -n '/qemu-migrate: migrate sent/,$p' | grep -v 'dpu-vdpa-test: mark' | tail -n 30 | sed 's/^/#   /'
echo "# ping RTT ms (guest clock): through A $(mig_rtt src); through B, first 10 $(mig_rtt dst 10), all $(mig_rtt dst)"
LOSS=$(mig_loss src dst)
echo "# pings: $LOSS"
lost=$(sed 's/.*lost=\([0-9]*\).*/\1/' <<<"$LOSS")
t_ok "fewer than $LOSS_MAX pings lost in all (lost $lost)" -- test "${lost:-999999}" -lt "$LOSS_MAX"
t_ok "no kernel splat or virtio error in the guest on A" -- mig_no_splat src
t_ok "no kernel splat or virtio error in the guest on B" -- mig_no_splat dst

t_ok "source QEMU quits" -- mig_stop src
t_ok "destination QEMU quits" -- mig_stop dst
t_ok "dev del migA and migB" -- sh -c "vdpa dev del migA && vdpa dev del migB"

# the baseline: the same guest and migration on QEMU's tap, no vDPA
rc=0; TAP=$(mig_tap_baseline "$INITRD") || rc=$?
t_result "$rc" "baseline: the same guest migrates on QEMU's tap-backed virtio-net ($TAP)"
ov=$(sed 's/outside_outage=\([-0-9.]*\).*/\1/' <<<"$OUTSIDE_OUTAGE")
ot=$(sed 's/outside_outage=\([-0-9.]*\).*/\1/' <<<"$TAP")
ratio=$(awk -v v="${ov:--1}" -v t="${ot:--1}" 'BEGIN { if (v < 0 || t <= 0) print "none"; else printf "%.2f", v / t }')
echo "# outside outage: vDPA ${ov} s, tap ${ot} s, ratio $ratio (issue 17's target: 1.5)"
t_ok "outside outage within ${OUTSIDE_RATIO_MAX}x the tap baseline (vDPA ${ov} s, tap ${ot} s)" -- \
	awk -v v="${ov:--1}" -v t="${ot:--1}" -v m="$OUTSIDE_RATIO_MAX" 'BEGIN { exit !(v >= 0 && t > 0 && v <= m * t) }'
echo "# result: $(mig_numbers 2>/dev/null) $LOSS $OUTAGE $OUTSIDE_OUTAGE $OUTSIDE $SWITCH tap_${TAP%% *} ratio=$ratio"
echo "# whole test: $((SECONDS - start)) s after setup"
[ "$T_FAILED" = 0 ] && rm -rf "$MIG_DIR"
t_done
