#!/bin/bash
# The net control queue against a hostile consumer on vhost_vdpa, driven
# by tests/vhost-client net-ctrl: a command whose feature the consumer did
# not negotiate gets VIRTIO_NET_ERR and reaches neither the function nor
# the tracked state; a vq that is no queue under the negotiated features
# never runs on the function's own control queue; a function parked by a
# reset while suspended gives the next consumer a device in its reset
# state (promiscuous, its own MAC), and is never left pointing at an
# MSI-X vector the driver freed.  The parked function's registers are read
# through its BAR (iomem=relaxed lets root map a BAR a driver holds).
# vm-options: --blks 0 --append iomem=relaxed
. "$(dirname "$0")/../lib.sh"
VC=$PWD/tests/vhost-client/vhost-client
V=$PWD/tools/vdpa-mgmt/vdpa-mgmt
set -- $VM_NETS
A=$1 B=$2
[ -n "$B" ] || t_bail "needs two net functions"
[ -x "$VC" ] || t_bail "$VC not built (make all)"
load_modules || t_bail "modprobe"

# the feature mask that leaves out the given bits (vhost-client --features)
without() { local m=0 b; for b; do m=$((m | (1 << b))); done; printf '%#x' $((~m)); }
CTRL_RX=18 CTRL_VLAN=19 MQ=22 CTRL_MAC_ADDR=23
FOREIGN=02:00:00:00:ee:01	# a unicast MAC nobody has
R="--rate 5000"

# config_mac NAME: the MAC the consumer of NAME sees in config space
config_mac() { vdpa -j dev config show "$1" | jq -r ".config.$1.mac"; }
# pair (lib.sh) calls this while the receiver waits: the MAC it sees then
pair_on_ready() { config_mac "$CUR" >"/tmp/$1.mac"; }

# fn_regs BDF: the function's device status and interrupt set-up, read
# from its PCI config space and its virtio common configuration
fn_regs() {
	python3 - "$1" <<'EOF'
import ctypes, mmap, os, struct, sys
d = "/sys/bus/pci/devices/" + sys.argv[1]
cfg = open(d + "/config", "rb").read()
msix, common, pos = 0, None, cfg[0x34]
while pos:
    if cfg[pos] == 0x11:
        msix = struct.unpack_from("<H", cfg, pos + 2)[0] >> 15
    elif cfg[pos] == 0x09 and cfg[pos + 3] == 1 and common is None:
        common = (cfg[pos + 4], struct.unpack_from("<I", cfg, pos + 8)[0])
    pos = cfg[pos + 1]
bar, off = common
fd = os.open("%s/resource%d" % (d, bar), os.O_RDWR | os.O_SYNC)
m = mmap.mmap(fd, (off + 0x40 + mmap.PAGESIZE - 1) & ~(mmap.PAGESIZE - 1))
u8 = lambda o: ctypes.c_uint8.from_buffer(m, off + o)
u16 = lambda o: ctypes.c_uint16.from_buffer(m, off + o)
qv = []
for q in range(u16(0x12).value):
    u16(0x16).value = q
    qv.append(str(u16(0x1a).value))
print("status=%d msix=%d intx_off=%d config_vector=%d queue_vectors=%s" %
      (u8(0x14).value, msix, struct.unpack_from("<H", cfg, 4)[0] >> 10 & 1,
       u16(0x10).value, ",".join(qv)))
EOF
}
reg() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" /tmp/regs; }

t_ok "bind $A to dpu_vdpa" -- bind_fn "$A"
t_ok "bind $B to virtio-pci" -- bind_fn "$B" virtio-pci
wait_for netdev_of "$B"
NB=$(basename "$(netdev_of "$B")")
ip link set "$NB" up

# --- commands the consumer did not negotiate
t_ok "dev add cq0" -- vdpa dev add name cq0 mgmtdev "pci/$A"
CUR=cq0
DEV=$(vhost_dev cq0)
MAC0=$(config_mac cq0)
# RX mode, MAC table, MAC_ADDR_SET, VLAN, MQ, ANNOUNCE, GUEST_OFFLOADS,
# NOTF_COAL, STATS; a class and commands that do not exist
NOTNEG="--ctrl 0:0:00 --ctrl 0:1:00 --ctrl 1:0:0000000000000000 --ctrl 1:1:020000000077
	--ctrl 2:0:0500 --ctrl 4:0:0100 --ctrl 3:0 --ctrl 5:0:0000000000000000
	--ctrl 6:0:0000000000000000 --ctrl 8:0 --ctrl 7:0 --ctrl 0:9:00 --ctrl 1:7:00"
t_ok "CTRL_VQ alone: 13 commands of classes not negotiated all get VIRTIO_NET_ERR; frames to $FOREIGN still arrive (promiscuous)" -- \
	pair notneg $VC net-ctrl "$DEV" --features "$(without $CTRL_RX $CTRL_VLAN $MQ $CTRL_MAC_ADDR)" \
	$NOTNEG --ack err --count 200 --stream 21 --timeout 5 -- \
	$VC pkt-send "$NB" --count 200 --stream 21 --dst-mac $FOREIGN $R
t_eq "the refused MAC_ADDR_SET is not tracked: config space keeps $MAC0" "$MAC0" \
	"$(cat /tmp/notneg.mac 2>/dev/null)"
t_ok "CTRL_RX without CTRL_RX_EXTRA: ALLUNI, NOMULTI, NOBCAST get VIRTIO_NET_ERR" -- \
	$VC net-ctrl "$DEV" --ctrl 0:2:01 --ctrl 0:3:01 --ctrl 0:5:01 --ack err
# the same commands, negotiated, are taken and tracked
t_ok "negotiated: PROMISC, MAC_ADDR_SET, VLAN_ADD/DEL, MAC_TABLE_SET get VIRTIO_NET_OK" -- \
	pair neg $VC net-ctrl "$DEV" --ctrl 0:0:00 --ctrl 0:0:01 --ctrl 1:1:020000000077 \
	--ctrl 2:0:0500 --ctrl 2:1:0500 --ctrl 1:0:0000000000000000 --count 100 --stream 22 \
	--timeout 5 -- $VC pkt-send "$NB" --count 100 --stream 22 --dst-mac $FOREIGN $R
t_eq "the accepted MAC_ADDR_SET is tracked: config space shows it" "02:00:00:00:00:77" \
	"$(cat /tmp/neg.mac 2>/dev/null)"

# --- a function parked by a reset while suspended
# consumer1 OPTIONS...: a consumer that sends OPTIONS' commands and holds
# the device while the test suspends it with vdpa-mgmt, then closes it
# (vhost-vdpa resets it on release: the function is parked)
consumer1() {
	local pid rc=0
	rm -f /tmp/hold; mkfifo /tmp/hold
	$VC net-ctrl "$DEV" "$@" --wait-stdin </tmp/hold >/tmp/c1.out 2>&1 &
	pid=$!
	exec 9>/tmp/hold
	wait_for grep -q ready /tmp/c1.out || rc=1
	[ "$rc" = 0 ] && { "$V" dev suspend cq0 || rc=1; }
	exec 9>&-
	wait "$pid" || rc=1
	cat /tmp/c1.out
	return "$rc"
}
t_ok "consumer 1: promiscuous mode off, a MAC table, a VLAN; suspended by vdpa-mgmt; closes" -- \
	consumer1 --ctrl 0:0:00 --ctrl 1:0:0100000002000000ee0200000000 --ctrl 2:0:0700
fn_regs "$A" >/tmp/regs 2>&1
sed 's/^/# parked: /' /tmp/regs
t_eq "parked: the function is still in DRIVER_OK" "4" "$(( $(reg status) & 4 ))"
t_ok "parked: it points at no freed MSI-X vector (MSI-X kept, or no vector left on it and INTx off)" -- \
	sh -c "[ '$(reg msix)' = 1 ] || { [ '$(reg config_vector)' = 65535 ] && [ '$(reg intx_off)' = 1 ] &&
		! echo '$(reg queue_vectors)' | tr , '\n' | grep -qv '^65535$'; }"
t_ok "consumer 2, same features, no command: frames to $FOREIGN arrive (reset state: promiscuous)" -- \
	pair c2 $VC net-ctrl "$DEV" --count 200 --stream 23 --timeout 5 -- \
	$VC pkt-send "$NB" --count 200 --stream 23 --dst-mac $FOREIGN $R
t_ok "consumer 1: MAC_ADDR_SET 02:00:00:00:00:77, promiscuous off; suspended; closes" -- \
	consumer1 --ctrl 1:1:020000000077 --ctrl 0:0:00
t_ok "consumer 2: promiscuous off; frames to the MAC it sees ($MAC0) arrive" -- \
	pair c2mac $VC net-ctrl "$DEV" --ctrl 0:0:00 --count 200 --stream 24 --timeout 5 -- \
	$VC pkt-send "$NB" --count 200 --stream 24 --dst-mac "$MAC0" $R
t_eq "consumer 2 sees the device's own MAC" "$MAC0" "$(cat /tmp/c2mac.mac 2>/dev/null)"
t_ok "dev del cq0" -- vdpa dev del cq0

# --- the function's own control queue, at index 2 without MQ: the
# driver runs it to program the dev-add MAC; a consumer without CTRL_VQ
# must not get its vq 2 onto it
t_ok "dev add cq1 with mac 02:00:00:00:0c:01" -- \
	vdpa dev add name cq1 mgmtdev "pci/$A" mac 02:00:00:00:0c:01
CUR=cq1
DEV=$(vhost_dev cq1)
t_ok "no CTRL_VQ, vq 2 enabled with the rest: a command on it gets no answer" -- \
	$VC net-ctrl "$DEV" --cvq-index 2 --qsize 4 --ctrl 0:0:00 --ack none --timeout 2
# enabled late, vq 2 would replace the driver's ring on the function's
# control queue, which expects its next command after the driver's one
t_ok "no CTRL_VQ, vq 2 enabled after DRIVER_OK, ring from index 1: a command on it gets no answer" -- \
	$VC net-ctrl "$DEV" --cvq-index 2 --cvq-base 1 --enable-late 2 --qsize 4 --ctrl 0:0:00 \
	--ack none --timeout 2
t_ok "and the device still sends to $NB" -- \
	pair cq1tx $VC pkt-recv "$NB" --count 100 --stream 25 --timeout 5 -- \
	$VC net-tx "$DEV" --count 100 --stream 25 --dst-mac "$(cat /sys/class/net/$NB/address)" $R
t_ok "dev del cq1" -- vdpa dev del cq1
t_done
