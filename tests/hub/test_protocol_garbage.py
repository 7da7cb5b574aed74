"""Garbage that is not plain bad JSON, on bytes: every decoder of hall.wire.protocol turns any
failure to decode (invalid UTF-8 in a string, nesting deep enough to exhaust the stack …)
into a RemoteProtocolError naming it, and `peek` gives only known message types."""

from __future__ import annotations

import json

import pytest

from hall.wire import protocol as P

BAD_UTF8 = b'{"type":"issue","req_id":"kiosk-1:1","queue":"\xc3"}'
BAD_UTF8_SKIPPED = b'{"type":"ping","req_id":"kiosk-1:1","x":"\xff"}'
DEEP = b'{"type":"ping","req_id":"kiosk-1:1","x":' + b"[" * 30_000 + b"]" * 30_000 + b"}"
DEEP_OBJECTS = (
    b'{"type":"ping","req_id":"kiosk-1:1","x":' + b'{"a":' * 10_000 + b"1" + b"}" * 10_001
)


def test_deep_frames_fit_under_the_size_limit() -> None:
    assert len(DEEP) < P.MAX_REQUEST_BYTES and len(DEEP_OBJECTS) < P.MAX_REQUEST_BYTES


@pytest.mark.parametrize(
    ("raw", "code", "words"),
    [
        (BAD_UTF8, "malformed", "not valid UTF-8"),
        (BAD_UTF8_SKIPPED, "malformed", "not valid UTF-8"),
        (b'{"type":"ping","req_id":"kiosk-\xe9:1"}', "malformed", "not valid UTF-8"),
        (DEEP, "too_deep", "nested too deeply"),
        (DEEP_OBJECTS, "too_deep", "nested too deeply"),
    ],
)
@pytest.mark.parametrize("role", P.ROLES)
def test_every_undecodable_request_is_a_remote_error(
    raw: bytes, code: str, words: str, role: str
) -> None:
    with pytest.raises(P.RemoteProtocolError) as e:
        P.decode_request(raw, role)
    assert e.value.code == code and words in e.value.message


@pytest.mark.parametrize(
    ("raw", "peeked"),
    [
        (BAD_UTF8, ("issue", "kiosk-1:1")),  # read as far as it goes: the error reply
        (BAD_UTF8_SKIPPED, ("ping", "kiosk-1:1")),  # then reaches the device's request
        (b'{"type":"ping","req_id":"kiosk-\xe9:1"}', ("?", "")),
        (DEEP, ("?", "")),
        (DEEP_OBJECTS, ("?", "")),
    ],
)
def test_peek_never_raises(raw: bytes, peeked: tuple[str, str]) -> None:
    assert P.peek(raw) == peeked


def test_nesting_a_request_may_have() -> None:
    """Brackets inside strings do not count; the limit is the structure's depth."""
    # (as long as the protocol lets a comment and a reason be: MAX_TEXT, MAX_WORD)
    ok = json.dumps({"type": "rate", "req_id": "rating-1:1", "level": 5,
                     "comment": "[[[{{{" * 80, "reasons": ["[" * 60]}).encode()  # fmt: skip
    assert P.decode_request(ok, "rating").comment == "[[[{{{" * 80  # type: ignore[attr-defined]
    nested: object = 1
    for _ in range(P.MAX_NESTING - 1):
        nested = [nested]
    at_limit = json.dumps({"type": "ping", "req_id": "kiosk-1:1", "x": nested}).encode()
    assert isinstance(P.decode_request(at_limit, "kiosk"), P.Ping)  # the limit, the request counted
    over = json.dumps({"type": "ping", "req_id": "kiosk-1:1", "x": [nested]}).encode()
    with pytest.raises(P.RemoteProtocolError) as e:
        P.decode_request(over, "kiosk")
    assert e.value.code == "too_deep"
    # many shallow structures side by side are not deep
    wide = json.dumps({"type": "ping", "req_id": "kiosk-1:1", "x": [[[1]]] * 3000}).encode()
    assert isinstance(P.decode_request(wide, "kiosk"), P.Ping)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"type":"ok","req_id":"a:1","value":{"x":"\xc3"}}',
        b'{"type":"ok","req_id":"a:1","value":{"x":' + b"[" * 30_000 + b"]" * 30_000 + b"}}",
    ],
)
def test_replies_from_the_hub_too(raw: bytes) -> None:
    with pytest.raises(P.RemoteProtocolError):
        P.decode_reply(raw)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"epoch":1,"seq":1,"type":"x","at":"\xff","data":{}}',
        b'{"epoch":1,"seq":1,"type":"x","at":"","data":{"x":' + b"[" * 30_000 + b"]" * 30_000
        + b"}}",
    ],
)  # fmt: skip
def test_stream_updates_too(raw: bytes) -> None:
    with pytest.raises(P.RemoteProtocolError):
        P.decode_update(raw)


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        (b'{"type":"call_next","req_id":"counter-1:1"}', "call_next"),
        (b'{"type":"110105194912310021","req_id":"kiosk-1:1"}', "?"),
        (b'{"type":"issue\\nkiosk-9 issue ok 0.1ms","req_id":"kiosk-1:1"}', "?"),
        (b'{"type":"Issue","req_id":"kiosk-1:1"}', "?"),
        (b'{"type":7,"req_id":"kiosk-1:1"}', "?"),
        (b'{"req_id":"kiosk-1:1"}', "?"),
        (b"nonsense", "?"),
    ],
)
def test_peek_gives_only_known_message_types(raw: bytes, kind: str) -> None:
    assert P.peek(raw)[0] == kind


def test_an_appointment_slot_with_a_time_zone_is_named_not_an_internal_error() -> None:
    # An aware slot ("+08:00") reached the engine and failed there comparing it with the
    # hall's local clock: "internal", a traceback and a reload of the hub's state.
    raw = (
        b'{"type":"book_appointment","req_id":"manager-1:s.1","queue":"G",'
        b'"card":{"id_number":"11010519491231002X"},"slot":"2026-11-26T10:00:00+08:00"}'
    )
    with pytest.raises(P.RemoteProtocolError) as e:
        P.decode_request(raw, "manager")
    assert e.value.code == "invalid" and P.LOCAL_SLOT in e.value.message
    ok = raw.replace(b"+08:00", b"")
    assert P.decode_request(ok, "manager").slot.tzinfo is None  # type: ignore[attr-defined]
    online = raw.replace(b"book_appointment", b"book_online").replace(b"manager-1", b"web-1")
    with pytest.raises(P.RemoteProtocolError) as e:
        P.decode_request(online, "web")
    assert e.value.code == "invalid" and P.LOCAL_SLOT in e.value.message
    assert P.decode_request(online.replace(b"+08:00", b""), "web").slot.tzinfo is None  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("req_id", "kiosk-1:" + "9" * P.MAX_REQ_ID),
        ("queue", "G" * (P.MAX_WORD + 1)),
        ("item", "x" * 60_000),
    ],
)
def test_a_request_beyond_the_bounds_is_refused(field: str, value: str) -> None:
    """req_id at most 64 characters, words 64, texts 500 (issue 18: one kiosk key wrote a
    gigabyte of 60 KB req_ids into the replies table)."""
    msg = {"type": "issue", "req_id": "kiosk-1:1", "queue": "G", field: value}
    with pytest.raises(P.RemoteProtocolError) as e:
        P.decode_request(json.dumps(msg).encode(), "kiosk")
    assert e.value.code == "invalid"


def test_a_long_note_is_refused_and_a_long_req_id_is_not_echoed() -> None:
    note = {"type": "park", "req_id": "counter-5:1", "note": "字" * (P.MAX_TEXT + 1)}
    with pytest.raises(P.RemoteProtocolError):
        P.decode_request(json.dumps(note, ensure_ascii=False).encode(), "counter")
    long_id = json.dumps({"type": "ping", "req_id": "kiosk-1:" + "1" * 100}).encode()
    assert P.peek(long_id) == ("ping", "")


def test_a_req_id_is_at_most_64_bytes_not_characters() -> None:
    """64 characters of Chinese are 192 bytes: a req_id is printable ASCII (issue 18)."""
    wide = {"type": "ping", "req_id": "kiosk-1:" + "字" * 30}
    with pytest.raises(P.RemoteProtocolError) as e:
        P.decode_request(json.dumps(wide, ensure_ascii=False).encode(), "kiosk")
    assert e.value.code == "invalid"
    assert P.peek(json.dumps(wide, ensure_ascii=False).encode()) == ("ping", "")  # not echoed
    ok = {"type": "ping", "req_id": "kiosk-1:" + "9" * (P.MAX_REQ_ID - 8)}
    assert P.decode_request(json.dumps(ok).encode(), "kiosk").req_id == ok["req_id"]


@pytest.mark.parametrize(
    "parts",
    [
        {f"part{i}": {"state": "ok"} for i in range(P.MAX_REASONS + 1)},  # too many parts
        {"p" * (P.MAX_WORD + 1): {"state": "ok"}},  # a part's name too long
        {"printer": {"state": "ok", "reason": "x" * (P.MAX_TEXT + 1)}},  # a reason too long
        {"printer": {f"k{i}": "v" for i in range(9)}},  # too many fields
    ],
)
def test_a_health_report_is_bounded(parts: dict[str, dict[str, str]]) -> None:
    msg = {"type": "health", "req_id": "kiosk-1:1", "parts": parts}
    with pytest.raises(P.RemoteProtocolError) as e:
        P.decode_request(json.dumps(msg).encode(), "kiosk")
    assert e.value.code == "invalid"
