#!/bin/bash
# A VMM that unmaps memory the function holds, on a machine without an
# IOMMU (translated shadow mode: the relay hands the function physical
# addresses).  vhost-client unmap-attack posts receive buffers, then
# invalidates the whole memory in the IOTLB (vhost-vdpa unpins it), unmaps
# it and frees its memfd, fills a fresh region as large as the free memory with a pattern and
# prints 'ready'; the peer then sends frames to it.  Had the driver not
# kept a reference to every page it handed the function, those pages
# would be free, likely reused by the fresh region, and the frames would
# land in it: any changed byte fails.
# vm-options: --no-iommu --timeout 300
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../fuzz-lib.sh"
fuzz_setup
t_eq "no IOMMU in the machine" "0 0" "$VM_IOMMU $(ls /sys/class/iommu | wc -l)"
for round in 1 2; do
	t_ok "round $round: 400 frames from $NB after the memory was unmapped and freed: the fresh region (all free memory) is intact" -- \
		pair unmap$round "$VC" unmap-attack "$DEV" --timeout 4 -- \
		"$VC" pkt-send "$NB" --count 400 --size 1000 --dst-mac "$MA" --rate 2000
	sed 's/^/# /' "/tmp/unmap$round.recv"
	grep -h 'sent=\|frames' "/tmp/unmap$round.send" | sed 's/^/# peer: /'
done
dmesg_tail 4
t_ok "the device works again after a reset: net-tx of 200 frames to $NB" -- \
	pair after "$VC" pkt-recv "$NB" --count 200 --stream 9 --timeout 5 -- \
	"$VC" net-tx "$DEV" --count 200 --stream 9 --dst-mac "$MB" --rate 5000
t_ok "dev del vd0" -- vdpa dev del vd0
t_done
