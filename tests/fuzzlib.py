"""Shared pieces of the in-VM fuzzers (tests/nl-fuzz.py, tests/state-fuzz.py).

- load(): import a tests/ script whose file name has a dash (dpu-genl.py,
  state-blob.py), so the fuzzers speak the family and the blob format
  through the same code as the other tests, not a copy.
- Netlink: a generic netlink socket whose every request is bounded in time;
  send_raw() returns ("ack", 0) / ("err", errno, text) / ("data", replies) or
  raises Hang.  A request the kernel never answers is a finding, not a wait.
- Kmsg: /dev/kmsg read after each request, so a splat is pinned on the
  iteration (and the bytes) that caused it, not found at the end.

Every fuzzer is deterministic from its --seed: random.Random(seed) is the
only source of randomness, and a failure prints "seed=S iteration=I" with
the offending input; the same command with that seed replays it.
"""
import errno
import importlib.util
import os
import re
import socket
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def load(name):
    path = os.path.join(HERE, name)
    spec = importlib.util.spec_from_file_location(name.replace("-", "_").replace(".py", ""),
                                                  path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# the wire format as the other tests speak it (dpu-genl.py), not a copy
_genl = load("dpu-genl.py")
NETLINK_GENERIC = _genl.NETLINK_GENERIC
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = _genl.NLM_F_REQUEST, _genl.NLM_F_ACK, _genl.NLM_F_DUMP
NLMSG_ERROR, NLMSG_DONE = _genl.NLMSG_ERROR, _genl.NLMSG_DONE
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = _genl.GENL_ID_CTRL, _genl.CTRL_CMD_GETFAMILY
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = _genl.CTRL_ATTR_FAMILY_ID, _genl.CTRL_ATTR_FAMILY_NAME
SOL_NETLINK, NETLINK_EXT_ACK, NETLINK_CAP_ACK = 270, _genl.NETLINK_EXT_ACK, _genl.NETLINK_CAP_ACK
pack_attrs, parse_attrs = _genl.pack_attrs, _genl.parse_attrs


class Hang(Exception):
    pass


class Netlink:
    def __init__(self, timeout=10.0):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.sock.bind((0, 0))
        self.sock.settimeout(timeout)
        self.timeout = timeout
        self.seq = 0

    def family(self, name):
        r = self.send_raw(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1,
                          pack_attrs([(CTRL_ATTR_FAMILY_NAME, name.encode() + b"\0")]))
        if r[0] != "data":
            raise RuntimeError("family %s: %s" % (name, r))
        return struct.unpack("=H", dict(r[1][0])[CTRL_ATTR_FAMILY_ID][:2])[0]

    def send_raw(self, family, cmd, version, attrs_bytes, dump=False, genl_reserved=0):
        """One request, its whole answer.  attrs_bytes go on the wire as they are."""
        self.seq += 1
        seq = self.seq
        payload = struct.pack("=BBH", cmd, version, genl_reserved) + attrs_bytes
        flags = NLM_F_REQUEST | NLM_F_ACK | (NLM_F_DUMP if dump else 0)
        self.sock.send(struct.pack("=IHHII", 16 + len(payload), family, flags, seq, 0) + payload)
        replies = []
        while True:
            try:
                buf = self.sock.recv(1 << 20)
            except socket.timeout:
                raise Hang("no answer in %.0f s" % self.timeout)
            while len(buf) >= 16:
                ln, typ, _flags, rseq, _pid = struct.unpack_from("=IHHII", buf)
                msg = buf[16:ln]
                buf = buf[(ln + 3) & ~3:]
                if rseq != seq:
                    continue	# a late answer to an earlier request: not ours
                if typ == NLMSG_DONE:
                    return ("data", replies)
                if typ == NLMSG_ERROR:
                    err = struct.unpack_from("=i", msg)[0]
                    if err == 0:
                        return ("data", replies) if replies else ("ack", 0)
                    text = ""
                    for t, d in parse_attrs(msg[4 + 16:]):
                        if t == 1:
                            text = d.rstrip(b"\0").decode(errors="replace")
                    return ("err", -err, text)
                replies.append(parse_attrs(msg[4:]))


def errname(e):
    return errno.errorcode.get(e, str(e))


# What lib.sh's _dmesg_splat looks for, plus any stack dump (a warn_alloc
# from a size the caller chose, a hung task) and allocation failures.
SPLAT = re.compile(r"WARNING:|BUG:|Oops|general protection fault|kernel BUG at|KASAN|UBSAN|"
                   r"possible (circular|recursive) locking|inconsistent lock state|"
                   r"suspicious RCU usage|refcount_t:|list_(add|del) corruption|"
                   r"sleeping function called from invalid context|Call Trace:|"
                   r"page allocation failure|vmalloc error|blocked for more than")


class Kmsg:
    """New kernel messages since the previous read()."""

    def __init__(self):
        self.fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
        os.lseek(self.fd, 0, os.SEEK_END)

    def read(self):
        lines = []
        while True:
            try:
                rec = os.read(self.fd, 8192)
            except BlockingIOError:
                break
            except OSError as e:
                if e.errno == errno.EPIPE:	# overwritten while we read: go on
                    continue
                raise
            if not rec:
                break
            text = rec.decode(errors="replace")
            head, _, msg = text.partition(";")
            lines.append(msg.split("\n")[0])
        return lines

    def splat(self):
        lines = self.read()
        for i, line in enumerate(lines):
            if SPLAT.search(line):
                return lines[max(0, i - 5):i + 40]
        return None


def fail(seed, iteration, what, detail=()):
    print("FUZZ FAILURE seed=%d iteration=%d: %s" % (seed, iteration, what))
    for line in detail:
        print("  %s" % line)
    sys.stdout.flush()


class Watchdog:
    """Bounds each step of a fuzzer that may block in the kernel (an ioctl,
    a sysfs write): arm(what, secs) before it, disarm() after.  A step that
    overruns is reported with the seed and iteration, the kernel stacks of
    our threads and the latest kernel messages, and the process exits."""

    def __init__(self, seed):
        import threading
        self.seed = seed
        self.iteration = 0
        self.what = None
        self.deadline = None
        self.lock = threading.Lock()
        t = threading.Thread(target=self._watch, daemon=True)
        t.start()

    def arm(self, what, secs):
        with self.lock:
            self.what, self.deadline = what, time.monotonic() + secs

    def disarm(self):
        with self.lock:
            self.deadline = None

    def _watch(self):
        while True:
            time.sleep(0.2)
            with self.lock:
                late = self.deadline is not None and time.monotonic() > self.deadline
                what = self.what
            if not late:
                continue
            stacks = []
            for tid in os.listdir("/proc/self/task"):
                try:
                    with open("/proc/self/task/%s/stack" % tid) as f:
                        stacks += ["task %s:" % tid] + f.read().splitlines()
                except OSError:
                    pass
            try:
                dmesg = Kmsg.__new__(Kmsg)
                dmesg.fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
                msgs = dmesg.read()[-30:]
            except OSError:
                msgs = []
            fail(self.seed, self.iteration, "hang: %s did not return" % what,
                 stacks + ["dmesg:"] + msgs)
            os._exit(1)
