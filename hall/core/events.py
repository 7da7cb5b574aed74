"""The hall's events as types: one msgspec Struct per event, a tagged union, one `Event`.

Each kind of event is a Struct whose msgspec tag is its type string ("ticket.called"):
`EventData` is the tagged union of them all, and `TYPES` finds a class by its string.
An `Event` is the one record an event is from the engine to the screen: the engine makes
it (time, typed data; its stream follows from its type), the store numbers it and encodes its data once
(`encode_data`, the JSON the events table has always held), the hub publishes those
bytes as they are (`encode_update`, msgspec.Raw) and a follower decodes them back
(`received`). Code that reacts to events matches on the classes, never on strings.

On the wire and in the events table the type string travels beside the data, not inside
it — ``{"epoch", "seq", "type", "at", "data": {...}}`` — as it did before these types
existed, so a client or a database of an earlier version reads the same thing.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Union, get_args

import msgspec

from hall.core.model import BOARD, STAFF

HEARTBEAT = "heartbeat"  # a stream message that is no event (hall.server.hub.Hub._beat)


class Data(msgspec.Struct, kw_only=True, tag_field="type"):
    """What an event says. Subclasses name their type string as the msgspec tag."""

    STREAM: ClassVar[str]  # "board" (public: displays may see it) or "staff"
    TYPE: ClassVar[str]  # the tag, for code that must name an event as text (reports)


# Ticket records in events are their public form (hall.core.model.Ticket.public()), windows
# theirs (Engine.window_public) and follow-up cases FollowUpCase.to_dict(): plain data,
# equal to what a snapshot holds, so a follower keeps them as they come.


class TicketIssued(Data, tag="ticket.issued"):
    STREAM = BOARD
    ticket: dict[str, Any]
    ahead: int
    waiting: int
    estimate: list[float]  # [low, high] minutes


class TicketCancelled(Data, tag="ticket.cancelled"):
    STREAM = BOARD
    ticket: dict[str, Any]


class TicketRequeued(Data, tag="ticket.requeued"):
    """A citizen who missed the call checked in again."""

    STREAM = BOARD
    ticket: dict[str, Any]


class TicketNoShow(Data, tag="ticket.no_show"):
    STREAM = BOARD
    ticket: dict[str, Any]
    window: int
    auto: bool  # after the layout's recalls, not by the clerk


class TicketCalled(Data, tag="ticket.called"):
    STREAM = BOARD
    ticket: dict[str, Any]
    window: int
    floor: str  # the window's floor
    queue_floor: str  # the floor of the ticket's queue (where the citizen waits)


class TicketRecalled(Data, tag="ticket.recalled"):
    STREAM = BOARD
    ticket: dict[str, Any]
    window: int
    floor: str
    recalls: int
    queue_floor: str


class TicketStarted(Data, tag="ticket.started"):
    STREAM = BOARD
    ticket: dict[str, Any]
    window: int


class TicketFinished(Data, tag="ticket.finished"):
    STREAM = BOARD
    ticket: dict[str, Any]
    window: int
    clerk: str | None  # staff number


class TicketTransferred(Data, tag="ticket.transferred"):
    STREAM = BOARD
    ticket: dict[str, Any]
    from_window: int
    to_queue: str | None
    to_window: int | None


class TicketParked(Data, tag="ticket.parked"):
    STREAM = BOARD
    ticket: dict[str, Any]
    window: int


class TicketItemRecorded(Data, tag="ticket.item_recorded"):
    """The clerk recorded which service item (事项) a ticket was for: what the monthly
    report's 事项评价覆盖率 counts. Staff only (the board never shows items)."""

    STREAM = STAFF
    ticket: str  # the ticket's id
    number: str
    window: int
    clerk: str | None  # staff number
    item: str  # the catalogue's code
    previous: str | None = None  # the item it had before (the kiosk's choice, or a correction)


class DayStarted(Data, tag="day.started"):
    """The hub dropped yesterday: followers take a fresh snapshot."""

    STREAM = BOARD
    day: str  # ISO date
    expired: int  # yesterday's unfinished tickets, cancelled


class WindowChanged(Data, tag="window.changed"):
    STREAM = BOARD
    window: dict[str, Any]


class AppointmentBooked(Data, tag="appointment.booked"):
    STREAM = STAFF
    id: str
    queue: str
    slot: str  # ISO date and time
    channel: str = ""  # "web": booked online (hall web)


class AppointmentCancelled(Data, tag="appointment.cancelled"):
    STREAM = STAFF
    id: str
    queue: str
    slot: str  # ISO date and time


class RatingGiven(Data, tag="rating.given"):
    STREAM = STAFF
    ticket: str  # the ticket's id
    number: str
    queue: str
    window: int | None
    clerk: str | None
    level: int  # 1 (非常不满意) … 5 (非常满意)
    reasons: list[str]


class FollowUpOpened(Data, tag="followup.opened"):
    STREAM = STAFF
    case: dict[str, Any]
    # "" unless a deadline falls past the official calendar's known years (counted by
    # weekdays then): the manager console shows it
    calendar_warning: str = ""


class FollowUpUpdated(Data, tag="followup.updated"):
    STREAM = STAFF
    case: dict[str, Any]


class DeviceHealth(Data, tag="device.health"):
    STREAM = STAFF
    device: str
    role: str
    parts: dict[str, dict[str, str]]  # part -> {state, reason, code}


class DeviceOnline(Data, tag="device.online"):
    STREAM = STAFF
    device: str
    role: str = ""


class DeviceOffline(Data, tag="device.offline"):
    STREAM = STAFF
    device: str
    role: str = ""


class ClerkSignedIn(Data, tag="clerk.signed_in"):
    STREAM = STAFF
    window: int
    post: str  # "A" or "B"
    staff_no: str
    name: str = ""  # not in the events of the first versions


class ClerkSignedOut(Data, tag="clerk.signed_out"):
    STREAM = STAFF
    window: int
    post: str
    staff_no: str


class WindowProfileChanged(Data, tag="window.profile_changed"):
    STREAM = STAFF
    window: int
    old: dict[str, float]
    new: dict[str, float]
    by: str
    reason: str


class AdvisorProposal(Data, tag="advisor.proposal", kw_only=True):
    """hall.core.advisor.Proposal.to_data(): move a window to a new profile, and why."""

    STREAM = STAFF
    id: str = ""
    window: int
    profile: dict[str, float]
    reason: str
    effect: dict[str, list[float]] = {}  # queue -> [wait now, wait after] minutes
    reason_en: str = ""


EventData = Union[  # noqa: UP007 (a runtime union: get_args lists its members)
    TicketIssued,
    TicketCancelled,
    TicketRequeued,
    TicketNoShow,
    TicketCalled,
    TicketRecalled,
    TicketStarted,
    TicketFinished,
    TicketTransferred,
    TicketParked,
    TicketItemRecorded,
    DayStarted,
    WindowChanged,
    AppointmentBooked,
    AppointmentCancelled,
    RatingGiven,
    FollowUpOpened,
    FollowUpUpdated,
    DeviceHealth,
    DeviceOnline,
    DeviceOffline,
    ClerkSignedIn,
    ClerkSignedOut,
    WindowProfileChanged,
    AdvisorProposal,
]
TYPES: dict[str, type[Data]] = {}
for _cls in get_args(EventData):
    _cls.TYPE = str(_cls.__struct_config__.tag)
    TYPES[_cls.TYPE] = _cls

# Kinds of events several readers treat alike.
TICKET_EVENTS = (TicketIssued, TicketCancelled, TicketRequeued, TicketNoShow, TicketCalled,
                 TicketRecalled, TicketStarted, TicketFinished, TicketTransferred,
                 TicketParked)  # fmt: skip
TICKET_TYPES = frozenset(cls.TYPE for cls in TICKET_EVENTS)
CALLS = (TicketCalled, TicketRecalled)


@dataclass(frozen=True, slots=True)
class Event:
    """An event on its way through the hall: made by the engine (`seq` 0, not encoded),
    numbered and encoded by the store, published by the hub, applied by a follower."""

    at: datetime
    data: EventData
    seq: int = 0  # in its stream; 0 until the store saved it
    encoded: bytes = b""  # `data` as the store saved it (encode_data); b"" before that

    @property
    def type(self) -> str:
        return self.data.TYPE

    @property
    def stream(self) -> str:
        return self.data.STREAM

    def numbered(self, seq: int) -> Event:
        """This event as saved: its sequence number and its data encoded, once."""
        return dataclasses.replace(self, seq=seq, encoded=encode_data(self.data))


_encoder = msgspec.json.Encoder()
# msgspec writes a tagged struct's tag first: {"type":"ticket.called","ticket":…}
_TAG_PREFIX = {cls: len(_encoder.encode(cls.TYPE)) + len(b'{"type":,') for cls in TYPES.values()}
_decoders: dict[str, msgspec.json.Decoder[EventData]] = {
    t: msgspec.json.Decoder(cls) for t, cls in TYPES.items()
}


def encode_data(data: EventData) -> bytes:
    """The event's data as JSON without its type (which travels beside it): the events
    table's `data` column and the `data` of a stream message."""
    raw = _encoder.encode(data)
    return b"{" + raw[_TAG_PREFIX[type(data)] :]


def decode_data(type_: str, raw: bytes | str) -> EventData | None:
    """Data saved or sent as `encode_data` made it; None for a type this version does not
    know (a newer hub's). msgspec.ValidationError if it does not fit its type."""
    decoder = _decoders.get(type_)
    return None if decoder is None else decoder.decode(raw)


class _Published(msgspec.Struct):
    """A stream message as the hub sends it: hall.wire.protocol.Update with the data's bytes."""

    epoch: int
    seq: int
    type: str
    at: str
    data: msgspec.Raw


def encode_update(epoch: int, ev: Event) -> bytes:
    """A saved event as a stream message (decodes as hall.wire.protocol.Update)."""
    return _encoder.encode(
        _Published(epoch, ev.seq, ev.type, ev.at.isoformat(), msgspec.Raw(ev.encoded))
    )


def received(type_: str, seq: int, at: str, data: dict[str, Any]) -> Event | None:
    """The event a stream message carries (hall.wire.protocol.Update's fields); None for a type
    this version does not know (a newer hub's). ValueError if it does not fit its type."""
    cls = TYPES.get(type_)
    if cls is None:
        return None
    return Event(datetime.fromisoformat(at), msgspec.convert(data, cls), seq)  # type: ignore[arg-type]
