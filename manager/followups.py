"""Follow-up cases of bad ratings as the console lists them (pure): deadlines and overdue.

The hub computes the 1 / 4 / 13 working-day deadlines (contact, rectify, complex)
when it opens a case; here we only compare them with today's date on the injected
clock. A deadline day itself is not yet overdue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

STATE_LABELS = {"open": "待联系", "contacted": "已联系", "rectified": "已整改", "closed": "已办结"}
ACTION_LABELS = {
    "contact": "记录联系",
    "complex": "标记复杂",
    "rectify": "记录整改",
    "close": "办结",
}
# Which actions the hub accepts in which state (hall.core.engine.Engine._CASE_MOVES).
_ALLOWED = {
    "contact": ("open",),
    "complex": ("open", "contacted"),
    "rectify": ("open", "contacted"),
    "close": ("rectified",),
}


@dataclass(frozen=True, slots=True)
class CaseView:
    id: str
    ticket: str
    window: int
    clerk: str
    level: int
    reasons: tuple[str, ...]
    comment: str
    opened: str  # "11-26 09:41"
    state: str
    complex: bool
    contact_due: date
    rectify_due: date  # the complex deadline once the case is marked complex
    overdue: tuple[str, ...]  # "contact", "rectify"
    last_note: str

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    def allowed(self, action: str) -> bool:
        if action == "complex" and self.complex:
            return False
        return self.state in _ALLOWED.get(action, ())


def case_view(c: dict[str, Any], today: date) -> CaseView:
    contact_due = date.fromisoformat(c["contact_due"])
    rectify_due = date.fromisoformat(c["complex_due" if c.get("complex") else "rectify_due"])
    state = str(c.get("state", "open"))
    overdue = []
    if state == "open" and today > contact_due:
        overdue.append("contact")
    if state in ("open", "contacted") and today > rectify_due:
        overdue.append("rectify")
    actions = c.get("actions") or []
    return CaseView(
        c["id"], c["ticket"], int(c.get("window") or 0), str(c.get("clerk") or ""),
        int(c["level"]), tuple(c.get("reasons") or ()), str(c.get("comment") or ""),
        str(c.get("opened_at", ""))[5:16].replace("T", " "), state, bool(c.get("complex")),
        contact_due, rectify_due, tuple(overdue), str(actions[-1].get("note", "")) if actions else "",
    )  # fmt: skip


def case_views(cases: dict[str, dict[str, Any]], today: date) -> list[CaseView]:
    """Open work first (overdue at the top), then the rest; newest first within each."""
    views = [case_view(c, today) for c in cases.values()]
    views.sort(key=lambda v: v.opened, reverse=True)
    views.sort(key=lambda v: (v.state == "closed", not v.overdue))
    return views
