"""The service desk against a real hub: a missed citizen checked in again, staff tickets
with and without an ID number, the green channel with a reason, bookings by code and by
ID number, reprints on the simulated printer, the day's queues; every action under the
desk's staff number."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from desk.model import DeskModel
from desk.view import DeskWindow
from drivers.printer import open_printer
from hall.client import HubClient
from hall.core import errors as E
from hall.core.idnumber import make_id_number, mask_id
from hall.server.hub import Hub
from hall.wire import protocol as P
from tests.shots import save_shot
from ui import i18n, theme
from ui.hublink import HubLink
from ui.model import HallModel

ID = make_id_number("50010119850501123")


@dataclass
class Desk:
    link: HubLink
    hall: HallModel
    model: DeskModel
    view: DeskWindow
    printer: Any


@pytest.fixture
def make_desk(qtbot: QtBot, qapp: Any, tmp_path: Path) -> Iterator[Callable[[str], Desk]]:
    theme.apply(qapp)
    made: list[Desk] = []

    def make(endpoint: str) -> Desk:
        link = HubLink(endpoint, "desk-1", timeout=0.5, retries=2, offline_after=3.0)
        hall = HallModel(link)
        printer = open_printer("sim://printer")
        model = DeskModel(hall, link, printer)
        view = DeskWindow(model)
        qtbot.addWidget(view)
        view.resize(1280, 800)
        view.show()
        with qtbot.waitSignals([hall.layout_ready, link.synced], timeout=5000):
            link.start()
        d = Desk(link, hall, model, view, printer)
        made.append(d)
        return d

    yield make
    for d in made:
        d.link.stop()


def click(qtbot: QtBot, w: QWidget) -> None:
    assert w.isEnabled(), w
    qtbot.mouseClick(w, Qt.MouseButton.LeftButton)


def sign_in(qtbot: QtBot, d: Desk, staff_no: str = "D0101") -> None:
    qtbot.keyClicks(d.view.staff_no, staff_no)
    click(qtbot, d.view.sign)
    assert d.model.staff_no == staff_no


def wait_answer(qtbot: QtBot, d: Desk) -> None:
    qtbot.waitUntil(lambda: not d.model.busy, timeout=3000)


def history(db: Path, number: str) -> list[dict[str, Any]]:
    import json

    with closing(sqlite3.connect(db)) as c:
        row = c.execute("SELECT history FROM tickets WHERE number = ?", (number,)).fetchone()
    assert row is not None, f"no ticket {number}"
    return list(json.loads(row[0]))


def test_a_missed_citizen_is_checked_in_again_at_the_desk(
    qtbot: QtBot, hub: Hub, make_desk: Callable[[str], Desk], tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    caplog.set_level(logging.INFO, logger="desk.model")
    with HubClient(hub.endpoint, device="manager-1") as m:
        m.open_window(5)
        m.sign_in(5, staff_no="S0501", name="赵一")
        missed = m.issue("G")["ticket"]
        m.issue("G")
        m.call_next(5)
        m.no_show(5)
    d = make_desk(hub.endpoint)
    page = d.view.find_page
    assert not page.find_button.isEnabled()  # nobody signed in: nothing can be done
    sign_in(qtbot, d)
    qtbot.keyClicks(page.number, missed["number"].lower())
    click(qtbot, page.find_button)
    wait_answer(qtbot, d)
    assert [t["number"] for t in d.model.tickets] == [missed["number"]]
    assert page.tickets.item(0, 2).text() == "已过号"  # a state in words
    page.tickets.selectRow(0)
    save_shot(d.view, tmp_path, "desk-missed")
    click(qtbot, page.again)
    wait_answer(qtbot, d)
    assert d.model.notice.level == "ok", d.model.notice
    with HubClient(hub.endpoint, device="manager-1") as m:
        board = m.snapshot()["board"]["tickets"]
    assert board[missed["id"]]["state"] == "waiting"
    assert page.tickets.item(0, 2).text() == "等候中"
    assert {"action": "check_in_again", "by": "D0101"}.items() <= history(
        hub.db_path, missed["number"]
    )[-1].items()
    assert any("D0101" in r.getMessage() and "check in A001 again" in r.getMessage()
               for r in caplog.records)  # fmt: skip
    assert not page.again.isEnabled()  # waiting again: nothing to check in
    # Sent all the same (another desk was quicker): the engine's rule, our sentence.
    d.model.check_in_again(d.model.tickets[0])
    wait_answer(qtbot, d)
    assert d.model.notice.level == "error"
    assert d.model.notice.zh == "该号码等候中，不能进行此操作"


def test_a_staff_ticket_with_a_typed_id_number_checked_and_masked(
    qtbot: QtBot, hub: Hub, make_desk: Callable[[str], Desk], tmp_path: Path
) -> None:
    d = make_desk(hub.endpoint)
    sign_in(qtbot, d)
    d.view.tabs.setCurrentWidget(d.view.issue)
    page = d.view.issue
    page.queue.setCurrentIndex(page.queue.findData("M"))
    bad = ID[:-1] + ("0" if ID[-1] != "0" else "1")
    qtbot.keyClicks(page.id_number, bad)
    assert page.masked.text() == ""  # not a valid number: nothing to show
    click(qtbot, page.issue)
    assert d.model.notice.zh == E.BadIdNumber.message_zh and not d.model.busy
    assert d.printer.printed == []  # nothing was sent, nothing printed
    page.id_number.clear()
    qtbot.keyClicks(page.id_number, ID)
    assert page.masked.text() == f"身份证：{mask_id(ID)}"
    assert ID not in page.masked.text()
    assert page.id_number.echoMode() == page.id_number.EchoMode.Password
    save_shot(d.view, tmp_path, "desk-issue-id")
    click(qtbot, page.issue)
    wait_answer(qtbot, d)
    assert d.model.issued is not None and d.model.issued["channel"] == "staff"
    assert d.model.issued["id_masked"] == mask_id(ID)
    assert page.id_number.text() == ""  # the clear number is gone from the screen
    assert [t.number for t in d.printer.printed] == [d.model.issued["number"]]
    # The same person again for the same queue: the hub's rule, our sentence.
    qtbot.keyClicks(page.id_number, ID)
    click(qtbot, page.issue)
    wait_answer(qtbot, d)
    assert d.model.notice.level == "error"
    assert d.model.notice.zh.startswith("您已持有该业务的有效号码")
    # Without an ID number: a ticket all the same (the desk issues as staff).
    page.id_number.clear()
    click(qtbot, page.issue)
    wait_answer(qtbot, d)
    assert d.model.notice.level == "ok" and d.model.issued["id_masked"] is None


def test_the_green_channel_needs_a_reason(
    qtbot: QtBot, hub: Hub, make_desk: Callable[[str], Desk]
) -> None:
    d = make_desk(hub.endpoint)
    sign_in(qtbot, d, "D0102")
    page = d.view.issue
    d.view.tabs.setCurrentWidget(page)
    page.queue.setCurrentIndex(page.queue.findData("G"))
    page.green.setChecked(True)
    click(qtbot, page.issue)
    assert d.model.notice.zh == E.ReasonRequired.message_zh and d.model.issued is None
    page.reason.insert("轮椅")  # Chinese comes from the IME, not QTest keys
    click(qtbot, page.issue)
    wait_answer(qtbot, d)
    assert d.model.issued is not None and d.model.issued["priority"] == "green"
    entry = history(hub.db_path, d.model.issued["number"])[-1]
    assert entry["by"] == "D0102" and entry["reason"] == "轮椅" and entry["green"] is True
    # the hub holds the rule too: a desk's green ticket without a reason is refused
    with HubClient(hub.endpoint, device="desk-1") as desk, pytest.raises(E.ReasonRequired):
        desk.issue("G", channel="staff", green=True)


def test_bookings_by_code_and_by_id_number_and_a_reprint(
    qtbot: QtBot, hub: Hub, make_desk: Callable[[str], Desk], tmp_path: Path
) -> None:
    card = P.Card(id_number=ID, name="张三")
    with HubClient(hub.endpoint, device="manager-1") as m:
        booked = m.book_appointment(card, "M", datetime(2026, 11, 26, 10, 0))
        code = booked["appointment"]
        walk_in = m.issue("G")["ticket"]
    assert code
    d = make_desk(hub.endpoint)
    sign_in(qtbot, d)
    page = d.view.find_page
    qtbot.keyClicks(page.code, code)
    click(qtbot, page.find_button)
    wait_answer(qtbot, d)
    assert [a["id"] for a in d.model.appointments] == [code]
    assert page.bookings.item(0, 2).text() == "10:00"
    page.bookings.selectRow(0)
    assert not page.check_in.isEnabled()  # by code only: the hub needs the card to check in
    page.code.clear()
    qtbot.keyClicks(page.id_number, ID)
    click(qtbot, page.find_button)
    wait_answer(qtbot, d)
    page.bookings.selectRow(0)
    save_shot(d.view, tmp_path, "desk-booking")
    click(qtbot, page.check_in)
    wait_answer(qtbot, d)
    assert d.model.notice.level == "ok", d.model.notice
    assert d.model.issued is not None and d.model.issued["priority"] == "appointment"
    booked_number = d.model.issued["number"]  # printed: the citizen needs the paper
    assert [t.number for t in d.printer.printed] == [booked_number]
    # a reprint of the walk-in's ticket
    page.id_number.clear()
    qtbot.keyClicks(page.number, walk_in["number"])
    click(qtbot, page.find_button)
    wait_answer(qtbot, d)
    page.tickets.selectRow(0)
    click(qtbot, page.reprint)
    assert [t.number for t in d.printer.printed] == [booked_number, walk_in["number"]]
    assert d.model.notice.zh == f"已补打{walk_in['number']}号"


def test_the_days_queues_and_the_desk_in_english(
    qtbot: QtBot, hub: Hub, make_desk: Callable[[str], Desk], tmp_path: Path
) -> None:
    with HubClient(hub.endpoint, device="manager-1") as m:
        for q in ("G", "G", "M"):
            m.issue(q)
        m.open_window(5)
    d = make_desk(hub.endpoint)
    page = d.view.queues
    d.view.tabs.setCurrentWidget(page)
    qtbot.waitUntil(lambda: page.table.rowCount() > 0, timeout=3000)
    rows = {page.table.item(r, 0).text(): page.table.item(r, 1).text()
            for r in range(page.table.rowCount())}  # fmt: skip
    assert rows["综合受理（G）"] == "2" and rows["市场监管（M）"] == "1"
    save_shot(d.view, tmp_path, "desk-queues")
    i18n.set_language("en")
    try:
        en = make_desk(hub.endpoint)
        sign_in(qtbot, en)
        qtbot.keyClicks(en.view.find_page.number, "A001")
        click(qtbot, en.view.find_page.find_button)
        wait_answer(qtbot, en)
        en.view.tabs.setCurrentWidget(en.view.queues)
        assert en.view.queues.table.item(0, 0).text().endswith(")")
        from tests.ui.test_english import ALWAYS_PROPER, chinese_in, texts_of

        found = chinese_in(texts_of(en.view), [en.hall.layout["name"], *ALWAYS_PROPER])
        assert not found, found
        save_shot(en.view, tmp_path, "desk-english")
    finally:
        i18n.set_language("zh")


def test_an_online_booking_found_by_its_code_is_checked_in_at_the_desk(
    qtbot: QtBot, hub: Hub, make_desk: Callable[[str], Desk], tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    """A citizen with the web booking's code and no card: the desk finds the booking by the
    code (typed as read out, any case, with a dash) and checks it in; the ticket is printed
    and the hub keeps the desk's staff number in its history."""
    caplog.set_level(logging.INFO, logger="desk.model")
    with HubClient(hub.endpoint, device="web-1") as web:
        code = web.book_online(P.Card(id_number=ID, name="张三"), "M",
                               datetime(2026, 11, 26, 9, 45))["code"]  # fmt: skip
    d = make_desk(hub.endpoint)
    sign_in(qtbot, d, "D0103")
    page = d.view.find_page
    qtbot.keyClicks(page.code, f"{code[:4].lower()}-{code[4:]}")
    click(qtbot, page.find_button)
    wait_answer(qtbot, d)
    assert [a["code"] for a in d.model.appointments] == [code]
    assert page.bookings.item(0, 0).text() == code and page.bookings.item(0, 3).text() == "—"
    assert not page.check_in.isEnabled()  # nothing selected yet
    page.bookings.selectRow(0)
    assert page.check_in.isEnabled()  # by its code: no card needed
    save_shot(d.view, tmp_path, "desk-booking-code")
    click(qtbot, page.check_in)
    wait_answer(qtbot, d)
    assert d.model.notice.level == "ok", d.model.notice
    t = d.model.issued
    assert t is not None and (t["queue"], t["channel"], t["priority"]) == (
        "M", "appointment", "appointment")  # fmt: skip
    assert [p.number for p in d.printer.printed] == [t["number"]]
    assert page.bookings.item(0, 3).text() == "已签到" and not page.check_in.isEnabled()
    entry = history(hub.db_path, t["number"])[-1]
    assert entry["action"] == "issued_by_staff" and entry["by"] == "D0103"
    assert any("D0103" in r.getMessage() and "by its code" in r.getMessage()
               for r in caplog.records)  # fmt: skip
    # The booking is used: checking it in again is refused in the catalogue's words.
    d.model.check_in_booking(d.model.appointments[0])
    wait_answer(qtbot, d)
    assert d.model.notice.level == "error"
    assert d.model.notice.zh == f"该预约已签到，您的号码是{t['number']}"


def test_a_selected_booking_is_painted_in_the_themes_selection_colours(
    qtbot: QtBot, hub: Hub, make_desk: Callable[[str], Desk]
) -> None:
    """Qt's own selection colour (white on a light blue, under 4.5:1) is not the theme's: a
    selected booking is painted in theme.SELECTION_BG, its text theme.SELECTION_FG (a pair
    held to AA in theme.PAIRS), whether the table has the focus or not."""
    from PyQt6.QtGui import QColor, QPalette

    card = P.Card(id_number=ID, name="张三")
    with HubClient(hub.endpoint, device="manager-1") as m:
        m.book_appointment(card, "M", datetime(2026, 11, 26, 10, 0))
    d = make_desk(hub.endpoint)
    sign_in(qtbot, d)
    page = d.view.find_page
    qtbot.keyClicks(page.id_number, ID)
    click(qtbot, page.find_button)
    wait_answer(qtbot, d)
    table = page.bookings
    assert table.rowCount() == 1
    cell = table.visualRect(table.model().index(0, 3))  # type: ignore[union-attr]

    def background() -> QColor:  # a cell's, on screen, away from its text
        image = table.viewport().grab().toImage()  # type: ignore[union-attr]
        return image.pixelColor(cell.left() + 3, cell.center().y())

    assert background() == QColor(theme.CARD)  # not selected: a white row
    table.selectRow(0)
    page.id_number.setFocus()  # the selection shows while the clerk types elsewhere, too
    qtbot.waitUntil(lambda: not table.hasFocus(), timeout=2000)
    pal = table.palette()
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        assert pal.color(group, QPalette.ColorRole.Highlight) == QColor(theme.SELECTION_BG)
        assert pal.color(group, QPalette.ColorRole.HighlightedText) == QColor(theme.SELECTION_FG)
    assert background() == QColor(theme.SELECTION_BG)
