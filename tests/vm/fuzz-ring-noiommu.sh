#!/bin/bash
# Hostile split rings (tests/vhost-client ring-fuzz) on a machine without
# an IOMMU: a vhost consumer's data queues run in translated shadow mode,
# where the relay hands the function physical addresses of pages it
# looked up in the data address space's IOTLB.  Nothing but the relay
# stands between a guest's descriptor and host memory here, so it must
# refuse every address the data address space does not map (outside,
# straddling an edge, past the end with a huge length), and loops,
# indexes out of range, indirect descriptors, avail jumps; the canary
# mapped only in the control group's address space 1 (at the IOVAs the
# hostile chains name), the guard pages and the hole between two adjacent
# mappings stay intact.  The function only ever sees the driver's rings:
# a broken ring in the outer QEMU's model fails the run (scripts/vm);
# what a request holds (a blk request without its header) is the
# consumer's, passed on as written: the function may refuse it.
# vm-options: --no-iommu --allow-request-errors --timeout 900
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../fuzz-lib.sh"
fuzz_setup
t_eq "no IOMMU in the machine" "0 0" "$VM_IOMMU $(ls /sys/class/iommu | wc -l)"
N=${FUZZ_ITERATIONS:-1000}
# ~15 iterations/s under TCG; with the control queue slower still
export FUZZ_LIMIT=${FUZZ_LIMIT:-240}
ring_fuzz_all translated 301 "$N" "$N"
t_done
