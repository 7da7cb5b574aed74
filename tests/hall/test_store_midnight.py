"""Ticket numbers are never handed out twice, across midnight and a restart (issue 18): a
hall whose issuing hours cross midnight issued A001–A003 just after 00:00, before the
day's housekeeping; after a crash the hub gave out A001 again and the earlier rows were
silently replaced."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from hall.core.engine import Engine
from hall.core.layout import Layout, default_layout_path, parse_layout
from hall.server.store import Store


@pytest.fixture(scope="module")
def night_hall() -> Layout:
    """Jiangbei with issuing hours round the clock, every day."""
    text = default_layout_path().read_text("utf-8")
    text = text.replace('sessions = [["09:00", "17:00"]]', 'sessions = [["00:00", "23:59"]]')
    text = text.replace('issue_until = "16:30"', 'issue_until = "23:59"')
    text = text.replace(
        'working_days = ["mon", "tue", "wed", "thu", "fri"]',
        'working_days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]',
    )
    return parse_layout(text, "night.toml")


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _crash_after_midnight(layout: Layout, db: Path) -> tuple[Clock, list[tuple[str, str]]]:
    clock = Clock(datetime(2026, 12, 7, 23, 59, 57))
    store, engine = Store(db), Engine(layout, clock)
    store.restore(engine)
    store.apply(engine.housekeep())  # the day is 12-07
    clock.now = datetime(2026, 12, 8, 0, 0, 1)  # past midnight, housekeeping not yet run
    for _ in range(3):
        store.apply(engine.issue(queue="G"))
    rows = store.db.execute("SELECT id, issued_at FROM tickets ORDER BY id").fetchall()
    store.close()  # the crash: nothing more is written
    return clock, rows


def test_numbers_go_on_after_a_restart_past_midnight(night_hall: Layout, tmp_path: Path) -> None:
    db = tmp_path / "hall.db"
    clock, before = _crash_after_midnight(night_hall, db)
    assert [r[0] for r in before] == ["20261208-A001", "20261208-A002", "20261208-A003"]
    store, engine = Store(db), Engine(night_hall, clock)  # the restart
    store.restore(engine)
    clock.now += timedelta(seconds=5)
    store.apply(engine.housekeep())  # the new day's housekeeping now runs
    store.apply(engine.issue(queue="G"))
    ids = [r[0] for r in store.db.execute("SELECT id FROM tickets ORDER BY id").fetchall()]
    assert ids == [*(r[0] for r in before), "20261208-A004"]
    kept = dict(store.db.execute("SELECT id, issued_at FROM tickets").fetchall())
    assert all(kept[i] == at for i, at in before)  # the earlier rows were not replaced
    store.close()


def test_a_ticket_row_is_never_replaced_by_another_ticket(
    night_hall: Layout, tmp_path: Path
) -> None:
    """Whatever the engine says, the store refuses to overwrite a ticket with another one of
    the same id: the transaction fails instead of losing the first citizen's ticket."""
    db = tmp_path / "hall.db"
    clock, before = _crash_after_midnight(night_hall, db)
    store, engine = Store(db), Engine(night_hall, clock)
    store.restore(engine)
    engine.counters.clear()  # as the old restore did: the counters of 12-08 forgotten
    clock.now += timedelta(seconds=5)
    with pytest.raises(sqlite3.IntegrityError):
        store.apply(engine.issue(queue="G"))
    kept = dict(store.db.execute("SELECT id, issued_at FROM tickets").fetchall())
    assert all(kept[i] == at for i, at in before)
    store.close()
