"""The hall calendar against the State Council's 2026 holiday notice (国办发明电〔2025〕7号),
every date worked out by hand from the notice:

元旦 1–3 Jan off, Sun 4 Jan worked; 春节 15–23 Feb off, Sat 14 and Sat 28 Feb worked;
清明 4–6 Apr off; 劳动节 1–5 May off, Sat 9 May worked; 端午 19–21 Jun off;
中秋 25–27 Sep off; 国庆 1–7 Oct off, Sun 20 Sep and Sat 10 Oct worked.
"""

from __future__ import annotations

from datetime import date

import pytest

from hall.core.calendar import HallCalendar, official_range
from hall.core.layout import Layout, load_layout

CAL = HallCalendar()

OFF_2026 = [date(2026, 1, d) for d in (1, 2, 3)] + [date(2026, 2, d) for d in range(15, 24)] + [
    date(2026, 4, d) for d in (4, 5, 6)
] + [date(2026, 5, d) for d in range(1, 6)] + [date(2026, 6, d) for d in (19, 20, 21)] + [
    date(2026, 9, d) for d in (25, 26, 27)
] + [date(2026, 10, d) for d in range(1, 8)]  # fmt: skip
MAKE_UP_2026 = [date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9),
                date(2026, 9, 20), date(2026, 10, 10)]  # fmt: skip


@pytest.mark.parametrize("day", OFF_2026, ids=str)
def test_every_2026_holiday_is_off(day: date) -> None:
    assert not CAL.is_working_day(day)


@pytest.mark.parametrize("day", MAKE_UP_2026, ids=str)
def test_every_2026_make_up_day_is_worked(day: date) -> None:
    assert day.weekday() >= 5 and CAL.is_working_day(day)


def test_the_rest_of_2026_follows_the_week() -> None:
    special = set(OFF_2026) | set(MAKE_UP_2026)
    d, worked = date(2026, 1, 1), 0
    while d.year == 2026:
        if d not in special:
            assert CAL.is_working_day(d) is (d.weekday() < 5), d
        worked += CAL.is_working_day(d)
        d = date.fromordinal(d.toordinal() + 1)
    # 261 weekdays in 2026, less the 19 weekday holidays (2 Jan, 6 Feb, 1 Apr, 3 May, 1 Jun, 1 Sep, 5 Oct), plus the 6 make-up days
    assert sum(1 for x in OFF_2026 if x.weekday() < 5) == 19
    assert worked == 261 - 19 + 6 == 248


@pytest.mark.parametrize(
    ("rated", "contact", "rectify", "closed"),
    [
        # Wed 31 Dec 2025: 1–3 Jan off, Sun 4 Jan worked; 5, 6, 7 (4); 8, 9, 12–16, 19, 20 (13)
        (date(2025, 12, 31), date(2026, 1, 4), date(2026, 1, 7), date(2026, 1, 20)),
        # Fri 13 Feb: Sat 14 worked; 15–23 off; 24, 25, 26 (4); 27, Sat 28, 2–6 Mar, 9, 10 (13)
        (date(2026, 2, 13), date(2026, 2, 14), date(2026, 2, 26), date(2026, 3, 10)),
        # Fri 3 Apr: 4–6 off; 7, 8, 9, 10 (4); 13–17, 20, 21, 22, 23 (13)
        (date(2026, 4, 3), date(2026, 4, 7), date(2026, 4, 10), date(2026, 4, 23)),
        # Thu 30 Apr: 1–5 May off; 6, 7, 8, Sat 9 (4); 11–15, 18, 19, 20, 21 (13)
        (date(2026, 4, 30), date(2026, 5, 6), date(2026, 5, 9), date(2026, 5, 21)),
        # Thu 18 Jun: 19–21 off; 22, 23, 24, 25 (4); 26, 29, 30, 1–3 Jul, 6, 7, 8 (13)
        (date(2026, 6, 18), date(2026, 6, 22), date(2026, 6, 25), date(2026, 7, 8)),
        # Fri 18 Sep: Sun 20 worked; 21, 22, 23 (4); 24, 28, 29, 30, 8 Oct, 9, Sat 10, 12, 13
        (date(2026, 9, 18), date(2026, 9, 20), date(2026, 9, 23), date(2026, 10, 13)),
        # Thu 24 Sep: 25–27 off; 28, 29, 30, 8 Oct (4); 9, Sat 10, 12–16, 19, 20 (13)
        (date(2026, 9, 24), date(2026, 9, 28), date(2026, 10, 8), date(2026, 10, 20)),
        # Wed 30 Sep: 1–7 Oct off; 8, 9, Sat 10, 12 (4); 13–16, 19–23 Oct (13)
        (date(2026, 9, 30), date(2026, 10, 8), date(2026, 10, 12), date(2026, 10, 23)),
    ],
    ids=str,
)
def test_1_4_13_deadlines_over_each_2026_holiday(
    rated: date, contact: date, rectify: date, closed: date
) -> None:
    assert [CAL.add_working_days(rated, n) for n in (1, 4, 13)] == [contact, rectify, closed]


def test_local_changes_win_over_the_official_calendar() -> None:
    local = HallCalendar(holidays=frozenset({date(2026, 9, 28)}),
                         extra_working_days=frozenset({date(2026, 9, 26)}))  # fmt: skip
    assert local.is_working_day(date(2026, 9, 26))  # an official holiday the hall opens
    assert not local.is_working_day(date(2026, 9, 28))  # a Monday the hall closes
    # Thu 24 Sep: Sat 26 (1, local), 29, 30, 8 Oct (4)
    assert local.add_working_days(date(2026, 9, 24), 1) == date(2026, 9, 26)
    assert local.add_working_days(date(2026, 9, 24), 4) == date(2026, 10, 8)


def test_a_hall_open_on_saturdays_still_closes_on_holidays() -> None:
    sat = HallCalendar(working_weekdays=frozenset(range(6)))
    assert sat.is_working_day(date(2026, 11, 28))  # an ordinary Saturday
    assert not sat.is_working_day(date(2026, 9, 26))  # Saturday of 中秋
    assert sat.add_working_days(date(2026, 9, 24), 1) == date(2026, 9, 28)


def test_without_the_official_calendar_only_the_week_counts() -> None:
    plain = HallCalendar(official=False)
    assert plain.is_working_day(date(2026, 10, 1)) and not plain.is_working_day(date(2026, 9, 20))
    assert plain.warning([date(2030, 1, 1)]) == ""


def test_past_the_known_years_warns_and_counts_weekdays() -> None:
    first, last = official_range()
    assert first <= date(2026, 1, 1) and last >= date(2026, 12, 31)
    beyond = date(last.year + 1, 1, 1)
    assert not CAL.known(beyond) and CAL.known(date(2026, 6, 1))
    assert CAL.warning([date(2026, 6, 1)]) == ""
    w = CAL.warning([date(2026, 12, 30), beyond])
    assert beyond.isoformat() in w and last.isoformat() in w
    # still answered, by the weekly pattern
    assert CAL.is_working_day(beyond) is (beyond.weekday() < 5)


def test_a_calendar_that_never_works_is_refused() -> None:
    never = HallCalendar(working_weekdays=frozenset(), official=False)
    with pytest.raises(ValueError, match="working days"):
        never.add_working_days(date(2026, 1, 1), 1)


@pytest.mark.parametrize("name", ["jiangbei", "county", "town"])
def test_shipped_layouts_use_the_official_calendar(name: str) -> None:
    layout: Layout = load_layout(name)
    h = layout.hours
    assert h.official_calendar
    assert not h.is_working_day(date(2026, 9, 26)) and h.is_working_day(date(2026, 9, 20))
    assert h.calendar_warning(date(2026, 12, 31)) == ""
    assert "2027" in h.calendar_warning(date(2026, 12, 31), date(2027, 1, 19))
