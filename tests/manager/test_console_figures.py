"""Today's figures match hand-computed values for a small scripted morning."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from hall.client import HubClient
from hall.core.layout import Layout
from hall.server.hub import Hub
from manager.clock import ManualClock
from manager.figures import p90
from tests.manager.conftest import make_hub, open_console, save_shot

START = datetime(2026, 11, 26, 9, 0)


@pytest.fixture
def hub_clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def timed_hub(
    layout: Layout, items: dict[str, str], tmp_path: Path, hub_clock: ManualClock
) -> Iterator[Hub]:
    h = make_hub(layout, items, tmp_path / "hall.db", hub_clock)
    yield h
    h.stop()


def test_p90_nearest_rank() -> None:
    assert p90([]) is None
    assert p90([4, 12, 15]) == 15
    assert p90(list(range(1, 11))) == 9
    assert p90([2.0]) == 2.0


def test_figures_of_a_scripted_morning(
    qtbot: QtBot, timed_hub: Hub, hub_clock: ManualClock, tmp_path: Path
) -> None:
    c = open_console(qtbot, timed_hub.endpoint, START)
    at = hub_clock
    with HubClient(timed_hub.endpoint, device="manager-1") as m:
        for n, (no, name) in {
            1: ("S001", "王芳"),
            2: ("S002", "赵强"),
            9: ("S009", "李明"),
        }.items():
            m.open_window(n)
            m.sign_in(n, staff_no=no, name=name)
        # (time, command, argument): A001 waits 12 min, B001 2, A002 15, A003 4; B002 waits on.
        issue, call_next, finish = m.issue, m.call_next, m.finish
        script: list[tuple[tuple[int, int], Callable[[Any], dict[str, Any]], Any]] = [
            ((9, 1), issue, "G"), ((9, 6), issue, "G"), ((9, 11), issue, "M"),
            ((9, 13), call_next, 1), ((9, 13), call_next, 9),
            ((9, 21), finish, 1), ((9, 21), call_next, 1), ((9, 31), finish, 9),
            ((9, 41), finish, 1), ((10, 1), issue, "G"), ((10, 5), call_next, 2),
            ((10, 11), finish, 2), ((10, 21), issue, "M"),
        ]  # fmt: skip
        issued = []
        for (h, mi), cmd, arg in script:
            at.now = START.replace(hour=h, minute=mi)
            out = cmd(arg)
            if cmd is issue:
                issued.append(out["ticket"]["id"])
        a1, a2, b1 = issued[:3]
        m.rate(5, ticket=a1)
        m.rate(2, ticket=b1, reasons=["态度"])
        m.rate(4, ticket=a2)
    qtbot.waitUntil(lambda: sum(c.model.figures().ratings.values()) == 3, timeout=3000)
    f = c.model.figures()
    assert {q: dict(h) for q, h in f.issued_by_queue_hour.items()} == {
        "G": {9: 2, 10: 1},
        "M": {9: 1, 10: 1},
    }
    g, mq, everyone = f.waits["G"], f.waits["M"], f.waits[""]
    assert (g.count, g.mean, g.p90) == (3, pytest.approx(31 / 3), 15)
    assert (mq.count, mq.mean, mq.p90) == (1, 2, 2)
    assert (everyone.count, everyone.mean, everyone.p90) == (4, 8.25, 15)
    assert dict(f.served_by_window) == {1: 2, 9: 1, 2: 1}
    assert dict(f.served_by_clerk) == {"S001": 2, "S009": 1, "S002": 1}
    assert dict(f.ratings) == {5: 1, 4: 1, 2: 1}
    assert f.notes == []
    tab = c.window.figures
    c.window.tabs.setCurrentWidget(tab)
    c.model.refresh()
    assert tab.waits.item(1, 0).text() == "综合受理"  # type: ignore[union-attr]
    assert [tab.waits.item(1, k).text() for k in (1, 2, 3)] == ["3", "10.3", "15.0"]  # type: ignore[union-attr]
    assert tab.clerks.item(0, 0).text() == "王芳（S001）"  # type: ignore[union-attr]
    save_shot(c, "manager-figures", tmp_path)
    c.window.tick.stop()
    c.link.stop()

    # A console that connects after the morning knows the tickets but not their call
    # times, nor who served them, nor the ratings: it says so instead of guessing.
    late = open_console(qtbot, timed_hub.endpoint, START.replace(hour=10, minute=30))
    f2 = late.model.figures()
    assert {q: dict(h) for q, h in f2.issued_by_queue_hour.items()} == {
        "G": {9: 2, 10: 1},
        "M": {9: 1, 10: 1},
    }
    assert dict(f2.served_by_window) == {1: 2, 9: 1, 2: 1}
    assert f2.waits == {} and dict(f2.served_by_clerk) == {"": 4} and not f2.ratings
    assert len(f2.notes) == 3 and "4张票" in f2.notes[0]
    late.window.tabs.setCurrentWidget(late.window.figures)
    save_shot(late, "manager-figures-late", tmp_path)
    late.window.tick.stop()
    late.link.stop()
