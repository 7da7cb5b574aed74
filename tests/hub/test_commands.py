"""The command registry (hall.wire.commands): every request type is in it, its targets agree
with the requests, and HubClient's methods and the apps' request helpers follow it.
(Every role × command as before: test_command_table.py.)"""

from __future__ import annotations

import inspect
from datetime import date, datetime
from typing import Any

import msgspec
import pytest

from counter import rules as counter_rules
from hall.client import HubClient
from hall.core import errors as E
from hall.core.engine import Engine
from hall.core.layout import Layout
from hall.wire import commands as C
from hall.wire import protocol as P
from hall.wire.peer import Peer
from manager import rebalance
from tests.hubs import HALL_TIME

COMMON = {"hello", "ping", "snapshot", "health"}
AT_WINDOW = {"call_next", "recall", "start", "finish", "no_show", "transfer", "park",
             "call_back", "pause", "resume", "open", "close", "sign_in", "sign_out",
             "record_item"}  # fmt: skip
#: who may send what, as the hub took it before the registry (DESIGN.md §5)
SENT_BY = {
    # and how a scanned ticket's QR stands (issue 20: the token read at the kiosk)
    "kiosk": COMMON | {"issue", "check_in", "ticket_status"},
    "counter": COMMON | AT_WINDOW,
    "display": COMMON,
    "rating": COMMON | {"rate"},
    "manager": COMMON
    | AT_WINDOW
    | {
        "issue",
        "check_in",
        "rate",
        "set_profile",
        "cancel",
        "follow_up",
        "book_appointment",
        "ticket_status",
        "lookup",
    },
    # the web gateway (issue 20): no COMMON health report, only what a citizen's phone needs
    "web": {
        "hello",
        "ping",
        "snapshot",
        "ticket_status",
        "rate_token",
        "booking_slots",
        "book_online",
        "cancel_booking",
    },
    # the service desk (issue 21): staff tickets, check-in again, look-ups
    "desk": COMMON | {"issue", "check_in", "lookup"},
}
#: HubClient's methods that send no command of their own
PLUMBING = {"close", "next_req_id", "send_raw", "request", "retry_last", "pump", "events"}
#: DESIGN.md §7 names it set_profile(window, queues); the request's field is `profile`
RENAMED = {"queues": "profile"}


def test_every_request_type_is_a_command() -> None:
    assert set(C.COMMANDS) == set(P.ALL_TYPES.values())
    assert [C.named(name).request for name in P.ALL_TYPES] == list(P.ALL_TYPES.values())


@pytest.mark.parametrize("role", P.ROLES)
def test_who_may_send_what(role: str) -> None:
    assert {c.name for c in C.sendable_by(role)} == SENT_BY[role]
    assert role in C.REACH


def test_targets_agree_with_the_requests() -> None:
    for c in C.COMMANDS.values():
        assert (c.acts_on is C.Target.WINDOW) == issubclass(c.request, P.AtWindow), c.name
        assert (c.acts_on is C.Target.RATED) == (c.request is P.Rate), c.name
        # what changes nothing the hub answers itself; everything else is the engine's
        assert (c.run is None) == (not c.request.writes), c.name


def test_the_hub_level_commands_are_not_the_engines(layout: Layout) -> None:
    engine = Engine(layout, lambda: HALL_TIME)
    with pytest.raises(P.LocalProtocolError):
        C.apply(Peer("manager-1", "manager"), P.Snapshot(req_id="manager-1:1"), engine, b"k")


def test_reach_is_a_lookup(layout: Layout) -> None:
    engine = Engine(layout, lambda: HALL_TIME)
    counter, manager = Peer("counter-2", "counter", window=2), Peer("manager-1", "manager")
    with pytest.raises(E.NotAllowed):
        C.apply(counter, P.Open(req_id="counter-2:1", window=1), engine, b"k")
    assert C.apply(counter, P.Open(req_id="counter-2:2"), engine, b"k").value is not None
    assert engine.windows[2].state.value == "open"
    with pytest.raises(E.BadRequest):  # a manager names the window
        C.apply(manager, P.Open(req_id="manager-1:1"), engine, b"k")
    C.apply(manager, P.Open(req_id="manager-1:2", window=1), engine, b"k")
    assert engine.windows[1].state.value == "open"
    kiosk = Peer("kiosk-1", "kiosk")
    with pytest.raises(E.NotAllowed):
        C.apply(kiosk, P.Issue(req_id="kiosk-1:1", queue="G", channel="staff"), engine, b"k")


# ---------------------------------------------------------------- HubClient


class _Captured(HubClient):
    """A HubClient that keeps the request instead of sending it."""

    def __init__(self) -> None:
        super().__init__("tcp://127.0.0.1:1", device="manager-1")
        self.sent: list[P.Request] = []

    def request(self, req: P.Request, **kw: Any) -> dict[str, Any]:
        self.sent.append(req)
        return {}


#: a value for each HubClient parameter, by name
SAMPLE: dict[str, Any] = {
    "window": 3, "queue": "G", "item": "SC-0001", "card": P.Card(id_number="x", name="张三"),
    "channel": "staff", "green": True, "ticket": "20261126-A001", "to_queue": "M",
    "to_window": 5, "note": "材料", "reason": "午休", "staff_no": "S001", "name": "办事员",
    "post": "B", "level": 2, "reasons": ["效率"], "comment": "慢", "queues": {"G": 1.0},
    "case": "C-1", "action": "contact", "slot": datetime(2026, 11, 26, 10),
    "parts": {"printer": {"state": "ok"}}, "answer": "satisfied",
    "token": "t" * 22, "tokens": ["t" * 22], "code": "ABCD2345", "day": date(2026, 11, 27),
    "by": "D001", "number": "A001",
}  # fmt: skip


def _sends(c: C.Command[Any]) -> bool:
    return c.run is not None


@pytest.mark.parametrize("command", [c for c in C.COMMANDS.values() if _sends(c)],
                         ids=lambda c: c.name)  # fmt: skip
def test_each_command_has_a_hubclient_method_with_its_fields(command: C.Command[Any]) -> None:
    method = vars(HubClient)[command.client_method]
    params = [p for p in inspect.signature(method).parameters if p != "self"]
    fields = {f.name for f in msgspec.structs.fields(command.request)} - {"req_id"}
    assert {RENAMED.get(p, p) for p in params} == fields
    client = _Captured()
    method(client, **{p: SAMPLE[p] for p in params})
    (req,) = client.sent
    assert type(req) is command.request
    sent = msgspec.structs.asdict(req)
    assert {RENAMED.get(p, p): SAMPLE[p] for p in params} == {f: sent[f] for f in fields}


def test_every_hubclient_method_is_a_command_or_plumbing() -> None:
    public = {n for n, v in vars(HubClient).items() if callable(v) and not n.startswith("_")}
    assert public == PLUMBING | {c.client_method for c in C.COMMANDS.values()}
    client = _Captured()
    for name, cls in (("hello", P.Hello), ("ping", P.Ping), ("snapshot", P.Snapshot)):
        vars(HubClient)[name](client)
        assert type(client.sent.pop()) is cls


# ---------------------------------------------------------------- the apps


def test_the_counters_buttons_are_its_window_commands() -> None:
    for action in counter_rules.ACTIONS:
        c = C.named(action)
        assert "counter" in c.roles and c.acts_on is C.Target.WINDOW, action


def test_the_managers_window_changes_are_its_window_commands() -> None:
    for action in set(rebalance.ACTIONS) - {"profile"}:  # a profile: set_profile
        c = C.named(action)
        assert "manager" in c.roles and c.acts_on is C.Target.WINDOW, action
    assert C.named("set_profile").acts_on is C.Target.WINDOW
