"""The Qt link follows the hub on QSocketNotifiers: calls arrive, restarts resync, silence shows."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from hall.client import HubClient
from hall.core.layout import Layout
from hall.net.sockets import free_hub_port
from hall.server.hub import Hub
from hall.wire import protocol as P
from tests.hubs import start_hub
from ui.hublink import HubLink


def _link(qtbot: QtBot, endpoint: str, device: str = "display-2F") -> HubLink:
    link = HubLink(endpoint, device, timeout=0.5, retries=2, offline_after=1.5)
    with qtbot.waitSignal(link.synced, timeout=5000):
        link.start()
    return link


def test_a_call_reaches_the_link_once(qtbot: QtBot, hub: Hub) -> None:
    link = _link(qtbot, hub.endpoint)
    seen: list[str] = []
    link.followed.connect(
        lambda ev: seen.append(f"{ev.type}:{getattr(ev.data, 'ticket', {}).get('number')}")
    )
    with HubClient(hub.endpoint, device="manager-1") as m:
        m.open_window(9)
        m.sign_in(9, staff_no="S009", name="办事员")
        number = m.issue("M")["ticket"]["number"]
        with qtbot.waitSignal(
            link.followed, timeout=2000, check_params_cb=lambda ev: ev.type == "ticket.called"
        ):
            m.call_next(9)
    assert seen.count(f"ticket.called:{number}") == 1
    assert link.state["board"]["windows"]["9"]["current"] == number
    assert link.online
    link.stop()


def test_requests_get_replies_on_the_gui_thread(qtbot: QtBot, hub: Hub) -> None:
    link = _link(qtbot, hub.endpoint, device="kiosk-1")
    got: list[P.Ok | P.Error] = []
    with qtbot.waitSignal(link.replied, timeout=3000):
        link.request(P.Issue, got.append, queue="G")
    assert isinstance(got[0], P.Ok) and got[0].value["ticket"]["number"] == "A001"
    with qtbot.waitSignal(link.replied, timeout=3000):
        link.request(P.Issue, got.append, queue="NOPE")
    assert isinstance(got[1], P.Error) and got[1].code == "unknown_queue"
    link.stop()


def test_hub_restart_resyncs_without_replaying(
    qtbot: QtBot, layout: Layout, items: dict[str, str], tmp_path: Path
) -> None:
    hub = start_hub(layout, items, tmp_path / "hall.db", heartbeat=0.25)
    link = _link(qtbot, hub.endpoint)
    called: list[str] = []
    link.followed.connect(
        lambda ev: ev.type == "ticket.called" and called.append(ev.data.ticket["number"])
    )
    with HubClient(hub.endpoint, device="manager-1") as m:
        m.open_window(9)
        m.sign_in(9, staff_no="S009", name="办事员")
        m.issue("M")
        m.issue("M")
        m.call_next(9)
    qtbot.waitUntil(lambda: called == ["B001"], timeout=2000)
    endpoint = hub.endpoint
    with qtbot.waitSignal(link.online_changed, timeout=5000, check_params_cb=lambda on: not on):
        hub.stop()
    again = start_hub(layout, items, tmp_path / "hall.db", bind=endpoint, heartbeat=0.25)
    try:
        snaps = link.follower.snapshots
        qtbot.waitUntil(lambda: link.online and link.follower.snapshots > snaps, timeout=8000)
        assert link.state["board"]["windows"]["9"]["current"] == "B001"
        with HubClient(again.endpoint, device="manager-1") as m:
            m.finish(9)
            m.call_next(9)
        qtbot.waitUntil(lambda: called == ["B001", "B002"], timeout=3000)
    finally:
        link.stop()
        again.stop()


def test_no_hub_yet_is_a_warning_said_once_then_its_answer(
    qtbot: QtBot, layout: Layout, items: dict[str, str], tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    """A screen started before its hub: the hellos go unanswered. That was logged as an
    ERROR "the hub refused this device" at every try (nothing refused it); it is one
    WARNING, then one line when the hub answers."""
    port = free_hub_port()
    endpoint = f"tcp://127.0.0.1:{port}"
    link = HubLink(endpoint, "display-2F", timeout=0.3, retries=1, offline_after=1.0)
    with caplog.at_level(logging.INFO, logger="ui.hublink"):
        link.start()
        qtbot.waitUntil(lambda: any(r.name == "ui.hublink" for r in caplog.records),
                        timeout=10_000)  # fmt: skip
        assert not link.online
        qtbot.wait(2000)  # several more hellos go unanswered meanwhile
        hub = start_hub(layout, items, tmp_path / "hall.db", bind=endpoint)
        try:
            qtbot.waitUntil(lambda: link.online and link.welcome is not None, timeout=15_000)
        finally:
            link.stop()
            hub.stop()
    said = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "ui.hublink"]
    assert said == [(logging.WARNING, f"no answer from the hub at {endpoint}; trying again"),
                    (logging.INFO, f"the hub at {endpoint} answers")]  # fmt: skip
