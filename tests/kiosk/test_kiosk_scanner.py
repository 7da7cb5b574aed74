"""A scanned code reaches the kiosk: a missed ticket checks in again from its own QR."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from drivers.scanner.sim import SimScanner
from hall.client import HubClient
from hall.server.hub import Hub
from hall.wire import protocol as P
from kiosk.model import PrintState, Screen

from .conftest import Kiosk, MakeKiosk
from .test_kiosk import click, home, spy_requests, wait_printed


def missed_ticket(qtbot: QtBot, hub: Hub, k: Kiosk) -> str:
    """Take a ticket at the kiosk, then let window 9 call it and mark it a no-show."""
    click(qtbot, home(k).buttons["M"])
    wait_printed(qtbot, k)
    assert k.model.ticket is not None
    ticket_id = k.model.ticket.ticket_id
    k.model.go_home()
    with HubClient(hub.endpoint, device="manager-1") as m:
        m.open_window(9)
        m.sign_in(9, staff_no="S009", name="办事员")
        m.call_next(9)
        m.no_show(9)
    return ticket_id


def test_a_wedge_scan_of_a_missed_ticket_checks_it_in_again(
    qtbot: QtBot, hub: Hub, make_kiosk: MakeKiosk
) -> None:
    k = make_kiosk(hub.endpoint)
    ticket_id = missed_ticket(qtbot, hub, k)
    sent = spy_requests(k)
    k.emulator.clear()
    # The scanner types the code, fast, into whatever has focus, and presses Enter.
    target = QApplication.focusWidget() or k.window
    qtbot.keyClicks(target, ticket_id)
    qtbot.keyClick(target, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: k.model.screen is Screen.DONE, timeout=5000)
    assert [r.ticket for r in sent if isinstance(r, P.CheckIn)] == [ticket_id]
    assert k.model.ticket is not None and k.model.ticket.ticket_id == ticket_id
    wait_printed(qtbot, k, PrintState.PRINTED)
    with HubClient(hub.endpoint, device="manager-1") as m:
        states = {t["id"]: t["state"] for t in m.snapshot()["board"]["tickets"].values()}
    assert states[ticket_id] == "waiting"


def test_a_serial_scan_reaches_the_kiosk_and_a_stranger_code_is_refused(
    qtbot: QtBot, hub: Hub, make_kiosk: MakeKiosk
) -> None:
    k = make_kiosk(hub.endpoint)
    scanner = k.model.cards.scanner
    assert isinstance(scanner, SimScanner)
    sent = spy_requests(k)
    scanner.scan("https://pay.example.com/not-ours")
    qtbot.waitUntil(lambda: k.model.screen is Screen.ERROR, timeout=5000)
    assert "号票" in k.model.error.zh and not k.model.error_is_card
    assert not [r for r in sent if isinstance(r, P.CheckIn)]
    k.model.go_home()
    ticket_id = missed_ticket(qtbot, hub, k)
    scanner.scan(ticket_id)
    qtbot.waitUntil(lambda: k.model.screen is Screen.DONE, timeout=5000)
    assert k.model.ticket is not None and k.model.ticket.ticket_id == ticket_id


def test_typing_slowly_is_not_a_scan(qtbot: QtBot, hub: Hub, make_kiosk: MakeKiosk) -> None:
    k = make_kiosk(hub.endpoint)
    sent = spy_requests(k)
    target = QApplication.focusWidget() or k.window
    for ch in "20261126-M001":
        qtbot.keyClick(target, ch)
        qtbot.wait(70)  # a person, not a scanner
    qtbot.keyClick(target, Qt.Key.Key_Return)
    qtbot.wait(200)
    assert k.model.screen is Screen.HOME
    assert not [r for r in sent if isinstance(r, P.CheckIn)]
