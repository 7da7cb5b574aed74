"""Bad-rating follow-up cases as of a date: states, the 1/4/13 deadlines, overdue.

Pure functions over `CaseFacts` (no I/O). The rule, [C] 三(二)3 and its footnote:
“1个工作日内，先行联系反映问题的企业群众，沟通了解情况，对确实存在问题的，在4个工作日内完成
整改反馈；较为复杂的，要在13个工作日内办结。” Definitions (docs/reform-rules.md §3.3):

- Deadlines are the ones the engine stored when the case opened (the hall calendar:
  official holidays and make-up days, rating day not counted, end of the n-th working day).
- **Contact** is due by ``contact_due`` (1); a ``rectify`` before any ``contact`` counts
  as the contact too (solved at once).
- **Rectification and feedback** (整改反馈) is due by ``rectify_due`` (4), or by
  ``complex_due`` once the case is marked complex (on or before the date looked at).
- **Closing** (办结) is due by ``complex_due`` (13) for every case: the 13 is checked
  against the close, not against the rectification.
- A case is **overdue** as of a day when a step is still missing after its due day.
  A step done after its due day is **late** (kept in the history, not overdue).
- A case is **due** as of a day when it is rectified, or its rectification deadline has
  passed. **整改率** = rectified ÷ cases due: a case still inside its deadline is not yet
  counted (a month's report no longer shows 0 % on the day its cases open).
- **回复满意率** = cases whose citizen's last answer (given with rectify or close) is
  satisfied ÷ cases with an answer. The reform's target for real-name (实名) bad ratings
  is 100 % for both: “实名差评回访整改率和回复满意率要达到100%”.
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
ANSWER_LABELS = {"satisfied": "满意", "unsatisfied": "不满意"}
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
    close_late: bool = False  # not closed (办结) within 13 working days
    answer: str | None = None  # the citizen's last answer: satisfied / unsatisfied
    due: bool = False  # rectified, or its rectification deadline has passed
    real_name: bool = False  # the rating came from a card-identified citizen (实名)

    @property
    def status(self) -> str:
        """The state shown in a list: ``overdue`` wins over the step reached."""
        return "overdue" if self.overdue else self.state


def _first(actions: list[tuple[datetime, str]], *names: str) -> datetime | None:
    return next((at for at, a in actions if a in names), None)


def case_status(c: CaseFacts, as_of: date, *, real_name: bool = False) -> CaseStatus:
    """The case's state, deadlines and lateness as of the end of `as_of`."""
    seen = [a for a in c.actions if datetime.fromisoformat(a["at"]).date() <= as_of]
    acts = sorted((datetime.fromisoformat(a["at"]), str(a["action"])) for a in seen)
    answers = [str(a["answer"]) for a in seen if a.get("answer")]
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
    close_late = (closed.date() > c.complex_due) if closed else as_of > c.complex_due
    overdue = (
        (contacted is None and as_of > c.contact_due)
        or (rectified is None and as_of > deadline)
        or (closed is None and as_of > c.complex_due)
    )
    return CaseStatus(
        c, state, complex_, contacted, rectified, closed, deadline, overdue, contact_late,
        rectify_late, close_late, answers[-1] if answers else None,
        rectified is not None or as_of > deadline, real_name,
    )  # fmt: skip


@dataclass(frozen=True)
class Figures:
    """The follow-up figures of a set of cases as of a day (counts; rates are derived)."""

    cases: int = 0
    contacted: int = 0
    contact_on_time: int = 0
    contact_due: int = 0  # contacted, or past the contact deadline
    rectified: int = 0
    rectify_on_time: int = 0
    due: int = 0  # rectified, or past the rectification deadline
    closed: int = 0
    close_on_time: int = 0
    close_due: int = 0  # closed, or past the 13-day deadline
    overdue: int = 0
    answered: int = 0
    satisfied: int = 0

    @staticmethod
    def of(statuses: Iterable[CaseStatus]) -> Figures:
        ss = list(statuses)
        return Figures(
            len(ss),
            sum(s.contacted_at is not None for s in ss),
            sum(s.contacted_at is not None and not s.contact_late for s in ss),
            sum(s.contacted_at is not None or s.contact_late for s in ss),
            sum(s.rectified_at is not None for s in ss),
            sum(s.rectified_at is not None and not s.rectify_late for s in ss),
            sum(s.due for s in ss),
            sum(s.closed_at is not None for s in ss),
            sum(s.closed_at is not None and not s.close_late for s in ss),
            sum(s.closed_at is not None or s.close_late for s in ss),
            sum(s.overdue for s in ss),
            sum(s.answer is not None for s in ss),
            sum(s.answer == "satisfied" for s in ss),
        )  # fmt: skip


@dataclass(frozen=True)
class MonthRectification:
    month: str  # YYYY-MM
    cases: int
    contacted: int
    rectified: int
    on_time: int
    overdue: int
    due: int = 0  # rectified, or past the rectification deadline

    @property
    def rate(self) -> float | None:
        """Rectified ÷ cases due (None while none is due)."""
        return self.rectified / self.due if self.due else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.due if self.due else None


def monthly_rectification(statuses: Iterable[CaseStatus]) -> list[MonthRectification]:
    """Per month of opening: cases, contacted, rectified (on time), overdue now, due."""
    by: dict[str, list[CaseStatus]] = {}
    for s in statuses:
        by.setdefault(f"{s.case.opened_at:%Y-%m}", []).append(s)
    out = []
    for m, ss in sorted(by.items()):
        f = Figures.of(ss)
        out.append(
            MonthRectification(m, f.cases, f.contacted, f.rectified, f.rectify_on_time,
                               f.overdue, f.due)
        )  # fmt: skip
    return out
