#!/bin/bash
# libvdpamgmt without a kernel: requests built into a buffer and read back
# attribute by attribute, hand-made replies and extended acks parsed,
# names, and the same for dpu_vdpa's family; under valgrind
# (tests/unit/test_requests.c).
. "$(dirname "$0")/../lib-host.sh"
t_program_under_valgrind requests "$VDPA_MGMT/test-requests"
t_done
