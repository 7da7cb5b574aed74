"""The hub as a real process: SIGKILL mid-traffic and restart; SIGSTOP/SIGCONT."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from hall.client import HubClient, HubUnavailable
from hall.core import errors as E
from hall.wire.follower import StateFollower
from tests.hubs import HubProcess

from .conftest import open_windows

pytestmark = pytest.mark.slow


def _pump_until(c: HubClient, f: StateFollower, cond: object, timeout: float = 15.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        c.pump(f, 0.2)
        if callable(cond) and cond():
            return
    raise AssertionError("condition not reached")


def test_sigkill_loses_nothing_acknowledged(hub_proc: HubProcess) -> None:
    mgr = HubClient(hub_proc.endpoint, device="manager-1", timeout=1.0)
    open_windows(mgr, [1, 2, 3, 4])
    first_epoch = mgr.snapshot()["epoch"]
    acked: list[tuple[str, str]] = []  # (ticket id, req_id) for every acknowledged issue
    called: list[str] = []
    stop = threading.Event()
    failures: list[BaseException] = []

    def kiosk(name: str) -> None:
        with HubClient(hub_proc.endpoint, device=name, timeout=1.0, retries=4) as c:
            while not stop.is_set():
                try:
                    t = c.issue("G")["ticket"]
                    acked.append((t["id"], c.last_req_id))
                except HubUnavailable:
                    pass
                except BaseException as e:
                    failures.append(e)
                    return
                time.sleep(0.01)

    def counter(window: int) -> None:
        with HubClient(hub_proc.endpoint, device=f"counter-{window}", timeout=1.0, retries=4) as c:
            while not stop.is_set():
                try:
                    t = c.call_next()["ticket"]
                    if t is not None:
                        called.append(t["id"])
                        c.finish()
                    else:
                        time.sleep(0.02)
                except (HubUnavailable, E.WindowBusy, E.NothingCurrent):
                    # after a lost reply the state is what the hub saved: finish, go on
                    time.sleep(0.05)
                    with contextlib.suppress(HubUnavailable, E.HallError):
                        c.finish()
                except BaseException as e:
                    failures.append(e)
                    return

    follower = StateFollower(("board",), offline_after=2.0)
    display = HubClient(hub_proc.endpoint, device="display-1F", timeout=1.0)
    threads = [threading.Thread(target=kiosk, args=(f"kiosk-{i}",)) for i in (1, 2)]
    threads += [threading.Thread(target=counter, args=(w,)) for w in (1, 2, 3)]
    for t in threads:
        t.start()
    try:
        _pump_until(display, follower, lambda: follower.synced)
        end = time.monotonic() + 1.5
        while time.monotonic() < end:
            display.pump(follower, 0.1)
        before = len(acked)
        hub_proc.kill()
        time.sleep(0.5)
        hub_proc.start()
        end = time.monotonic() + 2.5
        while time.monotonic() < end:
            display.pump(follower, 0.1)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert not failures
    assert before > 10 and len(acked) > before  # traffic before and after the crash
    ids = [i for i, _ in acked]
    assert len(ids) == len(set(ids)), "a ticket number was handed out twice"
    assert len(called) == len(set(called)), "a ticket was called twice"
    snap = mgr.snapshot()
    assert snap["epoch"] > first_epoch
    tickets = snap["board"]["tickets"]
    missing = [i for i in ids if i not in tickets]
    assert not missing, f"acknowledged but lost: {missing}"
    numbers = [t["number"] for t in tickets.values()]
    assert len(numbers) == len(set(numbers))
    # the display resumed by itself and shows exactly what the hub has
    _pump_until(display, follower, lambda: follower.seq["board"] >= snap["seq"]["board"])
    snap = mgr.snapshot()
    _pump_until(display, follower, lambda: follower.seq["board"] == snap["seq"]["board"])
    assert follower.epoch == snap["epoch"] and follower.online
    assert follower.state["board"] == snap["board"]
    display.close()
    mgr.close()


def test_sigstop_shows_offline_then_recovers(hub_proc: HubProcess) -> None:
    display = HubClient(hub_proc.endpoint, device="display-2F", timeout=0.5)
    follower = StateFollower(("board",), offline_after=2.0)
    _pump_until(display, follower, lambda: follower.online)
    first_epoch = follower.epoch
    hub_proc.signal(signal.SIGSTOP)
    try:
        _pump_until(display, follower, lambda: not follower.online, timeout=8)
    finally:
        hub_proc.signal(signal.SIGCONT)
    _pump_until(display, follower, lambda: follower.online, timeout=10)
    with HubClient(hub_proc.endpoint, device="manager-1") as mgr:
        open_windows(mgr, [5])
        snap = mgr.snapshot()
    _pump_until(display, follower, lambda: follower.seq["board"] == snap["seq"]["board"])
    assert follower.state["board"] == snap["board"]
    assert follower.epoch == snap["epoch"] == first_epoch  # recovered without a restart
    display.close()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_and_ctrl_c_stop_the_hub_cleanly(hub_proc: HubProcess, sig: int) -> None:
    """systemd's stop and Ctrl-C: the answered requests' log lines are written, the
    database is closed (SQLite folds the WAL back in and removes it), exit status 0."""
    with HubClient(hub_proc.endpoint, device="kiosk-1", timeout=1) as k:
        k.issue("G")
    assert hub_proc.proc is not None
    hub_proc.proc.send_signal(sig)
    assert hub_proc.proc.wait(15) == 0
    log = hub_proc.log.read_text(encoding="utf-8")
    assert "kiosk-1 issue ok" in log and log.rstrip().endswith("hub stopping")
    assert not Path(f"{hub_proc.db}-wal").exists()


def test_a_port_in_use_is_one_clear_line(hub_proc: HubProcess, tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "hall", "serve", "--insecure", "--db", str(tmp_path / "b.db"),
         "--bind", hub_proc.endpoint],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert run.returncode == 1
    assert (
        f"hall serve: the hub did not start: {hub_proc.endpoint} (--bind) is in use" in run.stderr
    )
    assert "Traceback" not in run.stderr and "Traceback" not in run.stdout
