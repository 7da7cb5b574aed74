"""Counters in a live hall: racing for tickets, following the manager, riding out a dead hub."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from hall.client import HubClient
from hall.core.layout import Layout
from hall.server.hub import Hub
from tests.hubs import start_hub
from ui import i18n

from .conftest import CounterFactory, board, key, sign_in, win5


def test_two_counters_pressing_call_next_together_never_share_a_ticket(
    qtbot: QtBot, hub: Hub, make_counter: CounterFactory
) -> None:
    c5, c6 = make_counter(hub.endpoint, 5), make_counter(hub.endpoint, 6)
    sign_in(qtbot, c5, "S0501", "赵一")
    sign_in(qtbot, c6, "S0601", "钱二")
    key(qtbot, c5, Qt.Key.Key_F10)
    key(qtbot, c6, Qt.Key.Key_F10)
    with HubClient(hub.endpoint, device="kiosk-1") as kiosk:
        for _ in range(10):
            kiosk.issue("G")
    called: list[str] = []
    for _ in range(5):
        # Both requests leave before either answer is read: the hub decides, one at a time.
        qtbot.keyClick(c5.view.work, Qt.Key.Key_F1)
        qtbot.keyClick(c6.view.work, Qt.Key.Key_F1)
        assert c5.model.busy == c6.model.busy == "call_next"
        qtbot.waitUntil(lambda: c5.model.busy is None and c6.model.busy is None, timeout=3000)
        a, b = c5.model.current(), c6.model.current()
        assert a is not None and b is not None
        assert a["number"] != b["number"]
        assert c5.view.work.ticket.number.text() == a["number"]
        assert c6.view.work.ticket.number.text() == b["number"]
        called += [a["number"], b["number"]]
        key(qtbot, c5, Qt.Key.Key_F4)
        key(qtbot, c6, Qt.Key.Key_F4)
    assert sorted(called) == [f"A{n:03d}" for n in range(1, 11)]
    with HubClient(hub.endpoint, device="manager-1") as m:
        states = [t["state"] for t in board(m)["tickets"].values()]
    assert states == ["finished"] * 10


def test_the_managers_profile_change_reaches_the_counter_and_the_next_call_follows_it(
    qtbot: QtBot, hub: Hub, make_counter: CounterFactory
) -> None:
    c = make_counter(hub.endpoint, 5)
    work = c.view.work
    sign_in(qtbot, c)
    key(qtbot, c, Qt.Key.Key_F10)
    qtbot.waitUntil(lambda: c.view.work.buttons["call_next"].isEnabled(), timeout=3000)
    with HubClient(hub.endpoint, device="manager-1") as m:
        first = m.issue("G")["ticket"]
        m.issue("M")
        m.issue("M")
        m.issue("G")
        qtbot.waitUntil(lambda: work.queues.rows["G"].text() == "等候 2 人", timeout=3000)
        assert list(work.queues.rows) == ["G"]
        key(qtbot, c, Qt.Key.Key_F1)
        assert c.model.current()["number"] == first["number"]
        # The citizen needs market supervision: transfer to that queue with a note.
        qtbot.keyClick(work, Qt.Key.Key_F6)
        dlg = work.dialog
        assert dlg is not None
        dlg.queue_choice.setCurrentIndex(dlg.queue_choice.findData("M"))
        dlg.note.insert("需核名")
        qtbot.mouseClick(dlg.ok, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: c.model.busy is None and c.model.current() is None, timeout=3000)

        m.set_profile(5, {"M": 2, "G": 1}, reason="市场监管排队较长")
        want = "管理员已调整本窗口服务队列：市场监管 ×2、综合受理 ×1（原因：市场监管排队较长）"
        qtbot.waitUntil(lambda: work.status.notice.text() == want, timeout=3000)
        assert work.queues.notice.text() == want and work.queues.notice.isVisible()
        assert list(work.queues.rows) == ["M", "G"]
        assert work.queues.rows["M"].text() == "等候 3 人"

        # The next call follows the new profile: the transferred ticket, oldest in M.
        key(qtbot, c, Qt.Key.Key_F1)
        cur = c.model.current()
        assert cur is not None and cur["id"] == first["id"] and cur["queue"] == "M"
        assert win5(m)["current"] == first["number"]
        assert work.ticket.values["queue"].text() == "市场监管"
        assert "由5号窗口转至市场监管（需核名）" in work.ticket.history.text()

        # an advisor's weights are read to three figures, not six ("×1.43759")
        m.set_profile(5, {"M": 1.43759, "G": 1}, reason="采纳调度建议")
        want = "管理员已调整本窗口服务队列：市场监管 ×1.44、综合受理 ×1（原因：采纳调度建议）"
        qtbot.waitUntil(lambda: work.status.notice.text() == want, timeout=3000)


def test_offline_keeps_the_ticket_refuses_clearly_and_recovers(
    qtbot: QtBot, layout: Layout, items: dict[str, str], tmp_path: Path,
    make_counter: CounterFactory, shoot: Callable[..., list[Path]],
) -> None:  # fmt: skip
    hub = start_hub(layout, items, tmp_path / "hall.db", heartbeat=0.25)
    endpoint = hub.endpoint
    c = make_counter(endpoint, 5)
    work = c.view.work
    try:
        sign_in(qtbot, c)
        key(qtbot, c, Qt.Key.Key_F10)
        qtbot.waitUntil(lambda: c.view.work.buttons["call_next"].isEnabled(), timeout=3000)
        with HubClient(endpoint, device="manager-1") as m:
            number = m.issue("G", channel="staff", green=True)["ticket"]["number"]
            m.issue("G")
        key(qtbot, c, Qt.Key.Key_F1)
        key(qtbot, c, Qt.Key.Key_F3)
        assert work.ticket.number.text() == number

        hub.stop()
        qtbot.waitUntil(lambda: not c.model.online, timeout=5000)
        assert work.status.online.text() == "● 离线"
        assert "离线" in work.status.notice.text()
        # The ticket stays on screen with what the clerk needs; every key is greyed out.
        assert work.ticket.number.text() == number
        assert work.ticket.state.text() == "办理中" and work.ticket.mark.text() == "绿色通道"
        assert not any(b.isEnabled() for b in work.buttons.values())
        shoot(c.view, "offline")
        # A key press sends nothing and says so.
        qtbot.keyClick(work, Qt.Key.Key_F4)
        assert work.status.notice.text() == "离线，请稍后再试"
        assert c.model.busy is None
        assert all(b'"finish"' not in p.body for p in c.link._retry.pending.values())

        hub = start_hub(layout, items, tmp_path / "hall.db", bind=endpoint, heartbeat=0.25)
        qtbot.waitUntil(lambda: c.model.online, timeout=10000)
        qtbot.waitUntil(lambda: work.buttons["finish"].isEnabled(), timeout=3000)
        assert work.status.notice.text() == "已恢复连接"
        assert work.ticket.number.text() == number and work.ticket.mark.text() == "绿色通道"
        with HubClient(endpoint, device="manager-1") as m:
            assert win5(m)["current_state"] == "serving"  # nothing was applied while away
            key(qtbot, c, Qt.Key.Key_F4)
            assert win5(m)["current"] is None
        assert work.ticket.number.text() == "—"
    finally:
        hub.stop()


def test_a_press_in_flight_when_the_hub_dies_ends_in_one_sentence(
    qtbot: QtBot, layout: Layout, items: dict[str, str], tmp_path: Path,
    make_counter: CounterFactory,
) -> None:  # fmt: skip
    hub = start_hub(layout, items, tmp_path / "hall.db", heartbeat=0.25)
    c = make_counter(hub.endpoint, 5)
    sign_in(qtbot, c)
    key(qtbot, c, Qt.Key.Key_F10)
    qtbot.waitUntil(lambda: c.view.work.buttons["call_next"].isEnabled(), timeout=3000)
    hub.stop()
    qtbot.keyClick(c.view.work, Qt.Key.Key_F1)  # still looks online: the request leaves
    assert c.model.busy == "call_next"
    qtbot.waitUntil(lambda: c.model.busy is None, timeout=8000)
    assert c.view.work.status.notice.text() == "离线，请稍后再试"
    assert c.model.current() is None


def test_the_counter_in_english(
    qtbot: QtBot, hub: Hub, make_counter: CounterFactory, qapp: object,
    shoot: Callable[..., list[Path]],
) -> None:  # fmt: skip
    i18n.set_language("en")
    try:
        c = make_counter(hub.endpoint, 5)
        assert c.view.sign_in.button.text() == "Sign in"
        sign_in(qtbot, c)
        key(qtbot, c, Qt.Key.Key_F10)
        work = c.view.work
        # the window's new state comes back on the board stream; until then F1 is refused
        qtbot.waitUntil(lambda: work.buttons["call_next"].isEnabled(), timeout=3000)
        with HubClient(hub.endpoint, device="manager-1") as m:
            m.issue("G", item="SC-0001")
            m.issue("M")
        key(qtbot, c, Qt.Key.Key_F1)
        assert work.buttons["call_next"].text() == "Call next\nF1"
        assert work.buttons["pause"].text() == "Pause\nF8"  # the counter's word, not the console's
        assert "2F · No-distinction window" in work.header.text()
        assert work.ticket.state.text() == "Called, waiting for the citizen"
        assert work.ticket.values["queue"].text() == c.model.queue_name("G") != "综合受理"
        assert work.status.notice.text() == "Called A001"
        qtbot.keyClick(work, Qt.Key.Key_F1)
        assert work.status.notice.text() == "Finish or hand on the current ticket first"
        shoot(c.view, "english")
    finally:
        i18n.set_language("zh")


def test_after_an_app_restart_the_clerk_carries_on_signed_in(
    qtbot: QtBot, hub: Hub, make_counter: CounterFactory
) -> None:
    first = make_counter(hub.endpoint, 5)
    sign_in(qtbot, first)
    first.link.stop()
    first.view.close()

    again = make_counter(hub.endpoint, 5)  # the same window's app, started afresh
    work = again.view.work
    qtbot.waitUntil(lambda: again.view.pages.currentWidget() is work, timeout=3000)
    assert again.model.clerk == {"post": "A", "staff_no": "S0512", "name": "李小梅"}
    assert "A岗 S0512 李小梅" in work.header.text()
    assert work.status.notice.text() == "已恢复签到：A岗 李小梅"
    key(qtbot, again, Qt.Key.Key_F10)  # and works: the hub takes its presses
    with HubClient(hub.endpoint, device="manager-1") as m:
        assert win5(m)["state"] == "open"


def test_a_sign_out_missed_while_offline_shows_on_return(
    qtbot: QtBot, layout: Layout, items: dict[str, str], tmp_path: Path,
    make_counter: CounterFactory,
) -> None:  # fmt: skip
    db = tmp_path / "hall.db"
    hub = start_hub(layout, items, db, heartbeat=0.25)
    endpoint = hub.endpoint
    c = make_counter(endpoint, 5)
    try:
        sign_in(qtbot, c)
        hub.stop()
        qtbot.waitUntil(lambda: not c.model.online, timeout=5000)
        # Meanwhile (the counter hears nothing) the manager signs the clerk out.
        other = start_hub(layout, items, db)
        with HubClient(other.endpoint, device="manager-1") as m:
            m.sign_out(5, post="A")
        other.stop()

        hub = start_hub(layout, items, db, bind=endpoint, heartbeat=0.25)
        qtbot.waitUntil(lambda: c.view.pages.currentWidget() is c.view.sign_in, timeout=10000)
        assert c.model.clerk is None
        assert c.model.notice_text == "您已被管理员签退"
    finally:
        hub.stop()


def test_after_a_restart_mid_service_the_ticket_shows_exactly_as_before(
    qtbot: QtBot, hub: Hub, make_counter: CounterFactory, shoot: Callable[..., list[Path]]
) -> None:
    """Issue 21: a counter restarted mid-service showed 证件信息 未刷证 and no wait."""
    from hall.core.idnumber import make_id_number
    from hall.wire import protocol as P

    first = make_counter(hub.endpoint, 5)
    sign_in(qtbot, first)
    key(qtbot, first, Qt.Key.Key_F10)
    qtbot.waitUntil(lambda: first.view.work.buttons["call_next"].isEnabled(), timeout=3000)
    card = P.Card(id_number=make_id_number("50010119850501123"), name="张三丰")
    with HubClient(hub.endpoint, device="kiosk-1") as kiosk:
        kiosk.issue("G", item="SC-0001", card=card)
    key(qtbot, first, Qt.Key.Key_F1)
    key(qtbot, first, Qt.Key.Key_F2)  # recall once
    key(qtbot, first, Qt.Key.Key_F3)  # start
    current = first.model.current()
    assert current is not None
    before = first.model.ticket_view(current)
    assert before["person"] != "未刷证" and before["waited"]
    first.link.stop()
    first.view.close()

    again = make_counter(hub.endpoint, 5)
    qtbot.waitUntil(lambda: again.model.current() is not None, timeout=3000)
    after = again.model.ticket_view(again.model.current())  # type: ignore[arg-type]
    assert after == before
    shoot(again.view, "restarted-mid-service")


def _overlaps(root: QWidget) -> list[tuple[str, str]]:
    """Visible labels and buttons of `root` whose rectangles on screen intersect."""
    from PyQt6.QtCore import QRect
    from PyQt6.QtWidgets import QAbstractButton, QLabel

    shown: list[tuple[QRect, QWidget]] = []
    for w in root.findChildren(QWidget):
        if isinstance(w, QLabel | QAbstractButton) and w.isVisible() and w.width() and w.height():
            if isinstance(w, QLabel) and not w.text():
                continue
            shown.append((QRect(w.mapTo(root, w.rect().topLeft()), w.size()), w))
    out = []
    for a, w in shown:  # a label squeezed below its text's height overlaps its neighbours
        if isinstance(w, QLabel):
            need = w.heightForWidth(w.width()) if w.wordWrap() else w.fontMetrics().height()
            if a.height() < need:
                out.append((w.text()[:20], f"squeezed to {a.height()} of {need} px"))
    for i, (a, wa) in enumerate(shown):
        for b, wb in shown[i + 1 :]:
            if wa.isAncestorOf(wb) or wb.isAncestorOf(wa):
                continue
            if a.intersects(b):
                name = lambda w: (w.text() if hasattr(w, "text") else "")[:20]  # noqa: E731
                out.append((name(wa), name(wb)))
    return out


def test_a_long_notice_from_the_manager_never_overlaps_the_queues(
    qtbot: QtBot, hub: Hub, make_counter: CounterFactory, shoot: Callable[..., list[Path]]
) -> None:
    c = make_counter(hub.endpoint, 5)
    sign_in(qtbot, c)
    key(qtbot, c, Qt.Key.Key_F10)
    with HubClient(hub.endpoint, device="manager-1") as m:
        m.set_profile(5, {"G": 1.0, "M": 0.5, "T": 0.5},
                      reason="市场监管和交通运输排队过长，请本窗口在午前兼办这两类业务，午后视情况恢复")  # fmt: skip
    qtbot.waitUntil(lambda: bool(c.model.profile_notice), timeout=3000)
    for w, h in ((1920, 1080), (1280, 800)):
        c.view.resize(w, h)
        qtbot.wait(50)
        assert c.view.work.queues.notice.isVisible()
        assert not _overlaps(c.view), (w, h, _overlaps(c.view))
    notice = c.view.work.queues.notice
    assert notice.toolTip() == c.model.profile_notice  # the whole, when the card shows less
    shoot(c.view, "long-profile-notice")
    with HubClient(hub.endpoint, device="kiosk-1") as kiosk:
        for _ in range(2):
            kiosk.issue("G")
    for _ in range(2):  # two tickets set aside: the parked list shows too
        key(qtbot, c, Qt.Key.Key_F1)
        key(qtbot, c, Qt.Key.Key_F3)
        assert c.model.press("park", note="补材料")
        qtbot.waitUntil(lambda: c.model.busy is None, timeout=3000)
    qtbot.waitUntil(lambda: len(c.model.parked()) == 2, timeout=3000)
    for w, h in ((1920, 1080), (1280, 800)):
        c.view.resize(w, h)
        qtbot.wait(50)
        assert not _overlaps(c.view), (w, h, _overlaps(c.view))
    shoot(c.view, "long-profile-notice-parked")
