"""The live floor plan: every window and queue as the console shows them (pure functions).

Inputs are the followed board and staff state, the layout from the welcome, the
`LiveLog` and "now" on the hub's clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from manager.clock import parse_at
from manager.live import LiveLog

# What the window grid colours by.
SERVING, CALLING, IDLE, PAUSED, CLOSED, OFFLINE = (
    "serving", "calling", "idle", "paused", "closed", "offline",
)  # fmt: skip
STATE_LABELS = {SERVING: "办理中", CALLING: "叫号中", IDLE: "空闲", PAUSED: "暂停",
                CLOSED: "关闭", OFFLINE: "离线"}  # fmt: skip
ROLE_LABELS = {"kiosk": "取号机", "counter": "窗口终端", "display": "显示屏", "rating": "评价器",
               "manager": "管理台", "desk": "服务台"}  # fmt: skip
ROLE_LABELS_EN = {"kiosk": "Kiosk", "counter": "Counter", "display": "Display board",
                  "rating": "Rating pad", "manager": "Console", "desk": "Service desk"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class WindowView:
    number: int
    floor: str
    kind_label: str
    state: str  # SERVING … OFFLINE
    profile: dict[str, float]
    skills: tuple[str, ...]
    current: str | None  # ticket number
    current_queue: str | None
    minutes: float | None  # service (or call) time so far; None when not known
    clerk: str  # "name (staff no)" or ""
    pause_reason: str
    since_minutes: float | None  # in this state (idle, paused) for so long


@dataclass(frozen=True, slots=True)
class QueueView:
    id: str
    name: str
    floor: str
    waiting: int
    longest_wait: float  # minutes, on the hub's clock
    estimate_text: str
    windows: int  # open windows whose profile holds it
    estimate_text_en: str = ""


@dataclass(frozen=True, slots=True)
class DeviceView:
    id: str
    role: str
    online: bool
    note: str  # printer paper etc., when reported


def minutes_between(a: datetime | None, b: datetime) -> float | None:
    return None if a is None else max(0.0, (b - a).total_seconds() / 60.0)


def window_views(layout: dict[str, Any], board: dict[str, Any], devices: dict[str, bool],
                 live: LiveLog, now: datetime, floor: str | None = None) -> list[WindowView]:  # fmt: skip
    """Every window of a floor (or the hall) with its live state."""
    out = []
    tickets = board.get("tickets", {})
    by_number = {t["number"]: t for t in tickets.values() if t["state"] in ("called", "serving")}
    for lw in layout.get("windows", []):
        if floor not in (None, lw["floor"]):
            continue
        n = int(lw["number"])
        w = board.get("windows", {}).get(str(n), {})
        cur = w.get("current")
        t = by_number.get(cur) if cur else None
        state = _state(w, devices.get(f"counter-{n}"))
        minutes = None
        if t is not None:
            since = live.started_at.get(t["id"]) or live.called_at.get(t["id"])
            minutes = minutes_between(since, now)
        clerk = w.get("clerk") or {}
        since_state = live.paused_since.get(n) if state == PAUSED else live.window_since.get(n)
        out.append(WindowView(
            n, lw["floor"], lw.get("kind_label", ""), state, dict(w.get("profile") or lw["profile"]),
            tuple(lw.get("skills", ())), cur, t["queue"] if t else None, minutes,
            f"{clerk['name']}（{clerk['staff_no']}）" if clerk else "", w.get("pause_reason") or "",
            minutes_between(since_state, now) if state in (IDLE, PAUSED) else None,
        ))  # fmt: skip
    return out


def _state(w: dict[str, Any], device_online: bool | None) -> str:
    s = w.get("state", "closed")
    if s == "closed":
        return CLOSED
    if device_online is False:
        return OFFLINE  # open in the hub, but its counter client has gone silent
    if s == "paused":
        return PAUSED
    if w.get("current"):
        return SERVING if w.get("current_state") == "serving" else CALLING
    return IDLE


def queue_views(layout: dict[str, Any], board: dict[str, Any], figures: dict[str, dict[str, Any]],
                now: datetime, floor: str | None = None) -> list[QueueView]:  # fmt: skip
    """Every queue of a floor (or the hall): waiting and longest wait from the tickets,
    the estimate from the hub's heartbeat."""
    waiting: dict[str, list[datetime]] = {}
    for t in board.get("tickets", {}).values():
        if t["state"] == "waiting":
            at = parse_at(t.get("issued_at"))
            waiting.setdefault(t["queue"], []).append(at or now)
    serving: dict[str, int] = {}
    for w in board.get("windows", {}).values():
        if w.get("state") == "open":
            for q in w.get("profile") or {}:
                serving[q] = serving.get(q, 0) + 1
    out = []
    for q in layout.get("queues", []):
        if floor not in (None, q["floor"]):
            continue
        ts = waiting.get(q["id"], [])
        longest = minutes_between(min(ts), now) if ts else 0.0
        out.append(QueueView(q["id"], q["name"], q["floor"], len(ts), longest or 0.0,
                             str(figures.get(q["id"], {}).get("estimate_text", "")),
                             serving.get(q["id"], 0),
                             str(figures.get(q["id"], {}).get("estimate_text_en", ""))))  # fmt: skip
    return out


def device_views(devices: dict[str, bool], live: LiveLog) -> list[DeviceView]:
    """Every device the hub has seen, with what its health reports say."""
    out = []
    for d in sorted(set(devices) | set(live.health)):
        role = d.partition("-")[0]
        out.append(DeviceView(d, role, bool(devices.get(d, True)), health_note(live.health.get(d))))
    return out


def paper_state(report: dict[str, Any] | None) -> str:
    """ "ok", "low", "out" or "" (nothing reported) from a device.health report
    (``{"parts": {"printer": {"state": …, "code": "paper_low"}}}``)."""
    if not report:
        return ""
    printer = (report.get("parts") or report).get("printer")
    if not isinstance(printer, dict):
        return ""
    code = str(printer.get("code", ""))
    if code in ("paper_low", "paper_out"):
        return code.removeprefix("paper_")
    return "ok" if printer.get("state") == "ok" else ""


#: Printer faults a kiosk reports (drivers.printer health codes) -> what the manager reads.
PRINTER_FAULTS = {
    "cover_open": "打印机盖未合上",
    "cutter_error": "打印机切刀故障",
    "printer_error": "打印机故障",
    "offline": "打印机离线",
    "no_answer": "打印机无应答",
    "unreachable": "无法连接打印机",
}


def printer_fault(report: dict[str, Any] | None) -> str:
    """The printer fault a device.health report names, other than paper ("" if none)."""
    if not report:
        return ""
    printer = (report.get("parts") or report).get("printer")
    if not isinstance(printer, dict):
        return ""
    return PRINTER_FAULTS.get(str(printer.get("code", "")), "")


def health_note(report: dict[str, Any] | None) -> str:
    """What the console notes of a device: a printer fault, its paper, or that it is a
    simulator (a simulated printer prints nothing: never "打印纸正常")."""
    fault = printer_fault(report)
    if fault:
        return fault
    parts = (report.get("parts") or report) if report else {}
    simulated = [p for p, h in parts.items() if isinstance(h, dict) and h.get("code") == "sim"]
    if "printer" in simulated:
        return "模拟打印机（不出纸）"
    if simulated:
        return "模拟设备"
    return {"low": "打印纸将尽", "out": "打印纸用完", "ok": "打印纸正常"}.get(
        paper_state(report), ""
    )
