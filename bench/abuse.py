#!/usr/bin/env python3
"""Client side of bench/abuse.sh: the probes that need sockets, threads or sampling of the
server's /proc entries. Each subcommand prints one line, the "measured" cell of its table row.
`proxy` is a TCP forwarder to PostgreSQL that SIGUSR1 cuts and SIGUSR2 restores. Standard
library only (Python 3.8+).
"""

import argparse
import http.client
import json
import os
import re
import resource
import select
import selectors
import signal
import socket
import sys
import threading
import time
from collections import Counter

HOST = "127.0.0.1"
TICKS = os.sysconf("SC_CLK_TCK")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


# --- the server's process ------------------------------------------------------------------


def cpu_seconds(pid):
    """User plus system CPU time of the process so far, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def memory_kib(pid):
    """(VmRSS, VmHWM) of the process in KiB."""
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])
    return values.get("VmRSS", 0), values.get("VmHWM", 0)


def mib(kib):
    return f"{kib / 1024:.0f} MiB"


class Sampler(threading.Thread):
    """Reads VmRSS every 100 ms and keeps the peak."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stopped = pid, 0, threading.Event()

    def run(self):
        while not self.stopped.is_set():
            try:
                self.peak = max(self.peak, memory_kib(self.pid)[0])
            except OSError:
                return
            self.stopped.wait(0.1)

    def stop(self):
        self.stopped.set()
        self.join()


def log_lines(path):
    with open(path, errors="replace") as f:
        return [ANSI.sub("", line) for line in f]


# --- HTTP ----------------------------------------------------------------------------------


def request(port, method, path, body=None, headers=None, timeout=10.0):
    """(status, headers, body text); status is "timeout" or the error's name below HTTP."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    data = body if isinstance(body, (bytes, type(None))) else body.encode()
    all_headers = {"Content-Type": "application/json"} if data is not None else {}
    all_headers.update(headers or {})
    try:
        conn.request(method, path, body=data, headers=all_headers)
        resp = conn.getresponse()
        text = resp.read().decode(errors="replace")
        return resp.status, resp.headers, text
    except socket.timeout:
        return "timeout", {}, ""
    except (OSError, http.client.HTTPException) as e:
        return type(e).__name__, {}, ""
    finally:
        conn.close()


def short(text, limit=160):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def counts(statuses):
    return ", ".join(f"{s}×{n}" for s, n in sorted(Counter(map(str, statuses)).items()))


def raise_own_file_limit(wanted):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# --- probe 1: 16,000 unknown keys ------------------------------------------------------------


def fields_body(org):
    body = {f"a_unknown_{i:05d}": i for i in range(16000)}
    body.update({"name": "Abuse", "organisation": org, "stale_flags_limit_days": "many"})
    return json.dumps(body)


def probe_fields(a):
    body = fields_body(a.org)
    auth = {"Authorization": f"Token {a.token}"}
    if a.mode == "one":
        cpu, started = cpu_seconds(a.pid), time.monotonic()
        status, _, text = request(a.port, "POST", "/api/v1/projects/", body, auth, a.timeout)
        wall, spent = time.monotonic() - started, cpu_seconds(a.pid) - cpu
        took = f"> {a.timeout:.0f} s" if status == "timeout" else f"{wall:.2f} s"
        print(f"{len(body) // 1024} KiB body: {status} in {took}, server CPU {spent:.2f} s; "
              f"body `{short(text, 120)}`")
        return
    # Two at once, then a liveness check while they run.
    results = []
    threads = [threading.Thread(target=lambda: results.append(
        request(a.port, "POST", "/api/v1/projects/", body, auth, a.timeout)[0]), daemon=True)
        for _ in range(2)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    started = time.monotonic()
    status, _, _ = request(a.port, "GET", "/health/liveness/", timeout=2.0)
    wall = time.monotonic() - started
    running = 2 - len(results)
    if status == "timeout":
        live = "no answer within 2 s"
    else:
        live = f"{status} in {wall:.2f} s"
    print(f"liveness while {running} of the 2 were still running: {live}")


# --- probe 2: big bodies before authentication --------------------------------------------------


def big_body_request(port, size, deadline, out):
    """Streams a login body of `size` bytes (valid JSON: a huge email) and records the status."""
    head = (f"POST /api/v1/auth/login/ HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {size}\r\n"
            "Connection: close\r\n\r\n").encode()
    prefix, suffix = b'{"email":"', b'@example.com","password":"x"}'
    started = time.monotonic()
    try:
        sock = socket.create_connection((HOST, port), timeout=10)
    except OSError as e:
        out.append((type(e).__name__, 0.0, 0))
        return
    sent = [0]

    def send():
        try:
            sock.sendall(head + prefix)
            left = size - len(prefix) - len(suffix)
            chunk = b"a" * (1 << 20)
            while left > 0:
                n = min(left, len(chunk))
                sock.sendall(chunk[:n])
                left -= n
                sent[0] += n
            sock.sendall(suffix)
        except OSError:
            pass

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    answer = b""
    try:
        while b"\r\n" not in answer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise socket.timeout()
            sock.settimeout(remaining)
            data = sock.recv(4096)
            if not data:
                break
            answer += data
        status = answer.split(b" ", 2)[1].decode() if answer.startswith(b"HTTP/") else "closed"
    except socket.timeout:
        status = "timeout"
    except OSError as e:
        status = type(e).__name__
    out.append((status, time.monotonic() - started, sent[0]))
    sock.close()


def probe_bodies(a):
    size = a.mib << 20
    idle_rss, _ = memory_kib(a.pid)
    sampler = Sampler(a.pid)
    sampler.start()
    deadline = time.monotonic() + a.timeout
    out = []
    threads = [threading.Thread(target=big_body_request, args=(a.port, size, deadline, out),
                                daemon=True) for _ in range(a.count)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()) + 1)
    wall = time.monotonic() - started
    sampler.stop()
    rss, hwm = memory_kib(a.pid)
    statuses = [o[0] for o in out] + ["no answer"] * (a.count - len(out))
    sent = max((o[2] for o in out), default=0)
    print(f"{counts(statuses)} in {wall:.1f} s (at most {sent / (1 << 20):.0f} MiB of a body "
          f"sent); VmRSS idle {mib(idle_rss)}, peak {mib(max(sampler.peak, rss))}, VmHWM "
          f"{mib(hwm)}")


# --- probe 3: idle connections and a slowloris -------------------------------------------------


def open_idle(port, count):
    """Opens `count` connections that send nothing, 50 at a time, giving each batch up to 3 s
    for its handshakes (a full accept queue drops SYNs, which are retried later). Returns the
    sockets and how many are established."""
    socks, established = [], 0
    for start in range(0, count, 50):
        batch = {}
        poller = select.poll()
        for _ in range(min(50, count - start)):
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex((HOST, port))
            socks.append(s)
            batch[s.fileno()] = s
            poller.register(s, select.POLLOUT)
        until = time.monotonic() + 3
        while batch and time.monotonic() < until:
            for fd, _ in poller.poll(100):
                s = batch.pop(fd, None)
                if s is not None:
                    poller.unregister(fd)
                    established += s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0
    return socks, established


def open_files(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def probe_idle(a):
    own = raise_own_file_limit(a.count + 200)
    first = time.monotonic()
    socks, established = open_idle(a.port, a.count)
    # Let the server accept what it will: until its open files stop growing for a second.
    files, until = open_files(a.pid), time.monotonic() + 10
    while time.monotonic() < until:
        time.sleep(1.0)
        now = open_files(a.pid)
        if now == files:
            break
        files = now
    cpu, started = cpu_seconds(a.pid), time.monotonic()
    status, _, _ = request(a.port, "GET", "/health/liveness/", timeout=a.timeout)
    wall, spent = time.monotonic() - started, cpu_seconds(a.pid) - cpu
    for s in socks:
        s.close()
    since = time.monotonic() - first
    answer = "no answer" if status == "timeout" else (
        f"{status} after {wall:.1f} s ({since:.0f} s after the first idle one)")
    if status == "timeout":
        answer += f" in {a.timeout:.0f} s"
    lines = log_lines(a.log)
    limit = [re.sub(r"^\S+\s+", "", line.strip()) for line in lines
             if re.search(r"connection limit|open files|accept", line, re.I)]
    said = f"log: `{short(limit[0], 150)}`" if limit else "log: nothing about a connection limit"
    if len(limit) > 1:
        said += f" (+{len(limit) - 1} such lines)"
    print(f"{established} of {a.count} idle connections established (own limit {own}), the "
          f"server holding {files} open files; "
          f"liveness on a new connection: {answer}; server CPU meanwhile {spent:.1f} s; "
          f"{said}")


def probe_slowloris(a):
    sock = socket.create_connection((HOST, a.port), timeout=5)
    started = time.monotonic()
    sock.sendall(f"GET /health/liveness/ HTTP/1.1\r\nHost: {HOST}:{a.port}\r\n".encode())
    answer, n = b"", 0
    while True:
        elapsed = time.monotonic() - started
        if elapsed >= a.timeout:
            print(f"kept open ({a.timeout:.0f} s, {n} header lines sent)")
            break
        readable, _, _ = select.select([sock], [], [], min(1.0, a.timeout - elapsed))
        closed = False
        if readable:
            try:
                data = sock.recv(4096)
            except OSError:
                data = b""
            answer += data
            closed = not data
        if not closed and not readable:
            n += 1
            try:
                sock.sendall(f"X-Slow-{n}: 1\r\n".encode())
            except OSError:
                closed = True
        if closed:
            said = answer.split(b"\r\n", 1)[0].decode(errors="replace") if answer else "no answer"
            print(f"closed after {time.monotonic() - started:.1f} s "
                  f"({n} header lines sent; {said})")
            break
    sock.close()


# --- probe 7: memory per login ---------------------------------------------------------------


def probe_logins(a):
    body = json.dumps({"email": a.email, "password": a.password})
    idle, _ = memory_kib(a.pid)
    barrier = threading.Barrier(a.count)
    statuses = []

    def one():
        barrier.wait()
        statuses.append(request(a.port, "POST", "/api/v1/auth/login/", body, timeout=120)[0])

    threads = [threading.Thread(target=one, daemon=True) for _ in range(a.count)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    after, _ = memory_kib(a.pid)
    time.sleep(5)
    later, hwm = memory_kib(a.pid)
    print(f"{counts(statuses)} in {wall:.1f} s; VmRSS idle {mib(idle)}, right after "
          f"{mib(after)}, 5 s later {mib(later)} (VmHWM {mib(hwm)})")


# --- probe 11: a database outage -----------------------------------------------------------------


def probe_outage(a):
    auth = {"Authorization": f"Token {a.token}"}
    status, _, _ = request(a.port, "GET", a.path, headers=auth)
    if status != 200:
        print(f"{a.path} answered {status} before the outage")
        return
    seen = len(log_lines(a.log))
    os.kill(a.proxy_pid, signal.SIGUSR1)
    started, statuses, hints, n = time.monotonic(), [], Counter(), 0
    while time.monotonic() - started < a.seconds:
        at = started + n / a.rate
        if at > time.monotonic():
            time.sleep(at - time.monotonic())
        n += 1
        status, headers, _ = request(a.port, "GET", a.path, headers=auth, timeout=5)
        statuses.append(status)
        hints[headers.get("Retry-After") if headers else None] += 1
    lines = log_lines(a.log)[seen:]
    warns = sum(1 for line in lines if re.search(r"\bWARN\b|\"level\":\"WARN\"", line))
    errors = sum(1 for line in lines if re.search(r"\bERROR\b|\"level\":\"ERROR\"", line))
    os.kill(a.proxy_pid, signal.SIGUSR2)
    restored, back = time.monotonic(), None
    while time.monotonic() - restored < 60:
        if request(a.port, "GET", a.path, headers=auth, timeout=5)[0] == 200:
            back = time.monotonic() - restored
            break
        time.sleep(0.1)
    hint = ", ".join(f"`Retry-After: {v}`×{c}" if v else f"no Retry-After×{c}"
                     for v, c in hints.items())
    recovered = f"{back:.1f} s" if back is not None else "not within 60 s"
    print(f"{counts(statuses)} in {a.seconds:.0f} s; {hint}; server log during the outage: "
          f"{warns} WARN, {errors} ERROR lines; 200 again {recovered} after the restore")


def proxy(a):
    """Forwards 127.0.0.1:listen to 127.0.0.1:target. SIGUSR1 closes every connection and the
    listening socket (connections are refused); SIGUSR2 listens again."""
    sel = selectors.DefaultSelector()
    state = {"listener": None, "cut": False, "restore": False}
    peers = {}

    def listen():
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((HOST, a.listen))
        s.listen(128)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
        state["listener"] = s

    def close(s):
        other = peers.pop(s, None)
        for x in (s, other):
            if x is not None:
                peers.pop(x, None)
                try:
                    sel.unregister(x)
                except (KeyError, ValueError):
                    pass
                x.close()

    signal.signal(signal.SIGUSR1, lambda *_: state.update(cut=True))
    signal.signal(signal.SIGUSR2, lambda *_: state.update(restore=True))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    listen()
    print("ready", flush=True)
    while True:
        if state["cut"]:
            state["cut"] = False
            for s in list(peers):
                close(s)
            if state["listener"] is not None:
                sel.unregister(state["listener"])
                state["listener"].close()
                state["listener"] = None
        if state["restore"]:
            state["restore"] = False
            if state["listener"] is None:
                listen()
        for key, _ in sel.select(0.1):
            s = key.fileobj
            if s is state["listener"]:
                try:
                    client, _ = s.accept()
                    upstream = socket.create_connection((HOST, a.target), timeout=5)
                except OSError:
                    continue
                for x in (client, upstream):
                    x.setblocking(False)
                    sel.register(x, selectors.EVENT_READ)
                peers[client], peers[upstream] = upstream, client
                continue
            if s not in peers:
                continue
            try:
                data = s.recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            if not data:
                close(s)
                continue
            try:
                peers[s].setblocking(True)
                peers[s].sendall(data)
                peers[s].setblocking(False)
            except OSError:
                close(s)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    sub = p.add_subparsers(dest="probe", required=True)

    def add(name, func, *options):
        q = sub.add_parser(name)
        q.set_defaults(func=func)
        if name != "proxy":
            q.add_argument("--port", type=int, required=True)
        for option in options:
            q.add_argument(option[0], **option[1])
        return q

    pid = ("--pid", {"type": int, "required": True})
    timeout = ("--timeout", {"type": float, "default": 120.0})
    log = ("--log", {"required": True})
    add("fields", probe_fields, pid, timeout, ("--token", {"required": True}),
        ("--org", {"type": int, "required": True}), ("--mode", {"choices": ["one", "two"]}))
    add("bodies", probe_bodies, pid, timeout, ("--mib", {"type": int, "default": 200}),
        ("--count", {"type": int, "default": 4}))
    add("idle", probe_idle, pid, log, ("--timeout", {"type": float, "default": 90.0}),
        ("--count", {"type": int, "default": 1100}))
    add("slowloris", probe_slowloris, ("--timeout", {"type": float, "default": 60.0}))
    add("logins", probe_logins, pid, ("--count", {"type": int, "default": 100}),
        ("--email", {"required": True}), ("--password", {"required": True}))
    add("outage", probe_outage, log, ("--token", {"required": True}),
        ("--path", {"default": "/api/v1/projects/"}),
        ("--proxy-pid", {"type": int, "required": True}),
        ("--seconds", {"type": float, "default": 10.0}), ("--rate", {"type": float, "default": 20.0}))
    add("proxy", proxy, ("--listen", {"type": int, "required": True}),
        ("--target", {"type": int, "default": 5432}))
    args = p.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
