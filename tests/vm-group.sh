#!/bin/bash
# Several VM tests in one test VM, one after another: tests/run's groups
# of tests/debug.list ("vm:NAME"), because a debug-kernel VM spends about
# 80 s on its own (KASAN and lockdep boot, module coldplug, the kmemleak
# scans at the end) whatever the test takes.
#
#   tests/vm-group.sh TEST[:NAME=VALUE...] ...      (inside the test VM)
#
# Between two tests the machine goes back to how it booted: every vDPA
# device deleted, the vDPA modules unloaded, every function back on
# virtio-pci, no network namespace left; a machine that cannot be put
# back ends the group (the tests after it are reported as not run).  A
# splat after a test's last result is that test's failure.  Markers on
# stdout ("=== group: begin|end TEST ...") let tests/run split the output
# into one log a test.
cd "$(dirname "$0")/.."
. tests/lib.sh

# processes a test left holding a vhost-vdpa device or a network peer
stop_leftovers() {
	local n
	for n in /dev/vhost-vdpa-*; do
		[ -e "$n" ] && fuser -k -KILL "$n" >/dev/null 2>&1
	done
	pkill -KILL -x iperf3 2>/dev/null
	ip -all netns delete 2>/dev/null
	return 0
}

# machine_reset: the state scripts/vm boots into; prints what it could not do.
machine_reset() {
	local d f drv
	stop_leftovers
	for d in /sys/bus/vdpa/devices/*; do
		[ -e "$d" ] || continue
		vdpa dev del "$(basename "$d")" || echo "vdpa dev del $(basename "$d") failed"
	done
	for m in dpu_vdpa vhost_vdpa virtio_vdpa vdpa; do
		[ -d "/sys/module/$m" ] || continue
		modprobe -r "$m" || echo "modprobe -r $m failed"
	done
	for f in $VM_NETS $VM_BLKS; do
		d=/sys/bus/pci/devices/$f
		echo >"$d/driver_override"
		drv=$(basename "$(readlink "$d/driver" 2>/dev/null)")
		if [ -n "$drv" ] && [ "$drv" != virtio-pci ]; then
			echo "$f" >"$d/driver/unbind"
		fi
		[ -e "$d/driver" ] || echo "$f" >/sys/bus/pci/drivers_probe
		drv=$(basename "$(readlink "$d/driver" 2>/dev/null)")
		[ "$drv" = virtio-pci ] || echo "$f is on '${drv:-no driver}', not virtio-pci"
	done
}

broken=
status=0
for spec in "$@"; do
	IFS=: read -r -a words <<<"$spec"
	t=${words[0]}
	echo "=== group: begin $t"
	if [ -n "$broken" ]; then
		echo "not ok - $t not run: the machine could not be reset after $broken"
		echo "=== group: end $t rc=1 secs=0"
		status=1
		continue
	fi
	start=$(date +%s)
	env "${words[@]:1}" bash "$t"
	rc=$?
	secs=$(($(date +%s) - start))
	splat=$(_dmesg_splat)
	if [ -n "$splat" ]; then
		echo "not ok - kernel splat after the last result of $t:"
		sed 's/^/#   /' <<<"$splat"
		rc=1
	fi
	_dmesg_mark "after $t"
	left=$(machine_reset 2>&1)
	if [ -n "$left" ]; then
		echo "not ok - the machine back to its boot state after $t:"
		sed 's/^/#   /' <<<"$left"
		broken=$t rc=1
	fi
	echo "=== group: end $t rc=$rc secs=$secs"
	[ "$rc" = 0 ] || status=1
done
exit "$status"
