"""`hall bench hub`: hub figures on loopback (issue 3).

Two phases, each against a hub of its own (`hall serve --insecure`, its own process, so
it does not share a GIL with the load). **Latency**: counters and kiosks are threads of
the load processes, displays processes of their own, one socket each; tickets are
waiting before the load starts (`--waiting`), so a counter's call_next calls someone;
counters loop call_next → start → finish with `--think` between commands, kiosks issue
round the queues, displays follow the board stream. Each counter starts at a random
moment within its first think period (started together they stay in phase and the hub
sees all 30 in one burst every period: `--lockstep`, the worst case). **Capacity**
(`--capacity` seconds): the same clients at think 0, driven from one poll loop per load
process (threads would spend more CPU than the hub), against a fresh hub whose queues
hold the most tickets a day allows. Printed: commands/s and the hub process's CPU,
command→reply and call_next→event-at-every-display latency, the hub's own time per
request, the raw SQLite commit rates on the same disk with the ratios, and the issue's
targets met or not.
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
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

BENCH_CLOCK = datetime(2026, 11, 26, 9, 30)  # a working Thursday morning
QUEUES = ("G", "M", "T", "E")  # the standard layout's queues citizens take tickets for


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="bench", metavar="WHAT", required=True)
    h = sub.add_parser("hub", help="the hub: commands/s, latencies, SQLite commit rate")
    h.add_argument("--counters", type=int, default=30, help="counter clients calling")
    h.add_argument("--displays", type=int, default=4, help="display boards following")
    h.add_argument("--kiosks", type=int, default=3, help="kiosks issuing tickets")
    h.add_argument(
        "--seconds",
        type=float,
        default=30.0,
        help="load duration (30 s: about 1,450 calls reach the displays, so p99 rests on the 15 "
        "slowest)",
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
    h.add_argument(
        "--capacity",
        type=float,
        default=3.0,
        metavar="SECONDS",
        help="then run the same clients at think 0 against a fresh hub for this long and "
        "print the commands/s it sustains against the raw commit rates (about 3,400 tickets "
        "wait, enough for ~3 s; 0 skips)",
    )
    h.add_argument("--procs", type=int, default=2, help="load processes for counters and kiosks")
    h.add_argument("--insecure", action="store_true",
                   help="run the hub and the clients without CURVE (by default every device has "
                   "its own key, as in a hall)")  # fmt: skip
    h.add_argument("--dir", type=Path, default=Path("."), help="where the database goes")
    h.add_argument("--keep", action="store_true", help="keep the database and the hub's log")
    from hall.cli import bench_kiosk

    k = sub.add_parser("kiosk", help="the kiosk: card tap to ticket complete at the printer")
    bench_kiosk.add_arguments(k)
    from hall.cli import bench_web

    bench_web.add_arguments(
        sub.add_parser("web", help="the web gateway: phones following tickets over SSE")
    )


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
    if args.bench == "kiosk":
        from hall.cli import bench_kiosk

        return bench_kiosk.run(args)
    if args.bench == "web":
        from hall.cli import bench_web

        return bench_web.run(args)
    from hall.core.layout import default_layout_path, load_layout

    work = Path(tempfile.mkdtemp(prefix="hall-bench-", dir=args.dir))
    try:
        layout = load_layout(default_layout_path())
        keys = None if args.insecure else _bench_keys(work / "keys", layout, args.kiosks)
        with _Hub(work / "latency", keys=keys) as hub:
            lat = _phase(args, hub, layout, args.waiting, args.think, args.seconds,
                         args.lockstep)  # fmt: skip
        inside = hub_times(hub.log)
        cap = None
        if args.capacity > 0:
            # A fresh hub whose queues take the most tickets a day can have (999 each, the
            # ticket numbers' three digits), so that call_nexts at full speed find someone.
            roomy = work / "capacity.toml"
            roomy.write_text(
                re.sub(r"(?m)^daily_cap = \d+", "daily_cap = 999",
                       default_layout_path().read_text(encoding="utf-8")),
                encoding="utf-8",
            )  # fmt: skip
            with _Hub(work / "capacity", roomy, keys=keys) as hub:
                cap = _phase(args, hub, load_layout(roomy), 99_999, 0.0, args.capacity,
                             threads=False)  # fmt: skip
        _report(args, work, lat, inside, cap, keys is not None)
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def _bench_keys(directory: Path, layout: Any, kiosks: int) -> Path:
    """A keys directory for the bench's hall: the layout's devices, and as many kiosks as
    asked for (the layout has two)."""
    from hall.net.keys import Registry, add_device, init_keys

    init_keys(directory, layout)
    known = {d.id for d in Registry.load(directory).devices()}
    for k in range(1, kiosks + 1):
        if f"kiosk-{k}" not in known:
            add_device(directory, f"kiosk-{k}", "kiosk", floor=layout.floors[0].id)
    return directory


class _Hub:
    """`hall serve` as a process of its own on a free loopback port (CURVE with `keys`,
    else --insecure), logging to DIR/hub.log; stopped (SIGTERM) on leaving the block."""

    def __init__(self, directory: Path, layout: Path | None = None, *,
                 keys: Path | None = None) -> None:  # fmt: skip
        from hall.net.sockets import free_hub_port

        directory.mkdir()
        self.endpoint = f"tcp://127.0.0.1:{free_hub_port()}"
        self.log = directory / "hub.log"
        self.keys = keys
        self._argv = [
            sys.executable,
            "-m",
            "hall",
            "serve",
            *(["--keys", str(keys)] if keys is not None else ["--insecure"]),
            "--db",
            str(directory / "hall.db"),
            "--bind",
            self.endpoint,
            "--clock-start",
            BENCH_CLOCK.isoformat(),
            "--rate-limit",
            "0",
        ]  # fmt: skip  (one client sends ~100/s at capacity)
        if layout is not None:
            self._argv += ["--layout", str(layout)]

    def __enter__(self) -> _Hub:
        self._out = self.log.open("wb")
        self._proc = subprocess.Popen(self._argv, stdout=self._out, stderr=self._out)
        return self

    def cpu_seconds(self) -> float:
        """CPU time the hub process has used (user + system), or NaN where /proc is not."""
        try:
            fields = Path(f"/proc/{self._proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def __exit__(self, *exc: object) -> None:
        time.sleep(0.5)  # the hub writes its log lines when idle
        self._proc.terminate()
        self._proc.wait(10)
        self._out.close()


def _timed(send: Callable[..., Any], lat: list[float], *a: Any) -> tuple[Any, float]:
    """`send(*a)`'s reply value (None for a refusal) and when it was sent; its latency
    goes on `lat`."""
    from hall.core import errors as E

    t0 = time.perf_counter()
    try:
        value = send(*a)
    except E.HallError:
        value = None
    lat.append(time.perf_counter() - t0)
    return value, t0


def _load_worker(endpoint: str, counters: list[int], kiosks: list[int], think: float,
                 seconds: float, start_at: float, out: Any, lockstep: bool = False,
                 keys: Path | None = None) -> None:  # fmt: skip
    """One load process: some counters and kiosks as threads. Latencies go back on `out`.

    perf_counter is CLOCK_MONOTONIC on Linux, the same clock in every process, so a call
    sent here and its event seen by a display process can be compared."""
    from hall.client import HubClient

    lat: list[float] = []
    calls: dict[str, float] = {}
    empty: list[int] = []  # one entry per call_next that called nobody
    stop = threading.Event()

    def counter(w: int) -> None:
        with HubClient(endpoint, device=f"counter-{w}", keys=keys, timeout=5) as c:
            c.hello()
            while time.perf_counter() < start_at:
                time.sleep(0.01)
            if not lockstep:  # clerks press at their own moments, not all at once
                time.sleep(random.uniform(0, think))
            while not stop.is_set():
                v, t0 = _timed(c.call_next, lat)
                if v and v.get("ticket"):
                    calls[v["ticket"]["id"]] = t0
                    time.sleep(think)
                    _timed(c.start, lat)
                    time.sleep(think)
                    _timed(c.finish, lat)
                else:
                    empty.append(1)
                    if think == 0:
                        return  # its queues ran dry: at capacity it stops (see _loop_worker)
                time.sleep(think)

    def kiosk(i: int) -> None:
        with HubClient(endpoint, device=f"kiosk-{i}", keys=keys, timeout=5) as c:
            c.hello()
            while time.perf_counter() < start_at:
                time.sleep(0.01)
            n = 0
            while not stop.is_set():
                _timed(c.issue, lat, QUEUES[n % len(QUEUES)])
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
    out.put(("load", lat, calls, len(empty)))


class _Device:
    """A counter or kiosk of the single-threaded load: its socket and where it is in its cycle."""

    def __init__(self, sock: Any, name: str, kiosk: int | None) -> None:
        self.sock, self.name, self.kiosk = sock, name, kiosk
        self.n = 0
        self.step = "call_next"  # a counter's next command; a kiosk always issues
        self.req_id = ""
        self.sent = 0.0
        self.due = 0.0

    def request(self) -> Any:
        from hall.wire import protocol as P

        self.n += 1
        self.req_id = f"{self.name}:bench.{self.n}"
        if self.kiosk is not None:
            return P.Issue(req_id=self.req_id, queue=QUEUES[(self.kiosk + self.n) % len(QUEUES)])
        cls = {"call_next": P.CallNext, "start": P.Start, "finish": P.Finish}[self.step]
        return cls(req_id=self.req_id)


def _loop_worker(endpoint: str, counters: list[int], kiosks: list[int], think: float,
                 seconds: float, start_at: float, out: Any, lockstep: bool = False,
                 keys: Path | None = None) -> None:  # fmt: skip
    """One load process, one thread: each counter and kiosk has its own DEALER (so the hub
    sees separate devices) and one poll loop drives them all — at think 0 a thread per
    client costs the load process more CPU than the hub, and on 2 cores the load would set
    the pace. The same cycle as `_load_worker`: call_next → start → finish, kiosks issue."""
    import zmq

    from hall.net.keys import client_keys
    from hall.net.sockets import device_socket
    from hall.wire import protocol as P

    ctx = zmq.Context()
    poller = zmq.Poller()
    devices: dict[Any, _Device] = {}
    for name, kiosk in [(f"counter-{w}", None) for w in counters] + [
        (f"kiosk-{k}", k) for k in kiosks
    ]:
        sock = device_socket(ctx, zmq.DEALER, client_keys(keys, name) if keys else None)
        sock.connect(endpoint)
        hello = P.Hello(req_id=f"{name}:bench.0", version=P.PROTOCOL_VERSION, device=name)
        sock.send(P.encode_request(hello))
        if not sock.poll(10_000) or not isinstance(P.decode_reply(sock.recv()), P.Ok):
            raise RuntimeError(f"{name}: no welcome from the hub")
        devices[sock] = _Device(sock, name, kiosk)
        poller.register(sock, zmq.POLLIN)
    lat: list[float] = []
    calls: dict[str, float] = {}
    empty = 0
    while time.perf_counter() < start_at:
        time.sleep(0.01)
    for d in devices.values():
        d.due = start_at if lockstep or think == 0 else start_at + random.uniform(0, think)
    waiting = sorted(devices.values(), key=lambda d: d.due)  # not in flight, by due time
    end = start_at + seconds
    while (now := time.perf_counter()) < end:
        while waiting and waiting[0].due <= now:
            d = waiting.pop(0)
            d.sent = time.perf_counter()
            d.sock.send(P.encode_request(d.request()))
        timeout = 100 if not waiting else max(0, int((waiting[0].due - time.perf_counter()) * 1000))
        for sock, _ in poller.poll(timeout):
            d = devices[sock]
            reply = P.decode_reply(sock.recv())
            t = time.perf_counter()
            if reply.req_id != d.req_id:
                continue
            lat.append(t - d.sent)
            if d.kiosk is None:
                if d.step == "call_next":
                    ticket = reply.value.get("ticket") if isinstance(reply, P.Ok) else None
                    if ticket:
                        calls[ticket["id"]] = d.sent
                        d.step = "start"
                    else:
                        empty += 1
                        if think == 0:
                            # at capacity a counter whose queues ran dry stops there, as a
                            # clerk would: one empty call_next each, not hundreds (issue 18:
                            # a third of the old figure was empty calls)
                            continue
                else:
                    d.step = "finish" if d.step == "start" else "call_next"
            d.due = t + think
            waiting.append(d)
            waiting.sort(key=lambda x: x.due)
    ctx.destroy(linger=0)
    out.put(("load", lat, calls, empty))


def _display_worker(endpoint: str, device: str, seconds: float, start_at: float, out: Any,
                    keys: Path | None = None) -> None:  # fmt: skip
    """One display in its own process: when did each ticket.called arrive?"""
    from hall.client import HubClient
    from hall.core.events import TicketCalled
    from hall.wire import protocol as P

    seen: dict[str, float] = {}
    with HubClient(endpoint, device=device, keys=keys, timeout=5) as c:
        sub = c._subscriber(("board",))
        end = start_at + seconds + 1.0
        while time.perf_counter() < end:
            if sub.poll(100):
                _topic, body = sub.recv_multipart()
                now = time.perf_counter()
                up = P.decode_update(body)
                if up.type == TicketCalled.TYPE:
                    seen[up.data["ticket"]["id"]] = now
    out.put(("display", seen, {}, 0))


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


class _Result(NamedTuple):
    """One phase of load: every command's latency, call_next → every display, and how many
    tickets waited at the start and how many call_nexts found nobody."""

    lat: list[float]
    to_displays: list[float]
    seconds: float
    waiting: int
    empty_calls: int
    think: float
    hub_cpu: float  # the hub process's CPU seconds per second of load (1.0: one core all the time)

    @property
    def rate(self) -> float:
        return len(self.lat) / self.seconds

    @property
    def work_rate(self) -> float:
        """Commands a second that changed something (an empty call_next changes nothing)."""
        return (len(self.lat) - self.empty_calls) / self.seconds


def _phase(args: argparse.Namespace, hub: _Hub, layout: Any, waiting: int, think: float,
           seconds: float, lockstep: bool = False, threads: bool = True) -> _Result:  # fmt: skip
    """Open the windows, issue the waiting tickets, then run the load and display
    processes for `seconds` (the clients as threads, or all in one poll loop)."""
    import multiprocessing as mp

    from hall.client import HubClient

    endpoint = hub.endpoint
    windows = [n for n in layout.windows][: args.counters]
    mgr = HubClient(endpoint, device=SETUP_DEVICE, keys=hub.keys, timeout=0.5, retries=40)
    mgr.ping()
    for w in windows:
        mgr.open_window(w)
        mgr.sign_in(w, staff_no=f"S{w:03d}", name=f"办事员{w}")
        mgr.set_profile(w, {q: 1.0 for q in layout.windows[w].skills})
    issued = _fill(mgr, layout, waiting)
    mgr.close()
    floors = [f.id for f in layout.floors]
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    start_at = time.perf_counter() + 4.0  # every process connected and subscribed by then
    procs = [
        ctx.Process(target=_display_worker,
                    args=(endpoint, f"display-{floors[i % len(floors)]}", seconds, start_at, out,
                          hub.keys))
        for i in range(args.displays)
    ]  # fmt: skip
    groups = max(1, args.procs)
    for g in range(groups):
        procs.append(ctx.Process(target=_load_worker if threads else _loop_worker, args=(
            endpoint, windows[g::groups], list(range(1, args.kiosks + 1))[g::groups],
            think, seconds, start_at, out, lockstep, hub.keys)))  # fmt: skip
    for p in procs:
        p.start()
    time.sleep(max(0.0, start_at - time.perf_counter()))
    cpu0 = hub.cpu_seconds()
    time.sleep(seconds)
    hub_cpu = (hub.cpu_seconds() - cpu0) / seconds
    lat: list[float] = []
    sent_call: dict[str, float] = {}
    seen: list[dict[str, float]] = []
    empty = 0
    for _ in procs:
        kind, a, b, n = out.get(timeout=seconds + 90)
        if kind == "load":
            lat += a
            sent_call.update(b)
            empty += n
        else:
            seen.append(a)
    for p in procs:
        p.join(10)
    to_displays = []
    for tid, sent in sent_call.items():
        arrivals = [s.get(tid) for s in seen]
        if all(a is not None for a in arrivals):
            to_displays.append(max(a for a in arrivals if a is not None) - sent)
    return _Result(lat, to_displays, seconds, issued, empty, think, hub_cpu)


def _report(args: argparse.Namespace, work: Path, lat: _Result,
            inside: dict[str, list[float]], cap: _Result | None, curve: bool) -> None:  # fmt: skip
    empty, _ = raw_commits(work)
    row, row_each = raw_commits(work, write=True)
    _, spaced = raw_commits(work, seconds=1.5, write=True, gap=0.005)
    groups = max(1, args.procs)
    print(f"hall bench hub: {args.counters} counters, {args.displays} displays, "
          f"{args.kiosks} kiosks in {groups} load processes, db in {work}")  # fmt: skip
    print("CURVE on: every device with its own key, as in a hall" if curve
          else "CURVE off (--insecure): no encryption, no authentication")  # fmt: skip
    print(f"latency: {lat.seconds:.0f} s, think {lat.think * 1000:.0f} ms"
          f"{', lockstep' if args.lockstep else ''}, {lat.waiting} waiting at the start"
          f"{_nobody(lat)}")  # fmt: skip
    print(f"{'commands/s':<34} {lat.rate:8.1f}  ({len(lat.lat)} commands; {_cpu(lat)})")
    print(_line("command → reply", lat.lat))
    print(_line("call_next → event at every display", lat.to_displays))
    print(_line("inside the hub, call_next", inside.get("call_next", [])))
    print(_line("inside the hub, every request", [x for xs in inside.values() for x in xs]))
    if cap is not None:
        print(f"capacity: {cap.seconds:g} s, think 0 (every client sends its next command as "
              f"soon as the last is answered), a fresh hub, {cap.waiting} waiting at the start"
              f"{_nobody(cap)}")  # fmt: skip
        print(
            f"{'commands/s sustained':<34} {cap.rate:8.1f}  ({len(cap.lat)} commands; {_cpu(cap)})"
        )
        print(f"{'commands/s doing work':<34} {cap.work_rate:8.1f}  (the call_nexts that "
              "found nobody left out)")  # fmt: skip
        print(_line("command → reply", cap.lat))
        print(_line("call_next → event at every display", cap.to_displays))
    print("raw SQLite on the same disk (WAL, synchronous=FULL):")
    print(_line("raw 1-row durable commit", row_each))
    print(_line("raw 1-row commit, 5 ms apart", spaced))
    sustained = cap if cap is not None else lat
    print(f"{'raw 1-row durable commits/s':<34} {row:8.1f}  "
          f"ratio hub (doing work)/raw = {sustained.work_rate / row:.3f}")  # fmt: skip
    print(f"{'raw empty BEGIN IMMEDIATE…COMMIT/s':<34} {empty:8.1f}  (for reference only: in "
          "WAL mode an empty transaction writes nothing and never syncs)")  # fmt: skip
    p99 = _pct([x * 1000 for x in lat.to_displays], 0.99)
    print("targets (issue 3):")
    print(f"  p99 call_next → every display under 10 ms at think {lat.think * 1000:.0f} ms: "
          f"{p99:.2f} ms, {'met' if p99 < 10 else 'NOT met'}")  # fmt: skip
    if cap is None:
        print("  durable commands/s ≥ ¼ of raw commits/s: not measured (--capacity 0)")
    else:
        ratio = cap.work_rate / row
        print(f"  commands doing work/s at capacity ≥ ¼ of the raw 1-row durable commit rate: "
              f"{ratio:.3f}, {'met' if ratio >= 0.25 else 'NOT met'}")  # fmt: skip
    if not lat.to_displays:
        print("warning: no call reached every display", file=sys.stderr)


def _cpu(r: _Result) -> str:
    return f"hub process busy {r.hub_cpu:.0%} of a core"


def _nobody(r: _Result) -> str:
    return f"; {r.empty_calls} call_nexts found nobody waiting" if r.empty_calls else ""
