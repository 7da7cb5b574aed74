"""The console follows the hall live, and a profile change made in it reaches the counter."""

from __future__ import annotations

from pathlib import Path

import pytest
from PyQt6.QtCore import Qt
from pytestqt.qtbot import QtBot

from hall.client import HubClient
from hall.server.hub import Hub
from manager.rebalance import Change
from tests.manager.conftest import Console, save_shot


def row_of(table, text: str) -> list[str]:  # type: ignore[no-untyped-def]
    for r in range(table.rowCount()):
        cells = [table.item(r, c).text() for c in range(table.columnCount())]
        if cells[0].startswith(text):
            return cells
    raise AssertionError(f"no row {text!r}")


def waiting(c: Console, qid: str) -> int:
    return next(q.waiting for q in c.model.queues() if q.id == qid)


def test_windows_and_queues_live(qtbot: QtBot, hub: Hub, console: Console, tmp_path: Path) -> None:
    page = console.window.floor_pages["2F"]
    assert len(page.grid.cards) == 17
    with (
        HubClient(hub.endpoint, device="manager-1") as m,
        HubClient(hub.endpoint, device="kiosk-1") as k,
    ):
        m.open_window(9)
        m.sign_in(9, staff_no="S009", name="李明")
        for _ in range(3):
            k.issue("M")
        qtbot.waitUntil(lambda: row_of(page.queues, "市场监管")[2] == "3", timeout=3000)
        m.call_next(9)
        qtbot.waitUntil(lambda: "B001" in page.grid.cards[9].ticket.text(), timeout=3000)
        assert "叫号中" in page.grid.cards[9].head.text()
        assert "李明" in page.grid.cards[9].clerk.text()
        m.start(9)
        qtbot.waitUntil(lambda: "办理中" in page.grid.cards[9].head.text(), timeout=3000)
        console.clock.advance(minutes=7)
        console.model.refresh()
        assert "7分钟" in page.grid.cards[9].ticket.text()
        assert row_of(page.queues, "市场监管")[2] == "2"
        assert "关闭" in page.grid.cards[10].head.text()
    console.window.tabs.setCurrentIndex(1)
    save_shot(console, "manager-floor-live", tmp_path)


def test_profile_change_through_the_panel(
    qtbot: QtBot, hub: Hub, console: Console, tmp_path: Path
) -> None:
    panel = console.window.rebalance
    page = console.window.floor_pages["2F"]
    with (
        HubClient(hub.endpoint, device="manager-1") as m,
        HubClient(hub.endpoint, device="kiosk-1") as k,
    ):
        for n in (5, 9):
            m.open_window(n)
            m.sign_in(n, staff_no=f"S{n:03}", name=f"办事员{n}")
        for _ in range(6):
            k.issue("M")
        for _ in range(2):
            k.issue("G")
        qtbot.waitUntil(lambda: waiting(console, "M") == 6, timeout=3000)
        qtbot.mouseClick(page.grid.cards[5], Qt.MouseButton.LeftButton)
        assert panel.number == 5 and set(panel.checks) == {"G", "M", "T"}
        assert panel.profile() == {"G": 1.0}
        panel.checks["M"].setChecked(True)
        panel.checks["G"].setChecked(False)
        # The predicted effect is on screen before anything is applied.
        rows = {r[0]: r for r in panel.effect_rows()}
        assert set(rows) == {"综合受理（G）", "市场监管（M）"}
        m_row = rows["市场监管（M）"]
        assert m_row[1] == "6" and m_row[2] == "1 → 2"
        # one M window: (6+1)×15/1 = 105 min; two: 52.5 min
        assert m_row[3] == "105分钟" and m_row[4] == "52分钟"
        assert rows["综合受理（G）"][4] == "无窗口服务"  # window 5 was the only G window open
        effects = console.model.predict(Change(5, "profile", {"M": 1.0}))
        em = next(e for e in effects if e.queue == "M")
        assert em.better and em.after is not None and em.before is not None and em.after < em.before
        assert not panel.apply_btn.isEnabled()  # no reason yet
        console.window.tabs.setCurrentIndex(1)
        save_shot(console, "manager-rebalance-preview", tmp_path)
        panel.reason.setText("市场监管排队过长")
        assert panel.apply_btn.isEnabled()
        qtbot.mouseClick(panel.apply_btn, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(
            lambda: m.snapshot()["board"]["windows"]["5"]["profile"] == {"M": 1.0}, timeout=3000
        )
        qtbot.waitUntil(lambda: bool(console.model.change_log()), timeout=3000)
        log = console.model.change_log()[0]
        assert (log["window"], log["by"], log["reason"]) == (5, "manager-1", "市场监管排队过长")
    with HubClient(hub.endpoint, device="counter-5") as c5:
        got = c5.call_next(5)["ticket"]
        assert got["queue"] == "M" and got["number"].startswith("B")
    qtbot.waitUntil(lambda: "B" in page.grid.cards[5].ticket.text(), timeout=3000)
    assert "市场监管" in page.grid.cards[5].serves.text()


def test_refusals_and_window_actions(qtbot: QtBot, hub: Hub, console: Console) -> None:
    panel = console.window.rebalance
    msgs: list[tuple[str, bool]] = []
    console.model.message.connect(lambda t, e: msgs.append((t, e)))
    assert not console.model.apply(Change(5, "profile", {"M": 1.0}, ""))
    assert msgs[-1] == ("请填写调整原因", True)
    assert not console.model.apply(Change(9, "profile", {"T": 1.0}, "试试"))
    assert "不能办理" in msgs[-1][0]
    panel.select_window(12)
    assert panel.buttons["open"].isEnabled() is False
    panel.reason.setText("上午高峰加开窗口")
    assert panel.buttons["open"].isEnabled() and not panel.buttons["pause"].isEnabled()
    qtbot.mouseClick(panel.buttons["open"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: console.model.window(12).state == "idle", timeout=3000)  # type: ignore[union-attr]
    panel.reason.setText("系统维护")
    qtbot.mouseClick(panel.buttons["pause"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: console.model.window(12).state == "paused", timeout=3000)  # type: ignore[union-attr]
    assert console.model.window(12).pause_reason == "系统维护"  # type: ignore[union-attr]
    # The board's event may come before the reply the log entry waits for (two sockets).
    qtbot.waitUntil(
        lambda: [r["what"] for r in console.model.change_log()][:2] == ["pause", "open"],
        timeout=3000,
    )


@pytest.mark.parametrize("floor", ["1F", "2F", "3F"])
def test_the_floor_view_uses_the_screen(
    qtbot: QtBot, console: Console, floor: str, tmp_path: Path
) -> None:
    """Issue 21: the window tiles are sized to the floor, not left in a corner."""
    page = console.window.floor_pages[floor]
    tabs = console.window.tabs
    tabs.setCurrentIndex(next(i for i in range(tabs.count()) if tabs.widget(i).isAncestorOf(page)))
    qtbot.wait(100)
    cards = list(page.grid.cards.values())
    area = sum(c.width() * c.height() for c in cards)
    share = area / (page.width() * page.height())
    assert share >= 0.45, f"{floor}: the tiles cover {share:.0%} of the floor view"
    bottom = max(c.mapTo(page, c.rect().bottomLeft()).y() for c in cards)
    assert page.queues.geometry().top() >= bottom  # the queue table below, not over them
    assert page.queues.geometry().bottom() >= page.height() * 0.9  # and nothing empty below
    save_shot(console, f"floor-{floor}", tmp_path)
