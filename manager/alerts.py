"""Alerts for the hall manager (pure): what needs a look now, with configurable thresholds.

- a ticket waiting longer than `wait_minutes`
- a window idle for `idle_minutes` while a queue of its profile has people waiting
- a window paused for longer than `pause_minutes`
- a device offline (a counter's, a kiosk's …)
- a kiosk printer low on (or out of) paper, or stopped by a fault it names (cover open,
  cutter error, offline, no answer), when the device reports it
- a bad rating (level ≤ 2) in the last `rating_minutes`
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from manager.clock import parse_at
from manager.floor import (
    IDLE,
    PAUSED,
    ROLE_LABELS,
    ROLE_LABELS_EN,
    DeviceView,
    WindowView,
    paper_state,
    printer_fault,
)
from manager.live import LiveLog

WAIT, IDLE_WAITING, PAUSED_LONG, OFFLINE, PAPER, PRINTER, BAD_RATING = (
    "wait", "idle", "paused", "offline", "paper", "printer", "rating",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When an alert fires (minutes)."""

    wait_minutes: float = 30.0
    idle_minutes: float = 3.0
    pause_minutes: float = 15.0
    rating_minutes: float = 60.0


@dataclass(frozen=True, slots=True)
class Alert:
    kind: str
    key: str  # stable identity (for tests and for not flashing the same alert twice)
    text: str
    severe: bool = False
    text_en: str = ""  # the English twin (`ui.i18n.text_of(alert, "text")`)


def alerts(board: dict[str, Any], windows: list[WindowView], devices: list[DeviceView],
           live: LiveLog, now: datetime, th: Thresholds) -> list[Alert]:  # fmt: skip
    """Every alert that holds now, the most urgent kinds first."""
    out: list[Alert] = []
    long_waits = []
    for t in board.get("tickets", {}).values():
        issued = parse_at(t.get("issued_at"))
        if t["state"] == "waiting" and issued is not None:
            m = (now - issued).total_seconds() / 60
            if m >= th.wait_minutes:
                long_waits.append((m, t))
    for m, t in sorted(long_waits, key=lambda x: -x[0]):
        out.append(
            Alert(
                WAIT,
                f"wait:{t['id']}",
                f"{t['number']}号已等候{m:.0f}分钟",
                m >= 2 * th.wait_minutes,
                f"{t['number']} has waited {m:.0f} min",
            )
        )
    waiting = _waiting_by_queue(board)
    for w in windows:
        if w.state == IDLE and (w.since_minutes or 0) >= th.idle_minutes:
            busy = [q for q in w.profile if waiting.get(q)]
            if busy:
                n = sum(waiting[q] for q in busy)
                out.append(Alert(IDLE_WAITING, f"idle:{w.number}",
                                 f"{w.number}号窗口空闲{w.since_minutes:.0f}分钟，所办队列有{n}人等候",
                                 text_en=f"Window {w.number} idle {w.since_minutes:.0f} min "
                                         f"while {n} wait in its queues"))  # fmt: skip
        if w.state == PAUSED and (w.since_minutes or 0) >= th.pause_minutes:
            why = f"（{w.pause_reason}）" if w.pause_reason else ""
            why_en = f" ({w.pause_reason})" if w.pause_reason else ""
            out.append(Alert(PAUSED_LONG, f"paused:{w.number}",
                             f"{w.number}号窗口已暂停{w.since_minutes:.0f}分钟{why}",
                             text_en=f"Window {w.number} paused for "
                                     f"{w.since_minutes:.0f} min{why_en}"))  # fmt: skip
    for d in devices:
        if not d.online:
            role = ROLE_LABELS.get(d.role, d.role)
            role_en = ROLE_LABELS_EN.get(d.role, d.role)
            out.append(Alert(OFFLINE, f"offline:{d.id}", f"{role} {d.id} 离线", True,
                             f"{role_en} {d.id} is offline"))  # fmt: skip
        paper = paper_state(live.health.get(d.id))
        if paper in ("low", "out"):
            word = "打印纸将尽" if paper == "low" else "打印纸已用完"
            word_en = "paper running low" if paper == "low" else "out of paper"
            out.append(Alert(PAPER, f"paper:{d.id}", f"{d.id} {word}", paper == "out",
                             f"{d.id}: {word_en}"))  # fmt: skip
        fault = printer_fault(live.health.get(d.id)) if d.online else ""
        if fault:
            out.append(Alert(PRINTER, f"printer:{d.id}", f"{d.id} {fault}", True,
                             f"{d.id}: printer fault"))  # fmt: skip
    since = now - timedelta(minutes=th.rating_minutes)
    for r in live.ratings:
        if int(r.get("level", 5)) <= 2 and r["at"] >= since:
            who = f"（{r['clerk']}）" if r.get("clerk") else ""
            who_en = f" ({r['clerk']})" if r.get("clerk") else ""
            out.append(Alert(BAD_RATING, f"rating:{r.get('ticket')}",
                             f"差评：{r.get('number', '')}号 {r.get('window')}号窗口{who} 评价{r['level']}级",
                             True, f"Bad rating: {r.get('number', '')} at window "
                                   f"{r.get('window')}{who_en}, level {r['level']}"))  # fmt: skip
    return out


def _waiting_by_queue(board: dict[str, Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    for t in board.get("tickets", {}).values():
        if t["state"] == "waiting":
            out[t["queue"]] = out.get(t["queue"], 0) + 1
    return out
