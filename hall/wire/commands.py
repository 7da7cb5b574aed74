"""The command registry: every request a device may send, what it acts on, and the engine
operation it becomes. Pure: no sockets, no disk.

Each question has one place that answers it:

- *May this role send this type at all?* The role's decoder (`hall.wire.protocol.ROLE_REQUESTS`,
  DESIGN.md §5): a display's decoder does not know ``call_next``. `Command.roles` reads it.
- *What may it act on?* `Command.acts_on` names the target and `REACH` says how far each
  role reaches: a counter acts only on its own window, a rating pad rates only its
  window's last finished ticket, a kiosk issues only as a kiosk; a manager names any
  window, ticket or channel.
- *Which engine operation?* `Command.run`, one explicit function per command.

HubClient's methods and the apps' request helpers are checked against `COMMANDS`
(tests/hub/test_commands.py). An ID number from a card becomes a `PersonRef` (keyed hash,
masked forms, birth date) right here and goes no further.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, Protocol, TypeVar

from hall.core import errors as E
from hall.core.engine import Engine, Outcome, PersonRef
from hall.core.idnumber import (
    InvalidIdNumber,
    birth_date,
    birth_in_number,
    document_type_of,
    holds_number,
    mask_id,
    mask_name,
    person_hash,
    validate_document,
)
from hall.wire import protocol as P
from hall.wire.peer import Peer

R = TypeVar("R", bound=P.Request)


class Target(enum.Enum):
    """What a command acts on."""

    DEVICE = "the sending device itself"
    WINDOW = "one window: the device's own, or the one a manager names"
    QUEUE = "a queue or item to take a ticket in (an appointment's, a no-show's again)"
    TICKET = "one ticket, named in the request"
    RATED = "the ticket rated: a pad's window's last finished, or the one a manager names"
    CASE = "a follow-up case"
    BOOKING = "an online booking, by its code"
    TOKEN = "the ticket whose token (its QR) the request carries: a citizen's own"


@dataclass(frozen=True, slots=True)
class Reach:
    """How far the commands of one role reach."""

    #: any window it names (and a named ticket to rate); else only its own window
    any_window: bool = False
    #: the channels it may issue tickets as (None: any)
    channels: frozenset[str] | None = frozenset({"kiosk"})
    #: staff work it, who may sign a ticket's issue or check-in (`by`, their staff number,
    #: kept in its history); a kiosk has none to give
    staffed: bool = False


REACH: dict[str, Reach] = {
    "kiosk": Reach(),
    "counter": Reach(),
    "display": Reach(),
    "rating": Reach(),
    "manager": Reach(any_window=True, channels=None, staffed=True),
    "web": Reach(channels=frozenset()),
    "desk": Reach(channels=frozenset({"staff"}), staffed=True),  # the service desk: as staff
}


#: The roles a ticket's token (the key to its page on a phone, `{public-url}/t/{token}`)
#: may reach: the kiosk and the service desk, which print it in the ticket's QR, and the
#: web gateway, which looks tickets up by it. Never a board, a counter or a manager:
#: replies to them carry the ticket without it (`replied_to`), and events carry only
#: a ticket's public form.
TOKEN_ROLES = frozenset({"kiosk", "desk", "web"})


#: What no reply carries, to any role: the citizen's keyed ID hash (a ticket's and a
#: booking's ``person_hash``). It links one person's tickets and bookings across days; no
#: app reads it (a look-up or check-in by card sends the card, and the hub hashes it), and
#: the store keeps it for the engine alone.
NEVER_REPLIED = frozenset({"person_hash"})


def without(value: Any, fields: frozenset[str]) -> Any:
    """`value` (a reply's) with every key in `fields` left out, at any depth."""
    if isinstance(value, dict):
        return {k: without(v, fields) for k, v in value.items() if k not in fields}
    if isinstance(value, list):
        return [without(v, fields) for v in value]
    return value


def replied_to(role: str, value: Any) -> Any:
    """A reply's `value` as a device of `role` may have it: never a person's keyed hash, and
    a ticket's token only for `TOKEN_ROLES`."""
    if role in TOKEN_ROLES:
        return without(value, NEVER_REPLIED)
    return without(value, NEVER_REPLIED | {"token"})


def person(card: P.Card, secret: bytes) -> PersonRef:
    """A card's data as the engine may know it. The clear ID number ends here.

    Every document type hashes and masks alike; the birth date (for the green
    channel) comes from the number where the number carries it, else from the card.
    """
    doc_type = card.doc_type or document_type_of(card.id_number)
    try:
        idn = validate_document(card.id_number, doc_type)
    except InvalidIdNumber as e:
        raise E.BadIdNumber(str(e)) from None  # the message never holds the number
    born: date | None = None
    if birth_in_number(doc_type):
        born = birth_date(idn)
    elif card.birth_date:
        try:
            born = date.fromisoformat(card.birth_date)
        except ValueError:
            raise E.BadRequest("birth_date is not YYYY-MM-DD") from None
    return PersonRef(
        hash=person_hash(secret, idn),
        id_masked=mask_id(idn),
        name_masked=mask_name(card.name) if card.name else "",
        birth_date=born,
    )


@dataclass(frozen=True, slots=True)
class Scope:
    """One request's device and what it acts on, as `apply` resolved it from `REACH`."""

    peer: Peer
    secret: bytes  # the hub's key for ID numbers (`person`)
    resolved_window: int | None = None
    resolved_ticket: str | None = None

    @property
    def window(self) -> int:
        """The window a `Target.WINDOW` command acts on."""
        assert self.resolved_window is not None, "not a window's command"
        return self.resolved_window

    @property
    def ticket(self) -> str:
        """The ticket a `Target.RATED` command acts on."""
        assert self.resolved_ticket is not None, "not a rating"
        return self.resolved_ticket

    def issue_as(self, channel: str) -> str:
        """`channel`, if this device may issue tickets as it."""
        allowed = REACH[self.peer.role].channels
        if allowed is not None and channel not in allowed:
            raise E.NotAllowed(f"channel {channel!r}")
        return channel

    def signed(self, by: str) -> str:
        """`by` (a staff number for a ticket's history), if this device has staff to give one.
        Refused, like a channel it may not use, rather than dropped: a kiosk that sends one
        is misbuilt or pretends to be the desk."""
        if by and not REACH[self.peer.role].staffed:
            raise E.StaffNoNotAllowed(f"{self.peer.id} signed by={by[:40]!r}")
        return staff_number(by)

    def person(self, card: P.Card) -> PersonRef:
        """The card holder as the engine may know them (`person`)."""
        return person(card, self.secret)


def _window(peer: Peer, asked: int | None) -> int:
    """The window a command of `peer` naming `asked` (or none) acts on."""
    if REACH[peer.role].any_window:
        if asked is None:
            raise E.BadRequest("请指定窗口 / which window?")
        return asked
    if asked is not None and asked != peer.window:
        raise E.OtherWindow(f"{peer.id} asked for window {asked}", window=peer.window)
    assert peer.window is not None
    return peer.window


def _rated(peer: Peer, asked: str | None, engine: Engine) -> str:
    """The ticket a rating of `peer` naming `asked` (or none) is for."""
    if not REACH[peer.role].any_window:  # a pad: its window's last finished ticket
        assert peer.window is not None
        # A pad's window comes from the key registry, which may name a window the
        # layout no longer has: a refusal like any other, not a bug.
        status = engine.windows.get(peer.window)
        if status is None:
            raise E.UnknownWindow(f"{peer.window}")  # as the engine says it
        last = status.last_finished
        if last is None:
            raise E.NotRateable(f"{peer.window}号窗口")
        if asked is not None and asked != last:
            raise E.NotAllowed(f"只能评价{peer.window}号窗口刚办结的号码")
        return last
    if asked is None:
        raise E.BadRequest("请指定号码 / which ticket?")
    return asked


@dataclass(frozen=True, slots=True)
class Command(Generic[R]):
    """One protocol command: its request type, what it acts on, the engine operation it
    becomes (None: the hub answers it itself), and HubClient's method that sends it."""

    request: type[R]
    acts_on: Target
    run: Callable[[Engine, R, Scope], Outcome] | None
    client: str = ""  # HubClient's method, when not named as the command

    @property
    def name(self) -> str:
        """The command's name on the wire (the request's `type` tag)."""
        return str(self.request.__struct_config__.tag)

    @property
    def roles(self) -> frozenset[str]:
        """The roles whose decoder takes this command."""
        return frozenset(role for role, ts in P.ROLE_REQUESTS.items() if self.request in ts)

    @property
    def client_method(self) -> str:
        return self.client or self.name


class _WindowOp(Protocol):
    def __call__(self, engine: Engine, /, *, window: int) -> Outcome: ...


def _on_window(op: _WindowOp) -> Callable[[Engine, P.AtWindow, Scope], Outcome]:
    """Run `op` on the command's window (a command with no other field)."""

    def run(engine: Engine, req: P.AtWindow, at: Scope) -> Outcome:
        return op(engine, window=at.window)

    return run


def _issue(engine: Engine, r: P.Issue, at: Scope) -> Outcome:
    channel = at.issue_as(r.channel)
    by = at.signed(r.by)
    if r.green and channel != "staff":  # a kiosk's or the web's: refused, not dropped
        raise E.GreenNotAllowed(f"{at.peer.id} asked green on channel {channel!r}")
    if at.peer.role == "desk" and r.green and not r.reason.strip():
        raise E.ReasonRequired("green channel without a reason")
    who = at.person(r.card) if r.card else None
    return engine.issue(queue=r.queue, item=r.item, person=who, channel=channel, green=r.green,
                        by=by, reason=r.reason)  # fmt: skip


def _check_in(engine: Engine, r: P.CheckIn, at: Scope) -> Outcome:
    by = at.signed(r.by)
    if r.ticket is not None:
        return engine.check_in_again(ticket=r.ticket, by=by)
    if r.code is not None:
        return engine.check_in_code(code=r.code, by=by)
    if r.card is None:
        raise E.CardRequired()
    who = at.person(r.card)
    return engine.issue(queue=r.queue, item=r.item, person=who, channel="appointment", by=by)


def _transfer(engine: Engine, r: P.Transfer, at: Scope) -> Outcome:
    return engine.transfer(
        window=at.window, to_queue=r.to_queue, to_window=r.to_window, note=r.note
    )


def _park(engine: Engine, r: P.Park, at: Scope) -> Outcome:
    return engine.park(window=at.window, note=r.note)


def _call_back(engine: Engine, r: P.CallBack, at: Scope) -> Outcome:
    return engine.call_back(window=at.window, ticket=r.ticket)


def _record_item(engine: Engine, r: P.RecordItem, at: Scope) -> Outcome:
    return engine.record_item(window=at.window, ticket=r.ticket, item=r.item)


def _pause(engine: Engine, r: P.Pause, at: Scope) -> Outcome:
    return engine.pause(window=at.window, reason=r.reason)


def staff_number(*texts: str) -> str:
    """The first of `texts` (a staff number, then a name), refused if any holds an ID
    number's shape: they are kept in clear in events and tickets' histories, where an ID
    number typed into the wrong field must never go. The refusal names no value."""
    if any(holds_number(t) for t in texts):
        raise E.StaffNoLikeIdNumber("an ID number's shape where a staff number belongs")
    return texts[0]


def _sign_in(engine: Engine, r: P.SignIn, at: Scope) -> Outcome:
    staff_no = staff_number(r.staff_no, r.name)
    return engine.sign_in(window=at.window, post=r.post, staff_no=staff_no, name=r.name)


def _sign_out(engine: Engine, r: P.SignOut, at: Scope) -> Outcome:
    return engine.sign_out(window=at.window, post=r.post)


def _set_profile(engine: Engine, r: P.SetProfile, at: Scope) -> Outcome:
    return engine.set_profile(window=at.window, profile=r.profile, by=at.peer.id, reason=r.reason)


def _rate(engine: Engine, r: P.Rate, at: Scope) -> Outcome:
    return engine.rate(ticket=at.ticket, level=r.level, reasons=r.reasons, comment=r.comment)


def _rate_token(engine: Engine, r: P.RateByToken, at: Scope) -> Outcome:
    t = engine.by_token(r.token)
    if t is None:
        raise E.NoSuchTicket()
    return engine.rate(ticket=t.id, level=r.level, reasons=r.reasons, comment=r.comment)


def _book_online(engine: Engine, r: P.BookOnline, at: Scope) -> Outcome:
    return engine.book_online(person=at.person(r.card), queue=r.queue, slot=r.slot)


def _cancel_booking(engine: Engine, r: P.CancelBooking, at: Scope) -> Outcome:
    return engine.cancel_booking(code=r.code)


def _cancel(engine: Engine, r: P.Cancel, at: Scope) -> Outcome:
    return engine.cancel(ticket=r.ticket, reason=r.reason)


def _follow_up(engine: Engine, r: P.FollowUp, at: Scope) -> Outcome:
    return engine.follow_up(
        case=r.case, action=r.action, by=at.peer.id, note=r.note, answer=r.answer
    )


def _report_health(engine: Engine, r: P.ReportHealth, at: Scope) -> Outcome:
    return engine.report_health(device=at.peer.id, role=at.peer.role, parts=r.parts)


def _lookup(engine: Engine, r: P.Lookup, at: Scope) -> Outcome:
    who = at.person(r.card) if r.card else None
    return engine.lookup(number=r.number, person=who, code=r.code)


def _book(engine: Engine, r: P.BookAppointment, at: Scope) -> Outcome:
    return engine.book_appointment(person=at.person(r.card), queue=r.queue, slot=r.slot)


_ALL: tuple[Command[Any], ...] = (
    # answered by the hub itself (read-only)
    Command(P.Hello, Target.DEVICE, None),
    Command(P.Ping, Target.DEVICE, None),
    Command(P.Snapshot, Target.DEVICE, None),
    Command(P.TicketStatus, Target.TOKEN, None),
    Command(P.BookingSlots, Target.QUEUE, None),
    # tickets in
    Command(P.Issue, Target.QUEUE, _issue),
    Command(P.CheckIn, Target.QUEUE, _check_in),
    Command(P.BookAppointment, Target.QUEUE, _book),
    Command(P.BookOnline, Target.QUEUE, _book_online),
    Command(P.CancelBooking, Target.BOOKING, _cancel_booking),
    Command(P.Lookup, Target.TICKET, _lookup),
    # at a window
    Command(P.CallNext, Target.WINDOW, _on_window(Engine.call_next)),
    Command(P.Recall, Target.WINDOW, _on_window(Engine.recall)),
    Command(P.Start, Target.WINDOW, _on_window(Engine.start)),
    Command(P.Finish, Target.WINDOW, _on_window(Engine.finish)),
    Command(P.NoShow, Target.WINDOW, _on_window(Engine.no_show)),
    Command(P.Transfer, Target.WINDOW, _transfer),
    Command(P.Park, Target.WINDOW, _park),
    Command(P.CallBack, Target.WINDOW, _call_back),
    Command(P.RecordItem, Target.WINDOW, _record_item),
    Command(P.Pause, Target.WINDOW, _pause),
    Command(P.Resume, Target.WINDOW, _on_window(Engine.resume)),
    Command(P.Open, Target.WINDOW, _on_window(Engine.open_window), client="open_window"),
    Command(P.Close, Target.WINDOW, _on_window(Engine.close_window), client="close_window"),
    Command(P.SignIn, Target.WINDOW, _sign_in),
    Command(P.SignOut, Target.WINDOW, _sign_out),
    Command(P.SetProfile, Target.WINDOW, _set_profile),
    # afterwards
    Command(P.Rate, Target.RATED, _rate),
    Command(P.RateByToken, Target.TOKEN, _rate_token, client="rate_by_token"),
    Command(P.Cancel, Target.TICKET, _cancel),
    Command(P.FollowUp, Target.CASE, _follow_up),
    Command(P.ReportHealth, Target.DEVICE, _report_health, client="report_health"),
)
#: every command, by its request type
COMMANDS: dict[type[P.Request], Command[Any]] = {c.request: c for c in _ALL}


def named(name: str) -> Command[Any]:
    """The command called `name` on the wire (KeyError for none)."""
    return COMMANDS[P.ALL_TYPES[name]]


def sendable_by(role: str) -> list[Command[Any]]:
    """The commands a device of `role` may send, in the registry's order."""
    return [c for c in _ALL if role in c.roles]


def apply(peer: Peer, req: P.Request, engine: Engine, secret: bytes) -> Outcome:
    """Run `req` from `peer` on the engine: what it acts on resolved from `REACH`, then its
    operation. A HallError (NotAllowed, BadRequest, the engine's refusals) says why not and
    leaves the engine as it was."""
    cmd = COMMANDS.get(type(req))
    if cmd is None or cmd.run is None:
        raise P.LocalProtocolError("unhandled", f"no engine operation for {type(req).__name__}")
    window: int | None = None
    ticket: str | None = None
    if cmd.acts_on is Target.WINDOW:
        assert isinstance(req, P.AtWindow)
        window = _window(peer, req.window)
    elif cmd.acts_on is Target.RATED:
        assert isinstance(req, P.Rate)
        ticket = _rated(peer, req.ticket, engine)
    out = cmd.run(engine, req, Scope(peer, secret, window, ticket))
    return Outcome(replied_to(peer.role, out.value), out.events, out.changes)
