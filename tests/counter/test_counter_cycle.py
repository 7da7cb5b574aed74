"""A clerk's morning through the real widgets against a real hub: every press changes the
hub's state (seen by a manager's snapshot) and the counter shows it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PyQt6.QtCore import Qt
from pytestqt.qtbot import QtBot

from hall.client import HubClient
from hall.core.idnumber import make_id_number
from hall.server.hub import Hub
from hall.wire import protocol as P

from .conftest import CounterFactory, board, click, key, sign_in, win5

ELDER = make_id_number("50011219450101001")  # 81 years old: green channel


def test_a_clerks_full_cycle(
    qtbot: QtBot, hub: Hub, make_counter: CounterFactory,
    shoot: Callable[..., list[Path]],
) -> None:  # fmt: skip
    c = make_counter(hub.endpoint, 5)
    work = c.view.work
    with HubClient(hub.endpoint, device="manager-1") as m:
        elder = m.issue("G", item="SC-0001", card=P.Card(id_number=ELDER, name="张三丰"))
        numbers = [elder["ticket"]["number"]] + [m.issue("G")["ticket"]["number"] for _ in range(4)]
        qtbot.waitUntil(lambda: work.queues.rows["G"].text() == "等候 5 人", timeout=3000)
        shoot(c.view, "sign-in")

        # sign in (A post) — the hub knows the clerk
        sign_in(qtbot, c)
        assert win5(m)["clerk"] == {"post": "A", "staff_no": "S0512", "name": "李小梅"}
        assert "A岗 S0512 李小梅" in work.header.text()
        assert not work.buttons["call_next"].isEnabled()  # the window is still closed

        # open (F10)
        key(qtbot, c, Qt.Key.Key_F10)
        assert win5(m)["state"] == "open"
        qtbot.waitUntil(lambda: work.buttons["call_next"].isEnabled(), timeout=2000)
        assert "关窗" in work.buttons["open"].text()

        # call next (button): the elder comes first (green channel), person data masked
        click(qtbot, c, "call_next")
        assert win5(m)["current"] == numbers[0]
        card = work.ticket
        assert card.number.text() == numbers[0]
        assert card.mark.text() == "绿色通道" and card.mark.isVisible()
        assert card.values["item"].text() == "营业执照设立登记"
        assert card.values["person"].text().startswith("张*")
        assert "5001" in card.values["person"].text() and ELDER not in card.values["person"].text()
        assert card.values["issued"].text() == "09:30"
        assert card.values["queue"].text() == "综合受理"
        assert work.buttons["finish"].isEnabled()  # a called ticket may be finished too

        # recall (F2), counted on the card and in the hub
        key(qtbot, c, Qt.Key.Key_F2)
        qtbot.waitUntil(lambda: card.values["recalls"].text() == "已重呼 1 次", timeout=2000)
        assert hub.engine.tickets[elder["ticket"]["id"]].recalls == 1

        # start (F3) → serving
        key(qtbot, c, Qt.Key.Key_F3)
        assert win5(m)["current_state"] == "serving"
        qtbot.waitUntil(lambda: card.state.text() == "办理中", timeout=2000)
        assert not work.buttons["recall"].isEnabled() and not work.buttons["no_show"].isEnabled()
        shoot(c.view, "serving")

        # finish (F4) → the window is free, the ticket finished
        key(qtbot, c, Qt.Key.Key_F4)
        assert win5(m)["current"] is None
        assert board(m)["tickets"][elder["ticket"]["id"]]["state"] == "finished"
        assert card.number.text() == "—"
        assert "已办结" in work.status.notice.text()

        # transfer (F6 → dialog): to the market-supervision queue with a note
        key(qtbot, c, Qt.Key.Key_F1)
        second = c.model.current()
        assert second is not None and second["number"] == numbers[1]
        qtbot.keyClick(work, Qt.Key.Key_F6)
        dlg = work.dialog
        assert dlg is not None and dlg.isVisible()
        dlg.queue_choice.setCurrentIndex(dlg.queue_choice.findData("M"))
        dlg.note.insert("需市场监管审核")
        shoot(dlg, "transfer-dialog", sizes=((640, 300),))
        qtbot.mouseClick(dlg.ok, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: c.model.busy is None and c.model.current() is None, timeout=3000)
        t = board(m)["tickets"][second["id"]]
        assert (t["state"], t["queue"]) == ("waiting", "M")
        assert hub.engine.tickets[second["id"]].history[-1]["note"] == "需市场监管审核"

        # no-show (F5)
        key(qtbot, c, Qt.Key.Key_F1)
        third = c.model.current()
        assert third is not None
        key(qtbot, c, Qt.Key.Key_F5)
        assert board(m)["tickets"][third["id"]]["state"] == "no_show"
        assert win5(m)["current"] is None

        # park (F7 → note) and call back from the parked list
        key(qtbot, c, Qt.Key.Key_F1)
        fourth = c.model.current()
        assert fourth is not None
        qtbot.keyClick(work, Qt.Key.Key_F7)
        assert work.dialog is not None
        work.dialog.note.insert("回去取材料")
        qtbot.mouseClick(work.dialog.ok, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(
            lambda: c.model.busy is None and work.parked.list.count() == 1, timeout=3000
        )
        assert board(m)["tickets"][fourth["id"]]["state"] == "parked"
        assert work.parked.list.item(0).text().startswith(fourth["number"])
        assert work.buttons["call_back"].isEnabled()
        work.parked.list.setCurrentRow(0)
        qtbot.mouseClick(work.parked.call_back, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(
            lambda: c.model.busy is None and work.parked.list.count() == 0, timeout=3000
        )
        assert win5(m)["current"] == fourth["number"]
        assert "暂存" in card.history.text() and "回去取材料" in card.history.text()
        key(qtbot, c, Qt.Key.Key_F4)

        # pause with a common reason + free text (F8 → dialog), then resume (F8)
        qtbot.keyClick(work, Qt.Key.Key_F8)
        dlg = work.dialog
        assert dlg is not None
        dlg.reason.setCurrentIndex(1)
        dlg.detail.insert("13:00恢复")
        shoot(dlg, "pause-dialog", sizes=((640, 260),))
        qtbot.mouseClick(dlg.ok, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: c.model.state_name() == "paused", timeout=3000)
        w = win5(m)
        assert (w["state"], w["pause_reason"]) == ("paused", "午间休息：13:00恢复")
        assert "暂停服务（午间休息：13:00恢复）" in work.header.text()
        assert not work.buttons["call_next"].isEnabled()
        assert "恢复服务" in work.buttons["pause"].text()
        shoot(c.view, "paused")
        qtbot.keyClick(work, Qt.Key.Key_F1)  # a key that does not apply says why
        assert work.status.notice.text() == "窗口已暂停，请先恢复服务"
        key(qtbot, c, Qt.Key.Key_F8)
        assert win5(m)["state"] == "open"

        # sign out (F12) → back to the sign-in page
        key(qtbot, c, Qt.Key.Key_F12)
        assert win5(m)["clerk"] is None
        assert c.view.pages.currentWidget() is c.view.sign_in


def test_the_hubs_refusal_is_one_sentence(
    qtbot: QtBot, hub: Hub, make_counter: CounterFactory
) -> None:
    """A counter set up as window 6 on counter-5's key: the hub refuses, the clerk reads why."""
    c = make_counter(hub.endpoint, 6, device="counter-5")
    page = c.view.sign_in
    qtbot.keyClicks(page.staff_no, "S0601")
    page.name.insert("王五")
    qtbot.mouseClick(page.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: c.model.notice_level == "error", timeout=3000)
    text = page.status.notice.text()
    assert text.startswith("本设备无权进行该操作") and "5号窗口" in text and "\n" not in text
    assert c.view.pages.currentWidget() is page  # not signed in
    with HubClient(hub.endpoint, device="manager-1") as m:
        assert board(m)["windows"]["6"]["clerk"] is None
        # Even signed in by the manager, window 6 stays out of counter-5's reach.
        m.open_window(6)
        m.sign_in(6, staff_no="S0601", name="王五")
        m.issue("G")
        c.model.clerk = {"post": "A", "staff_no": "S0601", "name": "王五"}
        c.model.signed_in_changed.emit(True)
        qtbot.waitUntil(lambda: c.view.work.buttons["call_next"].isEnabled(), timeout=3000)
        key(qtbot, c, Qt.Key.Key_F1)
        assert c.model.notice_text.startswith("本设备无权进行该操作")
        assert board(m)["windows"]["6"]["current"] is None
        assert c.model.current() is None


def test_transfer_to_a_window_that_is_not_open_is_marked_and_warned(
    qtbot: QtBot, hub: Hub, make_counter: CounterFactory
) -> None:
    c = make_counter(hub.endpoint, 5)
    work = c.view.work
    with HubClient(hub.endpoint, device="manager-1") as m:
        t = m.issue("G")["ticket"]
        m.open_window(6)  # open next door: no mark in the list
        qtbot.waitUntil(lambda: c.model.hall.window_state(6).get("state") == "open", timeout=3000)
        sign_in(qtbot, c)
        key(qtbot, c, Qt.Key.Key_F10)
        qtbot.waitUntil(lambda: work.buttons["call_next"].isEnabled(), timeout=3000)
        key(qtbot, c, Qt.Key.Key_F1)
        qtbot.waitUntil(lambda: c.model.current() is not None, timeout=3000)
        qtbot.keyClick(work, Qt.Key.Key_F6)
        dlg = work.dialog
        assert dlg is not None
        i = dlg.window_choice.findData(31)  # the output window: closed this morning
        assert dlg.window_choice.itemText(i).endswith(" · 未开放")
        assert (
            dlg.window_choice.itemText(dlg.window_choice.findData(6))
            == "6号窗口 · 2F · 无差别综合窗口"
        )
        dlg.window_choice.setCurrentIndex(i)
        dlg.to_window.setChecked(True)
        qtbot.mouseClick(dlg.ok, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: c.model.busy is None and c.model.current() is None, timeout=3000)
        assert c.model.notice_level == "warn"
        assert work.status.notice.text() == (
            f"{t['number']} 已转出（31号窗口现未开放：群众将在该窗口开放后被叫号）"
        )
        assert hub.engine.tickets[t["id"]].target_window == 31
