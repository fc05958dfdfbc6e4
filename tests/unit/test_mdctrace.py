#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tests/unit/test_mdctrace.py: bench/mdc-trace.py on trace files made
here, whose every step time is known (the C side of the format is
test_mdctrace's).

A 3-node cluster: node 1 the master, node 2 the initiator of an mdcbench
client's NO_LOG messages, node 3 the other node.  Node 3's daemon sends
messages of its own with the same seqs as node 2's, earlier, each step 5
times as long: matched by seq alone they would lend node 2's messages
their times.  Checked: the medians are node 2's own; a message whose
REQUEST went out twice (a client's retry keeps the id) is counted as
retried and left out; a file too short for a header or cut short is read
with a warning; a node that sent packets but has no file is an error
(exit 1); a version 1 file is refused (exit 2).
"""

import importlib.util
import os
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "..")
SCRIPT = os.path.join(SRC, "bench", "mdc-trace.py")
HEADER = os.path.join(SRC, "include", "oban", "mdc_trace.h")

# The script's own reader and layout; no __pycache__ in the source tree.
sys.dont_write_bytecode = True
spec = importlib.util.spec_from_file_location("mdc_trace", SCRIPT)
mt = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mt)
EV, VERSION = mt.read_header_file(HEADER)
REQUEST, WORK, RESULT, REPLY = 1, 2, 3, 4
MASTER, INIT, OTHER = 1, 2, 3
SEQ0 = 1763740800 << 20  # what two daemons started in one second share
N = 30
US = 1000

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what, file=sys.stderr)


class Trace:
    """One process's records: (ns, ev, a, b, tid, msg)."""

    def __init__(self, pid):
        self.pid = pid
        self.recs = []

    def add(self, ns, ev, a=0, key=(0, 0, 0), tid=None):
        nid, seq, sub = key
        self.recs.append((ns, EV[ev], a, seq, tid or self.pid,
                          nid | sub << 8))

    def write(self, dirname, version=VERSION, cut=0):
        recs = sorted(self.recs)
        data = mt.HDR.pack(mt.MAGIC, version, 64, 32, len(recs), self.pid,
                           0, len(recs), recs[0][0] if recs else 0,
                           bytes(16))
        data += b"".join(mt.REC.pack(*r) for r in recs)
        with open(os.path.join(dirname, str(self.pid)), "wb") as f:
            f.write(data[:len(data) - cut])


def message(d, cl, t, key, k):
    """One NO_LOG message @key of initiator key[0] from time @t, every
    step @k microseconds (more for the longer ones)."""
    init = key[0]
    nodes = (MASTER, INIT, OTHER)
    d[init].add(t, "RPC_IN", tid=7)
    if cl is not None:
        cl.add(t - 1 * k * US, "CLIENT_SEND")
    t += 1 * k * US
    d[init].add(t, "MCAST", REQUEST | init << 8 | MASTER << 16, key)
    d[init].add(t + k * US // 2, "MCAST_RET", REQUEST, key)
    for n in nodes:  # REQUEST delivered on every node, 7k us later
        d[n].add(t + 7 * k * US, "DELIVER", REQUEST | init << 8 | n << 16,
                 key)
    t += 7 * k * US

    def run(n, t):
        for i, ev in enumerate(("RUN", "RUN_CHECKED", "RUN_MARKED",
                                "RUN_HANDLED", "RUN_DONE")):
            d[n].add(t + i * k * US, ev, 0, key)
        return t + 4 * k * US

    t = run(MASTER, t + k * US)
    t += 2 * k * US
    d[MASTER].add(t, "MCAST", WORK | MASTER << 8, key)
    d[MASTER].add(t + k * US // 2, "MCAST_RET", WORK, key)
    work = t
    last = t
    for i, n in enumerate(nodes):
        d[n].add(work + (3 + i) * k * US, "DELIVER",
                 WORK | MASTER << 8 | n << 16, key)
        if n == MASTER:
            continue
        r = run(n, work + (4 + i) * k * US) + k * US
        d[n].add(r, "MCAST", RESULT | n << 8 | MASTER << 16, key)
        d[n].add(r + k * US // 2, "MCAST_RET", RESULT, key)
        for m in nodes:
            d[m].add(r + 9 * k * US, "DELIVER", RESULT | n << 8 | m << 16,
                     key)
        last = max(last, r + 9 * k * US)
    t = last + 2 * k * US
    d[MASTER].add(t, "MCAST", REPLY | MASTER << 8 | init << 16, key)
    d[MASTER].add(t + k * US // 2, "MCAST_RET", REPLY, key)
    for n in nodes:
        d[n].add(t + 6 * k * US, "DELIVER", REPLY | MASTER << 8 | n << 16,
                 key)
    t += 6 * k * US
    d[init].add(t + k * US, "RPC_OUT", 0, key, tid=7)
    if cl is not None:
        cl.add(t + 3 * k * US, "CLIENT_DONE", 0, key)
    return t + 10 * k * US


def make(dirname, retry=True):
    d = {n: Trace(100 + n) for n in (MASTER, INIT, OTHER)}
    cl = Trace(200)
    t = 10 ** 9
    # Node 3's own messages first, with node 2's seqs, 5 times as slow.
    for i in range(N):
        t = message(d, None, t, (OTHER, SEQ0 + i, 0), 5)
    for i in range(N):
        t = message(d, cl, t, (INIT, SEQ0 + i, 0), 1)
    if retry:
        # A retry: the same id's REQUEST and RPC again.
        t = message(d, cl, t, (INIT, SEQ0 + N, 0), 1)
        t = message(d, None, t, (INIT, SEQ0 + N, 0), 1)
    return d, cl


def run(dirname):
    p = subprocess.run([sys.executable, SCRIPT, "-n", "10", dirname],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    return p.returncode, p.stdout, p.stderr


def median(out, label):
    """The median of the row whose label is @label (columns 2..52)."""
    for line in out.splitlines():
        if line[2:52].strip() == label:
            return float(line.split()[-2])
    return None


def main():
    tmp = tempfile.mkdtemp(prefix="oban-mdctrace.")
    try:
        d, cl = make(tmp)
        for tr in list(d.values()) + [cl]:
            tr.write(tmp)
        rc, out, err = run(tmp)
        check(rc == 0, "clean run: exit %d: %s" % (rc, err))
        check("%d messages measured, 1 retried skipped," % N in out,
              "counts: %s" % out.splitlines()[:1])
        # Node 2's own times, not node 3's (5 times as long).
        for label, want in (
                ("REQUEST multicast 2 -> delivered at master 1", 7.0),
                ("run at 1", 4.0),
                ("run -> WORK multicast at 1", 2.0),
                ("WORK multicast 1 -> delivered at 3", 5.0),
                ("RESULT multicast 3 -> delivered at master 1", 9.0),
                ("REPLY multicast 1 -> delivered at 2", 6.0),
                ("TOTAL RPC in -> RPC answer at 2", 44.0),
                ("TOTAL client send -> return", 47.0)):
            got = median(out, label)
            check(got == want, "%s: median %s, want %s" % (label, got, want))

        # A file too short for a header, and one cut mid-record: warned,
        # the rest measured.
        with open(os.path.join(tmp, "999"), "wb") as f:
            f.write(b"OBNTR")
        cl.write(tmp, cut=40)
        rc, out, err = run(tmp)
        check(rc == 0, "short files: exit %d: %s" % (rc, err))
        check("999: 5 bytes, shorter than a header: skipped" in err,
              "empty file warning: %s" % err)
        check("200: truncated, %d of its %d records there" %
              (2 * N + 2 - 2, 2 * N + 2) in err,
              "truncated file warning: %s" % err)
        check("%d messages measured" % N in out, "after the cut: %s" %
              out.splitlines()[:1])
        os.unlink(os.path.join(tmp, "999"))
        cl.write(tmp)

        # Node 3's file missing: its steps are in every message.
        os.unlink(os.path.join(tmp, "103"))
        rc, out, err = run(tmp)
        check(rc == 1 and "no trace file of node 3" in err,
              "node 3 missing: exit %d: %s" % (rc, err))
        d[OTHER].write(tmp)

        # Version 1 (seqs alone): refused.
        d[MASTER].write(tmp, version=1)
        rc, out, err = run(tmp)
        check(rc == 2 and "format version 1" in err,
              "version 1: exit %d: %s" % (rc, err))
    finally:
        shutil.rmtree(tmp)
    if failures:
        print("%d checks failed" % len(failures), file=sys.stderr)
        return 1
    print("test_mdctrace.py: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
