"""The hub's wire protocol: message types, one decoder per role, encode/decode. No I/O.

Every request is a JSON object with a ``type`` tag and a ``req_id`` of the form
``device:counter`` (a retry reuses it). Each role has its own tagged union of the
requests it may send, so decoding with the role's decoder *is* the permission
check: a display's decoder does not know ``call_next`` (DESIGN.md §5).

Errors come in two kinds (STYLE.md §3): `LocalProtocolError` — this program
misused the protocol (a bug here); `RemoteProtocolError` — the peer sent something
we cannot accept. The latter carries a stable ``code`` that goes back in the
error reply together with a sentence naming the problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, ClassVar

import msgspec

PROTOCOL_VERSION = 1
MAX_REQUEST_BYTES = 64 * 1024  # a request larger than this is answered `too_large`
#: arrays and objects inside one another, the message itself counted. Ours go 6 deep (a
#: snapshot reply); deeper is answered `too_deep` before decoding (see `_too_deep`).
MAX_NESTING = 32
ROLES = ("kiosk", "counter", "display", "rating", "manager", "web", "desk")
ZMTP_HEARTBEAT_MS = (1000, 3000, 3000)  # interval, timeout, ttl on every socket
STREAM_TOPICS = {"board": b"board/", "staff": b"staff/"}


class ProtocolError(Exception):
    """Something about a message is wrong. `code` is stable on the wire."""

    code = "protocol"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class LocalProtocolError(ProtocolError):
    """We misused the protocol (wrong role, unencodable value): a bug in this program."""


class RemoteProtocolError(ProtocolError):
    """The peer sent garbage: not JSON, an unknown type, a command outside its role …"""


# ------------------------------------------------------------------ requests

#: bounds on what a device may send: a request id, a word (an id, a queue, a staff number,
#: a name), a text (a note, a reason, a comment), how many reasons or queues
MAX_REQ_ID = 64
MAX_WORD = 64
MAX_TEXT = 500
MAX_REASONS = 20
#: printable ASCII only, so that 64 characters are 64 bytes (a device id is at most 40:
#: `hall.net.keys`; HubClient's ids are `device:session.n`)
ReqId = Annotated[str, msgspec.Meta(max_length=MAX_REQ_ID, pattern=r"^[!-~]+$")]
Word = Annotated[str, msgspec.Meta(max_length=MAX_WORD)]
Text = Annotated[str, msgspec.Meta(max_length=MAX_TEXT)]
#: a ticket's token (its QR: 22 characters) and an online booking's code (8), with room
Token = Annotated[str, msgspec.Meta(max_length=64)]
BookingCode = Annotated[str, msgspec.Meta(max_length=32)]
MAX_TOKENS = 500  # tokens in one ticket_status request (500 × 64 bytes fit MAX_REQUEST_BYTES)


class Request(msgspec.Struct, tag_field="type", kw_only=True):
    """Every request carries `req_id = "device:counter"`; retries reuse it."""

    req_id: ReqId
    #: does the command change the hall (and so run in a transaction)?
    writes: ClassVar[bool] = True


class Card(msgspec.Struct, kw_only=True):
    """What a card reader gave the kiosk. Turned into a keyed hash by the hub at once.

    `doc_type` is one of ``hall.core.idnumber.DOCUMENT_TYPES`` ("" = inferred from the
    number); `birth_date` (YYYY-MM-DD) matters for documents whose number does not
    carry it (foreign permanent resident cards, social security numbers).
    """

    id_number: Word
    name: Word = ""
    doc_type: Word = ""
    birth_date: Word = ""


class Hello(Request, tag="hello"):
    version: int
    device: Word = ""  # only used without CURVE (test mode); otherwise the key says who
    writes: ClassVar[bool] = False


class Ping(Request, tag="ping"):
    writes: ClassVar[bool] = False


class Snapshot(Request, tag="snapshot"):
    writes: ClassVar[bool] = False


class Issue(Request, tag="issue"):
    queue: Word | None = None
    item: Word | None = None
    card: Card | None = None
    channel: Word = "kiosk"  # kiosk; a manager or the service desk may issue as "staff"
    green: bool = False
    reason: Text = ""  # why staff granted the green channel (the service desk must say)
    by: Word = ""  # the desk's (or a manager's) staff number, kept in its history; not a kiosk's


class CheckIn(Request, tag="check_in"):
    """An appointment check-in (with `card`) or a no-show checking in again (with `ticket`)."""

    ticket: Word | None = None
    card: Card | None = None
    queue: Word | None = None
    item: Word | None = None
    code: BookingCode | None = None  # an online booking's (hall web)
    by: Word = ""  # the desk's (or a manager's) staff number, kept in its history; not a kiosk's


class AtWindow(Request, kw_only=True):
    """A command on one window (hall.wire.commands resolves which: a counter's own, or the one a
    manager names)."""

    window: int | None = None  # a counter may leave it out: its own window


class CallNext(AtWindow, tag="call_next"):
    pass


class Recall(AtWindow, tag="recall"):
    pass


class Start(AtWindow, tag="start"):
    pass


class Finish(AtWindow, tag="finish"):
    pass


class NoShow(AtWindow, tag="no_show"):
    pass


class Transfer(AtWindow, tag="transfer"):
    to_queue: Word | None = None
    to_window: int | None = None
    note: Text = ""


class Park(AtWindow, tag="park"):
    note: Text = ""


class CallBack(AtWindow, tag="call_back"):
    ticket: Word


class RecordItem(AtWindow, tag="record_item"):
    """The service item (事项, a catalogue code) the window's ticket was for."""

    ticket: Word  # the window's current ticket, or the one it finished last
    item: Word


class Pause(AtWindow, tag="pause"):
    reason: Text = ""


class Resume(AtWindow, tag="resume"):
    pass


class Open(AtWindow, tag="open"):
    pass


class Close(AtWindow, tag="close"):
    pass


class SignIn(AtWindow, tag="sign_in", kw_only=True):
    post: Word = "A"
    staff_no: Word
    name: Word


class SignOut(AtWindow, tag="sign_out"):
    post: Word = "A"


class Rate(Request, tag="rate", kw_only=True):
    """A pad leaves out `ticket`: it rates its window's last finished ticket."""

    ticket: Word | None = None
    level: int
    reasons: Annotated[list[Word], msgspec.Meta(max_length=MAX_REASONS)] = msgspec.field(
        default_factory=list
    )
    comment: Text = ""


class SetProfile(AtWindow, tag="set_profile"):
    profile: Annotated[dict[Word, float], msgspec.Meta(max_length=MAX_REASONS)]
    reason: Text = ""


class Cancel(Request, tag="cancel"):
    ticket: Word
    reason: Text = ""


class FollowUp(Request, tag="follow_up"):
    case: Word
    action: Word
    note: Text = ""
    answer: Word = ""  # with rectify/close: the citizen's answer, "satisfied" / "unsatisfied"


#: why a slot with a time zone is refused: the engine keeps the hall's local time, and an
#: aware time could not be compared with it (it failed as "internal"). Our sentence, not
#: msgspec's (`Meta(tz=False)` would answer in the library's words, which change).
LOCAL_SLOT = "a slot is the hall's local time, without a time zone: 2026-11-26T10:00:00, no +08:00"


def local_slot(slot: datetime) -> None:
    """ValueError(LOCAL_SLOT) for a slot with a time zone (the requests' and the web
    gateway's one rule)."""
    if slot.tzinfo is not None:
        raise ValueError(LOCAL_SLOT)  # msgspec's decoder makes it a ValidationError


class BookAppointment(Request, tag="book_appointment"):
    card: Card
    queue: Word
    slot: datetime  # the hall's local time (LOCAL_SLOT)

    def __post_init__(self) -> None:
        local_slot(self.slot)


class TicketStatus(Request, tag="ticket_status"):
    """The web gateway asks how tickets stand, by the tokens their QR codes carry (at most
    `MAX_TOKENS` at once). The reply maps each token to its status, or null for none."""

    tokens: Annotated[list[Token], msgspec.Meta(max_length=MAX_TOKENS)]
    writes: ClassVar[bool] = False


class RateByToken(Request, tag="rate_token", kw_only=True):
    """A citizen rates their finished ticket on their phone (scan-to-rate, via hall web)."""

    token: Token
    level: int
    reasons: Annotated[list[Word], msgspec.Meta(max_length=MAX_REASONS)] = msgspec.field(
        default_factory=list
    )
    comment: Text = ""


class BookingSlots(Request, tag="booking_slots"):
    """A day's 15-minute slots of a queue with the online bookings left in each."""

    queue: Word
    day: date
    writes: ClassVar[bool] = False


class BookOnline(Request, tag="book_online"):
    """A citizen books a slot on the web; the reply carries the booking's code."""

    card: Card
    queue: Word
    slot: datetime  # the hall's local time (LOCAL_SLOT)

    def __post_init__(self) -> None:
        local_slot(self.slot)


class CancelBooking(Request, tag="cancel_booking"):
    code: BookingCode


class ReportHealth(Request, tag="health"):
    """A device's own parts and their health (printer paper, card readers, voice):
    ``{"printer": {"state": "degraded", "reason": "纸将用尽", "code": "paper_low"}}``.
    The hub logs a change on the staff stream so the manager sees it."""

    #: a few parts, each a state, a reason and a code (bounded like every request's strings)
    parts: Annotated[
        dict[Word, Annotated[dict[Word, Text], msgspec.Meta(max_length=8)]],
        msgspec.Meta(max_length=MAX_REASONS),
    ]


class Lookup(Request, tag="lookup"):
    """The service desk's look-up: today's tickets by number or card holder, and bookings by
    booking code or card. Changes nothing, but runs through the engine like a command (the
    card becomes a keyed hash there)."""

    number: Word | None = None
    card: Card | None = None
    code: Word | None = None


_COMMON: tuple[type[Request], ...] = (Hello, Ping, Snapshot, ReportHealth)
_COUNTER: tuple[type[Request], ...] = (
    CallNext, Recall, Start, Finish, NoShow, Transfer, Park, CallBack, Pause, Resume,
    Open, Close, SignIn, SignOut, RecordItem,
)  # fmt: skip
ROLE_REQUESTS: dict[str, tuple[type[Request], ...]] = {
    # the kiosk: tickets, check-ins, and how a scanned ticket's QR stands (by its token)
    "kiosk": (*_COMMON, Issue, CheckIn, TicketStatus),
    "counter": (*_COMMON, *_COUNTER),
    "display": _COMMON,
    "rating": (*_COMMON, Rate),
    "manager": (
        *_COMMON,
        Issue,
        CheckIn,
        *_COUNTER,
        Rate,
        SetProfile,
        Cancel,
        FollowUp,
        BookAppointment,
        TicketStatus,
        Lookup,
    ),
    # the web gateway: reads the board stream, looks tickets up by token, rates by token
    "web": (
        Hello,
        Ping,
        Snapshot,
        TicketStatus,
        RateByToken,
        BookingSlots,
        BookOnline,
        CancelBooking,
    ),
    "desk": (*_COMMON, Issue, CheckIn, Lookup),
}
ALL_TYPES = {cls.__struct_config__.tag: cls for types in ROLE_REQUESTS.values() for cls in types}


class _Envelope(msgspec.Struct):
    """The two fields read before knowing the role: lenient about everything else."""

    type: str = ""
    req_id: str = ""


_envelope = msgspec.json.Decoder(_Envelope)


def _union(types: tuple[type[Request], ...]) -> Any:
    u: Any = types[0]
    for t in types[1:]:
        u = u | t
    return u


_decoders = {role: msgspec.json.Decoder(_union(types)) for role, types in ROLE_REQUESTS.items()}
_encoder = msgspec.json.Encoder()

# A JSON string, escapes and all; one left open runs to the end. It always matches where
# it starts, so a substitution is one pass (a closing quote required, a frame of escaped
# quotes with none at the end would take time quadratic in its length).
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_OBJECTS_AS_ARRAYS = bytes.maketrans(b"{}", b"[]")


def _too_deep(raw: bytes) -> bool:
    """Do arrays and objects nest more than MAX_NESTING deep (brackets in strings not
    counted)? msgspec recurses in C once per level: 30,000 levels fit in 64 KB and raise
    RecursionError, or crash a thread with a small stack. Costs two counts for almost every
    message; otherwise a few passes over the brackets alone."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_NESTING:
        return False
    s = _STRING.sub(b"", raw).translate(_OBJECTS_AS_ARRAYS, _NOT_BRACKETS)
    if b"[" * (MAX_NESTING + 1) in s:
        return True
    for _ in range(MAX_NESTING):  # each pass removes the innermost level everywhere
        inner = s.replace(b"[]", b"")
        if len(inner) == len(s):
            return False  # all gone, or unbalanced: the decoder names that
        s = inner
    return b"[]" in s


def _decode(
    decode: Callable[[bytes], Any], raw: bytes, what: str, *, depth_first: bool = False
) -> Any:
    """`decode(raw)`, any failure to decode turned into a RemoteProtocolError naming it: a
    peer's bytes must never raise anything else (a hub thread would die of it).
    `depth_first` checks the nesting before decoding: for what devices send the hub (at
    most 64 KB). What the hub sends (a snapshot can be half a megabyte, where the check
    would cost twice the decode) relies on the RecursionError below."""
    if depth_first and _too_deep(raw):
        raise RemoteProtocolError(
            "too_deep",
            f"{what}: nested too deeply (over {MAX_NESTING} levels of arrays and objects)",
        )
    try:
        return decode(raw)
    except msgspec.ValidationError as e:
        raise RemoteProtocolError("invalid", f"{what}: {e}") from e
    except (msgspec.DecodeError, UnicodeDecodeError) as e:
        # Which library error bad UTF-8 raises, and its wording, differ between msgspec
        # releases: the bytes themselves say it, in our own words.
        if _bad_utf8_in_json(raw):
            raise RemoteProtocolError("malformed", f"{what}: a string is not valid UTF-8") from e
        raise RemoteProtocolError("malformed", f"{what}: not a JSON message ({e})") from e
    except RecursionError as e:
        raise RemoteProtocolError("too_deep", f"{what}: nested too deeply") from e
    except Exception as e:  # whatever else msgspec may raise on bytes: still the peer's
        raise RemoteProtocolError("malformed", f"{what}: unreadable ({type(e).__name__})") from e


def _bad_utf8_in_json(raw: bytes) -> bool:
    """JSON that only its bad UTF-8 keeps from decoding (not garbage that is no JSON at all)."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            msgspec.json.decode(raw.decode("utf-8", "replace").encode("utf-8"))
        except (msgspec.DecodeError, RecursionError):
            return False
        return True
    return False


def peek(raw: bytes) -> tuple[str, str]:
    """(type, req_id) of a request, as far as they can be read, for the log line and the
    error reply. The type is one of the protocol's message tags or "?": the peer wrote it,
    and anything else (an ID number, a forged log line) must not reach the log. req_id is
    "" when it cannot be read. Never raises."""
    if len(raw) > MAX_REQUEST_BYTES or _too_deep(raw):
        return "?", ""
    try:
        env = _envelope.decode(raw)
    except Exception:  # any garbage at all: decode_request names it
        return "?", ""
    fits = len(env.req_id.encode()) <= MAX_REQ_ID
    req_id = env.req_id if fits else ""  # echoed in the error reply
    return (env.type if env.type in ALL_TYPES else "?"), req_id


def device_of(req_id: str) -> str:
    """The device part of a `device:counter` request id ("" when there is none)."""
    device, sep, counter = req_id.rpartition(":")
    return device if sep and device and counter else ""


def decode_request(raw: bytes, role: str) -> Request:
    """Decode one request of a device with `role`. Raise RemoteProtocolError naming the
    problem: too_large, malformed, unknown_type, not_allowed, invalid."""
    if role not in _decoders:
        raise LocalProtocolError("bad_role", f"no such role {role!r}")
    if len(raw) > MAX_REQUEST_BYTES:
        raise RemoteProtocolError(
            "too_large", f"message of {len(raw)} bytes; the limit is {MAX_REQUEST_BYTES}"
        )
    obj = _decode(msgspec.json.decode, raw, "request", depth_first=True)
    if not isinstance(obj, dict):
        raise RemoteProtocolError("malformed", "a request must be a JSON object")
    kind = obj.get("type")
    if not isinstance(kind, str):
        raise RemoteProtocolError("malformed", "the request has no `type` string")
    if kind not in ALL_TYPES:
        raise RemoteProtocolError("unknown_type", f"unknown message type {kind!r}")
    if kind not in {c.__struct_config__.tag for c in ROLE_REQUESTS[role]}:
        raise RemoteProtocolError("not_allowed", f"a {role} may not send {kind!r}")
    req: Request = _decode(_decoders[role].decode, raw, kind, depth_first=True)
    if not device_of(req.req_id):
        raise RemoteProtocolError(
            "invalid", f"req_id must look like device:counter, got {req.req_id!r}"
        )
    return req


def check_hello(hello: Hello) -> None:
    """Refuse another protocol version (fields are only added within a version)."""
    if hello.version != PROTOCOL_VERSION:
        raise RemoteProtocolError(
            "bad_version",
            f"protocol version {hello.version} is not spoken here; this hub speaks "
            f"{PROTOCOL_VERSION} — update the device's software",
        )


def encode_request(req: Request, role: str | None = None) -> bytes:
    """Encode a request; with `role`, refuse (LocalProtocolError) one the role may not send."""
    if role is not None and type(req) not in ROLE_REQUESTS.get(role, ()):
        raise LocalProtocolError("not_allowed", f"a {role} may not send {type(req).__name__}")
    return _encoder.encode(req)


# ------------------------------------------------------------------ replies


class Reply(msgspec.Struct, tag_field="type", kw_only=True):
    req_id: str


class Ok(Reply, tag="ok"):
    value: dict[str, Any] = msgspec.field(default_factory=dict)


class Error(Reply, tag="error"):
    code: str
    message: str
    message_en: str = ""
    detail: str = ""  # for the device's log only: what the hub knew beyond the sentence


_reply_decoder = msgspec.json.Decoder(Ok | Error)


def encode_reply(reply: Reply) -> bytes:
    return _encoder.encode(reply)


def decode_reply(raw: bytes) -> Ok | Error:
    """Decode a hub reply; RemoteProtocolError if the hub sent garbage."""
    reply: Ok | Error = _decode(_reply_decoder.decode, raw, "reply from the hub")
    return reply


# ------------------------------------------------------------------ stream updates


class Update(msgspec.Struct):
    """One message on a stream: an event or a heartbeat (type "heartbeat")."""

    epoch: int
    seq: int
    type: str
    at: str
    data: dict[str, Any] = msgspec.field(default_factory=dict)


_update_decoder = msgspec.json.Decoder(Update)


def encode_update(update: Update) -> bytes:
    return _encoder.encode(update)


def decode_update(raw: bytes) -> Update:
    """Decode a stream message; RemoteProtocolError if the hub sent garbage."""
    update: Update = _decode(_update_decoder.decode, raw, "stream update")
    return update


def stream_of(topic: bytes) -> str | None:
    """ "board" for b"board/" …; None for a topic we do not know."""
    for name, t in STREAM_TOPICS.items():
        if topic == t:
            return name
    return None
