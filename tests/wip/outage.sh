#!/bin/bash
# Diagnosis of the outside outage after a stock-QEMU migration: the steps of
# tests/vm/qemu-migrate.sh, plus a ping from the bridge's netns to the guest,
# tcpdump on both peers, and counters every second.
# vm-options: --nets 4 --mem 3G --timeout 1800
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../vm/nested/migrate.sh"
set -- $VM_NETS
A=$1 PA=$2 B=$3 PB=$4
MIG_DIR=$(mktemp -d -p "$PROJECT/build" outage.XXXXXX)
echo "# MIG_DIR=$MIG_DIR"
mig_modules >/dev/null 2>&1 || t_bail "modprobe"
ulimit -l unlimited
mount -t debugfs none /sys/kernel/debug 2>/dev/null; echo "module dpu_vdpa +p" >/sys/kernel/debug/dynamic_debug/control || echo "# no dyndbg"
DEV_A=$(mig_dev_add migA "$A") DEV_B=$(mig_dev_add migB "$B")
mig_peers "$PA" "$PB" >/dev/null 2>&1
echo "# peers A=$MIG_PEER_A B=$MIG_PEER_B"
INITRD=$(mig_initrd)
mig_qemu dst "$DEV_B" "$INITRD" -incoming "tcp:127.0.0.1:$MIG_PORT" -trace "vhost_vdpa_set_vring_enable_one" -trace "vhost_vdpa_add_status" -trace "vhost_vdpa_net_load*" -trace "virtio_net_announce*" -trace "vhost_vdpa_dev_start" -trace "vhost_vdpa_set_dev_vring_base" -trace "vhost_vdpa_suspend" -trace "qemu_announce*" -trace vm_state_notify -msg timestamp=on >/dev/null 2>&1
mig_qemu src "$DEV_A" "$INITRD" >/dev/null 2>&1
t_ok "source guest ready" -- mig_wait 400 grep -q 'guest: ready' "$MIG_DIR/src.console"
t_ok "source replies" -- mig_wait 60 sh -c "[ \$(grep -c 'bytes from' $MIG_DIR/src.console) -ge 30 ]"
NS="ip netns exec $MIG_NS"
$NS tcpdump -i "$MIG_PEER_A" -n -e -tt -w "$MIG_DIR/pa.pcap" >/dev/null 2>&1 & TD1=$!
$NS tcpdump -i "$MIG_PEER_B" -n -e -tt -w "$MIG_DIR/pb.pcap" >/dev/null 2>&1 & TD2=$!
$NS ping -D -i 0.1 -W 1 "$MIG_GUEST_IP" >"$MIG_DIR/outside.ping" 2>&1 & OPING=$!
$NS bash -c '
	while :; do
		l="$(date +%s.%N)"
		for d in '"$MIG_PEER_A $MIG_PEER_B"'; do
			s=/sys/class/net/$d/statistics
			read tx <$s/tx_packets; read rx <$s/rx_packets; read td <$s/tx_dropped
			l+=" $d:tx=$tx,rx=$rx,txd=$td"
		done
		l+=" qb:$(tc -s qdisc show dev '"$MIG_PEER_B"' | grep -o "backlog [^ ]* [0-9]*p requeues [0-9]*" | head -n1 | tr " " _)"
		l+=" fdb:$(bridge fdb show br '"$MIG_BR"' | grep -i "^'"$MIG_MAC"' " | cut -d" " -f3)"
		echo "$l"
		sleep 1
	done' >"$MIG_DIR/counters" 2>&1 & CNT=$!
sleep 5
DPID=$(cat $MIG_DIR/dst.pid)
( while :; do
	l="$(date +%s.%N) con=$(stat -c %s $MIG_DIR/dst.console)"
	for t in /proc/$DPID/task/*; do
		read -r st <$t/stat; set -- ${st#*) }
		l+=" ${t##*/}:$1:$(( ${12} + ${13} )):$(head -c 40 $t/wchan 2>/dev/null)"
	done
	echo "$l"
	sleep 0.3
  done ) >"$MIG_DIR/threads" 2>&1 & THR=$!
( while :; do echo "$(date +%s.%N) $(python3 tests/dpu-genl.py get migB 2>&1 | tr '\n' ' ')"; sleep 1; done ) >"$MIG_DIR/stats" 2>&1 & STP=$!
echo "outage: wall $(date +%s.%N)" >/dev/kmsg
mig_sample_start
t_ok "migrate completed" -- mig_migrate src
echo "# migration: $(mig_numbers 2>/dev/null)"
t_ok "dst replies" -- mig_wait 120 sh -c "[ \$(grep -c 'bytes from' $MIG_DIR/dst.console) -ge 30 ]"
sleep 20
mig_sample_stop
kill $OPING $CNT $TD1 $TD2 $THR $STP
echo "outage: wall $(date +%s.%N)" >/dev/kmsg
dmesg >$MIG_DIR/dmesg
echo "# outage (guest-side): $(mig_outage)"
echo "# loss (guest-side): $(mig_loss src dst)"
echo "# vdpa status B:"; tools/vdpa-mgmt/vdpa-mgmt dev status migB 2>&1 | sed 's/^/#   /'
python3 tests/dpu-genl.py 2>&1 | head -3 | sed 's/^/#  genl: /'
echo "# ethtool -S B peer:"; $NS ethtool -S "$MIG_PEER_B" 2>&1 | grep -v ': 0$' | sed 's/^/#   /'
echo "# tc:"; $NS tc -s qdisc show dev "$MIG_PEER_B" | sed 's/^/#   /'
echo "# fdb:"; bridge -n $MIG_NS fdb show br $MIG_BR | grep -i 02:00:00 | sed 's/^/#   /'
echo "# dmesg (watchdog etc):"; dmesg | grep -iE 'watchdog|dpu|virtio|vhost' | tail -n 60 | sed 's/^/#   /'
# One timeline, seconds relative to "completed" (the test's QMP poll):
# the destination QEMU's run state and vhost-vdpa steps (its trace), the
# frames on both peers (to and from the guest), the outside pings' replies.
tc=$(awk '$2 == "completed" { print $1; exit }' "$MIG_DIR/events")
{
	sed -n 's/^[0-9]*@\([0-9.]*\):\(vm_state_notify.*\|vhost_vdpa_add_status.*\|vhost_vdpa_dev_start.*\|vhost_vdpa_net_load_cmd.*\|qemu_announce_self_iter.*\)/\1 dst: \2/p' "$MIG_DIR/dst.log"
	for p in pa pb; do
		tcpdump -r "$MIG_DIR/$p.pcap" -n -e -tt 2>/dev/null |
			awk -v p="$p" -v g="$MIG_MAC" '{ d = ($2 == g) ? "from-guest" : ($4 == g"," ? "to-guest" : "other"); t = $1; $1 = $2 = $3 = $4 = ""; print t, p, d, $0 }' | cut -c1-120
	done
	awk -F'[][]' '/bytes from/ { print $2, "outside-reply" }' "$MIG_DIR/outside.ping"
	cat "$MIG_DIR/events"
} | sort -n | awk -v tc="$tc" '{ t = $1 - tc; if (t > -3 && t < 30) { $1 = sprintf("%7.2f", t); print } }' >"$MIG_DIR/timeline"
echo "# timeline ($MIG_DIR/timeline), first events of each kind after completed:"
awk '$1 > -1 { k = $2 " " $3; if (!(k in seen)) { seen[k] = 1; print } }' "$MIG_DIR/timeline" | head -n 40 | sed 's/^/#   /'
mig_stop src; mig_stop dst
t_done
