"""`hall bench hub`: hub figures on loopback (issue 3).

The hub runs as its own process (`hall serve --insecure`) so it does not share a GIL
with the load; counters, kiosks and displays are threads here, one socket each.
Counters loop call_next → start → finish, kiosks issue round the queues, displays
follow the board stream. Printed: sustained commands/s, command→reply latency,
call_next→event-at-every-display latency, and the raw SQLite commit rate on the
same disk with the ratio.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

BENCH_CLOCK = datetime(2026, 11, 26, 9, 30)  # a working Thursday morning


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="bench", metavar="WHAT", required=True)
    h = sub.add_parser("hub", help="the hub: commands/s, latencies, SQLite commit rate")
    h.add_argument("--counters", type=int, default=30)
    h.add_argument("--displays", type=int, default=4)
    h.add_argument("--kiosks", type=int, default=3)
    h.add_argument("--seconds", type=float, default=10.0)
    h.add_argument("--think", type=float, default=0.05, help="pause between a client's commands")
    h.add_argument("--dir", type=Path, default=Path("."), help="where the database goes")
    h.add_argument("--keep", action="store_true", help="keep the database and the hub's log")


def _free_port() -> int:
    for _ in range(50):
        with socket.socket() as a:
            a.bind(("127.0.0.1", 0))
            port = int(a.getsockname()[1])
            with socket.socket() as b:
                try:
                    b.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
            return port
    raise RuntimeError("no free port pair")


def _pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def _line(name: str, xs: list[float]) -> str:
    ms = [x * 1000 for x in xs]
    return (f"{name:<34} p50 {_pct(ms, 0.5):7.2f}  p99 {_pct(ms, 0.99):7.2f}  "
            f"max {max(ms, default=float('nan')):7.2f} ms  (n={len(ms)})")  # fmt: skip


def raw_commit_rate(directory: Path, seconds: float = 2.0, write: bool = False) -> float:
    """BEGIN IMMEDIATE … COMMIT per second, WAL and synchronous=FULL like the store."""
    path = directory / f"raw-{os.getpid()}-{int(write)}.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
    n, end = 0, time.perf_counter() + seconds
    t0 = time.perf_counter()
    while time.perf_counter() < end:
        conn.execute("BEGIN IMMEDIATE")
        if write:
            conn.execute("INSERT INTO t VALUES (?)", [n])
        conn.execute("COMMIT")
        n += 1
    rate = n / (time.perf_counter() - t0)
    conn.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return rate


def run(args: argparse.Namespace) -> int:
    from hall.client import HubClient

    work = Path(tempfile.mkdtemp(prefix="hall-bench-", dir=args.dir))
    port = _free_port()
    endpoint = f"tcp://127.0.0.1:{port}"
    log = (work / "hub.log").open("wb")
    hub = subprocess.Popen(
        [sys.executable, "-m", "hall", "serve", "--insecure", "--db", str(work / "hall.db"),
         "--bind", endpoint, "--clock-start", BENCH_CLOCK.isoformat()],
        stdout=log, stderr=log,
    )  # fmt: skip
    try:
        return _bench(args, endpoint, work, HubClient)
    finally:
        hub.terminate()
        hub.wait(10)
        log.close()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def _bench(args: argparse.Namespace, endpoint: str, work: Path, HubClient: Any) -> int:
    from hall import errors as E
    from hall import protocol as P
    from hall.layout import default_layout_path, load_layout

    layout = load_layout(default_layout_path())
    windows = [n for n in layout.windows][: args.counters]
    mgr = HubClient(endpoint, device="manager-1", timeout=0.5, retries=40)
    mgr.ping()
    for w in windows:
        mgr.open_window(w)
        mgr.sign_in(w, staff_no=f"S{w:03d}", name=f"办事员{w}")
        mgr.set_profile(w, {q: 1.0 for q in layout.windows[w].skills})
    floors = [f.id for f in layout.floors]
    stop = threading.Event()
    lat: list[float] = []
    refused = [0]
    sent_call: dict[str, float] = {}  # ticket id -> when its call_next was sent
    seen: list[dict[str, float]] = [{} for _ in range(args.displays)]
    lock = threading.Lock()
    ready = threading.Barrier(args.displays + 1)

    def timed(c: Any, fn: str, *a: Any) -> dict[str, Any] | None:
        t0 = time.perf_counter()
        try:
            value: dict[str, Any] = getattr(c, fn)(*a)
        except E.HallError:
            refused[0] += 1
            value = None  # type: ignore[assignment]
        dt = time.perf_counter() - t0
        with lock:
            lat.append(dt)
        if fn == "call_next" and value and value.get("ticket"):
            sent_call[value["ticket"]["id"]] = t0
        return value

    def counter(w: int) -> None:
        with HubClient(endpoint, device=f"counter-{w}", timeout=5) as c:
            c.hello()
            while not stop.is_set():
                v = timed(c, "call_next")
                if v and v.get("ticket"):
                    time.sleep(args.think)
                    timed(c, "start")
                    time.sleep(args.think)
                    timed(c, "finish")
                time.sleep(args.think)

    def kiosk(i: int) -> None:
        queues = ["G", "M", "T", "E"]
        with HubClient(endpoint, device=f"kiosk-{i}", timeout=5) as c:
            c.hello()
            n = 0
            while not stop.is_set():
                timed(c, "issue", queues[n % len(queues)])
                n += 1
                time.sleep(args.think)

    def display(i: int) -> None:
        import zmq

        with HubClient(endpoint, device=f"display-{floors[i % len(floors)]}", timeout=5) as c:
            sub = c._subscriber(("board",))
            first = True
            while not stop.is_set():
                if sub.poll(100):
                    _topic, body = sub.recv_multipart()
                    now = time.perf_counter()
                    if first:
                        first = False
                        ready.wait()
                    up = P.decode_update(body)
                    if up.type == "ticket.called":
                        seen[i][up.data["ticket"]["id"]] = now
            sub.setsockopt(zmq.LINGER, 0)

    threads = [threading.Thread(target=display, args=(i,)) for i in range(args.displays)]
    for t in threads:
        t.start()
    ready.wait(10)
    load = [threading.Thread(target=kiosk, args=(i + 1,)) for i in range(args.kiosks)]
    load += [threading.Thread(target=counter, args=(w,)) for w in windows]
    t0 = time.perf_counter()
    for t in load:
        t.start()
    time.sleep(args.seconds)
    stop.set()
    for t in load:
        t.join(30)
    elapsed = time.perf_counter() - t0
    time.sleep(0.3)
    for t in threads:
        t.join(5)
    mgr.close()

    to_displays = []
    for tid, sent in sent_call.items():
        arrivals = [s.get(tid) for s in seen]
        if all(a is not None for a in arrivals):
            to_displays.append(max(a for a in arrivals if a is not None) - sent)
    rate = len(lat) / elapsed
    empty = raw_commit_rate(work)
    row = raw_commit_rate(work, write=True)
    print(f"hall bench hub: {args.counters} counters, {args.displays} displays, "
          f"{args.kiosks} kiosks, {args.seconds:.0f} s, think {args.think * 1000:.0f} ms, "
          f"db in {work}")  # fmt: skip
    print(f"{'commands/s sustained':<34} {rate:8.1f}  ({len(lat)} commands, {refused[0]} refused)")
    print(_line("command → reply", lat))
    print(_line("call_next → event at every display", to_displays))
    print(f"{'raw empty BEGIN IMMEDIATE…COMMIT/s':<34} {empty:8.1f}  "
          f"ratio hub/raw = {rate / empty:.3f}")  # fmt: skip
    print(f"{'raw 1-row durable commits/s':<34} {row:8.1f}  ratio hub/raw = {rate / row:.3f}")
    if statistics.fmean(lat or [0]) and not to_displays:
        print("warning: no call reached every display", file=sys.stderr)
    return 0
