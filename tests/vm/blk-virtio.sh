#!/bin/bash
# A blk function as a vDPA device through virtio_vdpa: its write-cache
# mode changed through the config space; ext4 on it, 64 MiB of random data
# written, caches dropped, read back and compared; no completion taken
# for a config change.
. "$(dirname "$0")/../lib.sh"
set -- $VM_BLKS
F=$1
[ -n "$F" ] || t_bail "needs a blk function"
load_modules || t_bail "modprobe"

t_ok "bind $F to dpu_vdpa" -- bind_fn "$F"
t_err "mac is refused on a block device" "mac|not supported|Operation not supported" -- \
	vdpa dev add name blk0 mgmtdev "pci/$F" mac 02:00:00:00:0b:01
t_ok "dev add blk0" -- vdpa dev add name blk0 mgmtdev "pci/$F"
t_eq "vdpa dev show: type block" "block" "$(vdpa -j dev show blk0 | jq -r '.dev.blk0.type')"
wait_for blkdev_of "$F"
B=$(blkdev_of "$F")
t_ok "virtio_blk disk appeared (/dev/$B)" -- test -b "/dev/$B"
t_eq "capacity is the function's 1 GiB" "1073741824" "$(blockdev --getsize64 /dev/$B)"
# set_config: the write-cache mode is the one field a blk consumer may
# write (VIRTIO_BLK_F_CONFIG_WCE); virtio_blk reads it back through
# get_config, which reads the function, so the mode only changes if the
# write reached the function.
CT=/sys/block/$B/cache_type
t_eq "cache_type: the function's write back" "write back" "$(cat "$CT")"
t_ok "cache_type set to write through (a config write)" -- sh -c "echo 'write through' >$CT"
t_eq "the function reports write through" "write through" "$(cat "$CT")"
t_ok "cache_type set back to write back" -- sh -c "echo 'write back' >$CT"
t_eq "the function reports write back" "write back" "$(cat "$CT")"
t_ok "mkfs.ext4" -- mkfs.ext4 -q -F "/dev/$B"
mkdir -p /tmp/mnt
t_ok "mount" -- mount "/dev/$B" /tmp/mnt
head -c 64M /dev/urandom >/tmp/data
want=$(sha256sum </tmp/data)
t_ok "write 64 MiB" -- sh -c "cp /tmp/data /tmp/mnt/data && sync"
rm -f /tmp/data
umount /tmp/mnt
echo 3 >/proc/sys/vm/drop_caches
t_ok "remount after dropping caches" -- mount "/dev/$B" /tmp/mnt
t_eq "64 MiB read back intact" "$want" "$(sha256sum </tmp/mnt/data)"
t_ok "fsck clean" -- sh -c "umount /tmp/mnt && fsck.ext4 -n -f /dev/$B"
# A completion is no config change.  The function has an MSI-X vector
# for the config space and one a queue, too few to give the relay one
# too, so they all share vector 0, and only the ISR tells them apart:
# each config interrupt makes virtio_blk re-read its capacity and log
# "new size" (once a request, before the driver read the ISR).
t_eq "virtio_blk saw no config change through all that I/O ('new size')" 0 \
	"$(dmesg | grep -c 'new size')"
t_ok "dev del blk0" -- vdpa dev del blk0
t_ok "disk gone after dev del" -- sh -c "! test -b /dev/$B"
t_done
