#!/bin/bash
# libvdpamgmt without a kernel: requests built into a buffer and read back
# attribute by attribute, hand-made replies and extended acks parsed,
# names; under valgrind (tools/vdpa-mgmt/test_requests.c).
. "$(dirname "$0")/../lib-host.sh"
t_program_under_valgrind requests "$VDPA_MGMT/test-requests"
t_done
