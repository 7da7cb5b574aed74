"""The manager's alert names the printer fault a kiosk reports, not just "offline"."""

from __future__ import annotations

from datetime import datetime

import pytest

from drivers.printer import escpos as proto
from manager.alerts import PAPER, PRINTER, Thresholds, alerts
from manager.floor import device_views
from manager.live import LiveLog


def report(code: str, state: str = "offline") -> dict[str, object]:
    return {"parts": {"printer": {"state": state, "reason": "", "code": code}}}


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        (proto.Fault.COVER_OPEN, "打印机盖未合上"),
        (proto.Fault.CUTTER, "打印机切刀故障"),
        (proto.Fault.UNRECOVERABLE, "打印机故障"),
    ],
)
def test_each_fault_the_driver_reports_is_named(fault: proto.Fault, words: str) -> None:
    health = proto.health_of(False, proto.PaperState.OK, {fault})
    live = LiveLog(health={"kiosk-1": report(health.code)})
    views = device_views({"kiosk-1": True}, live)
    got = alerts({}, [], views, live, datetime(2026, 11, 26, 10), Thresholds())
    assert [(a.kind, a.key, a.severe) for a in got] == [(PRINTER, "printer:kiosk-1", True)]
    assert words in got[0].text and views[0].note == words


def test_offline_and_paper_are_told_apart() -> None:
    live = LiveLog(health={"kiosk-1": report("offline"), "kiosk-2": report("paper_out")})
    views = device_views({"kiosk-1": True, "kiosk-2": True}, live)
    got = {a.key: a for a in alerts({}, [], views, live, datetime(2026, 11, 26, 10), Thresholds())}
    assert got["printer:kiosk-1"].text == "kiosk-1 打印机离线"
    assert got["paper:kiosk-2"].kind == PAPER and "printer:kiosk-2" not in got
