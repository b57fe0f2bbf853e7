#!/bin/bash
# A VMM that maps its memory only into the control group's address space
# (--group-asid 1:1: the control group onto address space 1, the data
# group left on the empty address space 0) and sets DRIVER_OK: the data
# rings' IOVAs must never reach the function (they would be bus addresses
# the IOMMU domain does not hold).  The device refuses to start:
# NEEDS_RESET, no DRIVER_OK in the status, "data queues refused" in the
# kernel log.  With the data group moved onto address space 1 where the
# memory is (--group-asid 0:1) it works as usual: frames reach the peer.
# The same on a machine without an IOMMU: tests/vm/attack-asid-noiommu.sh.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../attack-asid.sh"
