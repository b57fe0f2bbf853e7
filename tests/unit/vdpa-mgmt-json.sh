#!/bin/bash
# The JSON writer (escaping, compact and pretty nesting) and the output
# tree's text rendering; under valgrind (tests/unit/test_json.c).
. "$(dirname "$0")/../lib-host.sh"
t_program_under_valgrind json "$VDPA_MGMT/test-json"
t_done
