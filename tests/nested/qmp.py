#!/usr/bin/python3
"""Minimal QMP client for the migration test and demo.

    qmp.py SOCKET COMMAND ['{"arg": ...}']

Connects to QEMU's QMP unix socket, negotiates capabilities, runs one
command and prints its "return" value as JSON on one line.  A QMP error
is printed to stderr with exit status 1; no socket within 30 s, status 2.
"""
import json
import socket
import sys
import time


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path, cmd = sys.argv[1], sys.argv[2]
    args = json.loads(sys.argv[3]) if len(sys.argv) == 4 else None
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    deadline = time.time() + 30
    while True:
        try:
            s.connect(path)
            break
        except OSError as e:
            if time.time() > deadline:
                print(f"qmp: cannot connect to {path}: {e}", file=sys.stderr)
                return 2
            time.sleep(0.2)
    f = s.makefile("rw")

    def send(msg):
        f.write(json.dumps(msg) + "\n")
        f.flush()
        while True:
            line = f.readline()
            if not line:
                raise EOFError("QEMU closed the QMP socket")
            reply = json.loads(line)
            if "event" in reply:
                continue
            return reply

    json.loads(f.readline())  # greeting
    send({"execute": "qmp_capabilities"})
    msg = {"execute": cmd}
    if args is not None:
        msg["arguments"] = args
    reply = send(msg)
    if "error" in reply:
        print(f"qmp: {cmd}: {reply['error'].get('desc', reply['error'])}", file=sys.stderr)
        return 1
    print(json.dumps(reply.get("return")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
