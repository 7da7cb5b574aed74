"""Today's figures from the followed tickets and the events seen (pure).

The console never reads the database: `hall report` does that. What the console
knows is today's tickets (complete, from the snapshot) and the times of what it saw
happen since it connected; every figure that lacks history says so in `notes`.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from manager.clock import parse_at
from manager.live import LiveLog

CALLED_STATES = ("called", "serving", "finished", "no_show", "parked")


def p90(values: list[float]) -> float | None:
    """The 90th percentile by nearest rank (the value 90 % of tickets did not exceed)."""
    if not values:
        return None
    s = sorted(values)
    return s[max(0, math.ceil(0.9 * len(s)) - 1)]


def mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


@dataclass
class WaitFigures:
    count: int
    mean: float | None
    p90: float | None


@dataclass
class Figures:
    """Today's figures as the console can compute them."""

    issued_by_queue_hour: dict[str, Counter[int]] = field(default_factory=dict)
    waits: dict[str, WaitFigures] = field(default_factory=dict)  # by queue, and "" = all
    served_by_window: Counter[int] = field(default_factory=Counter)
    served_by_clerk: Counter[str] = field(default_factory=Counter)  # "" = not known
    ratings: Counter[int] = field(default_factory=Counter)  # level → count
    notes: list[str] = field(default_factory=list)
    notes_en: list[str] = field(default_factory=list)  # the English twins of `notes`

    def hours(self) -> list[int]:
        hs = {h for c in self.issued_by_queue_hour.values() for h in c}
        return list(range(min(hs), max(hs) + 1)) if hs else []


def figures(board: dict[str, Any], live: LiveLog) -> Figures:
    """Compute today's figures; see `Figures.notes` for what is missing and why."""
    f = Figures()
    waits: dict[str, list[float]] = {}
    untimed = 0
    for t in board.get("tickets", {}).values():
        issued = parse_at(t.get("issued_at"))
        if issued is not None:
            f.issued_by_queue_hour.setdefault(t["queue"], Counter())[issued.hour] += 1
        if t["state"] in CALLED_STATES:
            called = live.called_at.get(t["id"])
            if called is None or issued is None:
                untimed += 1
            else:
                m = (called - issued).total_seconds() / 60
                waits.setdefault(t["queue"], []).append(m)
                waits.setdefault("", []).append(m)
        if t["state"] == "finished" and t.get("window") is not None:
            f.served_by_window[int(t["window"])] += 1
            f.served_by_clerk[live.clerk_of.get(t["id"], "")] += 1
    for q, ms in waits.items():
        f.waits[q] = WaitFigures(len(ms), mean(ms), p90(ms))
    for r in live.ratings:
        f.ratings[int(r["level"])] += 1
    since = live.connected_at.strftime("%H:%M") if live.connected_at else "—"
    if untimed:
        f.notes.append(
            f"{untimed}张票在控制台连接（{since}）前已叫号，没有叫号时间，未计入等候时间。"
        )
        f.notes_en.append(
            f"{untimed} tickets were called before the console connected ({since}): their "
            "waits are unknown and not counted."
        )
    if f.served_by_clerk.get(""):
        n = f.served_by_clerk[""]
        f.notes.append(f"{n}张办结的票在连接前办结，不知由哪位办事员办理。")
        f.notes_en.append(f"{n} tickets finished before the console connected: clerk unknown.")
    if untimed or f.served_by_clerk.get(""):
        f.notes.append(f"评价分布只含连接（{since}）后收到的评价；全天数据请用 hall report。")
        f.notes_en.append(
            f"Ratings count only those received since the console connected ({since}); "
            "for the whole day use hall report."
        )
    return f
