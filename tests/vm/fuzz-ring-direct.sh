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
ring_fuzz_all direct 201 "$N" "$NC"
t_done
