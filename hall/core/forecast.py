"""Wait estimates printed on tickets and shown on boards.

Pure functions over a read-only view of the queue state. The estimate is a
range, not a false precision. The routing benchmark (`hall simulate`) measures
these against the waits tickets really had.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hall.core.engine import Engine
    from hall.core.model import Ticket


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


def baseline_estimate(engine: Engine, queue: str) -> Estimate:
    """The strong baseline of BENCHMARK.md, for a ticket of `queue` issued now: 0 when a
    window serving the queue is idle, else (everyone waiting + 1) / (windows × service
    rate), with the same service time the product's estimate uses."""
    if engine.free_windows(queue) > 0:
        return Estimate(0.0, 0.0, _IMMEDIATE_HIGH)
    load = engine.queue_load(queue)
    return simple_estimate(
        QueueLoad(queue, engine.waiting_count(queue), load.servers, load.service_minutes)
    )


def learned_service_minutes(
    durations: Mapping[str, tuple[float, int]], queue: str, planned: float, min_samples: int = 5
) -> float:
    """Today's mean service time of a queue once it has enough samples; the plan before."""
    total, n = durations.get(queue, (0.0, 0))
    if n < min_samples:
        return planned
    # Shrink toward the planned figure while samples are few.
    return (total + planned * min_samples) / (n + min_samples)


# ---------------------------------------------------------------- the product's estimate

_RANGE_LOW, _RANGE_HIGH, _RANGE_FLOOR = 1.5, 2.0, 0.15  # the printed range, see queue_estimate
_IMMEDIATE_HIGH = 1.0  # "约0–1分钟": a free window will call at once


def queue_estimate(engine: Engine, t: Ticket) -> Estimate:
    """The wait printed on a new ticket: what the hub uses (hall.core.engine.default_estimator).

    Better than (ahead + 1) / (windows × rate) because it
    - counts only the people the routing will call first (same or faster-accumulating
      class) and the windows whose current profile serves the queue (by profile share),
      plus those that will help it at their next call (`Engine.helpers`),
    - with the service time learned from the day so far;
    - says "at once" when a free window serving the queue outnumbers the people ahead
      (half the tickets of a normal day are called within seconds);
    - adds the booked appointments expected to check in and overtake a slower class while
      it waits (how early booked citizens come and how many never do: learned, see
      hall.core.history), and for an appointment the walk-ins the late rule will call
      before it (hall.core.routing);
    - and scales the result by the factor learned from the hall's past tickets of this
      queue, kind and size of estimate (the middle of the waits they really had).
    The point figure is the median-ish value that keeps absolute errors small; the range
    is asymmetric (waits have a long right tail).
    """
    from hall.core.model import PriorityClass  # local: forecast stays import-light
    from hall.core.routing import SHARES_SKILLS

    load = engine.queue_load(t.queue, t.priority)
    q = t.queue
    hist = engine.history
    if load.ahead < engine.free_windows(q, helpers=True):
        return Estimate(0.0, 0.0, _IMMEDIATE_HIGH)
    m = load.service_minutes
    # (a share this small is no server at all, and would overflow the arithmetic below)
    s = load.servers + engine.helpers(q)
    s = s if s > 1e-6 else 1.0
    per = m / s  # minutes between calls of this queue while every serving window is busy
    wait = (load.ahead + 1) * per
    rates = engine.layout.priority.rates
    own = rates[t.priority.value]
    appt_rate = rates[PriorityClass.APPOINTMENT.value]
    if appt_rate > own and wait > 0:
        # An appointment checking in d minutes from now overtakes this ticket when its
        # faster-accumulating priority catches up before the call: d < wait·(1 − own/rate).
        horizon = t.issued_at + timedelta(minutes=wait * (1 - own / appt_rate))
        lead = timedelta(minutes=hist.early_minutes(q))
        booked = sum(
            1
            for a in engine.appointments.values()
            if a.queue == q and a.checked_in is None and t.issued_at < a.slot - lead <= horizon
        )
        wait += booked * (1.0 - hist.no_come(q)) * per
    if t.priority is PriorityClass.APPOINTMENT and wait > 0 and engine.policy in SHARES_SKILLS:
        # The late rule (hall.core.routing): a walk-in that will have waited the layout's
        # `late_wait_minutes` by this ticket's call goes before it.
        late = engine.layout.priority.late_wait_minutes
        cutoff = t.issued_at + timedelta(minutes=wait - late)
        wait += engine.waiting_since(q, PriorityClass.NORMAL, cutoff) * per
    wait *= hist.factor(q, wait, t.priority is PriorityClass.APPOINTMENT)
    # The range: the wait is the time of k = ahead + 1 calls, whose relative spread shrinks
    # like 1/√k. Calibrated on the routing benchmark (busy day, `dedicated` and the product,
    # 30 days each): the 10th and 90th percentiles of real/estimated wait by k were
    # 0.16/1.77 (k 1–2), 0.54/1.67 (6–11), 0.64/1.49 (12–24), 0.69/1.29 (25–49). A fixed
    # 0.5×–1.5× range covered 56 % of the waits at k ≤ 2 and 98 % at k ≥ 25: too sure for a
    # short queue and a band too wide to plan by ("约44–133分钟") for a long one.
    k = load.ahead + 1
    lo = wait * max(_RANGE_FLOOR, 1.0 - _RANGE_LOW / math.sqrt(k))
    hi = wait * (1.0 + _RANGE_HIGH / math.sqrt(k)) + 1.0
    return Estimate(wait, lo, max(hi, _IMMEDIATE_HIGH))
