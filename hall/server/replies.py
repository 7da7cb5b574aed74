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
    said = mask_numbers(e.message)  # it may echo what was sent: never an ID number
    return P.encode_reply(
        P.Error(req_id=mask_numbers(req_id), code=e.code, message=f"请求有误：{said}",
                message_en=said)
    )  # fmt: skip


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
    err = E.HallError("服务内部错误 / internal error")
    err.code = "internal"
    return err


def error_reply(req_id: str, e: E.HallError) -> bytes:
    """A refusal's reply (also stored for a retry): a value it echoes that looks like an
    ID number — sent in the wrong field — is masked."""
    return P.encode_reply(
        P.Error(req_id=req_id, code=e.code, message=mask_numbers(e.message),
                message_en=mask_numbers(e.message_english))
    )  # fmt: skip


def code_of(body: bytes) -> str:
    try:
        reply = P.decode_reply(body)
    except P.RemoteProtocolError:
        return "?"
    return reply.code if isinstance(reply, P.Error) else "ok"
