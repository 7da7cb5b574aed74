"""预约签到 by typing an online booking's code at the kiosk (issue 20): keys of the code's
alphabet only, the code shown in groups as typed, delete / clear / back, and 签到 → the
booking's ticket, printed as after a card check-in. Each way a code cannot check in has
its own sentence, in Chinese and in English. Against a real hub; the booking is made
through the hub's booking command as the web gateway makes it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from hall.client import HubClient
from hall.core import errors as E
from hall.core.engine.booking import CODE_ALPHABET
from hall.core.idnumber import make_id_number
from hall.core.layout import Layout
from hall.server.hub import Hub
from hall.wire import protocol as P
from kiosk.model import PrintState, Screen
from kiosk.pages import CardPage, CodePage, DonePage
from tests.hubs import HALL_TIME, start_hub
from ui import i18n

from .conftest import Kiosk, MakeKiosk, person
from .test_kiosk import click, error_page, home, spy_requests, wait_printed


def book(hub: Hub, slot: datetime, queue: str = "M", n: int = 1) -> str:
    """A booking as `hall web` makes it (the web role's book_online): its code."""
    card = P.Card(id_number=make_id_number(f"50010519850501{n:03d}"), name="李四")
    with HubClient(hub.endpoint, device="web-1") as web:
        return str(web.book_online(card, queue, slot)["code"])


def code_page(k: Kiosk) -> CodePage:
    page = k.window.pages[Screen.CODE]
    assert isinstance(page, CodePage)
    return page


def open_code_screen(qtbot: QtBot, k: Kiosk) -> CodePage:
    click(qtbot, home(k).check_in)
    card = k.window.pages[Screen.CARD]
    assert isinstance(card, CardPage) and k.model.screen is Screen.CARD
    click(qtbot, card.type_code)
    assert k.model.screen is Screen.CODE
    return code_page(k)


def type_code(qtbot: QtBot, k: Kiosk, code: str) -> None:
    page = code_page(k)
    for ch in code:
        click(qtbot, page.keyboard.buttons[ch])


def test_type_the_code_and_get_the_bookings_ticket(
    qtbot: QtBot, hub: Hub, make_kiosk: MakeKiosk
) -> None:
    code = book(hub, datetime(2026, 11, 26, 9, 45))
    k = make_kiosk(hub.endpoint)
    sent = spy_requests(k)
    page = open_code_screen(qtbot, k)
    # only the code's alphabet: no 0/O, 1/I/L to mix up
    assert "".join(page.keyboard.buttons) == CODE_ALPHABET
    assert not {"0", "O", "1", "I", "L"} & set(page.keyboard.buttons)
    assert page.code.text() == "____ ____" and not page.submit.isEnabled()
    # a touch target a finger hits: at least 44 px either way (WCAG 2.5.5 asks 44)
    key = page.keyboard.buttons["2"]
    assert key.width() >= 44 and key.height() >= 44
    type_code(qtbot, k, code[:5])
    assert page.code.text() == f"{code[:4]} {code[4]}___"  # shown in groups as typed
    click(qtbot, page.keyboard.delete)
    assert page.code.text() == f"{code[:4]} ____"
    click(qtbot, page.clear)
    assert page.code.text() == "____ ____" and k.model.code_text == ""
    type_code(qtbot, k, code)
    assert page.code.text() == f"{code[:4]} {code[4:]}" and page.submit.isEnabled()
    click(qtbot, page.keyboard.buttons["2"])  # a ninth key is not taken
    assert k.model.code_text == code
    k.shoot("booking-code")
    k.model.set_large_text(True)
    k.shoot("booking-code-large")
    k.model.set_large_text(False)
    i18n.set_language("en")
    k.window.refresh()
    assert page.title.text() == "Enter your booking code" and page.submit.text() == "Check in"
    k.shoot("booking-code-en")
    i18n.set_language("zh")
    k.window.refresh()
    click(qtbot, page.submit)
    wait_printed(qtbot, k)
    assert [r.code for r in sent if isinstance(r, P.CheckIn)] == [code]
    assert k.model.ticket is not None and k.model.ticket.number == "B001"
    t = hub.engine.tickets[k.model.ticket.ticket_id]
    assert (t.channel, t.priority.value, t.queue) == ("appointment", "appointment", "M")
    assert b"B001" in k.emulator.printed  # on paper, as after a card check-in
    assert k.model.notice.zh == ""  # on time: no late notice


def test_back_and_a_card_meanwhile(qtbot: QtBot, hub: Hub, make_kiosk: MakeKiosk) -> None:
    k = make_kiosk(hub.endpoint)
    page = open_code_screen(qtbot, k)
    type_code(qtbot, k, "23")
    click(qtbot, page.back)
    assert k.model.screen is Screen.CARD and k.model.code_text == ""
    card = k.window.pages[Screen.CARD]
    assert isinstance(card, CardPage)
    click(qtbot, card.back)
    assert k.model.screen is Screen.HOME
    # A card tapped while typing: 预约签到 by card, as on the card prompt.
    open_code_screen(qtbot, k)
    type_code(qtbot, k, "23")
    k.id_reader.tap(person("孙八"))
    qtbot.waitUntil(lambda: k.model.checking_in, timeout=5000)
    assert k.model.screen is Screen.HOME and k.model.code_text == "23"
    k.model.go_home()
    assert k.model.code_text == ""  # the next citizen starts afresh


def refused(qtbot: QtBot, k: Kiosk, code: str) -> str:
    """Type `code` at the kiosk and submit: the error screen's sentence."""
    k.model.go_home()
    open_code_screen(qtbot, k)
    type_code(qtbot, k, code)
    click(qtbot, code_page(k).submit)
    qtbot.waitUntil(lambda: k.model.screen is Screen.ERROR, timeout=5000)
    return error_page(k).text.text()


def test_each_wrong_code_has_its_sentence(qtbot: QtBot, hub: Hub, make_kiosk: MakeKiosk) -> None:
    used = book(hub, datetime(2026, 11, 26, 9, 45), n=1)
    tomorrow = book(hub, datetime(2026, 11, 27, 10, 0), n=2)
    early = book(hub, datetime(2026, 11, 26, 11, 0), n=3)
    cancelled = book(hub, datetime(2026, 11, 26, 10, 0), n=4)
    with HubClient(hub.endpoint, device="web-1") as web:
        web.cancel_booking(cancelled)
    taken = {used, tomorrow, early, cancelled}
    unknown = next(c for c in ("23456789", "98765432", "ABCDEFGH") if c not in taken)
    with HubClient(hub.endpoint, device="kiosk-2") as other:
        first = other.check_in(code=used)["ticket"]["number"]
    k = make_kiosk(hub.endpoint)

    assert refused(qtbot, k, unknown) == E.UnknownBookingCode.message_zh
    # a typed code may be corrected: 重新输入 goes back to it, as typed
    page = error_page(k)
    assert page.retry.isVisible() and page.retry.text() == "重新输入"
    k.shoot("booking-code-unknown")
    click(qtbot, page.retry)
    assert k.model.screen is Screen.CODE and k.model.code_text == unknown
    assert refused(qtbot, k, used) == f"该预约已签到，您的号码是{first}"
    assert refused(qtbot, k, tomorrow) == "您预约的是2026-11-27，请在预约当天签到"
    assert refused(qtbot, k, early) == "预约时段为11:00，请于10:30后签到"
    assert refused(qtbot, k, cancelled) == E.BookingCancelled.message_zh
    i18n.set_language("en")
    try:
        assert refused(qtbot, k, unknown) == E.UnknownBookingCode.message_en
        assert refused(qtbot, k, tomorrow) == (
            "Your booking is for 2026-11-27; please check in on that day"
        )
        assert error_page(k).retry.text() == "Enter it again"
        k.shoot("booking-code-tomorrow-en")
    finally:
        i18n.set_language("zh")
    assert not [t for t in hub.engine.tickets.values() if t.number != first]  # none made


def test_a_scanned_code_is_not_offered_a_retype(
    qtbot: QtBot, hub: Hub, make_kiosk: MakeKiosk
) -> None:
    k = make_kiosk(hub.endpoint)
    k.model.code_scanned("23456789\r\n")
    qtbot.waitUntil(lambda: k.model.screen is Screen.ERROR, timeout=5000)
    assert error_page(k).text.text() == E.UnknownBookingCode.message_zh
    assert not error_page(k).retry.isVisible()


@pytest.mark.parametrize("late", [False, True], ids=["on-time", "late"])
def test_a_late_check_in_is_served_as_a_walk_in_and_told_so(
    qtbot: QtBot, layout: Layout, items: dict[str, str], tmp_path: Path,
    make_kiosk: MakeKiosk, late: bool,
) -> None:  # fmt: skip
    """The engine's rule (layout: later than appointment_late_minutes, served as a
    walk-in): the ticket comes, with one line saying why it is not an appointment's."""
    now = [HALL_TIME]  # the hall's clock, moved by the test
    hub = start_hub(layout, items, tmp_path / "hall.db", clock=lambda: now[0], heartbeat=0.25)
    try:
        code = book(hub, datetime(2026, 11, 26, 9, 45))
        if late:
            now[0] = datetime(2026, 11, 26, 10, 5)  # 20 minutes after the slot
        k = make_kiosk(hub.endpoint)
        open_code_screen(qtbot, k)
        type_code(qtbot, k, code)
        click(qtbot, code_page(k).submit)
        wait_printed(qtbot, k, PrintState.PRINTED)
        assert k.model.ticket is not None
        t = hub.engine.tickets[k.model.ticket.ticket_id]
        page = k.window.pages[Screen.DONE]
        assert isinstance(page, DonePage)
        if late:
            assert t.priority.value == "normal"
            assert page.note.isVisible()
            assert page.note.text() == "已超过预约时段（09:45），按现场取号顺序排队"
            k.shoot("booking-code-late")
        else:
            assert t.priority.value == "appointment" and not page.note.isVisible()
    finally:
        hub.stop()
