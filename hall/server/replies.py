"""A request on its way through the hub, and the replies it may get: one record per
request, error replies in our own words."""

from __future__ import annotations

import errno
from dataclasses import dataclass, field

from hall.core import errors as E
from hall.core.events import Event
from hall.core.idnumber import mask_numbers
from hall.wire import protocol as P
from hall.wire.peer import Peer


@dataclass
class Request:
    """One request on its way through the hub."""

    envelope: list[bytes]
    kind: str
    req_id: str
    t0: float
    peer: Peer | None = None
    req: P.Request | None = None
    body: bytes = b""
    events: list[Event] = field(default_factory=list)  # as saved, to publish
    ms: float = 0.0  # received → replied and published
    replayed: bool = False  # answered with a reply committed before its batch
    who: str = ""  # the CURVE key's device id, known even when the device is refused


def protocol_error_reply(req_id: str, e: P.RemoteProtocolError) -> bytes:
    """The catalogue's sentence for the protocol error's code; what the decoder said goes
    only into `detail` (for the device's log), never onto a screen. It may echo what was
    sent: never an ID number."""
    return error_reply(mask_numbers(req_id), E.by_code(e.code)(mask_numbers(e.message)))


_SQLITE_WHY = {
    "SQLITE_FULL": "the disk is full",
    "SQLITE_IOERR": "the disk could not be read or written",
    "SQLITE_READONLY": "the database is read-only",
    "SQLITE_BUSY": "the database is locked by another program",
    "SQLITE_CORRUPT": "the database file is damaged",
    "SQLITE_CANTOPEN": "the database file cannot be opened",
}


def why_not_saved(e: BaseException) -> str:
    """Why a save failed, in our own words (SQLite's and the C library's wording varies)."""
    name = getattr(e, "sqlite_errorname", "")
    if name:
        base = name.split("_")[:2]  # SQLITE_IOERR_WRITE -> SQLITE_IOERR
        return f"{_SQLITE_WHY.get('_'.join(base), 'a database error')}, {name}"
    if isinstance(e, OSError) and e.errno is not None:
        return f"a file error, {errno.errorcode.get(e.errno, e.errno)}"
    return f"a database error, {type(e).__name__}"


def internal_error() -> E.HallError:
    return E.Internal("a bug in the hub; see its log")


def error_reply(req_id: str, e: E.HallError) -> bytes:
    """A refusal's reply (also stored for a retry): a value it echoes that looks like an
    ID number — sent in the wrong field — is masked."""
    return P.encode_reply(
        P.Error(
            req_id=req_id,
            code=e.code,
            message=mask_numbers(e.message),
            message_en=mask_numbers(e.message_english),
            detail=mask_numbers(e.detail),
        )
    )


def code_of(body: bytes) -> str:
    try:
        reply = P.decode_reply(body)
    except P.RemoteProtocolError:
        return "?"
    return reply.code if isinstance(reply, P.Error) else "ok"


def logged_detail(body: bytes) -> str:
    """An error reply's detail for the hub's log line (repr'd, so it cannot forge a line);
    "" for a protocol error, whose detail may quote what a peer wrote."""
    try:
        reply = P.decode_reply(body)
    except P.RemoteProtocolError:
        return ""
    if not isinstance(reply, P.Error) or not reply.detail or reply.code in E.PROTOCOL_CODES:
        return ""
    return f" {reply.detail[:200]!r}"
