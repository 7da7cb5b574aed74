"""The cover sheet of a report: what hall, which range, which days have data, as of when."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hall.reports.stats import Stats, View


def days_with_data(stats: Stats) -> list[date]:
    """Days of the period with a ticket issued, a service finished or a rating given."""
    days = {t.day for t in stats.tickets}
    days |= {s.finished_at.date() for s in stats.services}
    days |= {r.at.date() for r in stats.ratings}
    return sorted(days)


def day_ranges(days: list[date]) -> str:
    """2026-12-01、2026-12-03 至 2026-12-05 (runs of consecutive days joined)."""
    runs: list[tuple[date, date]] = []
    for d in days:
        if runs and d - runs[-1][1] == timedelta(days=1):
            runs[-1] = (runs[-1][0], d)
        else:
            runs.append((d, d))
    return "、".join(a.isoformat() if a == b else f"{a.isoformat()} 至 {b.isoformat()}"
                    for a, b in runs)  # fmt: skip


def cover(stats: Stats, db: str | Path) -> View:
    """封面: the hall, the range, the days with data (and working days without), the as-of day."""
    p, hours = stats.period, stats.layout.hours
    days = days_with_data(stats)
    last = min(p.end, stats.as_of)
    empty = [d for d in _days(p.start, last) if hours.is_working_day(d) and d not in days]
    rows: list[list[Any]] = [
        ["大厅", stats.layout.name],
        ["统计期间", p.label],
        ["有数据的日期", day_ranges(days) or "无（本期没有取号、办结或评价）"],
        ["有数据的天数", len(days)],
        ["无数据的工作日", day_ranges(empty) or "无"],
        ["本期工作日", hours.calendar.working_days_between(p.start, p.end)],
        ["状态截至", stats.as_of],
        ["数据库", str(db)],
        ["工作日历", hours.calendar_warning(p.start, p.end)
         or "国务院办公厅节假日安排（chinesecalendar）及本大厅调整"],
    ]  # fmt: skip
    return View("cover", "封面", ["项目", "内容"], rows,
                note="数据库以只读方式打开；各表口径见表下注释")  # fmt: skip


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
