#!/bin/bash
# vdpa-mgmt against the real kernel: pci bind/unbind, mgmtdev and dev
# show (JSON equal to iproute2's vdpa on every field it prints), dev add
# with attributes, attach to virtio_vdpa (netdev with the MAC, ping across
# the bridged pair; a disk for blk) and to vhost_vdpa (/dev/vhost-vdpa-N),
# detach, del, the errors with the kernel's or the driver's own reason,
# device_features by name and profile, a staged state in dev status (and
# its keys as dev show's), and valgrind over the commands.
. "$(dirname "$0")/../lib.sh"
V=$PROJECT/tools/vdpa-mgmt/vdpa-mgmt
VG=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible
	--error-exitcode=99)
set -- $VM_NETS
A=$1 B=$2
BLK=${VM_BLKS%% *}
[ -n "$B" ] && [ -n "$BLK" ] || t_bail "needs two net functions and a blk function"
[ -x "$V" ] || t_bail "$V not built"
load_modules || t_bail "modprobe"

drv_of() { basename "$(readlink "/sys/bus/pci/devices/$1/driver")"; }

# same_as_vdpa SECTION ARGS...: "vdpa -j ARGS" and "vdpa-mgmt -j ARGS" list
# the same objects and agree on every field vdpa prints (its "link " and
# "link_announce " keys read without their trailing space).
same_as_vdpa() {
	local section=$1 theirs ours; shift
	theirs=$(vdpa -j "$@") && ours=$("$V" -j "$@") || return 1
	jq -en --argjson t "$theirs" --argjson o "$ours" --arg s "$section" '
		($t[$s] | map_values(with_entries(.key |= rtrimstr(" ")))) as $T
		| ($o[$s] | keys) == ($T | keys)
		  and ($T | to_entries | all(.key as $d | .value | to_entries
			| all(.key as $k | .value == $o[$s][$d][$k])))' >/dev/null && return 0
	echo "vdpa:      $theirs"; echo "vdpa-mgmt: $ours"
	return 1
}

# rc CMD...: the exit status alone
rc() { "$@" >/dev/null 2>&1; echo $?; }

# What the running kernel's vDPA core offers, as the module's build probed
# it (modinfo's conftest field): on Debian 12's 6.1 there is no "vdpa dev
# set", and what a check needs of it is asserted as refused instead.
CONFTEST=$(modinfo -F conftest dpu_vdpa 2>/dev/null)
core_has() { case " $CONFTEST " in *" +$1 "*) return 0 ;; esac; return 1; }

# --- PCI functions
rmmod dpu_vdpa
t_fail "pci bind without dpu_vdpa loaded says so" \
	"^vdpa-mgmt: pci bind $A: the dpu_vdpa driver is not loaded \(modprobe dpu_vdpa\) \(ENOENT\)$" \
	-- "$V" pci bind "$A"
modprobe dpu_vdpa || t_bail "modprobe dpu_vdpa"
t_fail "pci bind of a missing function: ENODEV" "^vdpa-mgmt: pci bind 0000:00:1e.0: no PCI function 0000:00:1e.0 \(ENODEV\)$" \
	-- "$V" pci bind 0000:00:1e.0
t_fail "pci unbind of a function dpu_vdpa does not have: EINVAL" \
	"not bound to dpu_vdpa \(driver: virtio-pci\) \(EINVAL\)$" -- "$V" pci unbind "$A"
t_eq "pci bind prints the mgmtdev" "pci/$A" "$("$V" pci bind "$A")"
t_eq "pci bind takes the short form of the address" "pci/$B" "$("$V" pci bind "${B#0000:}")"
t_eq "the functions are dpu_vdpa's" "dpu_vdpa dpu_vdpa" "$(drv_of "$A") $(drv_of "$B")"
t_eq "pci bind of a bound function is a no-op" "0" "$(rc "$V" pci bind "$A")"
t_fail "pci bind with stdout unwritable: exit 1, one line saying so" \
	"^vdpa-mgmt: pci bind: cannot write to standard output: No space left on device \(ENOSPC\)$" \
	-- sh -c "'$V' pci bind '$A' >/dev/full"
t_eq "pci show -j: driver and mgmtdev" "dpu_vdpa pci/$A" \
	"$("$V" -j pci show "$A" | jq -r ".pci[\"$A\"] | \"\(.driver) \(.mgmtdev)\"")"
# the SMBus controller stands in for any function that is not virtio
t_fail "a refused function: dpu_vdpa's own reason and errno" \
	"^vdpa-mgmt: pci bind 0000:00:1f.3: dpu_vdpa refused the function: not a modern virtio-pci function.* \(ENODEV\)$" \
	-- "$V" pci bind 0000:00:1f.3
t_eq "... and the function is back with its driver" "i801_smbus (null)" \
	"$(drv_of 0000:00:1f.3) $(cat /sys/bus/pci/devices/0000:00:1f.3/driver_override)"

# --- management devices
t_ok "mgmtdev show lists pci/$A" -- sh -c "'$V' mgmtdev show | grep -q '^pci/$A:\$'"
t_ok "mgmtdev show -j parses with jq" -- \
	sh -c "'$V' -j mgmtdev show | jq -e '.mgmtdev[\"pci/$A\"].max_supported_vqs > 0'"
t_ok "mgmtdev show -j equals vdpa -j mgmtdev show" -- same_as_vdpa mgmtdev mgmtdev show
t_ok "mgmtdev show MGMTDEV -j equals vdpa's" -- same_as_vdpa mgmtdev mgmtdev show "pci/$B"
t_ok "-p is indented JSON" -- \
	sh -c "'$V' -p mgmtdev show pci/$A | grep -q '^        \"pci/$A\": {' && '$V' -p mgmtdev show | jq -e . >/dev/null"
t_fail "mgmtdev show of an unknown handle: the kernel's extack" \
	"^vdpa-mgmt: mgmtdev show pci/0000:00:1e.0: vdpa: Fail to find the specified mgmt device \(ENODEV\)$" \
	-- "$V" mgmtdev show pci/0000:00:1e.0

# --- dev add and what it made
t_ok "dev add vdpa0 with mac, mtu and max_vqp" -- \
	"$V" dev add name vdpa0 mgmtdev "pci/$A" mac 02:00:00:00:0e:01 mtu 4000 max_vqp 2
t_fail "dev add with a taken name on a free function: EEXIST" \
	"^vdpa-mgmt: dev add vdpa0: .* \(EEXIST\)$" -- "$V" dev add name vdpa0 mgmtdev "pci/$B"
t_fail "second device on a function: EBUSY, in the driver's words" \
	"^vdpa-mgmt: dev add vdpa9: function already has vDPA device vdpa0 \(EBUSY\)$" \
	-- "$V" dev add name vdpa9 mgmtdev "pci/$A"
t_fail "unknown mgmtdev: ENODEV, in the kernel's extack words" \
	"^vdpa-mgmt: dev add x: vdpa: Fail to find the specified management device \(ENODEV\)$" \
	-- "$V" dev add name x mgmtdev pci/0000:00:1e.0
t_fail "multicast mac: EINVAL, in the driver's words" \
	"^vdpa-mgmt: dev add x: mac 01:00:5e:00:00:01: not a unicast address \(EINVAL\)$" \
	-- "$V" dev add name x mgmtdev "pci/$B" mac 01:00:5e:00:00:01
t_fail "mtu above the function's: ERANGE, in the driver's words" \
	"^vdpa-mgmt: dev add x: mtu 9001 out of range 68-9000 \(ERANGE\)$" \
	-- "$V" dev add name x mgmtdev "pci/$B" mtu 9001
t_err "malformed mac: usage error" 'mac "02:00:00:00:0e" is not a MAC address' -- \
	"$V" dev add name x mgmtdev "pci/$B" mac 02:00:00:00:0e
t_eq "malformed mac: exit 2" "2" "$(rc "$V" dev add name x mgmtdev "pci/$B" mac 02:00:00:00:0e)"
t_eq "malformed mac: refused before any kernel call (no family in a fresh netns)" "2" \
	"$(rc unshare -n "$V" dev add name x mgmtdev "pci/$B" mac 02:00:00:00:0e)"
t_eq "no device left behind by the failed adds" "vdpa0" "$(vdpa -j dev show | jq -r '.dev | keys | join(" ")')"
t_ok "dev add vdpa1 with a mac" -- "$V" dev add name vdpa1 mgmtdev "pci/$B" mac 02:00:00:00:0e:02

t_ok "dev show -j equals vdpa -j dev show" -- same_as_vdpa dev dev show
t_ok "dev show NAME -j equals vdpa's" -- same_as_vdpa dev dev show vdpa0
t_ok "dev config show -j equals vdpa's" -- same_as_vdpa config dev config show
t_ok "dev config show NAME -j equals vdpa's" -- same_as_vdpa config dev config show vdpa0
t_eq "config: mac, mtu, max_vq_pairs as given" "02:00:00:00:0e:01 4000 2" \
	"$("$V" -j dev config show vdpa0 | jq -r '.config.vdpa0 | "\(.mac) \(.mtu) \(.max_vq_pairs)"')"
t_ok "dev show text: aligned \"key value\" lines" -- \
	sh -c "'$V' dev show vdpa0 | grep -Eq '^  mgmtdev +pci/$A\$'"
t_ok "dev config show text: the mac" -- \
	sh -c "'$V' dev config show vdpa0 | grep -Eq '^  mac +02:00:00:00:0e:01\$'"
t_fail "dev show of a missing device: the kernel's extack" \
	"^vdpa-mgmt: dev show nosuch: vdpa: device not found \(ENODEV\)$" -- "$V" dev show nosuch

# dev set: refused while a consumer runs the device (virtio_vdpa took it
# at dev add), taken once it is detached (below).  A kernel whose vDPA
# core has no dev_set_attr refuses every dev set.
NO_DEV_SET="this kernel's vDPA core has no 'vdpa dev set' (modinfo conftest: -vdpa_mgmt_op_dev_set_attr)"
out=$("$V" dev set vdpa0 mac 02:00:00:00:0e:09 2>&1); st=$?
t_eq "dev set mac while virtio_net runs it: exit 1" "1" "$st"
if core_has vdpa_mgmt_op_dev_set_attr; then
	t_eq "... the driver's reason from the kernel log, one line" \
		"vdpa-mgmt: dev set vdpa0: mac: device is running; detach or reset it first (EBUSY)" "$out"
else
	t_eq "... refused by the vDPA core, which has no dev set: EOPNOTSUPP" \
		"vdpa-mgmt: dev set vdpa0: Operation not supported (EOPNOTSUPP)" "$out"
fi
t_eq "... changed nothing" "02:00:00:00:0e:01" \
	"$("$V" -j dev config show vdpa0 | jq -r .config.vdpa0.mac)"
if core_has vdpa_mgmt_op_dev_set_attr; then
	t_fail "dev set a multicast mac: refused by the vdpa core, its extack" \
		'^vdpa-mgmt: dev set vdpa0: .*Invalid MAC address' -- "$V" dev set vdpa0 mac 01:00:5e:00:00:01
else
	t_skip "dev set a multicast mac: refused by the vdpa core, its extack" "$NO_DEV_SET"
fi

# --- virtio_vdpa: the host's virtio_net on the device
t_ok "dev detach vdpa0" -- "$V" dev detach vdpa0
t_eq "dev show: no driver after detach" "null" "$("$V" -j dev show vdpa0 | jq -r .dev.vdpa0.driver)"
t_ok "dev detach of a detached device is a no-op" -- "$V" dev detach vdpa0
if core_has vdpa_mgmt_op_dev_set_attr; then
	t_ok "dev set mac of the detached device" -- "${VG[@]}" "$V" dev set vdpa0 mac 02:00:00:00:0e:09
	t_eq "config space shows it at once" "02:00:00:00:0e:09" \
		"$("$V" -j dev config show vdpa0 | jq -r .config.vdpa0.mac)"
else
	t_skip "dev set mac of the detached device" "$NO_DEV_SET"
	t_skip "config space shows it at once" "$NO_DEV_SET"
fi
NA=$("$V" dev attach vdpa0 virtio)
t_ok "dev attach vdpa0 virtio prints its netdev ($NA)" -- test -n "$NA" -a -e "/sys/class/net/$NA"
if core_has vdpa_mgmt_op_dev_set_attr; then
	t_eq "the netdev has the mac dev set gave" "02:00:00:00:0e:09" "$(cat "/sys/class/net/$NA/address")"
else
	t_eq "the netdev has the mac dev add gave (no dev set here)" "02:00:00:00:0e:01" \
		"$(cat "/sys/class/net/$NA/address")"
fi
t_eq "dev show: driver and netdev" "virtio_vdpa $NA" \
	"$("$V" -j dev show vdpa0 | jq -r '.dev.vdpa0 | "\(.driver) \(.netdev)"')"
NB=$("$V" dev attach vdpa1 virtio)
t_ok "dev attach of an attached device prints its netdev ($NB)" -- test -n "$NB" -a -e "/sys/class/net/$NB"
t_eq "-j dev attach: driver, virtio device, netdev" "virtio_vdpa $NB" \
	"$("$V" -j dev attach vdpa1 virtio | jq -r '.dev.vdpa1 | "\(.driver) \(.netdev)"')"
ip netns add a; ip netns add b
ip link set "$NA" netns a; ip link set "$NB" netns b
ip -n a addr add 10.97.0.1/24 dev "$NA"; ip -n a link set "$NA" up
ip -n b addr add 10.97.0.2/24 dev "$NB"; ip -n b link set "$NB" up
t_ok "ping across the bridged pair of vDPA netdevs" -- ip netns exec a ping -c 3 -i 0.2 -W 3 10.97.0.2
t_ok "dev detach vdpa0 while its netdev is up" -- "$V" dev detach vdpa0
t_ok "its netdev is gone" -- sh -c "! ip -n a link show '$NA' >/dev/null 2>&1"
ip netns del a; ip netns del b

# --- vhost_vdpa: a character device for a VMM
CH=$("$V" dev attach vdpa0 vhost)
t_ok "dev attach vdpa0 vhost prints /dev/vhost-vdpa-N ($CH)" -- \
	sh -c "case '$CH' in /dev/vhost-vdpa-[0-9]*) test -c '$CH' ;; *) false ;; esac"
t_eq "dev show: driver and chardev" "vhost_vdpa $CH" \
	"$("$V" -j dev show vdpa0 | jq -r '.dev.vdpa0 | "\(.driver) \(.chardev)"')"
CH1=$("$V" dev attach vdpa1 vhost)
t_ok "from virtio to vhost: unbound first, then $CH1" -- test -c "$CH1" -a -z "$("$V" -j dev show vdpa1 | jq -r '.dev.vdpa1.netdev // empty')"
t_ok "dev del vdpa0 while on vhost" -- "$V" dev del vdpa0
t_ok "its chardev is gone" -- test ! -e "$CH"
t_fail "dev del of a missing device: the kernel's extack" \
	"^vdpa-mgmt: dev del vdpa0: vdpa: device not found \(ENODEV\)$" -- "$V" dev del vdpa0
t_fail "dev attach of a missing device" "^vdpa-mgmt: dev attach vdpa0: no vDPA device vdpa0 \(ENODEV\)$" \
	-- "$V" dev attach vdpa0 vhost

# --- device_features by name, the qemu-svq profile, a staged state in dev status
t_ok "dev del vdpa1 (B free for what follows)" -- "$V" dev del vdpa1
feat_of() { "$V" -j dev config show "$1" | jq -c ".config[\"$1\"].device_features"; }
# the names text output prints for a feature list (wrapped under its first item)
text_names() {
	awk -v k="$1" '$1 == k { on = 1; $1 = ""; print; next } on && /^   / { print; next } { on = 0 }' |
		xargs | tr ' ' ','
}
SUP=$("$V" -j mgmtdev show "pci/$A" | jq -c '.mgmtdev[].dev_features')
t_ok "the mgmtdev offers GUEST_ANNOUNCE (else removing it proves nothing)" -- \
	jq -e 'any(.[]; . == "GUEST_ANNOUNCE")' <<<"$SUP"
t_ok "dev add device_features -GUEST_ANNOUNCE: by name, against the mgmtdev" -- "${VG[@]}" "$V" \
	dev add name f0 mgmtdev "pci/$A" mac 02:00:00:00:0e:07 max_vqp 1 device_features -GUEST_ANNOUNCE
# Where the kernel's vDPA core does not report a device's features in
# "dev config show" (6.1's: no VDPA_ATTR_DEV_FEATURES in its answer), the
# checks that read them back are skipped, said why.  Only a core without
# dev set (6.1's, whose probe the vdpa_core check below verifies) may
# lack them: on any other a missing field fails the checks.
NO_FEATURES=
if ! core_has vdpa_mgmt_op_dev_set_attr &&
	! "$V" -j dev config show f0 | jq -e '.config.f0.device_features != null' >/dev/null; then
	NO_FEATURES="this kernel's vDPA core reports no device_features in dev config show"
fi
check_features() {	# DESC EXPECTED ACTUAL
	if [ -n "$NO_FEATURES" ]; then t_skip "$1" "$NO_FEATURES"; else t_eq "$@"; fi
}
check_features "f0 offers the mgmtdev's features but GUEST_ANNOUNCE" \
	"$(jq -c '. - ["GUEST_ANNOUNCE"]' <<<"$SUP")" "$(feat_of f0)"
NAMES=$("$V" mgmtdev show "pci/$B" | text_names dev_features)
echo "# pci/$B, as text: $NAMES"
t_ok "dev add with every name mgmtdev show printed, as a list" -- \
	"$V" dev add name f1 mgmtdev "pci/$B" max_vqp 1 device_features "$NAMES"
check_features "f1 offers exactly those: the round trip" \
	"$("$V" -j mgmtdev show "pci/$B" | jq -c '.mgmtdev[].dev_features')" "$(feat_of f1)"
check_features "dev config show prints them back the same way" "$NAMES" \
	"$("$V" dev config show f1 | text_names device_features)"
"$V" dev del f1
t_err "an unknown name: the name in the message" 'device_features: unknown feature "GUEST_ANNOUNCED"' \
	-- "$V" dev add name x mgmtdev "pci/$B" device_features -GUEST_ANNOUNCED
t_eq "... exit 2" 2 "$(rc "$V" dev add name x mgmtdev "pci/$B" device_features -GUEST_ANNOUNCED)"
t_fail "a block feature on a net mgmtdev: exit 1, said so" \
	"^vdpa-mgmt: dev add x: device_features: FLUSH is not a feature of net devices \(EINVAL\)$" \
	-- "$V" dev add name x mgmtdev "pci/$B" device_features -FLUSH
t_fail "a feature the mgmtdev lacks: exit 1, named" \
	"^vdpa-mgmt: dev add x: device_features: RING_PACKED is not offered by the management device \(EINVAL\)$" \
	-- "$V" dev add name x mgmtdev "pci/$B" device_features +RING_PACKED
t_ok "... no device added by those" -- sh -c "! vdpa dev show x >/dev/null 2>&1"

# the profile against the bit list tests/nested/migrate.sh had before it
# (QEMU 10.0's SVQ set without CTRL_VLAN), read through iproute2's names
svq_bits() {
	jq -r --argjson n '{"CSUM":0,"GUEST_CSUM":1,"CTRL_GUEST_OFFLOADS":2,"MTU":3,"MAC":5,
		"GUEST_TSO4":7,"GUEST_TSO6":8,"GUEST_ECN":9,"GUEST_UFO":10,"HOST_TSO4":11,
		"HOST_TSO6":12,"HOST_ECN":13,"HOST_UFO":14,"MRG_RXBUF":15,"STATUS":16,
		"CTRL_VQ":17,"CTRL_RX":18,"CTRL_VLAN":19,"CTRL_RX_EXTRA":20,
		"GUEST_ANNOUNCE":21,"MQ":22,"CTRL_MAC_ADDR":23,"NOTIFY_ON_EMPTY":24,
		"ANY_LAYOUT":27,"RING_INDIRECT_DESC":28,"RING_EVENT_IDX":29,"VERSION_1":32,
		"ACCESS_PLATFORM":33,"RING_PACKED":34,"IN_ORDER":35,"ORDER_PLATFORM":36,
		"SR_IOV":37,"NOTIFICATION_DATA":38,"HASH_REPORT":57,"RSS":60,"RSC_EXT":61,
		"STANDBY":62,"SPEED_DUPLEX":63}' \
		'.[] | if type == "number" then . else ($n[.] // error("unknown feature " + .)) end' |
		sort -n | xargs
}
OLD_SVQ=" 0 1 2 3 5 7 8 9 10 11 12 13 14 15 16 17 18 20 22 23 27 29 32 33 57 60 61 62 63 "
want=$(for b in $(svq_bits <<<"$SUP"); do case $OLD_SVQ in *" $b "*) echo "$b" ;; esac; done | xargs)
t_ok "dev add device_features profile=qemu-svq,-CTRL_VLAN" -- \
	"$V" dev add name p1 mgmtdev "pci/$B" device_features profile=qemu-svq,-CTRL_VLAN
if [ -n "$NO_FEATURES" ]; then
	check_features "p1: the mgmtdev's features that migrate.sh's MIG_SVQ_BITS listed" "" ""
else
	t_eq "p1: the mgmtdev's features that migrate.sh's MIG_SVQ_BITS listed" "$want" \
		"$(feat_of p1 | svq_bits)"
fi
t_ok "negative control: the mgmtdev has features SVQ refuses" -- \
	test "$(svq_bits <<<"$SUP")" != "$want"
if [ -n "$NO_FEATURES" ]; then
	t_skip "migrate.sh's helpers read p1: CTRL_VLAN and GUEST_ANNOUNCE dropped" "$NO_FEATURES"
else
	t_ok "migrate.sh's helpers read p1: CTRL_VLAN and GUEST_ANNOUNCE dropped" -- bash -c \
		". '$PROJECT/tests/nested/migrate.sh' && mig_features p1 | grep -qw VERSION_1 &&
		 ! mig_features p1 | grep -qw CTRL_VLAN && mig_features_dropped $B p1 | grep -qw GUEST_ANNOUNCE"
fi
"$V" dev del p1

# a state staged in f1 (as on a migration destination) until its DRIVER_OK
T=$(mktemp -d)
t_ok "f1 on B as f0 is, detached (not started)" -- sh -c \
	"'$V' dev add name f1 mgmtdev 'pci/$B' mac 02:00:00:00:0e:07 max_vqp 1 device_features -GUEST_ANNOUNCE &&
	 '$V' dev detach f1"
t_ok "f0 (virtio_net runs it) suspended, its state saved" -- sh -c \
	"'$V' dev suspend f0 && '$V' dev state save f0 '$T/f0.state'"
t_eq "dev status f1: nothing staged before the load" "null" \
	"$("$V" -j dev status f1 | jq -c .dev.f1.staged)"
t_ok "dev state load f1" -- "$V" dev state load f1 "$T/f0.state"
ST=$("$V" -j dev status f1)
echo "# $ST"
t_eq "dev status f1: staged, the features f0's consumer negotiated" \
	"$("$V" -j dev config show f0 | jq -c .config.f0.negotiated_features)" \
	"$(jq -c .dev.f1.staged.driver_features <<<"$ST")"
t_eq "... its queues and avail indexes as in the blob" \
	"$("$V" -j dev state show "$T/f0.state" | jq -c '.state[] | [.num_queues, [.vqs[].avail_idx]]')" \
	"$(jq -c '.dev.f1.staged | [.num_queues, .avail_idx]' <<<"$ST")"
t_eq "... the net state it will replay: mac, queue pairs" "02:00:00:00:0e:07 1" \
	"$(jq -r '.dev.f1.staged | "\(.mac) \(.vq_pairs)"' <<<"$ST")"
t_ok "dev status text shows it" -- sh -c "'$V' dev status f1 | grep -q '^  staged:\$'"
t_ok "valgrind: dev status with a staged state, -j and text" -- sh -c \
	"${VG[*]} '$V' -j dev status >/dev/null && ${VG[*]} '$V' dev status f1 >/dev/null"
# dev status -j and dev show -j: the keys they share mean the same; the
# bus driver is "driver" in both, absent in both when there is none
keys_agree() {
	local s d
	s=$("$V" -j dev status "$1" | jq -c ".dev[\"$1\"]") &&
		d=$("$V" -j dev show "$1" | jq -c ".dev[\"$1\"]") || return 1
	jq -en --argjson s "$s" --argjson d "$d" '
		($s | has("bus_driver") | not) and
		(["mgmtdev", "type", "driver"] | all(. as $k | ($s | has($k)) == ($d | has($k)) and
							     $s[$k] == $d[$k]))' >/dev/null && return 0
	echo "# status: $s"; echo "# show:   $d"
	return 1
}
t_ok "dev status -j and dev show -j agree: f1, no bus driver" -- keys_agree f1
t_ok "... f0, on virtio_vdpa" -- keys_agree f0
t_eq "negative control: the two differ in driver, and dev status says so" "null virtio_vdpa" \
	"$("$V" -j dev status f1 | jq -r .dev.f1.driver) $("$V" -j dev status f0 | jq -r .dev.f0.driver)"
t_ok "dev attach f1 virtio: its DRIVER_OK takes the staged state" -- "$V" dev attach f1 virtio
t_eq "dev status f1: nothing staged any more" "null" "$("$V" -j dev status f1 | jq -c .dev.f1.staged)"
# What the running kernel's vDPA core offers the device's consumers
# (DPU_VDPA_A_CORE_CAPS) is what the module was built with: modinfo's
# conftest field, the probes' own answers, read apart from the driver.
# On 6.12 and 7.3 all of it; on Debian 12's 6.1 suspend only.  vq_dma_dev
# is either op consumers ask a queue's DMA device with: get_vq_dma_dev,
# or get_vq_map since 6.18.
conftest=$(modinfo -F conftest dpu_vdpa)
echo "# modinfo conftest: $conftest"
want=
for p in vdpa_op_suspend:suspend vdpa_op_resume:resume vdpa_op_get_vq_size:vq_size \
	vdpa_op_get_vq_dma_dev,vdpa_op_get_vq_map:vq_dma_dev \
	vdpa_op_get_backend_features:backend_features \
	vdpa_op_reset_map:reset_map vdpa_mgmt_op_dev_set_attr:dev_set; do
	v=unprobed
	for probe in $(echo "${p%%:*}" | tr , ' '); do
		case " $conftest " in
		*" +$probe "*) v=true ;;
		*" -$probe "*) [ "$v" = true ] || v=false ;;
		esac
	done
	want+="${p#*:}=$v "
done
t_eq "dev status f1: vdpa_core is what modinfo's conftest says the module was built with" \
	"${want% }" "$("$V" -j dev status f1 | jq -r '.dev.f1.vdpa_core | to_entries | map("\(.key)=\(.value)") | join(" ")')"
t_ok "dev status text shows vdpa_core" -- sh -c "'$V' dev status f1 | grep -q '^  vdpa_core:\$'"
t_ok "dev resume f0; del f0, f1" -- sh -c "'$V' dev resume f0 && '$V' dev del f0 && '$V' dev del f1"
rm -rf "$T"
"$V" dev add name vdpa1 mgmtdev "pci/$B" mac 02:00:00:00:0e:02	# live on B, for pci unbind below

# --- a blk function: a disk through virtio_vdpa
t_eq "pci bind of the blk function" "pci/$BLK" "$("$V" pci bind "$BLK")"
t_ok "dev add blk0" -- "$V" dev add name blk0 mgmtdev "pci/$BLK"
t_ok "dev detach blk0 (whatever took it at add)" -- "$V" dev detach blk0
D=$("$V" dev attach blk0 virtio)
t_ok "dev attach blk0 virtio prints its disk ($D)" -- test -b "$D"
t_eq "the disk is the function's 1 GiB" "1073741824" "$(blockdev --getsize64 "$D")"
t_eq "dev show: type block, blockdev" "block $D" \
	"$("$V" -j dev show blk0 | jq -r '.dev.blk0 | "\(.type) \(.blockdev)"')"
# 6.1's vDPA core (no dev set either) has no block config for "dev config
# show" (EOPNOTSUPP, from iproute2's vdpa too): said so, and the two
# checks skipped
if core_has vdpa_mgmt_op_dev_set_attr || vdpa dev config show blk0 >/dev/null 2>&1; then
	t_eq "dev config show: capacity in sectors" "2097152" \
		"$("$V" -j dev config show blk0 | jq -r .config.blk0.capacity)"
	t_ok "dev config show blk0 -j agrees with vdpa's" -- same_as_vdpa config dev config show blk0
else
	why="this kernel's vDPA core has no block config to show (iproute2's vdpa: $(vdpa dev config show blk0 2>&1 | head -n1))"
	t_fail "dev config show blk0: refused as the kernel refuses it, EOPNOTSUPP" \
		"^vdpa-mgmt: dev config show blk0: .*\(EOPNOTSUPP\)$" -- "$V" dev config show blk0
	t_skip "dev config show: capacity in sectors" "$why"
fi
t_fail "mac on a block device: the kernel refuses it" "^vdpa-mgmt: dev add blk1: vdpa: (Some|All) provided attributes are not supported.* \(EOPNOTSUPP\)$" \
	-- "$V" dev add name blk1 mgmtdev "pci/$BLK" mac 02:00:00:00:0e:03
t_ok "dev del blk0" -- "$V" dev del blk0
t_ok "its disk is gone" -- test ! -e "$D"

# --- giving functions back
t_ok "pci unbind $B with a live device" -- "$V" pci unbind "$B"
t_eq "virtio-pci has it back, driver_override cleared" "virtio-pci (null)" \
	"$(drv_of "$B") $(cat "/sys/bus/pci/devices/$B/driver_override")"
t_ok "its vDPA device went with it" -- sh -c "! vdpa dev show vdpa1 >/dev/null 2>&1"
t_ok "pci unbind $BLK" -- "$V" pci unbind "$BLK"

# --- valgrind over the commands, against the kernel
t_ok "valgrind: pci bind" -- "${VG[@]}" "$V" pci bind "$B"
t_ok "valgrind: mgmtdev show, -j, -p" -- sh -c \
	"${VG[*]} '$V' mgmtdev show >/dev/null && ${VG[*]} '$V' -j mgmtdev show >/dev/null && ${VG[*]} '$V' -p mgmtdev show pci/$B >/dev/null"
t_ok "valgrind: dev add" -- "${VG[@]}" "$V" dev add name vg0 mgmtdev "pci/$B" mac 02:00:00:00:0e:05 mtu 1500
t_ok "valgrind: dev add refused (extack-less error, reason from the kernel log)" -- \
	sh -c "${VG[*]} '$V' dev add name vg1 mgmtdev pci/$B; test \$? = 1"
t_ok "valgrind: dev set refused (extack)" -- sh -c "${VG[*]} '$V' dev set vg0 mac 02:00:00:00:0e:06; test \$? = 1"
t_ok "valgrind: dev show, dev config show (-j)" -- sh -c \
	"${VG[*]} '$V' dev show >/dev/null && ${VG[*]} '$V' -j dev config show >/dev/null && ${VG[*]} '$V' dev config show vg0 >/dev/null"
t_ok "valgrind: dev attach vhost, virtio; detach" -- sh -c \
	"${VG[*]} '$V' dev attach vg0 vhost && ${VG[*]} '$V' -j dev attach vg0 virtio && ${VG[*]} '$V' dev detach vg0"
t_ok "valgrind: pci show" -- sh -c "${VG[*]} '$V' pci show >/dev/null"
t_ok "valgrind: dev del, pci unbind" -- sh -c "${VG[*]} '$V' dev del vg0 && ${VG[*]} '$V' pci unbind $B"
t_done
