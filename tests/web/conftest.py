"""The gateway against a real hub: `hall web`'s server on an ephemeral port, the hub on
127.0.0.1 over a real SQLite file (test mode, no keys), clients as the hall's devices."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hall.client import HubClient
from hall.core.layout import Layout
from hall.server.hub import Hub
from hall.web.server import WebServer
from tests.hubs import start_hub


@pytest.fixture
def hall_hub(layout: Layout, items: dict[str, str], tmp_path: Path) -> Iterator[Hub]:
    h = start_hub(layout, items, tmp_path / "hall.db", heartbeat=0.5)
    yield h
    h.stop()


@pytest.fixture
def web(hall_hub: Hub) -> Iterator[WebServer]:
    s = WebServer(hall_hub.endpoint, port=0, offline_after=2.0).start()
    yield s
    s.stop()


@pytest.fixture
def manager(hall_hub: Hub) -> Iterator[HubClient]:
    with HubClient(hall_hub.endpoint, device="manager-1") as c:
        for w in (1, 2):
            c.open_window(w)
            c.sign_in(w, staff_no=f"S{w:03d}", name=f"办事员{w}")
        yield c


@pytest.fixture
def kiosk(hall_hub: Hub) -> Iterator[HubClient]:
    with HubClient(hall_hub.endpoint, device="kiosk-1") as c:
        yield c
