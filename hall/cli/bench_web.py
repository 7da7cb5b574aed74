"""`hall bench web`: phones following their tickets over SSE while counters call.

A hub (`hall serve --insecure`) and a gateway (`hall web`) run as processes of their own;
this process holds the phones — one SSE connection each, on one asyncio loop — and a
manager that calls. Before each `call_next` the manager finishes the window's ticket and
waits a moment; then it notes the time and calls. The latency of a phone is the time
until it receives a message showing the call (fewer people ahead, or its own call). The
calls are spaced (`--interval`) so that each message belongs to one call; a phone not
told before the next call counts as missed. The gateway's CPU is read from /proc.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import resource
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--phones", type=int, default=1000, help="phones following a ticket")
    p.add_argument("--calls", type=int, default=20, help="call_next commands measured")
    p.add_argument("--interval", type=float, default=1.5,
                   help="seconds from one call to the next (each phone's message must come "
                        "within it)")  # fmt: skip
    p.add_argument("--queues", default="G,M", help="the queues the phones' tickets are in")
    p.add_argument("--dir", type=Path, default=Path("."), help="where the database goes")
    p.add_argument("--keep", action="store_true", help="keep the database and the logs")


@dataclass
class Phone:
    token: str
    queue: str
    seen: list[tuple[float, str, int | None]] = field(default_factory=list)  # t, state, ahead


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _follow(phone: Phone, host: str, port: int, ready: asyncio.Event, stop: asyncio.Event,
                  opened: list[int]) -> None:  # fmt: skip
    reader, writer = await asyncio.open_connection(host, port, limit=1 << 20)
    writer.write(f"GET /api/t/{phone.token}/events HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())
    await writer.drain()
    while (await reader.readline()) not in (b"\r\n", b""):
        pass
    opened[0] += 1
    if opened[0] == opened[1]:
        ready.set()
    try:
        while not stop.is_set():
            line = await reader.readline()
            if not line:
                return
            if line.startswith(b"data: "):
                t = time.perf_counter()
                d = json.loads(line[6:])["ticket"]
                phone.seen.append((t, d["state"], d["ahead"]))
    finally:
        writer.close()


def _phones_loop(phones: list[Phone], host: str, port: int, ready: threading.Event,
                 stop: threading.Event) -> None:  # fmt: skip
    async def main() -> None:
        all_open, done = asyncio.Event(), asyncio.Event()
        opened = [0, len(phones)]
        tasks = []
        for i in range(0, len(phones), 50):  # not all at once: the listen backlog
            tasks += [asyncio.create_task(_follow(p, host, port, all_open, done, opened))
                      for p in phones[i : i + 50]]  # fmt: skip
            await asyncio.sleep(0.05)
        await all_open.wait()
        ready.set()
        while not stop.is_set():
            await asyncio.sleep(0.1)
        done.set()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run(main())


def _wait_http(url: str, timeout: float) -> dict[str, Any]:
    import logging

    import httpx

    logging.getLogger("httpx").setLevel(logging.WARNING)

    deadline = time.monotonic() + timeout
    while True:
        try:
            r = httpx.get(url, timeout=1.0)
            if r.status_code == 200 and r.json().get("hub") == "online":
                out: dict[str, Any] = r.json()
                return out
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the gateway at {url} did not come up")
        time.sleep(0.2)


def run(args: argparse.Namespace) -> int:
    import shutil
    import tempfile

    from hall.cli.bench import _Hub
    from hall.core.layout import default_layout_path, load_layout

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, 2 * args.phones + 256))
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))  # the gateway inherits it
    work = Path(tempfile.mkdtemp(prefix="hall-bench-web-", dir=args.dir))
    queues = [q for q in args.queues.split(",") if q]
    roomy = work / "layout.toml"  # every queue may take 999 tickets a day
    roomy.write_text(re.sub(r"(?m)^daily_cap = \d+", "daily_cap = 999",
                            default_layout_path().read_text(encoding="utf-8")),
                     encoding="utf-8")  # fmt: skip
    layout = load_layout(roomy)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        with _Hub(work / "hub", roomy) as hub:
            phones, calls, streams = _measure(args, hub, layout, queues, work, procs)
        _report(args, phones, calls, streams)
        return 0
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(10)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def _measure(args: argparse.Namespace, hub: Any, layout: Any, queues: list[str], work: Path,
             procs: list[subprocess.Popen[bytes]]) -> tuple[list[Phone], Calls, int]:  # fmt: skip
    from hall.client import HubClient
    from hall.net.sockets import free_hub_port

    with HubClient(hub.endpoint, device="manager-1", timeout=1.0, retries=30) as m:
        m.ping()
        windows = [n for n, w in layout.windows.items() if any(q in w.profile for q in queues)]
        for n in windows:
            m.open_window(n)
            m.sign_in(n, staff_no=f"S{n:03d}", name="办事员")
        phones = []
        with HubClient(hub.endpoint, device="kiosk-1") as kiosk:
            for i in range(args.phones):
                q = queues[i % len(queues)]
                phones.append(Phone(kiosk.issue(q)["ticket"]["token"], q))
        port = free_hub_port()
        with (work / "web.log").open("wb") as log:
            web = subprocess.Popen(
                [sys.executable, "-m", "hall", "web", "--endpoint", hub.endpoint,
                 "--listen", f"127.0.0.1:{port}"], stdout=log, stderr=log,
            )  # fmt: skip
        procs.append(web)
        _wait_http(f"http://127.0.0.1:{port}/healthz", 30)
        ready, stop = threading.Event(), threading.Event()
        t = threading.Thread(target=_phones_loop, daemon=True,
                             args=(phones, "127.0.0.1", port, ready, stop))  # fmt: skip
        t.start()
        if not ready.wait(120):
            raise RuntimeError("the phones could not all connect")
        time.sleep(1.0)
        streams = int(_wait_http(f"http://127.0.0.1:{port}/healthz", 5)["streams"])
        calls = _call(m, windows, args, web.pid, hub.cpu_seconds)
        stop.set()
        t.join(10)
    return phones, calls, streams


@dataclass
class Calls:
    at: list[tuple[float, str]]  # perf_counter before call_next, the queue it called from
    seconds: float
    web_cpu: float
    hub_cpu: float


def _call(m: Any, windows: list[int], args: argparse.Namespace, web_pid: int,
          hub_cpu: Any) -> Calls:  # fmt: skip
    from hall.core import errors as E

    at: list[tuple[float, str]] = []
    cpu0, hub0, t0 = _cpu_seconds(web_pid), hub_cpu(), time.perf_counter()
    for k in range(args.calls):
        w = windows[k % len(windows)]
        with contextlib.suppress(E.HallError):  # nothing current: fine
            m.finish(w)
        time.sleep(min(0.5, args.interval / 3))  # the finish's own messages go first
        start = time.perf_counter()
        called = m.call_next(w)["ticket"]
        queue = called["queue"] if called else ""
        at.append((start, queue))
        time.sleep(max(0.0, args.interval - (time.perf_counter() - start)))
    seconds = time.perf_counter() - t0
    return Calls(at, seconds, _cpu_seconds(web_pid) - cpu0, hub_cpu() - hub0)


def _report(args: argparse.Namespace, phones: list[Phone], calls: Calls, streams: int) -> None:
    lat: list[float] = []
    missed = 0
    for k, (t0, queue) in enumerate(calls.at):
        t1 = calls.at[k + 1][0] if k + 1 < len(calls.at) else float("inf")
        for p in phones:
            if p.queue != queue:
                continue
            before = [s for s in p.seen if s[0] < t0]
            if not before or before[-1][1] != "waiting":
                continue  # not waiting when called: nothing to tell
            ahead = before[-1][2]
            told = [s[0] for s in p.seen
                    if t0 <= s[0] < t1 and (s[1] != "waiting" or (s[2] or 0) < (ahead or 0))]  # fmt: skip
            if told:
                lat.append(told[0] - t0)
            else:
                missed += 1
    lat.sort()

    def pct(q: float) -> float:
        return lat[min(len(lat) - 1, int(q * len(lat)))] * 1000 if lat else float("nan")

    cpu = 100 * calls.web_cpu / calls.seconds if calls.seconds else float("nan")
    hub = 100 * calls.hub_cpu / calls.seconds if calls.seconds else float("nan")
    print(
        f"phones {len(phones)} (SSE streams open at the gateway: {streams}), calls "
        f"{len(calls.at)} every {args.interval:g} s over {calls.seconds:.1f} s"
    )
    print(
        f"call_next -> phone   p50 {pct(0.5):7.1f} ms  p99 {pct(0.99):7.1f} ms  "
        f"max {pct(1.0):7.1f} ms  ({len(lat)} phone updates, {missed} missed)"
    )
    print(f"gateway CPU {cpu:5.1f} % of one core; hub CPU {hub:5.1f} %  ({os.cpu_count()} cores)")
