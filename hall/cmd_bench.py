"""`hall bench hub`: hub figures on loopback (issue 3).

The hub runs as its own process (`hall serve --insecure`) so it does not share a GIL
with the load; counters and kiosks are threads of the load processes, displays processes
of their own, one socket each. Tickets are waiting before the load starts (`--waiting`),
so a counter's call_next calls someone; counters loop call_next → start → finish, kiosks
issue round the queues, displays follow the board stream. Each counter starts at a
random moment within its first think period (started together they stay in phase and
the hub sees all 30 in one burst every period: `--lockstep`, the worst case). Printed: sustained commands/s, command→reply latency,
call_next→event-at-every-display latency, and the raw SQLite commit rate on the
same disk with the ratio.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

BENCH_CLOCK = datetime(2026, 11, 26, 9, 30)  # a working Thursday morning
QUEUES = ("G", "M", "T", "E")  # the standard layout's queues citizens take tickets for


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="bench", metavar="WHAT", required=True)
    h = sub.add_parser("hub", help="the hub: commands/s, latencies, SQLite commit rate")
    h.add_argument("--counters", type=int, default=30)
    h.add_argument("--displays", type=int, default=4)
    h.add_argument("--kiosks", type=int, default=3)
    h.add_argument(
        "--seconds",
        type=float,
        default=30.0,
        help="load duration (30 s: about 450 calls reach the displays, so p99 rests on 5 of them)",
    )
    h.add_argument(
        "--think",
        type=float,
        default=0.2,
        help="pause between a client's commands "
        "(0.2 s: about 100 times a busy hall's command rate; 0 saturates the hub)",
    )
    h.add_argument(
        "--lockstep",
        action="store_true",
        help="start every counter at the same instant (they then stay in phase: a burst of "
        "all counters' commands each think period, a worst case; by default each counter "
        "starts at a random moment within its first think period)",
    )
    h.add_argument(
        "--waiting",
        type=int,
        default=1300,
        help="tickets issued before the load starts, spread over the queues in proportion "
        "to their daily caps, each leaving room for the kiosks (1,300 asks for about 1,230: "
        "every call_next of a 30 s run calls someone; 0: most of them answer 'nobody "
        "waiting', as the kiosks issue only ~15 tickets/s)",
    )
    h.add_argument("--procs", type=int, default=2, help="load processes for counters and kiosks")
    h.add_argument("--dir", type=Path, default=Path("."), help="where the database goes")
    h.add_argument("--keep", action="store_true", help="keep the database and the hub's log")


def _pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def _line(name: str, xs: list[float]) -> str:
    ms = [x * 1000 for x in xs]
    return (f"{name:<34} p50 {_pct(ms, 0.5):7.2f}  p99 {_pct(ms, 0.99):7.2f}  "
            f"max {max(ms, default=float('nan')):7.2f} ms  (n={len(ms)})")  # fmt: skip


def raw_commits(
    directory: Path, seconds: float = 2.0, write: bool = False, gap: float = 0.0
) -> tuple[float, list[float]]:
    """(commits per second, seconds each) of a BEGIN IMMEDIATE … COMMIT loop, WAL and
    synchronous=FULL like the store; `write` inserts one row in each (a durable commit).
    `gap` sleeps between commits, as a hub at a hall's pace does: on this project's
    virtual machine an fsync after 5 ms idle takes about three times one right after
    another (the disk's and the CPU's wake-up), so back to back understates a commit."""
    path = directory / f"raw-{os.getpid()}-{int(write)}.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
    n, end = 0, time.perf_counter() + seconds
    each: list[float] = []
    t0 = time.perf_counter()
    while (t := time.perf_counter()) < end:
        conn.execute("BEGIN IMMEDIATE")
        if write:
            conn.execute("INSERT INTO t VALUES (?)", [n])
        conn.execute("COMMIT")
        each.append(time.perf_counter() - t)
        n += 1
        if gap:
            time.sleep(gap)
    rate = n / (time.perf_counter() - t0)
    conn.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return rate, each


_LOG_LINE = re.compile(rb" INFO hall\.hub: (\S+) (\S+) (\S+) ([0-9.]+)ms$")
SETUP_DEVICE = "manager-1"  # opens the windows and issues the waiting tickets


def hub_times(log: Path, skip: str = SETUP_DEVICE) -> dict[str, list[float]]:
    """Seconds inside the hub (received → replied and published) per command, from the
    hub's own log line of each request (`hall serve` writes one per request); the set-up
    device's requests are left out."""
    out: dict[str, list[float]] = {}
    for line in log.read_bytes().splitlines():
        m = _LOG_LINE.search(line)
        if m and m.group(1).decode() != skip:
            out.setdefault(m.group(2).decode(), []).append(float(m.group(4)) / 1000)
    return out


def run(args: argparse.Namespace) -> int:
    from hall.client import HubClient
    from hall.sockets import free_hub_port

    work = Path(tempfile.mkdtemp(prefix="hall-bench-", dir=args.dir))
    port = free_hub_port()
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


def _timed(c: Any, fn: str, lat: list[float], calls: dict[str, float], *a: Any) -> Any:
    from hall import errors as E

    t0 = time.perf_counter()
    try:
        value = getattr(c, fn)(*a)
    except E.HallError:
        value = None
    lat.append(time.perf_counter() - t0)
    if fn == "call_next" and value and value.get("ticket"):
        calls[value["ticket"]["id"]] = t0
    return value


def _load_worker(endpoint: str, counters: list[int], kiosks: list[int], think: float,
                 seconds: float, start_at: float, out: Any, lockstep: bool = False) -> None:  # fmt: skip
    """One load process: some counters and kiosks as threads. Latencies go back on `out`.

    perf_counter is CLOCK_MONOTONIC on Linux, the same clock in every process, so a call
    sent here and its event seen by a display process can be compared."""
    from hall.client import HubClient

    lat: list[float] = []
    calls: dict[str, float] = {}
    stop = threading.Event()

    def counter(w: int) -> None:
        with HubClient(endpoint, device=f"counter-{w}", timeout=5) as c:
            c.hello()
            while time.perf_counter() < start_at:
                time.sleep(0.01)
            if not lockstep:  # clerks press at their own moments, not all at once
                time.sleep(random.uniform(0, think))
            while not stop.is_set():
                v = _timed(c, "call_next", lat, calls)
                if v and v.get("ticket"):
                    time.sleep(think)
                    _timed(c, "start", lat, calls)
                    time.sleep(think)
                    _timed(c, "finish", lat, calls)
                time.sleep(think)

    def kiosk(i: int) -> None:
        with HubClient(endpoint, device=f"kiosk-{i}", timeout=5) as c:
            c.hello()
            while time.perf_counter() < start_at:
                time.sleep(0.01)
            n = 0
            while not stop.is_set():
                _timed(c, "issue", lat, calls, QUEUES[n % len(QUEUES)])
                n += 1
                time.sleep(think)

    threads = [threading.Thread(target=counter, args=(w,)) for w in counters]
    threads += [threading.Thread(target=kiosk, args=(k,)) for k in kiosks]
    for t in threads:
        t.start()
    time.sleep(max(0.0, start_at - time.perf_counter()) + seconds)
    stop.set()
    for t in threads:
        t.join(30)
    out.put(("load", lat, calls))


def _display_worker(endpoint: str, device: str, seconds: float, start_at: float, out: Any) -> None:
    """One display in its own process: when did each ticket.called arrive?"""
    from hall import protocol as P
    from hall.client import HubClient

    seen: dict[str, float] = {}
    with HubClient(endpoint, device=device, timeout=5) as c:
        sub = c._subscriber(("board",))
        end = start_at + seconds + 1.0
        while time.perf_counter() < end:
            if sub.poll(100):
                _topic, body = sub.recv_multipart()
                now = time.perf_counter()
                up = P.decode_update(body)
                if up.type == "ticket.called":
                    seen[up.data["ticket"]["id"]] = now
    out.put(("display", seen, {}))


KIOSK_ROOM = 150  # tickets per queue left under its daily cap for the kiosks' (~110 in 30 s)


def _fill(mgr: Any, layout: Any, n: int) -> int:
    """Issue up to `n` tickets before the load, in proportion to the queues' daily caps,
    leaving each queue room for the kiosks' tickets during the run; returns how many."""
    caps = {q: layout.queues[q].daily_cap for q in QUEUES}
    total, issued = sum(caps.values()), 0
    for q, cap in caps.items():
        for _ in range(max(0, min(round(n * cap / total), cap - KIOSK_ROOM))):
            mgr.issue(q)
            issued += 1
    return issued


def _bench(args: argparse.Namespace, endpoint: str, work: Path, HubClient: Any) -> int:
    import multiprocessing as mp

    from hall.layout import default_layout_path, load_layout

    layout = load_layout(default_layout_path())
    windows = [n for n in layout.windows][: args.counters]
    mgr = HubClient(endpoint, device=SETUP_DEVICE, timeout=0.5, retries=40)
    mgr.ping()
    for w in windows:
        mgr.open_window(w)
        mgr.sign_in(w, staff_no=f"S{w:03d}", name=f"办事员{w}")
        mgr.set_profile(w, {q: 1.0 for q in layout.windows[w].skills})
    waiting = _fill(mgr, layout, args.waiting)
    mgr.close()
    floors = [f.id for f in layout.floors]
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    start_at = time.perf_counter() + 4.0  # every process connected and subscribed by then
    procs = [
        ctx.Process(target=_display_worker,
                    args=(endpoint, f"display-{floors[i % len(floors)]}", args.seconds, start_at, out))
        for i in range(args.displays)
    ]  # fmt: skip
    groups = max(1, args.procs)
    for g in range(groups):
        procs.append(ctx.Process(target=_load_worker, args=(
            endpoint, windows[g::groups], list(range(1, args.kiosks + 1))[g::groups],
            args.think, args.seconds, start_at, out, args.lockstep)))  # fmt: skip
    for p in procs:
        p.start()
    lat: list[float] = []
    sent_call: dict[str, float] = {}
    seen: list[dict[str, float]] = []
    for _ in procs:
        kind, a, b = out.get(timeout=args.seconds + 90)
        if kind == "load":
            lat += a
            sent_call.update(b)
        else:
            seen.append(a)
    for p in procs:
        p.join(10)
    elapsed = args.seconds

    to_displays = []
    for tid, sent in sent_call.items():
        arrivals = [s.get(tid) for s in seen]
        if all(a is not None for a in arrivals):
            to_displays.append(max(a for a in arrivals if a is not None) - sent)
    rate = len(lat) / elapsed
    time.sleep(0.5)  # the hub writes its log lines when idle
    inside = hub_times(work / "hub.log")
    empty, _ = raw_commits(work)
    row, row_each = raw_commits(work, write=True)
    _, spaced = raw_commits(work, seconds=1.5, write=True, gap=0.005)
    print(f"hall bench hub: {args.counters} counters, {args.displays} displays, "
          f"{args.kiosks} kiosks in {groups} load processes, {args.seconds:.0f} s, "
          f"think {args.think * 1000:.0f} ms{', lockstep' if args.lockstep else ''}, "
          f"{waiting} waiting at the start, "
          f"db in {work}")  # fmt: skip
    print(f"{'commands/s sustained':<34} {rate:8.1f}  ({len(lat)} commands)")
    print(_line("command → reply", lat))
    print(_line("call_next → event at every display", to_displays))
    print(_line("inside the hub, call_next", inside.get("call_next", [])))
    print(_line("inside the hub, every request", [x for xs in inside.values() for x in xs]))
    print(_line("raw 1-row durable commit", row_each))
    print(_line("raw 1-row commit, 5 ms apart", spaced))
    print(f"{'raw empty BEGIN IMMEDIATE…COMMIT/s':<34} {empty:8.1f}  "
          f"ratio hub/raw = {rate / empty:.3f}")  # fmt: skip
    print(f"{'raw 1-row durable commits/s':<34} {row:8.1f}  ratio hub/raw = {rate / row:.3f}")
    print("note: in WAL mode an empty transaction writes nothing and never syncs; the 1-row "
          "commit is the durable baseline")  # fmt: skip
    if not to_displays:
        print("warning: no call reached every display", file=sys.stderr)
    return 0
