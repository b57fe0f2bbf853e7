#!/bin/bash
# vdpa-mgmt apply without a kernel: its parser and planner
# (tests/unit/test_apply.c: good and bad files with their line
# numbers, plans against made-up hosts) under valgrind; then the tool itself,
# under valgrind, on files whose functions this host does not have, so that
# it reads the host and changes nothing: a bad file refused at its line with
# exit 2 and nothing on stdout, the shipped example file accepted, the
# absent functions reported, --dry-run and -j.
. "$(dirname "$0")/../lib-host.sh"
t_program_under_valgrind apply "$VDPA_MGMT/test-apply"

V=$VDPA_MGMT/vdpa-mgmt
[ -x "$V" ] || t_bail "$V not built (make tools)"
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
# functions no test host has: the last bus, device and function numbers
FN1=0000:ff:1f.6 FN2=0000:ff:1f.7
for fn in $FN1 $FN2; do
	[ ! -e "/sys/bus/pci/devices/$fn" ] || t_bail "this host has PCI function $fn"
done

# run ARGS...: RC, OUT (stdout), ERR (stderr) of vdpa-mgmt under valgrind
run() {
	RC=0
	OUT=$("${VALGRIND[@]}" "$V" "$@" 2>"$DIR/err") || RC=$?
	ERR=$(cat "$DIR/err")
}

cat >"$DIR/good.conf" <<CONF
# two functions this host does not have
function $FN1
function $FN2

device ap0 function $FN1 mac 02:00:00:00:00:01 mtu 1500 driver vhost_vdpa
device ap1 function $FN2 device_features -GUEST_ANNOUNCE,-HOST_USO driver virtio
CONF
# line 5 made bad: its MAC one byte short
sed '5s/02:00:00:00:00:01/02:00:00:00:00/' "$DIR/good.conf" >"$DIR/bad.conf"

run apply "$DIR/bad.conf"
t_eq "a bad MAC on line 5: refused with FILE:5, exit 2, nothing on stdout" \
	"2|vdpa-mgmt: apply: $DIR/bad.conf:5: mac \"02:00:00:00:00\" is not a MAC address (02:00:00:00:00:01)|" \
	"$RC|$ERR|$OUT"
# negative control: the same file with that line right passes
run apply "$DIR/good.conf"
t_eq "negative control: the file before the MAC was cut is accepted; its functions absent" \
	"0|$FN1: not present; its devices wait for it
$FN2: not present; its devices wait for it
apply: nothing to change|" "$RC|$OUT|$ERR"
run apply --dry-run "$DIR/good.conf"
t_eq "--dry-run: the same, nothing planned" "0|apply: nothing to change" \
	"$RC|$(tail -n1 <<<"$OUT")"
run -j apply "$DIR/good.conf" --dry-run
t_eq "-j: one object, the absent functions listed, no change" \
	"0|{\"apply\":{\"file\":\"$DIR/good.conf\",\"dry_run\":true,\"changes\":[],\"conflicts\":[],\"absent\":[\"$FN1\",\"$FN2\"]}}|" \
	"$RC|$OUT|$ERR"

# a device name twice: the line of the second, naming the first
sed '$a device ap0 function '"$FN2" "$DIR/good.conf" | sed '6d' >"$DIR/dup.conf"
run apply --dry-run "$DIR/dup.conf"
t_eq "a device name twice: the second's line, the first's named" \
	"2|vdpa-mgmt: apply: $DIR/dup.conf:6: device ap0 is already defined on line 5" "$RC|$ERR"
printf 'function %s\n\ndevice ap0 function %s\n' "$FN1" "$FN2" >"$DIR/unlisted.conf"
run apply "$DIR/unlisted.conf"
t_eq "a device on a function not listed: its line" \
	"2|vdpa-mgmt: apply: $DIR/unlisted.conf:3: device ap0: function $FN2 is not listed (add \"function $FN2\")" \
	"$RC|$ERR"
printf 'function %s\ndevice ap0 function %s speed 10G\n' "$FN1" "$FN1" >"$DIR/key.conf"
run apply "$DIR/key.conf"
t_eq "an unknown key: its line" \
	"2|vdpa-mgmt: apply: $DIR/key.conf:2: unknown key \"speed\" (function, mac, mtu, max_vqp, device_features, driver)" \
	"$RC|$ERR"

# the example shipped (and installed) is a good file: its functions
# renamed to absent ones, so that the check reads the same on any host
EXAMPLE=$VDPA_MGMT/devices.conf.example
sed -e "s/0000:00:03.0/$FN1/g" -e "s/0000:00:04.0/$FN2/g" "$EXAMPLE" >"$DIR/example.conf"
t_ok "the example names functions 0000:00:03.0 and 0000:00:04.0 (renamed here)" -- \
	sh -c "grep -q '^function 0000:00:03.0' '$EXAMPLE' && ! grep -q '0000:00:0[34].0' '$DIR/example.conf'"
run apply --dry-run "$DIR/example.conf"
t_eq "devices.conf.example: accepted, both functions absent here" \
	"0|apply: nothing to change|" "$RC|$(tail -n1 <<<"$OUT")|$ERR"

# usage
run apply --dry-run --force
t_eq "apply: an unknown option, exit 2" \
	"2|vdpa-mgmt: apply: unknown option \"--force\"" "$RC|$(head -n1 <<<"$ERR")"
run apply a.conf b.conf
t_eq "apply: two files, exit 2" "2|vdpa-mgmt: apply: unexpected argument \"b.conf\"" \
	"$RC|$(head -n1 <<<"$ERR")"
run apply "$DIR/missing.conf"
t_eq "apply: a file that is not there, exit 1, one line" \
	"1|vdpa-mgmt: apply: cannot open $DIR/missing.conf: No such file or directory (ENOENT)" \
	"$RC|$ERR"
t_done
