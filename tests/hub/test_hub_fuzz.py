"""Every request type with random field values, for every role: the hub answers each one,
never with "internal", keeps serving, and its memory equals its database afterwards."""

from __future__ import annotations

import random
import types
import typing
from collections import Counter
from pathlib import Path
from typing import Any

import msgspec
import pytest
import zmq

from hall.core.engine import Engine
from hall.core.idnumber import make_id_number
from hall.core.layout import Layout
from hall.server.store import Store
from hall.wire import protocol as P
from tests.hubs import start_hub

VALUES: dict[Any, list[Any]] = {
    int: [0, -1, 1, 5, 9, 31, 32, 10**18, 2**63],
    str: ["", "G", "M", "Z", "A001", "20261126-A001", "x" * 5000, "\u0000", "1F", "2F", "S001"],
    float: [0.0, -1.0, 1e-300, 1e308, float("nan"), 0.5],
    bool: [True, False],
}
OTHER: list[Any] = [None, 1, "x", [], {}]
PROFILES: list[Any] = [{}, {"G": 1.0}, {"G": 1e-300}, {"Z": 1}, {"G": "x"}, {"M": 2.0, "G": 1.0}]
TIMES = [
    "2026-11-26T10:00:00",
    "9999-12-31T23:59:59",
    "0001-01-01T00:00:00",
    "2026-11-26T10:00:00+08:00",
]
_ID = make_id_number("11010519491231002")  # a valid check digit
CARDS: list[Any] = [
    {"id_number": _ID},
    {"id_number": "110105194912310021", "name": "x" * 100},
    {"id_number": ""},
    # digits str.isdigit() accepts and the hashing does not
    {"id_number": "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in _ID)},
    {"id_number": "²" + _ID[1:]},
]


def _value(rng: random.Random, name: str, annotation: Any) -> Any:
    if name == "card":
        return rng.choice(CARDS)
    if name in ("slot", "at", "since"):
        return rng.choice(TIMES)
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        annotation = next((a for a in args if a is not type(None)), annotation)
    if annotation is dict or typing.get_origin(annotation) is dict:
        return rng.choice(PROFILES)
    if annotation in VALUES and rng.random() < 0.9:
        return rng.choice(VALUES[annotation])
    return rng.choice(OTHER)


@pytest.mark.parametrize("device", ["manager-1", "counter-5", "kiosk-1", "rating-5", "display-2F"])
def test_random_requests_never_break_the_hub(
    layout: Layout, items: dict[str, str], tmp_path: Path, device: str
) -> None:
    db = tmp_path / "hall.db"
    hub = start_hub(layout, items, db, rate_limit=0)  # 1,000 as fast as may be: no limit
    sock: zmq.Socket[bytes] = zmq.Context.instance().socket(zmq.DEALER)
    sock.linger = 0
    sock.connect(hub.endpoint)
    n = 0

    def send(obj: dict[str, Any], who: str = device) -> P.Ok | P.Error:
        nonlocal n
        n += 1
        obj["req_id"] = f"{who}:fz.{n}"
        sock.send(msgspec.json.encode(obj))
        assert sock.poll(5000), f"no reply to {obj['type']}"
        return P.decode_reply(sock.recv())

    codes: Counter[str] = Counter()
    try:
        for w in (1, 5, 9):  # some life in the hall first
            send({"type": "open_window", "window": w}, "manager-1")
            send(
                {"type": "sign_in", "window": w, "staff_no": f"S{w}", "name": "办事员"}, "manager-1"
            )
        for q in "GMTE":
            send({"type": "issue", "queue": q}, "manager-1")
        rng = random.Random(device)
        every = {t.__struct_config__.tag: t for ts in P.ROLE_REQUESTS.values() for t in ts}
        for tag, cls in sorted(every.items()):
            hints = typing.get_type_hints(cls)
            for _ in range(40):
                obj: dict[str, Any] = {"type": tag}
                for f in msgspec.structs.fields(cls):
                    if f.name != "req_id" and rng.random() < 0.9:
                        obj[f.name] = _value(rng, f.name, hints[f.name])
                reply = send(obj)
                codes["ok" if isinstance(reply, P.Ok) else reply.code] += 1
        assert hub._thread is not None and hub._thread.is_alive() and hub.failure is None
        live = hub.engine.state_digest()
    finally:
        sock.close(0)
        hub.stop()
    assert codes["internal"] == 0, codes
    assert sum(codes.values()) >= 1000 and codes["ok"] + codes["not_allowed"] > 20, codes
    # what the hub kept in memory is what it saved
    fresh = Engine(layout, hub.engine.clock, items=items)
    store = Store(db)
    store.restore(fresh)
    store.close()
    assert fresh.state_digest() == live
