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
(a daemon restarted) are merged.  A message is the sequence number (mi_seq)
of a REQUEST that the initiator multicast.  The initiator and the master
are the nodes that multicast the most REQUESTs and WORKs (or -i, -m).  A
message missing any step (a dropped record, a message cut by a restart, a
message that failed) is skipped and counted; the initiator daemon's own
messages (no RPC call: a master change, a set join) are counted apart.

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
the addressee's).  Exit status: 0, 1 when no message could be measured,
2 for bad usage or unreadable files.
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


def read_trace(path, version):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < HDR.size:
        raise ValueError("shorter than a header")
    (magic, ver, hdrsize, recsize, nrec, pid, _pad0, nxt, t0,
     _pad1) = HDR.unpack_from(data, 0)
    if magic != MAGIC:
        raise ValueError("not a trace file (magic %r)" % magic)
    if ver != version or hdrsize != HDR.size or recsize != REC.size:
        raise ValueError("format version %u (%u/%u bytes), this script "
                         "reads version %u" % (ver, hdrsize, recsize,
                                               version))
    n = min(nxt, nrec)
    if len(data) < hdrsize + n * recsize:
        raise ValueError("truncated: %u records announced" % n)
    events = [(ns, ev, a, b, tid) for ns, ev, a, b, tid, _pad in
              REC.iter_unpack(data[hdrsize:hdrsize + n * recsize])
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
            procs.append(read_trace(path, version))
        except (OSError, ValueError) as e:
            fail("cannot read '%s': %s" % (path, e))
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


class Index:
    """A node's events by (event, seq), the first of each, filtered by
    packet kind and sender when given."""

    def __init__(self, events):
        self.by = collections.defaultdict(list)
        for rec in events:
            self.by[rec[1]].append(rec)

    def first(self, evno, kind=None, frm=None):
        d = {}
        for ns, _, a, b, _ in self.by[evno]:
            if kind is not None and a & 0xff != kind:
                continue
            if frm is not None and (a >> 8) & 0xff != frm:
                continue
            d.setdefault(b, ns)
        return d


def top_sender(daemons, ev, kind):
    best, most = None, 0
    for node, events in daemons.items():
        n = sum(1 for _, e, a, _, _ in events
                if e == ev["MCAST"] and a & 0xff == kind)
        if n > most:
            best, most = node, n
    return best


def rpc_pairs(events, ev_in, ev_out):
    """{seq: (in_ns, out_ns)}: each OUT (b = seq) with the last IN of its
    thread before it."""
    last_in = {}
    pairs = {}
    for ns, e, _, b, tid in events:
        if e == ev_in:
            last_in[tid] = ns
        elif e == ev_out and b != 0 and tid in last_in:
            pairs.setdefault(b, (last_in.pop(tid), ns))
    return pairs


def build(daemons, clients, ev, master, init):
    """One dict of step times a message; and the count of incomplete ones
    by their first missing step."""
    idx = {n: Index(daemons[n]) for n in daemons}
    others = sorted(n for n in daemons if n != master)
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
    cl = {}
    for p in clients:
        for seq, (s, d) in rpc_pairs(p.events, ev["CLIENT_SEND"],
                                     ev["CLIENT_DONE"]).items():
            cl.setdefault(seq, (s, d, p.pid))

    need = ["req_call", "req_ret", "req_self", "req_dlv", "run0_%d" % master,
            "run4_%d" % master, "work_call", "work_ret", "rep_call",
            "rep_ret", "rep_dlv"]
    for n in others:
        need += ["work_dlv_%d" % n, "res_call_%d" % n, "res_ret_%d" % n,
                 "res_self_%d" % n, "res_dlv_%d" % n, "run0_%d" % n,
                 "run4_%d" % n]
    logged_need = ["lw0", "lw1", "clr0", "clr1"]
    msgs, skipped, own = [], collections.Counter(), 0
    for seq in sorted(t["req_call"], key=t["req_call"].get):
        m = {"seq": seq, "logged": seq in t["lw0"] or seq in t["clr0"]}
        if seq not in rpc:
            own += 1  # the daemon's own (no RPC), or its RPC_OUT dropped
            continue
        miss = next((k for k in need + (logged_need if m["logged"] else [])
                     if seq not in t[k]), None)
        if miss is not None:
            skipped[miss] += 1
            continue
        for k, d in t.items():
            if seq in d:
                m[k] = d[seq]
        m["rpc_in"], m["rpc_out"] = rpc[seq]
        if seq in cl:
            m["cl_send"], m["cl_done"], m["client"] = cl[seq]
        msgs.append(m)
    return msgs, skipped, own, others


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
    msgs, skipped, own, others = build(daemons, clients, ev, master, init)
    runs, left_out = group(msgs, clients, args.g, args.a)
    nodes = sorted(daemons)
    print("mdc-trace: %s: daemons of nodes %s, %d client files; %d "
          "messages measured, %d incomplete skipped%s, %d of no traced "
          "client left out, %d with no RPC answer (the daemon's own) left "
          "out" %
          (args.dir, " ".join(str(n) for n in nodes), len(clients),
           len(msgs), sum(skipped.values()),
           " (first missing step: " + ", ".join(
               "%s %d" % (step_name(k), v)
               for k, v in skipped.most_common()) + ")"
           if skipped else "", left_out, own))
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
