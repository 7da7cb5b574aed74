"""A device disabled and enabled again gets its streams back within seconds (issue 18: a Qt
display stayed offline with no events: libzmq does not reconnect after a refused CURVE
handshake, and the link reopened its stream socket only when the hub's endpoints changed)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from hall.client import HubClient
from hall.core.layout import Layout
from hall.net.keys import set_enabled
from hall.server.hub import Hub, Security, wall_clock
from hall.web.link import HubLink as WebLink
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


def test_a_reenabled_web_gateway_hears_the_hub_again(secure_hub: Hub, keys_dir: Path) -> None:
    """The gateway's follower thread died on the refusal of its ping (only HubUnavailable
    was expected), so it stayed 'online' with a stale board and heard nothing after the
    key was enabled again."""
    seen: list[str] = []
    link = WebLink(secure_hub.endpoint, device="web-1", keys=keys_dir, timeout=1.0,
                   offline_after=1.0, on_change=lambda ch: seen.extend(e.type for e in ch.events))  # fmt: skip
    link.start()
    try:
        assert _until(lambda: link.online, 10)
        set_enabled(keys_dir, "web-1", False)
        assert _until(lambda: not link.online, 10)  # cut off, and says so
        time.sleep(1.0)  # refused handshakes meanwhile
        set_enabled(keys_dir, "web-1", True)
        assert _until(lambda: link.online, 15)
        with HubClient(secure_hub.endpoint, device="manager-1", keys=keys_dir) as m:
            m.issue("G")
        assert _until(lambda: "ticket.issued" in seen, 5)
    finally:
        link.stop()


def _until(cond: Callable[[], bool], seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return cond()
