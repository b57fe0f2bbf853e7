#!/bin/bash
# A guest whose disk is a vhost-vdpa-device-pci live-migrates between two
# dpu_vdpa devices, with QEMU patched to use the driver's dirty log and
# device state (qemu/patches, scripts/build-qemu).  The two blk functions
# serve one disk, as networked storage would.  The guest (tests/nested/
# blk-init) runs blk-verify: it rewrites blocks of its disk without end,
# reads each back into a long-lived buffer (the device writes that memory)
# and checks the whole buffer once a second.  Three boots of the guest
# on A carry five phases:
#  1. A to B with the device's dirty log: QEMU sees no blocker, the
#     migration completes, the guest on B goes on with no mismatch, the
#     source's log is stopped; what the log reported per sync round is
#     printed.
#  2. The negative control: B back to A with B's log off
#     (x-dpu-dirty-log=off): a page the device wrote is stale on A, and
#     blk-verify must say so.
#  3. A migrating QEMU killed with SIGKILL leaves no log behind.
#  4. Upstream's vp_vdpa on a third function is blocked, with the reason.
#  5. The next guest on A is sent to a destination on vp_vdpa and to one
#     of ours of another type (a NIC): each migration fails and the guest
#     resumes on A with no stale page and its log stopped; then it
#     migrates to B (the killed QEMU's log did not stay in the way).
# vm-options: --nets 1 --blks 3 --blk-shared --mem 2G --timeout 2400
# host-prepare: scripts/build-qemu --into build/qemu-dpu && scripts/build-vp-vdpa
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../nested/migrate.sh"
QEMU=$PROJECT/build/qemu-dpu/qemu-system-x86_64
[ -x "$QEMU" ] || t_bail "no $QEMU (scripts/build-qemu --into build/qemu-dpu)"
set -- $VM_BLKS
A=$1 B=$2 C=$3
N=${VM_NETS%% *}	# a net function: a destination of another type
[ -n "$C" ] || t_bail "needs three blk functions"
VP_KO=$(ls "$PROJECT"/build/vp_vdpa/"$(uname -r)"/vp_vdpa.ko 2>/dev/null)
BOOT_SECS=${QDM_BOOT_SECS:-600}
BLOCKS=256
MIG_DIR=$(mktemp -d -p "$PROJECT/build" qdm.XXXXXX)
trap 'mig_stop src; mig_stop dst; mig_stop back; mig_stop other; rm -rf "$MIG_DIR"' EXIT
export MIG_QEMU_BIN=$QEMU MIG_APPEND="blk.blocks=$BLOCKS"

INITRD=$(mig_blk_initrd)
t_ok "the guest's initramfs (blk-verify, virtio_blk): $INITRD" -- test -s "$INITRD"

ulimit -l unlimited || t_bail "ulimit -l unlimited"
t_ok "modules" -- mig_modules
DA=$(mig_blk_dev_add qdmA "$A") || t_bail "device qdmA on $A"
DB=$(mig_blk_dev_add qdmB "$B") || t_bail "device qdmB on $B"
t_ok "qdmA on $A is $DA, qdmB on $B is $DB" -- test -c "$DA" -a -c "$DB"

ok_lines() { grep -a -c 'blk-verify: t=[0-9]* rounds=[0-9]* ok' "$MIG_DIR/$1.console" 2>/dev/null; }
mismatch() { grep -a -m1 'MISMATCH\|I/O error\|exited' "$MIG_DIR/$1.console" 2>/dev/null; }
at_least() { [ "$(ok_lines "$1")" -ge "$2" ]; }
# switch_seen FROM TO: the guest's own view of the switch, its last check
# on one side and its first on the other (blk-verify's t=, seconds of the
# guest's clock, which stands still while the guest is stopped)
switch_seen() {
	local a b
	a=$(grep -a -o 'blk-verify: t=[0-9]*' "$MIG_DIR/$1.console" | tail -n1 | cut -d= -f2)
	b=$(grep -a -o 'blk-verify: t=[0-9]*' "$MIG_DIR/$2.console" | head -n1 | cut -d= -f2)
	echo "last check on $1 at t=${a:-?} s, first on $2 at t=${b:-?} s"
}

# qemu_on NAME DEVICE [DEVICE-OPTIONS [QEMU ARGS]]: a QEMU for the guest,
# its disk on DEVICE; incoming NAME DEVICE [DEVICE-OPTIONS [return-path]]:
# one that waits for a migration (listening, its QMP socket up, when it
# returns), with the return path if asked
qemu_on() {
	local name=$1 dev=$2 opts=${3:-}
	shift 2
	[ $# -gt 0 ] && shift
	MIG_DEVICE="vhost-vdpa-device-pci,vhostdev=$dev,addr=0x08$opts" \
		mig_qemu "$name" "$dev" "$INITRD" "$@"
}
incoming() {
	qemu_on "$1" "$2" "${3:-}" -incoming "tcp:127.0.0.1:$MIG_PORT"
	mig_listening "$1" && mig_wait 10 test -S "$MIG_DIR/$1.qmp" || return 1
	[ "${4:-}" != return-path ] ||
		mig_qmp "$1" migrate-set-capabilities "$MIG_RETURN_PATH" >/dev/null
}

# refused LABEL DEVICE REASON: the running guest on A migrates to a
# destination QEMU on DEVICE, which cannot take its state: the migration
# fails, the destination says REASON (an extended regex), and the guest
# goes on on A with its disk intact and qdmA's log stopped.
refused() {
	local n
	t_ok "refused by $1: a destination on $2 listens" -- incoming dst "$2"
	mig_refused "refused by $1" src dst "$3"
	n=$(ok_lines src)
	t_ok "refused by $1: the guest on A goes on checking its disk (3 more checks)" -- \
		mig_wait 300 at_least src $((n + 3))
	t_eq "refused by $1: with no stale page" "" "$(mismatch src)"
	t_ok "refused by $1: qdmA's log is stopped" -- mig_wait 20 mig_logging_is qdmA false
	mig_stop dst
}

# 1. A to B with the device's log.  B's QEMU runs without it
# (x-dpu-dirty-log=off), for the negative control that follows.
t_ok "a destination on B listens (its log off, for phase 2)" -- incoming dst "$DB" ",x-dpu-dirty-log=off"
qemu_on src "$DA"
t_ok "the guest checks its disk on A" -- mig_wait "$BOOT_SECS" at_least src 3
t_eq "QEMU sees nothing blocking the migration" "[]" \
	"$(mig_qmp src query-migrate | jq -c '."blocked-reasons" // []')"
MIG_RC=0
mig_log_mark
mig_migrate src || MIG_RC=$?
t_eq "A to B, the device's log on: the migration completed" 0 "$MIG_RC"
echo "# $(mig_numbers)"
rounds=$(mig_log_rounds qdmA)
echo "# qdmA's dirty log, per round: $rounds"
t_ok "QEMU synced qdmA's log, and it reported pages the device wrote" -- \
	sh -c "echo '$rounds' | grep -Eq 'pages=[0-9,]*[1-9]'"
t_ok "on B the guest goes on checking its disk (3 more checks)" -- mig_wait 300 at_least dst 3
echo "# the guest's checks: $(switch_seen src dst)"
t_eq "and never found a stale page" "" "$(mismatch dst)"
t_eq "nor did it on A" "" "$(mismatch src)"
# the source stays stopped, where QEMU would postpone its log stop for ever
t_eq "qdmA's log is stopped once the migration completed" "false" "$(mig_logging qdmA)"
mig_stop src

# 2. The negative control: the same guest back from B to A without the
# device's log.  The pages qdmB wrote while the guest's memory was copied
# are stale on A, and blk-verify must say so.
t_ok "negative control: a destination on A listens" -- incoming back "$DA"
MIG_RC=0
mig_migrate dst || MIG_RC=$?
t_eq "negative control (B to A, no dirty log): the migration completes" 0 "$MIG_RC"
t_ok "and the guest on A finds a page the device wrote stale (60 s)" -- \
	mig_wait 60 sh -c "grep -a -q MISMATCH $MIG_DIR/back.console"
mismatch back | sed 's/^/# /'
mig_stop dst
mig_stop back

# 3. A QEMU that dies while it migrates leaves no log behind: the log is
# owned by its netlink socket (LOG_OWNED), and the next QEMU can start one
qemu_on src "$DA"
t_ok "killed: the guest checks its disk on A" -- mig_wait "$BOOT_SECS" at_least src 3
# a migration into a pipe nobody reads stays active, and logging
mig_qmp src migrate '{"uri": "exec:sleep 900"}' >/dev/null
t_ok "killed: while it migrates, qdmA logs" -- mig_wait 60 mig_logging_is qdmA true
t_eq "killed: the log is owned" "true" \
	"$("$MIG_VDPA_MGMT" -j dev status qdmA | jq -r '.. | objects | select(has("owned")) | .owned')"
kill -9 "$(cat "$MIG_DIR/src.pid")"
pkill -f "sleep 900"
t_ok "killed (SIGKILL): qdmA's log is stopped" -- mig_wait 20 mig_logging_is qdmA false
mig_stop src

# 4. Another vDPA device: upstream's blocker, with the reason
VP=
if [ -n "$VP_KO" ] && insmod "$VP_KO" && mig_bind "$C" vp-vdpa &&
	vdpa dev add name qdmvp mgmtdev "pci/$C"; then
	VP=$("$MIG_VDPA_MGMT" dev attach qdmvp vhost) || t_bail "qdmvp on vhost_vdpa"
	qemu_on other "$VP"
	mig_wait 60 test -S "$MIG_DIR/other.qmp"
	reasons=$(mig_qmp other query-migrate | jq -r '."blocked-reasons" // [] | .[]')
	echo "# blocked: $reasons"
	t_ok "a vp_vdpa device is blocked, and QEMU says why" -- \
		grep -q "driven by vp-vdpa, and only dpu_vdpa offers the dirty page log" <<<"$reasons"
	mig_stop other
else
	t_result 1 "vp_vdpa on $C (scripts/build-vp-vdpa)"
fi

# 5. The next guest on A: first to destinations that cannot take its
# device's state, where the migration fails and the guest resumes on A,
# its device given back the state it was stopped with (the source learns
# of a failed load only over the return path: without it, it completes
# and leaves the guest stopped, seen here); then to B, where it goes on.
qemu_on src "$DA"
t_ok "after it: a new guest on A checks its disk" -- mig_wait "$BOOT_SECS" at_least src 3
# upstream's vp_vdpa: the patched QEMU finds no dpu_vdpa device to load into
[ -z "$VP" ] || refused "vp_vdpa" "$VP" "carries the state of a dpu_vdpa device, and this one is not"
# one of ours of another type (a NIC): QEMU refuses it before our driver
# sees the state, at the PCI config (the device ID register, 0x2,
# differs); the driver's own check of the device type is state.sh's
if [ -n "$N" ] && DN=$(mig_dev_add qdmN "$N"); then
	refused "a dpu_vdpa NIC" "$DN" "Bad config data: i=0x2 "
	vdpa dev del qdmN
else
	t_result 1 "a dpu_vdpa NIC on ${N:-(none)} (the other-type destination)"
fi
t_ok "a destination on B listens, the return path on" -- incoming dst "$DB" "" return-path
MIG_RC=0
mig_migrate src || MIG_RC=$?
t_eq "then it migrates to B (its log start is not refused)" 0 "$MIG_RC"
t_ok "on B it goes on checking its disk" -- mig_wait 300 at_least dst 3
t_eq "with no stale page" "" "$(mismatch dst)"
mig_stop src
mig_stop dst
[ -z "$VP" ] || vdpa dev del qdmvp
vdpa dev del qdmA
vdpa dev del qdmB
t_done
