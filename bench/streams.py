#!/usr/bin/env python3
"""What open realtime streams cost: the server's resident memory with N idle SSE streams.

Starts `flagstaff serve` on SQLite in a temporary folder, seeds one environment, reads VmRSS
after one flags request, opens N streams on /sse/environments/{key}/stream (each reads its
first event), reads VmRSS again, changes a flag and times until every stream has heard it.

    python3 bench/streams.py target/release/flagstaff 1000 5000

Needs an open-file limit above the largest N (the script raises its own soft limit, and the
server's follows it). See bench/README.md.
"""

import asyncio
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base, method, path, body=None, token=None, key=None):
    request = urllib.request.Request(base + path, method=method)
    if body is not None:
        request.data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    if key:
        request.add_header("X-Environment-Key", key)
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read() or b"null")


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def open_stream(port, key, heard):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"GET /sse/environments/{key}/stream HTTP/1.1\r\nHost: localhost\r\n"
        "Accept: text/event-stream\r\n\r\n".encode()
    )
    await writer.drain()
    events = 0
    buffer = b""
    while True:
        chunk = await reader.read(4096)
        if not chunk:
            return
        buffer += chunk
        while b"\n\n" in buffer:
            event, buffer = buffer.split(b"\n\n", 1)
            if b"environment_updated" in event:
                events += 1
                heard(events)


async def measure(port, key, token, state, pid, count, idle):
    first = asyncio.Event()
    second = asyncio.Event()
    counts = {"first": 0, "second": 0}

    def heard(events):
        name = "first" if events == 1 else "second"
        counts[name] += 1
        if counts["first"] == count:
            first.set()
        if counts["second"] == count:
            second.set()

    started = time.monotonic()
    tasks = [asyncio.create_task(open_stream(port, key, heard)) for _ in range(count)]
    await asyncio.wait_for(first.wait(), 60)
    opened = time.monotonic() - started
    await asyncio.sleep(1)
    rss = rss_mib(pid)
    changed = time.monotonic()
    await asyncio.to_thread(
        call, f"http://127.0.0.1:{port}", "PATCH",
        f"/api/v1/environments/{key}/featurestates/{state}/", {"enabled": count % 2 == 0}, token,
    )
    await asyncio.wait_for(second.wait(), 60)
    told = time.monotonic() - changed
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    print(
        f"{count:>6} streams: opened in {opened:.2f} s, RSS {rss:.1f} MiB "
        f"(+{rss - idle:.1f} MiB, {(rss - idle) / count * 1000:.1f} MiB per 1,000); "
        f"a change reached all of them in {told * 1000:.0f} ms"
    )
    await asyncio.sleep(2)


def main():
    binary = sys.argv[1]
    counts = [int(n) for n in sys.argv[2:]] or [1000]
    limit = max(counts) * 2 + 1024
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(limit, hard), hard))
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        env = dict(os.environ, FLAGSTAFF_DATA_DIR=data, FLAGSTAFF_LOG_LEVEL="warn",
                   FLAGSTAFF_MAX_CONNECTIONS=str(max(counts) + 100))
        env.pop("FLAGSTAFF_DATABASE_URL", None)
        env.pop("DATABASE_URL", None)
        server = subprocess.Popen(
            [binary, "serve", "--bind", f"127.0.0.1:{port}"], env=env, stderr=subprocess.DEVNULL
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    call(base, "GET", "/health/readiness/")
                    break
                except OSError:
                    time.sleep(0.1)
            token = call(base, "POST", "/api/v1/auth/users/", {
                "email": "bench@example.com", "password": "correct horse battery", "superuser": True,
            })["key"]
            org = call(base, "POST", "/api/v1/organisations/", {"name": "Bench"}, token)["id"]
            project = call(base, "POST", "/api/v1/projects/", {"name": "Web", "organisation": org}, token)["id"]
            key = call(base, "POST", "/api/v1/environments/", {"name": "Production", "project": project}, token)["api_key"]
            feature = call(base, "POST", f"/api/v1/projects/{project}/features/", {"name": "banner"}, token)["id"]
            state = call(base, "GET", f"/api/v1/environments/{key}/featurestates/?feature={feature}",
                         token=token)["results"][0]["id"]
            call(base, "GET", "/api/v1/flags/", key=key)
            time.sleep(1)
            idle = rss_mib(server.pid)
            print(f"idle, one environment: RSS {idle:.1f} MiB")
            for count in counts:
                asyncio.run(measure(port, key, token, state, server.pid, count, idle))
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
