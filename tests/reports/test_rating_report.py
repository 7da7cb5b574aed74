"""The monthly 好差评 report from a real database, every figure computed by hand.

Jiangbei layout; window 1 (clerk 0101 张三), window 9 (clerk 0901 李四).

November (the previous month), Thu 26 Nov, window 1: three tickets rated 5, 2 (效率)
and 1 (no reason): satisfaction 1/3 = 33.3 %, 2 bad ratings.

December, Tue 1 Dec:
    window 1: A001 real-name (card), item IT-X, rated 1 (态度, 效率) → case FU-…A001
              A002 anonymous, item IT-Y, not rated
              A003 anonymous, no item, rated 5
    window 9: B001 anonymous, item IT-Z, rated 2 (态度) → case FU-…B001
Deadlines from Tue 1 Dec: contact 2 Dec, rectify 7 Dec (2, 3, 4, 7), close 18 Dec.
    FU-…A001: contact 2 Dec, rectify 3 Dec with answer satisfied, close 4 Dec (all on time)
    FU-…B001: contact 3 Dec (late); nothing more.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from hall.core.engine import Engine, Outcome, PersonRef
from hall.core.layout import Layout
from hall.reports.data import load
from hall.reports.stats import Period, Stats, View
from hall.server.store import Store

DEC = Period(date(2026, 12, 1), date(2026, 12, 31))
ITEMS = {"IT-X": "general", "IT-Y": "general", "IT-Z": "market"}


@pytest.fixture(scope="module")
def month_db(tmp_path_factory: pytest.TempPathFactory, layout: Layout) -> Path:
    db = tmp_path_factory.mktemp("month") / "hall.db"
    now = [datetime(2026, 11, 26, 9, 0)]
    engine, store = Engine(layout, lambda: now[0], items=ITEMS), Store(db)

    def at(day: int, month: int, hhmm: str) -> None:
        h, m = (int(x) for x in hhmm.split(":"))
        now[0] = datetime(2026, month, day, h, m)

    def do(fn: Callable[..., Outcome], **kw: object) -> Outcome:
        out = fn(**kw)
        store.apply(out)
        return out

    def serve(window: int, rating: int | None, reasons: list[str], **issue: Any) -> str:
        t = do(engine.issue, **issue).value["ticket"]["id"]
        do(engine.call_next, window=window)
        do(engine.finish, window=window)
        if rating is not None:
            do(engine.rate, ticket=t, level=rating, reasons=reasons)
        return str(t)

    do(engine.housekeep)
    for w, no, name in ((1, "0101", "张三"), (9, "0901", "李四")):
        do(engine.sign_in, window=w, post="A", staff_no=no, name=name)
        do(engine.open_window, window=w)
    for level, why in ((5, []), (2, ["效率"]), (1, [])):
        serve(1, level, why, queue="G")
    at(1, 12, "09:00")
    do(engine.housekeep)  # windows and clerks stay as they were
    a1 = serve(1, 1, ["态度", "效率"], queue="G", item="IT-X", person=PersonRef(hash="h-1"))
    serve(1, None, [], queue="G", item="IT-Y")
    serve(1, 5, [], queue="G")
    b1 = serve(9, 2, ["态度"], queue="M", item="IT-Z")
    for day, case, action, answer in (
        (2, a1, "contact", ""), (3, a1, "rectify", "satisfied"), (4, a1, "close", ""),
        (3, b1, "contact", ""),
    ):  # fmt: skip
        at(day, 12, "10:00")
        do(engine.housekeep)
        do(engine.follow_up, case=f"FU-{case}", action=action, by="manager-1", note="记录",
           answer=answer)  # fmt: skip
    store.close()
    return db


def row(view: View, key: Any) -> dict[str, Any]:
    r = next(r for r in view.rows if r[0] == key)
    return dict(zip(view.headers, r, strict=True))


def test_per_window_with_the_previous_month(month_db: Path, layout: Layout) -> None:
    v = Stats(load(month_db), layout, DEC, date(2026, 12, 9)).rating_report("window")
    assert len(v.rows) == len(layout.windows) + 1  # every window, rated or not, and 合计
    w1 = row(v, 1)
    assert (w1["办结"], w1["评价数"], w1["评价率(%)"]) == (3, 2, 66.7)
    assert [w1[k] for k in ("非常满意", "满意", "基本满意", "不满意", "非常不满意")] == [
        1,
        0,
        0,
        0,
        1,
    ]
    assert (w1["满意率(%)"], w1["实名差评"], w1["匿名差评"]) == (50.0, 1, 0)
    assert w1["事项评价覆盖率(%)"] == 50.0  # served IT-X, IT-Y; rated IT-X
    assert (w1["按时联系率(%)"], w1["按时整改率(%)"], w1["按时办结率(%)"]) == (100.0, 100.0, 100.0)
    assert (w1["整改率(%)"], w1["回复满意率(%)"]) == (100.0, 100.0)
    assert (w1["上期满意率(%)"], w1["满意率环比(百分点)"]) == (33.3, 16.7)
    assert (w1["上期差评"], w1["差评环比"]) == (2, -1)
    w9 = row(v, 9)
    assert (w9["评价数"], w9["满意率(%)"], w9["匿名差评"]) == (1, 0.0, 1)
    # contacted on 3 Dec, a day late; rectification due 7 Dec, missing on 9 Dec
    assert (w9["按时联系率(%)"], w9["按时整改率(%)"], w9["整改率(%)"]) == (0.0, 0.0, 0.0)
    assert w9["按时办结率(%)"] is None and w9["回复满意率(%)"] is None  # none due, none answered
    w2 = row(v, 2)
    assert (w2["办结"], w2["评价数"], w2["满意率(%)"]) == (0, 0, None)
    total = row(v, "合计")
    assert (total["评价数"], total["实名差评"], total["匿名差评"]) == (3, 1, 1)
    assert total["事项评价覆盖率(%)"] == 66.7  # IT-X, IT-Z of IT-X, IT-Y, IT-Z
    assert (total["整改率(%)"], total["按时联系率(%)"], total["回复满意率(%)"]) == (
        50.0,
        50.0,
        100.0,
    )


def test_rectification_rate_counts_only_cases_due(month_db: Path, layout: Layout) -> None:
    # on the day the cases open nothing is due: no rate, not 0 %
    first = Stats(load(month_db), layout, DEC, date(2026, 12, 1))
    assert row(first.rating_report("window"), "合计")["整改率(%)"] is None
    ov = {r[0]: r[1] for r in first.overview().rows}
    assert ov["差评整改率(%)"] is None
    # 4 Dec: FU-A001 rectified (due), FU-B001 still inside its 4 days: 1 of 1
    mid = {
        r[0]: r[1] for r in Stats(load(month_db), layout, DEC, date(2026, 12, 4)).overview().rows
    }
    assert mid["差评整改率(%)"] == 100.0 and mid["按时联系率(%)"] == 50.0


def test_per_clerk_reasons_and_overview(month_db: Path, layout: Layout) -> None:
    s = Stats(load(month_db), layout, DEC, date(2026, 12, 9))
    c = row(s.rating_report("clerk"), "0101")
    assert (c["姓名"], c["评价数"], c["实名差评"], c["上期差评"]) == ("张三", 2, 1, 2)
    reasons = {r[0]: r[1:] for r in s.reasons().rows}
    assert reasons["态度"] == [2, 1, 100.0, 0, 2]  # both bad ratings; one real-name
    assert reasons["效率"] == [1, 1, 50.0, 1, 0]
    assert reasons["政策解释"] == [0, 0, 0.0, 0, 0]
    ov = {r[0]: r[1] for r in s.overview().rows}
    assert (ov["实名差评"], ov["匿名差评"], ov["未记录事项的办结"]) == (1, 1, 1)
    assert (ov["按时办结率(%)"], ov["回复满意率(%)"], ov["事项评价覆盖率(%)"]) == (
        100.0,
        100.0,
        66.7,
    )
    # the real-name case (A001) is rectified and its citizen satisfied: both targets met
    assert (ov["实名差评整改率(%)"], ov["实名差评回复满意率(%)"]) == (100.0, 100.0)
    fu = {r[0]: dict(zip(s.follow_ups().headers, r, strict=True)) for r in s.follow_ups().rows}
    a1 = next(v for k, v in fu.items() if k.endswith("A001"))
    assert (a1["群众答复"], a1["实名"], a1["办结"]) == ("满意", "实名", "")


def test_periods_name_and_previous() -> None:
    assert DEC.name == "2026-12" and DEC.previous() == Period(date(2026, 11, 1), date(2026, 11, 30))
    day = Period(date(2026, 12, 7), date(2026, 12, 7))
    assert day.name == "2026-12-07" and day.previous() == Period(
        date(2026, 12, 6), date(2026, 12, 6)
    )
    rng = Period(date(2026, 12, 1), date(2026, 12, 15))
    assert rng.name == "2026-12-01_2026-12-15" and not rng.is_month
    assert rng.previous() == Period(date(2026, 11, 16), date(2026, 11, 30))
    assert Period(date(2026, 2, 1), date(2026, 2, 28)).is_month


def test_cover_says_which_days_have_data(month_db: Path, layout: Layout) -> None:
    from hall.reports.cover import cover, day_ranges

    c = {
        r[0]: r[1]
        for r in cover(Stats(load(month_db), layout, DEC, date(2026, 12, 9)), "x.db").rows
    }
    assert c["统计期间"] == "2026-12-01 至 2026-12-31"
    assert (c["有数据的日期"], c["有数据的天数"]) == ("2026-12-01", 1)
    # working days up to the as-of day without any ticket, service or rating
    assert c["无数据的工作日"] == "2026-12-02 至 2026-12-04、2026-12-07 至 2026-12-09"
    assert c["本期工作日"] == 23  # December 2026: 23 weekdays, no holiday
    assert day_ranges([date(2026, 9, 30), date(2026, 10, 8)]) == "2026-09-30、2026-10-08"
