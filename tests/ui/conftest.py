"""Qt-side fixtures: a real hub on 127.0.0.1 for the apps to talk to."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hall.hub import Hub
from hall.layout import Layout
from tests.hubs import start_hub


@pytest.fixture
def hub(layout: Layout, items: dict[str, str], tmp_path: Path) -> Iterator[Hub]:
    h = start_hub(layout, items, tmp_path / "hall.db", heartbeat=0.25)
    yield h
    h.stop()
