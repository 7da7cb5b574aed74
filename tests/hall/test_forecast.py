"""The wait estimates (hall.core.forecast): the strong baseline the benchmark measures the
printed estimate against, and the constants the estimator learns from the hall's history."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from hall.core.engine import Engine, at
from hall.core.forecast import baseline_estimate
from hall.core.layout import Layout, default_layout_path, load_layout

THU = date(2026, 11, 26)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def layout() -> Layout:
    return load_layout(default_layout_path())


def _engine(layout: Layout, clock: Clock) -> Engine:
    e = Engine(layout, clock)
    e.housekeep()
    return e


def _g_windows(layout: Layout) -> list[int]:
    return sorted(n for n, w in layout.windows.items() if next(iter(w.profile)) == "G")


def test_baseline_is_zero_while_a_window_of_the_queue_is_idle(layout: Layout) -> None:
    clock = Clock(at(THU, "09:00"))
    eng = _engine(layout, clock)
    a, b = _g_windows(layout)[:2]
    for n in (a, b):
        eng.open_window(window=n)
        eng.sign_in(window=n, post="A", staff_no=f"S{n:03d}", name=f"办事员{n}")
    others = [n for n, w in eng.windows.items() if "G" in w.profile and n not in (a, b)]
    assert all(eng.windows[n].current is None for n in others)  # closed: not idle
    svc = eng.queue_load("G").service_minutes
    # two idle windows serving G: whoever comes is called at once
    assert baseline_estimate(eng, "G").minutes == 0
    for _ in range(5):
        eng.issue(queue="G")
    eng.call_next(window=a)
    assert baseline_estimate(eng, "G").minutes == 0  # b still idle, 4 waiting
    eng.call_next(window=b)
    # both busy, 3 waiting: (3 + 1) people's service over 2 windows
    assert baseline_estimate(eng, "G").minutes == pytest.approx(4 * svc / 2)
    clock.now += timedelta(minutes=1)
    eng.start(window=a)
    eng.finish(window=a)
    assert baseline_estimate(eng, "G").minutes == 0  # a is free again


# ---------------------------------------------------------------- learned from history


def _served_day(layout: Layout, day: date, early: float, service: float) -> Engine:
    """One day's records: 10 G bookings at 10:00, 8 of them checking in `early` minutes
    before their slot, each served for `service` minutes at one window."""
    from hall.core.engine import PersonRef

    clock = Clock(at(day, "08:00"))
    eng = _engine(layout, clock)
    n = _g_windows(layout)[0]
    people = [PersonRef(f"p{i}") for i in range(10)]
    for p in people:
        eng.book_appointment(person=p, queue="G", slot=at(day, "10:00"))
    eng.open_window(window=n)
    eng.sign_in(window=n, post="A", staff_no="S001", name="办事员")
    clock.now = at(day, "10:00") - timedelta(minutes=early)
    for p in people[:8]:
        eng.issue(queue="G", person=p, channel="appointment")
    for _ in range(8):
        eng.call_next(window=n)
        eng.start(window=n)
        clock.now += timedelta(minutes=service)
        eng.finish(window=n)
    return eng


def test_history_learns_no_comes_early_arrival_and_service_time(layout: Layout) -> None:
    from hall.core.history import EARLY_WEIGHT, NO_COME_WEIGHT, PRIOR_NO_COME, History

    h = History()
    assert h.no_come("G") == PRIOR_NO_COME and h.early_minutes("G") == 0  # a new hall's priors
    assert h.service_minutes("G", 10, 10.0) == 10.0
    days = [date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)]
    for d in days:
        eng = _served_day(layout, d, early=6.0, service=4.0)
        h.learn(eng.tickets.values(), eng.appointments.values())
    assert h.days == 3
    # 30 bookings, 6 never came: shrunk toward the prior by its pseudo-bookings
    assert h.no_come("G") == pytest.approx(
        (6 + PRIOR_NO_COME * NO_COME_WEIGHT) / (30 + NO_COME_WEIGHT)
    )
    assert h.early_minutes("G") == pytest.approx(24 * 6.0 / (24 + EARLY_WEIGHT))
    # services at 10:00–10:32 all took 4 minutes: the 10 o'clock mean moves toward 4
    assert 4.0 < h.service_minutes("G", 10, 10.0) < h.service_minutes("G", 15, 10.0) < 10.0
    assert h.service_minutes("G", 10, 10.0) < 5.0
    assert h.arrivals_per_day() == {("G", 9): 8.0}  # checked in at 09:54


def test_calibration_is_the_median_that_minimises_absolute_error() -> None:
    from hall.core.history import weighted_median_ratio

    pairs = [(2.0, 1.0), (4.0, 2.0), (1.0, 3.0), (3.0, 0.5), (5.0, 9.0)]

    def err(f: float) -> float:
        return sum(abs(w - f * e) for e, w in pairs)

    f = weighted_median_ratio(pairs)
    grid = [i / 1000 for i in range(1, 4000)]
    assert err(f) <= min(err(g) for g in grid) + 1e-9
    assert weighted_median_ratio([]) == 1.0


def test_printed_estimate_follows_the_learned_calibration(layout: Layout) -> None:
    from hall.core.history import bucket

    clock = Clock(at(THU, "09:00"))
    eng = _engine(layout, clock)
    n = _g_windows(layout)[0]
    eng.open_window(window=n)
    eng.sign_in(window=n, post="A", staff_no="S001", name="办事员")
    for _ in range(4):
        eng.issue(queue="G")
    eng.call_next(window=n)
    plain = eng.issue(queue="G").value["ticket"]["estimate"]
    assert plain > 0
    eng.history.factors[("G", bucket(plain))] = 0.5
    assert eng.issue(queue="G").value["ticket"]["estimate"] == pytest.approx(
        0.5 * plain * 5 / 4, rel=0.02
    )  # one more ahead: 5 people's service instead of 4, halved


def test_no_scenario_constant_in_the_estimator() -> None:
    import inspect

    from hall.core import forecast

    src = inspect.getsource(forecast)
    assert "0.85" not in src and "minutes=5" not in src  # no-come share, early arrival


def test_a_bucket_calibrated_to_zero_does_not_break_learning() -> None:
    """A bucket whose waits were mostly 0 learns the factor 0 (it prints 0); a positive
    printed estimate then came from another bucket, and learning it must not divide by
    that 0 (a ZeroDivisionError ended a simulated day once)."""
    from hall.core.history import History, bucket
    from hall.core.model import PriorityClass, Ticket

    h = History()
    h.factors[("G", bucket(1.0))] = 0.0  # raw estimates under 2 minutes print 0
    when = at(THU, "10:00")
    t = Ticket("A001", "A001", "G", THU, when, when, PriorityClass.NORMAL)
    t.estimate = 7.0  # printed from the 5–10 minute bucket, factor 1
    t.called_at = when + timedelta(minutes=9)
    h.learn([t], [])
    assert h.days == 1
    assert list(h.pairs[("G", bucket(7.0))]) == [(7.0, 9.0)]


def test_an_appointments_estimate_counts_the_walk_ins_the_late_rule_puts_first(
    layout: Layout,
) -> None:
    import dataclasses

    from hall.core.engine import PersonRef

    def appointment_estimate(late: float, policy: str = "default") -> float:
        p = dataclasses.replace(layout.priority, late_wait_minutes=late)
        clock = Clock(at(THU, "09:00"))
        eng = Engine(dataclasses.replace(layout, priority=p), clock, policy=policy)
        eng.housekeep()
        n = _g_windows(layout)[0]
        eng.open_window(window=n)
        eng.sign_in(window=n, post="A", staff_no="S001", name="办事员")
        for _ in range(5):
            eng.issue(queue="G")
        eng.call_next(window=n)  # one window, busy; 4 walk-ins wait from 09:00
        person = PersonRef("p1")
        eng.book_appointment(person=person, queue="G", slot=at(THU, "09:15"))
        clock.now = at(THU, "09:06")
        out = eng.issue(queue="G", person=person, channel="appointment").value["ticket"]
        return float(out["estimate"])

    svc = layout.queues["G"].service_minutes  # a new hall: the layout's figure
    # at the 40-minute cap nobody of the 4 walk-ins (6 minutes so far) is late by the call:
    # the appointment goes first, one service away
    assert appointment_estimate(40.0) == pytest.approx(svc)
    # late from 8 minutes (Jiangbei): all 4 will be late before its call, so they go first
    assert appointment_estimate(8.0) == pytest.approx(5 * svc)
    # a routing without the late rule (today's dedicated windows): the appointment first
    assert appointment_estimate(8.0, policy="dedicated") == pytest.approx(svc)


def test_the_estimate_counts_the_windows_that_will_help_the_queue(layout: Layout) -> None:
    clock = Clock(at(THU, "09:00"))
    eng = _engine(layout, clock)
    for n in (5, 20, 22):  # 2F no-distinction (G; helps M, T), 2F transport, 3F no-distinction
        eng.open_window(window=n)
        eng.sign_in(window=n, post="A", staff_no=f"S{n:03d}", name=f"办事员{n}")
    eng.issue(queue="G")
    eng.call_next(window=22)  # the 3rd floor's window takes the G ticket
    for _ in range(3):
        eng.issue(queue="T")
    eng.call_next(window=20)
    eng.call_next(window=5)  # nobody waits in G: window 5 helps T
    svc = eng.queue_load("T").service_minutes
    # one T ticket waits; window 20 serves T, and 5 (its floor's neighbour) and 22 (T among
    # its other floors, Jiangbei's rule on at once) will call T next: 3 windows
    assert eng.servers("T") == 1 and eng.helpers("T") == 2
    est = eng.issue(queue="T").value["ticket"]["estimate"]
    assert est == pytest.approx(2 * svc / 3)  # one ahead: two calls over three windows
    # someone waits in G now: 5 and 22 will call them first, so they are not counted
    eng.issue(queue="G")
    assert eng.helpers("T") == 0
    est = eng.issue(queue="T").value["ticket"]["estimate"]
    assert est == pytest.approx(3 * svc)  # two ahead, one window
    # the baseline counts only the windows of the queue, as BENCHMARK.md defines it
    assert baseline_estimate(eng, "T").minutes == pytest.approx(4 * svc)
