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
