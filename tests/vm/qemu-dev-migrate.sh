#!/bin/bash
# A guest whose disk is a vhost-vdpa-device-pci live-migrates between two
# dpu_vdpa devices, with QEMU patched to use the driver's dirty log and
# device state (qemu/patches, scripts/build-qemu).  The two blk functions
# serve one disk, as networked storage would.  The guest (tests/nested/
# blk-init) runs blk-verify: it rewrites blocks of its disk without end,
# reads each back into a long-lived buffer (the device writes that memory)
# and checks the whole buffer once a second.  Asserted: QEMU sees no
# migration blocker on our device and names why it blocks another vDPA
# device (upstream's vp_vdpa on a third function); the migration
# completes; on the destination the guest goes on checking with no
# mismatch; the source's log is stopped when it completes, and when a
# migrating QEMU is killed; the next guest on the device migrates again.
# A destination on vp_vdpa refuses the state: the migration fails and the
# guest resumes on A with no stale page.
# The negative control migrates
# again with the device's dirty log off (x-dpu-dirty-log=off): the pages
# the device wrote during the migration are stale on the destination, and
# blk-verify must say so.
# vm-options: --nets 0 --blks 3 --blk-shared --mem 2G --timeout 2400
# host-prepare: scripts/build-qemu --into build/qemu-dpu && scripts/build-vp-vdpa
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../nested/migrate.sh"
QEMU=$PROJECT/build/qemu-dpu/qemu-system-x86_64
[ -x "$QEMU" ] || t_bail "no $QEMU (scripts/build-qemu --into build/qemu-dpu)"
set -- $VM_BLKS
A=$1 B=$2 C=$3
[ -n "$C" ] || t_bail "needs three blk functions"
VP_KO=$(ls "$PROJECT"/build/vp_vdpa/"$(uname -r)"/vp_vdpa.ko 2>/dev/null)
BOOT_SECS=${QDM_BOOT_SECS:-600}
BLOCKS=256
MIG_DIR=$(mktemp -d -p "$PROJECT/build" qdm.XXXXXX)
trap 'mig_stop src; mig_stop dst; rm -rf "$MIG_DIR"' EXIT
export MIG_QEMU_BIN=$QEMU MIG_APPEND="blk.blocks=$BLOCKS"

# the guest: busybox, virtio_blk, blk-verify (static), blk-init as /init
initrd() {
	local stage=$MIG_DIR/stage
	mkdir -p "$stage"/{bin,dev,proc,sys,modules} &&
		cp /bin/busybox "$stage/bin/" &&
		gcc -std=c11 -O2 -Wall -Wextra -Werror -static -o "$stage/blk-verify" \
			"$PROJECT/tests/nested/blk-verify.c" &&
		mig_module virtio_blk "$stage/modules" &&
		cp "$PROJECT/tests/nested/blk-init" "$stage/init" &&
		(cd "$stage" && find . | cpio -o -H newc --quiet) >"$MIG_DIR/initrd.cpio"
}
t_ok "the guest's initramfs (blk-verify, virtio_blk)" -- initrd
INITRD=$MIG_DIR/initrd.cpio

ulimit -l unlimited || t_bail "ulimit -l unlimited"
t_ok "modules" -- mig_modules
blk_dev() {	# NAME FN: a blk device on FN, on vhost_vdpa; prints its chardev
	mig_bind "$2" dpu_vdpa >&2 &&
		"$MIG_VDPA_MGMT" dev add name "$1" mgmtdev "pci/$2" >&2 &&
		"$MIG_VDPA_MGMT" dev attach "$1" vhost
}
DA=$(blk_dev qdmA "$A") || t_bail "device qdmA on $A"
DB=$(blk_dev qdmB "$B") || t_bail "device qdmB on $B"
t_ok "qdmA on $A is $DA, qdmB on $B is $DB" -- test -c "$DA" -a -c "$DB"

ok_lines() { grep -a -c 'blk-verify: t=[0-9]* rounds=[0-9]* ok' "$MIG_DIR/$1.console" 2>/dev/null; }
mismatch() { grep -a -m1 'MISMATCH\|I/O error\|exited' "$MIG_DIR/$1.console" 2>/dev/null; }
at_least() { [ "$(ok_lines "$1")" -ge "$2" ]; }
# logging NAME: "true" or "false", as vdpa-mgmt dev status -j says
logging() { "$MIG_VDPA_MGMT" -j dev status "$1" | jq -r '.. | objects | select(has("logging")) | .logging'; }
logging_is() { [ "$(logging "$1")" = "$2" ]; }
runs() { [ "$(mig_qmp "$1" query-status | jq -r .status)" = running ]; }

# migrate_once LABEL DEVICE-OPTIONS: boot on A, migrate to B; sets MIG_RC
migrate_once() {
	local opts=$2
	rm -f "$MIG_DIR/events"
	MIG_DEVICE="vhost-vdpa-device-pci,vhostdev=$DB,addr=0x08$opts" \
		mig_qemu dst "$DB" "$INITRD" -incoming "tcp:127.0.0.1:$MIG_PORT"
	MIG_DEVICE="vhost-vdpa-device-pci,vhostdev=$DA,addr=0x08$opts" \
		mig_qemu src "$DA" "$INITRD"
	t_ok "$1: the guest checks its disk on A" -- mig_wait "$BOOT_SECS" at_least src 3
	t_eq "$1: QEMU sees nothing blocking the migration" "[]" \
		"$(mig_qmp src query-migrate | jq -c '."blocked-reasons" // []')"
	MIG_RC=0
	mig_migrate src || MIG_RC=$?
}

migrate_once "dirty log on" ""
t_eq "the migration completed" 0 "$MIG_RC"
echo "# $(mig_numbers)"
t_ok "on B the guest goes on checking its disk (3 more checks)" -- mig_wait 300 at_least dst 3
t_eq "and never found a stale page" "" "$(mismatch dst)"
t_eq "nor did it on A" "" "$(mismatch src)"
# the source stays stopped, where QEMU would postpone its log stop for ever
t_eq "qdmA's log is stopped once the migration completed" "false" "$(logging qdmA)"
mig_stop src
mig_stop dst

# negative control: the same without the device's log
migrate_once "no dirty log" ",x-dpu-dirty-log=off"
t_eq "negative control: the migration completes" 0 "$MIG_RC"
t_ok "and the guest on B finds a page the device wrote stale (60 s)" -- \
	mig_wait 60 sh -c "grep -a -q MISMATCH $MIG_DIR/dst.console"
mismatch dst | sed 's/^/# /'
mig_stop src
mig_stop dst

# a QEMU that dies while it migrates leaves no log behind: the log is
# owned by its netlink socket (LOG_OWNED), and the next QEMU can start one
MIG_DEVICE="vhost-vdpa-device-pci,vhostdev=$DA,addr=0x08" mig_qemu src "$DA" "$INITRD"
t_ok "killed: the guest checks its disk on A" -- mig_wait "$BOOT_SECS" at_least src 3
# a migration into a pipe nobody reads stays active, and logging
mig_qmp src migrate '{"uri": "exec:sleep 900"}' >/dev/null
t_ok "killed: while it migrates, qdmA logs" -- mig_wait 60 logging_is qdmA true
t_eq "killed: the log is owned" "true" \
	"$("$MIG_VDPA_MGMT" -j dev status qdmA | jq -r '.. | objects | select(has("owned")) | .owned')"
kill -9 "$(cat "$MIG_DIR/src.pid")"
pkill -f "sleep 900"
t_ok "killed (SIGKILL): qdmA's log is stopped" -- mig_wait 20 logging_is qdmA false
mig_stop src
MIG_DEVICE="vhost-vdpa-device-pci,vhostdev=$DB,addr=0x08" \
	mig_qemu dst "$DB" "$INITRD" -incoming "tcp:127.0.0.1:$MIG_PORT"
MIG_DEVICE="vhost-vdpa-device-pci,vhostdev=$DA,addr=0x08" mig_qemu src "$DA" "$INITRD"
t_ok "after it: a new guest on A checks its disk" -- mig_wait "$BOOT_SECS" at_least src 3
MIG_RC=0
mig_migrate src || MIG_RC=$?
t_eq "and migrates (its log start is not refused)" 0 "$MIG_RC"
t_ok "on B it goes on checking its disk" -- mig_wait 300 at_least dst 3
t_eq "with no stale page" "" "$(mismatch dst)"
mig_stop src
mig_stop dst

# another vDPA device: upstream's blocker, with the reason
if [ -n "$VP_KO" ] && insmod "$VP_KO" && mig_bind "$C" vp-vdpa &&
	vdpa dev add name qdmvp mgmtdev "pci/$C"; then
	VP=$("$MIG_VDPA_MGMT" dev attach qdmvp vhost) || t_bail "qdmvp on vhost_vdpa"
	MIG_DEVICE="vhost-vdpa-device-pci,vhostdev=$VP,addr=0x08" mig_qemu other "$VP" "$INITRD"
	mig_wait 60 test -S "$MIG_DIR/other.qmp"
	reasons=$(mig_qmp other query-migrate | jq -r '."blocked-reasons" // [] | .[]')
	echo "# blocked: $reasons"
	t_ok "a vp_vdpa device is blocked, and QEMU says why" -- \
		grep -q "driven by vp-vdpa, and only dpu_vdpa offers the dirty page log" <<<"$reasons"
	mig_stop other
	# a destination that is not dpu_vdpa's cannot take the device's
	# state: the migration fails, and the guest resumes on A, its device
	# given back the state it was stopped with.  The source learns of a
	# failed load only over the return path: without it, it completes
	# and leaves the guest stopped (seen here).
	MIG_DEVICE="vhost-vdpa-device-pci,vhostdev=$VP,addr=0x08" \
		mig_qemu dst "$VP" "$INITRD" -incoming "tcp:127.0.0.1:$MIG_PORT"
	MIG_DEVICE="vhost-vdpa-device-pci,vhostdev=$DA,addr=0x08" mig_qemu src "$DA" "$INITRD"
	t_ok "refused: the guest checks its disk on A" -- mig_wait "$BOOT_SECS" at_least src 3
	rp='{"capabilities": [{"capability": "return-path", "state": true}]}'
	t_ok "refused: the return path on, both sides" -- \
		sh -c "$MIG_QMP $MIG_DIR/src.qmp migrate-set-capabilities '$rp' && $MIG_QMP $MIG_DIR/dst.qmp migrate-set-capabilities '$rp'"
	MIG_RC=0
	mig_migrate src 2>/dev/null || MIG_RC=$?
	t_eq "refused: the migration to a vp_vdpa device fails" 1 "$MIG_RC"
	sed 's/^/# destination: /' "$MIG_DIR/dst.log"
	t_ok "refused: the destination names the reason" -- \
		grep -q "carries the state of a dpu_vdpa device, and this one is not" "$MIG_DIR/dst.log"
	t_ok "refused: QEMU runs the guest on A again" -- mig_wait 60 runs src
	n=$(ok_lines src)
	t_ok "refused: the guest on A goes on checking its disk (3 more checks)" -- \
		mig_wait 300 at_least src $((n + 3))
	t_eq "refused: with no stale page" "" "$(mismatch src)"
	t_ok "refused: qdmA's log is stopped" -- mig_wait 20 logging_is qdmA false
	mig_stop src
	mig_stop dst
	vdpa dev del qdmvp
else
	t_result 1 "vp_vdpa on $C (scripts/build-vp-vdpa)"
fi
vdpa dev del qdmA
vdpa dev del qdmB
t_done
