"""`hall serve` under systemd's Type=notify: READY once serving, the watchdog fed while the
hub's heartbeats go, STOPPING on SIGTERM (sd_notify's datagrams to $NOTIFY_SOCKET)."""

from __future__ import annotations

import contextlib
import itertools
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hall.cli import systemd
from hall.net.sockets import free_hub_port
from tests.clirun import ROOT


def _receive(sock: socket.socket, until: str, timeout: float = 30) -> list[str]:
    got: list[str] = []
    end = time.monotonic() + timeout
    while time.monotonic() < end and not any(until in g for g in got):
        sock.settimeout(max(0.01, end - time.monotonic()))
        try:
            got.append(sock.recv(4096).decode())
        except TimeoutError:
            break
    return got


def _fed_at(sock: socket.socket, seconds: float) -> list[float]:
    """The times (from now) of the WATCHDOG=1 datagrams of the next `seconds`."""
    start = time.monotonic()
    end = start + seconds
    fed: list[float] = []
    while (left := end - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            if sock.recv(4096) == b"WATCHDOG=1":
                fed.append(time.monotonic() - start)
        except TimeoutError:
            break
    return fed


def test_serve_tells_systemd_ready_watchdog_and_stopping(tmp_path: Path) -> None:
    address = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(address)
        env = {**os.environ, "NOTIFY_SOCKET": address, "WATCHDOG_USEC": "2000000"}
        endpoint = f"tcp://127.0.0.1:{free_hub_port()}"
        hub = subprocess.Popen(
            [sys.executable, "-m", "hall", "serve", "--insecure", "--db", str(tmp_path / "h.db"),
             "--bind", endpoint],
            env=env, cwd=ROOT, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            first = _receive(sock, "READY=1")
            assert first and first[-1] == f"READY=1\nSTATUS=serving {endpoint}", first
            fed = _receive(sock, "never", timeout=3.0)
            assert fed.count("WATCHDOG=1") >= 3, fed  # every 0.5 s, within 1 s (half of 2 s)
            hub.terminate()
            assert "STOPPING=1" in _receive(sock, "STOPPING=1")
            assert hub.wait(30) == 0
        finally:
            if hub.poll() is None:
                hub.kill()
                hub.wait()


def test_without_systemd_notify_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    monkeypatch.delenv("WATCHDOG_USEC", raising=False)
    assert systemd.notify("READY=1") is False
    assert systemd.watchdog_seconds() is None
    monkeypatch.setenv("WATCHDOG_USEC", "30000000")
    monkeypatch.setenv("WATCHDOG_PID", "1")  # meant for another process
    assert systemd.watchdog_seconds() is None
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    assert systemd.watchdog_seconds() == 30.0


def test_a_hub_stuck_on_its_database_stops_feeding_the_watchdog(tmp_path: Path) -> None:
    # Another writer holds the database: the hub's loop waits in its commit (SQLite's busy
    # timeout), sends no heartbeat, and the watchdog goes unfed until the disk frees up.
    import sqlite3
    import threading

    from hall.client import HubClient

    address = str(tmp_path / "notify")
    db = tmp_path / "h.db"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(address)
        env = {**os.environ, "NOTIFY_SOCKET": address, "WATCHDOG_USEC": "2000000"}
        endpoint = f"tcp://127.0.0.1:{free_hub_port()}"
        hub = subprocess.Popen(
            [sys.executable, "-m", "hall", "serve", "--insecure", "--db", str(db),
             "--bind", endpoint, "--clock-start", "2026-11-26T09:30"],
            env=env, cwd=ROOT, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            assert _receive(sock, "READY=1")
            assert _receive(sock, "never", timeout=1.5).count("WATCHDOG=1") >= 2
            holder = sqlite3.connect(str(db), isolation_level=None, timeout=10)
            holder.execute("BEGIN IMMEDIATE")  # the write lock, kept
            try:

                def issue() -> None:
                    # refused or unanswered: not this test's business
                    with (
                        HubClient(endpoint, device="kiosk-1", timeout=8.0, retries=1) as c,
                        contextlib.suppress(Exception),
                    ):
                        c.issue("G")

                t = threading.Thread(target=issue)
                t.start()
                # 5.5 s: the hub is stuck from the issue's arrival until SQLite's 5 s busy
                # timeout; a loaded machine may take a second or two to send it
                fed = _fed_at(sock, seconds=5.5)
            finally:
                holder.execute("ROLLBACK")
                holder.close()
            t.join(30)
            # fed every 0.5 s while well; stuck: nothing for well over the 1 s allowed
            points = [0.0, *fed, 5.5]
            assert max(b - a for a, b in itertools.pairwise(points)) > 2.0, fed
            assert _receive(sock, "WATCHDOG=1", timeout=10.0)[-1] == "WATCHDOG=1"  # fed again
            hub.terminate()
            assert hub.wait(30) == 0
        finally:
            if hub.poll() is None:
                hub.kill()
                hub.wait()
