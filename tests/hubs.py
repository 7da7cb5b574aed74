"""The hall the hub and app tests run against: a fixed morning and a real hub on 127.0.0.1.

Import it as ``from tests.hubs import HALL_TIME, HubProcess, start_hub`` (pytest runs with
``--import-mode=importlib``, which makes ``tests`` importable as a package).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from hall.client import HubClient
from hall.core.engine import Clock
from hall.core.layout import Layout, demo_layout_path
from hall.net.sockets import free_hub_port
from hall.server.hub import Hub, wall_clock

#: a Thursday morning: the hall is open and issuing
HALL_TIME = datetime(2026, 11, 26, 9, 30)


def start_hub(
    layout: Layout,
    items: dict[str, str],
    db: Path,
    *,
    bind: str = "",
    clock: Clock | None = None,
    **hub_kwargs: Any,
) -> Hub:
    """Start a real hub over the SQLite file `db`, on a free port whose next two (the board
    and staff streams) are free too, unless `bind` names one (a restart binds the endpoint
    the first hub got, and its streams the next two ports: an ephemeral first port left
    those to chance, and a restart once failed on a stream port another test held). Its
    clock reads HALL_TIME from now on unless `clock` is given; `hub_kwargs` (heartbeat,
    device_timeout…) go to Hub as is."""
    bind = bind or f"tcp://127.0.0.1:{free_hub_port()}"
    return Hub(layout, db, bind=bind, clock=clock or wall_clock(HALL_TIME), items=items,
               **hub_kwargs).start()  # fmt: skip


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
                 "--layout", str(demo_layout_path()),
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
        """Send `sig`; SIGSTOP returns once every thread of the hub has stopped. kill()
        returns before that: here, under load, a hub "stopped" that way still answered a
        request sent right after (seen: 15 pings of 30), and a test of what a citizen sees
        while the hub is silent saw the hub's answer instead."""
        assert self.proc is not None
        os.kill(self.proc.pid, sig)
        if sig == signal.SIGSTOP:
            deadline = time.monotonic() + 10
            while not self._stopped():
                assert time.monotonic() < deadline, "the hub did not stop"
                time.sleep(0.005)

    def _stopped(self) -> bool:
        assert self.proc is not None
        try:
            tasks = list(Path(f"/proc/{self.proc.pid}/task").iterdir())
            # the state follows the command name, which may hold spaces: after the last ")"
            states = [(t / "stat").read_text().rpartition(")")[2].split()[0] for t in tasks]
        except (FileNotFoundError, ProcessLookupError, IndexError):
            return self.proc.poll() is not None  # gone, or a thread ended meanwhile: again
        return all(s in ("T", "t") for s in states)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.signal(signal.SIGCONT)
            self.signal(signal.SIGKILL)
            self.proc.wait(10)
