"""The wire protocol on bytes: every role's decoder, garbage, limits, versions."""

from __future__ import annotations

import json

import pytest

from hall.wire import protocol as P


def req(type_: str, **kw: object) -> bytes:
    return json.dumps({"type": type_, "req_id": "dev-1:1", **kw}).encode()


def test_counter_decodes_its_commands() -> None:
    r = P.decode_request(req("call_next", window=5), "counter")
    assert isinstance(r, P.CallNext) and r.window == 5 and r.req_id == "dev-1:1"
    r = P.decode_request(req("transfer", to_queue="M", note="材料"), "counter")
    assert isinstance(r, P.Transfer) and r.window is None and r.to_queue == "M"


def test_unknown_fields_are_ignored_within_a_version() -> None:
    r = P.decode_request(req("ping", added_later=True), "display")
    assert isinstance(r, P.Ping)


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        ("kiosk", ["issue", "check_in", "hello", "ping", "snapshot"], ["call_next", "rate"]),
        ("counter", ["call_next", "park", "sign_in", "close"], ["issue", "set_profile", "rate"]),
        ("display", ["snapshot", "ping"], ["call_next", "issue", "rate", "cancel"]),
        ("rating", ["rate"], ["issue", "call_next", "follow_up"]),
        ("manager", ["set_profile", "cancel", "follow_up", "call_next", "issue"], []),
    ],
)
def test_the_decoder_is_the_permission_check(
    role: str, allowed: list[str], refused: list[str]
) -> None:
    for t in allowed:
        assert t in {c.__struct_config__.tag for c in P.ROLE_REQUESTS[role]}
    for t in refused:
        with pytest.raises(P.RemoteProtocolError) as e:
            P.decode_request(req(t, window=1, ticket="x", level=5), role)
        assert e.value.code == "not_allowed"
        assert role in e.value.message and t in e.value.message


@pytest.mark.parametrize(
    ("raw", "code", "words"),
    [
        (b"\xff\xfe garbage", "malformed", "JSON"),
        (b"", "malformed", "JSON"),
        (b"[1, 2]", "malformed", "object"),
        (b'{"req_id": "a:1"}', "malformed", "type"),
        (req("fly_to_moon"), "unknown_type", "fly_to_moon"),
        (req("call_next", window="five"), "invalid", "window"),
        (req("sign_in", window=1), "invalid", "staff_no"),
        (b'{"type": "ping", "req_id": "nodevice"}', "invalid", "device:counter"),
        (b'{"type": "ping"}', "invalid", "req_id"),
    ],
)
def test_garbage_is_named(raw: bytes, code: str, words: str) -> None:
    with pytest.raises(P.RemoteProtocolError) as e:
        P.decode_request(raw, "manager")
    assert e.value.code == code
    assert words in e.value.message


def test_oversize() -> None:
    raw = req("issue", queue="G" * (P.MAX_REQUEST_BYTES + 10))
    with pytest.raises(P.RemoteProtocolError) as e:
        P.decode_request(raw, "kiosk")
    assert e.value.code == "too_large"
    assert P.peek(raw) == ("?", "")


def test_version_handshake() -> None:
    hello = P.decode_request(req("hello", version=P.PROTOCOL_VERSION, device="kiosk-1"), "kiosk")
    assert isinstance(hello, P.Hello)
    P.check_hello(hello)
    old = P.decode_request(req("hello", version=99), "kiosk")
    assert isinstance(old, P.Hello)
    with pytest.raises(P.RemoteProtocolError) as e:
        P.check_hello(old)
    assert e.value.code == "bad_version" and "99" in e.value.message


def test_we_misusing_it_is_a_local_error() -> None:
    with pytest.raises(P.LocalProtocolError):
        P.encode_request(P.CallNext(req_id="display-1F:1", window=1), role="display")
    with pytest.raises(P.LocalProtocolError):
        P.decode_request(b"{}", "janitor")


def test_round_trips() -> None:
    r = P.Issue(req_id="kiosk-1:7", item="SC-0001", card=P.Card(id_number="x", name="张三"))
    assert P.decode_request(P.encode_request(r, "kiosk"), "kiosk") == r
    ok = P.Ok(req_id="a:1", value={"ticket": {"number": "A001"}})
    assert P.decode_reply(P.encode_reply(ok)) == ok
    err = P.Error(req_id="a:1", code="hall_closed", message="当前不在取号时间", message_en="closed")
    assert P.decode_reply(P.encode_reply(err)) == err
    with pytest.raises(P.RemoteProtocolError):
        P.decode_reply(b'{"type": "maybe"}')
    up = P.Update(epoch=2, seq=9, type="ticket.called", at="2026-11-26T09:30:00", data={"a": 1})
    assert P.decode_update(P.encode_update(up)) == up
    assert P.stream_of(b"board/") == "board" and P.stream_of(b"other/") is None


def test_peek_and_device_of() -> None:
    assert P.peek(req("call_next")) == ("call_next", "dev-1:1")
    assert P.peek(b"nonsense") == ("?", "")
    assert P.device_of("counter-5:12") == "counter-5"
    assert P.device_of("counter-5:ab.3") == "counter-5"
    assert P.device_of("counter-5") == "" and P.device_of(":3") == ""
