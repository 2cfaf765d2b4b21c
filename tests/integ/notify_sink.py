#!/usr/bin/env python3
"""notify_sink.py - test doubles for tests/integ/test_notify.sh: a minimal
SMTP sink (RFC 5321 subset: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT)
and a webhook receiver (HTTP POST), both on 127.0.0.1 on ports the kernel
picks, written with the standard library only. Every message is saved in
DIR: mail-N.eml (the DATA, dot-unstuffed) with mail-N.env (MAIL FROM and
RCPT TO lines); hook-N.body and hook-N.headers. The webhook receiver answers
500 to its first --fail-first requests, 200 afterwards. Prints
"smtp PORT" and "http PORT" on stdout, then serves until --timeout seconds
have passed (it always stops by itself).

usage: notify_sink.py DIR [--timeout S] [--fail-first N]
"""
import http.server
import os
import socket
import sys
import threading
import time

lock = threading.Lock()
counts = {"mail": 0, "hook": 0}


def next_name(kind):
    with lock:
        counts[kind] += 1
        return counts[kind]


def smtp_session(conn, outdir):
    f = conn.makefile("rb")
    conn.sendall(b"220 sink.test ESMTP\r\n")
    env = []
    while True:
        line = f.readline()
        if not line:
            return
        cmd = line.strip().decode("ascii", "replace")
        up = cmd.upper()
        if up.startswith("EHLO"):
            conn.sendall(b"250-sink.test\r\n250-8BITMIME\r\n250 SIZE 10000000\r\n")
        elif up.startswith("HELO"):
            conn.sendall(b"250 sink.test\r\n")
        elif up.startswith("MAIL FROM:"):
            env = [cmd]
            conn.sendall(b"250 OK\r\n")
        elif up.startswith("RCPT TO:"):
            env.append(cmd)
            conn.sendall(b"250 OK\r\n")
        elif up == "DATA":
            conn.sendall(b"354 end with <CRLF>.<CRLF>\r\n")
            data = []
            while True:
                l = f.readline()
                if not l or l == b".\r\n":
                    break
                if l.startswith(b".."):
                    l = l[1:]
                data.append(l)
            n = next_name("mail")
            with open(os.path.join(outdir, "mail-%d.env" % n), "w") as e:
                e.write("\n".join(env) + "\n")
            with open(os.path.join(outdir, "mail-%d.eml" % n), "wb") as m:
                m.write(b"".join(data))
            conn.sendall(b"250 OK queued\r\n")
        elif up in ("RSET", "NOOP"):
            conn.sendall(b"250 OK\r\n")
        elif up == "QUIT":
            conn.sendall(b"221 bye\r\n")
            return
        else:
            conn.sendall(b"502 not implemented\r\n")


def smtp_serve(sock, outdir):
    while True:
        try:
            conn, _ = sock.accept()
        except OSError:
            return
        conn.settimeout(20)
        try:
            smtp_session(conn, outdir)
        except OSError:
            pass
        finally:
            conn.close()


def make_handler(outdir, fail_first):
    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            n = next_name("hook")
            with open(os.path.join(outdir, "hook-%d.body" % n), "wb") as b:
                b.write(body)
            with open(os.path.join(outdir, "hook-%d.headers" % n), "w") as h:
                for k, v in self.headers.items():
                    h.write("%s: %s\n" % (k, v))
            status = 500 if n <= fail_first else 200
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    return Hook


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    outdir = args[0]
    timeout = 120.0
    fail_first = 0
    if "--timeout" in args:
        timeout = float(args[args.index("--timeout") + 1])
    if "--fail-first" in args:
        fail_first = int(args[args.index("--fail-first") + 1])
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    h = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                        make_handler(outdir, fail_first))
    threading.Thread(target=smtp_serve, args=(s, outdir), daemon=True).start()
    threading.Thread(target=h.serve_forever, daemon=True).start()
    print("smtp %d" % s.getsockname()[1])
    print("http %d" % h.server_address[1], flush=True)
    time.sleep(timeout)
    h.shutdown()
    s.close()


if __name__ == "__main__":
    main()
