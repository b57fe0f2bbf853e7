#!/bin/bash
# Feature names and device_features values, no kernel: every bit's shown
# name reads back, + and - against a mgmtdev's features, exact lists,
# unknown names, the qemu-svq profile (tests/unit/test_names.c); then
# every feature bit the kernel's uapi headers define (virtio_net.h,
# virtio_blk.h, virtio_config.h, virtio_ring.h, in /usr/include and in the
# 6.12 headers) has a name and its macro's name is taken.  Under valgrind.
. "$(dirname "$0")/../lib-host.sh"
t_program_under_valgrind names "$VDPA_MGMT/test-names"

# header_bits: "TYPE MACRO BIT" for each numeric feature define of the headers
header_bits() {
	local dir
	for dir in /usr/include/linux /usr/src/linux-headers-6.12*-common/include/uapi/linux; do
		[ -d "$dir" ] || continue
		sed -nE 's/^#define[[:space:]]+(VIRTIO_NET_F_[A-Z0-9_]+)[[:space:]]+([0-9]+).*/net \1 \2/p' \
			"$dir/virtio_net.h"
		sed -nE 's/^#define[[:space:]]+(VIRTIO_BLK_F_[A-Z0-9_]+)[[:space:]]+([0-9]+).*/block \1 \2/p' \
			"$dir/virtio_blk.h"
		# every device type's: for net, block and a type with no names of its own
		for type in net block other; do
			sed -nE "s/^#define[[:space:]]+(VIRTIO_(F|RING_F)_[A-Z0-9_]+)[[:space:]]+([0-9]+).*/$type \1 \3/p" \
				"$dir/virtio_config.h" "$dir/virtio_ring.h"
		done
	done | sort -u
}
LIST=$(mktemp)
trap 'rm -f "$LIST"' EXIT
header_bits >"$LIST"
t_ok "the headers have feature bits (USO among them: the 6.12 headers are there)" -- \
	grep -q '^net VIRTIO_NET_F_HOST_USO 56$' "$LIST"
out=$("${VALGRIND[@]}" "$VDPA_MGMT/test-names" --headers "$LIST" 2>&1); rc=$?
grep -v '^ok\|^1\.\.' <<<"$out"
t_eq "headers: every feature bit of the headers is named, valgrind clean" "0 1" \
	"$rc $(grep -c '^ok' <<<"$out")"
# negative control: a bit no header defines is reported as unnamed
echo 'net VIRTIO_NET_F_NOPE 58' >"$LIST"
t_ok "negative control: a bit without a name fails the check" -- \
	sh -c "'$VDPA_MGMT/test-names' --headers '$LIST' | grep -q '^# net VIRTIO_NET_F_NOPE (bit 58): no name'"
t_done
