#!/bin/bash
# vdpa-mgmt apply against the real kernel: a devices file for two net
# functions (one device on virtio_vdpa, one on vhost_vdpa) applied from
# scratch (functions bound, devices created with their attributes, bus
# drivers attached, /dev/vhost-vdpa-N there); applied again: nothing to
# change (under valgrind); a bad file refused at its line with nothing
# changed; --dry-run of a file that adds the blk function: the plan printed,
# nothing changed; a device whose attributes differ: a conflict, left
# alone; a deleted device re-created; a function given back re-bound.
. "$(dirname "$0")/../lib.sh"
V=$PROJECT/tools/vdpa-mgmt/vdpa-mgmt
VG=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible
	--error-exitcode=99)
[ -x "$V" ] || t_bail "$V not built"
two_nets
BLK=${VM_BLKS%% *}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
CONF=$DIR/devices.conf

drv_of() { basename "$(readlink "/sys/bus/pci/devices/$1/driver")"; }
# the bus driver of vDPA device NAME, "none" if it has none
bus_of() {
	local d=/sys/bus/vdpa/devices/$1/driver
	if [ -e "$d" ]; then basename "$(readlink "$d")"; else echo none; fi
}
# what apply must not change: functions' drivers, devices and their bus drivers
snapshot() {
	local fn d
	for fn in $A $B $BLK; do echo "$fn $(drv_of "$fn")"; done
	for d in /sys/bus/vdpa/devices/*; do
		[ -e "$d" ] && echo "${d##*/} $(bus_of "${d##*/}")"
	done
}
# apply_run [-j] ARGS...: RC, OUT, ERR of vdpa-mgmt [-j] apply ARGS (-j is
# the tool's global option: it comes before the command)
apply_run() {
	local json=()
	[ "$1" = -j ] && { json=(-j); shift; }
	RC=0
	OUT=$("$V" "${json[@]}" apply "$@" 2>"$DIR/err") || RC=$?
	ERR=$(cat "$DIR/err")
}

# --- from scratch: both functions on virtio-pci, no device
for fn in $A $B $BLK; do
	[ "$(drv_of "$fn")" = dpu_vdpa ] && "$V" pci unbind "$fn"
done
t_eq "start: both net functions on virtio-pci, no vDPA device" "virtio-pci virtio-pci 0" \
	"$(drv_of "$A") $(drv_of "$B") $(ls /sys/bus/vdpa/devices | wc -l)"

cat >"$CONF" <<EOF
# the test's devices
function $A
function $B

device ap0 function $A mac 02:00:00:00:0a:01 mtu 1500 driver virtio_vdpa
device ap1 function $B device_features -GUEST_ANNOUNCE driver vhost   # QEMU's
EOF

apply_run "$CONF"
t_eq "apply: exit 0, nothing on stderr" "0|" "$RC|$ERR"
echo "$OUT" | sed 's/^/#   /'
t_eq "apply: the functions bound, one line each" \
	"$A: bound to dpu_vdpa
$B: bound to dpu_vdpa" "$(grep 'bound to' <<<"$OUT")"
t_eq "apply: the devices created, one line each" \
	"ap0: created on $A
ap1: created on $B" "$(grep 'created on' <<<"$OUT")"
t_ok "apply: ap0 attached to virtio_vdpa, its netdev named" -- \
	grep -Eqx 'ap0: attached to virtio_vdpa \([a-z0-9]+\)' <<<"$OUT"
t_ok "apply: ap1 attached to vhost_vdpa, its chardev named" -- \
	grep -Eqx 'ap1: attached to vhost_vdpa \(/dev/vhost-vdpa-[0-9]+\)' <<<"$OUT"
t_eq "the functions are dpu_vdpa's" "dpu_vdpa dpu_vdpa" "$(drv_of "$A") $(drv_of "$B")"
t_eq "bus drivers as the file says" "virtio_vdpa vhost_vdpa" "$(bus_of ap0) $(bus_of ap1)"
CHARDEV=$(sed -n 's/^ap1: attached to vhost_vdpa (\(.*\))$/\1/p' <<<"$OUT")
t_ok "ap1's chardev exists: $CHARDEV" -- test -c "$CHARDEV"
t_eq "ap0 has the file's mac and mtu" "02:00:00:00:0a:01 1500" \
	"$("$V" -j dev config show ap0 | jq -r '.config.ap0 | "\(.mac) \(.mtu)"')"
t_eq "ap1 offers no GUEST_ANNOUNCE" "false" \
	"$("$V" -j dev config show ap1 |
		jq '.config.ap1.device_features | index("GUEST_ANNOUNCE") != null')"

# --- again: nothing to change, under valgrind
BEFORE=$(snapshot)
RC=0; OUT=$("${VG[@]}" "$V" apply "$CONF" 2>&1) || RC=$?
t_eq "apply again: nothing to change, exit 0, valgrind clean" "0|apply: nothing to change" \
	"$RC|$OUT"
t_eq "... and nothing changed" "$BEFORE" "$(snapshot)"
apply_run -j "$CONF"
t_eq "apply -j again: no change, no conflict" "0 0 0" \
	"$RC $(jq '.apply.changes, .apply.conflicts | length' <<<"$OUT" | xargs)"

# --- a bad file: refused at its line, nothing changed
sed -e 's/^device ap1 function [^ ]*/& mtu 15OO/' "$CONF" >"$DIR/bad.conf"
cat >>"$DIR/bad.conf" <<EOF
device ap2 function $B
EOF
apply_run "$DIR/bad.conf"
t_eq "a bad file: exit 2, its first bad line (6) and why, nothing on stdout" \
	"2|vdpa-mgmt: apply: $DIR/bad.conf:6: mtu \"15OO\" is not a number from 0 to 65535|" \
	"$RC|$ERR|$OUT"
t_eq "... nothing changed" "$BEFORE" "$(snapshot)"

# --- --dry-run of a file that adds the blk function and a device on it
if [ -n "$BLK" ]; then
	cp "$CONF" "$DIR/more.conf"
	printf 'function %s\ndevice apb function %s driver vhost_vdpa\n' "$BLK" "$BLK" \
		>>"$DIR/more.conf"
	apply_run --dry-run "$DIR/more.conf"
	t_eq "--dry-run: the plan, in order, and its count" \
		"0|$BLK: bind to dpu_vdpa
apb: create on $BLK
apb: attach to vhost_vdpa
apply: dry run: 3 changes planned, nothing done|" "$RC|$OUT|$ERR"
	t_eq "... nothing changed (the blk function still virtio-pci's, no apb)" "$BEFORE" \
		"$(snapshot)"
	apply_run -j --dry-run "$DIR/more.conf"
	t_eq "--dry-run -j: the same actions" "true bind create attach" \
		"$(jq -r '.apply | "\(.dry_run) \([.changes[].action] | join(" "))"' <<<"$OUT")"
else
	t_skip "--dry-run of a file that adds a function" "no blk function in this VM"
fi

# --- a device not as the file says: a conflict, left alone
sed 's/mtu 1500/mtu 1400/' "$CONF" >"$DIR/mtu.conf"
apply_run "$DIR/mtu.conf"
t_eq "mtu differs: exit 1, the line and both values, the device left as it is" \
	"1|vdpa-mgmt: apply: $DIR/mtu.conf:5: device ap0 is not as the file says, left as it is: mtu 1500 here, 1400 in the file (vdpa-mgmt dev del ap0, then apply, to have it re-created)" \
	"$RC|$ERR"
t_eq "... nothing changed" "$BEFORE" "$(snapshot)"
sed 's/driver vhost /driver virtio /' "$CONF" >"$DIR/bus.conf"
apply_run "$DIR/bus.conf"
t_ok "another bus driver in the file: a conflict, never rebound" -- \
	sh -c "[ $RC = 1 ] && grep -q 'ap1 is not as the file says.*it is on vhost_vdpa, the file says virtio_vdpa' '$DIR/err' && [ \"\$(basename \"\$(readlink /sys/bus/vdpa/devices/ap1/driver)\")\" = vhost_vdpa ]"

# --- a deleted device is re-created; a function given back is bound again
t_ok "dev del ap1" -- "$V" dev del ap1
apply_run --dry-run "$CONF"
t_eq "--dry-run after the delete: ap1 planned, not made" \
	"0|ap1: create on $B
ap1: attach to vhost_vdpa
apply: dry run: 2 changes planned, nothing done|none" \
	"$RC|$OUT|$(test -e /sys/bus/vdpa/devices/ap1 && echo ap1 || echo none)"
apply_run "$CONF"
t_eq "apply: ap1 re-created and attached, nothing else done" \
	"0|ap1: created on $B
ap1: attached to vhost_vdpa" "$RC|$(sed 's/ (.*//' <<<"$OUT")"
t_eq "... on vhost_vdpa again, with a chardev" "vhost_vdpa yes" \
	"$(bus_of ap1) $(ls -d /sys/bus/vdpa/devices/ap1/vhost-vdpa-* >/dev/null 2>&1 && echo yes)"
t_ok "pci unbind $A (its device goes with it)" -- "$V" pci unbind "$A"
apply_run "$CONF"
t_eq "apply: $A bound again, ap0 re-created and attached" \
	"0|$A: bound to dpu_vdpa|ap0: created on $A|ap0: attached to virtio_vdpa" \
	"$RC|$(sed -n 1p <<<"$OUT")|$(sed -n 2p <<<"$OUT")|$(sed -n '3s/ (.*//p' <<<"$OUT")"
apply_run "$CONF"
t_eq "and then nothing to change" "0|apply: nothing to change" "$RC|$OUT"

# --- driver none: a new device is left on no bus driver
"$V" dev del ap0
sed 's/ driver virtio_vdpa$/ driver none/' "$CONF" >"$DIR/none.conf"
apply_run "$DIR/none.conf"
t_eq "driver none: ap0 created and on no bus driver (whatever the kernel gave it)" "0|none" \
	"$RC|$(bus_of ap0)"
apply_run "$DIR/none.conf"
t_eq "... then nothing to change" "0|apply: nothing to change" "$RC|$OUT"

# --- clean up: the functions back to virtio-pci
for fn in $A $B; do "$V" pci unbind "$fn"; done
t_eq "cleanup: both net functions on virtio-pci" "virtio-pci virtio-pci" \
	"$(drv_of "$A") $(drv_of "$B")"
t_done
