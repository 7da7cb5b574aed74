"""Every role × command × what it names, through decode → registry → engine: allowed or
refused exactly as recorded in role_commands.txt (recorded from the hand-written
hub_rules.authorize, before the command registry replaced it).

A line reads: role, the request (its type and the fields that matter), then the answer —
`refused <code>` from the role's decoder, `hub` for what the hub answers itself (hello,
ping, snapshot), `error <code>` for a HallError (not_allowed, bad_request, the engine's
refusals), or `ok` with the number of events and a digest of the reply's value.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from pathlib import Path
from typing import Any

from hall.core import errors as E
from hall.core.engine import Engine
from hall.core.layout import Layout
from hall.wire import commands as C
from hall.wire import protocol as P
from hall.wire.peer import peer_from_id
from tests.hubs import HALL_TIME

TABLE = Path(__file__).with_name("role_commands.txt")
SECRET = b"secret"
DEVICES = {"kiosk": "kiosk-1", "counter": "counter-2", "display": "display-1F",
           "rating": "rating-2", "manager": "manager-1", "web": "web-1",
           "desk": "desk-1"}  # fmt: skip
CARD = {"id_number": "11010519491231002X", "name": "张三"}
BAD_CARD = {"id_number": "110105194912310021"}


def busy_hall(layout: Layout) -> tuple[Engine, dict[str, str]]:
    """Windows 1–3 open with a clerk; at 1 and 2 a ticket finished and another called."""
    tokens = (f"token{n:04d}" for n in itertools.count(1))  # the same table every run
    engine = Engine(layout, lambda: HALL_TIME, token=lambda: next(tokens))
    codes = (f"CODE{n:04d}" for n in itertools.count(2222))
    engine.booking_code = lambda: next(codes)  # type: ignore[method-assign]
    for w in (1, 2, 3):
        engine.open_window(window=w)
        engine.sign_in(window=w, post="A", staff_no=f"S{w:03d}", name=f"办事员{w}")
    ids: dict[str, str] = {}
    for _ in range(6):
        ids["waiting"] = engine.issue(queue="G").value["ticket"]["id"]
    for w in (1, 2):
        engine.call_next(window=w)
        engine.start(window=w)
        engine.finish(window=w)
        ids[f"done{w}"] = str(engine.windows[w].last_finished)
        ids[f"done{w}_token"] = str(engine.tickets[ids[f"done{w}"]].token)
        engine.call_next(window=w)
        ids[f"now{w}"] = str(engine.windows[w].current)
    return engine, ids


def requests(ids: dict[str, str]) -> list[dict[str, Any]]:
    """The requests tried, each as the JSON a device sends (req_id added per role)."""
    out: list[dict[str, Any]] = [{"type": "hello", "version": P.PROTOCOL_VERSION},
                                 {"type": "ping"}, {"type": "snapshot"}]  # fmt: skip
    at_window = ["call_next", "recall", "start", "finish", "no_show", "park", "pause",
                 "resume", "open", "close", "sign_out"]  # fmt: skip
    fields: dict[str, dict[str, Any]] = {
        "transfer": {"to_queue": "M", "note": "材料"},
        "park": {"note": "补材料"},
        "call_back": {"ticket": ids["done1"]},
        "pause": {"reason": "午休"},
        "sign_in": {"post": "B", "staff_no": "S100", "name": "新人"},
        "sign_out": {"post": "A"},
        "set_profile": {"profile": {"G": 1.0, "M": 0.5}, "reason": "排队"},
    }
    for t in [*at_window, "transfer", "call_back", "sign_in", "set_profile"]:
        for w in (None, 1, 2, 3, 99):
            window = {} if w is None else {"window": w}
            out.append({"type": t, **window, **fields.get(t, {})})
    out += [
        {"type": "issue", "queue": "G"},
        {"type": "issue", "item": "nosuch"},
        {"type": "issue", "queue": "M", "card": CARD},
        {"type": "issue", "queue": "M", "card": BAD_CARD},
        {"type": "issue", "queue": "G", "channel": "staff"},
        {"type": "issue", "queue": "G", "channel": "staff", "card": BAD_CARD},
        {"type": "issue", "queue": "T", "green": True},
        {"type": "check_in", "ticket": ids["done1"]},
        {"type": "check_in", "queue": "G"},
        {"type": "check_in", "queue": "G", "card": CARD},
        {"type": "check_in", "card": BAD_CARD},
        {"type": "rate", "level": 5},
        {"type": "rate", "level": 1, "ticket": ids["done2"], "reasons": ["效率"]},
        {"type": "rate", "level": 4, "ticket": ids["done1"], "comment": "好"},
        {"type": "rate", "level": 4, "ticket": ids["now1"]},
        {"type": "cancel", "ticket": ids["now2"], "reason": "走了"},
        {"type": "cancel", "ticket": "nosuch"},
        {"type": "cancel", "ticket": ids["waiting"]},
        {"type": "set_profile", "window": 3, "profile": {"G": 2.0}, "reason": "排队"},
        {"type": "follow_up", "case": "nosuch", "action": "contact", "note": "电话"},
        {"type": "health", "parts": {"printer": {"state": "degraded", "reason": "纸将用尽"}}},
        {"type": "book_appointment", "card": CARD, "queue": "G", "slot": "2026-11-26T10:00:00"},
        {"type": "book_appointment", "card": BAD_CARD, "queue": "G",
         "slot": "2026-11-26T10:00:00"},
        {"type": "ticket_status", "tokens": [ids["done1_token"], "nosuch"]},
        {"type": "rate_token", "token": ids["done1_token"], "level": 5},
        {"type": "rate_token", "token": ids["done2_token"], "level": 1, "reasons": ["态度"]},
        {"type": "rate_token", "token": "nosuch", "level": 5},
        {"type": "booking_slots", "queue": "G", "day": "2026-11-27"},
        {"type": "book_online", "card": CARD, "queue": "G", "slot": "2026-11-27T10:00:00"},
        {"type": "book_online", "card": CARD, "queue": "G", "slot": "2026-11-26T08:00:00"},
        {"type": "book_online", "card": BAD_CARD, "queue": "G", "slot": "2026-11-27T10:00:00"},
        {"type": "cancel_booking", "code": "NOSUCH23"},
        {"type": "check_in", "code": "NOSUCH23"},
        {"type": "issue", "queue": "G", "channel": "staff", "green": True, "reason": "轮椅",
         "by": "D01"},
        {"type": "lookup", "number": "A001"},
        {"type": "lookup", "card": CARD},
        {"type": "lookup", "code": "AP-nosuch"},
        {"type": "lookup"},
    ]  # fmt: skip
    return out


def answer(layout: Layout, role: str, body: dict[str, Any]) -> str:
    """What the hub's pipeline makes of one request from `role`'s device, on a busy hall."""
    engine, _ = busy_hall(layout)
    peer = peer_from_id(DEVICES[role], layout)
    assert peer is not None
    raw = json.dumps({**body, "req_id": f"{peer.id}:1"}, ensure_ascii=False).encode()
    try:
        req = P.decode_request(raw, role)
    except P.RemoteProtocolError as e:
        return f"refused {e.code}"
    if isinstance(req, P.Hello | P.Ping | P.Snapshot | P.TicketStatus | P.BookingSlots):
        return "hub"
    try:
        outcome = C.apply(peer, req, engine, SECRET)
    except E.HallError as e:
        return f"error {e.code}"
    value = json.dumps(outcome.value, sort_keys=True, default=str, ensure_ascii=False)
    return f"ok {len(outcome.events)} {hashlib.sha256(value.encode()).hexdigest()[:12]}"


def table(layout: Layout) -> list[str]:
    _, ids = busy_hall(layout)
    lines = []
    for role in P.ROLES:
        for body in requests(ids):
            named = json.dumps(body, ensure_ascii=False, sort_keys=True)
            lines.append(f"{role} {named} -> {answer(layout, role, body)}")
    return lines


def test_every_role_and_command_as_before(layout: Layout) -> None:
    assert table(layout) == TABLE.read_text(encoding="utf-8").splitlines()


def _record() -> None:  # python -m tests.hub.test_command_table: write the table anew
    from hall.core.layout import default_layout_path, load_layout

    TABLE.write_text("\n".join(table(load_layout(default_layout_path()))) + "\n", "utf-8")


if __name__ == "__main__":
    _record()
