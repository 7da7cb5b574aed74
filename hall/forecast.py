"""Wait estimates printed on tickets and shown on boards.

Pure functions over a read-only view of the queue state. The estimate is a
range, not a false precision. The routing benchmark (`hall simulate`) measures
these against the waits tickets really had.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class QueueLoad:
    """What the estimator knows about one queue at one moment."""

    queue: str
    ahead: int  # tickets that will be called before this one (as far as we know)
    servers: float  # open windows serving the queue, each counted by its profile share
    service_minutes: float  # mean service time: learned today, or the layout's figure


@dataclass(frozen=True, slots=True)
class Estimate:
    minutes: float
    low: float
    high: float

    def text(self) -> str:
        """A range for people: "约5–10分钟", "即将叫号"."""
        if self.high < 1:
            return "即将叫号"
        return f"约{round(self.low)}–{max(round(self.high), round(self.low) + 1)}分钟"

    def text_en(self) -> str:
        if self.high < 1:
            return "called soon"
        return f"about {round(self.low)}–{max(round(self.high), round(self.low) + 1)} min"


def simple_estimate(load: QueueLoad) -> Estimate:
    """The textbook baseline: (ahead + 1) / (servers x rate), +-50 %."""
    if load.servers <= 0:
        m = (load.ahead + 1) * load.service_minutes
    else:
        m = (load.ahead + 1) * load.service_minutes / load.servers
    return Estimate(m, m * 0.5, m * 1.5)


def learned_service_minutes(
    durations: Mapping[str, tuple[float, int]], queue: str, planned: float, min_samples: int = 5
) -> float:
    """Today's mean service time of a queue once it has enough samples; the plan before."""
    total, n = durations.get(queue, (0.0, 0))
    if n < min_samples:
        return planned
    # Shrink toward the planned figure while samples are few.
    return (total + planned * min_samples) / (n + min_samples)
