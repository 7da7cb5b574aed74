"""The evaluation pad against a real hub: a finish prompts it, ratings reach the hub."""

from __future__ import annotations

import signal
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest
from PyQt6.QtCore import Qt
from pytestqt.qtbot import QtBot

from hall.client import HubClient
from hall.core.events import Event, TicketFinished
from hall.server.hub import Hub
from rating.model import PadModel, Page
from rating.view import PadView
from tests.hubs import HubProcess
from tests.shots import save_shot
from ui.hublink import HubLink
from ui.model import HallModel

WINDOW = 5


class Pad:
    def __init__(self, qtbot: QtBot, endpoint: str, ask_timeout: float = 30.0) -> None:
        self.link = HubLink(endpoint, f"rating-{WINDOW}", timeout=0.5, retries=2,
                            offline_after=1.5)  # fmt: skip
        self.hall = HallModel(self.link)
        self.model = PadModel(self.hall, self.link, WINDOW, ask_timeout=ask_timeout,
                              thanks_seconds=0.5, message_seconds=0.5)  # fmt: skip
        self.view = PadView(self.model)
        qtbot.addWidget(self.view)
        self.view.resize(1280, 800)
        self.view.show()
        with qtbot.waitSignals([self.hall.layout_ready, self.link.synced], timeout=5000):
            self.link.start()


@pytest.fixture
def pad(qtbot: QtBot, hub: Hub) -> Iterator[Pad]:
    p = Pad(qtbot, hub.endpoint)
    yield p
    p.link.stop()


@pytest.fixture
def counter(hub: Hub) -> Iterator[HubClient]:
    with HubClient(hub.endpoint, device=f"counter-{WINDOW}") as c:
        c.open_window(WINDOW)
        c.sign_in(WINDOW, staff_no="S005", name="李晓红")
        yield c


def _serve_one(counter: HubClient, queue: str = "G") -> str:
    """Issue, call, finish: returns the finished ticket's id."""
    with HubClient(counter.endpoint, device="kiosk-1") as k:
        k.issue(queue)
    counter.call_next(WINDOW)
    counter.start(WINDOW)
    return str(counter.finish(WINDOW)["ticket"]["id"])


def _rated(hub: Hub, tmp_path: Path, ticket: str) -> bool:
    """Read the hub's own store (the test looks behind the hub; apps never may)."""
    with sqlite3.connect(tmp_path / "hall.db") as db:
        row = db.execute("SELECT rated FROM tickets WHERE id = ?", (ticket,)).fetchone()
    return bool(row[0])


def test_idle_shows_the_window_and_its_clerk(
    qtbot: QtBot, pad: Pad, counter: HubClient, tmp_path: Path
) -> None:
    qtbot.waitUntil(lambda: pad.view.idle_clerk.text() == "李晓红", timeout=2000)
    assert pad.view.idle_staff_no.text() == "工号 S005"
    assert pad.view.window_title.text() == "5号窗口" and pad.model.page is Page.IDLE
    save_shot(pad.view, tmp_path, "rating-idle-1280x800")


def test_a_finish_prompts_and_a_good_rating_reaches_the_hub(
    qtbot: QtBot, hub: Hub, pad: Pad, counter: HubClient, tmp_path: Path
) -> None:
    ticket = _serve_one(counter)
    qtbot.waitUntil(lambda: pad.model.page is Page.ASK, timeout=1000)
    assert pad.view.ask_ticket.text() == "A001 号办理完毕"
    save_shot(pad.view, tmp_path, "rating-ask-1280x800")
    qtbot.mouseClick(pad.view.level_buttons[5], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pad.model.page is Page.THANKS, timeout=3000)
    save_shot(pad.view, tmp_path, "rating-thanks-1280x800")
    assert _rated(hub, tmp_path, ticket)
    assert pad.model.sent == [(ticket, 5, [])]
    qtbot.waitUntil(lambda: pad.model.page is Page.IDLE, timeout=2000)


def test_a_bad_rating_with_reasons_opens_a_follow_up_case(
    qtbot: QtBot, hub: Hub, pad: Pad, counter: HubClient, tmp_path: Path
) -> None:
    ticket = _serve_one(counter)
    qtbot.waitUntil(lambda: pad.model.page is Page.ASK, timeout=1000)
    qtbot.mouseClick(pad.view.level_buttons[1], Qt.MouseButton.LeftButton)
    assert pad.model.page is Page.REASONS and pad.model.sent == []
    for r in ("效率", "态度", "其他"):
        qtbot.mouseClick(pad.view.reason_buttons[r], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(pad.view.reason_buttons["其他"], Qt.MouseButton.LeftButton)  # changed mind
    assert pad.view.reason_buttons["态度"].isChecked()
    assert not pad.view.reason_buttons["其他"].isChecked()
    save_shot(pad.view, tmp_path, "rating-reasons-1280x800")
    qtbot.mouseClick(pad.view.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pad.model.page is Page.THANKS, timeout=3000)
    with HubClient(hub.endpoint, device="manager-1") as m:
        cases = m.snapshot()["staff"]["cases"]
    case = cases[f"FU-{ticket}"]
    assert case["level"] == 1 and case["reasons"] == ["态度", "效率"] and case["window"] == WINDOW


def test_back_from_reasons_and_a_timeout_leaves_the_ticket_unrated(
    qtbot: QtBot, hub: Hub, counter: HubClient, tmp_path: Path
) -> None:
    pad = Pad(qtbot, hub.endpoint, ask_timeout=0.6)
    try:
        ticket = _serve_one(counter)
        qtbot.waitUntil(lambda: pad.model.page is Page.ASK, timeout=1000)
        pad.model.choose(2)
        pad.model.back()
        assert pad.model.page is Page.ASK and pad.model.level is None
        qtbot.waitUntil(lambda: pad.model.page is Page.IDLE, timeout=2000)
        qtbot.wait(300)
        assert pad.model.sent == [] and not _rated(hub, tmp_path, ticket)
        # Unrated, so still rateable by whoever may (a never-default rating left room for it).
        with HubClient(hub.endpoint, device="manager-1") as m:
            m.rate(4, ticket=ticket)
        assert _rated(hub, tmp_path, ticket)
    finally:
        pad.link.stop()


def test_a_second_rating_of_the_same_ticket_is_refused_politely(
    qtbot: QtBot, hub: Hub, pad: Pad, counter: HubClient, tmp_path: Path
) -> None:
    ticket = _serve_one(counter)
    qtbot.waitUntil(lambda: pad.model.page is Page.ASK, timeout=1000)
    with HubClient(hub.endpoint, device=f"rating-{WINDOW}") as other:
        other.rate(5)  # e.g. a second pad session already rated it
    pad.model.message_seconds = 5.0
    qtbot.mouseClick(pad.view.level_buttons[4], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pad.model.page is Page.MESSAGE, timeout=3000)
    assert pad.view.message_text.text() == "该号码已评价过，感谢您的支持"
    save_shot(pad.view, tmp_path, "rating-already-rated-1280x800")
    # The pad itself never asks twice for a ticket it has handled.
    pad.model.page = Page.IDLE
    data = TicketFinished(ticket={"id": ticket, "number": "A001"}, window=WINDOW, clerk=None)
    pad.model._on_event(Event(datetime(2026, 11, 26, 9, 30), data, 99))
    assert pad.model.page is Page.IDLE


def test_a_rating_the_hub_answers_late_still_thanks_the_citizen(
    qtbot: QtBot, hub_proc: HubProcess
) -> None:
    # The link gives a request up after ~1 s here (0.5 s × 2 tries): the pad said "could
    # not submit" while the hub, stopped meanwhile, kept the rating once continued.
    p = Pad(qtbot, hub_proc.endpoint)
    try:
        with HubClient(hub_proc.endpoint, device=f"counter-{WINDOW}") as c:
            c.open_window(WINDOW)
            c.sign_in(WINDOW, staff_no="S005", name="李晓红")
            ticket = _serve_one(c)
        qtbot.waitUntil(lambda: p.model.page is Page.ASK, timeout=10000)
        pages: list[tuple[float, str]] = []  # for the failure's message
        p.model.changed.connect(lambda: pages.append((time.monotonic(), p.model.page.value)))
        hub_proc.signal(signal.SIGSTOP)
        stopped = time.monotonic()
        try:
            qtbot.mouseClick(p.view.level_buttons[5], Qt.MouseButton.LeftButton)
            # Wait for the moment itself, not for a guess at it: the link has given the
            # hub up (offline) and the rating is still asked for after more tries than an
            # ordinary request gets (which would have told the pad "could not submit").
            retry = p.link._retry  # the link's own count of tries

            def past_an_ordinary_request() -> None:
                assert not p.link.online
                tries = [x.tries for x in retry.pending.values()]
                seen = [(round(t - stopped, 2), pg) for t, pg in pages]
                seen = [x for i, x in enumerate(seen) if i == 0 or x[1] != seen[i - 1][1]]
                assert any(n > p.link.retries for n in tries), (tries, seen, p.model.sent)

            qtbot.waitUntil(past_an_ordinary_request, timeout=10000)
            assert p.model.page is Page.SENDING
        finally:
            hub_proc.signal(signal.SIGCONT)
        qtbot.waitUntil(lambda: p.model.page is Page.THANKS, timeout=10000)
        with closing(sqlite3.connect(hub_proc.db)) as db:
            row = db.execute("SELECT rated FROM tickets WHERE id = ?", (ticket,)).fetchone()
        assert row is not None and bool(row[0])
        assert p.model.sent == [(ticket, 5, [])]
    finally:
        p.link.stop()
