"""A ticket's token (the key to its page on a phone) reaches only the kiosk and the desk that
print it and the web gateway that looks tickets up by it: never the board stream, the staff
stream, a counter or a manager — in replies, snapshots or events — while tickets are
issued, called, served, parked and missed. Against a real hub, reading the raw frames."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import zmq

from hall.client import HubClient
from hall.server.hub import Hub
from hall.wire import protocol as P


def _subscribe(ctx: zmq.Context[zmq.Socket[bytes]], endpoint: str) -> zmq.Socket[bytes]:
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.SUBSCRIBE, b"")  # every topic: the streams' whole traffic
    sub.connect(endpoint)
    return sub


def _drain(sub: zmq.Socket[bytes], into: list[bytes], seconds: float) -> None:
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        if sub.poll(int(left * 1000)):
            into.append(b"".join(sub.recv_multipart()))


@contextmanager
def _watched(welcome: dict[str, Any], frames: list[bytes]) -> Iterator[Callable[[], None]]:
    """Both streams (board and staff) subscribed and heard from, their raw frames collected
    into `frames`; yields `settle`, which collects what the hub published since; closes
    them after."""
    ctx: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
    board, staff = _subscribe(ctx, welcome["pub"]), _subscribe(ctx, welcome["staff_pub"])

    def settle() -> None:
        _drain(board, frames, 1.5)
        _drain(staff, frames, 0.5)

    try:
        _drain(board, frames, 1.5)  # slow joiners: a heartbeat says the link is up
        _drain(staff, frames, 0.1)
        assert frames, "the streams said nothing (not even a heartbeat)"
        yield settle
    finally:
        board.close(0)
        staff.close(0)
        ctx.term()


def test_tokens_reach_only_the_kiosk_the_desk_and_the_web(hub: Hub) -> None:
    frames: list[bytes] = []
    seen: dict[str, list[Any]] = {"counter": [], "manager": []}  # what staff were answered
    with (
        HubClient(hub.endpoint, device="manager-1") as manager,
        HubClient(hub.endpoint, device="counter-5") as counter,
        HubClient(hub.endpoint, device="kiosk-1") as kiosk,
        HubClient(hub.endpoint, device="desk-1") as desk,
        HubClient(hub.endpoint, device="web-1") as web,
        _watched(manager.hello(), frames) as settle,
    ):

        def as_staff(role: str, value: dict[str, Any]) -> dict[str, Any]:
            seen[role].append(value)
            return value

        issued = [kiosk.issue("G") for _ in range(3)]
        issued.append(desk.issue("M", channel="staff", by="D0101"))
        issued.append(as_staff("manager", manager.issue("G")))
        tokens = [v["ticket"].get("token") for v in issued]
        # the ones that print it have it: the kiosk's and the desk's
        assert all(isinstance(t, str) and len(t) >= 22 for t in tokens[:4]), tokens
        assert "token" not in issued[4]["ticket"]  # the manager's issue: none
        token = str(tokens[0])
        tokens[4] = str(hub.engine.tickets[issued[4]["ticket"]["id"]].token)  # it has one
        as_staff("counter", counter.open_window())
        as_staff("counter", counter.sign_in(staff_no="S0501", name="赵一"))
        for _ in range(2):
            as_staff("counter", counter.call_next())
            as_staff("counter", counter.recall())
            as_staff("counter", counter.start())
            as_staff("counter", counter.finish())
        as_staff("counter", counter.call_next())
        as_staff("counter", counter.park(note="补材料"))
        as_staff("counter", counter.call_next())
        as_staff("counter", counter.no_show())
        as_staff("counter", counter.snapshot())
        as_staff("manager", manager.snapshot())
        as_staff("manager", manager.lookup(number=issued[0]["ticket"]["number"]))
        # the web gateway may look a ticket up by its token, and a desk may see it
        assert web.ticket_status([token])["tickets"][token]["number"] == "A001"
        found = desk.lookup(number="A001")["tickets"]
        assert found and found[0].get("token") == token
        settle()
    assert any(b"ticket.called" in f or b"called" in f for f in frames), "no call was streamed"
    staff_json = json.dumps(seen, ensure_ascii=False, default=str)
    assert '"token"' not in staff_json
    blob = b"\n".join(frames)
    for t in map(str, tokens):
        assert t not in staff_json, "a counter or manager was given a ticket's token"
        assert t.encode() not in blob, "a stream carried a ticket's token"
    assert b'"token"' not in blob
    # The counter's snapshot has the tickets at its window in full, but not their tokens.
    at_windows = seen["counter"][-1].get("at_windows") or {}
    assert at_windows and all("token" not in t for t in at_windows.values())


def test_the_kiosk_may_ask_how_a_ticket_stands_but_not_rate_it(hub: Hub) -> None:
    """The kiosk's one read by token (a scanned ticket's QR); rating by token stays the
    web's."""
    with HubClient(hub.endpoint, device="kiosk-1") as kiosk:
        token = kiosk.issue("G")["ticket"]["token"]
        status = kiosk.ticket_status([token, "x" * 22])["tickets"]
        assert status[token]["number"] == "A001" and status["x" * 22] is None
        assert "token" not in status[token]
    assert P.RateByToken not in P.ROLE_REQUESTS["kiosk"]
    assert P.TicketStatus in P.ROLE_REQUESTS["kiosk"]


def test_no_reply_or_stream_carries_a_persons_keyed_hash(hub: Hub) -> None:
    """The keyed hash of a citizen's ID number links their tickets and bookings: it stays in
    the hub. No counter or manager reply (tickets served, looked up, booked), no snapshot,
    neither stream, and not the kiosk's or the desk's replies either (no app reads it)."""
    card = P.Card(id_number="11010519491231002X", name="张三")
    other = P.Card(id_number="110105194912310046", name="李四")
    frames: list[bytes] = []
    replies: dict[str, list[Any]] = {"counter": [], "manager": [], "kiosk": [], "desk": []}
    with (
        HubClient(hub.endpoint, device="manager-1") as manager,
        HubClient(hub.endpoint, device="counter-5") as counter,
        HubClient(hub.endpoint, device="kiosk-1") as kiosk,
        HubClient(hub.endpoint, device="desk-1") as desk,
        _watched(manager.hello(), frames) as settle,
    ):

        def got(role: str, value: dict[str, Any]) -> dict[str, Any]:
            replies[role].append(value)
            return value

        ids = [got("kiosk", kiosk.issue("G", card=card))["ticket"]["id"],
               got("desk", desk.issue("G", card=other, channel="staff",
                                      by="D0101"))["ticket"]["id"],
               got("manager", manager.issue("M", card=card, channel="staff"))["ticket"]["id"]]  # fmt: skip
        got("manager", manager.book_appointment(card, "G", datetime(2026, 11, 26, 11, 0)))
        got("counter", counter.open_window())
        got("counter", counter.sign_in(staff_no="S0501", name="赵一"))
        for _ in range(2):
            assert got("counter", counter.call_next())["ticket"]["id"] in ids
            got("counter", counter.start())
            got("counter", counter.finish())
        got("counter", counter.call_next())
        got("counter", counter.park(note="补材料"))
        got("counter", counter.snapshot())
        got("manager", manager.snapshot())
        got("manager", manager.lookup(card=card))
        got("desk", desk.lookup(card=card))
        got("desk", desk.lookup(number="A001"))
        settle()
    hashes = {str(hub.engine.tickets[i].person_hash) for i in ids}
    hashes |= {a.person_hash for a in hub.engine.appointments.values()}
    assert len(hashes) == 2 and all(len(h) >= 32 for h in hashes)  # both citizens have one
    looked_up = replies["manager"][-1]
    assert len(looked_up["tickets"]) == 2 and looked_up.get("appointments"), looked_up
    # the counter's snapshot has the parked ticket in full (masked name, history), no hash
    at_windows = replies["counter"][-1]["at_windows"]
    assert any(t.get("name_masked") for t in at_windows.values()), at_windows
    text = json.dumps(replies, ensure_ascii=False, default=str)
    blob = b"\n".join(frames)
    assert "person_hash" not in text and b"person_hash" not in blob
    for h in hashes:
        assert h not in text, "a reply carried a person's keyed hash"
        assert h.encode() not in blob, "a stream carried a person's keyed hash"
