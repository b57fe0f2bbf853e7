#!/bin/bash
# scripts/vm boots again, once, when the outer QEMU aborts on an assertion
# of its own before the job started (a TCG bug seen once in CI), or when
# the guest does not reach its job within the boot timeout (a hung boot,
# seen in CI), and only then: an abort or a hang every time, or a crash
# that is not QEMU's assertion, still fails the run, and a job that runs
# longer than the boot timeout is not cut short. A stand-in
# qemu-system-x86_64 first in PATH aborts or hangs on cue and otherwise
# runs the real one.
. "$(dirname "$0")/../lib-host.sh"
cd "$PROJECT"
REAL=$(command -v qemu-system-x86_64) || t_bail "qemu-system-x86_64 missing"
FAKE=$(mktemp -d)
trap 'rm -rf "$FAKE"' EXIT
cat >"$FAKE/qemu-system-x86_64" <<FAKE
#!/bin/bash
n=\$(cat "$FAKE/count" 2>/dev/null || echo 0)
echo \$((n + 1)) >"$FAKE/count"
case "\$(cat "$FAKE/mode")" in
once) [ "\$n" -gt 0 ] && exec "$REAL" "\$@" ;&
always)
	echo "qemu-system-x86_64: ../system/physmem.c:2678: iotlb_to_section: Assertion \\\`section_index < d->map.sections_nb' failed." >&2
	exit 134 ;;
other)
	echo "qemu-system-x86_64: cannot set up guest memory 'pc.ram': Cannot allocate memory" >&2
	exit 1 ;;
hang-once) [ "\$n" -gt 0 ] && exec "$REAL" "\$@" ;&
hang-always) exec sleep 600 ;;
real) exec "$REAL" "\$@" ;;
esac
FAKE
chmod +x "$FAKE/qemu-system-x86_64"

boot() {	# MODE [JOB...]: boot a VM that prints a word; sets out, rc, boots
	local mode=$1
	shift
	[ $# -gt 0 ] || set -- echo the-job-ran
	echo "$mode" >"$FAKE/mode"
	rm -f "$FAKE/count"
	rc=0
	out=$(PATH="$FAKE:$PATH" VM_BOOT_TIMEOUT=${BOOT_TIMEOUT:-240} scripts/vm --timeout 300 \
		-- "$@" 2>&1) || rc=$?
	boots=$(cat "$FAKE/count")
}

boot once
t_eq "an abort during boot: the VM boots again and the job runs" 0 "$rc"
t_ok "and the output says the outer QEMU aborted and why" -- \
	grep -q "aborted while the guest booted.*" <<<"$out"
t_ok "and names the assertion" -- grep -q "iotlb_to_section: Assertion" <<<"$out"
t_ok "and the job's output is there" -- grep -q "^the-job-ran" <<<"$(tr -d '\r' <<<"$out")"
t_eq "two boots in all" 2 "$boots"

boot always
t_ok "negative control: an abort every time fails the run" -- test "$rc" != 0
t_eq "after one retry, not more" 2 "$boots"

boot other
t_ok "negative control: a stop that is not QEMU's assertion fails the run" -- test "$rc" != 0
t_eq "and is not retried" 1 "$boots"

# a hung boot: the stand-in never starts a guest.  The boot after it is
# real, and must fit in the same boot timeout (10-20 s here)
BOOT_TIMEOUT=45 boot hang-once
t_eq "a boot that does not reach the job in time: booted again and the job runs" 0 "$rc"
t_ok "and the output says the boot hung" -- grep -q "did not reach its job in 45s (a hung boot)" <<<"$out"
t_ok "and the job's output is there" -- grep -q "^the-job-ran" <<<"$(tr -d '\r' <<<"$out")"
t_eq "two boots in all" 2 "$boots"

BOOT_TIMEOUT=5 boot hang-always
t_eq "negative control: a boot that hangs every time fails the run (124)" 124 "$rc"
t_ok "and says so" -- grep -q "did not reach its job in 5s, twice" <<<"$out"
t_eq "after one retry, not more" 2 "$boots"

# the boot timeout ends at the job's start: a job longer than it runs on
BOOT_TIMEOUT=40 boot real sh -c 'sleep 50; echo the-job-ran'
t_eq "negative control: a job that outlasts the boot timeout is not cut short" 0 "$rc"
t_ok "and finishes" -- grep -q "^the-job-ran" <<<"$(tr -d '\r' <<<"$out")"
t_eq "in one boot" 1 "$boots"
[ "$T_FAILED" = 0 ] || sed 's/^/# /' <<<"$out"
t_done
