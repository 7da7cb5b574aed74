"""Bad-rating follow-up cases as of a date: states, the 1/4/13 deadlines, overdue.

Pure functions over `CaseFacts` (no I/O). Definitions (docs/reform-rules.md §3.3):

- Deadlines are the ones the engine stored when the case opened (the layout's
  working days and holidays, rating day not counted, end of the n-th working day).
- Contact is due by ``contact_due``; a ``rectify`` before any ``contact`` counts as
  the contact too (solved at once).
- Rectification-and-feedback is due by ``rectify_due``, or by ``complex_due`` once the
  case is marked complex (marked on or before the date looked at).
- A case is **overdue** as of a day when a step is still missing after its due day.
  A step done after its due day is **late** (kept in the history, not overdue).
- Monthly rectification rate = cases opened in the month that are rectified (or
  closed) by the as-of date ÷ cases opened in the month; the reform's target is 100 %.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from hall.reports.data import CaseFacts

STATE_LABELS = {
    "open": "待联系",
    "contacted": "已联系",
    "rectified": "已整改",
    "closed": "已办结",
    "overdue": "逾期",
}
ACTION_LABELS = {"contact": "联系", "complex": "认定复杂", "rectify": "整改反馈", "close": "办结"}


@dataclass(frozen=True)
class CaseStatus:
    """One case as of a day."""

    case: CaseFacts
    state: str  # open / contacted / rectified / closed
    complex: bool
    contacted_at: datetime | None
    rectified_at: datetime | None
    closed_at: datetime | None
    deadline: date  # rectification due (4 or, when complex, 13 working days)
    overdue: bool
    contact_late: bool
    rectify_late: bool

    @property
    def status(self) -> str:
        """The state shown in a list: ``overdue`` wins over the step reached."""
        return "overdue" if self.overdue else self.state


def _first(actions: list[tuple[datetime, str]], *names: str) -> datetime | None:
    return next((at for at, a in actions if a in names), None)


def case_status(c: CaseFacts, as_of: date) -> CaseStatus:
    """The case's state, deadlines and lateness as of the end of `as_of`."""
    acts = sorted(
        (datetime.fromisoformat(a["at"]), str(a["action"]))
        for a in c.actions
        if datetime.fromisoformat(a["at"]).date() <= as_of
    )
    contacted = _first(acts, "contact", "rectify")
    rectified = _first(acts, "rectify")
    closed = _first(acts, "close")
    complex_ = _first(acts, "complex") is not None
    state = (
        "closed" if closed else "rectified" if rectified else "contacted" if contacted else "open"
    )
    deadline = c.complex_due if complex_ else c.rectify_due
    contact_late = (contacted.date() > c.contact_due) if contacted else as_of > c.contact_due
    rectify_late = (rectified.date() > deadline) if rectified else as_of > deadline
    overdue = (contacted is None and as_of > c.contact_due) or (
        rectified is None and as_of > deadline
    )
    return CaseStatus(
        c, state, complex_, contacted, rectified, closed, deadline, overdue, contact_late,
        rectify_late,
    )  # fmt: skip


@dataclass(frozen=True)
class MonthRectification:
    month: str  # YYYY-MM
    cases: int
    contacted: int
    rectified: int
    on_time: int
    overdue: int

    @property
    def rate(self) -> float | None:
        """Rectified ÷ cases (None with no cases)."""
        return self.rectified / self.cases if self.cases else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.cases if self.cases else None


def monthly_rectification(statuses: Iterable[CaseStatus]) -> list[MonthRectification]:
    """Per month of opening: cases, contacted, rectified (on time), overdue now."""
    by: dict[str, list[CaseStatus]] = {}
    for s in statuses:
        by.setdefault(f"{s.case.opened_at:%Y-%m}", []).append(s)
    out = []
    for m, ss in sorted(by.items()):
        out.append(
            MonthRectification(
                m, len(ss),
                sum(s.contacted_at is not None for s in ss),
                sum(s.rectified_at is not None for s in ss),
                sum(s.rectified_at is not None and not s.rectify_late for s in ss),
                sum(s.overdue for s in ss),
            )
        )  # fmt: skip
    return out
