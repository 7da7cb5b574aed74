"""`hall bench hub` as a user runs it: a real hub process, real load and display processes."""

from __future__ import annotations

import queue
import re
import subprocess
import sys
import time
from pathlib import Path

from hall.cli.bench import _loop_worker, hub_times
from hall.client import HubClient
from hall.server.hub import Hub

LINE = re.compile(r"^(.+?)\s+p50\s+([0-9.]+)\s+p99\s+([0-9.]+)\s+max\s+([0-9.]+) ms\s+\(n=(\d+)\)$")


def test_hub_times_reads_the_hubs_own_log_lines(tmp_path: Path) -> None:
    log = tmp_path / "hub.log"
    log.write_text(
        "2026-11-26 09:37:43,661 WARNING hall.hub: NO SECURITY: test mode\n"
        "2026-11-26 09:37:50,271 INFO hall.hub: kiosk-2 issue ok 8.6ms\n"
        "2026-11-26 09:37:50,272 INFO hall.hub: counter-13 call_next ok 1.5ms\n"
        "2026-11-26 09:37:50,273 INFO hall.hub: counter-13 call_next queue_empty 0.5ms\n"
        "2026-11-26 09:37:50,274 INFO hall.hub: manager-1 issue ok 0.9ms\n",
        encoding="utf-8",
    )
    got = hub_times(log)
    assert got == {"issue": [0.0086], "call_next": [0.0015, 0.0005]}


def test_bench_hub_prints_every_figure(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "hall", "bench", "hub", "--seconds", "2", "--counters", "4",
         "--displays", "2", "--kiosks", "2", "--think", "0.05", "--waiting", "60",
         "--capacity", "1.5", "--dir", str(tmp_path)],
        capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr, run.stderr  # a client thread that died says so only there
    figures = []
    for line in run.stdout.splitlines():
        m = LINE.match(line)
        if m:
            figures.append((m.group(1).strip(), float(m.group(3)), int(m.group(5))))
    wanted = [
        "command → reply",  # latency phase
        "call_next → event at every display",
        "inside the hub, call_next",
        "inside the hub, every request",
        "command → reply",  # capacity phase
        "call_next → event at every display",
        "raw 1-row durable commit",
        "raw 1-row commit, 5 ms apart",
    ]
    assert [name for name, _, _ in figures] == wanted, run.stdout
    for name, p99, n in figures:
        assert n > 0 and p99 > 0, (name, run.stdout)
    # the hub logged every command the load sent (and the clients' hellos besides; the
    # set-up device's requests are left out)
    assert figures[3][2] >= figures[0][2]
    rate = re.search(r"^commands/s\s+([0-9.]+)\s+\(\d+ commands; hub process busy \d+% of a core\)",
                     run.stdout, re.M)  # fmt: skip
    assert rate and float(rate.group(1)) > 10, run.stdout
    # at think 0 the same four counters and two kiosks send more than at think 50 ms
    sustained = re.search(r"^commands/s sustained\s+([0-9.]+)", run.stdout, re.M)
    assert sustained and float(sustained.group(1)) > float(rate.group(1)), run.stdout
    # capacity counts real work only, against the durable baseline (issue 18), with CURVE
    work = re.search(r"^commands/s doing work\s+([0-9.]+)", run.stdout, re.M)
    assert work and 0 < float(work.group(1)) <= float(sustained.group(1)), run.stdout
    verdict = re.search(
        r"commands doing work/s at capacity ≥ ¼ of the raw 1-row durable commit rate: "
        r"([0-9.]+), (met|NOT met)",
        run.stdout,
    )
    assert verdict and (float(verdict.group(1)) >= 0.25) == (verdict.group(2) == "met")
    assert "empty BEGIN…COMMIT rate" not in run.stdout  # no target against a loop that never syncs
    assert "CURVE on: every device with its own key" in run.stdout
    target = re.search(r"under 10 ms at think 50 ms: ([0-9.]+) ms, (met|NOT met)", run.stdout)
    assert target and (float(target.group(1)) < 10) == (target.group(2) == "met"), run.stdout
    assert not list(tmp_path.iterdir()), "the bench leaves nothing behind without --keep"


def test_at_capacity_a_counter_whose_queues_ran_dry_stops(hub: Hub) -> None:
    """Capacity counts work: a counter that found nobody waiting used to call again at once,
    hundreds of times a second, each call a command the hub answered for nothing."""
    window = hub.layout.windows[5]
    with HubClient(hub.endpoint, device="manager-1") as m:
        m.open_window(5)
        m.sign_in(5, staff_no="S005", name="办事员")
        for _ in range(2):
            m.issue(next(iter(window.profile)))
    out: queue.Queue[tuple[str, list[float], dict[str, float], int]] = queue.Queue()
    _loop_worker(hub.endpoint, [5], [], 0.0, 0.5, time.perf_counter(), out)
    _, latencies, calls, empty = out.get(timeout=5)
    assert len(calls) == 2 and empty == 1  # the two called and served, then one empty call
    assert len(latencies) == 2 * 3 + 1
