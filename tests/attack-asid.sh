#!/bin/bash
# The body of tests/vm/attack-asid.sh and attack-asid-noiommu.sh (sourced
# after lib.sh).
. "$(dirname "${BASH_SOURCE[0]}")/fuzz-lib.sh"
fuzz_setup
echo "# IOMMU in the machine: $VM_IOMMU"
refused() {	# the kernel's verdict since the last mark
	_dmesg_since_mark | grep -q "data queues refused"
}
t_ok "--group-asid 1:1 (memory only in asid 1, data group on empty asid 0): DRIVER_OK refused, NEEDS_RESET" -- \
	"$VC" asid-attack "$DEV" --group-asid 1:1
# t_ok's result put a mark: look at the messages of a second attempt
t_ok "--group-asid 1:1 again: dmesg says 'data queues refused'" -- \
	sh -c "'$VC' asid-attack '$DEV' --group-asid 1:1 >/dev/null 2>&1; dmesg | tail -n 20 | grep 'data queues refused'"
t_ok "net-tx with --group-asid 1:1 does not start: exit 1, NEEDS_RESET" -- \
	sh -c "'$VC' net-tx '$DEV' --count 10 --group-asid 1:1 --dst-mac '$MB' 2>&1 | tee /dev/stderr | grep -q NEEDS_RESET"
t_ok "--group-asid 0:1 (data group onto asid 1, where the memory is): the device starts" -- \
	"$VC" asid-attack "$DEV" --group-asid 0:1
t_ok "net-tx with --group-asid 0:1: 300 frames reach the peer $NB" -- \
	pair asid01 "$VC" pkt-recv "$NB" --count 300 --stream 11 --timeout 5 -- \
	"$VC" net-tx "$DEV" --count 300 --group-asid 0:1 --stream 11 --dst-mac "$MB" --rate 5000
t_ok "and without --group-asid, as before" -- \
	pair asid00 "$VC" pkt-recv "$NB" --count 300 --stream 12 --timeout 5 -- \
	"$VC" net-tx "$DEV" --count 300 --stream 12 --dst-mac "$MB" --rate 5000
t_ok "dev del vd0" -- vdpa dev del vd0
t_done
