#!/usr/bin/env python3
"""Structure-aware fuzzer of dpu_vdpa device-state blobs (STATE_LOAD).  For
tests (tests/vm/state-fuzz.sh).

  state-fuzz.py --seed S [--iters N] [--secs T]
                --target NAME:BLOB[,BLOB...] ... [--virtio-every K]

Each iteration takes a real blob saved from a device (BLOB; the first of a
target's blobs is its own type, the others a foreign one, used 1 time in
20), parses it into header and sections (tests/state-blob.py's reader),
applies one to four mutations - header fields; section types, flags,
lengths, order, duplicates, deletions, truncation, appended junk sections;
and field values of DEVICE, VQ, CONFIG and every NET section (features,
counts, indexes, ring sizes, MACs, MAC-table counts, VLAN bitmaps, ...) -
then writes it back with total_len and the CRC recomputed (1 time in 30
not, so the CRC check keeps its share), and loads it into target NAME (a
device on vhost_vdpa) with DPU_VDPA_CMD_STATE_LOAD.

Oracle: every load is answered with a clean error or a success; after an
accepted load a consumer starts it - vhost-vdpa's status dance (reset,
the blob's driver features, FEATURES_OK, DRIVER_OK) must end in DRIVER_OK
or a clean refusal (NEEDS_RESET, FEATURES_OK cleared, an ioctl error), and
every K-th accepted net blob is started by virtio_vdpa instead (the
host's virtio_net probes the device and the net state is replayed through
the function's control queue); nothing hangs (each step is bounded) and
/dev/kmsg shows no splat.  A failure prints "FUZZ FAILURE seed=S
iteration=I", the mutations and the blob in hex, and exits 1.
"""
import argparse
import collections
import ctypes
import fcntl
import mmap
import os
import random
import re
import struct
import sys
import time

import fuzzlib

SB = fuzzlib.load("state-blob.py")
HDR, SECT = SB.HDR, SB.SECT

VHOST = 0xAF


def ioc(d, nr, size):
    return d << 30 | size << 16 | VHOST << 8 | nr


GET_FEATURES, SET_FEATURES = ioc(2, 0x00, 8), ioc(1, 0x00, 8)
SET_OWNER = ioc(0, 0x01, 0)
GET_STATUS, SET_STATUS = ioc(2, 0x71, 1), ioc(1, 0x72, 1)
SET_BACKEND_FEATURES, GET_BACKEND_FEATURES = ioc(1, 0x25, 8), ioc(2, 0x26, 8)
IOTLB_MSG_V2, IOTLB_UPDATE, ACCESS_RW = 2, 2, 3
MEM = 2 << 20

KNOWN = [1, 2, 3, 16, 17, 18, 19, 20]
U16 = [0, 1, 2, 3, 4, 5, 8, 9, 67, 68, 255, 256, 257, 1024, 4096, 9000, 9001, 32768, 65535]
U32 = [0, 1, 2, 255, 256, 257, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 43690]


class Blob:
    """Header fields and a list of [type, flags, declared_len or None, payload]."""

    def __init__(self, raw):
        self.magic, self.version, self.hdr_len, self.total, _, self.devid, self.res = \
            HDR.unpack_from(raw)
        self.sects = []
        for off, typ, flags, ln in SB.sections(raw):
            self.sects.append([typ, flags, None, bytearray(raw[off + 8:off + 8 + ln])])
        self.total = None	# recomputed unless a mutation sets it
        self.keepcrc = False
        self.trunc = None
        self.prefix_junk = b""

    def bytes(self):
        b = bytearray(HDR.pack(self.magic, self.version, self.hdr_len, 0, 0, self.devid,
                               self.res))
        b += self.prefix_junk
        for typ, flags, ln, p in self.sects:
            b += SECT.pack(typ, flags, len(p) if ln is None else ln) + p
            b += bytes(-len(p) % 8)
        if self.trunc is not None:
            del b[self.trunc:]
        struct.pack_into("<I", b, 8, len(b) if self.total is None else self.total & 0xffffffff)
        if len(b) >= 16:
            struct.pack_into("<I", b, 12, SB.crc_of(bytes(b)))
            if self.keepcrc:
                b[12] ^= 0x5a
        return bytes(b)

    def of_type(self, typ):
        return [s for s in self.sects if s[0] == typ]


class Mutator:
    def __init__(self, r):
        self.r = r

    def pick(self, blob, typ):
        s = blob.of_type(typ)
        return self.r.choice(s) if s else None

    def put(self, sect, fmt, off, value):
        p = sect[3]
        if off + struct.calcsize(fmt) <= len(p):
            struct.pack_into(fmt, p, off, value)

    def get(self, sect, fmt, off):
        p = sect[3]
        if off + struct.calcsize(fmt) <= len(p):
            return struct.unpack_from(fmt, p, off)[0]
        return 0

    # --- header
    def m_header(self, b):
        r = self.r
        f = r.choice(["version", "hdr_len", "total", "devid", "res", "magic", "junk"])
        if f == "version":
            b.version = r.choice([0, 2, 3, 0xffff])
        elif f == "hdr_len":
            b.hdr_len = r.choice([0, 8, 16, 23, 25, 32, 40, 0xfff8, 0xffff])
        elif f == "total":
            b.total = r.choice([0, 8, 24, 0xffffffff, 0x80000000, None]) if r.random() < 0.5 \
                else len(b.bytes()) + r.choice([-8, -1, 1, 8, 64])
        elif f == "devid":
            b.devid = r.choice([0, 1, 2, 3, 4, 0xffffffff])
        elif f == "res":
            b.res = r.getrandbits(32)
        elif f == "magic":
            b.magic = r.getrandbits(32)
        else:	# bytes between the header and the first section: hdr_len says where
            b.prefix_junk = bytes(r.getrandbits(8) for _ in range(r.choice([8, 16])))
            if r.random() < 0.5:
                b.hdr_len = 24 + len(b.prefix_junk)
        return "header." + f

    # --- sections as a list
    def m_sections(self, b):
        r = self.r
        f = r.choice(["type", "flags", "len", "delete", "dup", "swap", "truncate", "append",
                      "many", "reverse"])
        if not b.sects and f not in ("append", "many"):
            f = "append"
        s = r.choice(b.sects) if b.sects else None
        if f == "type":
            s[0] = r.choice(KNOWN + [0, 4, 15, 21, 99, 0xffff])
            return "sect.type=%d" % s[0]
        if f == "flags":
            s[1] = r.choice([0, 1, 2, 0xfffe, 0xffff])
            return "sect(%d).flags=%#x" % (s[0], s[1])
        if f == "len":
            n = len(s[3])
            s[2] = r.choice([0, 1, max(0, n - 1), n + 1, n + 8, n + 4096, 0xffff, 0x7fffffff,
                             0xfffffff8, 0xffffffff])
            return "sect(%d).len=%d" % (s[0], s[2])
        if f == "delete":
            b.sects.remove(s)
            return "sect(%d).delete" % s[0]
        if f == "dup":
            b.sects.insert(r.randrange(len(b.sects) + 1), [s[0], s[1], s[2], bytearray(s[3])])
            return "sect(%d).dup" % s[0]
        if f == "swap":
            i, j = r.randrange(len(b.sects)), r.randrange(len(b.sects))
            b.sects[i], b.sects[j] = b.sects[j], b.sects[i]
            return "sect.swap"
        if f == "reverse":
            b.sects.reverse()
            return "sect.reverse"
        if f == "truncate":
            b.trunc = r.randrange(24, max(25, len(b.bytes())))
            return "truncate=%d" % b.trunc
        if f == "append":
            typ = r.choice(KNOWN + [0, 5, 21, 99, 0xffff])
            p = bytearray(r.getrandbits(8) for _ in range(r.choice([0, 1, 7, 8, 16, 48, 64,
                                                                    600, 4000])))
            b.sects.insert(r.randrange(len(b.sects) + 1), [typ, r.choice([0, 1]), None, p])
            return "append(%d, %d bytes)" % (typ, len(p))
        # many empty sections of an unknown, optional type: the walk's cost
        n = r.choice([100, 1000, 5000])
        b.sects += [[200, 0, None, bytearray()] for _ in range(n)]
        return "many(%d)" % n

    # --- field values
    def m_device(self, b):
        r = self.r
        s = self.pick(b, 1)
        if not s:
            return self.m_sections(b)
        f = r.choice(["devfeat", "drvfeat", "drvfeat_subset", "status", "nq", "config_len"])
        if f == "devfeat":
            self.put(s, "<Q", 0, r.getrandbits(64))
        elif f == "drvfeat":
            v = self.get(s, "<Q", 8)
            self.put(s, "<Q", 8, r.choice([0, v ^ (1 << r.randrange(64)), r.getrandbits(64)]))
        elif f == "drvfeat_subset":	# stays acceptable: deeper checks and the consumer
            v = self.get(s, "<Q", 8)
            self.put(s, "<Q", 8, v & (r.getrandbits(64) | (3 << 32)))
        elif f == "status":
            self.put(s, "<B", 16, r.randrange(256))
        elif f == "nq":
            n = self.get(s, "<H", 20)
            self.put(s, "<H", 20, r.choice(U16 + [n - 1 & 0xffff, n + 1]))
        else:
            n = self.get(s, "<H", 22)
            self.put(s, "<H", 22, r.choice(U16 + [n - 1 & 0xffff, n + 1]))
        return "device." + f

    def m_vq(self, b):
        r = self.r
        s = self.pick(b, 2)
        if not s:
            return self.m_sections(b)
        f = r.choice(["index", "num", "idx_same", "idx_diff", "flags", "addr"])
        if f == "index":
            self.put(s, "<H", 0, r.choice([0, 1, 2, 4, 5, 8, 15, 16, 17, 0xffff]))
        elif f == "num":
            self.put(s, "<H", 2, r.choice(U16))
        elif f == "idx_same":	# acceptable: a saved ring position
            v = r.choice([0, 1, 255, 256, 0x7fff, 0x8000, 0xfffe, 0xffff, r.randrange(65536)])
            self.put(s, "<H", 4, v)
            self.put(s, "<H", 6, v)
        elif f == "idx_diff":
            self.put(s, "<H", 4, r.randrange(65536))
            self.put(s, "<H", 6, r.randrange(65536))
        elif f == "flags":
            self.put(s, "<B", 8, r.randrange(256))
        else:
            self.put(s, "<Q", r.choice([16, 24, 32]), r.choice([0, 1, 0xfff, 1 << 47, 1 << 63,
                                                                 (1 << 64) - 1,
                                                                 r.getrandbits(64)]))
        return "vq." + f

    def m_config(self, b):
        r = self.r
        s = self.pick(b, 3)
        if not s:
            return self.m_sections(b)
        f = r.choice(["bytes", "shorter", "longer"])
        if f == "bytes" and s[3]:
            for _ in range(r.randint(1, 8)):
                s[3][r.randrange(len(s[3]))] = r.randrange(256)
        elif f == "shorter":
            del s[3][r.randrange(len(s[3]) + 1):]
        else:
            s[3] += bytes(r.choice([1, 8, 64, 4096]))
        return "config." + f

    def m_net(self, b):
        r = self.r
        typ = r.choice([16, 17, 18, 19, 20])
        s = self.pick(b, typ)
        if not s:	# a net section the blob lacks: add one, empty or random
            s = [typ, 1, None, bytearray(r.getrandbits(8) for _ in range(r.choice([0, 8, 16,
                                                                                  512, 520])))]
            b.sects.append(s)
        if typ == 16:
            f = r.choice(["mac", "mac_mcast", "mtu", "status", "vqp"])
            if f == "mac":
                m = bytearray(r.getrandbits(8) for _ in range(6))
                m[0] &= 0xfe
                s[3][0:6] = m if len(s[3]) >= 6 else s[3][0:6]
            elif f == "mac_mcast":
                if len(s[3]) >= 6:
                    s[3][0] |= 1
            elif f == "mtu":
                self.put(s, "<H", 6, r.choice(U16))
            elif f == "status":
                self.put(s, "<H", 8, r.randrange(65536))
            else:
                self.put(s, "<H", 10, r.choice(U16))
            return "net_config." + f
        if typ == 17:
            self.put(s, "<I", 0, r.choice([0, 1, 2, 4, 8, 0x10, 0x20, 0x3f, 0x40, 0xffffffff,
                                           r.randrange(64)]))
            return "rx_mode.flags"
        if typ == 18:
            f = r.choice(["counts", "uc", "mc", "grow", "shrink", "macs"])
            uc, mc = self.get(s, "<I", 0), self.get(s, "<I", 4)
            if f == "counts":	# counts agreeing with the payload: the entries replayed
                n = r.choice([0, 1, 2, 64, 255, 256])
                k = r.randint(0, n)
                s[3] = bytearray(struct.pack("<II", k, n - k)) + bytearray(
                    r.getrandbits(8) for _ in range(6 * n))
            elif f == "uc":
                self.put(s, "<I", 0, r.choice(U32))
            elif f == "mc":
                self.put(s, "<I", 4, r.choice(U32 + [(0x100000000 - uc) & 0xffffffff]))
            elif f == "grow":
                s[3] += bytes(6 * r.choice([1, 100, 300]))
            elif f == "shrink":
                del s[3][max(0, len(s[3]) - r.choice([1, 6, 7])):]
            else:
                for i in range(8, len(s[3])):
                    s[3][i] = r.randrange(256)
            return "mac_table." + f
        if typ == 19:
            f = r.choice(["random", "all", "shorter"])
            if f == "random":
                s[3][0:512] = bytes(r.getrandbits(8) for _ in range(512))
            elif f == "all":
                s[3][0:512] = b"\xff" * 512
            else:
                del s[3][r.randrange(512):]
            return "vlan." + f
        self.put(s, "<H", 0, r.choice(U16))
        if r.random() < 0.3:
            self.put(s, "<H", 2, r.randrange(65536))
        return "mq.pairs"

    def mutate(self, b):
        r = self.r
        ops = []
        for _ in range(r.choice([1, 1, 1, 2, 2, 3, 4])):
            m = r.choices([self.m_header, self.m_sections, self.m_device, self.m_vq,
                           self.m_config, self.m_net], weights=[8, 20, 15, 20, 7, 30])[0]
            ops.append(m(b))
        if r.random() < 1 / 30:
            b.keepcrc = True
            ops.append("bad crc")
        return ops


class Fuzzer:
    def __init__(self, a):
        self.a = a
        self.r = random.Random(a.seed)
        self.mut = Mutator(self.r)
        self.nl = fuzzlib.Netlink(30)
        self.fam = self.nl.family("dpu_vdpa")
        self.kmsg = fuzzlib.Kmsg()
        self.wd = fuzzlib.Watchdog(a.seed)
        self.targets = []
        for t in a.target:
            name, files = t.split(":", 1)
            self.targets.append((name, [open(f, "rb").read() for f in files.split(",")]))
        self.mem = mmap.mmap(-1, MEM, mmap.MAP_SHARED | mmap.MAP_ANONYMOUS)
        self.mem.write(bytes(MEM))	# populated: vhost pins it
        self.answers = collections.Counter()
        self.consumers = collections.Counter()
        self.ops = collections.Counter()

    def step(self, what, secs, fn, *args):
        self.wd.arm(what, secs)
        try:
            return fn(*args)
        finally:
            self.wd.disarm()

    def vhost_node(self, name):
        d = "/sys/bus/vdpa/devices/" + name
        for e in os.listdir(d):
            if e.startswith("vhost-vdpa-"):
                return "/dev/" + e
        return None

    def attach(self, name, drv):
        d = "/sys/bus/vdpa/devices/" + name
        if os.path.exists(d + "/driver"):
            with open(d + "/driver/unbind", "w") as f:
                f.write(name)
        with open(d + "/driver_override", "w") as f:
            f.write(drv + "\n")
        with open("/sys/bus/vdpa/drivers_probe", "w") as f:
            f.write(name)
        for _ in range(100):
            if drv != "vhost_vdpa" or (self.vhost_node(name) and
                                       os.path.exists(self.vhost_node(name))):
                return
            time.sleep(0.05)

    def vhost_start(self, name, feat):
        """What a VMM does with the blob's features: map its memory (the
        driver refuses DRIVER_OK when nothing is mapped), then the status
        dance; returns the outcome."""
        node = self.vhost_node(name)
        fd = os.open(node, os.O_RDWR)
        try:
            fcntl.ioctl(fd, SET_OWNER)
            b = bytearray(8)
            fcntl.ioctl(fd, GET_BACKEND_FEATURES, b)
            fcntl.ioctl(fd, SET_BACKEND_FEATURES,
                        struct.pack("<Q", struct.unpack("<Q", b)[0] & (1 << 1)))
            uaddr = ctypes.addressof(ctypes.c_char.from_buffer(self.mem))
            os.write(fd, struct.pack("<IIQQQBB", IOTLB_MSG_V2, 0, MEM, MEM, uaddr, ACCESS_RW,
                                     IOTLB_UPDATE).ljust(72, b"\0"))
            for s in (0, 1, 3):
                fcntl.ioctl(fd, SET_STATUS, struct.pack("B", s))
            try:
                fcntl.ioctl(fd, SET_FEATURES, struct.pack("<Q", feat))
            except OSError as e:
                return "SET_FEATURES " + fuzzlib.errname(e.errno)
            for s in (0xb, 0xf):
                try:
                    fcntl.ioctl(fd, SET_STATUS, struct.pack("B", s))
                except OSError as e:
                    return "SET_STATUS %#x %s" % (s, fuzzlib.errname(e.errno))
            b = bytearray(1)
            fcntl.ioctl(fd, GET_STATUS, b)
            st = b[0]
            if st == 0xf:
                return "driver_ok"
            if st & 0x40:
                return "needs_reset"
            if not st & 0x8:
                return "features_refused"
            return "status %#x" % st
        finally:
            os.close(fd)	# vhost-vdpa resets the device

    def virtio_start(self, name):
        """virtio_vdpa takes the device (virtio_net probes it), then lets go."""
        self.attach(name, "virtio_vdpa")
        time.sleep(0.3)
        d = "/sys/bus/vdpa/devices/%s/driver" % name
        bound = os.path.exists(d)
        self.attach(name, "vhost_vdpa")
        return "virtio_probe " + ("bound" if bound else "refused")

    def run(self):
        a, r = self.a, self.r
        start = time.monotonic()
        accepted_net = 0
        it = 0
        for it in range(a.iters):
            if time.monotonic() - start > a.secs:
                break
            self.wd.iteration = it
            name, blobs = r.choice(self.targets)
            base = blobs[0] if len(blobs) == 1 or r.random() > 0.05 else r.choice(blobs[1:])
            b = Blob(base)
            ops = self.mut.mutate(b)
            raw = b.bytes()
            if len(raw) > 65531:	# what one netlink attribute carries
                raw = raw[:65531]
                ops.append("clipped")
            for o in ops:
                self.ops[o.split("=")[0].split("(")[0]] += 1
            detail = ["target %s mutations: %s" % (name, "; ".join(ops)),
                      "blob (%d bytes): %s" % (len(raw), raw[:2048].hex())]
            try:
                ans = self.step("STATE_LOAD", 30, self.nl.send_raw, self.fam, 8, 1,
                                fuzzlib.pack_attrs([(2, name.encode() + b"\0"), (15, raw)]))
            except fuzzlib.Hang as e:
                fuzzlib.fail(a.seed, it, "STATE_LOAD: %s" % e, detail)
                return 1
            if ans[0] == "err":
                key = fuzzlib.errname(ans[1])
                # the extack's first words say which check refused it
                text = re.sub(r"0x[0-9a-f]+|\d+|%\S+", "N", ans[2].replace("dpu_vdpa: ", ""))
                key += ":" + " ".join(text.split()[:4]).rstrip(",:")
                if a.verbose:
                    print("%d %s -> %s" % (it, detail[0], ans[1:]))
            else:
                key = "accepted"
            self.answers[key] += 1
            splat = self.kmsg.splat()
            if splat:
                fuzzlib.fail(a.seed, it, "kernel splat after STATE_LOAD", detail + ["dmesg:"] +
                             splat)
                return 1
            if ans[0] == "err":
                continue
            # a consumer starts the device on the accepted state
            feat = 0
            for s in b.sects:
                if s[0] == 1 and len(s[3]) >= 16:
                    feat = struct.unpack_from("<Q", s[3], 8)[0]
                    break
            is_net = b.devid == 1
            if is_net:
                accepted_net += 1
            try:
                if is_net and a.virtio_every and accepted_net % a.virtio_every == 0:
                    res = self.step("virtio_vdpa start", 60, self.virtio_start, name)
                else:
                    res = self.step("vhost-vdpa start", 60, self.vhost_start, name, feat)
            except OSError as e:
                res = "error " + fuzzlib.errname(e.errno)
            self.consumers[res] += 1
            if a.verbose:
                print("%d %s -> accepted, consumer: %s" % (it, detail[0], res))
            splat = self.kmsg.splat()
            if splat:
                fuzzlib.fail(a.seed, it, "kernel splat after a consumer started (%s)" % res,
                             detail + ["dmesg:"] + splat)
                return 1
        else:
            it = a.iters
        secs = time.monotonic() - start
        print("seed=%d loads=%d accepted=%d consumers=%d secs=%.1f" %
              (a.seed, it, self.answers["accepted"], sum(self.consumers.values()), secs))
        print("mutations: " + " ".join("%s=%d" % kv for kv in sorted(self.ops.items())))
        print("answers: " + "; ".join("%s=%d" % kv for kv in sorted(self.answers.items())))
        print("consumers: " + "; ".join("%s=%d" % kv for kv in sorted(self.consumers.items())))
        return 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--iters", type=int, default=1 << 30)
    p.add_argument("--secs", type=float, default=60)
    p.add_argument("--target", action="append", required=True)
    p.add_argument("--virtio-every", type=int, default=10)
    p.add_argument("-v", "--verbose", action="store_true")
    a = p.parse_args()
    print("state-fuzz: seed=%d (replay: --seed %d)" % (a.seed, a.seed))
    sys.stdout.flush()
    return Fuzzer(a).run()


if __name__ == "__main__":
    sys.exit(main())
