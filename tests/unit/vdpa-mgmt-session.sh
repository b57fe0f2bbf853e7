#!/bin/bash
# dpu_vdpa's session calls against a fake kernel in the test program
# (libmnl's socket wrapped): log sync in chunks of at most
# DPU_VDPA_LOG_SYNC_MAX_PAGES over a whole range, extack errors, and
# migrate's steps and way back; under valgrind (tests/unit/test_session.c).
. "$(dirname "$0")/../lib-host.sh"
t_program_under_valgrind session "$VDPA_MGMT/test-session"
t_done
