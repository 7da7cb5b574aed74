"""The console's sense of "now": the hub's clock, never the console machine's.

Ticket and event times are the hub's (a demo hub may run at another hour than the
wall), so waits are measured on the hub's clock: anchored at the snapshot's and
each event's time and advanced with the monotonic clock in between. Tests inject
a `ManualClock` instead and move it by hand.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

Clock = Callable[[], datetime]


def parse_at(text: str | None) -> datetime | None:
    """An ISO time from the hub (naive local hall time); None for nothing or garbage."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


class HubClock:
    """Now on the hub's clock, as far as the console can tell."""

    def __init__(self, mono: Callable[[], float] = time.monotonic) -> None:
        self._mono = mono
        self._anchor: tuple[datetime, float] | None = None

    def anchor(self, at: str | datetime | None) -> None:
        """The hub said it is `at` now (a snapshot, an event); never moves time backwards."""
        t = parse_at(at) if isinstance(at, str) or at is None else at
        if t is None:
            return
        if self._anchor is None or t > self():
            self._anchor = (t, self._mono())

    def __call__(self) -> datetime:
        if self._anchor is None:
            return datetime.now()
        t, m = self._anchor
        return t + timedelta(seconds=self._mono() - m)


class ManualClock:
    """A clock for tests: stands still until advanced."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def advance(self, minutes: float = 0.0, seconds: float = 0.0) -> None:
        self.now += timedelta(minutes=minutes, seconds=seconds)

    def __call__(self) -> datetime:
        return self.now
