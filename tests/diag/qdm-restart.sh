#!/bin/bash
# Diagnosis (not in the suite): boot a guest on qdmA with the patched QEMU's
# vhost-vdpa-device-pci, migrate it to qdmB, quit both, again and again.
# Each new guest on A must check its disk.  Stop 29 saw one such restart
# fail: "vq 0: cannot read the avail index (-14)".  dpu_vdpa's dev_dbg
# lines are on; a failing round prints the kernel's lines since it began.
# QDM_ROUNDS (6); QDM_MIGRATE=0: only boot and quit on A; QDM_SHADOW=1:
# every queue in shadow mode (dpu_vdpa.shadow=1), as under a log.
# vm-options: --nets 0 --blks 2 --blk-shared --mem 2G --timeout 3000
# host-prepare: scripts/build-qemu --into build/qemu-dpu
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../nested/migrate.sh"
QEMU=$PROJECT/build/qemu-dpu/qemu-system-x86_64
[ -x "$QEMU" ] || t_bail "no $QEMU (scripts/build-qemu --into build/qemu-dpu)"
set -- $VM_BLKS
A=$1 B=$2
ROUNDS=${QDM_ROUNDS:-6}
BLOCKS=256
MIG_DIR=$(mktemp -d -p "$PROJECT/build" qdr.XXXXXX)
trap 'mig_stop src; mig_stop dst; rm -rf "$MIG_DIR"' EXIT
export MIG_QEMU_BIN=$QEMU MIG_APPEND="blk.blocks=$BLOCKS"
stage=$MIG_DIR/stage
mkdir -p "$stage"/{bin,dev,proc,sys,modules} && cp /bin/busybox "$stage/bin/" &&
	gcc -std=c11 -O2 -Wall -Wextra -Werror -static -o "$stage/blk-verify" \
		"$PROJECT/tests/nested/blk-verify.c" &&
	mig_module virtio_blk "$stage/modules" &&
	cp "$PROJECT/tests/nested/blk-init" "$stage/init" &&
	(cd "$stage" && find . | cpio -o -H newc --quiet) >"$MIG_DIR/initrd.cpio" || t_bail initrd
INITRD=$MIG_DIR/initrd.cpio
ulimit -l unlimited
mig_modules || t_bail modules
echo 'module dpu_vdpa +p' >/sys/kernel/debug/dynamic_debug/control || t_bail dyndbg
[ "${QDM_SHADOW:-0}" = 1 ] && echo 1 >/sys/module/dpu_vdpa/parameters/shadow
blk_dev() {
	mig_bind "$2" dpu_vdpa >&2 && "$MIG_VDPA_MGMT" dev add name "$1" mgmtdev "pci/$2" >&2 &&
		"$MIG_VDPA_MGMT" dev attach "$1" vhost
}
DA=$(blk_dev qdmA "$A") || t_bail qdmA
DB=$(blk_dev qdmB "$B") || t_bail qdmB
ok_lines() { grep -a -c 'blk-verify: t=[0-9]* rounds=[0-9]* ok' "$MIG_DIR/$1.console" 2>/dev/null; }
at_least() { [ "$(ok_lines "$1")" -ge "$2" ]; }
for r in $(seq 1 "$ROUNDS"); do
	echo "qdm-restart: round $r" >/dev/kmsg
	mark=$(wc -l < <(dmesg))
	[ "${QDM_MIGRATE:-1}" = 1 ] && MIG_DEVICE="vhost-vdpa-device-pci,vhostdev=$DB,addr=0x08" \
		mig_qemu dst "$DB" "$INITRD" -incoming "tcp:127.0.0.1:$MIG_PORT"
	MIG_DEVICE="vhost-vdpa-device-pci,vhostdev=$DA,addr=0x08" mig_qemu src "$DA" "$INITRD"
	if mig_wait 240 at_least src 3; then
		t_result 0 "round $r: the guest on A checks its disk"
	else
		t_result 1 "round $r: the guest on A checks its disk"
		dmesg | tail -n +"$mark" | grep -v 'mark\|svq' | tail -80 | sed 's/^/# /'
		tail -5 "$MIG_DIR/src.console" | sed 's/^/# console: /'
		break
	fi
	t_eq "round $r: the device ran in the mode asked" "${QDM_SHADOW:-0}" \
		"$("$MIG_VDPA_MGMT" -j dev status qdmA | jq -r '.. | objects | select(has("mode")) | .mode' | grep -c shadow)"
	if [ "${QDM_MIGRATE:-1}" != 1 ]; then
		mig_stop src
		continue
	fi
	mig_migrate src; rc=$?
	t_eq "round $r: migrated" 0 "$rc"
	t_ok "round $r: on B it checks" -- mig_wait 120 at_least dst 1
	mig_stop src
	mig_stop dst
done
vdpa dev del qdmA
vdpa dev del qdmB
t_done
