#!/bin/bash
# The device-state blob: the codec's unit test (tests/unit/test_state.c)
# under valgrind, then "dev state show" and "dev state load" on blobs made
# here by an independent writer (Python's struct and zlib.crc32), text and
# JSON (read by jq), and malformed ones refused with where they are wrong.
. "$(dirname "$0")/../lib-host.sh"
V=$VDPA_MGMT/vdpa-mgmt
[ -x "$V" ] || t_bail "$V not built (make tools)"
command -v jq >/dev/null || t_bail "jq not installed"
command -v python3 >/dev/null || t_bail "python3 not installed"

t_program_under_valgrind state "$VDPA_MGMT/test-state"

D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT

# mkblob VARIANT > FILE: a net blob (3 vqs, config, every net section, an
# unknown non-critical section), or that blob spoilt as VARIANT says
mkblob() {
	python3 - "$1" <<'PY'
import struct, sys, zlib
variant = sys.argv[1]
def sect(t, payload, flags=1):
    s = struct.pack('<HHI', t, flags, len(payload)) + payload
    return s + b'\0' * (-len(s) % 8)
dev = struct.pack('<QQB3xHH', (1 << 32) | (1 << 5) | (1 << 16), (1 << 32) | (1 << 5), 0x0f,
                  3, 12)
vq = lambda i: sect(2, struct.pack('<HHHHB7xQQQ', i, 256, 1000 + i, 1000 + i, 1,
                                   0x10000 * (i + 1), 0x20000 * (i + 1), 0x30000 * (i + 1)))
vlan = bytearray(512)
vlan[100 // 8] |= 1 << (100 % 8)
sections = [sect(1, dev), vq(2), vq(0), vq(1),
            sect(3, bytes(range(0xa0, 0xac))),
            sect(16, bytes([2, 0, 0, 0, 0xa, 1]) + struct.pack('<HHH', 4000, 1, 4)),
            sect(17, struct.pack('<I', 0x21)),
            sect(18, struct.pack('<II', 1, 1) + bytes([2, 0, 0, 0, 0, 9, 0x33, 0x33, 0, 0, 0, 1])),
            sect(19, bytes(vlan)), sect(20, struct.pack('<H6x', 2)),
            sect(77, b'hello', flags=0)]
version = 1
if variant == 'critical':
    sections[-1] = sect(77, b'hello', flags=1)
elif variant == 'dupvq':
    sections[3] = vq(0)
elif variant == 'nodevice':
    sections = sections[1:]
elif variant == 'newer':
    version = 2
body = b''.join(sections)
def hdr(crc):
    return struct.pack('<IHHIIII', 0x56555044, version, 24, 24 + len(body), crc, 1, 0)
blob = bytearray(hdr(zlib.crc32(hdr(0) + body)) + body)
if variant == 'badcrc':
    blob[-1] ^= 1
elif variant == 'truncated':
    blob = blob[:200]
elif variant == 'crc':
    sys.stdout.write(str(zlib.crc32(hdr(0) + body)))
    sys.exit()
sys.stdout.buffer.write(blob)
PY
}

# run ARGS...: RC, OUT, ERRTEXT of vdpa-mgmt under valgrind
run() {
	RC=0
	OUT=$("${VALGRIND[@]}" "$V" "$@" 2>"$D/err") || RC=$?
	ERRTEXT=$(cat "$D/err")
}

mkblob good >"$D/net.bin"
run dev state show "$D/net.bin"
t_eq "state show: exit 0, nothing on stderr" "0:" "$RC:$ERRTEXT"
t_eq "state show: the object is the file" "$D/net.bin:" "$(echo "$OUT" | head -n1)"
for line in "type +network" "num_queues +3" "config +a0a1a2a3a4a5a6a7a8a9aaab" \
	"mac +02:00:00:00:0a:01" "link +up" "rx_mode +PROMISC NOBCAST" "vlans +100" \
	"unicast_macs +02:00:00:00:00:09" "multicast_macs +33:33:00:00:00:01" \
	"device_features +MAC STATUS VERSION_1" "status +ACKNOWLEDGE DRIVER DRIVER_OK FEATURES_OK" \
	"desc_addr +0x30000" "offset 832:"; do
	t_ok "state show text: $line" -- grep -Eq "^ +$line\$" <<<"$OUT"
done

run -j dev state show "$D/net.bin"
J=$OUT
t_eq "state show -j: exit 0" 0 "$RC"
t_ok "state show -j: jq reads it" -- jq -e . <<<"$J"
S=".state[\"$D/net.bin\"]"
t_eq "-j: version, total_len, crc32 (zlib's)" "1 848 $(mkblob crc)" \
	"$(jq -r "$S | \"\(.version) \(.total_len) \(.crc32)\"" <<<"$J")"
t_eq "-j: vqs by index, whichever order the blob had" '["0","1","2"] 1002 196608' \
	"$(jq -c "$S.vqs | keys, .[\"2\"].avail_idx, .[\"0\"].device_addr" <<<"$J" | tr '\n' ' ' |
		sed 's/ $//')"
t_eq "-j: net state" '"02:00:00:00:0a:01" 4000 4 2 ["PROMISC","NOBCAST"] [100]' \
	"$(jq -c "$S | .mac, .mtu, .max_vq_pairs, .vq_pairs, .rx_mode, .vlans" <<<"$J" |
		tr '\n' ' ' | sed 's/ $//')"
t_eq "-j: the skipped section, its type and length" '{"type":77,"flags":0,"len":5}' \
	"$(jq -c "$S.skipped_sections[\"offset 832\"]" <<<"$J")"
t_eq "-j: features as names" '["MAC","STATUS","VERSION_1"]' \
	"$(jq -c "$S.device_features" <<<"$J")"
run -p dev state show - <"$D/net.bin"
t_eq "-p from stdin: the same JSON (object named -)" \
	"$(jq -S "$S" <<<"$J")" "$(jq -S '.state["-"]' <<<"$OUT")"

rc=0; err=$("${VALGRIND[@]}" "$V" dev state show "$D/net.bin" 2>&1 >/dev/full) || rc=$?
t_eq "stdout that cannot be written: exit 1 and one line saying so" \
	"1 vdpa-mgmt: dev state show: cannot write to standard output: No space left on device (ENOSPC)" \
	"$rc $err"

# expect_refused VARIANT ERRNO PATTERN: state show fails in one line, nothing on stdout
expect_refused() {
	mkblob "$1" >"$D/$1.bin"
	run dev state show "$D/$1.bin"
	if [ "$RC" = 1 ] && [ -z "$OUT" ] && [ "$(wc -l <<<"$ERRTEXT")" = 1 ] &&
		grep -Eq "^vdpa-mgmt: dev state show $D/$1.bin: $3 \($2\)$" <<<"$ERRTEXT"; then
		t_result 0 "state show refuses $1: $2"
	else
		echo "# rc=$RC out=$OUT err=$ERRTEXT"
		t_result 1 "state show refuses $1: $2"
	fi
}
expect_refused badcrc EBADMSG 'offset 12: crc32 is 0x[0-9a-f]+, the blob.s is 0x[0-9a-f]+'
expect_refused truncated EBADMSG 'offset 8: total_len 848 but the blob is 200 bytes'
expect_refused critical EOPNOTSUPP 'offset 832: unknown section type 77 is marked critical'
expect_refused dupvq EBADMSG 'offset 152: VQ index 0 repeats \(first at offset 104\)'
expect_refused nodevice EBADMSG 'no DEVICE section'
expect_refused newer EOPNOTSUPP "offset 4: version 2 is newer than this reader's 1"

: >"$D/empty"
run dev state show "$D/empty"
t_eq "an empty file: exit 1, named" "1 vdpa-mgmt: dev state show $D/empty: $D/empty is empty (ENODATA)" \
	"$RC $ERRTEXT"
head -c 65001 /dev/zero >"$D/big"
run dev state show "$D/big"
t_eq "a file over 65000 bytes: exit 1" \
	"1 vdpa-mgmt: dev state show $D/big: $D/big is over 65000 bytes (EFBIG)" "$RC $ERRTEXT"
run dev state show "$D/nosuch"
t_eq "a missing file: exit 1" \
	"1 vdpa-mgmt: dev state show $D/nosuch: cannot open $D/nosuch: No such file or directory (ENOENT)" \
	"$RC $ERRTEXT"

# state load checks the blob before asking the kernel: in a network namespace
# of its own the dpu_vdpa family is invisible, so a kernel call would say so
if unshare -n true 2>/dev/null; then
	rc=0; err=$(unshare -n "$V" dev state load vdpa1 "$D/badcrc.bin" 2>&1) || rc=$?
	t_eq "state load of a bad blob: refused here, with where, no kernel call" \
		"1 vdpa-mgmt: dev state load vdpa1: $D/badcrc.bin: offset 12: crc32" \
		"$rc ${err%% is 0x*}"
	rc=0; err=$(unshare -n "$V" dev state load vdpa1 - <"$D/newer.bin" 2>&1) || rc=$?
	t_eq "state load of a newer blob: left to the kernel (here: no family)" \
		'1 vdpa-mgmt: dev state load vdpa1: the kernel has no "dpu_vdpa"' "$rc ${err%% netlink*}"
	rc=0; err=$(unshare -n "$V" dev state load vdpa1 - <"$D/net.bin" 2>&1) || rc=$?
	t_eq "state load of a good blob from stdin: to the kernel" \
		'1 vdpa-mgmt: dev state load vdpa1: the kernel has no "dpu_vdpa"' "$rc ${err%% netlink*}"
else
	for i in 1 2 3; do echo "ok $((T_NUM += 1)) # skip unshare -n not permitted"; done
fi
t_done
