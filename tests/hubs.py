"""The hall the hub and app tests run against: a fixed morning and a real hub on 127.0.0.1.

Import it as ``from tests.hubs import HALL_TIME, start_hub`` (pytest runs with
``--import-mode=importlib``, which makes ``tests`` importable as a package).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from hall.engine import Clock
from hall.hub import Hub, wall_clock
from hall.layout import Layout

#: a Thursday morning: the hall is open and issuing
HALL_TIME = datetime(2026, 11, 26, 9, 30)


def start_hub(
    layout: Layout,
    items: dict[str, str],
    db: Path,
    *,
    bind: str = "tcp://127.0.0.1:0",
    clock: Clock | None = None,
    **hub_kwargs: Any,
) -> Hub:
    """Start a real hub over the SQLite file `db`, on an ephemeral port unless `bind` names
    one (a restart binds the endpoint the first hub got). Its clock reads HALL_TIME from now
    on unless `clock` is given; `hub_kwargs` (heartbeat, device_timeout…) go to Hub as is."""
    return Hub(layout, db, bind=bind, clock=clock or wall_clock(HALL_TIME), items=items,
               **hub_kwargs).start()  # fmt: skip
