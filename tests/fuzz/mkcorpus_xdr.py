#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""mkcorpus_xdr.py DIR: write the seed corpus of fuzz_xdr (tests/fuzz/fuzz_xdr.c).

Each seed is fuzz_xdr's selector byte followed by XDR (RFC 4506: big-endian
4-byte units, opaque data padded to 4) of lib/libmeta/mdcommd.x's structures,
or (selector 5) a whole RPC call (RFC 5531) of program 0x20004f42 version 1.
Not run by make check; run it by hand when mdcommd.x changes.
"""
import os
import struct
import sys


def u(*v):
    return b''.join(struct.pack('>I', x) for x in v)


def h(x):
    return struct.pack('>Q', x)


def opq(b):
    return u(len(b)) + b + b'\0' * ((4 - len(b) % 4) % 4)


def call(proc, args, cred=u(0, 0)):
    # xid, CALL, rpcvers 2, prog, vers, proc, cred, verf (AUTH_NONE)
    return u(0x1234, 0, 2, 0x20004f42, 1, proc) + cred + u(0, 0) + args


def main():
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    msgid = u(2) + h(77) + u(0)
    send = u(1, 2, 0x1, 0) + opq(b'hello payload') + u(1) + msgid + u(2)
    ctl = u(1, 0, 1)
    res = (msgid + u(2, 1, 0) + struct.pack('>i', -1) + u(3) +
           opq(b'out text\n'))
    st = u(1, 3) + h(10) + h(9) + h(0) + h(20) + h(1) + h(5) + h(2) + h(0)
    unix_cred = u(1) + opq(u(0) + opq(b'node2') + u(0, 0, 0))
    files = {
        'send': b'\0' + send,
        'send-empty': b'\0' + u(1, 2, 1, 0) + u(0) + u(0) + msgid + u(0),
        'ctl': b'\1' + ctl,
        'result': b'\2' + res,
        'status': b'\3' + st,
        'msgid': b'\4' + msgid,
        'call-send': b'\5' + call(1, send, unix_cred),
        'call-ping': b'\5' + call(8, ctl),
        'call-status': b'\5' + call(9, b''),
        'call-huge-len': b'\5' + call(1, u(1, 2, 1, 0, 0xfffffff0)),
    }
    for name, data in files.items():
        with open(os.path.join(d, name), 'wb') as f:
            f.write(data)


main()
