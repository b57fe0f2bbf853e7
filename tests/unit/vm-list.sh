#!/bin/bash
# scripts/vm --list names the functions where the machine puts them.
cd "$(dirname "$0")/../.."
out=$(scripts/vm --nets 4 --blks 2 --list)
if echo "$out" | grep -qx 'VM_NETS="0000:00:08.0 0000:00:09.0 0000:00:0a.0 0000:00:0b.0"'; then
	echo "ok 1 - --list: four net functions"; else echo "not ok 1 - --list nets: $out"; fi
if echo "$out" | grep -qx 'VM_BLKS="0000:00:10.0 0000:00:11.0"'; then
	echo "ok 2 - --list: two blk functions"; else echo "not ok 2 - --list blks: $out"; fi
if scripts/vm --nets 9 --list >/dev/null 2>&1; then
	echo "not ok 3 - --nets 9 accepted"; else echo "ok 3 - --nets 9 refused"; fi
if scripts/vm -- false; [ $? = 1 ]; then
	echo "ok 4 - the VM's exit status is the command's (false -> 1)"
else echo "not ok 4 - exit status not passed through"; fi
if scripts/vm -- sh -c 'echo c >/proc/sysrq-trigger' >/dev/null 2>&1; [ $? = 125 ]; then
	echo "ok 5 - a kernel crash in the VM fails with status 125"
else echo "not ok 5 - a crash was not reported as 125"; fi
if scripts/vm --timeout 15 -- sleep 60 >/dev/null 2>&1; [ $? = 124 ]; then
	echo "ok 6 - a command past --timeout fails with status 124"
else echo "not ok 6 - timeout not reported as 124"; fi
