"""The hub over real sockets, fed what a broken or hostile device might send: frames the
decoders cannot read, a forged `type`. Each gets an error reply naming the problem, nothing
of it reaches the log, and the hub keeps serving the others."""

from __future__ import annotations

import logging

import pytest

from hall.core import errors as E
from hall.server.hub import Hub
from hall.wire import protocol as P

from .conftest import ClientFactory, raw_request


@pytest.mark.parametrize(
    ("frame", "code", "words"),
    [
        (b'{"type":"issue","req_id":"kiosk-1:1","queue":"\xc3"}', "malformed", "not valid UTF-8"),
        (b'{"type":"ping","req_id":"kiosk-1:1","x":"\xff"}', "malformed", "not valid UTF-8"),
        (b'{"type":"ping","req_id":"kiosk-1:1","x":' + b"[" * 30_000 + b"]" * 30_000 + b"}",
         "too_deep", "nested too deeply"),
    ],
)  # fmt: skip
def test_undecodable_frames_get_an_error_and_the_hub_serves_on(
    hub: Hub, connect: ClientFactory, frame: bytes, code: str, words: str
) -> None:
    reply = raw_request(hub, [frame])
    assert isinstance(reply, P.Error)
    assert reply.code == code and words in reply.detail  # the details: for the log only
    assert reply.message_en == E.by_code(code).message_en
    assert connect("kiosk-2").issue("G")["ticket"]["number"] == "A001"
    assert hub.failure is None


def test_a_forged_type_never_reaches_the_log(
    hub: Hub, connect: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="hall.hub")
    idn = "110105194912310021"
    reply = raw_request(
        hub, [b'{"type":"' + idn.encode() + b'\\nkiosk-9 issue ok 0.1ms","req_id":"kiosk-1:1"}']
    )
    assert isinstance(reply, P.Error) and reply.code == "unknown_type"
    connect("kiosk-2").ping()
    hub.stop()  # writes the log lines of what it answered
    lines = [r.getMessage() for r in caplog.records if r.name == "hall.hub"]
    assert any(line.startswith("kiosk-1 ? unknown_type ") for line in lines), lines
    assert not any(idn[:10] in line or "kiosk-9" in line or "\n" in line for line in lines)
