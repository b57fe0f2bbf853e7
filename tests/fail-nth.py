#!/usr/bin/env python3
"""Systematic fault injection into one kernel request at a time, for tests.

Makes the 1st, 2nd, ... allocation (any fault-injection point) of one
request fail through /proc/thread-self/fail-nth, until a run completes with
no fault left to inject.  Each injected run must end in an error or in
success, never a hang; after a success the request is undone.  Needs a
kernel with CONFIG_FAULT_INJECTION, FAILSLAB and FAIL_PAGE_ALLOC.

  fail-nth.py dev-add MGMTDEV NAME          vdpa family: dev add, then dev del
  fail-nth.py log-start NAME                dpu_vdpa: log start, then log stop
  fail-nth.py state-load NAME FILE          dpu_vdpa: state load
  fail-nth.py bind BDF                      PCI probe of dpu_vdpa, then unbind
  fail-nth.py driver-ok /dev/vhost-vdpa-N   DRIVER_OK of a device on vhost_vdpa
                                            (set up by vhost-ctl.py; faults only
                                            in the status write), then reset;
                                            the status must be DRIVER_OK, or
                                            NEEDS_RESET without it

Prints one line per run and "fail-nth: N runs, F failed cleanly, S succeeded".
Exits 1 if no run had a fault injected (nothing was tested).
"""
import importlib.util
import os
import socket
import struct
import sys



def _load(name, path):
    spec = importlib.util.spec_from_file_location(
        name, os.path.join(os.path.dirname(os.path.abspath(__file__)), path))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


genl = _load("dpu_genl", "dpu-genl.py")
vhost_ctl = _load("vhost_ctl", "vhost-ctl.py")


class Refused(Exception):
    """The request failed cleanly (a status that says so, not an errno)."""


class Broken(Exception):
    """The request ended in a state it must never be in."""

# uapi/linux/vdpa.h
VDPA_CMD_DEV_NEW, VDPA_CMD_DEV_DEL = 3, 4
VDPA_ATTR_MGMTDEV_BUS_NAME, VDPA_ATTR_MGMTDEV_DEV_NAME, VDPA_ATTR_DEV_NAME = 1, 2, 4
MAX_RUNS = 20000


def setup_faults():
    """Fail sleeping allocations too: the driver's are GFP_KERNEL."""
    for knob in ("failslab/ignore-gfp-wait", "fail_page_alloc/ignore-gfp-wait",
                 "fail_page_alloc/ignore-gfp-highmem"):
        path = "/sys/kernel/debug/" + knob
        if os.path.exists(path):
            with open(path, "w") as f:
                f.write("N")
    for knob in ("failslab/verbose", "fail_page_alloc/verbose"):
        path = "/sys/kernel/debug/" + knob
        if os.path.exists(path):
            with open(path, "w") as f:
                f.write("0")


class FailNth:
    def __init__(self):
        self.fd = os.open("/proc/thread-self/fail-nth", os.O_RDWR)

    def arm(self, n):
        os.pwrite(self.fd, str(n).encode(), 0)

    def injected(self):
        """True when the armed fault was injected (the file reads 0)."""
        left = int(os.pread(self.fd, 32, 0).decode().strip() or "0")
        os.pwrite(self.fd, b"0", 0)	# disarm
        return left == 0


def vdpa_family(g):
    reply = g.request(genl.GENL_ID_CTRL, genl.CTRL_CMD_GETFAMILY,
                      [(genl.CTRL_ATTR_FAMILY_NAME, genl.attr("str", "vdpa"))])
    return struct.unpack("=H", dict(reply[0])[genl.CTRL_ATTR_FAMILY_ID][:2])[0]


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    what, args = argv[1], argv[2:]
    setup_faults()
    g = genl.Genl()
    fam = g.family
    prepare = None

    if what == "dev-add":
        # only dev add itself: a bus driver's probe of the new device
        # (virtio_net's) would multiply the runs by its own allocations
        with open("/sys/bus/vdpa/drivers_autoprobe", "w") as f:
            f.write("0")
        bus, devname = args[0].split("/", 1)
        vfam = vdpa_family(g)
        new = [(VDPA_ATTR_MGMTDEV_BUS_NAME, genl.attr("str", bus)),
               (VDPA_ATTR_MGMTDEV_DEV_NAME, genl.attr("str", devname)),
               (VDPA_ATTR_DEV_NAME, genl.attr("str", args[1]))]
        do = lambda: g.request(vfam, VDPA_CMD_DEV_NEW, new)
        undo = lambda: g.request(vfam, VDPA_CMD_DEV_DEL,
                                 [(VDPA_ATTR_DEV_NAME, genl.attr("str", args[1]))])
    elif what == "log-start":
        name = [(genl.A["DEV_NAME"], genl.attr("str", args[0]))]
        do = lambda: g.request(fam, genl.CMDS["log-start"], name)
        undo = lambda: g.request(fam, genl.CMDS["log-stop"], name)
    elif what == "state-load":
        with open(args[1], "rb") as f:
            blob = f.read()
        req = [(genl.A["DEV_NAME"], genl.attr("str", args[0])),
               (genl.A["STATE"], blob)]
        do = lambda: g.request(fam, genl.CMDS["state-load"], req)
        undo = lambda: None
    elif what == "bind":
        bdf = args[0]
        drv = "/sys/bus/pci/drivers/dpu_vdpa"

        def do():
            fd = os.open(drv + "/bind", os.O_WRONLY)
            try:
                os.write(fd, bdf.encode())
            finally:
                os.close(fd)

        def undo():
            if os.path.exists("%s/%s" % (drv, bdf)):
                with open(drv + "/unbind", "w") as f:
                    f.write(bdf)
    elif what == "driver-ok":
        import fcntl
        import struct
        dev = {}

        def prepare():
            # opening resets the device; only the status write is armed
            dev["fd"] = os.open(args[0], os.O_RDWR)
            fcntl.ioctl(dev["fd"], vhost_ctl.SET_OWNER)
            dev["mem"] = vhost_ctl.prepare(dev["fd"])

        def do():
            fcntl.ioctl(dev["fd"], vhost_ctl.SET_STATUS, struct.pack("B", 0xf))
            status = vhost_ctl.get_status(dev["fd"])
            if status & 0x40 and status & 0x4:
                raise Broken("status %#x: NEEDS_RESET with DRIVER_OK" % status)
            if status & 0x40:
                raise Refused("refused, status %#x" % status)
            if status != 0xf:
                raise Broken("status %#x after DRIVER_OK" % status)

        def undo():
            fd = dev.pop("fd", None)
            if fd is not None:
                fcntl.ioctl(fd, vhost_ctl.SET_STATUS, struct.pack("B", 0))
                os.close(fd)
            dev.pop("mem", None)
    else:
        print("fail-nth: unknown request %s" % what, file=sys.stderr)
        return 2

    fn = FailNth()
    runs = failed = succeeded = broken = 0
    for n in range(1, MAX_RUNS):
        if prepare:
            prepare()
        fn.arm(n)
        err = None
        try:
            do()
        except (genl.KernelError, OSError, Refused) as e:
            err = e
        except Broken as e:
            err = e
            broken += 1
        hit = fn.injected()
        runs += 1
        if err is None:
            succeeded += 1
        else:
            failed += 1
        # also after an error: the request may have been done with only
        # its answer lost (an allocation for the ack failed)
        try:
            undo()
        except (genl.KernelError, OSError):
            pass
        print("run %d: fault %s: %s" % (n, "injected" if hit else "not reached",
                                         "ok" if err is None else err), flush=True)
        if not hit:
            break
    print("fail-nth: %d runs, %d failed cleanly, %d succeeded, %d broken" %
          (runs, failed - broken, succeeded, broken))
    return 0 if runs > 1 and not broken else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
