"""The manager's alert names the printer fault a kiosk reports, not just "offline"."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from drivers.printer import escpos as proto
from drivers.printer import open_printer
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


def test_a_simulated_printer_is_never_noted_as_paper_ok(tmp_path: Path) -> None:
    """The demo's kiosks print to a simulator: the console noted "kiosk-1：打印纸正常" for a
    printer from which no paper comes out (issue 18: a simulator is 模拟, never OK)."""
    h = open_printer(f"sim://printer?out={tmp_path}").status()
    parts = {"printer": {"state": h.state.value, "reason": h.reason, "code": h.code}}
    voice = {"state": "ok", "reason": "模拟语音", "code": "sim"}
    live = LiveLog(health={"kiosk-1": {"parts": parts}, "display-2F": {"parts": {"voice": voice}}})
    views = {v.id: v.note for v in device_views({"kiosk-1": True, "display-2F": True}, live)}
    assert views == {"kiosk-1": "模拟打印机（不出纸）", "display-2F": "模拟设备"}
    assert alerts({}, [], list(device_views({"kiosk-1": True}, live)), live,
                  datetime(2026, 11, 26, 10), Thresholds()) == []  # fmt: skip
