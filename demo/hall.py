"""The demo's hall: fresh keys, a fresh database and a real hub on loopback, fast clock.

No Qt here. Everything a real hall has is real: `hall keys init` keys, CURVE+ZAP,
the SQLite store with WAL and synchronous=FULL, the engine's rules and hours.
Only the clock runs faster, so a morning passes in minutes.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from hall.core.catalogue import load_catalogue
from hall.core.engine import Clock
from hall.core.layout import Layout
from hall.net.keys import init_keys
from hall.server.hub import Hub, Security, wall_clock


def next_working_day(layout: Layout, start: date) -> date:
    d = start
    while not layout.hours.is_working_day(d):
        d += timedelta(days=1)
    return d


@dataclass
class DemoHall:
    """A running hub for the demo and where its files are."""

    layout: Layout
    work: Path
    keys: Path
    db: Path
    hub: Hub
    clock: Clock

    @property
    def endpoint(self) -> str:
        return self.hub.endpoint

    def stop(self) -> None:
        self.hub.stop()


def start_hall(
    layout: Layout, work: Path, *, speed: float, opening: time | None = None
) -> DemoHall:
    """Keys, database and hub in `work` (emptied first); the hall clock starts at opening."""
    for sub in ("keys",):
        shutil.rmtree(work / sub, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    db = work / "hall.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    keys = work / "keys"
    init_keys(keys, layout)
    day = next_working_day(layout, date.today())
    start = datetime.combine(day, opening or layout.hours.sessions[0][0])
    clock = wall_clock(start, speed)
    items = {i.code: i.domain for i in load_catalogue()}
    hub = Hub(layout, db, bind="tcp://127.0.0.1:0", security=Security.load(keys), clock=clock,
              items=items, device_timeout=10.0).start()  # fmt: skip
    return DemoHall(layout, work, keys, db, hub, clock)
