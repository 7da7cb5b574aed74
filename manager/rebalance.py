"""Rebalancing: what a change to one window would do to each queue's wait, before it is made.

Pure functions over plain data (the layout's queues and the windows' live state).
The prediction uses the hall's own estimator (`hall.core.forecast.simple_estimate`):
for each queue, the people waiting and the servers — every open window counted by
its profile's share of that queue — before and after the change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hall.core.forecast import QueueLoad, simple_estimate

ACTIONS = ("profile", "open", "close", "pause", "resume")


@dataclass(frozen=True, slots=True)
class Change:
    """One manager change to one window: its new profile and/or state, with who and why."""

    window: int
    action: str  # one of ACTIONS
    profile: dict[str, float] | None = None  # for "profile"
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Effect:
    """A queue's predicted wait for a new walk-in, before and after (None: no window serves it)."""

    queue: str
    name: str
    waiting: int
    servers_before: float
    servers_after: float
    before: float | None
    after: float | None

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def better(self) -> bool:
        if self.after is None:
            return False
        return self.before is None or self.after < self.before - 0.05

    @property
    def worse(self) -> bool:
        if self.before is None:
            return False
        return self.after is None or self.after > self.before + 0.05


def shares(profile: Mapping[str, float]) -> dict[str, float]:
    """A profile's weights as shares of one window (weights {G: 2, M: 1} → G 2/3, M 1/3)."""
    total = sum(w for w in profile.values() if w > 0)
    return {q: w / total for q, w in profile.items() if w > 0} if total else {}


def servers(windows: Mapping[int, Mapping[str, Any]]) -> dict[str, float]:
    """Open windows per queue, each counted by its profile's share."""
    out: dict[str, float] = {}
    for w in windows.values():
        if w.get("state") != "open":
            continue
        for q, s in shares(w.get("profile") or {}).items():
            out[q] = out.get(q, 0.0) + s
    return out


def apply_change(windows: Mapping[int, Mapping[str, Any]], ch: Change) -> dict[int, dict[str, Any]]:
    """The windows as they would be after the change (copies; the input is untouched)."""
    after = {n: dict(w) for n, w in windows.items()}
    w = after.setdefault(ch.window, {"state": "closed", "profile": {}})
    if ch.action == "profile" and ch.profile is not None:
        w["profile"] = dict(ch.profile)
    elif ch.action in ("open", "resume"):
        w["state"] = "open"
    elif ch.action == "close":
        w["state"] = "closed"
    elif ch.action == "pause":
        w["state"] = "paused"
    return after


def wait_minutes(waiting: int, servers_: float, service_minutes: float) -> float | None:
    """Predicted wait of a new walk-in; None when no open window serves the queue."""
    if servers_ <= 0:
        return None
    return simple_estimate(QueueLoad("", waiting, servers_, service_minutes)).minutes


def predict(
    queues: Sequence[Mapping[str, Any]],
    windows: Mapping[int, Mapping[str, Any]],
    waiting: Mapping[str, int],
    change: Change,
) -> list[Effect]:
    """The effect of `change` on every queue it touches (the window's skills and profiles)."""
    after_windows = apply_change(windows, change)
    before_s, after_s = servers(windows), servers(after_windows)
    touched = set((windows.get(change.window) or {}).get("profile") or {})
    touched |= set(after_windows[change.window].get("profile") or {})
    out = []
    for q in queues:
        qid = q["id"]
        if qid not in touched:
            continue
        n = int(waiting.get(qid, 0))
        sm = float(q.get("service_minutes") or 10.0)
        out.append(Effect(qid, str(q.get("name", qid)), n, before_s.get(qid, 0.0),
                          after_s.get(qid, 0.0), wait_minutes(n, before_s.get(qid, 0.0), sm),
                          wait_minutes(n, after_s.get(qid, 0.0), sm)))  # fmt: skip
    return out


class InvalidChange(ValueError):
    """A change the console refuses before sending (the sentence says why)."""


def check(change: Change, skills: list[str] | tuple[str, ...]) -> None:
    """Refuse a change without a reason, an empty profile or a queue outside the skills."""
    if change.action not in ACTIONS:
        raise InvalidChange(f"未知的操作：{change.action}")
    if not change.reason.strip():
        raise InvalidChange("请填写调整原因")
    if change.action == "profile":
        prof = change.profile or {}
        if not any(w > 0 for w in prof.values()):
            raise InvalidChange("至少选择一个队列")
        outside = [q for q, w in prof.items() if w > 0 and q not in skills]
        if outside:
            raise InvalidChange(f"窗口不能办理这些队列：{'、'.join(outside)}")
