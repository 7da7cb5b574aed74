"""`hall serve` under systemd's Type=notify: READY once serving, the watchdog fed while the
hub's heartbeats go, STOPPING on SIGTERM (sd_notify's datagrams to $NOTIFY_SOCKET)."""

from __future__ import annotations

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
