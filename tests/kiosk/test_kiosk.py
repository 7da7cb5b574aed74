"""The kiosk against a real hub, the TCP printer emulator and simulated card readers.

Each test drives the window as a citizen would (clicks on the real buttons) and
saves screenshots of what the citizen saw at 1920×1080 and 1280×800.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from drivers.printer import open_printer
from drivers.sscard.vcard import CardHolder, VirtualSocialSecurityCard
from hall.client import HubClient
from hall.core.idnumber import make_id_number
from hall.core.layout import Layout
from hall.server.hub import Hub, wall_clock
from hall.wire import protocol as P
from kiosk.model import PHOTO_TEXT, PrintState, Screen
from kiosk.pages import DonePage, ErrorPage, HomePage, OfflinePage, SearchPage
from tests.hubs import start_hub
from ui import i18n

from .conftest import Kiosk, MakeKiosk, person


def click(qtbot: QtBot, w: QWidget) -> None:
    assert w.isVisible(), f"{w!r} is not visible"
    qtbot.mouseClick(w, Qt.MouseButton.LeftButton)


def home(k: Kiosk) -> HomePage:
    page = k.window.pages[Screen.HOME]
    assert isinstance(page, HomePage)
    return page


def done_page(k: Kiosk) -> DonePage:
    page = k.window.pages[Screen.DONE]
    assert isinstance(page, DonePage)
    return page


def error_page(k: Kiosk) -> ErrorPage:
    page = k.window.pages[Screen.ERROR]
    assert isinstance(page, ErrorPage)
    return page


def wait_printed(qtbot: QtBot, k: Kiosk, state: PrintState = PrintState.PRINTED) -> None:
    qtbot.waitUntil(lambda: k.model.screen is Screen.DONE, timeout=5000)
    qtbot.waitUntil(lambda: k.model.print_state is state, timeout=8000)


def spy_requests(k: Kiosk) -> list[P.Request]:
    sent: list[P.Request] = []
    original = k.link.send

    def send(req: P.Request, callback: Any = None, **kw: Any) -> str:
        sent.append(req)
        return original(req, callback, **kw)

    k.link.send = send  # type: ignore[method-assign]
    return sent


def test_pick_a_queue_prints_the_ticket(qtbot: QtBot, hub: Hub, make_kiosk: MakeKiosk) -> None:
    k = make_kiosk(hub.endpoint)
    page = home(k)
    assert set(page.buttons) == {"G", "M", "T", "E", "O"}
    qtbot.waitUntil(lambda: "等候 0 人" in page.buttons["G"].figures.text(), timeout=3000)
    k.shoot("home")
    click(qtbot, page.buttons["G"])
    wait_printed(qtbot, k)
    t = k.model.ticket
    assert t is not None and t.number == "A001"
    shown = done_page(k)
    assert shown.number.text() == "A001"
    assert shown.where.text() == "请到一楼综合受理区等候"
    assert "前面还有 0 人" in shown.ahead.text()
    assert shown.status.text() == "请取走号票，留意叫号"
    paper = k.emulator.received
    assert b"A001" in paper
    assert "综合受理".encode("gb18030") in paper
    assert "请到一楼综合受理区等候".encode("gb18030") in paper
    assert k.model.printer_health.ok
    k.shoot("done")


def test_the_queue_figures_are_live(qtbot: QtBot, hub: Hub, make_kiosk: MakeKiosk) -> None:
    from hall.client import HubClient

    k = make_kiosk(hub.endpoint)
    button = home(k).buttons["M"]
    with HubClient(hub.endpoint, device="manager-1") as m:
        m.issue("M")
        m.issue("M")
        qtbot.waitUntil(lambda: "等候 2 人" in button.figures.text(), timeout=3000)
        # No window serves the queue yet: no minutes are promised.
        qtbot.waitUntil(lambda: "暂无窗口办理" in button.figures.text(), timeout=3000)
        m.open_window(9)
        m.sign_in(9, staff_no="S009", name="办事员")
    qtbot.waitUntil(lambda: "分钟" in button.figures.text(), timeout=3000)


def test_a_tapped_id_card_goes_with_the_issue(
    qtbot: QtBot, hub: Hub, make_kiosk: MakeKiosk
) -> None:
    k = make_kiosk(hub.endpoint)
    sent = spy_requests(k)
    citizen = person("李小明")
    k.id_reader.tap(citizen)
    qtbot.waitUntil(lambda: k.model.person is not None, timeout=3000)
    page = home(k)
    assert page.greeting.isVisible() and "李**" in page.greeting.text()
    assert citizen.id_number not in page.greeting.text()
    assert not page.green.isVisible()
    k.shoot("home-card")
    click(qtbot, page.buttons["M"])
    wait_printed(qtbot, k)
    issues = [r for r in sent if isinstance(r, P.Issue)]
    assert len(issues) == 1 and issues[0].queue == "M"
    assert issues[0].card == P.Card(id_number=citizen.id_number, name="李小明",
                                    doc_type="resident", birth_date="1985-05-01")  # fmt: skip
    assert k.model.person is None  # the card holder is forgotten once the ticket is out
    # The hub knows it is the same person: a second ticket for the same queue is refused.
    click(qtbot, done_page(k).ok)
    k.id_reader.tap(citizen)
    qtbot.waitUntil(lambda: k.model.person is not None, timeout=3000)
    click(qtbot, home(k).buttons["M"])
    qtbot.waitUntil(lambda: k.model.screen is Screen.ERROR, timeout=3000)
    assert error_page(k).text.text() == "您已持有该业务的有效号码：B001"
    assert not error_page(k).retry.isVisible()
    k.shoot("refused")
    click(qtbot, error_page(k).home)
    assert k.model.screen is Screen.HOME and k.model.person is None


def test_green_channel_for_a_75_year_old(qtbot: QtBot, hub: Hub, make_kiosk: MakeKiosk) -> None:
    k = make_kiosk(hub.endpoint)
    k.id_reader.tap(person("王奶奶", birth=date(1951, 3, 8)))
    qtbot.waitUntil(lambda: k.model.person is not None, timeout=3000)
    assert k.model.green_offer
    page = home(k)
    assert page.green.isVisible() and "绿色通道" in page.green.text()
    k.shoot("green-offer")
    click(qtbot, page.buttons["G"])
    wait_printed(qtbot, k)
    assert k.model.ticket is not None and k.model.ticket.green  # the hub agreed
    assert done_page(k).green.isVisible()
    k.shoot("done-green")


def test_social_security_card_is_read(qtbot: QtBot, hub: Hub, make_kiosk: MakeKiosk) -> None:
    k = make_kiosk(hub.endpoint)
    holder = CardHolder(
        id_number=make_id_number("11010519900101002"), name="赵六", birth="19900101"
    )
    k.card_reader.insert(VirtualSocialSecurityCard(holder))
    qtbot.waitUntil(lambda: k.model.person is not None, timeout=3000)
    assert k.model.person is not None and k.model.person.source == "sscard"
    assert not k.model.green_offer


@pytest.mark.parametrize(
    ("fault", "health"),
    [("paper_out", "paper_out"), ("offline", "offline"), ("silent", "unknown"),
     ("cover_open", "cover_open"), ("cutter", "cutter_error")],
)  # fmt: skip
def test_printer_fault_still_issues_and_shows_the_number(
    qtbot: QtBot, hub: Hub, make_kiosk: MakeKiosk, fault: str, health: str
) -> None:
    k = make_kiosk(hub.endpoint)
    if fault == "paper_out":
        k.emulator.set_paper("out")
    elif fault == "offline":
        k.emulator.online = False
    elif fault == "cover_open":
        k.emulator.cover_open = True
    elif fault == "cutter":
        k.emulator.cutter_jam = True  # jams on this ticket's cut: found while it prints
    else:
        k.emulator.silent = True
    click(qtbot, home(k).buttons["T"])
    wait_printed(qtbot, k, PrintState.FAILED)
    page = done_page(k)
    assert page.number.text() == "C001"  # issued all the same, shown large
    assert page.status.text() == PHOTO_TEXT
    assert page.reason.isVisible() and "您的号码已经有效" in page.reason.text()
    h = k.model.printer_health
    assert not h.ok
    if health in ("paper_out", "cover_open", "cutter_error"):
        assert h.code == health  # the real fault, by name
        assert h.reason in k.window.footer.text()
    else:
        assert h.state.value == health
    assert "打印机" in k.window.footer.text() and "正常" not in k.window.footer.text()
    # The hub (and so the manager console) hears about the printer too.
    with HubClient(hub.endpoint, device="manager-1") as m:
        qtbot.waitUntil(
            lambda: m.snapshot()["staff"]["health"].get("kiosk-1", {}).get("printer", {})
            .get("state") == h.state.value,
            timeout=3000,
        )  # fmt: skip
        assert m.snapshot()["staff"]["health"]["kiosk-1"]["printer"]["code"] == h.code
    k.shoot(f"printer-{fault}")


def test_a_simulated_printer_is_never_shown_as_ok(
    qtbot: QtBot, hub: Hub, make_kiosk: MakeKiosk, tmp_path: Path
) -> None:
    """A kiosk writing PNGs (the demo's sim printer) says so, in Chinese and in English, and
    the hub hears 'sim', never 打印机正常 / Printer OK (issue 18)."""
    k = make_kiosk(hub.endpoint)
    k.model.printer.printer = open_printer(f"sim://printer?out={tmp_path / 'tickets'}")
    k.model.printer.check()
    qtbot.waitUntil(lambda: k.model.printer_health.code == "sim", timeout=3000)
    k.window.refresh()
    assert "模拟打印机" in k.window.footer.text() and "正常" not in k.window.footer.text()
    i18n.set_language("en")
    try:
        k.window.refresh()
        assert "Simulated printer" in k.window.footer.text()
        assert "OK" not in k.window.footer.text() and "模拟" not in k.window.footer.text()
    finally:
        i18n.set_language("zh")
    with HubClient(hub.endpoint, device="manager-1") as m:
        qtbot.waitUntil(
            lambda: m.snapshot()["staff"]["health"].get("kiosk-1", {}).get("printer", {})
            .get("code") == "sim",
            timeout=3000,
        )  # fmt: skip


def test_card_read_error_says_so_and_retries(qtbot: QtBot, hub: Hub, make_kiosk: MakeKiosk) -> None:
    k = make_kiosk(hub.endpoint)
    k.id_reader.tap(person(), remove_mid_read="status")
    qtbot.waitUntil(lambda: k.model.screen is Screen.ERROR, timeout=5000)
    page = error_page(k)
    assert k.model.error_is_card and page.retry.isVisible()
    assert "身份证" in page.text.text()
    k.shoot("card-error")
    click(qtbot, page.retry)
    assert k.model.screen is Screen.HOME
    k.id_reader.tap(person())
    qtbot.waitUntil(lambda: k.model.person is not None, timeout=3000)


def test_appointment_check_in_asks_for_a_card(
    qtbot: QtBot, hub: Hub, make_kiosk: MakeKiosk
) -> None:
    from hall.client import HubClient

    booked = person("孙八")
    with HubClient(hub.endpoint, device="manager-1") as m:
        card = P.Card(id_number=booked.id_number, name=booked.name)
        m.book_appointment(card, "M", datetime(2026, 11, 26, 9, 45))
    k = make_kiosk(hub.endpoint)
    sent = spy_requests(k)
    click(qtbot, home(k).check_in)
    assert k.model.screen is Screen.CARD
    k.shoot("card-prompt")
    k.id_reader.tap(booked)
    qtbot.waitUntil(lambda: k.model.checking_in, timeout=5000)
    assert k.model.screen is Screen.HOME and "预约" in home(k).prompt.text()
    click(qtbot, home(k).buttons["M"])
    wait_printed(qtbot, k)
    check_ins = [r for r in sent if isinstance(r, P.CheckIn)]
    sent_card = P.Card(id_number=booked.id_number, name=booked.name, doc_type="resident",
                       birth_date="1985-05-01")  # the kiosk says what the card is  # fmt: skip
    assert len(check_ins) == 1 and check_ins[0].queue == "M" and check_ins[0].card == sent_card
    assert k.model.ticket is not None and k.model.ticket.number == "B001"
    # Someone without an appointment hears it in one sentence.
    click(qtbot, done_page(k).ok)
    click(qtbot, home(k).check_in)
    k.id_reader.tap(person("周九", birth=date(1992, 2, 2)))
    qtbot.waitUntil(lambda: k.model.checking_in, timeout=5000)
    click(qtbot, home(k).buttons["M"])
    qtbot.waitUntil(lambda: k.model.screen is Screen.ERROR, timeout=3000)
    assert error_page(k).text.text() == "未查到您今日的预约"


def test_hall_closed_is_one_sentence(
    qtbot: QtBot, layout: Layout, items: dict[str, str], tmp_path: Path, make_kiosk: MakeKiosk
) -> None:
    evening = wall_clock(datetime(2026, 11, 26, 20, 0))
    hub = start_hub(layout, items, tmp_path / "closed.db", clock=evening, heartbeat=0.25)
    try:
        k = make_kiosk(hub.endpoint)
        click(qtbot, home(k).buttons["G"])
        qtbot.waitUntil(lambda: k.model.screen is Screen.ERROR, timeout=3000)
        assert error_page(k).text.text() == "当前不在取号时间"
    finally:
        hub.stop()


def test_catalogue_search_by_pinyin_initials(qtbot: QtBot, hub: Hub, make_kiosk: MakeKiosk) -> None:
    k = make_kiosk(hub.endpoint)
    click(qtbot, home(k).search)
    page = k.window.pages[Screen.SEARCH]
    assert isinstance(page, SearchPage) and k.model.screen is Screen.SEARCH
    for letter in "YYZZ":
        click(qtbot, page.keyboard.buttons[letter])
    assert page.edit.text() == "yyzz"
    names = [i.name for i in k.model.results]
    assert names and all(n.startswith("营业执照") for n in names[:4])
    assert page.items[0].text() == names[0]
    k.shoot("search")
    click(qtbot, page.items[0])
    wait_printed(qtbot, k)
    t = k.model.ticket
    assert t is not None and t.number == "B001" and t.item_name == names[0]
    assert names[0].encode("gb18030") in k.emulator.received


def test_idle_timeout_goes_home_and_forgets_the_person(
    qtbot: QtBot, hub: Hub, make_kiosk: MakeKiosk
) -> None:
    k = make_kiosk(hub.endpoint, idle_seconds=0.6)
    k.id_reader.tap(person("钱七"))
    qtbot.waitUntil(lambda: k.model.person is not None, timeout=3000)
    click(qtbot, home(k).search)
    k.model.search("yyzz")
    qtbot.waitUntil(lambda: k.model.screen is Screen.HOME, timeout=3000)
    assert k.model.person is None and k.model.search_text == "" and not k.model.results
    assert not home(k).greeting.isVisible()


def test_a_touch_anywhere_restarts_the_idle_countdown(
    qtbot: QtBot, hub: Hub, make_kiosk: MakeKiosk
) -> None:
    k = make_kiosk(hub.endpoint, idle_seconds=1.0)
    k.id_reader.tap(person("钱七"))
    qtbot.waitUntil(lambda: k.model.person is not None, timeout=3000)
    greeting = home(k).greeting  # a label, not a button
    assert greeting.isVisible()
    for _ in range(8):  # 2.4 s of touching the label: longer than the idle time
        qtbot.mouseClick(greeting, Qt.MouseButton.LeftButton)
        qtbot.wait(300)
    assert k.model.person is not None and k.model.screen is Screen.HOME
    qtbot.waitUntil(lambda: k.model.person is None, timeout=3000)  # left alone: home


def test_hub_down_shows_offline_and_recovers(
    qtbot: QtBot, layout: Layout, items: dict[str, str], tmp_path: Path, make_kiosk: MakeKiosk
) -> None:
    hub = start_hub(layout, items, tmp_path / "hall.db", heartbeat=0.25)
    endpoint = hub.endpoint
    k = make_kiosk(endpoint)
    hub.stop()
    qtbot.waitUntil(lambda: k.model.screen is Screen.OFFLINE, timeout=6000)
    offline = k.window.pages[Screen.OFFLINE]
    assert isinstance(offline, OfflinePage) and offline.isVisible()
    assert offline.text.text() == "暂时无法取号，请到服务台"
    k.shoot("offline")
    again = start_hub(layout, items, tmp_path / "hall.db", bind=endpoint, heartbeat=0.25)
    try:
        qtbot.waitUntil(lambda: k.model.screen is Screen.HOME, timeout=8000)
        click(qtbot, home(k).buttons["G"])
        wait_printed(qtbot, k)
        assert k.model.ticket is not None and k.model.ticket.number == "A001"
    finally:
        again.stop()


def test_english_switch(qtbot: QtBot, hub: Hub, make_kiosk: MakeKiosk) -> None:
    k = make_kiosk(hub.endpoint)
    click(qtbot, k.window.lang)
    page = home(k)
    assert page.buttons["M"].name.text() == "Market supervision"
    assert page.check_in.text() == "Appointment check-in"
    k.shoot("home-en")
    click(qtbot, page.buttons["M"])
    wait_printed(qtbot, k)
    assert done_page(k).where.text() == "Please wait in the Market supervision area, 2nd floor."
    k.shoot("done-en")
    click(qtbot, k.window.lang)
    click(qtbot, done_page(k).ok)
    assert home(k).check_in.text() == "预约签到"
