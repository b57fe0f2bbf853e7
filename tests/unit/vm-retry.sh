#!/bin/bash
# scripts/vm boots again, once, when the outer QEMU aborts on an assertion
# of its own before the job started (a TCG bug seen once in CI), and only
# then: an abort every time, or a crash that is not QEMU's assertion, still
# fails the run. A stand-in qemu-system-x86_64 first in PATH aborts on cue
# and otherwise runs the real one.
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
esac
FAKE
chmod +x "$FAKE/qemu-system-x86_64"

boot() {	# MODE: boot a VM that prints a word; sets out, rc, boots
	echo "$1" >"$FAKE/mode"
	rm -f "$FAKE/count"
	rc=0
	out=$(PATH="$FAKE:$PATH" scripts/vm --timeout 300 -- echo the-job-ran 2>&1) || rc=$?
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
[ "$T_FAILED" = 0 ] || sed 's/^/# /' <<<"$out"
t_done
