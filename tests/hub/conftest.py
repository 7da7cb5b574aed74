"""Hub fixtures: a real hub on 127.0.0.1 (ephemeral ports) over a real SQLite file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import zmq

from hall.client import HubClient
from hall.core.layout import Layout
from hall.server.hub import Hub
from hall.wire import protocol as P
from tests.hubs import start_hub


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
