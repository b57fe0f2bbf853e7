#!/bin/bash
# vdpa-mgmt's command line, on the host, every run under valgrind: bad
# usage exits 2 with a message and asks the kernel nothing, help exits 0,
# and the few failures that are safe to cause here exit 1 with one line.
. "$(dirname "$0")/../lib-host.sh"
V=$VDPA_MGMT/vdpa-mgmt
[ -x "$V" ] || t_bail "$V not built (make tools)"
ERR=$(mktemp)
trap 'rm -f "$ERR"' EXIT

# run ARGS...: sets RC, OUT (stdout) and ERRTEXT (stderr) of vdpa-mgmt under valgrind
run() {
	RC=0
	OUT=$("${VALGRIND[@]}" "$V" "$@" 2>"$ERR") || RC=$?
	ERRTEXT=$(cat "$ERR")
}

# expect STATUS PATTERN DESCRIPTION -- ARGS...: exit STATUS, PATTERN (ERE) on
# stderr (stdout for status 0), nothing on the other stream.
expect() {
	local status=$1 pat=$2 desc=$3 text quiet; shift 4
	run "$@"
	if [ "$status" = 0 ]; then text=$OUT quiet=$ERRTEXT; else text=$ERRTEXT quiet=$OUT; fi
	if [ "$RC" = "$status" ] && echo "$text" | grep -Eq -- "$pat" && [ -z "$quiet" ]; then
		t_result 0 "$desc"
	else
		echo "# vdpa-mgmt $*: rc=$RC (want $status), want /$pat/"
		echo "$OUT" | sed 's/^/#   out: /'; echo "$ERRTEXT" | sed 's/^/#   err: /'
		t_result 1 "$desc"
	fi
}

M=pci/0000:00:08.0
# --- bad usage: exit 2, a message, the usage line
expect 2 '^usage: vdpa-mgmt' "no arguments: usage, exit 2" --
expect 2 'unknown option "-x"' "unknown option" -- -x dev show
expect 2 'unknown option "--jsn"' "unknown long option" -- --jsn dev show
expect 2 'unknown object "frobnicate"' "unknown object" -- frobnicate
expect 2 'dev: unknown command "suspend"' "dev suspend is not a command yet (no fake)" -- dev suspend vdpa0
expect 2 'dev: unknown command "log"' "dev log is not a command yet" -- dev log start vdpa0
expect 2 'dev: unknown command "state"' "dev state is not a command yet" -- dev state save vdpa0 f
expect 2 'dev: unknown command "migrate"' "dev migrate is not a command yet" -- dev migrate vdpa0
expect 2 'dev config: unknown command "set"' "unknown dev config command" -- dev config set x
expect 2 'dev add: missing "name NAME"' "dev add without arguments" -- dev add
expect 2 'dev add: missing "mgmtdev MGMTDEV"' "dev add without mgmtdev" -- dev add name vdpa0
expect 2 'usage: vdpa-mgmt dev add name NAME mgmtdev' "a usage error shows the command's usage" \
	-- dev add name vdpa0
expect 2 'mac "02:00:00:00:00" is not a MAC address' "dev add: short mac" -- \
	dev add name vdpa0 mgmtdev $M mac 02:00:00:00:00
expect 2 'mac "zz:00:00:00:00:01" is not a MAC address' "dev add: mac with non-hex digits" -- \
	dev add name vdpa0 mgmtdev $M mac zz:00:00:00:00:01
expect 2 'mac "02-00-00-00-00-01" is not' "dev add: mac with dashes" -- \
	dev add name vdpa0 mgmtdev $M mac 02-00-00-00-00-01
expect 2 'mtu "65536" is not a number from 0 to 65535' "dev add: mtu too large for u16" -- \
	dev add name vdpa0 mgmtdev $M mtu 65536
expect 2 'mtu "-1" is not a number' "dev add: negative mtu" -- dev add name vdpa0 mgmtdev $M mtu -1
expect 2 'mtu "1500x" is not a number' "dev add: mtu with junk" -- \
	dev add name vdpa0 mgmtdev $M mtu 1500x
expect 2 'max_vqp "two" is not a number' "dev add: max_vqp not a number" -- \
	dev add name vdpa0 mgmtdev $M max_vqp two
expect 2 'device_features "0xg" is not a 64-bit hex number' "dev add: device_features not hex" -- \
	dev add name vdpa0 mgmtdev $M device_features 0xg
expect 2 'device_features "0x10000000000000000" is not' "dev add: device_features over 64 bits" -- \
	dev add name vdpa0 mgmtdev $M device_features 0x10000000000000000
expect 2 '"mtu" given twice' "dev add: an option twice" -- \
	dev add name vdpa0 mgmtdev $M mtu 1500 mtu 1400
expect 2 'unknown argument "speed"' "dev add: unknown option" -- dev add name vdpa0 mgmtdev $M speed 1
expect 2 '"mac" needs a value' "dev add: option without its value" -- dev add name vdpa0 mgmtdev $M mac
expect 2 "device name \"a/b\" has a '/'" "dev add: a '/' in the name" -- dev add name a/b mgmtdev $M
expect 2 '"pci/" is not a management device' "dev add: mgmtdev without a name" -- \
	dev add name vdpa0 mgmtdev pci/
expect 2 '"a/b/c" is not a management device' "dev add: mgmtdev with two slashes" -- \
	dev add name vdpa0 mgmtdev a/b/c
expect 2 'dev del: missing NAME' "dev del without a name" -- dev del
expect 2 'dev del: unexpected argument "b"' "dev del with two names" -- dev del a b
expect 2 'dev set: nothing to set' "dev set without an attribute" -- dev set vdpa0
expect 2 'dev set: unknown argument "mtu"' "dev set mtu is not settable" -- dev set vdpa0 mtu 1500
expect 2 'dev set: mac "1:2" is not a MAC' "dev set: bad mac" -- dev set vdpa0 mac 1:2
expect 2 'dev attach: missing vhost or virtio' "dev attach without a driver" -- dev attach vdpa0
expect 2 '"kvm": attach to vhost or virtio' "dev attach to an unknown driver" -- dev attach vdpa0 kvm
expect 2 'timeout "soon" is not a number' "dev attach: bad timeout" -- \
	dev attach vdpa0 vhost timeout soon
expect 2 'dev detach: missing NAME' "dev detach without a name" -- dev detach
expect 2 'pci bind: missing BDF' "pci bind without an address" -- pci bind
expect 2 '"0000:00:08" is not a PCI address' "pci bind: not a PCI address" -- pci bind 0000:00:08
expect 2 '"00:08.9" is not a PCI address' "pci unbind: function 9" -- pci unbind 00:08.9
expect 2 'pci unbind: unexpected argument' "pci unbind: two addresses" -- pci unbind 00:08.0 00:09.0
expect 2 'mgmtdev show: unexpected argument "b"' "mgmtdev show: two handles" -- mgmtdev show a b
expect 2 'dev config show: unexpected argument' "dev config show: two names" -- dev config show a b

# a bad command line is refused before the kernel is asked: in a network
# namespace of its own the vdpa family is invisible (it is not netns-aware),
# so any kernel call there would fail with exit 1, not 2
if unshare -n true 2>/dev/null; then
	rc=0; unshare -n "$V" dev add name vdpa0 mgmtdev $M mac 02:00:00:00:00 >/dev/null 2>&1 || rc=$?
	t_eq "bad mac: exit 2 without any kernel call" 2 "$rc"
	expect 1 '^vdpa-mgmt: dev show: the kernel has no "vdpa" netlink family .* \(ENOENT\)$' \
		"no vdpa family: one line naming the command, exit 1" -- dev show
else
	echo "ok $((T_NUM += 1)) # skip unshare -n not permitted"
	echo "ok $((T_NUM += 1)) # skip unshare -n not permitted"
fi 2>/dev/null

# --- help: exit 0 on stdout
expect 0 '^usage: vdpa-mgmt \[-j\] \[-p\] OBJECT' "help" -- help
expect 0 '^usage: vdpa-mgmt' "-h" -- -h
expect 0 '^usage: vdpa-mgmt' "--help" -- --help
expect 0 '^vdpa-mgmt [0-9]' "-V" -- -V
expect 0 'vdpa-mgmt dev attach NAME \{vhost\|virtio\}' "dev help lists the dev commands" -- dev help
expect 0 'vdpa-mgmt pci unbind BDF' "pci -h lists the pci commands" -- pci -h
for words in "mgmtdev show" "dev show" "dev add" "dev del" "dev set" "dev config show" \
	"dev attach" "dev detach" "pci show" "pci bind" "pci unbind"; do
	expect 0 "^usage: vdpa-mgmt $words" "$words -h" -- $words -h
done
run help
t_eq "help names no migration verb (they do not exist yet)" "" \
	"$(echo "$OUT" | grep -Ei 'suspend|resume|migrat|state|dev log')"

# --- failures safe to cause on any host: exit 1, one line
expect 1 '^vdpa-mgmt: pci bind 0000:ff:1f.7: no PCI function 0000:ff:1f.7 \(ENODEV\)$' \
	"pci bind of a missing function" -- pci bind ff:1f.7
expect 1 '^vdpa-mgmt: pci show 0000:ff:1f.7: no PCI function 0000:ff:1f.7 \(ENODEV\)$' \
	"pci show of a missing function" -- pci show 0000:ff:1f.7
expect 1 '^vdpa-mgmt: dev attach nosuch-dev: no vDPA device nosuch-dev \(ENODEV\)$' \
	"dev attach of a missing device" -- dev attach nosuch-dev vhost
expect 1 '^vdpa-mgmt: dev detach nosuch-dev: no vDPA device nosuch-dev \(ENODEV\)$' \
	"dev detach of a missing device" -- dev detach nosuch-dev
t_done
