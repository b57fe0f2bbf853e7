#!/bin/bash
# Hostile split rings (tests/vhost-client ring-fuzz) against the shadow
# relay (module parameter shadow=1, an IOMMU): net RX/TX with the peer
# sending frames all along, blk, and net with the control queue on
# address space 1 of its own.  Each chain completes correctly or the
# device reports NEEDS_RESET and is reset; the relay must refuse the
# malformed ones (loops, indexes out of range, indirect, avail index more
# than a ring away, addresses past the offered range); guard pages and a
# canary mapped only in the control group's address space stay intact.
# Fixed seeds: a failure prints the iteration to replay.  The function
# runs only the driver's rings here, so a broken ring in the outer QEMU's
# model fails the run (scripts/vm); what a request holds (a blk request
# without its header) is the consumer's, passed on as written: the
# function may refuse it.
# vm-options: --allow-request-errors --timeout 900
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../fuzz-lib.sh"
fuzz_setup
t_ok "shadow=1: every queue through the relay" -- \
	sh -c 'echo 1 >/sys/module/dpu_vdpa/parameters/shadow'
N=${FUZZ_ITERATIONS:-1000}
# ~15 iterations/s under TCG; with the control queue slower still
export FUZZ_LIMIT=${FUZZ_LIMIT:-240}
ring_fuzz_all shadow 101 "$N" "$N"
t_done
