#!/bin/bash
# Hostile split rings (tests/vhost-client ring-fuzz) in direct mode: the
# function (the outer QEMU's virtio model) runs the consumer's own rings
# behind the driver's IOMMU domain, so it is the function that finds the
# garbage, and its virtio errors and IOMMU faults are expected here, not
# failures.  What must hold: each chain completes correctly or the device
# reports NEEDS_RESET (the function's, passed through) and is reset; the
# software control queue, on address space 1 of its own, refuses
# malformed rings itself; guard pages and the canary mapped only in the
# control group's address space stay intact (the domain mirrors the data
# group's address space and nothing else).
# vm-allow-virtio-errors
# vm-options: --allow-virtio-errors --allow-dma-faults --timeout 420
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../fuzz-lib.sh"
fuzz_setup
t_ok "shadow=0: direct mode" -- sh -c 'echo 0 >/sys/module/dpu_vdpa/parameters/shadow'
N=${FUZZ_ITERATIONS:-1000}
NC=${FUZZ_CVQ_ITERATIONS:-80}
feed_start
fuzz_run "ring-fuzz direct net rx/tx: seed 201, $N iterations" \
	"$DEV" --mode direct --seed 201 --iterations "$N" --round-ms 2000
fuzz_run "ring-fuzz direct net rx/tx/control queue (control group on asid 1): seed 202, $NC iterations" \
	"$DEV" --mode direct --seed 202 --iterations "$NC" --pairs 1 --round-ms 2000
feed_stop
[ -n "$BDEV" ] && fuzz_run "ring-fuzz direct blk: seed 203, $N iterations" \
	"$BDEV" --mode direct --seed 203 --iterations "$N" --round-ms 2000
dmesg_tail 3
t_ok "after the fuzz: net-tx of 200 frames to $NB still works" -- \
	pair after "$VC" pkt-recv "$NB" --count 200 --stream 9 --timeout 5 -- \
	"$VC" net-tx "$DEV" --count 200 --stream 9 --dst-mac "$MB" --rate 5000
t_ok "dev del vd0" -- vdpa dev del vd0
[ -n "$BDEV" ] && t_ok "dev del blk0" -- vdpa dev del blk0
t_done
