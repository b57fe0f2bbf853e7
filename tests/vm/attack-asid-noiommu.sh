#!/bin/bash
# tests/vm/attack-asid.sh on a machine without an IOMMU, where a data
# ring's IOVA handed to the function as it is would be a physical address
# of the host: the data group on an address space with nothing mapped
# must not start.
# vm-options: --no-iommu
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../attack-asid.sh"
