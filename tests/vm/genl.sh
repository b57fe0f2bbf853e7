#!/bin/bash
# The dpu_vdpa netlink family (include/uapi/linux/dpu_vdpa.h) itself: the
# device query on a net and a blk device under each bus driver
# (virtio_vdpa, vhost_vdpa, none) and as a dump; the errors a caller gets
# (unknown device, missing and malformed attributes, no privilege, wrong
# device state), each with its errno and extack text; the dirty log's
# request checks; a blk device's state saved, and loads of broken blobs
# refused with nothing staged (read back through vhost-vdpa's
# GET_VRING_BASE), then a good one staged and consumed by DRIVER_OK.
# Driven with tests/dpu-genl.py (raw netlink sockets).
. "$(dirname "$0")/../lib.sh"
G="python3 $PWD/tests/dpu-genl.py"
S="python3 $PWD/tests/state-blob.py"
V="python3 $PWD/tests/vhost-ctl.py"
set -- $VM_NETS
A=$1
set -- $VM_BLKS
F=$1
[ -n "$A" ] && [ -n "$F" ] || t_bail "needs a net function and a blk function"
load_modules || t_bail "modprobe"
T=/tmp/genl; mkdir -p $T

# field NAME KEY: KEY from the device query of NAME
field() { $G get "$1" | sed -n "s/^$2=//p"; }
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"; }
detach() {
	local d=/sys/bus/vdpa/devices/$1
	[ -e "$d/driver" ] && echo "$1" >"$d/driver/unbind"
	[ ! -e "$d/driver" ]
}
# on NAME DRIVER: attach to a bus driver, or detach for "none"
on() { if [ "$2" = none ]; then detach "$1"; else attach_vdpa "$1" "$2"; fi; }
vhostdev() { echo "/dev/$(ls "/sys/bus/vdpa/devices/$1/" | grep -m1 '^vhost-vdpa-')"; }
STATS='^(relayed_avail|relayed_used|dirty_marked|suspends|mode_switches|rewound|ring_errors)='

t_eq "family registered, version $(sed -n 's/.*DPU_VDPA_GENL_VERSION\s*//p' include/uapi/linux/dpu_vdpa.h)" \
	"Version: 0x1" "$(genl ctrl get name dpu_vdpa | grep -o 'Version: 0x[0-9a-f]*')"
t_eq "dump with no device: empty" "" "$($G get)"
t_ok "bind $A to dpu_vdpa" -- bind_fn "$A"
t_ok "bind $F to dpu_vdpa" -- bind_fn "$F"
t_ok "dev add vdpa0 (net), blk0" -- sh -c "
	vdpa dev add name vdpa0 mgmtdev pci/$A mac 02:00:00:00:0e:01 max_vqp 2 &&
	vdpa dev add name blk0 mgmtdev pci/$F"
t_eq "dump: both devices" "blk0 vdpa0" \
	"$($G get | sed -n 's/^dev_name=//p' | sort | xargs)"

# --- DEV_GET under each bus driver
for d in vdpa0:1:$A blk0:2:$F; do
	IFS=: read -r name id bdf <<<"$d"
	for drv in virtio_vdpa vhost_vdpa none; do
		if ! on "$name" "$drv"; then t_result 1 "$name: attach to $drv"; continue; fi
		out=$($G get "$name")
		get() { sed -n "s/^$1=//p" <<<"$out"; }
		want_bus=$drv; [ "$drv" = none ] && want_bus=
		want_mode=stopped; [ "$drv" = virtio_vdpa ] && want_mode=direct
		echo "# $name on $drv: $(grep -Ev "$STATS" <<<"$out" | xargs)"
		t_eq "$name on $drv: DEV_GET name, mgmtdev, device id, bus driver" \
			"$name pci/$bdf $id <$want_bus>" \
			"$(get dev_name) $(get mgmtdev_name) $(get device_id) <$(get bus_driver)>"
		t_eq "$name on $drv: mode, suspended, logging, no log geometry" \
			"$want_mode 0 0 0" \
			"$(get mode) $(get suspended) $(get logging) $(grep -c '^log_' <<<"$out")"
		t_eq "$name on $drv: the 7 counters, nested, and shadow_vqs" "7 1" \
			"$(grep -Ec "$STATS" <<<"$out") $(grep -c '^shadow_vqs=' <<<"$out")"
		[ "$drv" = virtio_vdpa ] &&
			t_eq "$name on virtio_vdpa: status DRIVER_OK" "15" "$(get status)"
	done
done
on vdpa0 vhost_vdpa; on blk0 virtio_vdpa; wait_for blkdev_of "$F"
t_eq "dump: both devices with their bus drivers" "blk0=virtio_vdpa vdpa0=vhost_vdpa" \
	"$($G get | awk -F= '/^dev_name=/ { n = $2 } /^bus_driver=/ { print n "=" $2 }' | sort | xargs)"
t_eq "dump needs no privilege" "blk0 vdpa0" \
	"$(nobody $G get | sed -n 's/^dev_name=//p' | sort | xargs)"
t_eq "DEV_GET needs no privilege" "virtio_vdpa" "$(nobody $G get blk0 | sed -n 's/^bus_driver=//p')"

# --- malformed requests
t_err "unknown device: ENODEV, named" 'ENODEV: dpu_vdpa: no dpu_vdpa device named "nosuch"' -- \
	$G get nosuch
t_err "unknown device on SUSPEND: ENODEV" "ENODEV: .*nosuch" -- $G suspend nosuch
t_err "unknown device on STATE_SAVE: ENODEV" "ENODEV: .*nosuch" -- $G state-save nosuch $T/x
t_err "DEV_GET doit without a name: EINVAL, attribute named" \
	'EINVAL: dpu_vdpa: device name \(DPU_VDPA_A_DEV_NAME\) is required \[missing attribute 2\]' -- \
	$G raw 1
t_err "name of 64 characters: refused by the policy" "EINVAL: .*policy" -- \
	$G get "$(printf 'v%.0s' $(seq 64))"
t_err "name with no NUL: refused by the policy" "EINVAL: .*policy" -- $G raw 1 2:hex:414243
t_err "unknown attribute: refused (strict)" "EINVAL" -- $G raw 1 2:str:blk0 99:u32:1
t_err "LOG_START with LOG_IOVA but no LOG_LEN: EINVAL, named" \
	'EINVAL: dpu_vdpa: DPU_VDPA_A_LOG_LEN \(with DPU_VDPA_A_LOG_IOVA\) is required \[missing attribute 12\]' -- \
	$G raw 4 2:str:blk0 11:u64:0
t_err "LOG_START with LOG_LEN 0: EINVAL, the attribute pointed at" \
	'EINVAL: dpu_vdpa: empty IOVA range' -- $G raw 4 2:str:blk0 12:u64:0
t_err "LOG_START with no range on vhost_vdpa before any mapping: ENODATA" \
	'ENODATA: dpu_vdpa: the consumer has mapped no memory yet' -- $G log-start vdpa0
t_err "LOG_SYNC without LOG_IOVA: EINVAL, named" \
	'EINVAL: dpu_vdpa: DPU_VDPA_A_LOG_IOVA is required \[missing attribute 11\]' -- $G raw 5 2:str:blk0
t_err "STATE_LOAD without STATE: EINVAL, named" \
	'EINVAL: dpu_vdpa: DPU_VDPA_A_STATE is required \[missing attribute 15\]' -- $G raw 8 2:str:vdpa0
head -c 65008 /dev/zero >$T/big
: >$T/empty
t_err "STATE larger than DPU_VDPA_STATE_MAX_LEN: refused by the policy" "ERANGE" -- \
	$G state-load vdpa0 $T/big
t_err "unknown command: EOPNOTSUPP" "EOPNOTSUPP|ENOTSUP" -- $G raw 42 2:str:blk0

# --- privilege: every command but DEV_GET needs CAP_NET_ADMIN
for c in 2:SUSPEND 3:RESUME 4:LOG_START 5:LOG_SYNC 6:LOG_STOP 7:STATE_SAVE 8:STATE_LOAD; do
	t_err "unprivileged ${c#*:}: EPERM" "^error: EPERM" -- nobody $G raw "${c%%:*}" 2:str:blk0
done
t_eq "refused requests changed nothing" "direct 0 0 0" \
	"$(field blk0 mode) $(field blk0 suspended) $(field blk0 logging) $(field blk0 suspends)"

# --- device state the request needs
t_err "STATE_SAVE of a running device: EBUSY" "EBUSY: dpu_vdpa: device must be suspended" -- \
	$G state-save blk0 $T/x
t_err "STATE_SAVE of a stopped device: EINVAL" "EINVAL: dpu_vdpa: device is not running" -- \
	$G state-save vdpa0 $T/x
t_err "STATE_LOAD into a running device: EBUSY" \
	"EBUSY: dpu_vdpa: device is running \(DRIVER_OK\)" -- $G state-load blk0 $T/empty
t_err "LOG_SYNC without LOG_START: ENOENT" "ENOENT: dpu_vdpa: dirty logging is not started" -- \
	$G log-sync blk0 0
t_err "LOG_STOP without LOG_START: ENOENT" "ENOENT" -- $G log-stop blk0
t_err "RESUME of a running device: EINVAL" "EINVAL: dpu_vdpa: device is not suspended" -- \
	$G resume blk0

# --- dirty log requests on blk0 (virtio_vdpa DMA addresses are below 4 GiB)
D=/dev/$(blkdev_of "$F")
# no range: the kernel's choice for virtio_vdpa, the 32-bit window of
# iommu-dma (the test VM has an IOMMU)
t_ok "log start on blk0 with no range" -- $G log-start blk0
t_eq "DEV_GET while logging: geometry" "1 4096 0 4294967296" \
	"$(field blk0 logging) $(field blk0 log_page_size) $(field blk0 log_iova) $(field blk0 log_len)"
t_err "second log start: EBUSY" "EBUSY" -- $G log-start blk0 0 0x1000
t_err "log sync of a length not in pages: EINVAL" "EINVAL: dpu_vdpa: len: multiple of 4096" -- \
	$G log-sync blk0 0 0x1800
t_err "log sync of 2^18 + 1 pages: EINVAL" "EINVAL" -- $G log-sync blk0 0 0x40001000
t_err "log sync beyond the logged range: ERANGE" "ERANGE" -- $G log-sync blk0 0x100000000 0x1000
# past the end: the count of pages left must not wrap (it once let a sync
# clear bits far beyond the bitmap)
t_err "log sync 4 GiB past the logged range: ERANGE" "ERANGE" -- $G log-sync blk0 0x200000000 0x1000
dd if=/dev/urandom of="$D" bs=64k count=64 oflag=direct status=none
dd if="$D" of=/dev/null bs=64k count=64 iflag=direct status=none
DIRTY=0
for chunk in 0 0x40000000 0x80000000 0xc0000000; do
	n=$($G log-sync blk0 $chunk | sed -n 's/^dirty=\([0-9]*\).*/\1/p')
	DIRTY=$((DIRTY + ${n:-0}))
done
t_ok "log sync of 2^18 pages at a time: what the device wrote is dirty ($DIRTY pages)" -- \
	test "$DIRTY" -gt 0
t_ok "log stop" -- $G log-stop blk0
t_err "log stop again: ENOENT" "ENOENT" -- $G log-stop blk0

# --- an owned log (LOG_OWNED) stops with the socket that started it: a
# VMM that quits or dies must not leave a log that refuses the next start
# hold_owned: an owned log on blk0 from a process that keeps its socket
# ($HOLD); run it in this shell, not in t_ok's subshell
hold_owned() {
	: >$T/hold.out
	$G log-start --owned --hold 600 blk0 >$T/hold.out 2>&1 &
	HOLD=$!
	for _ in $(seq 100); do grep -q started $T/hold.out && return 0; sleep 0.2; done
	return 1
}
t_ok "log start, not owned, from a process that exits" -- $G log-start blk0
t_eq "negative control: a log not owned outlives its starter" "1 " \
	"$(field blk0 logging) $(field blk0 log_owned)"
t_ok "log stop" -- $G log-stop blk0
hold_owned; t_result $? "owned log start, its socket kept open"
t_eq "while the socket is open: logging, owned" "1 1" \
	"$(field blk0 logging) $(field blk0 log_owned)"
t_eq "vdpa-mgmt dev status -j: the log is owned" "true" \
	"$("$PROJECT/tools/vdpa-mgmt/vdpa-mgmt" -j dev status blk0 | jq -r '.. | objects | select(has("owned")) | .owned')"
for _ in 1 2 3 4 5 6 7 8; do $G get blk0 >/dev/null; done
t_eq "other netlink sockets closing leave it running" "1" "$(field blk0 logging)"
kill -9 $HOLD; wait $HOLD 2>/dev/null
t_eq "its process killed (SIGKILL): the log is stopped" "0" "$(field blk0 logging)"
t_ok "and the kernel says why" -- sh -c "dmesg | grep -q 'blk0: dirty log stopped: its owner (netlink port [0-9]*) is gone'"
t_ok "owned log start, its process exits after 1 s" -- $G log-start --owned --hold 1 blk0
t_eq "the log stopped with it" "0" "$(field blk0 logging)"
t_ok "a new log starts at once (no EBUSY)" -- $G log-start blk0 0 0x1000
t_ok "log stop" -- $G log-stop blk0
hold_owned; t_result $? "owned log start again"
t_ok "any admin may stop an owned log" -- $G log-stop blk0
kill $HOLD; wait $HOLD 2>/dev/null
t_eq "its owner's exit after the stop: nothing left, nothing stopped twice" "0" "$(field blk0 logging)"

# --- blk state: save, then loads
dd if=/dev/urandom of="$D" bs=4k count=300 oflag=direct status=none
t_ok "suspend blk0" -- $G suspend blk0
t_ok "save blk0" -- $G state-save blk0 $T/blk.bin
t_err "second suspend: EALREADY" "EALREADY" -- $G suspend blk0
t_ok "resume blk0" -- $G resume blk0
OUT=$($S show $T/blk.bin); echo "$OUT" | sed 's/^/# /'
NQ=$(sed -n 's/.* nq=\([0-9]*\) .*/\1/p' <<<"$OUT")
t_eq "blob: blk, crc is zlib's, $NQ VQ sections, CONFIG, no NET section" "device_id=2 crc_ok=1 $NQ 1 0" \
	"$(grep -o 'device_id=[0-9]*' <<<"$OUT") $(grep crc_ok <<<"$OUT") \
$(grep -c '^sect=VQ flags=1 ' <<<"$OUT") $(grep -c '^sect=CONFIG ' <<<"$OUT") $(grep -c '^sect=NET' <<<"$OUT")"
t_eq "blob: every vq has used == avail" "$NQ" \
	"$(grep -c '^vq[0-9]* num=[0-9]* avail=\([0-9]*\) used=\1 ' <<<"$OUT")"
AV=$(sed -n 's/^vq\([0-9]*\) num=[0-9]* avail=\([0-9]*\) .*/vq\1=\2/p' <<<"$OUT" | xargs)
FEAT=$(sed -n 's/.*driver_features=\(0x[0-9a-f]*\).*/\1/p' <<<"$OUT")
t_ok "blk0 queues have moved ($AV)" -- sh -c "echo '$AV' | grep -q '=[1-9]'"

t_err "blk state into the net device: EMEDIUMTYPE" \
	"(EMEDIUMTYPE|EMEDIUM): dpu_vdpa: state of virtio device id 2, this device is 1" -- \
	$G state-load vdpa0 $T/blk.bin
t_ok "blk0 to vhost_vdpa" -- attach_vdpa blk0 vhost_vdpa
VD=$(vhostdev blk0)
IDX=$(seq 0 $((NQ - 1)) | xargs)
bad() { $S edit $T/blk.bin $T/bad.bin "$@" && $G state-load blk0 $T/bad.bin; }
head -c 20 $T/blk.bin >$T/short.bin
t_err "shorter than a header: EINVAL" "EINVAL: dpu_vdpa: state of 20 bytes" -- \
	$G state-load blk0 $T/short.bin
t_err "truncated: EINVAL" "EINVAL: dpu_vdpa: state total_len" -- bad truncate=120
t_err "flipped byte: EBADMSG" "EBADMSG: dpu_vdpa: state crc32" -- bad flipbyte=60 keepcrc
t_err "bad magic: EINVAL" "EINVAL: dpu_vdpa: bad magic" -- bad magic=0x12345678
t_err "newer version: EPROTO" "EPROTO: dpu_vdpa: state version 2, this driver reads up to 1" -- \
	bad version=2
t_err "net blob into blk: EMEDIUMTYPE" "(EMEDIUMTYPE|EMEDIUM): dpu_vdpa: state of virtio device id 1" -- \
	bad devid=1
t_err "vq count: EINVAL" "EINVAL: dpu_vdpa: saved with 1 vqs, this device has $NQ" -- bad nq=1
t_err "features not offered: EOPNOTSUPP" "(EOPNOTSUPP|ENOTSUP): dpu_vdpa: saved driver features 0x8000000000000000" -- \
	bad drvfeat_or=0x8000000000000000
t_err "unknown critical section: EPROTO" "EPROTO: dpu_vdpa: unknown critical section type 99" -- \
	bad append=99:1:8
t_eq "refused loads staged nothing (vhost GET_VRING_BASE)" \
	"$(for i in $IDX; do printf 'vq%d=0 ' $i; done | xargs)" "$($V $VD vring-base $IDX | xargs)"
t_ok "load the saved state into blk0 under vhost_vdpa" -- $G state-load blk0 $T/blk.bin
t_eq "loaded avail indexes staged, through vhost's reset at open" "$AV" \
	"$($V $VD vring-base $IDX | xargs)"
t_err "a refused load keeps the staged one" "EBADMSG" -- bad flipbyte=60 keepcrc
t_eq "still the loaded indexes" "$AV" "$($V $VD vring-base $IDX | xargs)"
# clear the lowest device-type feature bit the driver had accepted
BIT=$(python3 -c "f=$FEAT; print(next(b for b in range(24) if f >> b & 1))")
dmesg -C
ST=$($V $VD status $((FEAT & ~(1 << BIT))) | sed 's/.*status=//')
t_ok "DRIVER_OK without feature bit $BIT refused: NEEDS_RESET (status $ST)" -- \
	test $((ST & 0x40)) -ne 0
# refused already at FEATURES_OK, so a consumer's probe fails there cleanly
t_ok "FEATURES_OK refused too (status $ST)" -- test $((ST & 0x8)) -eq 0
t_ok "dmesg names the saved and negotiated features" -- \
	sh -c "dmesg | grep -q 'loaded state was saved with driver features $FEAT, the consumer negotiated'"
t_eq "DRIVER_OK with the saved features" "0xf" "$($V $VD status "$FEAT" | sed 's/.*status=//')"
t_eq "the state was consumed by DRIVER_OK: a reset now starts at 0" \
	"$(for i in $IDX; do printf 'vq%d=0 ' $i; done | xargs)" "$($V $VD vring-base $IDX | xargs)"
t_ok "load again, then dev del drops it" -- sh -c "$G state-load blk0 $T/blk.bin && vdpa dev del blk0"
t_err "deleted device: ENODEV" "ENODEV" -- $G get blk0
t_ok "dev del vdpa0" -- vdpa dev del vdpa0
t_eq "dump of no device is empty" "" "$($G get)"
t_done
