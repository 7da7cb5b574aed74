"""Alerts fire for each condition as the injected clock moves; follow-ups through the UI."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PyQt6.QtCore import Qt
from pytestqt.qtbot import QtBot

from hall.client import HubClient
from hall.core.layout import Layout
from hall.server.hub import Hub
from tests.manager.conftest import Console, make_hub, open_console, save_shot


def test_alerts_fire_with_the_clock(
    qtbot: QtBot, hub: Hub, console: Console, tmp_path: Path
) -> None:
    alerts = console.window.alerts
    with HubClient(hub.endpoint, device="manager-1") as m:
        m.open_window(9)
        m.sign_in(9, staff_no="S009", name="李明")
        m.open_window(10)
        m.sign_in(10, staff_no="S010", name="王芳")
        m.pause(10, reason="临时离岗")
        tid = m.issue("M")["ticket"]["id"]
        qtbot.waitUntil(lambda: console.model.window(10).state == "paused", timeout=3000)  # type: ignore[union-attr]
        qtbot.waitUntil(lambda: any(q.waiting for q in console.model.queues()), timeout=3000)
        assert console.model.alerts() == []
        console.clock.advance(minutes=4)
        console.model.refresh()
        assert alerts.alert_keys() == ["idle:9"]
        assert "9号窗口空闲4分钟" in alerts.list.item(0).text()  # type: ignore[union-attr]
        console.clock.advance(minutes=12)
        console.model.refresh()
        assert set(alerts.alert_keys()) == {"idle:9", "paused:10"}
        console.clock.advance(minutes=15)
        console.model.refresh()
        assert set(alerts.alert_keys()) == {f"wait:{tid}", "idle:9", "paused:10"}
        with HubClient(hub.endpoint, device="kiosk-1") as k:
            k.ping()
            qtbot.waitUntil(
                lambda: console.model.devices_state.get("kiosk-1") is True, timeout=3000
            )
        # The kiosk stops pinging: the hub marks it offline after its device timeout.
        qtbot.waitUntil(lambda: "offline:kiosk-1" in alerts.alert_keys(), timeout=6000)
        # A kiosk reports its printer low on paper through the hub.
        with HubClient(hub.endpoint, device="kiosk-2") as k2:
            k2.report_health(
                {"printer": {"state": "degraded", "reason": "纸将用尽", "code": "paper_low"}}
            )
        qtbot.waitUntil(
            lambda: console.model.refresh() or "paper:kiosk-2" in alerts.alert_keys(), timeout=3000
        )
        assert "打印纸将尽" in alerts.devices.text()
        m.call_next(9)
        m.finish(9)
        m.rate(1, ticket=tid, reasons=["态度"])
        qtbot.waitUntil(lambda: f"rating:{tid}" in alerts.alert_keys(), timeout=3000)
    console.model.refresh()
    assert "idle:9" not in alerts.alert_keys()  # idle again, but nobody waits for it now
    save_shot(console, "manager-alerts", tmp_path)


def test_follow_up_through_the_ui(qtbot: QtBot, hub: Hub, console: Console, tmp_path: Path) -> None:
    tab = console.window.followups
    with HubClient(hub.endpoint, device="manager-1") as m:
        m.open_window(9)
        m.sign_in(9, staff_no="S009", name="李明")
        tid = m.issue("M")["ticket"]["id"]
        m.call_next(9)
        m.finish(9)
        m.rate(2, ticket=tid, reasons=["效率", "材料要求"], comment="材料要求说得不清楚")
        qtbot.waitUntil(lambda: tab.table.rowCount() == 1, timeout=3000)
        case = tab.rows[0]
        assert (case.contact_due.isoformat(), case.rectify_due.isoformat()) == (
            "2026-11-27",
            "2026-12-02",
        )
        assert not case.overdue
        console.clock.now = datetime(2026, 11, 30, 10, 0)  # Monday: the contact deadline passed
        console.model.refresh()
        assert tab.rows[0].overdue == ("contact",)
        assert "已逾期" in tab.table.item(0, 7).text()  # type: ignore[union-attr]
        console.window.tabs.setCurrentWidget(tab)
        tab.table.selectRow(0)
        tab.note.setText("已电话联系群众，致歉并说明材料清单")
        save_shot(console, "manager-followups", tmp_path)
        assert not tab.buttons["close"].isEnabled()

        def state() -> str:
            return str(m.snapshot()["staff"]["cases"][case.id]["state"])

        qtbot.mouseClick(tab.buttons["contact"], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: state() == "contacted", timeout=3000)
        qtbot.waitUntil(lambda: tab.rows[0].state == "contacted", timeout=3000)
        tab.table.selectRow(0)
        qtbot.mouseClick(tab.buttons["complex"], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: tab.rows[0].complex, timeout=3000)
        assert tab.rows[0].rectify_due.isoformat() == "2026-12-15"  # 13 working days
        tab.table.selectRow(0)
        tab.note.setText("已更新材料清单并培训窗口人员")
        tab.answer.setCurrentIndex(tab.answer.findData("unsatisfied"))  # the citizen's answer
        qtbot.mouseClick(tab.buttons["rectify"], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: state() == "rectified", timeout=3000)
        qtbot.waitUntil(lambda: tab.rows[0].state == "rectified", timeout=3000)
        assert tab.answer.currentData() == ""  # back to "not recorded" after each use
        tab.table.selectRow(0)
        tab.note.setText("群众表示满意")
        tab.answer.setCurrentIndex(tab.answer.findData("satisfied"))
        qtbot.mouseClick(tab.buttons["close"], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: state() == "closed", timeout=3000)
        actions = m.snapshot()["staff"]["cases"][case.id]["actions"]
        assert [(a["action"], a["by"]) for a in actions] == [
            ("contact", "manager-1"), ("complex", "manager-1"), ("rectify", "manager-1"), ("close", "manager-1"),
        ]  # fmt: skip
        assert actions[0]["note"] == "已电话联系群众，致歉并说明材料清单"
        assert [a.get("answer") for a in actions] == [None, None, "unsatisfied", "satisfied"]
        assert "⚠" not in tab.summary.text()  # November: all deadlines in known years


def test_a_deadline_past_the_calendar_is_shown(
    qtbot: QtBot, layout: Layout, items: dict[str, str], tmp_path: Path
) -> None:
    start = datetime(2026, 12, 24, 10, 0)  # the 13th working day is in January 2027
    hub = make_hub(layout, items, tmp_path / "hall.db", clock=lambda: start)
    console = open_console(qtbot, hub.endpoint, start)
    tab = console.window.followups
    try:
        with HubClient(hub.endpoint, device="manager-1") as m:
            m.open_window(9)
            m.sign_in(9, staff_no="S009", name="李明")
            tid = m.issue("M")["ticket"]["id"]
            m.call_next(9)
            m.finish(9)
            m.rate(1, ticket=tid)
            qtbot.waitUntil(lambda: tab.table.rowCount() == 1, timeout=3000)
            qtbot.waitUntil(lambda: "⚠" in tab.summary.text(), timeout=3000)
            assert "2026-12-31" in tab.summary.text() and "2027-01-12" in tab.summary.text()
    finally:
        console.window.tick.stop()
        console.link.stop()
        hub.stop()
