#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""t01-rpcgarbage.py SOCKET: bad input on mdcommd's RPC socket (t0101).

Connects to the daemon's unix socket as many times as there are cases and
writes, in ONC RPC record marking (RFC 5531, 11), each of:

  well-formed calls that must get an RPC error reply:
    bad-prog      another program number         -> PROG_UNAVAIL
    bad-vers      version 9                      -> PROG_MISMATCH
    bad-proc      procedure 99                   -> PROC_UNAVAIL
    short-args    SEND with 6 bytes of arguments -> GARBAGE_ARGS
    huge-opaque   SEND whose payload length is 0xfffffff0 -> GARBAGE_ARGS
    big-opaque    SEND with a 1025-byte payload (over MDC_RPC_MAXDATA)
                                                 -> GARBAGE_ARGS
  garbage the server cannot parse, after which it must close the
  connection (or, for a fragment it is still waiting for, at least not
  answer) and stay alive:
    bad-rpcvers   a call of RPC version 3: libtirpc's xdr_callmsg() refuses
                  any version but 2, so the server cannot tell it from
                  garbage (its RPC_MISMATCH reply is never reached)
    random        64 KiB of random bytes
    huge-record   a record mark of 0x7fffffff and 100 bytes
    short-record  a record of 3 bytes
    call-garbage  a record of 200 random bytes
    reply-as-call a well-formed REPLY message sent to the server

Prints "ok CASE: what happened" or "FAIL CASE: ..." per case; exits 0 when
every case behaved.  Every read is bounded (5 s).
"""
import os
import random
import socket
import struct
import sys

PROG, VERS = 0x20004F42, 1


def u(*v):
    return b''.join(struct.pack('>I', x & 0xffffffff) for x in v)


def record(body):
    return u(0x80000000 | len(body)) + body


def call(proc, args=b'', rpcvers=2, prog=PROG, vers=VERS, xid=0x4242):
    return u(xid, 0, rpcvers, prog, vers, proc, 0, 0, 0, 0) + args


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    return s


def read_reply(s):
    """One reply record's body, or None at EOF."""
    data = b''
    while True:
        mark = b''
        while len(mark) < 4:
            c = s.recv(4 - len(mark))
            if not c:
                return None
            mark += c
        n = struct.unpack('>I', mark)[0]
        last, n = n & 0x80000000, n & 0x7fffffff
        while n:
            c = s.recv(n)
            if not c:
                return None
            data += c
            n -= len(c)
        if last:
            return data


def verdict(body):
    """Decode a reply: ('accepted', accept_stat) or ('denied', reject)."""
    xid, mtype, stat = struct.unpack('>III', body[:12])
    if mtype != 1:
        return ('not a reply', mtype)
    if stat == 1:
        return ('denied', struct.unpack('>I', body[12:16])[0])
    vlen = struct.unpack('>I', body[16:20])[0]
    off = 20 + (vlen + 3) // 4 * 4
    return ('accepted', struct.unpack('>I', body[off:off + 4])[0])


def expect_reply(path, name, body, want):
    with connect(path) as s:
        s.sendall(record(body))
        try:
            rep = read_reply(s)
        except socket.timeout:
            return 'FAIL %s: no reply in 5 s' % name
        if rep is None:
            return 'FAIL %s: connection closed without a reply' % name
        v = verdict(rep)
        if v != want:
            return 'FAIL %s: reply %r, expected %r' % (name, v, want)
        return 'ok %s: reply %s %d' % (name, v[0], v[1])


def expect_no_answer(path, name, data):
    with connect(path) as s:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            return 'ok %s: the server closed the connection while we wrote' % name
        s.shutdown(socket.SHUT_WR)
        try:
            rep = read_reply(s)
        except socket.timeout:
            return 'ok %s: no answer (still waiting for the record)' % name
        except ConnectionResetError:
            return 'ok %s: connection reset by the server' % name
        if rep is None:
            return 'ok %s: connection closed by the server' % name
        return 'FAIL %s: the server answered garbage: %r' % (name, rep[:32])


def main():
    path = sys.argv[1]
    rnd = random.Random(0x0ba4)
    send_hdr = u(1, 2, 1, 0)  # set 1, TEST2, NO_LOG, no recipient
    out = [
        expect_no_answer(path, 'bad-rpcvers', record(call(1, rpcvers=3))),
        expect_reply(path, 'bad-prog', call(0, prog=0x20004f43),
                     ('accepted', 1)),
        expect_reply(path, 'bad-vers', call(0, vers=9), ('accepted', 2)),
        expect_reply(path, 'bad-proc', call(99), ('accepted', 3)),
        expect_reply(path, 'short-args', call(1, b'\0\0\0\1\0\0'),
                     ('accepted', 4)),
        expect_reply(path, 'huge-opaque',
                     call(1, send_hdr + u(0xfffffff0) + b'x' * 64),
                     ('accepted', 4)),
        expect_reply(path, 'big-opaque',
                     call(1, send_hdr + u(1025) + b'y' * 1028 + u(0) +
                          u(0, 0, 0, 0) + u(0)), ('accepted', 4)),
        expect_no_answer(path, 'random',
                         bytes(rnd.getrandbits(8) for _ in range(65536))),
        expect_no_answer(path, 'huge-record', u(0xffffffff) + b'z' * 100),
        expect_no_answer(path, 'short-record', record(b'abc')),
        expect_no_answer(path, 'call-garbage',
                         record(bytes(rnd.getrandbits(8)
                                      for _ in range(200)))),
        expect_no_answer(path, 'reply-as-call',
                         record(u(7, 1, 0, 0, 0, 0))),
    ]
    for line in out:
        print(line)
    return 0 if all(line.startswith('ok') for line in out) else 1


sys.exit(main())
