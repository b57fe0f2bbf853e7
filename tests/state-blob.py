#!/usr/bin/env python3
"""Read and rewrite dpu_vdpa device-state blobs (include/uapi/linux/dpu_vdpa_state.h).

The tests' reader of the blob, independent on purpose: written from the
layout the uapi header documents, not from the driver's (state.c) or
vdpa-mgmt's (tools/vdpa-mgmt/state.c) C code, with zlib's CRC-32, so a
writer and a reader sharing one mistake cannot pass each other.  genl.sh
and state.sh check saved blobs with it and forge broken ones; the blob
fuzzer (state-fuzz.py) parses and re-serialises through it.

  state-blob.py show FILE               KEY=VALUE lines; exit 1 on a bad crc
  state-blob.py edit IN OUT EDIT...     rewrite, crc recomputed unless "keepcrc"
     EDIT: magic=N version=N devid=N drvfeat=N drvfeat_or=N nq=N vqnum=I:N vqavail=I:N avail0
           append=TYPE:FLAGS:LEN  flipbyte=OFF  truncate=N  keepcrc
"""
import struct
import sys
import zlib

HDR = struct.Struct("<IHHIIII")
SECT = struct.Struct("<HHI")
NAMES = {1: "DEVICE", 2: "VQ", 3: "CONFIG", 16: "NET_CONFIG", 17: "NET_RX_MODE",
         18: "NET_MAC_TABLE", 19: "NET_VLAN", 20: "NET_MQ"}


def crc_of(b):
    b = bytearray(b)
    b[12:16] = b"\0\0\0\0"
    return zlib.crc32(bytes(b)) & 0xffffffff


def sections(b):
    off = HDR.unpack_from(b)[2]
    while off + 8 <= len(b):
        typ, flags, ln = SECT.unpack_from(b, off)
        yield off, typ, flags, ln
        off += 8 + (ln + 7) // 8 * 8


def mac(b):
    return ":".join("%02x" % x for x in b)


def show(b):
    magic, ver, hlen, total, crc, devid, _ = HDR.unpack_from(b)
    print("magic=%#x version=%d hdr_len=%d total_len=%d len=%d device_id=%d" %
          (magic, ver, hlen, total, len(b), devid))
    print("crc_ok=%d" % (crc == crc_of(b)))
    print("crc_123456789=%#x" % zlib.crc32(b"123456789"))
    for off, typ, flags, ln in sections(b):
        p = b[off + 8:off + 8 + ln]
        name = NAMES.get(typ, str(typ))
        print("sect=%s flags=%d len=%d" % (name, flags, ln))
        if typ == 1:
            df, drv, st, nq, cl = struct.unpack_from("<QQB3xHH", p)
            print("device_features=%#x driver_features=%#x status=%#x nq=%d config_len=%d" %
                  (df, drv, st, nq, cl))
        elif typ == 2:
            i, num, av, us, fl = struct.unpack_from("<HHHHB", p)
            print("vq%d num=%d avail=%d used=%d flags=%d" % (i, num, av, us, fl))
        elif typ == 16:
            m = p[:6]
            mtu, st, vqp = struct.unpack_from("<HHH", p, 6)
            print("net_mac=%s net_mtu=%d net_status=%d net_vqp=%d" % (mac(m), mtu, st, vqp))
        elif typ == 17:
            print("rx_flags=%#x" % struct.unpack_from("<I", p)[0])
        elif typ == 18:
            uc, mc = struct.unpack_from("<II", p)
            macs = [mac(p[8 + 6 * i:14 + 6 * i]) for i in range(uc + mc)]
            print("uc=%d mc=%d macs=%s" % (uc, mc, ",".join(macs)))
        elif typ == 19:
            vids = [i for i in range(4096) if p[i // 8] >> (i % 8) & 1]
            print("vlans=%s" % ",".join(map(str, vids)))
        elif typ == 20:
            print("pairs=%d" % struct.unpack_from("<H", p)[0])
    return crc == crc_of(b)


def vq_sections(b, i):
    """Offsets of the VQ sections (type 2) of vq I."""
    return [off for off, typ, _, _ in sections(b)
            if typ == 2 and struct.unpack_from("<H", b, off + 8)[0] == i]


def edit(b, edits):
    b = bytearray(b)
    keepcrc = False
    for e in edits:
        k, _, v = e.partition("=")
        if k == "magic":
            struct.pack_into("<I", b, 0, int(v, 0))
        elif k == "version":
            struct.pack_into("<H", b, 4, int(v, 0))
        elif k == "devid":
            struct.pack_into("<I", b, 16, int(v, 0))
        elif k == "drvfeat_or":
            for off, typ, _, _ in sections(b):
                if typ == 1:
                    f = struct.unpack_from("<Q", b, off + 16)[0]
                    struct.pack_into("<Q", b, off + 16, f | int(v, 0))
        elif k in ("drvfeat", "nq"):
            for off, typ, _, _ in sections(b):
                if typ == 1:
                    if k == "drvfeat":
                        struct.pack_into("<Q", b, off + 16, int(v, 0))
                    else:
                        struct.pack_into("<H", b, off + 8 + 20, int(v, 0))
        elif k == "vqnum":
            i, n = (int(x, 0) for x in v.split(":"))
            for off in vq_sections(b, i):
                struct.pack_into("<H", b, off + 10, n)
        elif k == "vqavail":
            i, n = (int(x, 0) for x in v.split(":"))
            for off in vq_sections(b, i):
                struct.pack_into("<HH", b, off + 12, n, n)
        elif k == "avail0":
            for off, typ, _, _ in sections(b):
                if typ == 2:
                    struct.pack_into("<HH", b, off + 12, 0, 0)
        elif k == "append":
            typ, flags, ln = (int(x, 0) for x in v.split(":"))
            b += SECT.pack(typ, flags, ln) + bytes((ln + 7) // 8 * 8)
            struct.pack_into("<I", b, 8, len(b))
        elif k == "flipbyte":
            b[int(v, 0)] ^= 0xff
        elif k == "truncate":
            del b[int(v, 0):]
        elif k == "keepcrc":
            keepcrc = True
        else:
            sys.exit("unknown edit " + e)
    if not keepcrc:
        struct.pack_into("<I", b, 12, crc_of(b))
    return bytes(b)


def main():
    if sys.argv[1] == "show":
        return 0 if show(open(sys.argv[2], "rb").read()) else 1
    if sys.argv[1] == "edit":
        out = edit(open(sys.argv[2], "rb").read(), sys.argv[4:])
        open(sys.argv[3], "wb").write(out)
        return 0
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
