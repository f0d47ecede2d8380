#!/usr/bin/env python3
"""Soak load for bench/soak.sh: mixed SDK and management traffic at a bounded rate, one markdown
row a minute (server RSS, requests, p99 per group, answers by status, connection errors, server
log warnings, PostgreSQL events) and a summary at the end. Standard library only (Python 3.8+).
"""

import argparse
import asyncio
import json
import math
import random
import sys
import time
from array import array
from collections import Counter
from urllib.parse import urlsplit

TIMEOUT = 10.0
PLANS = ["free", "pro", "team", "enterprise"]
COUNTRIES = ["de", "fr", "us", "ca", "gb", "nl", "br", "jp"]


class HttpError(Exception):
    """A failure below HTTP: the connection was refused, reset or closed mid-answer."""


class Conn:
    """One keep-alive HTTP/1.1 connection, reopened after any failure."""

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.reader = self.writer = None

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, method, path, headers, body=None):
        try:
            return await asyncio.wait_for(self._request(method, path, headers, body), TIMEOUT)
        except BaseException:
            self.close()
            raise

    async def _request(self, method, path, headers, body):
        if self.writer is None:
            try:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            except OSError as e:
                raise HttpError(str(e)) from e
        data = body.encode() if body is not None else b""
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{headers}"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
        try:
            self.writer.write(head.encode() + b"\r\n" + data)
            await self.writer.drain()
            return await self._answer()
        except (OSError, asyncio.IncompleteReadError, ValueError) as e:
            raise HttpError(str(e) or type(e).__name__) from e

    async def _answer(self):
        line = await self.reader.readline()
        if not line:
            raise HttpError("connection closed before the answer")
        status = int(line.split()[1])
        length, chunked, close = None, False, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value:
                chunked = True
            elif name == "connection" and value == "close":
                close = True
        if status in (204, 304) or 100 <= status < 200:
            content = b""
        elif chunked:
            parts = []
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                parts.append(await self.reader.readexactly(size + 2))
                if size == 0:
                    break
            content = b"".join(p[:-2] for p in parts)
        elif length is not None:
            content = await self.reader.readexactly(length)
        else:
            content = await self.reader.read()
            close = True
        if close:
            self.close()
        return status, content


class Stats:
    """Per group: latencies (ms) and answers by status, for the current minute and the run."""

    def __init__(self, groups):
        self.groups = groups
        self.minute = {g: (array("d"), Counter()) for g in groups}
        self.total = {g: (array("d"), Counter()) for g in groups}

    def record(self, group, outcome, ms):
        for table in (self.minute, self.total):
            latencies, outcomes = table[group]
            outcomes[outcome] += 1
            if ms is not None:
                latencies.append(ms)

    def take_minute(self):
        taken, self.minute = self.minute, {g: (array("d"), Counter()) for g in self.groups}
        return taken


def percentile(values, p):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def fmt_ms(value):
    return "–" if value is None else (f"{value:.1f}" if value < 100 else f"{value:.0f}")


def fmt_outcomes(counter):
    """`200×5512 503×12`: HTTP statuses in order, then answers that could not be read
    (connection errors and timeouts have their own columns)."""
    codes = sorted(k for k in counter if isinstance(k, int))
    odd = sorted(k for k in counter if isinstance(k, str) and k not in ("conn", "timeout"))
    return " ".join(f"{k}×{counter[k]}" for k in codes + odd) or "–"


class Load:
    def __init__(self, args):
        self.args = args
        url = urlsplit(args.base)
        self.host, self.port = url.hostname, url.port
        self.sdk = f"X-Environment-Key: {args.env_key}\r\n"
        self.ofrep = f"X-API-Key: {args.env_key}\r\n"
        self.admin = f"Authorization: Token {args.token}\r\n"
        self.states = [int(s) for s in args.state_ids.split(",") if s]
        self.deadline = 0.0
        self.groups = {
            # group: (requests a second, connections, one request)
            "flags": (args.rate * 0.40, 4, self.flags),
            "identity GET": (args.rate * 0.20, 4, self.identity_get),
            "identity POST": (args.rate * 0.15, 4, self.identity_post),
            "OFREP": (args.rate * 0.25, 4, self.ofrep_bulk),
            "mgmt writes": (args.write_rate, 2, self.write),
            "audit log": (args.audit_rate, 1, self.audit),
        }
        self.stats = Stats(list(self.groups))
        self.pending_deletes = []
        self.write_no = 0

    def identifier(self):
        return f"user-{random.randrange(self.args.identities)}"

    async def flags(self, conn):
        return await conn.request("GET", "/api/v1/flags/", self.sdk)

    async def identity_get(self, conn):
        return await conn.request(
            "GET", f"/api/v1/identities/?identifier={self.identifier()}", self.sdk)

    async def identity_post(self, conn):
        n = random.randrange(self.args.identities)
        body = json.dumps({"identifier": f"user-{n}", "traits": [
            {"trait_key": "plan", "trait_value": PLANS[n % 4]},
            {"trait_key": "age", "trait_value": 18 + n % 60},
            {"trait_key": "visits", "trait_value": random.randint(1, 1_000_000)}]})
        return await conn.request("POST", "/api/v1/identities/", self.sdk, body)

    async def ofrep_bulk(self, conn):
        body = json.dumps({"context": {
            "targetingKey": self.identifier(), "country": random.choice(COUNTRIES),
            "app_version": f"2.{random.randrange(10)}.0"}})
        return await conn.request("POST", "/ofrep/v1/evaluate/flags", self.ofrep, body)

    async def audit(self, conn):
        return await conn.request(
            "GET", f"/api/v1/projects/{self.args.project}/audit/?page_size=20", self.admin)

    async def write(self, conn):
        """In turn: toggle a feature state, create a segment, toggle, create a feature; what was
        created is deleted by the next write (retried until it goes)."""
        if self.pending_deletes:
            path = self.pending_deletes.pop(0)
            try:
                status, body = await self._admin(conn, "DELETE", path)
            except (HttpError, asyncio.TimeoutError):
                self.pending_deletes.append(path)
                raise
            if status >= 300 and status != 404:
                self.pending_deletes.append(path)
            return status, body
        self.write_no += 1
        step, n = self.write_no % 4, self.write_no
        project = f"/api/v1/projects/{self.args.project}"
        if step == 1:
            body = {"name": f"soak_segment_{n}", "rules": [{"type": "ALL", "rules": [], "conditions": [
                {"operator": "EQUAL", "property": "plan", "value": random.choice(PLANS)}]}]}
            return await self._create(conn, f"{project}/segments/", body)
        if step == 3:
            body = {"name": f"soak_feature_{n}", "default_enabled": bool(n % 2),
                    "initial_value": f"v{n}"}
            return await self._create(conn, f"{project}/features/", body)
        state = random.choice(self.states)
        return await self._admin(
            conn, "PATCH", f"/api/v1/environments/{self.args.env_key}/featurestates/{state}/",
            {"enabled": random.random() < 0.5})

    async def _create(self, conn, path, body):
        status, answer = await self._admin(conn, "POST", path, body)
        if status == 201:
            self.pending_deletes.append(f"{path}{json.loads(answer)['id']}/")
        return status, answer

    async def _admin(self, conn, method, path, body=None):
        return await conn.request(
            method, path, self.admin, None if body is None else json.dumps(body))

    async def worker(self, group, interval, call):
        conn = Conn(self.host, self.port)
        # Spread the workers of a group over one interval.
        next_at = time.monotonic() + random.random() * interval
        while True:
            now = time.monotonic()
            if next_at >= self.deadline:
                break
            if next_at > now:
                await asyncio.sleep(next_at - now)
            # A worker that fell behind (a slow answer) does not burst to catch up.
            next_at = max(next_at + interval, time.monotonic())
            started = time.monotonic()
            try:
                status, _ = await call(conn)
                outcome = status
            except asyncio.TimeoutError:
                outcome = "timeout"
            except HttpError:
                outcome = "conn"
            except (ValueError, KeyError, IndexError):
                outcome = "bad answer"
            ms = (time.monotonic() - started) * 1000
            # A timeout counts in the latencies (as at least TIMEOUT); a refused connection not.
            self.stats.record(group, outcome, None if outcome == "conn" else ms)
        conn.close()


class Report:
    """The per-minute rows and the summary, on stdout and in the output file."""

    P99_GROUPS = ["flags", "identity GET", "identity POST", "OFREP", "mgmt writes", "audit log"]

    def __init__(self, args, stats):
        self.args, self.stats = args, stats
        self.out = open(args.out, "w", encoding="utf-8")
        self.log_offset = 0
        self.event_lines = 0
        self.rss = []
        self.log_totals = Counter()

    def emit(self, text=""):
        print(text, flush=True)
        self.out.write(text + "\n")
        self.out.flush()

    def header(self):
        p99 = " | ".join(f"p99 {g} ms" for g in self.P99_GROUPS)
        self.emit("| min | RSS MiB | requests | " + p99
                  + " | answers by status | flags not 200 | conn errors | timeouts | log warn/error"
                  + " | PostgreSQL |")
        self.emit("|---:|---:|---:|" + "---:|" * len(self.P99_GROUPS) + "---|---:|---:|---:|---:|---|")

    def server_rss(self):
        try:
            with open(f"/proc/{self.args.server_pid}/status", encoding="ascii") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass
        return None

    def new_log_lines(self):
        """Warnings and errors the server logged since the last call (its log is JSON lines)."""
        counts = Counter()
        try:
            with open(self.args.server_log, "rb") as f:
                f.seek(self.log_offset)
                data = f.read()
        except OSError:
            return counts
        complete = data.rfind(b"\n") + 1
        self.log_offset += complete
        for line in data[:complete].splitlines():
            try:
                level = json.loads(line).get("level", "?")
            except ValueError:
                level = "other"
            counts[level] += 1
        self.log_totals.update(counts)
        return counts

    def new_events(self):
        try:
            with open(self.args.events, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except OSError:
            return []
        fresh, self.event_lines = lines[self.event_lines:], len(lines)
        return fresh

    def minute_row(self, minute, taken):
        rss = self.server_rss()
        self.rss.append(rss)
        outcomes = Counter()
        for _, counter in taken.values():
            outcomes.update(counter)
        requests = sum(outcomes.values())
        p99 = " | ".join(fmt_ms(percentile(taken[g][0], 99)) for g in self.P99_GROUPS)
        logs = self.new_log_lines()
        events = "; ".join(self.new_events()) or "–"
        flags = taken["flags"][1]
        flags_bad = sum(flags.values()) - flags[200]
        self.emit(f"| {minute} | {'?' if rss is None else f'{rss:.1f}'} | {requests} | {p99} | "
                  f"{fmt_outcomes(outcomes)} | {flags_bad} | {outcomes['conn']} | {outcomes['timeout']} | "
                  f"{logs['WARN']}/{logs['ERROR']} | {events} |")

    def summary(self):
        self.emit()
        self.emit("| group | requests | p50 ms | p99 ms | max ms | answers by status | conn errors | timeouts |")
        self.emit("|---|---:|---:|---:|---:|---|---:|---:|")
        for group, (latencies, counter) in self.stats.total.items():
            self.emit(f"| {group} | {sum(counter.values())} | {fmt_ms(percentile(latencies, 50))} | "
                      f"{fmt_ms(percentile(latencies, 99))} | {fmt_ms(max(latencies, default=None))} | "
                      f"{fmt_outcomes(counter)} | {counter['conn']} | {counter['timeout']} |")
        rss = [r for r in self.rss if r is not None]
        self.emit()
        if rss:
            self.emit(f"RSS (MiB): first {rss[0]:.1f}, last {rss[-1]:.1f}, max {max(rss):.1f}.")
        else:
            self.emit("RSS: no sample (the server was gone).")
        self.emit(self.flatness())
        logs = ", ".join(f"{level} {n}" for level, n in sorted(self.log_totals.items())) or "none"
        self.emit(f"Server log lines during the load, by level: {logs}.")

    def flatness(self):
        """Flat: the mean of the last 5 minutes within 10 % of the mean of minutes 2-5."""
        rss = self.rss
        if len(rss) < 10 or any(r is None for r in rss):
            return (f"RSS flatness not judged: it needs at least 10 minutes "
                    f"(this run has {len(rss)}).")
        base = sum(rss[1:5]) / 4
        tail = sum(rss[-5:]) / 5
        change = (tail - base) / base * 100
        verdict = "FLAT" if abs(change) <= 10 else "NOT FLAT"
        return (f"RSS {verdict}: mean of the last 5 minutes {tail:.1f} MiB, of minutes 2-5 "
                f"{base:.1f} MiB ({change:+.1f} %; the bound is 10 %).")


async def main(args):
    load = Load(args)
    report = Report(args, load.stats)
    report.new_log_lines()  # seeding's lines are not the load's
    report.log_totals.clear()
    report.header()
    start = time.monotonic()
    load.deadline = start + args.minutes * 60
    workers = []
    for group, (rate, connections, call) in load.groups.items():
        if rate <= 0:
            continue
        connections = max(1, min(connections, math.ceil(rate)))
        for _ in range(connections):
            workers.append(asyncio.ensure_future(load.worker(group, connections / rate, call)))
    gone = False
    for minute in range(1, args.minutes + 1):
        await asyncio.sleep(max(0.0, start + minute * 60 - time.monotonic()))
        report.minute_row(minute, load.stats.take_minute())
        if report.rss[-1] is None:
            gone = True
            report.emit(f"\nThe server (pid {args.server_pid}) is gone: stopping the load.")
            for worker in workers:
                worker.cancel()
            break
    await asyncio.gather(*workers, return_exceptions=True)
    leftover = load.stats.take_minute()  # answers that arrived after the last row
    for group, (_, counter) in leftover.items():
        if counter:
            print(f"(after the last minute: {group} {dict(counter)})", file=sys.stderr)
    report.summary()
    return 1 if gone else 0


def parse():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--base", required=True)
    p.add_argument("--env-key", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--project", required=True, type=int)
    p.add_argument("--state-ids", required=True, help="feature state ids to toggle, comma-separated")
    p.add_argument("--identities", type=int, default=10000)
    p.add_argument("--minutes", type=int, default=30)
    p.add_argument("--rate", type=float, default=200, help="SDK requests a second")
    p.add_argument("--write-rate", type=float, default=3, help="management writes a second")
    p.add_argument("--audit-rate", type=float, default=0.5, help="audit log reads a second")
    p.add_argument("--server-pid", required=True, type=int)
    p.add_argument("--server-log", required=True)
    p.add_argument("--events", required=True, help="PostgreSQL events, one a line, appended")
    p.add_argument("--out", required=True, help="where the tables are written too")
    return p.parse_args()


if __name__ == "__main__":
    try:
        sys.exit(asyncio.run(main(parse())))
    except KeyboardInterrupt:
        sys.exit(130)
