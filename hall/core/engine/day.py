"""The hall's day: the date change at housekeeping, the state digest, restore after a restart."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from hall.core.engine import lifecycle
from hall.core.engine.base import EngineBase, Outcome
from hall.core.engine.lifecycle import Command
from hall.core.events import DayStarted
from hall.core.model import (
    Appointment,
    FollowUpCase,
    Ticket,
    TicketState,
    WindowStatus,
)


class DayCommands(EngineBase):
    """Day change, the plain-data digest of the state, rebuilding from saved records."""

    def housekeep(self) -> Outcome:
        """Start a new day when the date changes: yesterday's unfinished tickets expire."""
        now = self._now()
        today = now.date()
        if self.day == today:
            return self._done({"day": today.isoformat(), "expired": 0})
        expired = 0
        for t in list(self.tickets.values()):
            if t.day < today and lifecycle.allows(t.state, Command.EXPIRE):
                if t.state is TicketState.WAITING:
                    self._dequeue(t)
                self._move(t, Command.EXPIRE)
                t.ended_at, t.window = now, None
                t.history.append({"at": now.isoformat(), "action": "expired"})
                self._touch(t)
                expired += 1
        # Free windows of expired tickets only: an engine that served before its first
        # housekeep (day None) still holds today's calls and parked tickets.
        old = {k for k, t in self.tickets.items() if t.day < today}
        for w in self.windows.values():
            parked = [i for i in w.parked if i not in old]
            if w.current in old or parked != w.parked:
                w.current = None if w.current in old else w.current
                w.parked = parked
                self._touch(w)
        # Keep memory flat: only today's tickets stay in the engine (the store has the rest).
        self.tickets = {k: t for k, t in self.tickets.items() if k not in old}
        self.counters = {k: n for k, n in self.counters.items() if k[0] >= today}
        self._by_person = {}
        for t in self.tickets.values():
            if t.person_hash:
                self._by_person.setdefault(t.person_hash, []).append(t.id)
        self._durations, self.day = {}, today
        self._emit(now, DayStarted(day=today.isoformat(), expired=expired))
        return self._done({"day": today.isoformat(), "expired": expired})

    # ---------------------------------------------------------------- views

    def state_digest(self) -> dict[str, Any]:
        """Everything that defines the engine's state, as plain data (for equality tests)."""
        return {
            "day": self.day.isoformat() if self.day else None,
            "tickets": {k: t.to_dict() for k, t in sorted(self.tickets.items())},
            "windows": {n: w.to_dict() for n, w in sorted(self.windows.items())},
            "counters": {f"{d.isoformat()}/{q}": n for (d, q), n in sorted(self.counters.items())},
            "appointments": {k: a.to_dict() for k, a in sorted(self.appointments.items())},
            "cases": {k: c.to_dict() for k, c in sorted(self.cases.items())},
            "waiting": {q: [t.id for t in self.waiting(q)] for q in self.layout.queues},
            "targeted": {
                n: [t.id for t in lst] for n, lst in sorted(self._targeted.items()) if lst
            },
            "durations": dict(sorted(self._durations.items())),
        }

    # ---------------------------------------------------------------- restore

    def restore(
        self,
        *,
        day: date | None,
        tickets: Iterable[Ticket],
        windows: Iterable[WindowStatus],
        counters: Mapping[tuple[date, str], int],
        appointments: Iterable[Appointment],
        cases: Iterable[FollowUpCase],
    ) -> None:
        """Rebuild the in-memory state from saved records (after a restart)."""
        self.day = day
        self.tickets = {t.id: t for t in tickets}
        # Every window as the layout starts it, then as saved: a window never saved must
        # lose a change a failed commit left in memory too.
        self.windows = {
            n: WindowStatus(n, profile=dict(w.profile)) for n, w in self.layout.windows.items()
        }
        for w in windows:
            if w.number in self.windows:
                self.windows[w.number] = w
        self.counters = dict(counters)
        self.appointments = {a.id: a for a in appointments}
        self.cases = {c.id: c for c in cases}
        self._waiting = {q: {} for q in self.layout.queues}
        self._targeted, self._by_person, self._durations = {}, {}, {}
        for t in sorted(
            self.tickets.values(), key=lambda t: (t.finished_at or t.issued_at, t.issued_at)
        ):
            if t.state is TicketState.WAITING:
                self._enqueue(t)
            if t.person_hash and t.day == day:
                self._by_person.setdefault(t.person_hash, []).append(t.id)
            if t.state is TicketState.FINISHED and t.day == day and t.started_at and t.finished_at:
                total, n = self._durations.get(t.queue, (0.0, 0))
                mins = (t.finished_at - t.started_at).total_seconds() / 60.0
                self._durations[t.queue] = (total + mins, n + 1)
        self._reset_pending()
