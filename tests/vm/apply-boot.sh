#!/bin/bash
# vdpa-mgmt apply at boot and on hot-plug, under systemd: the VM boots
# systemd with the unit enabled, the udev rule and a devices file in place
# (tests/vm/apply-boot.setup), and finds the devices there when the boot is
# done.  Then a function named by the file is removed and found again by a
# PCI rescan (the kernel's hot-plug path: an "add" uevent of a new
# function): the rule starts the unit, which takes it and re-creates its
# device.  Negative controls: without the rule, the same rescan leaves the
# function to virtio-pci; a function the file does not name stays there.
# vm-options: --nets 2 --blks 1 --systemd tests/vm/apply-boot.setup
. "$(dirname "$0")/../lib.sh"
set -- $VM_NETS
A=$1 B=$2
BLK=${VM_BLKS%% *}
UNIT=vdpa-mgmt-apply.service
[ "$(cat /proc/1/comm)" = systemd ] || t_bail "not booted with --systemd (pid 1 is $(cat /proc/1/comm))"

drv_of() { basename "$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null)" 2>/dev/null; }
bus_of() {
	local d=/sys/bus/vdpa/devices/$1/driver
	if [ -e "$d" ]; then basename "$(readlink "$d")"; else echo none; fi
}
wait_for() {	# SECS CMD...: CMD true within SECS seconds
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.5
	done
}
# the unit's runs so far (each start of a oneshot ends in one "Finished")
unit_runs() { journalctl -b -q -o cat -u "$UNIT" | grep -c '^Finished'; }
# remove FN from the bus and find it again, as a hot-plug does
replug() {
	echo 1 >"/sys/bus/pci/devices/$1/remove" &&
		wait_for 10 test ! -e "/sys/bus/pci/devices/$1" &&
		echo 1 >/sys/bus/pci/rescan &&
		wait_for 10 test -e "/sys/bus/pci/devices/$1"
}
device_back() {	# NAME FN BUS: NAME on FN, attached to BUS
	[ -e "/sys/bus/vdpa/devices/$1" ] &&
		[ "$(basename "$(readlink -f "/sys/bus/vdpa/devices/$1/..")")" = "$2" ] &&
		[ "$(bus_of "$1")" = "$3" ]
}

# --- at boot
udevadm settle -t 60
t_ok "the boot ran $UNIT, which succeeded" -- \
	sh -c "systemctl show -p Result --value $UNIT | grep -qx success && test \$(systemctl show -p ExecMainStatus --value $UNIT) = 0"
journalctl -b -q -o cat -u "$UNIT" | sed 's/^/#   boot: /'
t_eq "both net functions are dpu_vdpa's" "dpu_vdpa dpu_vdpa" "$(drv_of "$A") $(drv_of "$B")"
t_ok "bt0 on $A, attached to virtio_vdpa" -- device_back bt0 "$A" virtio_vdpa
t_ok "bt1 on $B, attached to vhost_vdpa" -- device_back bt1 "$B" vhost_vdpa
# bt0's netdev (udev has renamed it), as vdpa-mgmt reports it
nd=$("$PROJECT/tools/vdpa-mgmt/vdpa-mgmt" -j dev show bt0 |
	python3 -c 'import json, sys; print(json.load(sys.stdin)["dev"]["bt0"]["netdev"])')
t_eq "bt0's netdev has the file's MAC and MTU" "02:00:00:00:b0:01 1400" \
	"$(cat "/sys/class/net/$nd/address" "/sys/class/net/$nd/mtu" 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"
t_ok "bt1's /dev/vhost-vdpa-N is there" -- sh -c 'ls /sys/bus/vdpa/devices/bt1/vhost-vdpa-* >/dev/null'
t_eq "the function the file does not name stays on virtio-pci" virtio-pci "$(drv_of "$BLK")"

runs=$(unit_runs)
t_ok "the unit started again: it succeeds" -- systemctl start "$UNIT"
t_ok "and says there is nothing to change" -- \
	sh -c "journalctl -b -q -o cat -u $UNIT | tail -n 3 | grep -q 'apply: nothing to change'"

# --- hot-plug: $B goes and comes back; the rule starts the unit
runs=$(unit_runs)
t_ok "$B removed and found again by a rescan" -- replug "$B"
t_ok "the rule ran the unit: bt1 is back on $B, on vhost_vdpa (60 s)" -- \
	wait_for 60 device_back bt1 "$B" vhost_vdpa
t_ok "the unit ran once more" -- test "$(unit_runs)" -gt "$runs"
t_ok "bt0 on $A was left alone" -- device_back bt0 "$A" virtio_vdpa
journalctl -b -q -o cat -u "$UNIT" | tail -n 4 | sed 's/^/#   hot-plug: /'

t_ok "negative control: the function the file does not name, replugged" -- replug "$BLK"
udevadm settle -t 30
t_eq "stays on virtio-pci" virtio-pci "$(drv_of "$BLK")"

rm /etc/udev/rules.d/90-vdpa-mgmt.rules
udevadm control --reload
runs=$(unit_runs)
t_ok "negative control: without the rule, $B replugged" -- replug "$B"
udevadm settle -t 30
sleep 5
t_ok "is left to virtio-pci, bt1 not re-created" -- \
	sh -c "test \"\$(basename \"\$(readlink /sys/bus/pci/devices/$B/driver)\")\" = virtio-pci && test ! -e /sys/bus/vdpa/devices/bt1"
t_eq "and the unit did not run" "$runs" "$(unit_runs)"
t_ok "systemctl start $UNIT takes it back" -- systemctl start "$UNIT"
t_ok "bt1 back on $B, on vhost_vdpa" -- wait_for 30 device_back bt1 "$B" vhost_vdpa
t_done
