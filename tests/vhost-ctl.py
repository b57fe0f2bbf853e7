#!/usr/bin/env python3
"""Ask a vhost-vdpa device what a VMM would, with no VMM (tests).

  vhost-ctl.py DEV vring-base IDX...   "vqI=N" per queue: VHOST_GET_VRING_BASE,
                                       the next avail index the device holds
                                       (what set_vq_state or a state load set)
  vhost-ctl.py DEV status [FEATURES]   reset, FEATURES (default: all offered),
                                       FEATURES_OK, DRIVER_OK; prints
                                       "features=F status=S"

Opening the device resets it, as vhost-vdpa does for every open.
"""
import fcntl
import os
import struct
import sys

VHOST = 0xAF


def ioc(direction, nr, size):
    return direction << 30 | size << 16 | VHOST << 8 | nr


GET_FEATURES, SET_FEATURES = ioc(2, 0x00, 8), ioc(1, 0x00, 8)
SET_OWNER = ioc(0, 0x01, 0)
GET_VRING_BASE = ioc(3, 0x12, 8)
GET_STATUS, SET_STATUS = ioc(2, 0x71, 1), ioc(1, 0x72, 1)


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
        b = bytearray(8)
        fcntl.ioctl(fd, GET_FEATURES, b)
        feat = struct.unpack("<Q", b)[0]
        if len(argv) > 3:
            feat = int(argv[3], 0)
        for s in (0, 1, 3):
            fcntl.ioctl(fd, SET_STATUS, struct.pack("B", s))
        fcntl.ioctl(fd, SET_FEATURES, struct.pack("<Q", feat))
        fcntl.ioctl(fd, SET_STATUS, struct.pack("B", 0xb))
        fcntl.ioctl(fd, SET_STATUS, struct.pack("B", 0xf))
        print("features=%#x status=%#x" % (feat, get_status(fd)))
    else:
        sys.exit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
