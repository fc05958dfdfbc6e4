#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""bench/mdc-trace.py: where the time of one mdcommd message goes, step by
step, on every node (doc/bench.md "Tracing one message's steps").

usage: bench/mdc-trace.py [-m MASTER] [-i INITIATOR] [-g GAP_MS] [-n MIN]
                          [-a] [--header PATH] DIR

DIR holds the trace files that mdcommd (runtime.cf commd_trace_dir) and
bench/mdcbench (-D DIR) wrote, one a process, of one cluster; every node of
the test cluster runs on this machine, so their CLOCK_MONOTONIC is one clock
and the files merge into one timeline.  bench/mdc-bench.sh -t runs this.

The file format (a 64-byte header, then 32-byte records) is described in
include/oban/mdc_trace.h, and the event numbers are read from its enum
mdc_trace_ev (--header: another copy of that file): HDR and REC below are
the only other statement of the layout, and the header's MDC_TRACE_VERSION
must match what the files say.

A daemon's node is the one its deliveries name; several files of one node
(a daemon restarted) are merged.  Every node that sent or was sent a
packet must have a file: one missing is an error (exit 1), since its steps
would be missing from every message.  A message is the whole id (mi_nid,
mi_seq, mi_sub) of a REQUEST that the initiator multicast; seqs alone are
not unique (every daemon seeds them from the clock at start).  A message
whose REQUEST was multicast more than once, or that more than one RPC
call or client send answered (a client's retry keeps the id), is skipped
and counted as retried: its attempts' steps cannot be told apart.  A
message missing any step (a dropped record, a message cut by a restart, a
message that failed) is skipped and counted; the initiator daemon's own
messages (no RPC call: a master change, a set join) are counted apart.

One master and one initiator a directory: the initiator and the master
are the nodes that multicast the most REQUESTs and WORKs (or -i, -m).
Messages that clients sent through other nodes' daemons are left out, and
messages of the initiator that another master handled (a master change
during the run) are counted apart; trace one cluster and one initiator
into a directory.  bench/mdc-bench.sh -t gives each cluster size its own;
with its -R or -B, the restarted daemons write into the same one, which
is right only while node 1 stays the master and node 2 the initiator.

Runs: when client files are present, the messages of one mdcbench process
make one run, and messages sent by no traced client (another load beside
the benchmark) are left out and counted, unless -a; otherwise, and for
those with -a, consecutive messages make a run until the logged / NO_LOG
kind changes or GAP_MS (default 50) pass between a REPLY and the next
REQUEST.  A run is "logged" if its master wrote change-log slots.  Runs of
fewer than MIN (default 20) messages are not printed, only counted.

For each run it prints the 10th, 50th and 90th percentile, in
microseconds, of every step (doc/bench.md explains each line); then, for
every packet kind, the multicast call, the token wait (the call until the
sender's own delivery) and the transit (the sender's own delivery until
the addressee's).  A file too short for a header is skipped, a truncated
one read as far as its whole records go, with a warning.  Exit status: 0,
1 when no message could be measured or a node's file is missing, 2 for
bad usage or unreadable files (version 1 files among them).
"""

import argparse
import collections
import os
import re
import signal
import struct
import sys

# The layout of include/oban/mdc_trace.h (struct mdc_trace_hdr, struct
# mdc_trace_rec); little-endian.
HDR = struct.Struct("<8sIIIIIIQQ16s")
REC = struct.Struct("<QIIQII")
MAGIC = b"OBNTRACE"

# Packet kinds (enum mdc_wire_kind) in mdc_trace.h's arguments.
REQUEST, WORK, RESULT, REPLY = 1, 2, 3, 4
KIND_NAME = {REQUEST: "REQUEST", WORK: "WORK", RESULT: "RESULT",
             REPLY: "REPLY"}

# The events this script uses, by their names in enum mdc_trace_ev.
NEEDED = ("RPC_IN", "RPC_OUT", "MCAST", "MCAST_RET", "DELIVER", "LOG_WRITE",
          "LOG_WRITTEN", "LOG_CLEAR", "LOG_CLEARED", "LOG_SETTLE",
          "LOG_SETTLED", "RUN", "RUN_CHECKED", "RUN_MARKED", "RUN_HANDLED",
          "RUN_DONE", "CLIENT_SEND", "CLIENT_DONE")


def fail(msg, status=2):
    sys.stdout.flush()
    print("mdc-trace: " + msg, file=sys.stderr)
    sys.exit(status)


def read_header_file(path):
    """Event numbers and format version from mdc_trace.h."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        fail("cannot read '%s': %s (give --header)" % (path, e.strerror))
    m = re.search(r"enum mdc_trace_ev \{(.*?)\};", text, re.S)
    v = re.search(r"#define MDC_TRACE_VERSION (\d+)", text)
    if m is None or v is None:
        fail("'%s' has no enum mdc_trace_ev or MDC_TRACE_VERSION" % path)
    body = re.sub(r"/\*.*?\*/", "", m.group(1), flags=re.S)
    ev = {name: int(num) for name, num in
          re.findall(r"MDC_TR_([A-Z0-9_]+)\s*=\s*(\d+)", body)}
    missing = [n for n in NEEDED if n not in ev]
    if missing:
        fail("'%s' lacks the events %s" % (path, ", ".join(missing)))
    return ev, int(v.group(1))


class Proc:
    """One trace file: a process's events as (ns, ev, a, b, tid)."""

    def __init__(self, name, pid, events, dropped):
        self.name = name
        self.pid = pid
        self.events = events
        self.dropped = dropped


def warn(msg):
    sys.stdout.flush()
    print("mdc-trace: " + msg, file=sys.stderr)


def msg_key(b, msg):
    """A message's whole id from a record's tr_b and tr_msg:
    (mi_nid, mi_seq, mi_sub); mi_nid 0 for no message."""
    return (msg & 0xff, b, (msg >> 8) & 0xff)


def read_trace(path, version):
    """The file's Proc, or None (and a warning) when it is too short to
    hold a header: a process that stopped while creating it."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < HDR.size:
        warn("%s: %d bytes, shorter than a header: skipped" %
             (path, len(data)))
        return None
    (magic, ver, hdrsize, recsize, nrec, pid, _pad0, nxt, t0,
     _pad1) = HDR.unpack_from(data, 0)
    if magic != MAGIC:
        raise ValueError("not a trace file (magic %r)" % magic)
    if ver == 1:
        # Version 1 recorded mi_seq alone: seqs repeat across nodes.
        raise ValueError("format version 1: its records name a message by "
                         "its seq alone, which several nodes share; trace "
                         "again with this build (version %u)" % version)
    if ver != version or hdrsize != HDR.size or recsize != REC.size:
        raise ValueError("format version %u (%u/%u bytes), this script "
                         "reads version %u" % (ver, hdrsize, recsize,
                                               version))
    n = min(nxt, nrec)
    whole = (len(data) - hdrsize) // recsize
    if whole < n:
        warn("%s: truncated, %u of its %u records there: reading those" %
             (path, whole, n))
        n = whole
    events = [(ns, ev, a, msg_key(b, msg), tid) for ns, ev, a, b, tid, msg
              in REC.iter_unpack(data[hdrsize:hdrsize + n * recsize])
              if ev != 0]
    events.sort()
    p = Proc(os.path.basename(path), pid, events, max(0, nxt - nrec))
    p.full_after = (events[-1][0] - t0) / 1e9 if events else 0.0
    return p


def load(dirname, ev, version):
    try:
        names = sorted(os.listdir(dirname))
    except OSError as e:
        fail("cannot read '%s': %s" % (dirname, e.strerror))
    procs = []
    for name in names:
        path = os.path.join(dirname, name)
        if not os.path.isfile(path):
            continue
        try:
            p = read_trace(path, version)
        except (OSError, ValueError) as e:
            fail("cannot read '%s': %s" % (path, e))
        if p is not None:
            procs.append(p)
    daemons = collections.defaultdict(list)
    clients = []
    for p in procs:
        if p.dropped:
            print("mdc-trace: %s: %u events dropped, the file was full "
                  "%.1f s after it was opened: later messages are "
                  "incomplete" % (os.path.join(dirname, p.name), p.dropped,
                                  p.full_after),
                  file=sys.stderr)
        nodes = collections.Counter((a >> 16) & 0xff for _, e, a, _, _ in
                                    p.events if e == ev["DELIVER"])
        if nodes:
            daemons[nodes.most_common(1)[0][0]].extend(p.events)
        elif any(e == ev["CLIENT_SEND"] for _, e, _, _, _ in p.events):
            clients.append(p)
    for events in daemons.values():
        events.sort()
    return daemons, clients


def expected_nodes(daemons, ev):
    """The nodes that sent a packet (a delivery's sender) or were sent one
    (a multicast's addressee), by what every daemon's file says."""
    nodes = set()
    for events in daemons.values():
        for _, e, a, _, _ in events:
            if e == ev["DELIVER"]:
                nodes.add((a >> 8) & 0xff)
            elif e == ev["MCAST"] and (a >> 16) & 0xff:
                nodes.add((a >> 16) & 0xff)
    return nodes


class Index:
    """A node's events by (event, message id), the first of each, filtered
    by packet kind and sender when given."""

    def __init__(self, events):
        self.by = collections.defaultdict(list)
        for rec in events:
            self.by[rec[1]].append(rec)

    def first(self, evno, kind=None, frm=None):
        d = {}
        for ns, _, a, key, _ in self.by[evno]:
            if kind is not None and a & 0xff != kind:
                continue
            if frm is not None and (a >> 8) & 0xff != frm:
                continue
            d.setdefault(key, ns)
        return d

    def count(self, evno, kind):
        """How many times each message id has the event (of @kind)."""
        return collections.Counter(key for _, _, a, key, _ in self.by[evno]
                                   if a & 0xff == kind)


def top_sender(daemons, ev, kind):
    best, most = None, 0
    for node, events in daemons.items():
        n = sum(1 for _, e, a, _, _ in events
                if e == ev["MCAST"] and a & 0xff == kind)
        if n > most:
            best, most = node, n
    return best


def rpc_pairs(events, ev_in, ev_out):
    """{message id: [(in_ns, out_ns), ...]}: each OUT that names a message
    with the last IN of its thread before it."""
    last_in = {}
    pairs = collections.defaultdict(list)
    for ns, e, _, key, tid in events:
        if e == ev_in:
            last_in[tid] = ns
        elif e == ev_out and key[0] != 0 and tid in last_in:
            pairs[key].append((last_in.pop(tid), ns))
    return pairs


class Skips:
    """The messages left out of the tables, by why."""

    def __init__(self):
        self.own = 0  # no RPC: the initiator daemon's own
        self.retried = 0  # more than one REQUEST, RPC call or client send
        self.other_master = 0  # its WORK multicast by another node
        self.elsewhere = 0  # RPC calls answered by other nodes' daemons
        self.incomplete = collections.Counter()  # by first missing step


def build(daemons, clients, ev, master, init, nodes):
    """One dict of step times a message, keyed by the message's whole id;
    and the counts of those left out (Skips)."""
    idx = {n: Index(daemons[n]) for n in daemons}
    others = sorted(n for n in nodes if n != master)
    im, ii = idx[master], idx[init]
    t = {
        "req_call": ii.first(ev["MCAST"], REQUEST),
        "req_ret": ii.first(ev["MCAST_RET"], REQUEST),
        "req_self": ii.first(ev["DELIVER"], REQUEST, init),
        "req_dlv": im.first(ev["DELIVER"], REQUEST, init),
        "lw0": im.first(ev["LOG_WRITE"]),
        "lw1": im.first(ev["LOG_WRITTEN"]),
        "work_call": im.first(ev["MCAST"], WORK),
        "work_ret": im.first(ev["MCAST_RET"], WORK),
        "work_self": im.first(ev["DELIVER"], WORK, master),
        "clr0": im.first(ev["LOG_CLEAR"]),
        "clr1": im.first(ev["LOG_CLEARED"]),
        "rep_call": im.first(ev["MCAST"], REPLY),
        "rep_ret": im.first(ev["MCAST_RET"], REPLY),
        "rep_self": im.first(ev["DELIVER"], REPLY, master),
        "rep_dlv": ii.first(ev["DELIVER"], REPLY, master),
        "st0": im.first(ev["LOG_SETTLE"]),
        "st1": im.first(ev["LOG_SETTLED"]),
    }
    run = ("RUN", "RUN_CHECKED", "RUN_MARKED", "RUN_HANDLED", "RUN_DONE")
    for n in daemons:
        for k, name in enumerate(run):
            t["run%d_%d" % (k, n)] = idx[n].first(ev[name])
    for n in others:
        t["work_dlv_%d" % n] = idx[n].first(ev["DELIVER"], WORK, master)
        t["res_call_%d" % n] = idx[n].first(ev["MCAST"], RESULT)
        t["res_ret_%d" % n] = idx[n].first(ev["MCAST_RET"], RESULT)
        t["res_self_%d" % n] = idx[n].first(ev["DELIVER"], RESULT, n)
        t["res_dlv_%d" % n] = im.first(ev["DELIVER"], RESULT, n)
    rpc = rpc_pairs(daemons[init], ev["RPC_IN"], ev["RPC_OUT"])
    cl = collections.defaultdict(list)
    for p in clients:
        for key, prs in rpc_pairs(p.events, ev["CLIENT_SEND"],
                                  ev["CLIENT_DONE"]).items():
            cl[key] += [(s, d, p.pid) for s, d in prs]
    req_count = ii.count(ev["MCAST"], REQUEST)
    # The node that multicast each message's WORK: its master.
    work_by = {}
    for n in sorted(daemons):
        for key in idx[n].first(ev["MCAST"], WORK):
            work_by.setdefault(key, n)
    sk = Skips()
    sk.elsewhere = sum(len(rpc_pairs(daemons[n], ev["RPC_IN"],
                                     ev["RPC_OUT"]))
                       for n in daemons if n != init)

    need = ["req_call", "req_ret", "req_self", "req_dlv", "run0_%d" % master,
            "run4_%d" % master, "work_call", "work_ret", "rep_call",
            "rep_ret", "rep_dlv"]
    for n in others:
        need += ["work_dlv_%d" % n, "res_call_%d" % n, "res_ret_%d" % n,
                 "res_self_%d" % n, "res_dlv_%d" % n, "run0_%d" % n,
                 "run4_%d" % n]
    logged_need = ["lw0", "lw1", "clr0", "clr1"]
    msgs = []
    for key in sorted(t["req_call"], key=t["req_call"].get):
        m = {"id": key, "logged": key in t["lw0"] or key in t["clr0"]}
        if key not in rpc:
            sk.own += 1  # the daemon's own (no RPC), or its RPC_OUT dropped
            continue
        if req_count[key] > 1 or len(rpc[key]) > 1 or len(cl[key]) > 1:
            sk.retried += 1  # attempts that cannot be told apart
            continue
        if work_by.get(key, master) != master:
            sk.other_master += 1
            continue
        miss = next((k for k in need + (logged_need if m["logged"] else [])
                     if key not in t[k]), None)
        if miss is not None:
            sk.incomplete[miss] += 1
            continue
        for k, d in t.items():
            if key in d:
                m[k] = d[key]
        m["rpc_in"], m["rpc_out"] = rpc[key][0]
        if cl[key]:
            m["cl_send"], m["cl_done"], m["client"] = cl[key][0]
        msgs.append(m)
    return msgs, sk, others


STEP_NAMES = {
    "req_call": "REQUEST multicast", "req_ret": "REQUEST multicast return",
    "req_self": "REQUEST own delivery", "req_dlv": "REQUEST at master",
    "lw0": "log write", "lw1": "log written",
    "work_call": "WORK multicast", "work_ret": "WORK multicast return",
    "clr0": "log clear", "clr1": "log cleared",
    "rep_call": "REPLY multicast", "rep_ret": "REPLY multicast return",
    "rep_dlv": "REPLY at initiator", "work_dlv": "WORK at node",
    "res_call": "RESULT multicast at node",
    "res_ret": "RESULT multicast return at node",
    "res_self": "RESULT own delivery at node",
    "res_dlv": "RESULT at master from node",
    "run0": "run at node", "run4": "run done at node",
}


def step_name(key):
    """A build() key in words: "res_dlv_3" is "RESULT at master from
    node 3"."""
    base, _, node = key.rpartition("_")
    if base in STEP_NAMES and node.isdigit():
        return STEP_NAMES[base] + " " + node
    return STEP_NAMES.get(key, key)


def group(msgs, clients, gap_ms, keep_all):
    """Runs: lists of messages; and how many were left out."""
    runs = collections.OrderedDict()
    loose = []
    for m in msgs:
        if clients and "client" in m:
            runs.setdefault(("client", m["client"]), []).append(m)
        else:
            loose.append(m)
    out = list(runs.values())
    left_out = 0
    if clients and not keep_all:
        left_out, loose = len(loose), []
    cur = []
    for m in loose:
        if cur and (m["logged"] != cur[-1]["logged"] or
                    m["req_call"] - cur[-1]["rep_dlv"] > gap_ms * 1e6):
            out.append(cur)
            cur = []
        cur.append(m)
    if cur:
        out.append(cur)
    out.sort(key=lambda r: r[0]["req_call"])
    return out, left_out


def pct(values):
    """p10, median, p90 (nearest rank) in microseconds."""
    v = sorted(values)
    return tuple(v[min(len(v) - 1, int(q * len(v)))] / 1e3
                 for q in (0.1, 0.5, 0.9))


def report(k, rs, master, init, others, nodes):
    logged = sum(m["logged"] for m in rs) * 2 > len(rs)
    cpid = rs[0].get("client")
    print("run %d: %s, %d messages%s; nodes %s, master %d, initiator %d" %
          (k, "logged" if logged else "NO_LOG", len(rs),
           " (mdcbench pid %d)" % cpid if cpid is not None else "",
           " ".join(str(n) for n in nodes), master, init))
    print("  %-50s %8s %8s %8s" % ("step (us)", "p10", "median", "p90"))

    def row(label, f):
        v = [x for x in (f(m) for m in rs) if x is not None]
        if v:
            print("  %-50s %8.1f %8.1f %8.1f" % ((label,) + pct(v)))

    def d(a, b):
        return lambda m: m[b] - m[a] if a in m and b in m else None

    def run_rows(n, indent):
        pre = " " * indent
        row(pre + "run at %d: completion table check" % n,
            d("run0_%d" % n, "run1_%d" % n))
        row(pre + "run at %d: mark in progress" % n,
            d("run1_%d" % n, "run2_%d" % n))
        row(pre + "run at %d: handler" % n, d("run2_%d" % n, "run3_%d" % n))
        row(pre + "run at %d: mark done" % n, d("run3_%d" % n, "run4_%d" % n))

    def last_res(m):
        return max(m["res_dlv_%d" % n] for n in others)

    row("client send -> RPC in at %d" % init, d("cl_send", "rpc_in"))
    row("RPC in -> REQUEST multicast at %d" % init, d("rpc_in", "req_call"))
    row("REQUEST multicast %d -> delivered at master %d" % (init, master),
        d("req_call", "req_dlv"))
    if logged:
        row("REQUEST delivered -> log write at %d" % master,
            d("req_dlv", "lw0"))
        row("log write at %d" % master, d("lw0", "lw1"))
        row("log written -> run at %d" % master,
            d("lw1", "run0_%d" % master))
    else:
        row("REQUEST delivered -> run at %d" % master,
            d("req_dlv", "run0_%d" % master))
    row("run at %d" % master, d("run0_%d" % master, "run4_%d" % master))
    run_rows(master, 2)
    row("run -> WORK multicast at %d" % master,
        d("run4_%d" % master, "work_call"))
    for n in others:
        row("WORK multicast %d -> delivered at %d" % (master, n),
            d("work_call", "work_dlv_%d" % n))
        row("WORK delivered -> run at %d" % n,
            d("work_dlv_%d" % n, "run0_%d" % n))
        row("run at %d" % n, d("run0_%d" % n, "run4_%d" % n))
        run_rows(n, 2)
        row("run -> RESULT multicast at %d" % n,
            d("run4_%d" % n, "res_call_%d" % n))
        row("RESULT multicast %d -> delivered at master %d" % (n, master),
            d("res_call_%d" % n, "res_dlv_%d" % n))
    row("WORK multicast -> last RESULT delivered at %d" % master,
        lambda m: last_res(m) - m["work_call"])
    row("last RESULT delivered -> REPLY multicast at %d" % master,
        lambda m: m["rep_call"] - last_res(m))
    if logged:
        row("  of which the log clear at %d" % master, d("clr0", "clr1"))
    row("REPLY multicast %d -> delivered at %d" % (master, init),
        d("rep_call", "rep_dlv"))
    row("REPLY delivered -> RPC answer at %d" % init, d("rep_dlv", "rpc_out"))
    row("RPC answer -> client return", d("rpc_out", "cl_done"))
    row("TOTAL RPC in -> RPC answer at %d" % init, d("rpc_in", "rpc_out"))
    row("TOTAL client send -> return", d("cl_send", "cl_done"))
    if logged:
        row("log settle at %d (after REPLY)" % master, d("st0", "st1"))

    print("  %-50s %8s %8s %8s" % ("packets (us, median)", "call", "wait",
                                   "transit"))

    def pkt(label, call, ret, own, there):
        v = [(m[ret] - m[call], m[own] - m[call], m[there] - m[own])
             for m in rs if all(k in m for k in (call, ret, own, there))]
        if v:
            print("  %-50s %8.1f %8.1f %8.1f" %
                  ((label,) + tuple(pct([x[i] for x in v])[1]
                                    for i in range(3))))

    pkt("REQUEST %d -> %d" % (init, master), "req_call", "req_ret",
        "req_self", "req_dlv")
    for n in others:
        pkt("WORK %d -> %d" % (master, n), "work_call", "work_ret",
            "work_self", "work_dlv_%d" % n)
    for n in others:
        pkt("RESULT %d -> %d" % (n, master), "res_call_%d" % n,
            "res_ret_%d" % n, "res_self_%d" % n, "res_dlv_%d" % n)
    pkt("REPLY %d -> %d" % (master, init), "rep_call", "rep_ret", "rep_self",
        "rep_dlv")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(
        prog="bench/mdc-trace.py",
        description="Per-step latency of mdcommd messages from trace files "
        "(doc/bench.md).")
    ap.add_argument("dir", metavar="DIR", help="the trace directory")
    ap.add_argument("-m", type=int, metavar="MASTER",
                    help="the master's node id (default: detected)")
    ap.add_argument("-i", type=int, metavar="INITIATOR",
                    help="the initiator's node id (default: detected)")
    ap.add_argument("-g", type=float, default=50.0, metavar="GAP_MS",
                    help="a gap that splits runs (default 50 ms)")
    ap.add_argument("-n", type=int, default=20, metavar="MIN",
                    help="print runs of at least MIN messages (default 20)")
    ap.add_argument("-a", action="store_true",
                    help="also the messages of no traced client")
    ap.add_argument("--header", metavar="PATH",
                    default=os.path.join(here, "..", "include", "oban",
                                         "mdc_trace.h"),
                    help="mdc_trace.h, for the event numbers")
    args = ap.parse_args()

    ev, version = read_header_file(args.header)
    daemons, clients = load(args.dir, ev, version)
    if not daemons:
        fail("no daemon trace in '%s'" % args.dir, 1)
    master = args.m if args.m is not None else top_sender(daemons, ev, WORK)
    init = args.i if args.i is not None else top_sender(daemons, ev,
                                                        REQUEST)
    for what, node in (("master", master), ("initiator", init)):
        if node is None or node not in daemons:
            fail("no trace of the %s%s" %
                 (what, "" if node is None else " (node %d)" % node), 1)
    if master == init:
        fail("the master and the initiator are both node %d: this script "
             "measures a message from a slave" % master, 1)
    nodes = sorted(daemons)
    missing = sorted(expected_nodes(daemons, ev) - set(daemons))
    if missing:
        fail("%s: no trace file of node%s %s, which sent or was sent "
             "packets: every message would lack its steps there (trace "
             "every node)" % (args.dir, "s" if len(missing) > 1 else "",
                              " ".join(str(n) for n in missing)), 1)
    msgs, sk, others = build(daemons, clients, ev, master, init, nodes)
    runs, left_out = group(msgs, clients, args.g, args.a)
    print("mdc-trace: %s: daemons of nodes %s, %d client files; %d "
          "messages measured, %d retried skipped, %d incomplete skipped%s, "
          "%d of another master skipped, %d of no traced client left out, "
          "%d with no RPC answer (the daemon's own) left out, %d RPC "
          "calls to other nodes' daemons left out" %
          (args.dir, " ".join(str(n) for n in nodes), len(clients),
           len(msgs), sk.retried, sum(sk.incomplete.values()),
           " (first missing step: " + ", ".join(
               "%s %d" % (step_name(k), v)
               for k, v in sk.incomplete.most_common()) + ")"
           if sk.incomplete else "", sk.other_master, left_out, sk.own,
           sk.elsewhere))
    k = 0
    small = 0
    for rs in runs:
        if len(rs) < args.n:
            small += len(rs)
            continue
        k += 1
        report(k, rs, master, init, others, nodes)
    if small:
        print("mdc-trace: %d messages in runs shorter than %d not shown" %
              (small, args.n))
    if k == 0:
        fail("no run of %d messages or more to show" % args.n, 1)
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet under head(1)
    sys.exit(main())
