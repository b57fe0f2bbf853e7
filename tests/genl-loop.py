#!/usr/bin/env python3
"""The migration side of tests/vm/race.sh: well-formed dpu_vdpa commands on
one device, in random order from --seed, for --secs seconds, from one
process (a new python per command would be a few a second under TCG).

  genl-loop.py --seed S --secs T NAME
  genl-loop.py --secs T --load FILE NAME    only STATE_LOAD of FILE, as fast as
                                           the family answers

SUSPEND, RESUME, STATE_SAVE, STATE_LOAD (of the last saved blob), LOG_START
(whole space, or a range), LOG_SYNC, LOG_STOP, DEV_GET.  Any answer is
fine (the device comes and goes under the other loops); no answer within
30 s is a hang: "FUZZ FAILURE seed=S iteration=I", exit 1.  Prints the
answers by command and errno.
"""
import argparse
import collections
import random
import struct
import sys
import time

import fuzzlib

CMDS = {"get": 1, "suspend": 2, "resume": 3, "log-start": 4, "log-sync": 5, "log-stop": 6,
        "state-save": 7, "state-load": 8}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--load", help="only load this state blob, over and over")
    p.add_argument("--secs", type=float, default=60)
    p.add_argument("name")
    a = p.parse_args()
    r = random.Random(a.seed)
    nl = fuzzlib.Netlink(30)
    start = time.monotonic()
    # the module may be unloaded and loaded again under the loop (race.sh):
    # the family goes away, and comes back with another id
    fam = None
    name = (2, a.name.encode() + b"\0")
    blob = open(a.load, "rb").read() if a.load else None
    answers = collections.Counter()
    i = 0
    while time.monotonic() - start < a.secs:
        i += 1
        if fam is None:
            try:
                fam = nl.family("dpu_vdpa")
            except RuntimeError:
                answers["family:absent"] += 1
                time.sleep(0.05)
                continue
        verb = "state-load" if a.load else r.choice(list(CMDS) + ["log-sync"] * 2)
        attrs = [name]
        if verb == "log-start" and r.random() < 0.5:
            attrs += [(11, struct.pack("<Q", 0)), (12, struct.pack("<Q", r.choice([1, 64]) << 20))]
        elif verb == "log-sync":
            attrs += [(11, struct.pack("<Q", 0))]
        elif verb == "state-load":
            if blob is None:
                continue
            attrs += [(15, blob)]
        try:
            ans = nl.send_raw(fam, CMDS[verb], 1, fuzzlib.pack_attrs(attrs))
        except fuzzlib.Hang as e:
            fuzzlib.fail(a.seed, i, "%s %s: %s" % (verb, a.name, e))
            return 1
        if ans[0] == "err" and fuzzlib.errname(ans[1]) == "ENOENT":
            # no such device, or no such family any more: look it up again
            fam = None
        if verb == "state-save" and ans[0] == "data":
            blob = dict(ans[1][0]).get(15, blob)
        answers["%s:%s" % (verb, "ok" if ans[0] != "err" else fuzzlib.errname(ans[1]))] += 1
    print("genl-loop: seed=%d commands=%d %s" % (a.seed, sum(answers.values()),
                                                 " ".join("%s=%d" % kv
                                                          for kv in sorted(answers.items()))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
