"""事项评价覆盖率 from the items the counters recorded (``ticket.item_recorded``), computed
by hand. Jiangbei layout; window 1 (clerk 0101), window 9 (clerk 0901); Tue 1 Dec 2026.

    window 1: T1 kiosk SC-0001, the clerk corrects it to SC-0002 while serving; rated 5
              T2 no kiosk item, the clerk records SC-0002 while serving; not rated
              T3 no item at the finish (the reminder), recorded SC-0003 afterwards; rated 4
              T4 no item at all; rated 5 (counts for no item)
              T5 kiosk SC-0004, left as it was; not rated
    window 9: T6 the clerk records SC-0050; rated 1

Window 1 served SC-0002, SC-0003, SC-0004 and rated SC-0002, SC-0003: 2 / 3 = 66.7 %
(the kiosk's choices alone would give SC-0001 of SC-0001, SC-0004: 50 %). Window 9: 1 / 1.
The hall: SC-0002, SC-0003, SC-0050 of SC-0002, SC-0003, SC-0004, SC-0050: 3 / 4 = 75 %;
one finished service without an item (T4).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from hall.core.engine import Engine, Outcome
from hall.core.layout import Layout
from hall.reports.data import fold, load
from hall.reports.stats import Period, Stats, View
from hall.server.store import Store

DEC = Period(date(2026, 12, 1), date(2026, 12, 31))


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, layout: Layout, items: dict[str, str]) -> Path:
    path = tmp_path_factory.mktemp("coverage") / "hall.db"
    engine, store = Engine(layout, lambda: datetime(2026, 12, 1, 9, 0), items=items), Store(path)

    def do(fn: Callable[..., Outcome], **kw: object) -> Outcome:
        out = fn(**kw)
        store.apply(out)
        return out

    def serve(window: int, kiosk: str | None, during: str | None, after: str | None,
              rating: int | None) -> None:  # fmt: skip
        t = str(do(engine.issue, queue="G", item=kiosk).value["ticket"]["id"])
        do(engine.call_next, window=window)
        do(engine.start, window=window)
        if during:
            do(engine.record_item, window=window, ticket=t, item=during)
        do(engine.finish, window=window)
        if after:
            do(engine.record_item, window=window, ticket=t, item=after)
        if rating is not None:
            do(engine.rate, ticket=t, level=rating, reasons=["态度"] if rating < 3 else [])

    do(engine.housekeep)
    for w, no in ((1, "0101"), (9, "0901")):
        do(engine.sign_in, window=w, post="A", staff_no=no, name=f"办事员{no}")
        do(engine.open_window, window=w)
    serve(1, "SC-0001", "SC-0002", None, 5)
    serve(1, None, "SC-0002", None, None)
    serve(1, None, None, "SC-0003", 4)
    serve(1, None, None, None, 5)
    serve(1, "SC-0004", None, None, None)
    serve(9, None, "SC-0050", None, 1)
    store.close()
    return path


def row(view: View, key: Any) -> dict[str, Any]:
    r = next(r for r in view.rows if r[0] == key)
    return dict(zip(view.headers, r, strict=True))


def test_coverage_counts_the_recorded_items(db: Path, layout: Layout) -> None:
    s = Stats(load(db), layout, DEC, date(2026, 12, 2))
    v = s.rating_report("window")
    assert (row(v, 1)["办结"], row(v, 1)["评价数"]) == (5, 3)
    assert row(v, 1)["事项评价覆盖率(%)"] == 66.7
    assert row(v, 9)["事项评价覆盖率(%)"] == 100.0
    assert row(v, 2)["事项评价覆盖率(%)"] is None  # served nothing
    assert row(v, "合计")["事项评价覆盖率(%)"] == 75.0
    clerk = row(s.rating_report("clerk"), "0101")
    assert clerk["事项评价覆盖率(%)"] == 66.7
    ov = {r[0]: r[1] for r in s.overview().rows}
    assert (ov["事项评价覆盖率(%)"], ov["未记录事项的办结"]) == (75.0, 1)


def test_the_recorded_item_replaces_the_kiosks(db: Path) -> None:
    data = load(db)
    assert sorted((t.number, t.item or "") for t in data.tickets.values()) == [
        ("A001", "SC-0002"), ("A002", "SC-0002"), ("A003", "SC-0003"), ("A004", ""),
        ("A005", "SC-0004"), ("A006", "SC-0050"),
    ]  # fmt: skip


def test_the_event_wins_over_the_kiosks_choice(db: Path) -> None:
    """Folding the log alone, with the kiosk's choices as the tickets table once held them:
    the recorded item replaces the kiosk's (A001), a kiosk item never corrected stays (A005)."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT type, at, data FROM events ORDER BY id").fetchall()
    events = [(t, datetime.fromisoformat(a), json.loads(d)) for t, a, d in rows]
    kiosk = {"20261201-A001": "SC-0001", "20261201-A005": "SC-0004"}
    folded = fold(events, kiosk)
    assert folded.tickets["20261201-A001"].item == "SC-0002"
    assert folded.tickets["20261201-A005"].item == "SC-0004"
    assert folded.tickets["20261201-A003"].item == "SC-0003"
