"""A device disabled and enabled again gets its streams back within seconds (issue 18: a Qt
display stayed offline with no events: libzmq does not reconnect after a refused CURVE
handshake, and the link reopened its stream socket only when the hub's endpoints changed)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from hall.client import HubClient
from hall.core.layout import Layout
from hall.net.keys import set_enabled
from hall.server.hub import Hub, Security, wall_clock
from tests.hubs import HALL_TIME
from ui.hublink import HubLink


@pytest.fixture
def secure_hub(jiangbei: Layout, keys_dir: Path, tmp_path: Path) -> Iterator[Hub]:
    h = Hub(jiangbei, tmp_path / "hall.db", bind="tcp://127.0.0.1:0", security=Security.load(keys_dir),
            clock=wall_clock(HALL_TIME), heartbeat=0.25).start()  # fmt: skip
    yield h
    h.stop()


def test_a_reenabled_display_hears_the_hub_again(
    qtbot: QtBot, secure_hub: Hub, keys_dir: Path
) -> None:
    link = HubLink(secure_hub.endpoint, "display-2F", keys=keys_dir, timeout=0.5, retries=2,
                   ping_every=0.5, offline_after=1.0)  # fmt: skip
    with qtbot.waitSignal(link.synced, timeout=5000):
        link.start()
    try:
        set_enabled(keys_dir, "display-2F", False)
        qtbot.waitUntil(lambda: not link.online, timeout=8000)  # cut off: streams rebound
        time.sleep(1.0)  # refused handshakes meanwhile
        set_enabled(keys_dir, "display-2F", True)
        qtbot.waitUntil(lambda: link.online, timeout=10_000)
        seen: list[str] = []
        link.followed.connect(lambda ev: seen.append(ev.type))
        with HubClient(secure_hub.endpoint, device="manager-1", keys=keys_dir) as m:
            m.issue("G")
        qtbot.waitUntil(lambda: "ticket.issued" in seen, timeout=5000)
    finally:
        link.stop()
