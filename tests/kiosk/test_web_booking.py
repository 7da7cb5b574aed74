"""The booking flow end to end (issue 20): a citizen books today's slot on the gateway's page
in a real headless Chromium, reads the code, and checks in at the kiosk with it; the kiosk
prints an appointment ticket. Screenshots: the booking form and the code."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from hall.core.idnumber import make_id_number
from hall.server.hub import Hub
from hall.web.server import WebServer
from kiosk.model import PrintState, Screen

from .conftest import MakeKiosk

CHROMIUM = "/usr/bin/chromium"


def _shot(page: object, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    if os.environ.get("HALL_WEB_SHOTS"):
        Path(os.environ["HALL_WEB_SHOTS"]).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(os.environ["HALL_WEB_SHOTS"]) / path.name)
    assert path.stat().st_size > 5_000


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
def test_book_on_the_page_and_check_in_at_the_kiosk_with_the_code(
    qtbot: QtBot, hub: Hub, make_kiosk: MakeKiosk, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    idn = make_id_number("50010519850501923")
    web = WebServer(hub.endpoint, port=0).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.set_default_timeout(8000)
            page.goto(f"{web.url}/book")
            page.select_option("select[name=queue]", "M")
            page.fill("input[name=date]", "2026-11-26")  # today: the hall reads 09:30
            page.click("#pick input[type=submit]")
            page.check("input[name=slot][value='09:45']")
            page.fill("input[name=id_number]", idn)
            page.fill("input[name=name]", "李四")
            _shot(page, tmp_path, "booking-form")
            page.click("#book input[type=submit]")
            page.wait_for_selector("#code")
            code = page.inner_text("#code")
            assert page.locator("#qr svg").count() == 1
            html = page.content()
            assert idn not in html and "李四" not in html
            _shot(page, tmp_path, "booking-code")
            browser.close()
    finally:
        web.stop()
    k = make_kiosk(hub.endpoint)
    k.model.check_in_code(code.lower())
    qtbot.waitUntil(lambda: k.model.screen is Screen.DONE, timeout=5000)
    qtbot.waitUntil(lambda: k.model.print_state is PrintState.PRINTED, timeout=8000)
    assert k.model.ticket is not None and k.model.ticket.number == "B001"
    t = hub.engine.tickets[k.model.ticket.ticket_id]
    assert (t.channel, t.priority.value) == ("appointment", "appointment")
    k.model.go_home()
    k.model.check_in_code(code)  # once only
    qtbot.waitUntil(lambda: k.model.screen is Screen.ERROR, timeout=5000)


def test_a_scanned_booking_code_checks_the_booking_in(
    qtbot: QtBot, hub: Hub, make_kiosk: MakeKiosk
) -> None:
    """The booking page's QR holds the code: a kiosk scanner (wedge or serial) reading it
    checks the booking in, no card needed (issues 19 and 20)."""
    import httpx

    web = WebServer(hub.endpoint, port=0).start()
    try:
        body = {"queue": "M", "date": "2026-11-26", "slot": "09:45", "name": "李四",
                "id_number": make_id_number("50010519850501923")}  # fmt: skip
        r = httpx.post(f"{web.url}/api/bookings", json=body)
        assert r.status_code == 200, r.text
        code = r.json()["code"]
    finally:
        web.stop()
    k = make_kiosk(hub.endpoint)
    k.model.code_scanned(code + "\r\n")  # as a scanner sends it
    qtbot.waitUntil(lambda: k.model.screen is Screen.DONE, timeout=5000)
    assert k.model.ticket is not None
    t = hub.engine.tickets[k.model.ticket.ticket_id]
    assert (t.channel, t.queue) == ("appointment", "M")
