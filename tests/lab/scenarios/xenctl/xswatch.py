#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Timestamp xenstore watch events without spawning a process per probe:
speaks the xenstore wire protocol (xs_wire.h) on xenstored's socket.
usage: xswatch.py OUTFILE PATH...   -> lines "<unix time> <path>"."""
import os
import socket
import struct
import sys
import time

XS_WATCH, XS_WATCH_EVENT, XS_ERROR = 4, 15, 16
HDR = struct.Struct("<IIII")	# type, req_id, tx_id, len


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError("xenstored closed the connection")
        buf += chunk
    return buf


def main():
    out, paths = sys.argv[1], sys.argv[2:]
    sock = next(p for p in ("/run/xenstored/socket", "/var/run/xenstored/socket")
                if os.path.exists(p))
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock)
    for i, p in enumerate(paths):
        body = p.encode() + b"\0" + b"t%d\0" % i
        s.sendall(HDR.pack(XS_WATCH, i + 1, 0, len(body)) + body)
    with open(out, "w", buffering=1) as f:
        f.write("%.6f ready\n" % time.time())
        while True:
            typ, _, _, ln = HDR.unpack(recv_exact(s, HDR.size))
            body = recv_exact(s, ln)
            if typ == XS_WATCH_EVENT:
                f.write("%.6f %s\n" % (time.time(), body.split(b"\0")[0].decode()))
            elif typ == XS_ERROR:
                f.write("%.6f error %s\n" % (time.time(), body.rstrip(b"\0").decode()))


if __name__ == "__main__":
    main()
