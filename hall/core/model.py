"""The hall's domain model: tickets, windows, clerks, ratings, follow-up cases, events.

Plain mutable dataclasses owned by the engine; each converts to and from a
flat dict (a SQLite row, a JSON object) so the store can save it and the
hub can send it. Times are naive local datetimes of the hall.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any, ClassVar, Self

import msgspec


class TicketState(enum.StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    FINISHED = "finished"
    NO_SHOW = "no_show"
    PARKED = "parked"
    CANCELLED = "cancelled"

    @property
    def active(self) -> bool:
        """Still in the hall's hands (counts against per-person limits)."""
        return self in _ACTIVE


_ACTIVE = {TicketState.WAITING, TicketState.CALLED, TicketState.SERVING, TicketState.PARKED}


class PriorityClass(enum.StrEnum):
    NORMAL = "normal"
    APPOINTMENT = "appointment"  # 预约, checked in on time
    GREEN = "green"  # 绿色通道: elderly, disabled, pregnant ... (age from the card or by staff)


class WindowState(enum.StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    PAUSED = "paused"


class RatingLevel(enum.IntEnum):
    """The national five levels of 好差评 (GB/T 39735)."""

    VERY_SATISFIED = 5
    SATISFIED = 4
    BASIC = 3
    DISSATISFIED = 2
    VERY_DISSATISFIED = 1

    @property
    def label(self) -> str:
        return RATING_LABELS[self]

    @property
    def bad(self) -> bool:
        """不满意 and 非常不满意 are 差评: they open a follow-up case."""
        return self <= RatingLevel.DISSATISFIED


RATING_LABELS = {
    RatingLevel.VERY_SATISFIED: "非常满意",
    RatingLevel.SATISFIED: "满意",
    RatingLevel.BASIC: "基本满意",
    RatingLevel.DISSATISFIED: "不满意",
    RatingLevel.VERY_DISSATISFIED: "非常不满意",
}
BAD_RATING_REASONS = ("态度", "效率", "政策解释", "材料要求", "其他")


class CaseState(enum.StrEnum):
    OPEN = "open"
    CONTACTED = "contacted"
    RECTIFIED = "rectified"
    CLOSED = "closed"


class Record:
    """Row conversion shared by the model classes."""

    _dt: ClassVar[tuple[str, ...]] = ()
    _d: ClassVar[tuple[str, ...]] = ()
    _json: ClassVar[tuple[str, ...]] = ()
    _enums: ClassVar[dict[str, type[enum.Enum]]] = {}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (times as ISO strings, enums as their values), fields in order.

        msgspec converts in C what a field-by-field Python loop did (the same dicts, about
        five times faster): the engine returns one or more per command, the hub saves
        each changed record, and `hall simulate` runs millions of commands."""
        out: dict[str, Any] = msgspec.to_builtins(self)
        return out

    def to_row(self) -> dict[str, Any]:
        """A flat SQLite row: nested values as JSON text."""
        d = self.to_dict()
        for k in self._json:
            d[k] = json.dumps(d[k], ensure_ascii=False)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Self:
        kw: dict[str, Any] = {}
        for name, convert in _converters(cls):
            if name not in d:
                continue
            v = d[name]
            if v is not None and convert is not None:
                v = convert(v)
            kw[name] = v
        return cls(**kw)


def _json_text(v: Any) -> Any:
    return json.loads(v) if isinstance(v, str) else v


_CONVERTERS: dict[type, list[tuple[str, Callable[[Any], Any] | None]]] = {}


def _converters(cls: type[Record]) -> list[tuple[str, Callable[[Any], Any] | None]]:
    """Each field of a record class with what turns its row value into the field's
    (None: as is), worked out once per class: the hub reads 90 days of tickets at start."""
    got = _CONVERTERS.get(cls)
    if got is None:
        got = []
        for f in fields(cls):  # type: ignore[arg-type]
            convert: Callable[[Any], Any] | None = None
            if f.name in cls._dt:
                convert = datetime.fromisoformat
            elif f.name in cls._d:
                convert = date.fromisoformat
            elif f.name in cls._json:
                convert = _json_text
            elif f.name in cls._enums:
                convert = cls._enums[f.name]
            elif f.type == "bool":  # SQLite hands back 0/1
                convert = bool
            got.append((f.name, convert))
        _CONVERTERS[cls] = got
    return got


@dataclass(slots=True)
class Ticket(Record):
    """One citizen's ticket for one day. `id` is unique forever: ``20261126-A023``."""

    id: str
    number: str
    queue: str
    day: date
    issued_at: datetime
    enqueued_at: datetime  # what routing counts waiting from (issue time survives a transfer)
    priority: PriorityClass = PriorityClass.NORMAL
    channel: str = "kiosk"  # kiosk / appointment / staff
    item: str | None = None
    person_hash: str | None = None
    id_masked: str | None = None
    name_masked: str | None = None
    state: TicketState = TicketState.WAITING
    window: int | None = None  # the window that has it (called, serving, parked)
    target_window: int | None = None  # transferred to one window
    called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    ended_at: datetime | None = None  # no-show, cancel, expiry
    recalls: int = 0
    clerk: str | None = None  # staff number who served it
    estimate_low: float | None = None  # minutes printed on the ticket
    estimate_high: float | None = None
    estimate: float | None = None
    rated: bool = False
    history: list[dict[str, Any]] = field(default_factory=list)
    #: the ticket's QR (`{public-url}/t/{token}`): unguessable, never on a board or a stream
    token: str | None = None

    _dt: ClassVar[tuple[str, ...]] = (
        "issued_at",
        "enqueued_at",
        "called_at",
        "started_at",
        "finished_at",
        "ended_at",
    )
    _d: ClassVar[tuple[str, ...]] = ("day",)
    _json: ClassVar[tuple[str, ...]] = ("history",)
    _enums: ClassVar[dict[str, type[enum.Enum]]] = {"priority": PriorityClass, "state": TicketState}

    def public(self) -> dict[str, Any]:
        """What a display board may show: no person data at all."""
        return {
            "id": self.id,
            "number": self.number,
            "queue": self.queue,
            "state": self.state.value,
            "window": self.window,
            "priority": self.priority.value,
            "issued_at": self.issued_at.isoformat(),
        }


@dataclass(slots=True)
class Clerk(Record):
    staff_no: str
    name: str
    signed_in_at: datetime | None = None

    _dt: ClassVar[tuple[str, ...]] = ("signed_in_at",)


@dataclass(slots=True)
class WindowStatus(Record):
    """A window's live state. The layout holds what does not change during a day."""

    number: int
    state: WindowState = WindowState.CLOSED
    profile: dict[str, float] = field(default_factory=dict)
    current: str | None = None  # ticket id called or being served
    parked: list[str] = field(default_factory=list)
    posts: dict[str, dict[str, Any]] = field(default_factory=dict)  # "A"/"B" -> Clerk dict
    active_post: str | None = None
    pause_reason: str = ""
    paused_at: datetime | None = None
    last_finished: str | None = None  # the ticket the pad may rate
    changed_at: datetime | None = None

    _dt: ClassVar[tuple[str, ...]] = ("paused_at", "changed_at")
    _json: ClassVar[tuple[str, ...]] = ("profile", "parked", "posts")
    _enums: ClassVar[dict[str, type[enum.Enum]]] = {"state": WindowState}

    @property
    def clerk(self) -> Clerk | None:
        if self.active_post and self.active_post in self.posts:
            return Clerk.from_dict(self.posts[self.active_post])
        return None


@dataclass(slots=True)
class Appointment(Record):
    """A booked slot, matched at check-in by the person's keyed hash."""

    id: str
    person_hash: str
    queue: str
    day: date
    slot: datetime
    checked_in: str | None = None  # ticket id
    #: an online booking's 8-character code (hall web): checks in at the kiosk without a card
    code: str | None = None
    cancelled: bool = False

    _dt: ClassVar[tuple[str, ...]] = ("slot",)
    _d: ClassVar[tuple[str, ...]] = ("day",)


@dataclass(slots=True)
class FollowUpCase(Record):
    """A bad rating's rectification case with its 1/4/13 working-day deadlines."""

    id: str
    ticket: str
    window: int
    clerk: str | None
    level: int
    reasons: list[str]
    comment: str
    opened_at: datetime
    contact_due: date
    rectify_due: date
    complex_due: date
    state: CaseState = CaseState.OPEN
    complex: bool = False
    actions: list[dict[str, Any]] = field(default_factory=list)

    _dt: ClassVar[tuple[str, ...]] = ("opened_at",)
    _d: ClassVar[tuple[str, ...]] = ("contact_due", "rectify_due", "complex_due")
    _json: ClassVar[tuple[str, ...]] = ("reasons", "actions")
    _enums: ClassVar[dict[str, type[enum.Enum]]] = {"state": CaseState}


BOARD = "board"
STAFF = "staff"
STREAMS = (BOARD, STAFF)
