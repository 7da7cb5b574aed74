"""What the hall learns from its own past days (issue 23): the constants of the wait
estimate and the advisor's arrival forecast, learned instead of written into the code.

Pure: the hub feeds it the store's tickets and appointments of past days
(`hall.server.store.Store.history`), `hall simulate` the engine's records at the end of
each simulated day (`learn`). A new hall starts from priors and moves away from them as
its days accumulate (each learned figure is shrunk toward its prior by a few
pseudo-observations):

- per queue, the share of booked citizens who never check in (prior `PRIOR_NO_COME`) and
  how many minutes before their slot those who come check in (prior 0);
- per queue and hour of issue, the mean service time (prior: the queue's mean over all
  hours, whose own prior is the layout's `service_minutes`);
- per queue and hour, the people who take a ticket on an average day (the advisor's
  forecast; none before the first day);
- per queue and size of the estimate, the factor by which the printed wait should be
  scaled to sit at the middle of the waits that such tickets really had (the weighted
  median of real / estimated: the point that keeps absolute errors smallest);
- per window, how often each service item (事项) was recorded for a ticket it finished:
  the counter's item picker lists a window's most-used items first.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from hall.core.model import Appointment, PriorityClass, Ticket

PRIOR_NO_COME = 0.1  # share of bookings nobody comes for, before the hall has any
NO_COME_WEIGHT = 20.0  # pseudo-bookings of that prior
EARLY_WEIGHT = 10.0  # pseudo-check-ins at 0 minutes early
SERVICE_WEIGHT = 5.0  # pseudo-services at the prior mean
CALIBRATION_MIN = 50  # tickets of a bucket before its factor moves from 1
CALIBRATION_KEEP = 4000  # the most recent (estimate, wait) pairs kept per bucket
#: upper bounds (minutes) of the buckets of the raw estimate the calibration learns apart
BUCKETS = (2.0, 5.0, 10.0, 20.0, 40.0, math.inf)


def _kind(queue: str, appointment: bool) -> str:
    return f"{queue}/appointment" if appointment else queue


def bucket(raw_minutes: float) -> int:
    for i, hi in enumerate(BUCKETS):
        if raw_minutes < hi:
            return i
    return len(BUCKETS) - 1


def weighted_median_ratio(pairs: Iterable[tuple[float, float]]) -> float:
    """The factor f minimising Σ |wait − f·estimate| over (estimate, wait) pairs with a
    positive estimate: the median of wait / estimate weighted by the estimate."""
    pts = sorted((w / e, e) for e, w in pairs if e > 0)
    if not pts:
        return 1.0
    half = sum(e for _, e in pts) / 2
    acc = 0.0
    for r, e in pts:
        acc += e
        if acc >= half:
            return r
    return pts[-1][0]


@dataclass
class History:
    """The learned constants (see the module docstring). `days` counts the days learned."""

    days: int = 0
    booked: dict[str, list[float]] = field(default_factory=dict)  # queue -> [booked, came]
    early: dict[str, list[float]] = field(default_factory=dict)  # queue -> [Σ minutes, n]
    service: dict[tuple[str, int], list[float]] = field(default_factory=dict)  # [Σ, n]
    arrivals: dict[tuple[str, int], float] = field(default_factory=dict)  # Σ tickets by hour
    pairs: dict[tuple[str, int], deque[tuple[float, float]]] = field(default_factory=dict)
    # (queue or "queue/appointment", bucket of the raw estimate) -> calibration factor
    factors: dict[tuple[str, int], float] = field(default_factory=dict)
    _per_queue: dict[str, tuple[float, float]] = field(default_factory=dict)  # Σ, n services
    items_used: dict[int, dict[str, int]] = field(default_factory=dict)  # window -> item -> n

    # ---------------------------------------------------------------- what it says

    def no_come(self, queue: str) -> float:
        booked, came = self.booked.get(queue, (0.0, 0.0))
        return (booked - came + PRIOR_NO_COME * NO_COME_WEIGHT) / (booked + NO_COME_WEIGHT)

    def early_minutes(self, queue: str) -> float:
        total, n = self.early.get(queue, (0.0, 0.0))
        return total / (n + EARLY_WEIGHT)

    def service_minutes(self, queue: str, hour: int | None, planned: float) -> float:
        """Mean service time of `queue` for tickets served in `hour` (any hour if None)."""
        tot, n = self._per_queue.get(queue, (0.0, 0.0))
        overall = (tot + planned * SERVICE_WEIGHT) / (n + SERVICE_WEIGHT)
        if hour is None:
            return overall
        s, k = self.service.get((queue, hour), (0.0, 0.0))
        return (s + overall * SERVICE_WEIGHT) / (k + SERVICE_WEIGHT)

    def factor(self, queue: str, raw_minutes: float, appointment: bool = False) -> float:
        """The calibration of a raw estimate of this size for this queue's walk-ins (or its
        appointments): 1 until learned."""
        return self.factors.get((_kind(queue, appointment), bucket(raw_minutes)), 1.0)

    def _unscale(self, queue: str, printed: float, appointment: bool) -> float:
        """The raw estimate a printed one was made from with today's factors."""
        for b in range(len(BUCKETS)):
            f = self.factors.get((_kind(queue, appointment), b), 1.0)
            if f <= 0:  # that bucket prints 0: a positive estimate came from another
                continue
            raw = printed / f
            if bucket(raw) == b:
                return raw
        return printed

    def arrivals_per_day(self) -> dict[tuple[str, int], float]:
        """People per (queue, hour of issue) on an average learned day; empty before one."""
        if not self.days:
            return {}
        return {k: v / self.days for k, v in self.arrivals.items()}

    # ---------------------------------------------------------------- learning

    def learn(self, tickets: Iterable[Ticket], appointments: Iterable[Appointment]) -> None:
        """Learn from the records of past days: each day once, and never today's (still
        open) records. `days` grows by the number of distinct days given."""
        tickets = list(tickets)
        by_id = {t.id: t for t in tickets}
        days = {t.day for t in tickets}
        for a in appointments:
            days.add(a.day)
            came = a.checked_in is not None
            b = self.booked.setdefault(a.queue, [0.0, 0.0])
            b[0] += 1
            b[1] += 1 if came else 0
            t = by_id.get(a.checked_in) if a.checked_in else None
            if t is not None:
                e = self.early.setdefault(a.queue, [0.0, 0.0])
                e[0] += (a.slot - t.issued_at).total_seconds() / 60.0
                e[1] += 1
        for t in tickets:
            self._learn_ticket(t)
        self.days += len(days)
        per_queue: dict[str, tuple[float, float]] = {}
        for (q, _h), (tot, n) in self.service.items():
            so_far, count = per_queue.get(q, (0.0, 0.0))
            per_queue[q] = (so_far + tot, count + n)
        self._per_queue = per_queue
        self.factors = {
            k: weighted_median_ratio(v) if len(v) >= CALIBRATION_MIN else 1.0
            for k, v in self.pairs.items()
        }

    def _learn_ticket(self, t: Ticket) -> None:
        hour = t.issued_at.hour
        self.arrivals[(t.queue, hour)] = self.arrivals.get((t.queue, hour), 0.0) + 1
        if t.started_at is not None and t.finished_at is not None:
            s = self.service.setdefault((t.queue, t.started_at.hour), [0.0, 0.0])
            s[0] += (t.finished_at - t.started_at).total_seconds() / 60.0
            s[1] += 1
            if t.item and t.window is not None:
                used = self.items_used.setdefault(t.window, {})
                used[t.item] = used.get(t.item, 0) + 1
        if t.called_at is None or t.estimate is None or t.estimate <= 0:
            return
        # the raw estimate before the factor of its day (the factors hold for a whole day)
        appointment = t.priority is PriorityClass.APPOINTMENT
        raw = self._unscale(t.queue, t.estimate, appointment)
        waited = (t.called_at - t.issued_at).total_seconds() / 60.0
        key = (_kind(t.queue, appointment), bucket(raw))
        self.pairs.setdefault(key, deque(maxlen=CALIBRATION_KEEP)).append((raw, waited))


def profile_periods(
    history: History, queues: Sequence[str], issue_from: datetime, issue_until: datetime
) -> tuple[list[tuple[float, float, float]], dict[str, float]]:
    """The learned arrivals as (periods, people per day per queue) for the advisor's
    forecast: one period per hour of the issuing day, its multiplier the hall's learned
    rate that hour over the day's mean rate (time-weighted mean 1)."""
    per = history.arrivals_per_day()
    a = issue_from.hour * 60 + issue_from.minute
    b = issue_until.hour * 60 + issue_until.minute
    periods: list[tuple[float, float, float]] = []
    h = a // 60
    while h * 60 < b:
        s, e = max(a, h * 60), min(b, (h + 1) * 60)
        n = sum(per.get((q, h), 0.0) for q in queues)
        periods.append((float(s), float(e), n / (e - s)))
        h += 1
    span = sum(e - s for s, e, _ in periods) or 1.0
    mean = sum((e - s) * r for s, e, r in periods) / span
    per_day = {q: sum(v for (qq, _h), v in per.items() if qq == q) for q in queues}
    if mean <= 0:
        return [(s, e, 1.0) for s, e, _ in periods], per_day
    return [(s, e, r / mean) for s, e, r in periods], per_day
