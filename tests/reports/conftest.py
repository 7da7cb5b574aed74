"""A small hall database built by driving the real engine and store with a hand-moved clock.

Thursday 2026-11-26 on the Jiangbei layout without its late rule (`late_wait_minutes` at
the 40-minute cap; with Jiangbei's 8, window 9 would call A002, waiting 8 minutes, before
B001 at 09:10): window 1 (queue G, clerk 0101 张三) and window 9 (queue M, clerk 0901 李四).

    09:00 A001  09:02 A002  09:04 B001  09:06 B002  issued
    09:10 w1 calls A001 (wait 10), starts; w9 calls B001 (wait 6), starts
    09:20 w1 finishes A001 (10 min), rated 5; calls A002 (wait 18), starts 09:22
    09:25 w9 finishes B001 (15 min), rated 2 (case); calls B002 (wait 19)
    09:27 w9: B002 no-show
    09:30 w1 finishes A002 (8 min), rated 1 (case)
    10:05 B003 issued; 10:06 w9 calls it (wait 1), 10:08 transfers it to G
    10:10 w1 calls B003, starts; 10:16 finishes (6 min), not rated

Follow-ups (1/4/13 working days from Thu 26 Nov → contact 27 Nov, rectify 2 Dec,
complex 15 Dec): B001's case contacted Fri 27 Nov, rectified Mon 30 Nov, closed
Tue 1 Dec; A002's case contacted late on Mon 30 Nov and marked complex.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from hall.core.engine import Engine, Outcome
from hall.core.layout import Layout
from hall.server.store import Store


@pytest.fixture(scope="session")
def hall_db(tmp_path_factory: pytest.TempPathFactory, layout: Layout) -> Path:
    db = tmp_path_factory.mktemp("reports") / "hall.db"
    now = [datetime(2026, 11, 26, 9, 0)]
    no_late = dataclasses.replace(
        layout.priority, late_wait_minutes=layout.priority.max_wait_minutes
    )
    layout = dataclasses.replace(layout, priority=no_late)
    engine, store = Engine(layout, lambda: now[0]), Store(db)

    def at(hhmm: str, day: int = 26, month: int = 11) -> None:
        h, m = (int(x) for x in hhmm.split(":"))
        now[0] = datetime(2026, month, day, h, m)

    def do(fn: Callable[..., Outcome], **kw: object) -> Outcome:
        out = fn(**kw)
        store.apply(out)
        return out

    do(engine.housekeep)
    do(engine.sign_in, window=1, post="A", staff_no="0101", name="张三")
    do(engine.open_window, window=1)
    do(engine.sign_in, window=9, post="A", staff_no="0901", name="李四")
    do(engine.open_window, window=9)
    for hhmm, q in (("09:00", "G"), ("09:02", "G"), ("09:04", "M"), ("09:06", "M")):
        at(hhmm)
        do(engine.issue, queue=q)
    at("09:10")
    do(engine.call_next, window=1)
    do(engine.start, window=1)
    do(engine.call_next, window=9)
    do(engine.start, window=9)
    at("09:20")
    do(engine.finish, window=1)
    do(engine.rate, ticket="20261126-A001", level=5)
    do(engine.call_next, window=1)
    at("09:22")
    do(engine.start, window=1)
    at("09:25")
    do(engine.finish, window=9)
    do(engine.rate, ticket="20261126-B001", level=2, reasons=["效率"])
    do(engine.call_next, window=9)
    at("09:27")
    do(engine.no_show, window=9)
    at("09:30")
    do(engine.finish, window=1)
    do(engine.rate, ticket="20261126-A002", level=1, reasons=["态度"], comment="态度生硬")
    at("10:05")
    do(engine.issue, queue="M")
    at("10:06")
    do(engine.call_next, window=9)
    at("10:08")
    do(engine.transfer, window=9, to_queue="G", note="需综合窗口办理")
    at("10:10")
    do(engine.call_next, window=1)
    do(engine.start, window=1)
    at("10:16")
    do(engine.finish, window=1)
    # follow-ups on later days
    at("10:00", day=27)
    do(engine.housekeep)
    do(engine.follow_up, case="FU-20261126-B001", action="contact", by="manager-1", note="电话")
    at("11:00", day=30)
    do(engine.housekeep)
    do(engine.follow_up, case="FU-20261126-B001", action="rectify", by="manager-1")
    do(engine.follow_up, case="FU-20261126-A002", action="contact", by="manager-2")
    do(engine.follow_up, case="FU-20261126-A002", action="complex", by="manager-2")
    at("09:30", day=1, month=12)
    do(engine.housekeep)
    do(engine.follow_up, case="FU-20261126-B001", action="close", by="manager-1")
    store.close()
    return db
