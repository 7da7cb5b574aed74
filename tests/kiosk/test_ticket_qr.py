"""A ticket's QR read by the kiosk's scanner when the hall has a web gateway: it holds
``{public_url}/t/{token}``. The kiosk asks the hub how that ticket stands (by the token,
which never shows on screen, paper or in the log) and says so: place and wait, the window
to go to, on hold; a missed ticket is checked in again right there (the kiosk's check_in
with the ticket, within the layout's minutes), as a scan of the ticket's id does."""

from __future__ import annotations

import logging

import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from drivers.scanner.sim import SimScanner
from hall.client import HubClient
from hall.server.hub import Hub
from hall.wire import protocol as P
from kiosk.model import PrintState, Screen
from kiosk.pages import StatusPage
from ui import i18n

from .conftest import Kiosk, MakeKiosk
from .test_kiosk import error_page, spy_requests, wait_printed

PUBLIC = "https://yichuang.example.gov.cn"


def texts(root: QWidget) -> str:
    """Every text on the kiosk's widgets (shown or not)."""
    out = []
    for w in [root, *root.findChildren(QWidget)]:
        for get in ("text", "placeholderText", "toolTip", "accessibleName"):
            f = getattr(w, get, None)
            if callable(f):
                out.append(str(f()))
    return "\n".join(out)


def scan(qtbot: QtBot, k: Kiosk, token: str, screen: Screen = Screen.STATUS) -> None:
    scanner = k.model.cards.scanner
    assert isinstance(scanner, SimScanner)
    k.model.go_home()
    scanner.scan(f"{PUBLIC}/t/{token}\r\n")
    qtbot.waitUntil(lambda: k.model.screen is screen, timeout=5000)


def status_page(k: Kiosk) -> StatusPage:
    page = k.window.pages[Screen.STATUS]
    assert isinstance(page, StatusPage)
    return page


def test_a_scanned_ticket_page_shows_how_the_ticket_stands(
    qtbot: QtBot, hub: Hub, make_kiosk: MakeKiosk, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with HubClient(hub.endpoint, device="kiosk-2") as other:
        tickets = [other.issue("G")["ticket"] for _ in range(4)]
    tokens = [t["token"] for t in tickets]
    k = make_kiosk(hub.endpoint)
    sent = spy_requests(k)
    k.emulator.clear()

    scan(qtbot, k, tokens[2])  # waiting, two ahead
    page = status_page(k)
    assert page.number.text() == "A003" and page.headline.text() == "A003号正在等候"
    assert page.detail.text().startswith("前面还有 2 人 · 预计等候 ")
    assert page.detail.text().endswith("请到一楼综合受理区等候")
    assert [r.tokens for r in sent if isinstance(r, P.TicketStatus)] == [[tokens[2]]]
    k.shoot("ticket-qr-waiting")

    with HubClient(hub.endpoint, device="manager-1") as m:
        m.open_window(9)
        m.sign_in(9, staff_no="S009", name="办事员")
        m.call_next(9)  # A001
    scan(qtbot, k, tokens[0])
    assert page.headline.text() == "请到 9 号窗口" and "A001号已叫到" in page.detail.text()
    k.shoot("ticket-qr-called")
    i18n.set_language("en")
    try:
        k.window.refresh()
        assert page.headline.text() == "Please go to window 9"
        assert page.detail.text().startswith("A001 has been called")
        k.shoot("ticket-qr-called-en")
    finally:
        i18n.set_language("zh")
        k.window.refresh()

    with HubClient(hub.endpoint, device="manager-1") as m:
        m.park(9, note="补材料")
    scan(qtbot, k, tokens[0])
    assert page.headline.text() == "A001号已挂起"
    assert "9号窗口" in page.detail.text() and "服务台" in page.detail.text()
    k.shoot("ticket-qr-parked")

    # Nothing carried the token anywhere a person could read it.
    assert not [r for r in sent if isinstance(r, (P.Issue, P.CheckIn))]  # nothing issued
    assert k.emulator.received == b""  # nothing printed
    shown = texts(k.window) + "\n".join(r.getMessage() for r in caplog.records)
    assert not [t for t in tokens if t in shown]
    # the status goes home by itself like the other screens
    k.model.status_seconds = 0.2
    scan(qtbot, k, tokens[1])
    qtbot.waitUntil(lambda: k.model.screen is Screen.HOME, timeout=3000)


def test_a_missed_ticket_scanned_is_checked_in_again(
    qtbot: QtBot, hub: Hub, make_kiosk: MakeKiosk
) -> None:
    """The engine lets the kiosk check a missed ticket in again (its check_in with the
    ticket, within no_show.checkin_again_minutes): no trip to the service desk."""
    with HubClient(hub.endpoint, device="kiosk-2") as other:
        missed = other.issue("G")["ticket"]
        other.issue("G")
    with HubClient(hub.endpoint, device="manager-1") as m:
        m.open_window(9)
        m.sign_in(9, staff_no="S009", name="办事员")
        m.call_next(9)
        m.no_show(9)
    k = make_kiosk(hub.endpoint)
    sent = spy_requests(k)
    k.emulator.clear()
    # the wedge path: the scanner types the URL into whatever has focus, fast, and Enter
    target = QApplication.focusWidget() or k.window
    qtbot.keyClicks(target, f"{PUBLIC}/t/{missed['token']}")
    qtbot.keyClick(target, Qt.Key.Key_Return)
    wait_printed(qtbot, k, PrintState.PRINTED)
    assert [r.ticket for r in sent if isinstance(r, P.CheckIn)] == [missed["id"]]
    assert k.model.ticket is not None and k.model.ticket.number == missed["number"]
    assert hub.engine.tickets[missed["id"]].state.value == "waiting"
    assert missed["token"].encode() not in k.emulator.received  # the hall has no public_url
    assert missed["token"] not in texts(k.window)


def test_an_unknown_ticket_page_is_one_sentence(
    qtbot: QtBot, hub: Hub, make_kiosk: MakeKiosk
) -> None:
    k = make_kiosk(hub.endpoint)
    sent = spy_requests(k)
    scan(qtbot, k, "Zz" * 11, Screen.ERROR)
    assert error_page(k).text.text() == "未查到该号票，请扫描本大厅今日的号票"
    assert not error_page(k).retry.isVisible()
    assert not [r for r in sent if isinstance(r, (P.Issue, P.CheckIn))]


@pytest.mark.parametrize(
    ("state", "headline", "headline_en", "to_desk"),
    [
        ("waiting", "A007号正在等候", "A007 is waiting", False),
        ("transferred", "A007号正在等候", "A007 is waiting", False),
        ("called", "请到 5 号窗口", "Please go to window 5", False),
        ("serving", "请到 5 号窗口", "Please go to window 5", False),
        ("parked", "A007号已挂起", "A007 is on hold", True),
        ("no_show", "A007号已过号", "A007 was missed", True),
        ("finished", "A007号已办结", "A007 is finished", False),
        ("cancelled", "A007号已作废", "A007 is no longer valid", False),
    ],
)
def test_every_state_in_words(state: str, headline: str, headline_en: str, to_desk: bool) -> None:
    from hall.core.layout import default_layout_path, load_layout
    from hall.core.public import public_layout
    from kiosk.tickets import status_view

    layout = public_layout(load_layout(default_layout_path()))
    s = status_view(layout, {"number": "A007", "queue": "G", "state": state, "ahead": 3,
                             "wait_min": [4, 9], "window": 5, "window_floor": "1F"})  # fmt: skip
    assert (s.headline, s.headline_en, s.to_desk) == (headline, headline_en, to_desk)
    assert s.detail and s.detail_en and not any("\u4e00" <= c <= "\u9fff" for c in s.detail_en)
    if state == "waiting":
        assert s.detail.startswith("前面还有 3 人 · 预计等候 约4–9分钟")
