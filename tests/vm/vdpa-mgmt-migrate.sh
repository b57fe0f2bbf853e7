#!/bin/bash
# vdpa-mgmt's migration verbs against the real kernel: dev status of an
# idle and of a running device, suspend/resume and their errnos, the dirty
# log (start, sync to a file of the right size, stop) with the contract's
# errnos, state save of a running device refused, save/show/load of a
# suspended one, load into a running device refused, and dev migrate's
# steps and its way back; valgrind over each command.
# vm-options: --nets 2
. "$(dirname "$0")/../lib.sh"
V=$PROJECT/tools/vdpa-mgmt/vdpa-mgmt
VG=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible
	--error-exitcode=99)
set -- $VM_NETS
A=$1 B=$2
[ -n "$B" ] || t_bail "needs two net functions"
[ -x "$V" ] || t_bail "$V not built"
load_modules || t_bail "modprobe"
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT

t_ok "bind $A and $B" -- sh -c "'$V' pci bind $A && '$V' pci bind $B"
t_ok "dev add vn0 and vn1" -- sh -c "'$V' dev add name vn0 mgmtdev pci/$A mac 02:00:00:00:0d:01 &&
	'$V' dev add name vn1 mgmtdev pci/$B mac 02:00:00:00:0d:01"
# dev add hands a device to virtio_vdpa at once: take vn1 back, unstarted
t_ok "dev detach vn1" -- "$V" dev detach vn1

# --- status of an idle device
t_eq "status of a device nobody started: stopped, not suspended, not logging" \
	"stopped false false" \
	"$("${VG[@]}" "$V" -j dev status vn1 | jq -r '.dev.vn1 | "\(.mode) \(.suspended) \(.logging)"')"
t_eq "status dump lists both devices" '["vn0","vn1"]' "$("$V" -j dev status | jq -c '.dev | keys')"
t_fail "suspend of a device not running: EINVAL" '^vdpa-mgmt: dev suspend vn1: .* \(EINVAL\)$' \
	-- "$V" dev suspend vn1

t_fail "log start with no range, no consumer: ENODATA, says why" \
	'^vdpa-mgmt: dev log start vn1: .*mapped no memory yet.* \(ENODATA\)$' -- "$V" dev log start vn1

# --- a running device (the host's virtio_net on vn0)
t_ok "vn0 on virtio_vdpa" -- "$V" dev attach vn0 virtio
IF=$("$V" -j dev show vn0 | jq -r .dev.vn0.netdev)
ip link set "$IF" up
t_eq "status: DRIVER_OK, direct mode" "true direct" \
	"$("$V" -j dev status vn0 | jq -r '.dev.vn0 | "\(.status | index("DRIVER_OK") != null) \(.mode)"')"
t_eq "log start over the first 1 GiB: prints the range" "0 1073741824 4096 262144" \
	"$("${VG[@]}" "$V" -j dev log start vn0 len 1G |
	   jq -r '.log.vn0 | "\(.iova) \(.len) \(.page_size) \(.pages)"')"
t_fail "log start twice: EBUSY" '\(EBUSY\)$' -- "$V" dev log start vn0 len 1G
t_eq "status: logging, shadow mode, the range" "true shadow 1073741824 4096" \
	"$("$V" -j dev status vn0 | jq -r '.dev.vn0 | "\(.logging) \(.mode) \(.log.len) \(.log.page_size)"')"
ping -c 3 -I "$IF" 192.0.2.1 >/dev/null 2>&1	# traffic: the device writes rx buffers
t_ok "log sync to a file" -- "${VG[@]}" "$V" -j dev log sync vn0 "$D/dirty.bin"
t_eq "the bitmap has one bit per page of the range" $((262144 / 8)) "$(stat -c %s "$D/dirty.bin")"
t_ok "log sync -j: pages and a dirty count" -- \
	sh -c "'$V' -j dev log sync vn0 | jq -e '.log.vn0.pages == 262144 and .log.vn0.dirty >= 0'"
t_ok "suspend" -- "${VG[@]}" "$V" dev suspend vn0
t_fail "suspend twice: EALREADY" '\(EALREADY\)$' -- "$V" dev suspend vn0
t_ok "state save" -- "${VG[@]}" "$V" dev state save vn0 "$D/vn0.state"
t_eq "state show: a net blob with the device's queues" \
	"network $(vdpa -j dev show vn0 | jq -r .dev.vn0.max_vqs)" \
	"$("${VG[@]}" "$V" -j dev state show "$D/vn0.state" | jq -r '.state[] | "\(.type) \(.num_queues)"')"
t_ok "state save to stdout is the same blob" -- \
	sh -c "'$V' dev state save vn0 - | cmp - '$D/vn0.state'"
t_ok "log stop" -- "$V" dev log stop vn0
t_fail "log stop twice: ENOENT" '\(ENOENT\)$' -- "$V" dev log stop vn0
t_ok "resume" -- "${VG[@]}" "$V" dev resume vn0
# virtio_vdpa's DMA addresses behind the test VM's IOMMU: the 32-bit window
t_eq "log start with no range on virtio_vdpa: [0, 4 GiB), said in the output" \
	"vn0: iova 0x0 len 4294967296 page_size 4096 pages 1048576" \
	"$("$V" dev log start vn0 | xargs)"
t_ok "... and log stop" -- "$V" dev log stop vn0
t_fail "resume twice: EINVAL" '\(EINVAL\)$' -- "$V" dev resume vn0
t_fail "state save of a running device: refused, no file" '^vdpa-mgmt: dev state save vn0: ' \
	-- "$V" dev state save vn0 "$D/nofile"
t_eq "... and no file" "" "$(ls "$D"/nofile* 2>/dev/null)"
t_fail "state load into a running device: refused" '^vdpa-mgmt: dev state load vn0: ' \
	-- "$V" dev state load vn0 "$D/vn0.state"
t_ok "state load into vn1 (not started)" -- "${VG[@]}" "$V" dev state load vn1 "$D/vn0.state"

# --- migrate: steps on stderr; refused up front when vn1 is running
t_ok "migrate vn0 to vn1 with a log" -- sh -c \
	"'$V' dev migrate vn0 to vn1 len 1G bitmap '$D/m.bin' 2>'$D/steps' && grep -q 'vn0: suspended' '$D/steps' &&
	 grep -q 'vn1: state loaded' '$D/steps' && [ -s '$D/m.bin' ]"
t_eq "after migrate: vn0 suspended, not logging" "true false" \
	"$("$V" -j dev status vn0 | jq -r '.dev.vn0 | "\(.suspended) \(.logging)"')"
"$V" dev resume vn0
"$V" dev attach vn1 virtio >/dev/null
t_fail "migrate onto a running device: EBUSY, nothing changed" '\(EBUSY\)$' \
	-- "$V" dev migrate vn0 to vn1
t_eq "... vn0 still running" "false" "$("$V" -j dev status vn0 | jq -r .dev.vn0.suspended)"

# a destination with fewer queues would refuse the state: refused up
# front, vn0 never suspended
"$V" dev del vn1
"$V" dev add name vn1 mgmtdev "pci/$B" mac 02:00:00:00:0d:01 max_vqp 1 && "$V" dev detach vn1
SUSPENDS=$("$V" -j dev status vn0 | jq -r .dev.vn0.stats.suspends)
t_fail "migrate to a device with fewer queues: exit 1, EINVAL, the counts said" \
	'^vdpa-mgmt: dev migrate vn0 to vn1: vn0 has [0-9]+ vqs, vn1 has 3: .* \(EINVAL\)$' \
	-- "$V" dev migrate vn0 to vn1 len 1G bitmap "$D/fail.bin"
t_eq "... vn0 never suspended, not logging; no bitmap file" "$SUSPENDS false false " \
	"$("$V" -j dev status vn0 | jq -r '.dev.vn0 | "\(.stats.suspends) \(.suspended) \(.logging)"') $(ls "$D"/fail.bin* 2>/dev/null)"
# the way back after the suspend: the final sync's bitmap cannot be
# written (a full file system), so migrate must stop its log and resume vn0
"$V" dev del vn1
"$V" dev add name vn1 mgmtdev "pci/$B" mac 02:00:00:00:0d:01 && "$V" dev detach vn1
mkdir "$D/tiny" && mount -t tmpfs -o size=4k tmpfs "$D/tiny"
t_fail "migrate with its bitmap on a full file system: exit 1, ENOSPC, after the suspend" \
	'^vdpa-mgmt: dev migrate vn0 to vn1: .*\(ENOSPC\)$' \
	-- "$V" dev migrate vn0 to vn1 len 1G bitmap "$D/tiny/m.bin"
# two suspends: the log start's own (direct -> shadow) and migrate's
t_eq "... the way back: vn0 was suspended, is running, not logging; no file" \
	"$((SUSPENDS + 2)) false false " \
	"$("$V" -j dev status vn0 | jq -r '.dev.vn0 | "\(.stats.suspends) \(.suspended) \(.logging)"') $(ls "$D"/tiny/ 2>/dev/null)"
umount "$D/tiny"
"$V" dev del vn1

# --- migrate to a device it adds: provisioned as vn0, taken back from
# virtio_vdpa (which probes every new device) before the load
cfg() { "$V" -j dev config show "$1" | jq -c ".config.$1 | [.mac, .mtu, .max_vq_pairs, .dev_features]"; }
t_ok "migrate vn0 to vn2, added on pci/$B" -- sh -c \
	"${VG[*]} '$V' dev migrate vn0 to vn2 mgmtdev pci/$B 2>'$D/steps2' &&
	 grep -q 'vn2: added on pci/$B, provisioned as vn0' '$D/steps2' &&
	 grep -q 'vn2: detached from virtio_vdpa' '$D/steps2' && grep -q 'vn2: state loaded' '$D/steps2'"
sed 's/^/# /' "$D/steps2"
t_eq "vn2: the mac, mtu, max_vq_pairs and device features of vn0" "$(cfg vn0)" "$(cfg vn2)"
t_eq "vn2 on pci/$B, unattached and not started; vn0 suspended" "pci/$B none stopped true" \
	"$("$V" -j dev status vn2 | jq -r '.dev.vn2 | "\(.mgmtdev) \(.driver // "none") \(.mode)"')\
 $("$V" -j dev status vn0 | jq -r .dev.vn0.suspended)"
"$V" dev resume vn0
t_fail "migrate to a new device on a function that has one: EBUSY, vn0 not suspended" \
	'^vdpa-mgmt: dev migrate vn0 to vn3: dev add vn3: .*\(EBUSY\)$' -- \
	"$V" dev migrate vn0 to vn3 mgmtdev "pci/$B"
t_eq "... vn0 running, no vn3" "false 1" \
	"$("$V" -j dev status vn0 | jq -r .dev.vn0.suspended) $("$V" dev show vn3 >/dev/null 2>&1; echo $?)"
t_fail "migrate with mgmtdev to a device that exists: EEXIST" '\(EEXIST\)$' -- \
	"$V" dev migrate vn0 to vn2 mgmtdev "pci/$B"

"$V" dev del vn0; "$V" dev del vn2
t_done
