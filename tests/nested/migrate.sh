# Live migration of a QEMU guest between two of our vDPA devices, with
# stock QEMU (-netdev vhost-vdpa): the steps shared by
# tests/vm/qemu-migrate.sh and scripts/migrate-demo.  Sourced inside a
# test VM with four net functions (scripts/vm --nets 4 --mem 3G):
#
#   A (00:08.0) --cable-- 00:09.0 ---+
#                                    +-- bridge brmig in netns "mig", the
#   B (00:0a.0) --cable-- 00:0b.0 ---+   ping target 10.73.0.2 on it
#
# The source QEMU runs the guest on A's /dev/vhost-vdpa-N, the destination
# (-incoming) waits on B's; the guest (tests/nested/migrate-init, an
# initramfs and nothing else, so nothing blocks migration) pings the
# target every 0.1 s throughout.  Set MIG_ECHO=1 to have every command
# echoed before it runs ("$ cmd").
#
# QEMU shadows the data queues (SVQ) while migrating, so both devices
# offer only features its SVQ accepts (vdpa-mgmt's profile qemu-svq, see
# MIG_PROFILE), and the same MAC and queue pairs.

MIG_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# the checkout this library is in (tests/nested/..)
MIG_PROJECT=$(cd "$MIG_LIB_DIR/../.." && pwd)
MIG_DIR=${MIG_DIR:-/tmp/mig}
MIG_NS=mig
MIG_BR=brmig
MIG_MAC0=02:00:00:00:0e:01	# both devices (dev add), and QEMU's -device mac=
MIG_MAC=02:00:00:00:0e:99	# the guest sets this before migrating
MIG_QUEUES=2			# queue pairs: device max and what the guest selects
MIG_GUEST_IP=10.73.0.1
MIG_TARGET=10.73.0.2
MIG_INTERVAL=${MIG_INTERVAL:-0.1}
MIG_MEM=${MIG_MEM:-256M}
MIG_PORT=4444
# the running kernel (in the test VM: the host's 6.12), else the newest 6.12
MIG_KVER=$(uname -r)
[ -e "/boot/vmlinuz-$MIG_KVER" ] ||
	MIG_KVER=$(ls /boot/vmlinuz-6.12.* 2>/dev/null | sort -V | tail -n1 | sed 's|.*/vmlinuz-||')
MIG_KERNEL=/boot/vmlinuz-$MIG_KVER
MIG_QMP=$MIG_LIB_DIR/qmp.py

# Shown on stderr, so that functions can print their results on stdout.
mig_run() {
	[ -n "${MIG_ECHO:-}" ] && printf '$ %s\n' "$*" >&2
	"$@"
}
mig_say() { [ -n "${MIG_ECHO:-}" ] && echo "$*" >&2; return 0; }

# --- devices and the network around them

# The devices offer only what QEMU's SVQ takes: vdpa-mgmt's profile
# qemu-svq (tools/vdpa-mgmt/names.c has the list and where in QEMU it
# comes from); one feature more and QEMU blocks migration.
MIG_VDPA_MGMT=$MIG_PROJECT/tools/vdpa-mgmt/vdpa-mgmt
MIG_PROFILE=profile=qemu-svq
# CTRL_VLAN (19) is accepted by SVQ but left out unless MIG_CTRL_VLAN=1:
# with it, the destination QEMU (net/vhost-vdpa.c vhost_vdpa_net_load_vlan)
# replays its whole VLAN table before it starts the guest, one synchronous
# control-queue command per VLAN id, and its table holds all 4096 ids when
# the guest never set a filter.  Through our control-queue relay to a
# function that is itself emulated (TCG), that is 4096 round trips of
# ~6.5 ms: 20-27 s with the guest's vCPU not started (measured), which
# QMP's "downtime" does not count, and which the guest then reports as a
# soft lockup / RCU stall on its serial console (another 15-20 s with the
# guest frozen).  The test is about our data path, not about that replay.
[ "${MIG_CTRL_VLAN:-0}" = 1 ] || MIG_PROFILE+=,-CTRL_VLAN

# _mig_feature_names ARGS...: the feature names "vdpa-mgmt ARGS" prints
# (mgmtdev show: dev_features; dev config show: device_features), one a
# line; a bit without a name is bit_N.
_mig_feature_names() {
	"$MIG_VDPA_MGMT" "$@" | awk '$1 == "dev_features" || $1 == "device_features" {
			on = 1; $1 = ""; print; next }
		on && /^   / { print; next } { on = 0 }' | tr ' ' '\n' | sed '/^$/d'
}

# mig_features NAME: the features vDPA device NAME offers, on one line.
mig_features() {
	local names
	names=$(_mig_feature_names dev config show "$1") && [ -n "$names" ] || return 1
	echo $names
}

# mig_features_dropped BDF NAME: what function BDF supports and device NAME
# (made with $MIG_PROFILE) does not offer.
mig_features_dropped() {
	local offered
	offered=$(_mig_feature_names dev config show "$2") || return 1
	echo $(_mig_feature_names mgmtdev show "pci/$1" | grep -vxF -e "$offered")
}

# vhost_vdpa pins the guest's RAM and keeps an IOTLB entry per contiguous
# run of pages (default limit 2048): load it with room for every page,
# before anything else loads it.  The caller also needs "ulimit -l unlimited".
mig_modules() {
	if [ ! -e /sys/module/vhost_vdpa ]; then
		mig_run modprobe vhost_vdpa max_iotlb_entries=262144 || return 1
	fi
	mig_run modprobe -a vdpa virtio_vdpa dpu_vdpa
}

# mig_bind BDF DRIVER: hand PCI function BDF to DRIVER (if not already).
mig_bind() {
	local d=/sys/bus/pci/devices/$1
	[ "$(basename "$(readlink "$d/driver")")" = "$2" ] && return 0
	mig_say "# $1 to $2 (sysfs driver_override + drivers_probe)"
	[ -e "$d/driver" ] && echo "$1" >"$d/driver/unbind"
	echo "$2" >"$d/driver_override"
	echo "$1" >/sys/bus/pci/drivers_probe
	[ "$(basename "$(readlink "$d/driver")")" = "$2" ]
}

_mig_attach() {	# _mig_attach NAME DRIVER
	local d=/sys/bus/vdpa/devices/$1
	[ -e "$d/driver" ] && echo "$1" >"$d/driver/unbind"
	echo "$2" >"$d/driver_override"
	echo "$1" >/sys/bus/vdpa/drivers_probe
	[ "$(basename "$(readlink "$d/driver")")" = "$2" ]
}

# mig_dev_add NAME BDF: function BDF to dpu_vdpa, vDPA device NAME on it
# with the SVQ-safe features, attached to vhost_vdpa; prints /dev/vhost-vdpa-N.
mig_dev_add() {
	local name=$1 bdf=$2 chr
	mig_bind "$bdf" dpu_vdpa || { echo "cannot bind $bdf to dpu_vdpa" >&2; return 1; }
	mig_run "$MIG_VDPA_MGMT" dev add name "$name" mgmtdev "pci/$bdf" mac "$MIG_MAC0" \
		max_vqp "$MIG_QUEUES" device_features "$MIG_PROFILE" >&2 || return 1
	mig_say "# $name to vhost_vdpa (sysfs driver_override + drivers_probe)"
	_mig_attach "$name" vhost_vdpa || { echo "cannot attach $name to vhost_vdpa" >&2; return 1; }
	chr=$(ls -d /sys/bus/vdpa/devices/"$name"/vhost-vdpa-* 2>/dev/null | head -n1)
	[ -n "$chr" ] && [ -c "/dev/${chr##*/}" ] || return 1
	echo "/dev/${chr##*/}"
}

# mig_blk_dev_add NAME BDF: blk function BDF to dpu_vdpa, vDPA device NAME
# on it, attached to vhost_vdpa; prints /dev/vhost-vdpa-N.
mig_blk_dev_add() {
	mig_bind "$2" dpu_vdpa >&2 &&
		mig_run "$MIG_VDPA_MGMT" dev add name "$1" mgmtdev "pci/$2" >&2 &&
		mig_run "$MIG_VDPA_MGMT" dev attach "$1" vhost
}

_mig_netdev() {	# the netdev virtio_net made of function BDF (waits up to 10 s)
	local i n
	for ((i = 0; i < 100; i++)); do
		n=$(ls "/sys/bus/pci/devices/$1"/virtio*/net 2>/dev/null | head -n1)
		[ -n "$n" ] && { echo "$n"; return 0; }
		sleep 0.1
	done
	return 1
}

# mig_peers BDF_A BDF_B: the functions cabled to A and B, on virtio_net,
# in one bridge in netns $MIG_NS that holds the ping target address.
# Sets MIG_PEER_A and MIG_PEER_B to their netdev names.
mig_peers() {
	mig_bind "$1" virtio-pci && mig_bind "$2" virtio-pci || return 1
	MIG_PEER_A=$(_mig_netdev "$1") && MIG_PEER_B=$(_mig_netdev "$2") || return 1
	mig_run ip netns add "$MIG_NS" &&
		mig_run ip link set "$MIG_PEER_A" netns "$MIG_NS" &&
		mig_run ip link set "$MIG_PEER_B" netns "$MIG_NS" &&
		mig_run ip -n "$MIG_NS" link add "$MIG_BR" type bridge &&
		mig_run ip -n "$MIG_NS" link set "$MIG_PEER_A" master "$MIG_BR" up &&
		mig_run ip -n "$MIG_NS" link set "$MIG_PEER_B" master "$MIG_BR" up &&
		mig_run ip -n "$MIG_NS" addr add "$MIG_TARGET/24" dev "$MIG_BR" &&
		mig_run ip -n "$MIG_NS" link set "$MIG_BR" up
}

# mig_rx_packets NETDEV: received packets of a peer netdev in $MIG_NS.
mig_rx_packets() { ip netns exec "$MIG_NS" cat "/sys/class/net/$1/statistics/rx_packets"; }

# --- the guest

# mig_module NAME DIR: the guest kernel's module NAME, uncompressed, as
# DIR/NAME.ko (the guest's initramfs has no decompressor to load it with).
mig_module() {
	local f
	f=$(modinfo -k "$MIG_KVER" -n "$1") || return 1
	case "$f" in
	*.xz) xz -dc "$f" >"$2/$1.ko" ;;
	*.zst) zstd -dqc "$f" >"$2/$1.ko" ;;
	*) cp "$f" "$2/$1.ko" ;;
	esac
}

# mig_initrd: the guest's initramfs (busybox, ethtool and its libraries,
# virtio_net and its dependencies, migrate-init as /init), cached in
# build/ and rebuilt when migrate-init changes.  Prints its path.
mig_initrd() {
	local out stage m lib
	out=$MIG_PROJECT/build/migrate-guest/initrd-$MIG_KVER.cpio
	mkdir -p "${out%/*}" || return 1
	if [ -s "$out" ] && [ "$out" -nt "$MIG_LIB_DIR/migrate-init" ]; then
		echo "$out"
		return 0
	fi
	stage=$(mktemp -d) || return 1
	mkdir -p "$stage"/{bin,sbin,dev,proc,sys,modules,lib64,lib/x86_64-linux-gnu}
	cp /bin/busybox "$stage/bin/busybox" || return 1
	cp /usr/sbin/ethtool "$stage/sbin/ethtool" || return 1
	for lib in $(ldd /usr/sbin/ethtool | grep -o '/[^ ]*'); do
		cp "$lib" "$stage$lib" || return 1
	done
	for m in failover net_failover virtio_net; do
		mig_module "$m" "$stage/modules" || return 1
	done
	cp "$MIG_LIB_DIR/migrate-init" "$stage/init" && chmod +x "$stage/init" || return 1
	(cd "$stage" && find . | cpio -o -H newc --quiet) >"$out.tmp" && mv "$out.tmp" "$out" || return 1
	rm -rf "$stage"
	echo "$out"
}

# mig_blk_initrd: the disk guest's initramfs (busybox, virtio_blk,
# blk-verify built static, blk-init as /init), cached in build/ like
# mig_initrd's.  Prints its path.
mig_blk_initrd() {
	local out stage
	out=$MIG_PROJECT/build/migrate-guest/blk-initrd-$MIG_KVER.cpio
	mkdir -p "${out%/*}" || return 1
	if [ -s "$out" ] && [ "$out" -nt "$MIG_LIB_DIR/blk-init" ] &&
		[ "$out" -nt "$MIG_LIB_DIR/blk-verify.c" ] && [ "$out" -nt "${BASH_SOURCE[0]}" ]; then
		echo "$out"
		return 0
	fi
	stage=$(mktemp -d) || return 1
	mkdir -p "$stage"/{bin,dev,proc,sys,modules} &&
		cp /bin/busybox "$stage/bin/" &&
		gcc -std=c11 -O2 -Wall -Wextra -Werror -static -o "$stage/blk-verify" \
			"$MIG_LIB_DIR/blk-verify.c" &&
		mig_module virtio_blk "$stage/modules" &&
		cp "$MIG_LIB_DIR/blk-init" "$stage/init" &&
		(cd "$stage" && find . | cpio -o -H newc --quiet) >"$out.tmp" &&
		mv "$out.tmp" "$out" || { rm -rf "$stage" "$out.tmp"; return 1; }
	rm -rf "$stage"
	echo "$out"
}

# mig_qemu NAME VHOSTDEV INITRD [QEMU ARGS...]: start a guest in the
# background on /dev/vhost-vdpa-N VHOSTDEV.  Serial console in
# $MIG_DIR/NAME.console, QMP on $MIG_DIR/NAME.qmp, QEMU's own output in
# $MIG_DIR/NAME.log, pid in $MIG_DIR/NAME.pid.  The destination gets
# "-incoming tcp:...": the same command line otherwise.  MIG_NETDEV, if
# set, replaces "vhost-vdpa,vhostdev=VHOSTDEV" (the tap-backed baseline);
# MIG_QEMU_NS, if set, is the network namespace QEMU runs in.  For another
# guest: MIG_QEMU_BIN is the QEMU to run (default Debian's), MIG_DEVICE a
# -device that replaces the network pair (vhost-vdpa-device-pci,...), and
# MIG_APPEND the guest's own kernel arguments.
mig_qemu() {
	local name=$1 dev=$2 initrd=$3 append devargs
	shift 3
	mkdir -p "$MIG_DIR" || return 1
	rm -f "$MIG_DIR/$name".{console,qmp,log,pid}
	append="console=ttyS0 loglevel=5 panic=-1 mitigations=off"
	if [ -n "${MIG_APPEND:-}" ]; then
		append+=" $MIG_APPEND"
	else
		append+=" mig.mac=$MIG_MAC mig.queues=$MIG_QUEUES mig.ip=$MIG_GUEST_IP/24"
		append+=" mig.target=$MIG_TARGET mig.interval=$MIG_INTERVAL"
	fi
	devargs=(-netdev "${MIG_NETDEV:-vhost-vdpa,vhostdev=$dev},id=net0"
		-device "virtio-net-pci,netdev=net0,mq=on,vectors=6,mac=$MIG_MAC0,addr=0x08,romfile=")
	[ -n "${MIG_DEVICE:-}" ] && devargs=(-device "$MIG_DEVICE")
	# -mem-prealloc: vhost_vdpa pins all of the guest's RAM when the
	# device starts, which on the destination is the switch itself; RAM
	# that the incoming migration never wrote (zero pages) had to be
	# faulted in then, 1.07 s of the outage for 256 MiB here, 0.03 s
	# once QEMU allocates it at start-up.  Both QEMUs and the tap
	# baseline get it: the same command line.
	local cmd=("${MIG_QEMU_BIN:-qemu-system-x86_64}" -name "$name" -machine q35 -accel tcg -cpu max
		-smp 1 -m "$MIG_MEM" -mem-prealloc -nodefaults -no-user-config -display none -no-reboot
		-kernel "$MIG_KERNEL" -initrd "$initrd" -append "$append"
		-chardev "file,id=con,path=$MIG_DIR/$name.console" -serial chardev:con
		-qmp "unix:$MIG_DIR/$name.qmp,server=on,wait=off"
		"${devargs[@]}" "$@")
	mig_say "\$ ${cmd[*]} &"
	[ -n "${MIG_QEMU_NS:-}" ] && cmd=(ip netns exec "$MIG_QEMU_NS" "${cmd[@]}")
	# a simple command in the background: $! is QEMU itself (ip netns
	# exec execs it)
	"${cmd[@]}" </dev/null >"$MIG_DIR/$name.log" 2>&1 &
	echo $! >"$MIG_DIR/$name.pid"
	mig_say "# (in the background, pid $!)"
	return 0
}

# mig_listening NAME: wait (up to 60 s) until guest NAME's QEMU, started
# with -incoming, listens on MIG_PORT.  Its QMP socket comes up first: the
# listener only after the guest's RAM is allocated and its devices are
# realized, seconds later under TCG.
mig_listening() {
	local pid
	pid=$(cat "$MIG_DIR/$1.pid" 2>/dev/null) || return 1
	mig_wait 60 sh -c "ss -Hltnp 'sport = :$MIG_PORT' | grep -q 'pid=$pid,'"
}

# mig_qmp NAME COMMAND [JSON ARGS]: one QMP command to guest NAME.
mig_qmp() {
	local name=$1
	shift
	mig_run "$MIG_QMP" "$MIG_DIR/$name.qmp" "$@"
}

# mig_wait SECONDS CMD...: until CMD succeeds.
mig_wait() {
	local end=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 1
	done
}

# mig_replies NAME: ping replies on guest NAME's console so far.
mig_replies() { grep -a -o 'seq=[0-9]* ttl' "$MIG_DIR/$1.console" 2>/dev/null | wc -l; }

# mig_sample_start / mig_sample_stop: every 0.5 s, wall-clock time, the
# ping replies seen on each console so far and the memory each QEMU has
# pinned (VmPin, kB: vhost_vdpa pins the guest's RAM when the device
# starts), "T SRC DST SRC_PIN DST_PIN", in $MIG_DIR/samples.  The guest's
# own clock stops while it is migrated, the outer VM's does not.
_mig_pin() { sed -n 's/^VmPin:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$(cat "$MIG_DIR/$1.pid")/status" 2>/dev/null || echo -; }
mig_sample_start() {
	(
		while :; do
			echo "$(date +%s.%N) $(mig_replies src) $(mig_replies dst) $(_mig_pin src) $(_mig_pin dst)"
			sleep 0.5
		done
	) >"$MIG_DIR/samples" 2>/dev/null &
	MIG_SAMPLER=$!
}
mig_sample_stop() { [ -n "${MIG_SAMPLER:-}" ] && kill "$MIG_SAMPLER" 2>/dev/null; MIG_SAMPLER=; }

# mig_outage: wall-clock seconds without new replies on the guest's own
# consoles around the switch: from the source's last new reply to the
# destination's first.  A guest-side figure, dominated under TCG in TCG by
# how slowly the resumed guest writes its console (50 s measured on QEMU's
# own tap, no vDPA): mig_outside_outage is the one that says whether the
# guest can be reached.
#   "guest_quiet=S longest_quiet=S"  (longest_quiet: over the whole run)
mig_outage() {
	awk '
		NR == 1 { t0 = $1 }
		NR > 1 && $2 > s { ls = $1 }
		NR > 1 && $3 > d && fd == "" { fd = $1 }
		NR > 1 && ($2 > s || $3 > d) { if (last != "" && $1 - last > q) q = $1 - last; last = $1 }
		NR == 1 { last = $1 }
		{ s = $2; d = $3 }
		END { printf "guest_quiet=%.1f longest_quiet=%.1f\n", (fd == "" ? -1 : fd - ls), q }
	' "$MIG_DIR/samples"
}

# mig_outside_start / mig_outside_stop: from the target's netns, ping the
# guest every 0.1 s (traffic initiated outside the guest, which must find
# it through the bridge), each reply with its wall-clock time, in
# $MIG_DIR/outside.ping.  The guest's own pings cannot show an outage: a
# guest that does not run sends nothing, so misses nothing.
mig_outside_start() {
	ip netns exec "$MIG_NS" ping -D -i 0.1 -W 1 "$MIG_GUEST_IP" >"$MIG_DIR/outside.ping" 2>&1 &
	MIG_OUTSIDE=$!
}
mig_outside_stop() {
	[ -n "${MIG_OUTSIDE:-}" ] && kill "$MIG_OUTSIDE" 2>/dev/null
	MIG_OUTSIDE=
	echo "$(date +%s.%N) outside-stop" >>"$MIG_DIR/events"
}

# mig_outside_gap: the longest wall-clock time without a reply to the
# outside pings, from 10 s before "migrate" was sent to the end, where it
# sits relative to "completed", and the replies against the pings sent:
#   "outside_gap=S at=A..B replies=N/M"
mig_outside_gap() {
	local t0 tc te
	t0=$(awk '$2 == "migrate" { print $1; exit }' "$MIG_DIR/events")
	tc=$(awk '$2 == "completed" { print $1; exit }' "$MIG_DIR/events")
	te=$(awk '$2 == "outside-stop" { print $1; exit }' "$MIG_DIR/events")
	awk -F'[][]' -v t0="${t0:-0}" -v tc="${tc:-0}" -v te="${te:-0}" '
		/bytes from/ { t = $2; n++; s = $0; sub(/.*icmp_seq=/, "", s); sub(/ .*/, "", s); if (s + 0 > m) m = s + 0
			if (t < t0 - 10) next
			if (p != "" && t - p > g) { g = t - p; a = p; b = t }
			p = t }
		END { if (te > 0 && p != "" && te - p > g) { g = te - p; a = p; b = te }
		      if (p == "") { g = -1 }
		      printf "outside_gap=%.1f at=%.1f..%.1f replies=%d/%d\n", g, a - tc, b - tc, n, m }
	' "$MIG_DIR/outside.ping"
}

# mig_outside_outage: how long the guest was unreachable from outside: the
# longest wall-clock time between two prompt replies (round trip under
# 500 ms) to the outside pings, from 10 s before "migrate" to the end.
# Replies that come seconds late answer requests queued during the switch:
# the guest was not reachable then, whatever mig_outside_gap says.
#   "outside_outage=S outage_at=A..B" (A, B: s relative to "completed")
mig_outside_outage() {
	local t0 tc te
	t0=$(awk '$2 == "migrate" { print $1; exit }' "$MIG_DIR/events")
	tc=$(awk '$2 == "completed" { print $1; exit }' "$MIG_DIR/events")
	te=$(awk '$2 == "outside-stop" { print $1; exit }' "$MIG_DIR/events")
	awk -F'[][]' -v t0="${t0:-0}" -v tc="${tc:-0}" -v te="${te:-0}" '
		/bytes from/ { t = $2; r = $0; sub(/.*time=/, "", r); sub(/ .*/, "", r)
			if (t < t0 - 10 || r + 0 >= 500) next
			if (p != "" && t - p > g) { g = t - p; a = p; b = t }
			p = t }
		END { if (p == "") g = -1; else if (te > 0 && te - p > g) { g = te - p; a = p; b = te }
		      printf "outside_outage=%.1f outage_at=%.1f..%.1f\n", g, a - tc, b - tc }
	' "$MIG_DIR/outside.ping"
}

# mig_tap_baseline INITRD: the baseline for the outside outage: the same
# guest, migrated the same way, on QEMU's own tap-backed virtio-net (no
# vDPA), both QEMUs and their taps in a namespace of their own with a
# bridge holding the target.  Measured as the vDPA run is, with the same
# load beside it: the destination's trace, tcpdump on both taps and the
# sampler (under TCG in TCG they slow the guest, and the guest's own
# announce is what ends the outage).  Prints "outside_outage=S
# outage_at=A..B outside_gap=... SWITCH" (mig_outside_outage,
# mig_outside_gap, mig_switch_breakdown); fails if the migration does.
# Its files are in $MIG_DIR/tap.
_mig_tap_baseline_why() {	# what the baseline's source guest and QEMUs said
	local f
	echo "# tap baseline: the source guest never pinged 30 times in $((SECONDS - MIG_TAP_START)) s:"
	for f in src.console src.log dst.log; do
		echo "# $f:"
		tail -n 15 "$MIG_DIR/$f" 2>&1 | sed 's/^/#   /'
	done
	ps -o pid,stat,etime,time,rss,args -C qemu-system-x86_64 | cut -c1-160 | sed 's/^/#   /'
}
mig_tap_baseline() {
	local initrd=$1 rc=0 t q="tap,script=no,downscript=no,queues=$MIG_QUEUES,vhost=off"
	local MIG_NS=migtap MIG_BR=brtap MIG_DIR=$MIG_DIR/tap MIG_QEMU_NS=migtap
	local MIG_PEER_A=tapS MIG_PEER_B=tapD
	modprobe tun && mkdir -p "$MIG_DIR" && ip netns add "$MIG_NS" || return 1
	ip -n "$MIG_NS" link set lo up &&
		ip -n "$MIG_NS" link add "$MIG_BR" type bridge &&
		ip -n "$MIG_NS" addr add "$MIG_TARGET/24" dev "$MIG_BR" &&
		ip -n "$MIG_NS" link set "$MIG_BR" up || rc=1
	for t in tapS tapD; do
		ip -n "$MIG_NS" tuntap add dev $t mode tap multi_queue &&
			ip -n "$MIG_NS" link set $t master "$MIG_BR" up || rc=1
	done
	if [ "$rc" = 0 ]; then
		MIG_NETDEV="$q,ifname=tapD" mig_qemu dst - "$initrd" -incoming "tcp:127.0.0.1:$MIG_PORT" \
			"${MIG_DST_TRACE[@]}"
		MIG_NETDEV="$q,ifname=tapS" mig_qemu src - "$initrd"
		MIG_TAP_START=$SECONDS
		mig_wait 400 grep -q 'guest: ready' "$MIG_DIR/src.console" &&
			mig_wait 60 sh -c "[ \$(grep -c 'bytes from' $MIG_DIR/src.console) -ge 30 ]" || rc=1
		[ "$rc" = 0 ] || _mig_tap_baseline_why >&2
	fi
	if [ "$rc" = 0 ]; then
		mig_outside_start
		mig_capture_start || rc=1
		mig_sample_start
		mig_migrate src || rc=1
		mig_wait 120 sh -c "[ \$(grep -c 'bytes from' $MIG_DIR/dst.console) -ge 30 ]"
		sleep 10	# as qemu-migrate.sh does
		mig_outside_stop
		mig_sample_stop
		mig_capture_stop
		echo "$(mig_outside_outage) $(mig_outside_gap) $(mig_switch_breakdown)"
	fi
	mig_stop src
	mig_stop dst
	ip netns del "$MIG_NS"
	return "$rc"
}

# mig_outside_rtt: the outside pings' round trips (the target's clock, not
# the guest's): "n=N p50=MS p90=MS max=MS".
mig_outside_rtt() {
	grep -o 'time=[0-9.]*' "$MIG_DIR/outside.ping" | cut -d= -f2 | sort -n |
		awk '{ a[NR] = $1 } END { if (!NR) { print "n=0"; exit }
			p90 = int(NR * 0.9) + 1; if (p90 > NR) p90 = NR
			printf "n=%d p50=%s p90=%s max=%s\n", NR, a[int(NR / 2) + 1], a[p90], a[NR] }'
}

# mig_capture_start / mig_capture_stop: every frame on both peers, from
# $MIG_NS, in $MIG_DIR/peerA.pcap and peerB.pcap (mig_switch_breakdown).
# Fails when a capture does not start (no tcpdump: the breakdown would say
# "none" for every frame).  -Z root: tcpdump would otherwise open its file
# as user tcpdump, which cannot write to the project's directory.
mig_capture_start() {
	local p dev
	MIG_CAPTURE=
	command -v tcpdump >/dev/null || return 1
	for p in A B; do
		eval "dev=\$MIG_PEER_$p"
		ip netns exec "$MIG_NS" tcpdump -Z root -i "$dev" -n -e -tt -U \
			-w "$MIG_DIR/peer$p.pcap" >"$MIG_DIR/tcpdump$p.log" 2>&1 &
		MIG_CAPTURE+=" $!"
	done
	_mig_wait_file "$MIG_DIR/peerA.pcap" && _mig_wait_file "$MIG_DIR/peerB.pcap"
}
_mig_wait_file() {
	local i
	for ((i = 0; i < 50; i++)); do [ -s "$1" ] && return 0; sleep 0.1; done
	cat "${1%peer?.pcap}tcpdump"*.log >&2
	return 1
}
mig_capture_stop() {
	[ -n "${MIG_CAPTURE:-}" ] && kill $MIG_CAPTURE 2>/dev/null && sleep 1
	MIG_CAPTURE=
}

# MIG_DST_TRACE: QEMU options for the destination that give
# mig_switch_breakdown its run state and announce (wall-clock stamps).
MIG_DST_TRACE=(-msg timestamp=on -trace vm_state_notify -trace virtio_net_announce_notify
	-trace vhost_vdpa_add_status -trace vhost_vdpa_net_load_cmd)

# _mig_frames P: "TIME DIR WHAT [ID,SEQ]" for each frame on peer P's
# capture: DIR is from-guest or to-guest (by the guest's MAC), WHAT garp
# for a gratuitous ARP (sender = target = the guest), echo-reply,
# echo-request or other; an echo also gets its ICMP id and seq.
_mig_frames() {
	tcpdump -r "$MIG_DIR/peer$1.pcap" -n -e -tt 2>/dev/null |
		awk -v g="$MIG_MAC" -v ip="$MIG_GUEST_IP" '{
			d = ($2 == g) ? "from-guest" : ($4 == g "," ? "to-guest" : "other")
			w = "other"
			if ($0 ~ "who-has " ip " tell " ip ",") w = "garp"
			else if ($0 ~ /ICMP echo reply/) w = "echo-reply"
			else if ($0 ~ /ICMP echo request/) w = "echo-request"
			k = ""
			if (w ~ /^echo/) { k = $0; sub(/.*, id /, "", k); sub(/, length.*/, "", k); gsub(/, seq /, ",", k) }
			print $1, d, w, k }'
}

# mig_b_answered: the receive path on B after the switch, from the capture
# on B's peer: of the outside echo requests (target -> guest) that reached
# B's peer from the guest's first frame there on, up to 3 s before the
# capture ended, how many the guest answered through B (a reply with the
# same id and seq, any time later).  A request the bridge sent towards B
# and that never came back was lost in B's function, its relay, or the
# guest: the outage of issue 17, where B took the requests and the guest
# never saw them.  "requests=N answered=M" (N=0: none reached B).
mig_b_answered() {
	_mig_frames B | awk '
		{ t[NR] = $1; d[NR] = $2; w[NR] = $3; k[NR] = $4
		  if ($2 == "from-guest" && first == "") first = $1 }
		END {
			end = t[NR] - 3
			for (i = 1; i <= NR; i++) {
				if (d[i] == "to-guest" && w[i] == "echo-request" && first != "" &&
				    t[i] >= first && t[i] <= end) {
					req[k[i]] = 1
					rt[k[i]] = t[i]
				}
				if (d[i] == "from-guest" && w[i] == "echo-reply" && (k[i] in req))
					ans[k[i]] = 1
			}
			for (x in req) n++
			for (x in ans) m++
			miss = ""
			for (x in req) if (!(x in ans)) miss = miss (miss == "" ? "" : " ") x "@" sprintf("%+.1f", rt[x] - first)
			printf "requests=%d answered=%d%s\n", n, m, (miss == "" ? "" : " unanswered(id,seq@s after the first frame from the guest)=" miss)
		}'
}

# mig_switch_breakdown: where the outside gap goes, in seconds from the
# moment the destination QEMU runs the guest (its vm_state_notify trace):
# the device's DRIVER_OK and QEMU's last control command replayed into it
# (the vCPUs run once that is done), QEMU's announce request to the guest (GUEST_ANNOUNCE, which QEMU emulates
# for vhost-vdpa), the guest's first frame and gratuitous ARP on B, the
# first reply to the outside pings, and how many requests from outside
# still went to A after that moment (the bridge had not learned yet).
# Needs MIG_DST_TRACE on the destination and mig_capture_start.
mig_switch_breakdown() {
	local run tc
	run=$(sed -n 's/^[0-9]*@\([0-9.]*\):vm_state_notify running 1 .*/\1/p' "$MIG_DIR/dst.log" | head -n1)
	tc=$(awk '$2 == "completed" { print $1; exit }' "$MIG_DIR/events")
	[ -n "$run" ] || { echo "no run state in $MIG_DIR/dst.log"; return 1; }
	{
		sed -n 's/^[0-9]*@\([0-9.]*\):virtio_net_announce_notify.*/\1 dst announce/p' "$MIG_DIR/dst.log"
		# the device's start: DRIVER_OK, then QEMU replays the control state
		sed -n 's/^[0-9]*@\([0-9.]*\):vhost_vdpa_add_status .* status: 0x4$/\1 dst driver_ok/p;
			s/^[0-9]*@\([0-9.]*\):vhost_vdpa_net_load_cmd .*/\1 dst cvq_load/p' "$MIG_DIR/dst.log"
		_mig_frames A | sed 's/^\([^ ]*\) /\1 A /'
		_mig_frames B | sed 's/^\([^ ]*\) /\1 B /'
		awk -F'[][]' '/bytes from/ { print $2, "outside reply" }' "$MIG_DIR/outside.ping"
	} | sort -n | awk -v r="$run" -v tc="${tc:-0}" '
		function at(k, t) { if (!(k in v)) v[k] = sprintf("%+.2f", t - r) }
		$1 < r && $2 == "A" && $3 == "from-guest" { la = $1 }
		$1 >= r {
			if ($2 == "dst" && $3 == "announce") at("announce", $1)
			if ($2 == "dst" && $3 == "driver_ok") at("driver_ok", $1)
			if ($2 == "dst" && $3 == "cvq_load") { v["last_cvq_load"] = sprintf("%+.2f", $1 - r); nl++ }
			if ($2 == "B" && $3 == "from-guest") at("first_from_guest_B", $1)
			if ($2 == "B" && $3 == "from-guest" && $4 == "garp") at("garp_B", $1)
			if ($2 == "outside") at("first_outside_reply", $1)
			if ($2 == "A" && $3 == "to-guest" && $4 == "echo-request" && !("first_outside_reply" in v)) lost++
		}
		END {
			printf "dst_runs=%+.2f(completed) last_from_guest_A=%s", r - tc, la ? sprintf("%+.2f", la - r) : "none"
			printf " cvq_loads=%d", nl
			n = split("driver_ok last_cvq_load announce garp_B first_from_guest_B first_outside_reply", k, " ")
			for (i = 1; i <= n; i++) printf " %s=%s", k[i], (k[i] in v) ? v[k[i]] : "none"
			printf " outside_requests_to_A=%d\n", lost
		}'
}

# mig_timeline: the samples where something changed and the events, in
# seconds since "migrate" was sent: "T src=N dst=N pin=KB/KB" or "T EVENT".
mig_timeline() {
	local t0
	t0=$(awk '$2 == "migrate" { print $1; exit }' "$MIG_DIR/events")
	{
		awk '{ k = $2 " " $3 " " $4 " " $5; if (k != p) print $1, "src=" $2, "dst=" $3, "pin=" $4 "/" $5; p = k }' "$MIG_DIR/samples"
		cat "$MIG_DIR/events"
	} | sort -n | awk -v t0="${t0:-0}" '{ t = $1; $1 = ""; printf "%7.1f%s\n", t - t0, $0 }'
}

# mig_state NAME: "mac=M rxq=N combined=N" from the guest's last state line.
mig_state() {
	grep -a -o 'guest: \(ready\|state\) mac=[^ ]* rxq=[0-9]* combined=[0-9a-z]*' "$MIG_DIR/$1.console" 2>/dev/null |
		tail -n1 | sed 's/^guest: [a-z]* //'
}

# mig_migrate SRC: migrate guest SRC to tcp:127.0.0.1:$MIG_PORT and poll
# query-migrate until it ends (up to MIG_TIMEOUT s, default 600); the last
# answer is left in $MIG_DIR/migrate.json.  Succeeds if it completed.
mig_migrate() {
	local src=$1 end=$((SECONDS + ${MIG_TIMEOUT:-600})) st status
	mig_qmp "$src" migrate-set-parameters '{"max-bandwidth": 1073741824}' >/dev/null || return 1
	echo "$(date +%s.%N) migrate" >>"$MIG_DIR/events"
	echo "qemu-migrate: migrate sent" >/dev/kmsg
	mig_qmp "$src" migrate "{\"uri\": \"tcp:127.0.0.1:$MIG_PORT\"}" >/dev/null || return 1
	while :; do
		st=$("$MIG_QMP" "$MIG_DIR/$src.qmp" query-migrate) || return 1
		status=$(jq -r .status <<<"$st")
		case "$status" in
		completed) break ;;
		failed|cancelled) echo "$st" >"$MIG_DIR/migrate.json"; echo "migration $status: $(jq -r '."error-desc" // ""' <<<"$st")" >&2; return 1 ;;
		esac
		[ "$SECONDS" -lt "$end" ] || { echo "$st" >"$MIG_DIR/migrate.json"; echo "migration still $status" >&2; return 1; }
		sleep 0.5
	done
	mig_say "\$ $MIG_QMP $MIG_DIR/$src.qmp query-migrate   # polled until \"completed\""
	echo "$(date +%s.%N) completed" >>"$MIG_DIR/events"
	echo "qemu-migrate: migration completed" >/dev/kmsg
	echo "$st" >"$MIG_DIR/migrate.json"
}

# mig_refused LABEL SRC DST REASON: migrate guest SRC to guest DST's QEMU
# (listening), which cannot take its state: with the return path on both
# sides the migration fails, DST's log says REASON (an ERE) and SRC's QEMU
# runs the guest again.  Without the return path the source would report
# the migration completed and leave the guest stopped.  Four TAP results.
MIG_RETURN_PATH='{"capabilities": [{"capability": "return-path", "state": true}]}'
mig_refused() {
	local label=$1 src=$2 dst=$3 reason=$4 rc=0
	t_ok "$label: the return path on, both sides" -- sh -c \
		"$MIG_QMP $MIG_DIR/$src.qmp migrate-set-capabilities '$MIG_RETURN_PATH' &&
		 $MIG_QMP $MIG_DIR/$dst.qmp migrate-set-capabilities '$MIG_RETURN_PATH'"
	mig_migrate "$src" 2>/dev/null || rc=$?
	t_eq "$label: the migration fails" 1 "$rc"
	sed 's/^/# destination: /' "$MIG_DIR/$dst.log"
	t_ok "$label: the destination refuses the state" -- grep -E -q "$reason" "$MIG_DIR/$dst.log"
	t_ok "$label: QEMU runs the guest again" -- mig_wait 60 mig_runs "$src"
}
mig_runs() { [ "$("$MIG_QMP" "$MIG_DIR/$1.qmp" query-status | jq -r .status)" = running ]; }

# mig_logging DEVICE: "true" or "false", whether the device's dirty log
# runs, as vdpa-mgmt dev status -j says; mig_logging_is DEVICE VALUE.
mig_logging() { "$MIG_VDPA_MGMT" -j dev status "$1" | jq -r '.. | objects | select(has("logging")) | .logging'; }
mig_logging_is() { [ "$(mig_logging "$1")" = "$2" ]; }

# mig_numbers: "total-time=MS downtime=MS setup-time=MS" from migrate.json.
mig_numbers() {
	jq -r '"total-time=\(."total-time") downtime=\(.downtime) setup-time=\(."setup-time") transferred=\(.ram.transferred)"' \
		"$MIG_DIR/migrate.json"
}

# mig_log_mark / mig_log_rounds DEVICE: what the device's dirty log gave
# the VMM in each of its sync rounds since the mark, from the driver's
# dev_dbg line at each LOG_SYNC (mig_log_mark turns it on).  A round syncs
# each RAM section once, in order: a section synced again starts the next.
#   "syncs=N rounds=R pages=P1,P2,..." (P: dirty pages the log reported)
mig_log_mark() {
	local ctl=/sys/kernel/debug/dynamic_debug/control
	[ -e "$ctl" ] || mount -t debugfs none /sys/kernel/debug 2>/dev/null
	echo 'module dpu_vdpa format "dirty log sync" +p' >"$ctl" || return 1
	MIG_LOG_MARK=$(dmesg | wc -l)
}
mig_log_rounds() {
	dmesg | tail -n +"$((${MIG_LOG_MARK:-0} + 1))" | grep -a " $1: dirty log sync: " |
		sed 's/.*dirty log sync: \[\([0-9a-fx]*\), .*: \([0-9]*\) dirty$/\1 \2/' | awk '
		{ n++; if (NR == 1 || $1 in seen) { r++; split("", seen) } seen[$1] = 1; p[r] += $2 }
		END { s = ""; for (i = 1; i <= r; i++) s = s (i > 1 ? "," : "") p[i]
		      printf "syncs=%d rounds=%d pages=%s\n", n, r, (s == "" ? "none" : s) }'
}

# mig_loss SRC DST [FROM]: ping sequence numbers missing between the
# source's first reply (or sequence number FROM) and the destination's
# last one:
#   "lost=N window=N last_src=S first_dst=D gaps=a-b,c-d"
# window: the sequence numbers missing between the source's last reply and
# the destination's first (the switch-over); lost: all missing ones.
mig_loss() {
	{
		# a serial line can lose characters: take every "seq=N ttl"
		grep -a -o 'seq=[0-9]* ttl' "$MIG_DIR/$1.console" | sed 's/seq=\([0-9]*\) ttl/S \1/'
		grep -a -o 'seq=[0-9]* ttl' "$MIG_DIR/$2.console" | sed 's/seq=\([0-9]*\) ttl/D \1/'
	} | awk -v from="${3:-0}" '
		$2 < from { next }
		{ seen[$2] = 1; if (min == "" || $2 < min) min = $2; if ($2 > max) max = $2 }
		$1 == "S" && $2 > ls { ls = $2 }
		$1 == "D" && (fd == "" || $2 < fd) { fd = $2 }
		END {
			lost = 0; gaps = ""
			for (i = min; i <= max; i++) {
				if (i in seen) continue
				lost++
				if ((i - 1) in seen) start = i
				if ((i + 1) in seen) gaps = gaps (gaps == "" ? "" : ",") start "-" i
			}
			w = fd - ls - 1; if (fd == "" || w < 0) w = 0
			printf "lost=%d window=%d last_src=%s first_dst=%s gaps=%s\n", lost, w, ls, fd, (gaps == "" ? "none" : gaps)
		}'
}

# mig_rtt NAME [FIRST]: ping round trips on guest NAME's console, in ms:
# "n=N median=M max=X" over all replies, or over the FIRST ones.
mig_rtt() {
	grep -a -o 'seq=[0-9]* ttl=[0-9]* time=[0-9.]*' "$MIG_DIR/$1.console" |
		sed 's/.*time=//' | head -n "${2:-1000000}" | sort -n |
		awk '{ v[NR] = $1 } END { if (NR) printf "n=%d median=%.0f max=%.0f\n", NR, v[int((NR + 1) / 2)], v[NR]; else print "n=0" }'
}

# The nested kernel's complaints on a console (what scripts/vm checks).
MIG_SPLAT='WARNING:|BUG:|Oops|general protection fault|kernel BUG at|KASAN|UBSAN|'
MIG_SPLAT+='possible (circular|recursive) locking|inconsistent lock state|'
MIG_SPLAT+='suspicious RCU usage|INFO: task .* blocked|refcount_t:|list_(add|del) corruption|'
MIG_SPLAT+='sleeping function called from invalid context|virtio.*(error|failed)|NETDEV WATCHDOG|Kernel panic'
mig_no_splat() { ! grep -a -E "$MIG_SPLAT" "$MIG_DIR/$1.console"; }

# mig_stop NAME: quit guest NAME's QEMU (QMP quit, then SIGTERM).
mig_stop() {
	local pid
	pid=$(cat "$MIG_DIR/$1.pid" 2>/dev/null) || return 0
	rm -f "$MIG_DIR/$1.pid"
	# one that is gone already (killed, or a destination that refused its
	# load): qmp.py would retry its socket for 30 s
	kill -0 "$pid" 2>/dev/null || return 0
	"$MIG_QMP" "$MIG_DIR/$1.qmp" quit >/dev/null 2>&1
	mig_wait 20 sh -c "! kill -0 $pid" || kill "$pid" 2>/dev/null
	mig_wait 10 sh -c "! kill -0 $pid"
}
