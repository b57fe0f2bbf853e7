#!/bin/bash
# Guests on our devices through vhost-vdpa-device-pci, with Debian's own
# QEMU (no patch): the nested-guest part of the smoke run on the other
# kernels (tests/kernels.list), where it checks that the running kernel's
# vhost_vdpa serves a VMM the whole device (config space, queue count,
# features, status) from our driver.  Two guests, each an initramfs
# (tests/nested/), run side by side:
#   net  migrate-init on a NIC with a control queue: it sets a MAC and
#        2 queue pairs through the control queue, then pings a peer on
#        plain virtio_net every 0.1 s; 30 replies must come back, and the
#        peer must have seen frames from the guest's new MAC.
#   blk  blk-init on a blk device: blk-verify rewrites its disk and checks
#        what the device read back, 10 rounds with no mismatch.
# Then both QEMUs quit; each device must take a new consumer (the vhost
# client: frames to the peer, a pattern written and read back) and be
# deleted.  Neither guest's console may show a splat.
# On 6.12 make check leaves this to make check-debug (tests/full.list):
# qemu-dev-migrate*.sh boot the same guests on the same QEMU device there.
# The guests' kernel is the host's 6.12 (tests/nested/migrate.sh), whose
# modules a VM booted on another kernel cannot see: their initramfs are
# made on the host first.
# vm-options: --nets 2 --blks 1 --mem 2G --root / --timeout 1500
# host-prepare: bash -c '. tests/nested/migrate.sh && mig_initrd && mig_blk_initrd'
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../nested/migrate.sh"
VC=$PWD/tests/vhost-client/vhost-client
set -- $VM_NETS
A=$1 PA=$2
BLK=${VM_BLKS%% *}
[ -n "$PA" ] && [ -n "$BLK" ] || t_bail "needs two net functions and a blk function"
[ -x "$VC" ] || t_bail "$VC not built (make all)"
command -v qemu-system-x86_64 >/dev/null || t_bail "no qemu-system-x86_64 in this root"
MIG_DIR=$(mktemp -d -p "$PROJECT/build" vdg.XXXXXX)
trap 'mig_stop net; mig_stop blk; rm -rf "$MIG_DIR"' EXIT
PEER_IP=$MIG_TARGET

echo "# kernel $(uname -r); QEMU: $(qemu-system-x86_64 --version | head -n1)"
ulimit -l unlimited || t_bail "ulimit -l unlimited"
t_ok "modules (vhost_vdpa, dpu_vdpa)" -- mig_modules
DN=$(mig_dev_add vdgn "$A")
t_ok "vdgn on $A (control queue, $MIG_QUEUES queue pairs) is $DN" -- test -c "$DN"
DB=$(mig_blk_dev_add vdgb "$BLK")
t_ok "blk device vdgb on $BLK, on vhost_vdpa: $DB" -- test -c "$DB"

# the peer: the function cabled to A, on virtio_net, in a namespace
peer_up() {
	local nd
	mig_bind "$PA" virtio-pci && nd=$(_mig_netdev "$PA") || return 1
	ip netns add "$MIG_NS" && ip link set "${nd##*/}" netns "$MIG_NS" &&
		ip -n "$MIG_NS" link set "${nd##*/}" name peer0 &&
		ip -n "$MIG_NS" addr add "$PEER_IP/24" dev peer0 &&
		ip -n "$MIG_NS" link set peer0 up
}
t_ok "peer $PA at $PEER_IP" -- peer_up

NET_INITRD=$(mig_initrd)
t_ok "net guest's initramfs: $NET_INITRD" -- test -s "$NET_INITRD"
BLK_INITRD=$(mig_blk_initrd)
t_ok "blk guest's initramfs: $BLK_INITRD" -- test -s "$BLK_INITRD"

start=$(date +%s)
MIG_DEVICE="vhost-vdpa-device-pci,vhostdev=$DN,addr=0x08" mig_qemu net "$DN" "$NET_INITRD"
MIG_DEVICE="vhost-vdpa-device-pci,vhostdev=$DB,addr=0x08" MIG_APPEND="blk.blocks=256" \
	mig_qemu blk "$DB" "$BLK_INITRD"
replies() { [ "$(grep -a -c 'bytes from' "$MIG_DIR/net.console")" -ge "$1" ]; }
checks() { [ "$(grep -a -c 'blk-verify: t=[0-9]* rounds=[0-9]* ok' "$MIG_DIR/blk.console")" -ge "$1" ]; }
t_ok "net guest: booted, eth0 configured" -- mig_wait 600 grep -q 'guest: ready' "$MIG_DIR/net.console"
echo "# net guest ready after $(($(date +%s) - start)) s"
t_ok "net guest: 30 pings answered by the peer" -- mig_wait 180 replies 30
# its state line, every second (one line may be cut by a kernel message)
WANT="mac=$MIG_MAC rxq=$MIG_QUEUES combined=$MIG_QUEUES"
state_is() { [ "$(mig_state net)" = "$WANT" ]; }
mig_wait 10 state_is
t_eq "net guest: it set MAC $MIG_MAC and $MIG_QUEUES queue pairs (control queue)" \
	"$WANT" "$(mig_state net)"
t_ok "net guest: the peer learnt the guest's new MAC" -- \
	sh -c "ip -n $MIG_NS neigh show $MIG_GUEST_IP | grep -qi '$MIG_MAC'"
t_ok "blk guest: booted, its disk is there" -- mig_wait 600 grep -q 'guest: ready disk=vda' "$MIG_DIR/blk.console"
t_ok "blk guest: 10 rounds of blk-verify with no mismatch" -- mig_wait 300 checks 10
t_eq "blk guest: no mismatch or I/O error" "" \
	"$(grep -a -m1 'MISMATCH\|I/O error\|exited' "$MIG_DIR/blk.console")"
echo "# both guests done after $(($(date +%s) - start)) s"
for g in net blk; do
	t_ok "$g guest: no splat on its console" -- mig_no_splat $g
	t_ok "$g guest: QEMU still runs" -- sh -c "kill -0 \$(cat $MIG_DIR/$g.pid)"
	t_ok "$g guest: QEMU quits" -- mig_stop $g
	t_eq "$g guest: QEMU said nothing wrong" "" \
		"$(grep -v -i '^$' "$MIG_DIR/$g.log" | grep -i 'error\|fail\|abort' | head -n3)"
done

# each device takes a new consumer after QEMU's: frames to the peer
# (the vhost client negotiates no control queue, so 1 queue pair again),
# and a pattern written and read back
PEER_MAC=$(ip -n "$MIG_NS" -j link show peer0 | jq -r '.[0].address')
t_ok "vdgn: 200 frames from the vhost client reach the peer after QEMU" -- \
	pair vdgn ip netns exec "$MIG_NS" "$VC" pkt-recv peer0 --count 200 -- \
	"$VC" net-tx "$DN" --count 200 --dst-mac "$PEER_MAC" --rate 2000
t_ok "vdgb: blk-write 1024 sectors after QEMU" -- "$VC" blk-write "$DB" --sector 4096 --count 1024 --seed 5
t_ok "vdgb: blk-read them back, pattern intact" -- "$VC" blk-read "$DB" --sector 4096 --count 1024 --seed 5
t_ok "dev del vdgn vdgb" -- sh -c "$MIG_VDPA_MGMT dev del vdgn && $MIG_VDPA_MGMT dev del vdgb"
t_done
