#!/bin/bash
# Baseline for the outside outage: the same guest and steps as
# tests/vm/qemu-migrate.sh, but on QEMU's own tap-backed virtio-net (no vDPA):
# taps of the source and destination QEMU in one bridge holding the target.
# (Written for the outage investigation; not yet run to completion.)
# vm-options: --nets 0 --mem 3G --timeout 1800
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../vm/nested/migrate.sh"
MIG_DIR=$(mktemp -d -p "$PROJECT/build" baseline.XXXXXX)
modprobe tun && test -c /dev/net/tun || t_bail "no /dev/net/tun"
echo "# MIG_DIR=$MIG_DIR"
ip link add brbase type bridge && ip addr add "$MIG_TARGET/24" dev brbase && ip link set brbase up
for t in tapS tapD; do ip tuntap add dev $t mode tap multi_queue && ip link set $t master brbase up; done
INITRD=$(mig_initrd)
MIG_NETDEV="tap,ifname=tapD,script=no,downscript=no,queues=2,vhost=off" \
	mig_qemu dst - "$INITRD" -incoming "tcp:127.0.0.1:$MIG_PORT" >/dev/null 2>&1
MIG_NETDEV="tap,ifname=tapS,script=no,downscript=no,queues=2,vhost=off" \
	mig_qemu src - "$INITRD" >/dev/null 2>&1
t_ok "source guest ready" -- mig_wait 400 grep -q 'guest: ready' "$MIG_DIR/src.console"
t_ok "source replies" -- mig_wait 60 sh -c "[ \$(grep -c 'bytes from' $MIG_DIR/src.console) -ge 30 ]"
tcpdump -i brbase -n -e -tt -w "$MIG_DIR/br.pcap" >/dev/null 2>&1 & TD=$!
ping -D -i 0.1 -W 1 "$MIG_GUEST_IP" >"$MIG_DIR/outside.ping" 2>&1 & OPING=$!
sleep 5
mig_sample_start
t_ok "migrate completed" -- mig_migrate src
echo "# migration: $(mig_numbers 2>/dev/null)"
t_ok "dst replies" -- mig_wait 120 sh -c "[ \$(grep -c 'bytes from' $MIG_DIR/dst.console) -ge 30 ]"
sleep 20
mig_sample_stop
kill $OPING $TD
echo "# outage (guest-side): $(mig_outage)"
echo "# loss (guest-side): $(mig_loss src dst)"
c=$(awk '$2 == "completed" { print $1 }' $MIG_DIR/events)
awk -F'[][]' -v c="$c" '/bytes from/ { t=$2; if (p != "" && t-p > g && t > c - 30) { g=t-p; a=p; b=t }; p=t } END { printf "# outside: longest gap %.1f s (%.1f -> %.1f, completed at %.1f)\n", g, a-c, b-c, 0 }' $MIG_DIR/outside.ping
echo "# outside ping round trips (ms, the target's clock): $(mig_outside_rtt)"
grep -a -o 'time=[0-9.]*' "$MIG_DIR/src.console" | cut -d= -f2 | sort -n |
	awk '{ a[NR] = $1 } END { printf "# guest ping RTT through the source (guest clock): n=%d p50=%s\n", NR, a[int(NR / 2) + 1] }'
mig_stop src; mig_stop dst
t_done
