"""Hub fixtures: a real hub on 127.0.0.1 (ephemeral ports) over a real SQLite file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest

from hall.catalogue import load_catalogue
from hall.client import HubClient
from hall.hub import Hub, wall_clock
from hall.layout import Layout, default_layout_path, load_layout

#: a Thursday morning: the hall is open and issuing
HALL_TIME = datetime(2026, 11, 26, 9, 30)


@pytest.fixture(scope="session")
def layout() -> Layout:
    return load_layout(default_layout_path())


@pytest.fixture(scope="session")
def items() -> dict[str, str]:
    return {i.code: i.domain for i in load_catalogue()}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "hall.db"


@pytest.fixture
def hub(layout: Layout, items: dict[str, str], db: Path) -> Iterator[Hub]:
    h = Hub(layout, db, bind="tcp://127.0.0.1:0", clock=wall_clock(HALL_TIME), items=items,
            device_timeout=2.0).start()  # fmt: skip
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
