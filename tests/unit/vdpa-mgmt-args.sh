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
expect 2 'dev: unknown command "suspnd"' "a misspelt dev command" -- dev suspnd vdpa0
expect 2 'dev log: unknown command "flush"' "unknown dev log command" -- dev log flush vdpa0
expect 2 'dev state: unknown command "dump"' "unknown dev state command" -- dev state dump vdpa0
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
expect 2 'device_features: "0xg" is not a 64-bit hex number' "dev add: device_features not hex" -- \
	dev add name vdpa0 mgmtdev $M device_features 0xg
expect 2 'device_features: "0x10000000000000000" is not' "dev add: device_features over 64 bits" -- \
	dev add name vdpa0 mgmtdev $M device_features 0x10000000000000000
expect 2 'device_features: unknown feature "HOST_USOO"' "dev add: an unknown feature name" -- \
	dev add name vdpa0 mgmtdev $M device_features -GUEST_ANNOUNCE,-HOST_USOO
expect 2 'device_features: unknown profile "qemu" \(known: qemu-svq\)' "dev add: an unknown profile" -- \
	dev add name vdpa0 mgmtdev $M device_features profile=qemu
expect 2 'device_features: an empty name' "dev add: an empty name in a list" -- \
	dev add name vdpa0 mgmtdev $M device_features MAC,,MQ
expect 2 'device_features: a profile comes first' "dev add: a profile after a name" -- \
	dev add name vdpa0 mgmtdev $M device_features -MAC,profile=qemu-svq
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

# --- the dpu_vdpa family's verbs: bad usage
expect 2 'dev suspend: missing NAME' "dev suspend without a name" -- dev suspend
expect 2 'dev suspend: unexpected argument "b"' "dev suspend with two names" -- dev suspend a b
expect 2 "dev resume: device name \"a/b\" has a '/'" "dev resume: bad name" -- dev resume a/b
expect 2 'dev resume: missing NAME' "dev resume without a name" -- dev resume
expect 2 'dev status: unexpected argument "b"' "dev status with two names" -- dev status a b
expect 2 'dev log start: missing NAME' "dev log start without a name" -- dev log start
expect 2 'dev log start: missing "len BYTES"' "dev log start: iova alone is not enough" -- \
	dev log start vdpa0 iova 0x1000
expect 2 'len "4X" is not a 64-bit number' "dev log start: unknown size suffix" -- \
	dev log start vdpa0 len 4X
expect 2 'len "0x10G" is not a 64-bit number' "dev log start: no suffix on hex" -- \
	dev log start vdpa0 len 0x10G
expect 2 'len "16777216T" is not a 64-bit number' "dev log start: suffix overflowing 64 bits" -- \
	dev log start vdpa0 len 16777216T
expect 2 'len "-1" is not a 64-bit number' "dev log start: negative len" -- dev log start vdpa0 len -1
expect 2 'dev log start: len must not be 0' "dev log start: len 0" -- dev log start vdpa0 len 0
expect 2 'iova \+ len is past 2\^64' "dev log start: range wrapping 2^64" -- \
	dev log start vdpa0 iova 0xfffffffffffff000 len 8K
expect 2 'page_size "3000" is not a power of two from 4096 to 1G' "dev log start: page_size 3000" -- \
	dev log start vdpa0 len 1G page_size 3000
expect 2 'page_size "2048" is not a power of two' "dev log start: page_size below 4096" -- \
	dev log start vdpa0 len 1G page_size 2048
expect 2 'page_size "2G" is not a power of two' "dev log start: page_size above 1G" -- \
	dev log start vdpa0 len 1G page_size 2G
expect 2 '"len" given twice' "dev log start: len twice" -- dev log start vdpa0 len 1G len 2G
expect 2 'dev log start: unknown argument "size"' "dev log start: unknown keyword" -- \
	dev log start vdpa0 size 1G
expect 2 'dev log sync: missing NAME' "dev log sync without a name" -- dev log sync
expect 2 'dev log sync: unexpected argument "c"' "dev log sync with two files" -- dev log sync a b c
expect 2 'dev log stop: missing NAME' "dev log stop without a name" -- dev log stop
expect 2 'dev state save: missing NAME' "dev state save without arguments" -- dev state save
expect 2 'dev state save: missing FILE' "dev state save without a file" -- dev state save vdpa0
expect 2 'dev state save: unexpected argument "x"' "dev state save: too many" -- \
	dev state save vdpa0 f x
expect 2 'dev state load: missing FILE' "dev state load without a file" -- dev state load vdpa0
expect 2 'dev state show: missing FILE' "dev state show without a file" -- dev state show
expect 2 'dev state show: unexpected argument "b"' "dev state show: two files" -- dev state show a b
expect 2 'dev migrate: expected NAME to NAME2' "dev migrate without a destination" -- dev migrate vdpa0
expect 2 'dev migrate: expected NAME to NAME2' "dev migrate without \"to\"" -- dev migrate vdpa0 vdpa1
expect 2 'dev migrate: NAME and NAME2 are the same' "dev migrate onto itself" -- dev migrate a to a
expect 2 'dev migrate: missing "len BYTES"' "dev migrate: iova without len" -- \
	dev migrate a to b iova 0
expect 2 'dev migrate: missing "len BYTES"' "dev migrate: page_size without len" -- \
	dev migrate a to b page_size 4096
expect 2 'dev migrate: bitmap needs a file' "dev migrate: bitmap to stdout refused" -- \
	dev migrate a to b len 1G bitmap -
expect 2 'dev migrate: unknown argument "via"' "dev migrate: unknown keyword" -- \
	dev migrate a to b via c
expect 2 'dev migrate: "pci/" is not a management device' "dev migrate: bad mgmtdev" -- \
	dev migrate a to b mgmtdev pci/

# a bad command line is refused before the kernel is asked: in a network
# namespace of its own the vdpa family is invisible (it is not netns-aware),
# so any kernel call there would fail with exit 1, not 2
if unshare -n true 2>/dev/null; then
	rc=0; unshare -n "$V" dev add name vdpa0 mgmtdev $M mac 02:00:00:00:00 >/dev/null 2>&1 || rc=$?
	t_eq "bad mac: exit 2 without any kernel call" 2 "$rc"
	rc=0; unshare -n "$V" dev add name vdpa0 mgmtdev $M device_features -HOST_USOO >/dev/null 2>&1 || rc=$?
	t_eq "unknown feature name: exit 2 without any kernel call" 2 "$rc"
	expect 1 '^vdpa-mgmt: dev add vdpa0: the kernel has no "vdpa" netlink family .* \(ENOENT\)$' \
		"feature names: the mgmtdev is asked first (exit 1 without the family)" -- \
		dev add name vdpa0 mgmtdev $M device_features -GUEST_ANNOUNCE,-HOST_USO
	expect 1 '^vdpa-mgmt: dev show: the kernel has no "vdpa" netlink family .* \(ENOENT\)$' \
		"no vdpa family: one line naming the command, exit 1" -- dev show
	# the dpu_vdpa family is not there either: each verb fails in one line,
	# exit 1, and writes no file
	NOFAM='the kernel has no "dpu_vdpa" netlink family \(is the dpu_vdpa module loaded\?\) \(ENOENT\)$'
	OUTF=$(mktemp -u)
	for verb in "dev suspend vdpa0" "dev resume vdpa0" "dev log start vdpa0 len 1G" \
		"dev log sync vdpa0 $OUTF" "dev log stop vdpa0" "dev state save vdpa0 $OUTF" \
		"dev status vdpa0" "dev migrate vdpa0 to vdpa1 len 1G bitmap $OUTF"; do
		set -- $verb
		rc=0; err=$(unshare -n "$V" $verb 2>&1 >/dev/null) || rc=$?
		want="^vdpa-mgmt: $1 $2 $3: "
		[ "$2" = log ] || [ "$2" = state ] && want="^vdpa-mgmt: $1 $2 $3 $4: "
		[ "$2" = migrate ] && want="^vdpa-mgmt: dev migrate vdpa0 to vdpa1: dev get vdpa0: "
		if [ $rc = 1 ] && [ "$(echo "$err" | wc -l)" = 1 ] &&
			echo "$err" | grep -Eq "$want$NOFAM" && ! ls "$OUTF"* >/dev/null 2>&1; then
			t_result 0 "$verb without the family: one line, exit 1, no file"
		else
			echo "# rc=$rc: $err"; ls "$OUTF"* 2>/dev/null | sed 's/^/# left: /'
			t_result 1 "$verb without the family: one line, exit 1, no file"
		fi
		rm -f "$OUTF"*
	done
else
	for i in $(seq 12); do echo "ok $((T_NUM += 1)) # skip unshare -n not permitted"; done
fi 2>/dev/null

# --- help: exit 0 on stdout
expect 0 '^usage: vdpa-mgmt \[-j\] \[-p\] OBJECT' "help" -- help
expect 0 '^usage: vdpa-mgmt' "-h" -- -h
expect 0 '^usage: vdpa-mgmt' "--help" -- --help
expect 0 '^vdpa-mgmt [0-9]' "-V" -- -V
expect 0 'vdpa-mgmt dev attach NAME \{vhost\|virtio\}' "dev help lists the dev commands" -- dev help
expect 0 'vdpa-mgmt pci unbind BDF' "pci -h lists the pci commands" -- pci -h
for words in "mgmtdev show" "dev show" "dev add" "dev del" "dev set" "dev config show" \
	"dev attach" "dev detach" "pci show" "pci bind" "pci unbind" "dev status" "dev suspend" \
	"dev resume" "dev log start" "dev log sync" "dev log stop" "dev state save" \
	"dev state load" "dev state show" "dev migrate" "apply"; do
	expect 0 "^usage: vdpa-mgmt $words" "$words -h" -- $words -h
done
run help
t_eq "help lists every migration verb" 10 \
	"$(echo "$OUT" | grep -Ec '^  vdpa-mgmt dev (status|suspend|resume|log (start|sync|stop)|state (save|load|show)|migrate) ')"
expect 0 'len: its length, required' "dev log start -h explains why len is required" -- \
	dev log start -h
expect 0 'ssh host vdpa-mgmt dev state load B -' "dev state save -h shows the remote form" -- \
	dev state save -h
expect 0 'stays suspended' "dev migrate -h says what is left to do" -- dev migrate -h
expect 0 'device NAME function BDF \[mac MAC\]' "apply -h shows the lines of the file" -- apply -h
expect 2 'apply: unknown option "-n"' "apply: an unknown option" -- apply -n
expect 0 '^vdpa-mgmt dev log start NAME \[\[iova ADDR\] len BYTES\]' "dev log help lists the log commands" \
	-- dev log help

# --- failures safe to cause on any host: exit 1, one line
expect 1 '^vdpa-mgmt: pci bind 0000:ff:1f.7: no PCI function 0000:ff:1f.7 \(ENODEV\)$' \
	"pci bind of a missing function" -- pci bind ff:1f.7
expect 1 '^vdpa-mgmt: pci show 0000:ff:1f.7: no PCI function 0000:ff:1f.7 \(ENODEV\)$' \
	"pci show of a missing function" -- pci show 0000:ff:1f.7
expect 1 '^vdpa-mgmt: dev attach nosuch-dev: no vDPA device nosuch-dev \(ENODEV\)$' \
	"dev attach of a missing device" -- dev attach nosuch-dev vhost
expect 1 '^vdpa-mgmt: dev detach nosuch-dev: no vDPA device nosuch-dev \(ENODEV\)$' \
	"dev detach of a missing device" -- dev detach nosuch-dev

# binary output to a terminal is refused before the kernel is asked (a log
# sync clears what it reads); script(1) gives the command a terminal
TTY_OUT=$(script -qec "$V dev log sync vdpa0 -; echo rc=\$?" /dev/null | tr -d '\r')
t_eq "dev log sync to stdout on a terminal: refused, exit 1" \
	"vdpa-mgmt: dev log sync vdpa0: standard output is a terminal: send the binary data to a file or a pipe (EINVAL)
rc=1" "$TTY_OUT"
t_done
