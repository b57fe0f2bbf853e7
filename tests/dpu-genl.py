#!/usr/bin/env python3
"""Raw client of the dpu_vdpa generic netlink family, for tests.

vdpa-mgmt is the tool for people; this one speaks the family with no
library in between, so tests can also send what vdpa-mgmt never would
(missing or malformed attributes).

  dpu-genl.py get [NAME]                       one device, or a dump
  dpu-genl.py suspend|resume|log-stop NAME
  dpu-genl.py log-start [--owned [--hold SECS]] NAME [IOVA LEN [PAGE_SIZE]]
                                               no range: the kernel's choice;
                                               --owned: LOG_OWNED (the log stops
                                               when this socket closes); --hold:
                                               print "started", keep the socket
                                               open SECS seconds (or until killed)
  dpu-genl.py log-sync NAME IOVA [LEN]         prints "dirty=N pages=M" and the
                                               dirty page numbers
  dpu-genl.py log-bench NAME LEN ROUNDS       ROUNDS syncs of [0, LEN), 1 GiB per
                                               request; prints the time per GiB
  dpu-genl.py state-save NAME FILE
  dpu-genl.py state-load NAME FILE
  dpu-genl.py raw CMD [TYPE:KIND:VALUE ...]    KIND: str, u8, u32, u64, hex

Replies are printed as KEY=VALUE lines.  A kernel error prints
"error: ERRNO_NAME: extack message" on stderr and exits 1.
"""
import errno
import os
import socket
import struct
import sys
import time

NETLINK_GENERIC = 16
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 16, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_MISS_TYPE = 1, 5
NETLINK_CAP_ACK, NETLINK_EXT_ACK = 10, 11

CMDS = {"get": 1, "suspend": 2, "resume": 3, "log-start": 4, "log-sync": 5,
        "log-stop": 6, "state-save": 7, "state-load": 8}
A = {"DEV_NAME": 2, "MGMTDEV_NAME": 3, "DEVICE_ID": 4, "BUS_DRIVER": 5, "STATUS": 6,
     "MODE": 7, "SUSPENDED": 8, "LOGGING": 9, "LOG_PAGE_SIZE": 10, "LOG_IOVA": 11,
     "LOG_LEN": 12, "LOG_BITMAP": 13, "LOG_DIRTY": 14, "STATE": 15, "STATS": 16,
     "SHADOW_VQS": 17, "STAGED": 18, "LOG_OWNED": 19}
KINDS = {2: "str", 3: "str", 4: "u32", 5: "str", 6: "u8", 7: "u8", 8: "u8", 9: "u8",
         10: "u32", 11: "u64", 12: "u64", 13: "bin", 14: "u64", 15: "bin", 16: "nest",
         17: "u32", 19: "flag"}
STATS = {2: "relayed_avail", 3: "relayed_used", 4: "dirty_marked", 5: "suspends",
         6: "mode_switches", 7: "rewound", 8: "ring_errors"}
MODES = {0: "stopped", 1: "direct", 2: "shadow"}
NAMES = {v: k for k, v in A.items()}


class KernelError(Exception):
    pass


def attr(kind, value):
    if kind == "str":
        data = value.encode() + b"\0"
    elif kind == "u8":
        data = struct.pack("=B", int(value, 0) if isinstance(value, str) else value)
    elif kind == "u32":
        data = struct.pack("=I", int(value, 0) if isinstance(value, str) else value)
    elif kind == "u64":
        data = struct.pack("=Q", int(value, 0) if isinstance(value, str) else value)
    elif kind == "hex":
        data = bytes.fromhex(value)
    else:
        data = value
    return data


def pack_attrs(attrs):
    out = b""
    for typ, data in attrs:
        out += struct.pack("=HH", 4 + len(data), typ) + data
        out += b"\0" * (-len(out) % 4)
    return out


def parse_attrs(buf):
    out = []
    while len(buf) >= 4:
        ln, typ = struct.unpack_from("=HH", buf)
        if ln < 4:
            break
        out.append((typ & 0x3fff, buf[4:ln]))
        buf = buf[(ln + 3) & ~3:]
    return out


class Genl:
    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.sock.setsockopt(270, NETLINK_EXT_ACK, 1)  # SOL_NETLINK
        self.sock.setsockopt(270, NETLINK_CAP_ACK, 1)  # errors echo only the header
        self.sock.bind((0, 0))
        # a request the kernel never answers fails instead of hanging a test
        self.sock.settimeout(60)
        self.seq = 0
        reply = self.request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                             [(CTRL_ATTR_FAMILY_NAME, attr("str", "dpu_vdpa"))])
        self.family = struct.unpack("=H", dict(reply[0])[CTRL_ATTR_FAMILY_ID][:2])[0]

    def request(self, family, cmd, attrs, dump=False):
        self.seq += 1
        payload = struct.pack("=BBH", cmd, 1, 0) + pack_attrs(attrs)
        flags = NLM_F_REQUEST | NLM_F_ACK | (NLM_F_DUMP if dump else 0)
        self.sock.send(struct.pack("=IHHII", 16 + len(payload), family, flags, self.seq, 0)
                       + payload)
        replies = []
        while True:
            buf = self.sock.recv(1 << 20)
            while len(buf) >= 16:
                ln, typ, _flags, _seq, _pid = struct.unpack_from("=IHHII", buf)
                msg = buf[16:ln]
                buf = buf[(ln + 3) & ~3:]
                if typ == NLMSG_DONE:
                    return replies
                if typ == NLMSG_ERROR:
                    err = struct.unpack_from("=i", msg)[0]
                    if err == 0:
                        return replies
                    text = ""
                    # NETLINK_CAP_ACK: the extack follows the echoed header
                    for t, d in parse_attrs(msg[4 + 16:]):
                        if t == NLMSGERR_ATTR_MSG:
                            text = d.rstrip(b"\0").decode() + text
                        elif t == NLMSGERR_ATTR_MISS_TYPE:
                            text += " [missing attribute %d]" % struct.unpack("=I", d[:4])[0]
                    raise KernelError("%s: %s" % (errno.errorcode.get(-err, str(-err)), text))
                replies.append(parse_attrs(msg[4:]))


def show(attrs):
    lines = []
    for typ, data in attrs:
        name = NAMES.get(typ, str(typ)).lower()
        kind = KINDS.get(typ, "bin")
        if kind == "str":
            lines.append("%s=%s" % (name, data.rstrip(b"\0").decode()))
        elif kind == "u8":
            v = data[0]
            lines.append("%s=%s" % (name, MODES[v] if typ == A["MODE"] else v))
        elif kind == "u32":
            lines.append("%s=%d" % (name, struct.unpack("=I", data[:4])[0]))
        elif kind == "flag":
            lines.append("%s=%d" % (name, 1 if not data else -len(data)))
        elif kind == "u64":
            lines.append("%s=%d" % (name, struct.unpack("=Q", data[:8])[0]))
        elif kind == "nest":
            for t, d in parse_attrs(data):
                if t in STATS:
                    lines.append("%s=%d" % (STATS[t], struct.unpack("=Q", d[:8])[0]))
        else:
            lines.append("%s_bytes=%d" % (name, len(data)))
    return lines


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 2
    verb, args = argv[1], argv[2:]
    g = Genl()
    try:
        if verb == "get":
            attrs = [(A["DEV_NAME"], attr("str", args[0]))] if args else []
            for reply in g.request(g.family, CMDS["get"], attrs, dump=not args):
                print("\n".join(show(reply)))
                print()
        elif verb in ("suspend", "resume", "log-stop"):
            g.request(g.family, CMDS[verb], [(A["DEV_NAME"], attr("str", args[0]))])
        elif verb == "log-start":
            owned, hold = False, 0
            while args and args[0] in ("--owned", "--hold"):
                if args[0] == "--owned":
                    owned, args = True, args[1:]
                else:
                    hold, args = float(args[1]), args[2:]
            attrs = [(A["DEV_NAME"], attr("str", args[0]))]
            if owned:
                attrs.append((A["LOG_OWNED"], b""))
            if len(args) > 2:
                attrs += [(A["LOG_IOVA"], attr("u64", args[1])),
                          (A["LOG_LEN"], attr("u64", args[2]))]
            if len(args) > 3:
                attrs.append((A["LOG_PAGE_SIZE"], attr("u32", args[3])))
            g.request(g.family, CMDS[verb], attrs)
            if hold:
                print("started", flush=True)
                time.sleep(hold)
        elif verb == "log-sync":
            attrs = [(A["DEV_NAME"], attr("str", args[0])),
                     (A["LOG_IOVA"], attr("u64", args[1]))]
            if len(args) > 2:
                attrs.append((A["LOG_LEN"], attr("u64", args[2])))
            reply = dict(g.request(g.family, CMDS[verb], attrs)[0])
            bitmap = reply[A["LOG_BITMAP"]]
            pages = [i for i in range(len(bitmap) * 8) if bitmap[i // 8] >> (i % 8) & 1]
            dirty = struct.unpack("=Q", reply[A["LOG_DIRTY"]][:8])[0]
            print("dirty=%d pages=%s" % (dirty, ",".join(map(str, pages))))
            if dirty != len(pages):
                print("error: LOG_DIRTY %d but %d bits set" % (dirty, len(pages)),
                      file=sys.stderr)
                return 1
        elif verb == "log-bench":
            # in one process: what a sync costs, not what starting a tool does
            name, length, rounds = args[0], int(args[1], 0), int(args[2])
            gib = 1 << 30
            t0 = time.monotonic()
            for _ in range(rounds):
                for iova in range(0, length, gib):
                    g.request(g.family, CMDS["log-sync"],
                              [(A["DEV_NAME"], attr("str", name)),
                               (A["LOG_IOVA"], attr("u64", str(iova))),
                               (A["LOG_LEN"], attr("u64", str(min(gib, length - iova))))])
            secs = time.monotonic() - t0
            print("gib=%g rounds=%d ms_per_gib=%.3f" %
                  (length / gib, rounds, secs * 1000 / rounds / (length / gib)))
        elif verb == "state-save":
            reply = dict(g.request(g.family, CMDS[verb],
                                   [(A["DEV_NAME"], attr("str", args[0]))])[0])
            with open(args[1], "wb") as f:
                f.write(reply[A["STATE"]])
        elif verb == "state-load":
            with open(args[1], "rb") as f:
                blob = f.read()
            g.request(g.family, CMDS[verb], [(A["DEV_NAME"], attr("str", args[0])),
                                             (A["STATE"], blob)])
        elif verb == "raw":
            attrs = []
            for spec in args[1:]:
                typ, kind, value = spec.split(":", 2)
                attrs.append((int(typ), attr(kind, value)))
            for reply in g.request(g.family, int(args[0]), attrs):
                print("\n".join(show(reply)))
        else:
            print("unknown verb %s" % verb, file=sys.stderr)
            return 2
    except KernelError as e:
        print("error: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
