"""The console's sense of "now": the hub's clock (`ui.model.HubClock`, which the hall
model keeps), never the console machine's — a demo hub may run at another hour than
the wall. Tests inject a `ManualClock` instead and move it by hand.
"""

from __future__ import annotations

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


class ManualClock:
    """A clock for tests: stands still until advanced."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def advance(self, minutes: float = 0.0, seconds: float = 0.0) -> None:
        self.now += timedelta(minutes=minutes, seconds=seconds)

    def __call__(self) -> datetime:
        return self.now
