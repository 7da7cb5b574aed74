"""Routing: which waiting ticket a window calls next.

One pure function per policy, called by the engine on "call next" — in the hub
and in the simulator alike (BENCHMARK.md). A policy sees, for each queue, the
head of each priority class (the oldest ticket of that class; within one class
and queue the oldest always scores highest, so heads suffice) and returns the
ticket to call, or None.

The default policy is accumulated priority (Stanford & Taylor): a ticket's score
grows with its waiting time at a rate set by its priority class and the weight
of its queue in the window's serving profile. A green-channel citizen overtakes
recent walk-ins but never starves an old one; a ticket waiting past the hall's
`max_wait_minutes` is served first whatever its queue weight.

Aging across skills (issue 23): a ticket that has waited `late_wait_minutes` (the layout's
`[priority] late_wait_minutes`, by default its `max_wait_minutes`) is *late*; a window calls
a late ticket of any queue it may take — its profile's or a neighbouring queue's — before
the accumulated priority of the others, the largest weight × minutes waited first (a
neighbouring queue weighs 1), whatever its class, except that a green-channel ticket's
minutes count at its class rate. A hall that sets it low (the Jiangbei layouts: 8 minutes)
trades its appointments' tail for its walk-ins' longest wait (README, "Routing benchmark").

Help to other floors (issue 23): a window's `other_floors` (the layout's `[[windows]]
other_floors`, queues whose citizens wait on another floor) are called only when nothing
is waiting in its profile's or its neighbouring queues, and only a ticket that has waited at
least `other_floor_wait_minutes` (`[priority]`; unset: never). Among those, accumulated
priority at weight 1. The floors' own windows keep their queues first; the helping window
waits while the citizen walks over (`[hall] walk_minutes_between_floors`, hall.sim).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from hall.core.model import PriorityClass, Ticket

# heads[queue][class] = oldest waiting ticket of that class in that queue
Heads = Mapping[str, Mapping[PriorityClass, Ticket]]


@dataclass(frozen=True, slots=True)
class RouteWindow:
    """What routing needs to know about the calling window."""

    number: int
    profile: Mapping[str, float]  # queue -> weight, the current serving profile
    home: str  # the queue it serves in the layout's default profile (first listed)
    rates: Mapping[str, float]  # priority class -> accumulation rate
    max_wait_minutes: float
    # the queues it may help when its profile's are empty: its skills served on its floor
    neighbours: tuple[str, ...] = ()
    # from this wait on, a ticket of any of those queues is called first (aging across skills)
    late_wait_minutes: float = math.inf
    # queues waiting on other floors it may call when it has nothing else, from this wait on
    other_floors: tuple[str, ...] = ()
    other_floor_wait_minutes: float = math.inf


Policy = Callable[[RouteWindow, Heads, datetime], Ticket | None]

_CLASS_ORDER = (PriorityClass.GREEN, PriorityClass.APPOINTMENT, PriorityClass.NORMAL)


def _waited(t: Ticket, now: datetime) -> float:
    return (now - t.enqueued_at).total_seconds() / 60.0


def accumulated_priority(w: RouteWindow, heads: Heads, now: datetime) -> Ticket | None:
    """Default: weight x class rate x minutes waited, with a hard cap on the longest wait.
    A window with nobody waiting in its profile's queues helps a neighbouring queue it is
    skilled for (`neighbours`, weight 1 each) rather than stand idle: load is shared
    across skills without anyone moving the window. Before either, in this order: a ticket
    of its profile past `max_wait_minutes` (the longest wait), then a late one of its
    profile or neighbours (`late_wait_minutes`; the largest weight × wait)."""
    capped = _accumulated(w, w.profile, heads, now)
    if capped is not None and _waited(capped, now) >= w.max_wait_minutes:
        return capped
    late = _late(w, heads, now)
    if late is not None:
        return late
    best = capped
    if best is None and w.neighbours:
        spare = {q: 1.0 for q in w.neighbours if q not in w.profile}
        best = _accumulated(w, spare, heads, now)
    if best is None and w.other_floors:
        best = _other_floor(w, heads, now)
    return best


def _other_floor(w: RouteWindow, heads: Heads, now: datetime) -> Ticket | None:
    """A ticket of another floor's queue (`other_floors`, not in the profile) that has waited
    at least `other_floor_wait_minutes`, by accumulated priority at weight 1; else None."""
    if not math.isfinite(w.other_floor_wait_minutes):
        return None
    old = {
        q: {c: t for c, t in heads.get(q, {}).items()
            if _waited(t, now) >= w.other_floor_wait_minutes}
        for q in w.other_floors if q not in w.profile
    }  # fmt: skip
    return _accumulated(w, dict.fromkeys(old, 1.0), old, now)


def _late(w: RouteWindow, heads: Heads, now: datetime) -> Ticket | None:
    """The late ticket (waited at least `late_wait_minutes`) with the largest weight × minutes
    waited among the window's profile and neighbours (weight 1); equal ones go to the older.
    A green-channel ticket's minutes count at its class rate (4 in the shipped layouts: an
    elderly citizen who has waited 2 minutes ranks with a walk-in who has waited 8), so the
    rule keeps the green channel ahead of the walk-ins who came after it (at equal weights).
    None when no ticket is late."""
    if not math.isfinite(w.late_wait_minutes):
        return None
    weights = {**{q: 1.0 for q in w.neighbours}, **w.profile}
    best: Ticket | None = None
    best_score = -1.0
    for queue, weight in weights.items():
        for t in heads.get(queue, {}).values():
            waited = _waited(t, now)
            if t.priority is PriorityClass.GREEN:  # the green channel keeps its head start
                waited *= w.rates.get(PriorityClass.GREEN.value, 1.0)
            if waited < w.late_wait_minutes:
                continue
            score = weight * waited
            if score > best_score or (
                score == best_score and best and t.enqueued_at < best.enqueued_at
            ):
                best, best_score = t, score
    return best


def _accumulated(
    w: RouteWindow, profile: Mapping[str, float], heads: Heads, now: datetime
) -> Ticket | None:
    best: Ticket | None = None
    best_key = (-1, -1.0)
    for queue, weight in profile.items():
        for cls, t in heads.get(queue, {}).items():
            waited = _waited(t, now)
            over = 1 if waited >= w.max_wait_minutes else 0
            # Past the cap, the longest wait wins outright; below it, accumulated priority.
            score = waited if over else weight * w.rates.get(cls.value, 1.0) * max(waited, 0.0)
            key = (over, score)
            if key > best_key or (key == best_key and best and t.enqueued_at < best.enqueued_at):
                best, best_key = t, key
    return best


def dedicated(w: RouteWindow, heads: Heads, now: datetime) -> Ticket | None:
    """Today's practice: the window's own queue only, FCFS within absolute priority classes."""
    classes = heads.get(w.home, {})
    for cls in _CLASS_ORDER:
        if cls in classes:
            return classes[cls]
    return None


def pooled(w: RouteWindow, heads: Heads, now: datetime) -> Ticket | None:
    """Reference: every window serves every ticket, first come first served."""
    oldest: Ticket | None = None
    for classes in heads.values():
        for t in classes.values():
            if oldest is None or t.enqueued_at < oldest.enqueued_at:
                oldest = t
    return oldest


def pooled_classes(w: RouteWindow, heads: Heads, now: datetime) -> Ticket | None:
    """Pooled with today's priority: every window serves every ticket, first come first
    served within absolute priority classes (green, then appointments, then walk-ins) —
    `dedicated`'s discipline on one hall-wide queue."""
    for cls in _CLASS_ORDER:
        oldest: Ticket | None = None
        for classes in heads.values():
            t = classes.get(cls)
            if t is not None and (oldest is None or t.enqueued_at < oldest.enqueued_at):
                oldest = t
        if oldest is not None:
            return oldest
    return None


#: the policies that share skills: a window helps its `neighbours` and `other_floors`, and
#: a late ticket goes first across them (`late_wait_minutes`); the others ignore all three.
#: The printed estimate follows the same (hall.core.forecast, Engine.helpers).
SHARES_SKILLS: frozenset[Policy] = frozenset({accumulated_priority})

POLICIES: dict[str, Policy] = {
    "default": accumulated_priority,
    "dedicated": dedicated,
    "pooled": pooled,
    "pooled_classes": pooled_classes,
}


def get_policy(name: str) -> Policy:
    try:
        return POLICIES[name]
    except KeyError:
        raise ValueError(f"unknown routing policy {name!r}; known: {', '.join(POLICIES)}") from None
