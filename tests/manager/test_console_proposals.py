"""The advisor's proposals on the console: with its predicted effect, taken into the editor."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PyQt6.QtCore import Qt
from pytestqt.qtbot import QtBot

from hall.client import HubClient
from hall.core.events import AdvisorProposal, Event
from hall.core.layout import AdvisorSettings, Layout
from hall.server.hub import Hub
from manager.live import LiveLog
from tests.hubs import HALL_TIME, start_hub
from tests.manager.conftest import Console, open_console, save_shot


@pytest.fixture
def advising_hub(layout: Layout, items: dict[str, str], tmp_path: Path) -> Iterator[Hub]:
    """Proposals only (no auto-apply), the advisor every 0.3 s."""
    h = start_hub(replace(layout, advisor=AdvisorSettings(True, False, 5.0)), items,
                  tmp_path / "hall.db", heartbeat=0.25, advise_every=0.3)  # fmt: skip
    yield h
    h.stop()


def test_proposal_with_effect_taken_into_the_editor(
    qtbot: QtBot, advising_hub: Hub, tmp_path: Path
) -> None:
    c: Console = open_console(qtbot, advising_hub.endpoint, HALL_TIME)
    try:
        panel = c.window.rebalance
        with HubClient(advising_hub.endpoint, device="manager-1") as m:
            for n in (5, 9, 10):  # general window 5 may help M; 9, 10 are M windows
                m.open_window(n)
                m.sign_in(n, staff_no=f"S{n:03d}", name=f"办事员{n}")
            for _ in range(14):
                m.issue(queue="M")
        qtbot.waitUntil(lambda: panel.proposals.count() > 0, timeout=8000)
        p = c.model.proposals()[0]
        text = panel.proposals.item(0).text()
        assert p.window == 5 and "M" in p.profile
        assert text.startswith(f"[{p.at:%H:%M}] 5号窗口 → ") and "5号窗口兼办市场监管" in text
        # the advisor's own prediction, as it published it: M waits less after the move
        before, after = p.effect["M"]
        assert after < before
        assert f"市场监管 {before:.0f}→{after:.0f}分钟" in text, text
        save_shot(c, "manager-advisor-proposal", tmp_path)
        panel.take_proposal(5)
        assert panel.number == 5 and panel.profile() == p.profile
        assert panel.reason.text().startswith("采纳调度建议：")
        rows = {r[0]: r for r in panel.effect_rows()}
        assert "市场监管（M）" in rows  # the console's own preview, before applying
    finally:
        c.window.tick.stop()
        c.link.stop()


def test_take_all_applies_every_proposal(qtbot: QtBot, advising_hub: Hub, tmp_path: Path) -> None:
    c: Console = open_console(qtbot, advising_hub.endpoint, HALL_TIME)
    try:
        panel = c.window.rebalance
        assert not panel.take_all_btn.isVisible()
        with HubClient(advising_hub.endpoint, device="manager-1") as m:
            for n in (5, 6, 7, 9):  # three general windows of 2F may help the one M window
                m.open_window(n)
                m.sign_in(n, staff_no=f"S{n:03d}", name=f"办事员{n}")
            for _ in range(40):
                m.issue(queue="M")
        qtbot.waitUntil(lambda: panel.proposals.count() >= 2, timeout=8000)
        assert panel.take_all_btn.isVisible()
        save_shot(c, "manager-advisor-take-all", tmp_path)
        proposed = {p.window: p.profile for p in c.model.proposals()}
        qtbot.mouseClick(panel.take_all_btn, Qt.MouseButton.LeftButton)
        engine = advising_hub.engine
        qtbot.waitUntil(
            lambda: all(engine.windows[n].profile == prof for n, prof in proposed.items()),
            timeout=5000,
        )
        qtbot.waitUntil(lambda: len(c.model.change_log()) >= len(proposed), timeout=3000)
        reasons = [r["reason"] for r in c.model.change_log()]
        assert all(r.startswith("采纳调度建议：") for r in reasons)
        qtbot.waitUntil(lambda: panel.log.count() >= len(proposed), timeout=3000)
        assert panel.log.horizontalScrollBar().maximum() == 0  # type: ignore[union-attr]
        save_shot(c, "manager-advisor-taken", tmp_path)
        qtbot.waitUntil(lambda: not any(p.window in proposed for p in c.model.proposals()),
                        timeout=3000)  # fmt: skip
    finally:
        c.window.tick.stop()
        c.link.stop()


def test_an_unreadable_effect_leaves_the_proposal() -> None:
    live = LiveLog()
    at = datetime(2026, 11, 26, 10)
    # Structs check their fields when decoded, not when made: these stand for a hub's
    # proposal whose figures the console cannot read.
    bad_effect: Any = {"M": [12, 4], "G": ["x"], "T": None}
    live.feed(Event(at, AdvisorProposal(window=5, profile={"M": 1}, reason="r", effect=bad_effect)))
    live.feed(Event(at, AdvisorProposal(window="x", profile={"M": 1}, reason="")))  # type: ignore[arg-type]
    live.feed(Event(at, AdvisorProposal(window=6, profile={"G": 1}, reason="", effect="garbage")))  # type: ignore[arg-type]
    assert [(p.window, p.effect) for p in live.proposals] == [(5, {"M": (12.0, 4.0)}), (6, {})]
