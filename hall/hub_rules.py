"""Who may do what, and which engine call a request becomes. Pure: no sockets, no disk.

The role's decoder already refused message types outside the role (hall.protocol);
here are the rules that need the request's content or the hall's state: a counter
acts only on its own window, a pad rates only its window's last finished ticket,
a kiosk issues only as a kiosk. A manager may do everything. An ID number from a
card becomes a `PersonRef` (keyed hash, masked forms, birth date) right here and
goes no further.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from hall import errors as E
from hall import protocol as P
from hall.engine import Engine, Outcome, PersonRef
from hall.idnumber import InvalidIdNumber, birth_date, mask_id, mask_name, person_hash, validate
from hall.layout import Layout


@dataclass(frozen=True, slots=True)
class Peer:
    """A device as the hub knows it: id, role, and its window or floor."""

    id: str
    role: str
    window: int | None = None
    floor: str | None = None


_ID = re.compile(r"^(kiosk|counter|display|rating|manager)-([0-9A-Za-z]+)$")


def peer_from_id(device_id: str, layout: Layout) -> Peer | None:
    """Test mode only (no keys): the role, window or floor read from an id like counter-5,
    rating-5, display-2F, kiosk-1, manager-1. None for ids this hall cannot have."""
    m = _ID.match(device_id)
    if m is None:
        return None
    role, rest = m.group(1), m.group(2)
    if role in ("counter", "rating"):
        if not rest.isdigit() or int(rest) not in layout.windows:
            return None
        return Peer(device_id, role, window=int(rest), floor=layout.windows[int(rest)].floor)
    if role == "display":
        if rest not in {f.id for f in layout.floors}:
            return None
        return Peer(device_id, role, floor=rest)
    return Peer(device_id, role)


@dataclass(frozen=True, slots=True)
class Call:
    """One engine method with its keyword arguments."""

    method: str
    kwargs: dict[str, Any] = field(default_factory=dict)


def person(card: P.Card, secret: bytes) -> PersonRef:
    """A card's data as the engine may know it. The clear ID number ends here."""
    try:
        idn = validate(card.id_number)
    except InvalidIdNumber as e:
        raise E.BadRequest(str(e)) from None  # the message never holds the number
    return PersonRef(
        hash=person_hash(secret, idn),
        id_masked=mask_id(idn),
        name_masked=mask_name(card.name) if card.name else "",
        birth_date=birth_date(idn),
    )


def _window(peer: Peer, asked: int | None) -> int:
    if peer.role == "manager":
        if asked is None:
            raise E.BadRequest("请指定窗口 / which window?")
        return asked
    if asked is not None and asked != peer.window:
        raise E.NotAllowed(f"{peer.id} 只能操作{peer.window}号窗口 / only window {peer.window}")
    assert peer.window is not None
    return peer.window


_SIMPLE: dict[type[P.Request], str] = {
    P.CallNext: "call_next", P.Recall: "recall", P.Start: "start", P.Finish: "finish",
    P.NoShow: "no_show", P.Resume: "resume", P.Open: "open_window", P.Close: "close_window",
}  # fmt: skip


def authorize(peer: Peer, req: P.Request, engine: Engine, secret: bytes) -> Call:
    """The engine call a request becomes, or a HallError (NotAllowed …) saying why not."""
    if type(req) in _SIMPLE:
        return Call(_SIMPLE[type(req)], {"window": _window(peer, getattr(req, "window", None))})
    if isinstance(req, P.Issue):
        if req.channel != "kiosk" and peer.role != "manager":
            raise E.NotAllowed(f"channel {req.channel!r}")
        who = person(req.card, secret) if req.card else None
        return Call("issue", {"queue": req.queue, "item": req.item, "person": who,
                              "channel": req.channel, "green": req.green})  # fmt: skip
    if isinstance(req, P.CheckIn):
        if req.ticket is not None:
            return Call("check_in_again", {"ticket": req.ticket})
        if req.card is None:
            raise E.CardRequired()
        return Call("issue", {"queue": req.queue, "item": req.item,
                              "person": person(req.card, secret), "channel": "appointment"})  # fmt: skip
    if isinstance(req, P.Transfer):
        return Call("transfer", {"window": _window(peer, req.window), "to_queue": req.to_queue,
                                 "to_window": req.to_window, "note": req.note})  # fmt: skip
    if isinstance(req, P.Park):
        return Call("park", {"window": _window(peer, req.window), "note": req.note})
    if isinstance(req, P.CallBack):
        return Call("call_back", {"window": _window(peer, req.window), "ticket": req.ticket})
    if isinstance(req, P.Pause):
        return Call("pause", {"window": _window(peer, req.window), "reason": req.reason})
    if isinstance(req, P.SignIn):
        return Call("sign_in", {"window": _window(peer, req.window), "post": req.post,
                                "staff_no": req.staff_no, "name": req.name})  # fmt: skip
    if isinstance(req, P.SignOut):
        return Call("sign_out", {"window": _window(peer, req.window), "post": req.post})
    if isinstance(req, P.Rate):
        ticket = req.ticket
        if peer.role == "rating":
            assert peer.window is not None
            # A pad's window comes from the key registry, which may name a window the
            # layout no longer has: a refusal like any other, not a bug.
            status = engine.windows.get(peer.window)
            if status is None:
                raise E.UnknownWindow(f"{peer.window}")  # as the engine says it
            last = status.last_finished
            if last is None:
                raise E.NotRateable(f"{peer.window}号窗口")
            if ticket is not None and ticket != last:
                raise E.NotAllowed(f"只能评价{peer.window}号窗口刚办结的号码")
            ticket = last
        if ticket is None:
            raise E.BadRequest("请指定号码 / which ticket?")
        return Call("rate", {"ticket": ticket, "level": req.level, "reasons": req.reasons,
                             "comment": req.comment})  # fmt: skip
    if isinstance(req, P.SetProfile):
        return Call("set_profile", {"window": _window(peer, req.window), "profile": req.profile,
                                    "by": peer.id, "reason": req.reason})  # fmt: skip
    if isinstance(req, P.Cancel):
        return Call("cancel", {"ticket": req.ticket, "reason": req.reason})
    if isinstance(req, P.FollowUp):
        return Call("follow_up", {"case": req.case, "action": req.action, "by": peer.id,
                                  "note": req.note})  # fmt: skip
    if isinstance(req, P.ReportHealth):
        return Call("report_health", {"device": peer.id, "role": peer.role, "parts": req.parts})
    if isinstance(req, P.BookAppointment):
        return Call("book_appointment", {"person": person(req.card, secret), "queue": req.queue,
                                         "slot": req.slot})  # fmt: skip
    raise P.LocalProtocolError("unhandled", f"no rule for {type(req).__name__}")


def apply_request(call: Call, engine: Engine) -> Outcome:
    """Run the call on the engine (which refuses with a HallError, leaving state as it was)."""
    method = getattr(engine, call.method)
    outcome: Outcome = method(**call.kwargs)
    return outcome
