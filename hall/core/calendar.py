"""The hall's working-day calendar: the State Council's holidays and make-up workdays
(调休) from the `chinese-calendar` package, the hall's weekly pattern, and the layout's
local changes on top.

Pure: no I/O, no logging. A date past the years the package knows is still answered
(by the weekly pattern and the local lists), and `warning` says so in one sentence
the hub logs and the manager console shows.

Order of the rules for one day (first match wins):

1. the layout's ``extra_working_days`` (a local working day, e.g. a Saturday opened for
   a campaign) → working;
2. the layout's ``holidays`` (a local closure) → not working;
3. an official holiday (放假) → not working;
4. an official make-up workday (调休上班, a weekend worked) → working;
5. otherwise the layout's ``working_days`` (mon–fri by default).

The rating day itself never counts in the 1/4/13 arithmetic ("1个工作日内" is the next
working day: [C] 注释 “1、4、13”时限要求).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache


@cache
def _official() -> tuple[frozenset[date], frozenset[date], date, date]:
    """(holidays, make-up workdays, first known day, last known day) of the package."""
    from chinese_calendar import constants

    holidays = frozenset(constants.holidays)
    workdays = frozenset(constants.workdays)
    first = date(min(d.year for d in holidays), 1, 1)
    last = date(max(d.year for d in holidays), 12, 31)
    return holidays, workdays, first, last


def official_range() -> tuple[date, date]:
    """The first and last day the official calendar (the installed package) covers."""
    _, _, first, last = _official()
    return first, last


@dataclass(frozen=True)
class HallCalendar:
    """Which days a hall works. `official=False` ignores the State Council calendar (a
    hall abroad, a test): only the weekly pattern and the local lists count."""

    working_weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # 0 = Monday
    holidays: frozenset[date] = field(default_factory=frozenset)  # local closures
    extra_working_days: frozenset[date] = field(default_factory=frozenset)  # local openings
    official: bool = True

    def known(self, day: date) -> bool:
        """The official calendar covers `day` (always true when it is not used)."""
        if not self.official:
            return True
        first, last = official_range()
        return first <= day <= last

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_working_days:
            return True
        if day in self.holidays:
            return False
        if self.official:
            off, worked, _, _ = _official()
            if day in off:
                return False
            if day in worked:
                return True
        return day.weekday() in self.working_weekdays

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (the day itself does not count)."""
        d, left = start, n
        for _ in range(7 * n + 3660):  # ten years without a working day: the hall never works
            if left <= 0:
                return d
            d += timedelta(days=1)
            left -= self.is_working_day(d)
        raise ValueError(f"no {n} working days within ten years of {start}")

    def working_days_between(self, first: date, last: date) -> int:
        """Working days from `first` to `last`, both included."""
        n, d = 0, first
        while d <= last:
            n += self.is_working_day(d)
            d += timedelta(days=1)
        return n

    def warning(self, days: Iterable[date]) -> str:
        """One sentence when any of `days` is past the official calendar, else ""."""
        if not self.official:
            return ""
        first, last = official_range()
        out = sorted(d for d in days if not first <= d <= last)
        if not out:
            return ""
        return (
            f"法定节假日历只到 {last.isoformat()}，其后的日子按每周工作日计算（涉及 "
            f"{'、'.join(d.isoformat() for d in out)}），请升级 chinesecalendar 或在布局 "
            f"hours.holidays / extra_working_days 中补充 (official holidays known until "
            f"{last.isoformat()}; later days counted by weekdays only)"
        )
