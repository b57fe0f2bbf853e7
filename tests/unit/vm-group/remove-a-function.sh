#!/bin/bash
# tests/unit/vm-group.sh's fixture: a function gone from the bus, which
# no reset brings back.
. "$(dirname "$0")/../../lib.sh"
set -- $VM_BLKS
t_ok "remove $1 from the PCI bus" -- sh -c "echo 1 >/sys/bus/pci/devices/$1/remove"
t_done
