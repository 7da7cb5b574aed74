"""Read a hall database (read-only) and fold its event log into report facts.

The event log is the source: tickets, services, ratings, cases and sign-ins are
rebuilt from events in commit order (the global ``events.id``). The tickets table
is read only for each ticket's item code as the kiosk chose it, which the public
``ticket.issued`` event does not carry; the item the counter recorded
(``ticket.item_recorded``) replaces it: 事项评价覆盖率 counts the recorded item.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from hall.core import events as EV


class ReportError(Exception):
    """A report cannot be made as asked. The message says what to do."""


@dataclass
class Service:
    """One stretch at a window: called, (started,) finished."""

    ticket: str
    queue: str
    window: int
    clerk: str | None
    called_at: datetime
    started_at: datetime | None
    finished_at: datetime

    @property
    def minutes(self) -> float:
        """Start → finish; a service finished without a start counts from the call."""
        return (self.finished_at - (self.started_at or self.called_at)).total_seconds() / 60


@dataclass
class TicketFacts:
    """One ticket's life as the log tells it."""

    id: str
    number: str
    queue: str  # the queue it was issued in
    day: date
    issued_at: datetime
    priority: str = "normal"
    item: str | None = None
    real_name: bool = False  # issued to a person identified by a card (实名)
    first_called_at: datetime | None = None
    first_window: int | None = None
    first_clerk: str | None = None
    state: str = "waiting"
    transfers: int = 0
    parks: int = 0
    no_shows: int = 0
    recalls: int = 0
    pending: Service | None = None

    @property
    def wait_minutes(self) -> float | None:
        """Issue → first call."""
        if self.first_called_at is None:
            return None
        return (self.first_called_at - self.issued_at).total_seconds() / 60


@dataclass(frozen=True)
class Rating:
    at: datetime
    ticket: str
    queue: str
    window: int | None
    clerk: str | None
    level: int
    reasons: tuple[str, ...] = ()


@dataclass
class CaseFacts:
    """A follow-up case as last written, with its actions (who did what and when)."""

    id: str
    ticket: str
    window: int
    clerk: str | None
    level: int
    reasons: list[str]
    opened_at: datetime
    contact_due: date
    rectify_due: date
    complex_due: date
    complex: bool
    actions: list[dict[str, Any]]


@dataclass(frozen=True)
class DeviceEvent:
    at: datetime
    device: str
    online: bool


@dataclass
class HallData:
    """Everything the reports need, folded from one database."""

    tickets: dict[str, TicketFacts] = field(default_factory=dict)
    services: list[Service] = field(default_factory=list)
    ratings: list[Rating] = field(default_factory=list)
    cases: dict[str, CaseFacts] = field(default_factory=dict)
    clerk_names: dict[str, str] = field(default_factory=dict)
    duty_days: dict[str, set[date]] = field(default_factory=dict)  # staff_no -> signed-in days
    devices: list[DeviceEvent] = field(default_factory=list)
    first_event: datetime | None = None
    last_event: datetime | None = None


def connect_readonly(path: str | Path) -> sqlite3.Connection:
    """Open a hall database read-only; a missing or foreign file is a ReportError."""
    p = Path(path)
    if not p.is_file():
        raise ReportError(f"{p}: no such database; give --db the hall.db the hub writes")
    try:
        conn = sqlite3.connect(p.resolve().as_uri() + "?mode=ro", uri=True)
        conn.execute("SELECT count(*) FROM events").fetchone()
    except sqlite3.DatabaseError as e:
        raise ReportError(f"{p}: not a readable hall database ({e})") from e
    return conn


def load(path: str | Path) -> HallData:
    """Read a database read-only and fold its events."""
    conn = connect_readonly(path)
    try:
        rows = conn.execute("SELECT type, at, data FROM events ORDER BY id").fetchall()
        items = dict(conn.execute("SELECT id, item FROM tickets WHERE item IS NOT NULL").fetchall())
        named = {r[0] for r in conn.execute("SELECT id FROM tickets WHERE person_hash IS NOT NULL")}
    except sqlite3.DatabaseError as e:
        raise ReportError(f"{path}: cannot read the event log ({e})") from e
    finally:
        conn.close()
    events = ((t, datetime.fromisoformat(a), json.loads(d)) for t, a, d in rows)
    return fold(events, items, named)


def _case(d: dict[str, Any]) -> CaseFacts:
    return CaseFacts(
        id=d["id"], ticket=d["ticket"], window=d["window"], clerk=d.get("clerk"),
        level=d["level"], reasons=list(d.get("reasons") or []),
        opened_at=datetime.fromisoformat(d["opened_at"]),
        contact_due=date.fromisoformat(d["contact_due"]),
        rectify_due=date.fromisoformat(d["rectify_due"]),
        complex_due=date.fromisoformat(d["complex_due"]),
        complex=bool(d.get("complex")), actions=list(d.get("actions") or []),
    )  # fmt: skip


def fold(
    events: Iterable[tuple[str, datetime, dict[str, Any]]],
    items: dict[str, str] | None = None,
    named: set[str] | None = None,
) -> HallData:
    """Fold (type, at, data) events, in commit order, into HallData. `items`: each ticket's
    service item; `named`: the tickets issued to a person identified by a card (实名)."""
    h = HallData()
    items, named = items or {}, named or set()
    window_clerk: dict[int, str | None] = {}
    for typ, at, d in events:
        h.first_event = h.first_event or at
        h.last_event = at
        tk = d.get("ticket") if isinstance(d.get("ticket"), dict) else None
        t = h.tickets.get(tk["id"]) if tk else None
        if typ == EV.TicketIssued.TYPE and tk:
            t = TicketFacts(
                id=tk["id"], number=tk["number"], queue=tk["queue"], day=at.date(),
                issued_at=datetime.fromisoformat(tk.get("issued_at") or at.isoformat()),
                priority=tk.get("priority", "normal"), item=d.get("item") or items.get(tk["id"]),
                real_name=tk["id"] in named,
            )  # fmt: skip
            h.tickets[t.id] = t
        elif typ == EV.WindowChanged.TYPE:
            w = d.get("window") or {}
            c = w.get("clerk")
            window_clerk[int(w.get("number", 0))] = c.get("staff_no") if c else None
        elif typ == EV.ClerkSignedIn.TYPE:
            no = str(d.get("staff_no", ""))
            if d.get("name"):
                h.clerk_names[no] = d["name"]
            h.duty_days.setdefault(no, set()).add(at.date())
            window_clerk[int(d.get("window", 0))] = no
        elif typ == EV.TicketItemRecorded.TYPE:
            recorded = h.tickets.get(str(d.get("ticket")))
            if recorded is not None and d.get("item"):
                recorded.item = str(d["item"])
        elif typ == EV.RatingGiven.TYPE:
            h.ratings.append(
                Rating(at, d["ticket"], d.get("queue", ""), d.get("window"), d.get("clerk"),
                       int(d["level"]), tuple(d.get("reasons") or ()))
            )  # fmt: skip
        elif typ in (EV.FollowUpOpened.TYPE, EV.FollowUpUpdated.TYPE):
            c = _case(d["case"])
            h.cases[c.id] = c
        elif typ in (EV.DeviceOnline.TYPE, EV.DeviceOffline.TYPE):
            h.devices.append(
                DeviceEvent(at, str(d.get("device", "?")), typ == EV.DeviceOnline.TYPE)
            )
        if t is None:
            continue
        if tk and tk.get("state"):
            t.state = tk["state"]
        if typ == EV.TicketCalled.TYPE:
            win = int(d["window"])
            clerk = window_clerk.get(win)
            if t.first_called_at is None:
                t.first_called_at, t.first_window, t.first_clerk = at, win, clerk
            t.pending = Service(t.id, tk["queue"] if tk else t.queue, win, clerk, at, None, at)
        elif typ == EV.TicketRecalled.TYPE:
            t.recalls += 1
        elif typ == EV.TicketStarted.TYPE and t.pending is not None:
            t.pending.started_at = at
        elif typ == EV.TicketFinished.TYPE and t.pending is not None:
            s = t.pending
            s.finished_at, s.clerk = at, d.get("clerk", s.clerk)
            h.services.append(s)
            t.pending = None
        elif typ == EV.TicketNoShow.TYPE:
            t.no_shows += 1
            t.pending = None
        elif typ == EV.TicketTransferred.TYPE:
            t.transfers += 1
            t.pending = None
        elif typ == EV.TicketParked.TYPE:
            t.parks += 1
    return h
