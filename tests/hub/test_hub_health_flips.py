"""A device's health reports cost the database little (issue 18: 15,688 printer-health
flips became 15,688 events, kept for good): a repeated report appends nothing, a few
changes in a row are told at once, then one per hold, and the latest state is always told
in the end. Against a real hub."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import timedelta

import pytest

from hall.core.engine import Engine
from hall.server.hub import Hub

from .conftest import ClientFactory

OK = {"printer": {"state": "ok", "reason": "打印机正常", "code": "ok"}}
OUT = {"printer": {"state": "offline", "reason": "打印机缺纸", "code": "paper_out"}}


def _health_events(hub: Hub) -> list[dict[str, object]]:
    with sqlite3.connect(hub.db_path) as db:
        rows = db.execute("SELECT data FROM events WHERE type = 'device.health' ORDER BY seq")
        return [json.loads(r[0]) for r in rows]


def test_a_flapping_printer_writes_a_bounded_number_of_events(
    hub: Hub, connect: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Engine, "HEALTH_HOLD", timedelta(seconds=1))
    hub.rate_limit.rate = 0  # this test is about the database, not the rate limit
    kiosk = connect("kiosk-1")
    kiosk.report_health(OK)
    for _ in range(20):
        kiosk.report_health(OK)  # the same again: nothing appended
    assert len(_health_events(hub)) == 1

    start = time.monotonic()
    for i in range(600):
        kiosk.report_health(OUT if i % 2 == 0 else OK)
    kiosk.report_health(OUT)  # where it stays
    elapsed = time.monotonic() - start
    told = _health_events(hub)
    # the burst, then one a second (the hold), not one per flip
    assert len(told) <= 1 + Engine.HEALTH_BURST + elapsed / 1.0 + 1, (len(told), elapsed)

    deadline = time.monotonic() + 5.0  # the hold, then the hub's next beat
    while _health_events(hub)[-1]["parts"] != OUT and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _health_events(hub)[-1]["parts"] == OUT  # the latest state told in the end
    n = len(_health_events(hub))
    time.sleep(1.5)
    assert len(_health_events(hub)) == n  # nothing more once told
    # a report that changed nothing is no reply on disk either (kept in memory for retries)
    with sqlite3.connect(hub.db_path) as db:
        replies = db.execute("SELECT count(*) FROM replies WHERE command = 'health'").fetchone()
    assert replies[0] <= n, (replies[0], n)


def test_a_snapshot_shows_the_latest_health_while_it_is_held(
    hub: Hub, connect: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Engine, "HEALTH_HOLD", timedelta(seconds=30))
    hub.rate_limit.rate = 0
    kiosk, manager = connect("kiosk-1"), connect("manager-1")
    for i in range(int(5.0) + 4):
        kiosk.report_health(OUT if i % 2 == 0 else OK)
    assert len(_health_events(hub)) == Engine.HEALTH_BURST  # the rest held
    kiosk.report_health(OUT)
    assert manager.snapshot()["staff"]["health"]["kiosk-1"] == OUT
