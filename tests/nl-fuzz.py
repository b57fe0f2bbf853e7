#!/usr/bin/env python3
"""Netlink fuzzer: random requests to the dpu_vdpa family (every command,
and commands that do not exist) and to the kernel's vdpa family (dev add,
dev set, dev del, the queries) on our management devices.  For tests
(tests/vm/nl-fuzz.sh).

  nl-fuzz.py --seed S [--iters N] [--secs T] --dev NAME ... --mgmtdev pci/BDF ...
             [--blob FILE ...]

Attributes are of random types (known, unknown, flag bits set), random
lengths (the policy's and others) and values (edge cases of each type, and
junk), sometimes malformed on the wire (an nla_len past the message, a
truncated header); names are the devices' own, junk, 63/64 bytes, unended.
Now and then a device is moved between bus drivers through sysfs, so the
commands meet it under virtio_vdpa, vhost_vdpa and none.

Oracle, per request: the kernel answers (an error or a success) within
--timeout seconds, and /dev/kmsg shows no splat.  A failure prints
"FUZZ FAILURE seed=S iteration=I", the request's bytes and the kernel's
messages, and exits 1.  The same --seed replays the same requests.  At the
end: resume and stop logging on every device (so the caller's checks start
from a quiet device), and a summary "requests=N ..." with the answers by errno.
"""
import argparse
import collections
import os
import random
import struct
import sys
import time

import fuzzlib

DPU_CMDS = list(range(1, 9))
# dpu_vdpa attributes: name, log page size/iova/len, state; the rest are
# reply-only (the policy has nothing for them)
DPU_TYPED = {2: "name", 10: "u32ps", 11: "u64", 12: "u64", 15: "blob"}
VDPA_CMD = {"mgmtdev_get": 2, "dev_new": 3, "dev_del": 4, "dev_get": 5, "config_get": 6,
            "vstats_get": 7, "attr_set": 8}
VDPA_TYPED = {1: "bus", 2: "bdf", 4: "name", 10: "mac", 11: "u8", 12: "u16", 13: "u16",
              17: "u32", 18: "str", 20: "u64feat", 21: "u64", 26: "u16", 36: "u8", 37: "u8"}

U64_EDGES = [0, 1, 0xfff, 0x1000, 0x1001, 0x10000, 1 << 30, (1 << 32) - 4096, 1 << 32,
             (1 << 32) + 4096, 1 << 40, 1 << 47, 1 << 52, 1 << 63, (1 << 64) - 4096,
             (1 << 64) - 1, (1 << 64) - 0x40000000, 0x40000000 * 4, 0x40001000]
U32_EDGES = [0, 1, 2, 4095, 4096, 4097, 8192, 1 << 16, 1 << 21, 1 << 30, 1 << 31,
             (1 << 32) - 1, 3 * 4096, 1 << 29]
U16_EDGES = [0, 1, 2, 3, 4, 5, 8, 16, 67, 68, 1500, 9000, 9001, 32768, 65535]


class Fuzzer:
    def __init__(self, a):
        self.a = a
        self.r = random.Random(a.seed)
        self.nl = fuzzlib.Netlink(a.timeout)
        self.dpu = self.nl.family("dpu_vdpa")
        self.vdpa = self.nl.family("vdpa")
        self.kmsg = fuzzlib.Kmsg()
        self.names = list(a.dev) + ["fz0", "fz1"]
        self.blobs = [open(f, "rb").read() for f in a.blob]
        self.stats = collections.Counter()
        self.answers = collections.Counter()
        self.iteration = 0

    # --- values
    def name(self):
        r = self.r
        x = r.random()
        if x < 0.8:
            return r.choice(self.names).encode() + b"\0"
        if x < 0.85:
            return b"\0"
        if x < 0.9:
            return b"v" * r.choice([62, 63, 64, 200]) + b"\0"
        if x < 0.95:
            return r.choice(self.names).encode()	# no NUL
        return bytes(r.randrange(256) for _ in range(r.randrange(1, 20)))

    def u64(self):
        r = self.r
        x = r.random()
        if x < 0.5:
            v = r.choice(U64_EDGES)
        elif x < 0.8:
            v = r.randrange(0, 1 << r.choice([12, 20, 32, 40, 64])) & ~0xfff
        else:
            v = r.getrandbits(64)
        return struct.pack("<Q", v)

    def blob(self):
        r = self.r
        if not self.blobs or r.random() < 0.2:
            return bytes(r.getrandbits(8) for _ in range(r.choice([0, 1, 24, 31, 32, 100])))
        b = bytearray(r.choice(self.blobs))
        x = r.random()
        if x < 0.3:
            pass
        elif x < 0.5:
            del b[r.randrange(len(b) + 1):]
        elif x < 0.7:
            for _ in range(r.randint(1, 4)):
                b[r.randrange(len(b))] ^= 1 << r.randrange(8)
        elif x < 0.8:
            b += bytes(r.randrange(1, 64))
        else:
            b = b * r.randint(2, 40)
        return bytes(b[:r.choice([len(b), 65000, 65001, 70000])])

    def typed(self, kind):
        r = self.r
        if kind == "name":
            return self.name()
        if kind == "u32ps":
            return struct.pack("<I", r.choice(U32_EDGES) if r.random() < 0.7 else
                               1 << r.randrange(32))
        if kind == "u64":
            return self.u64()
        if kind == "u64feat":
            return struct.pack("<Q", r.choice([0, 1 << 32, 3 << 32, (3 << 32) | 0x30000,
                                               0x300010000, 0x4300000000, r.getrandbits(64),
                                               0x1f0ffffff, 0x3003fffff]))
        if kind == "blob":
            return self.blob()
        if kind == "bus":
            return r.choice([b"pci\0", b"pci\0", b"vdpa\0", b"\0", b"pci"])
        if kind == "bdf":
            if r.random() < 0.85:
                return r.choice(self.a.mgmtdev).split("/", 1)[1].encode() + b"\0"
            return r.choice([b"0000:00:1f.3\0", b"0000:00:1e.0\0", b"\0", b"x" * 80 + b"\0"])
        if kind == "mac":
            m = bytearray(r.getrandbits(8) for _ in range(r.choice([6, 6, 6, 0, 5, 7, 64])))
            if len(m) == 6 and r.random() < 0.7:
                m[0] &= 0xfe	# mostly unicast: get past that check
            return bytes(m)
        if kind == "u8":
            return bytes([r.randrange(256)])
        if kind == "u16":
            return struct.pack("<H", r.choice(U16_EDGES) if r.random() < 0.7 else
                               r.randrange(1 << 16))
        if kind == "u32":
            return struct.pack("<I", r.choice(U32_EDGES))
        if kind == "str":
            return bytes(r.randrange(32, 127) for _ in range(r.randrange(0, 40))) + b"\0"
        raise ValueError(kind)

    def junk(self):
        r = self.r
        return bytes(r.getrandbits(8) for _ in range(r.choice([0, 1, 2, 3, 4, 5, 7, 8, 9,
                                                                 16, 63, 64, 65, 300])))

    def attrs(self, typed, required):
        """Attributes for one request: the required ones mostly, others at random."""
        r = self.r
        out = []
        for t in required:
            if r.random() < 0.9:
                out.append((t, self.typed(typed[t])))
        for _ in range(r.choice([0, 0, 1, 1, 2, 3, 5])):
            x = r.random()
            if x < 0.6:
                t = r.choice(list(typed))
                data = self.typed(typed[t]) if r.random() < 0.75 else self.junk()
            elif x < 0.9:
                t = r.randrange(0, 45)
                data = self.junk()
            else:
                t = r.choice([0x3fff, 0xffff, 0x8000 | r.choice(list(typed)),
                              0x4000 | r.choice(list(typed))])
                data = self.junk()
            out.append((t, data))
        if r.random() < 0.15:
            r.shuffle(out)
        if r.random() < 0.1 and out:	# the same attribute twice
            out.append(r.choice(out))
        wire = fuzzlib.pack_attrs(out)
        x = r.random()
        if x < 0.03:	# an attribute header claiming more than the message has
            wire += struct.pack("=HH", r.choice([8, 100, 0xffff]), r.choice(list(typed)))
        elif x < 0.06:	# a header with nla_len below its own size
            wire += struct.pack("=HH", r.randrange(0, 4), r.choice(list(typed)))
        elif x < 0.08:	# a truncated attribute header
            wire += bytes(r.randrange(1, 4))
        return out, wire

    # --- requests
    def dpu_request(self):
        r = self.r
        cmd = r.choice(DPU_CMDS) if r.random() < 0.93 else r.choice([0, 9, 10, 42, 255])
        required = {1: [2], 2: [2], 3: [2], 4: [2, 11, 12, 10], 5: [2, 11, 12], 6: [2],
                    7: [2], 8: [2, 15]}.get(cmd, [2])
        _, wire = self.attrs(DPU_TYPED, required)
        dump = r.random() < (0.3 if cmd == 1 else 0.02)
        version = 1 if r.random() < 0.95 else r.randrange(256)
        return "dpu_vdpa/%d" % cmd, self.dpu, cmd, version, wire, dump

    def vdpa_request(self):
        r = self.r
        which = r.choices(list(VDPA_CMD), weights=[3, 40, 6, 6, 6, 5, 30])[0]
        cmd = VDPA_CMD[which]
        required = {"dev_new": [1, 2, 4], "attr_set": [4, 10], "dev_del": [4],
                    "dev_get": [4], "config_get": [4], "vstats_get": [4, 17],
                    "mgmtdev_get": [1, 2]}[which]
        _, wire = self.attrs(VDPA_TYPED, required)
        dump = which in ("dev_get", "config_get", "mgmtdev_get") and r.random() < 0.3
        return "vdpa/" + which, self.vdpa, cmd, 1, wire, dump

    def rebind(self):
        """Move a device to another bus driver, as an administrator would."""
        r = self.r
        name = r.choice(self.names)
        drv = r.choice(["virtio_vdpa", "vhost_vdpa", ""])	# drawn first: replays
        d = "/sys/bus/vdpa/devices/" + name
        if not os.path.exists(d):
            return "absent"
        try:
            if os.path.exists(d + "/driver"):
                with open(d + "/driver/unbind", "w") as f:
                    f.write(name)
            with open(d + "/driver_override", "w") as f:
                f.write(drv + "\n" if drv else "\n")
            if drv:
                with open("/sys/bus/vdpa/drivers_probe", "w") as f:
                    f.write(name)
        except OSError as e:
            return "sysfs " + fuzzlib.errname(e.errno)
        return "to " + (drv or "none")

    def check_kmsg(self, what, detail):
        splat = self.kmsg.splat()
        if splat:
            fuzzlib.fail(self.a.seed, self.iteration, "kernel splat after " + what,
                         list(detail) + ["dmesg:"] + splat)
            sys.exit(1)

    def run(self):
        a = self.a
        start = time.monotonic()
        for self.iteration in range(a.iters):
            if time.monotonic() - start > a.secs:
                break
            r = self.r
            x = r.random()
            if x < 0.02:
                what = "rebind " + self.rebind()
                self.stats["rebind"] += 1
                self.check_kmsg(what, [])
                continue
            req = self.dpu_request() if x < 0.7 else self.vdpa_request()
            what, fam, cmd, version, wire, dump = req
            self.stats[what] += 1
            detail = ["request %s version=%d dump=%s attrs=%s" % (what, version, dump,
                                                                  wire.hex())]
            try:
                ans = self.nl.send_raw(fam, cmd, version, wire, dump=dump)
            except fuzzlib.Hang as e:
                fuzzlib.fail(a.seed, self.iteration, "%s: %s" % (what, e), detail +
                             ["dmesg:"] + self.kmsg.read()[-30:])
                sys.exit(1)
            key = "ok" if ans[0] != "err" else fuzzlib.errname(ans[1])
            self.answers["%s %s" % (what, key)] += 1
            if a.verbose:
                print("%d %s -> %s" % (self.iteration, detail[0], ans[:3] if ans[0] == "err"
                                       else ans[0]))
            self.check_kmsg(what, detail)
        else:
            self.iteration = a.iters
        secs = time.monotonic() - start
        # leave every device quiet for the caller's checks
        for n in self.names:
            for cmd in (3, 6):
                self.nl.send_raw(self.dpu, cmd, 1, fuzzlib.pack_attrs([(2, n.encode() + b"\0")]))
        # and delete what dev add made of junk names (bytes no shell tool
        # round-trips), so the caller starts from its own devices only
        ours = {m.split("/", 1)[1].encode() for m in a.mgmtdev}
        ans = self.nl.send_raw(self.vdpa, VDPA_CMD["dev_get"], 1, b"", dump=True)
        junk = 0
        for reply in ans[1] if ans[0] == "data" else []:
            d = dict(reply)
            name = d.get(4, b"").rstrip(b"\0")
            if d.get(2, b"").rstrip(b"\0") in ours and name.decode(errors="replace") not in \
                    self.names:
                self.nl.send_raw(self.vdpa, VDPA_CMD["dev_del"], 1,
                                 fuzzlib.pack_attrs([(4, name + b"\0")]))
                junk += 1
        self.check_kmsg("cleanup", [])
        print("devices of other names deleted at the end: %d" % junk)
        total = sum(self.stats.values())
        print("seed=%d requests=%d secs=%.1f (%.0f/s)" % (a.seed, total, secs, total / secs))
        print("by command: " + " ".join("%s=%d" % kv for kv in sorted(self.stats.items())))
        print("answers: " + " ".join("%s=%d" % (k.replace(" ", ":"), v)
                                     for k, v in sorted(self.answers.items())))
        return 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--iters", type=int, default=1 << 30)
    p.add_argument("--secs", type=float, default=60)
    p.add_argument("--timeout", type=float, default=20)
    p.add_argument("--dev", action="append", default=[])
    p.add_argument("--mgmtdev", action="append", default=[])
    p.add_argument("--blob", action="append", default=[])
    p.add_argument("-v", "--verbose", action="store_true")
    a = p.parse_args()
    if not a.mgmtdev:
        p.error("--mgmtdev needed")
    print("nl-fuzz: seed=%d (replay: --seed %d)" % (a.seed, a.seed))
    sys.stdout.flush()
    return Fuzzer(a).run()


if __name__ == "__main__":
    sys.exit(main())
