#!/usr/bin/env python3
"""Ask a vhost-vdpa device what a VMM would, with no VMM (tests).

  vhost-ctl.py DEV vring-base IDX...   "vqI=N" per queue: VHOST_GET_VRING_BASE,
                                       the next avail index the device holds
                                       (what set_vq_state or a state load set)
  vhost-ctl.py DEV status [FEATURES]   reset, FEATURES (default: all offered),
                                       FEATURES_OK, 2 MiB of memory mapped
                                       (IOTLB_MSG_V2 UPDATE at IOVA 2 MiB:
                                       the driver starts no device that can
                                       reach nothing), DRIVER_OK; prints
                                       "features=F status=S"
  vhost-ctl.py DEV start-reset N       N times: all of "status" with every
                                       queue set up, then a reset right
                                       after DRIVER_OK; prints "started=S
                                       refused=R" (a device with a MAC
                                       programs it through the control
                                       queue at each start)

As a module (tests/fail-nth.py): prepare() does the same up to DRIVER_OK,
with every queue set up and enabled on empty rings in that memory.

Opening the device resets it, as vhost-vdpa does for every open.
"""
import ctypes
import fcntl
import mmap
import os
import struct
import sys

VHOST = 0xAF


def ioc(direction, nr, size):
    return direction << 30 | size << 16 | VHOST << 8 | nr


GET_FEATURES, SET_FEATURES = ioc(2, 0x00, 8), ioc(1, 0x00, 8)
SET_OWNER = ioc(0, 0x01, 0)
GET_VRING_BASE = ioc(3, 0x12, 8)
SET_VRING_NUM, SET_VRING_ADDR, SET_VRING_BASE = ioc(1, 0x10, 8), ioc(1, 0x11, 40), ioc(1, 0x12, 8)
VDPA_SET_VRING_ENABLE, VDPA_GET_VQS_COUNT = ioc(1, 0x75, 8), ioc(2, 0x80, 4)
GET_STATUS, SET_STATUS = ioc(2, 0x71, 1), ioc(1, 0x72, 1)
SET_BACKEND_FEATURES, GET_BACKEND_FEATURES = ioc(1, 0x25, 8), ioc(2, 0x26, 8)
BACKEND_F_IOTLB_MSG_V2, IOTLB_MSG_V2, IOTLB_UPDATE, ACCESS_RW = 1, 2, 2, 3
MEM = 2 << 20


def map_memory(fd):
    """MEM bytes of anonymous memory at IOVA MEM, in address space 0."""
    b = bytearray(8)
    fcntl.ioctl(fd, GET_BACKEND_FEATURES, b)
    fcntl.ioctl(fd, SET_BACKEND_FEATURES, struct.pack(
        "<Q", struct.unpack("<Q", b)[0] & (1 << BACKEND_F_IOTLB_MSG_V2)))
    mem = mmap.mmap(-1, MEM, mmap.MAP_SHARED | mmap.MAP_ANONYMOUS)
    mem.write(bytes(MEM))
    uaddr = ctypes.addressof(ctypes.c_char.from_buffer(mem))
    # struct vhost_msg_v2: type, asid, then struct vhost_iotlb_msg in a 64-byte union
    os.write(fd, struct.pack("<IIQQQBB", IOTLB_MSG_V2, 0, MEM, MEM, uaddr, ACCESS_RW,
                             IOTLB_UPDATE).ljust(72, b"\0"))
    return mem


def prepare(fd, feat=None, queues=True, num=64, mem=None):
    """Reset, features, FEATURES_OK, memory and the queues: all but DRIVER_OK.

    With QUEUES, each queue of NUM entries gets empty split rings in the
    mapped memory (16 KiB apart, from IOVA MEM), and is enabled.  Returns
    the memory, mapped as long as it lives and the fd is open.  MEM, from
    an earlier call on the same fd, is used again (a reset keeps it mapped).
    """
    b = bytearray(8)
    fcntl.ioctl(fd, GET_FEATURES, b)
    if feat is None:
        feat = struct.unpack("<Q", b)[0]
    for s in (0, 1, 3):
        fcntl.ioctl(fd, SET_STATUS, struct.pack("B", s))
    fcntl.ioctl(fd, SET_FEATURES, struct.pack("<Q", feat))
    fcntl.ioctl(fd, SET_STATUS, struct.pack("B", 0xb))
    if mem is None:
        mem = map_memory(fd)
    b = bytearray(4)
    fcntl.ioctl(fd, VDPA_GET_VQS_COUNT, b)
    for i in range(struct.unpack("=I", b)[0] if queues else 0):
        desc = MEM + i * 16384
        fcntl.ioctl(fd, SET_VRING_NUM, struct.pack("=II", i, num))
        fcntl.ioctl(fd, SET_VRING_ADDR, struct.pack("=IIQQQQ", i, 0, desc, desc + 8192,
                                                    desc + 4096, 0))
        fcntl.ioctl(fd, SET_VRING_BASE, struct.pack("=II", i, 0))
        fcntl.ioctl(fd, VDPA_SET_VRING_ENABLE, struct.pack("=II", i, 1))
    return mem


def get_status(fd):
    b = bytearray(1)
    fcntl.ioctl(fd, GET_STATUS, b)
    return b[0]


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    fd = os.open(argv[1], os.O_RDWR)
    fcntl.ioctl(fd, SET_OWNER)
    if argv[2] == "vring-base":
        for i in argv[3:]:
            b = bytearray(struct.pack("=II", int(i), 0))
            fcntl.ioctl(fd, GET_VRING_BASE, b)
            print("vq%s=%d" % (i, struct.unpack("=II", b)[1]))
    elif argv[2] == "status":
        feat = int(argv[3], 0) if len(argv) > 3 else None
        mem = prepare(fd, feat, queues=False)  # noqa: F841 (mapped until the fd closes)
        fcntl.ioctl(fd, SET_STATUS, struct.pack("B", 0xf))
        b = bytearray(8)
        fcntl.ioctl(fd, GET_FEATURES, b)
        print("features=%#x status=%#x" % (feat if feat is not None else
                                           struct.unpack("<Q", b)[0], get_status(fd)))
    elif argv[2] == "start-reset":
        started = refused = 0
        mem = None
        for _ in range(int(argv[3])):
            mem = prepare(fd, mem=mem)
            fcntl.ioctl(fd, SET_STATUS, struct.pack("B", 0xf))
            if get_status(fd) == 0xf:
                started += 1
            else:
                refused += 1
            fcntl.ioctl(fd, SET_STATUS, struct.pack("B", 0))
        print("started=%d refused=%d" % (started, refused))
    else:
        sys.exit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
