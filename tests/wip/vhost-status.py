#!/usr/bin/env python3
"""Drive a vhost-vdpa device's status by hand: reset, features, FEATURES_OK,
DRIVER_OK, with no queue set up.  Prints the status the device ends with.

  vhost-status.py /dev/vhost-vdpa-N [FEATURES]   FEATURES: as offered if omitted,
                                                 "-BIT" to clear one bit from that
"""
import fcntl
import os
import struct
import sys


def ioc(d, nr, size):
    return d << 30 | size << 16 | 0xAF << 8 | nr


GET_FEATURES, SET_FEATURES = ioc(2, 0x00, 8), ioc(1, 0x00, 8)
SET_OWNER = ioc(0, 0x01, 0)
GET_STATUS, SET_STATUS = ioc(2, 0x71, 1), ioc(1, 0x72, 1)


def status(fd, s=None):
    if s is None:
        b = bytearray(1)
        fcntl.ioctl(fd, GET_STATUS, b)
        return b[0]
    fcntl.ioctl(fd, SET_STATUS, struct.pack("B", s))


fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.ioctl(fd, SET_OWNER)
b = bytearray(8)
fcntl.ioctl(fd, GET_FEATURES, b)
feat = struct.unpack("<Q", b)[0]
if len(sys.argv) > 2:
    arg = sys.argv[2]
    feat = feat & ~(1 << int(arg[1:])) if arg.startswith("-") else int(arg, 0)
status(fd, 0)
status(fd, 1)
status(fd, 3)
fcntl.ioctl(fd, SET_FEATURES, struct.pack("<Q", feat))
status(fd, 0xb)
status(fd, 0xf)
print("features=%#x status=%#x" % (feat, status(fd)))
