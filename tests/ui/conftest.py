"""Qt-side fixtures: a real hub on 127.0.0.1 for the apps to talk to."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from hall.catalogue import load_catalogue
from hall.hub import Hub, wall_clock
from hall.layout import Layout, default_layout_path, load_layout

HALL_TIME = datetime(2026, 11, 26, 9, 30)  # a Thursday morning: open and issuing


@pytest.fixture(scope="session")
def layout() -> Layout:
    return load_layout(default_layout_path())


@pytest.fixture(scope="session")
def items() -> dict[str, str]:
    return {i.code: i.domain for i in load_catalogue()}


@pytest.fixture
def hub(layout: Layout, items: dict[str, str], tmp_path: Path) -> Iterator[Hub]:
    h = Hub(layout, tmp_path / "hall.db", bind="tcp://127.0.0.1:0", clock=wall_clock(HALL_TIME),
            items=items, heartbeat=0.25).start()  # fmt: skip
    yield h
    h.stop()
