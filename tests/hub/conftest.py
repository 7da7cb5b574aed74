"""Hub fixtures: a real hub on 127.0.0.1 (ephemeral ports) over a real SQLite file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import zmq

from hall import protocol as P
from hall.client import HubClient
from hall.hub import Hub
from hall.layout import Layout
from hall.sockets import free_hub_port
from tests.hubs import HALL_TIME, start_hub


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "hall.db"


@pytest.fixture
def hub(layout: Layout, items: dict[str, str], db: Path) -> Iterator[Hub]:
    h = start_hub(layout, items, db, device_timeout=2.0)
    yield h
    h.stop()


ClientFactory = Callable[..., HubClient]


@pytest.fixture
def connect(hub: Hub) -> Iterator[ClientFactory]:
    made: list[HubClient] = []

    def make(device: str, **kw: object) -> HubClient:
        c = HubClient(hub.endpoint, device=device, **kw)  # type: ignore[arg-type]
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


def open_windows(manager: HubClient, windows: list[int]) -> None:
    for w in windows:
        manager.open_window(w)
        manager.sign_in(w, staff_no=f"S{w:03d}", name=f"办事员{w}")


class HubProcess:
    """`hall serve` in a subprocess; the hall clock continues across restarts."""

    def __init__(self, db: Path, log: Path) -> None:
        self.db, self.log = db, log
        self.port = free_hub_port()
        self.endpoint = f"tcp://127.0.0.1:{self.port}"
        self.t0 = time.monotonic()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        clock = HALL_TIME + timedelta(seconds=time.monotonic() - self.t0)
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "hall", "serve", "--insecure", "--db", str(self.db),
                 "--bind", self.endpoint, "--clock-start", clock.isoformat(),
                 "--device-timeout", "3"],
                stdout=log, stderr=log,
            )  # fmt: skip
        try:
            with HubClient(self.endpoint, device="manager-9", timeout=0.5, retries=40) as c:
                c.ping()
        except BaseException:
            self.kill()  # a fixture whose set-up fails is not torn down: no hub left behind
            raise

    def signal(self, sig: int) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, sig)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.signal(signal.SIGCONT)
            self.signal(signal.SIGKILL)
            self.proc.wait(10)


@pytest.fixture
def hub_proc(tmp_path: Path) -> Iterator[HubProcess]:
    h = HubProcess(tmp_path / "hall.db", tmp_path / "hub.log")
    h.start()
    yield h
    h.kill()


def raw_request(hub: Hub, frames: list[bytes]) -> P.Ok | P.Error:
    """Send these frames on a fresh DEALER as they are (garbage included): the hub's reply."""
    s: zmq.Socket[bytes] = zmq.Context.instance().socket(zmq.DEALER)
    s.connect(hub.endpoint)
    try:
        s.send_multipart(frames)
        assert s.poll(3000), "no reply"
        return P.decode_reply(s.recv())
    finally:
        s.close(linger=0)
