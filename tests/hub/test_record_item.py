"""The counter records a ticket's service item (事项): the hub's `record_item` command over a
real socket and a real SQLite file — accepted, refused with the catalogue's sentences,
stored as an event, and still there after the hub restarts."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from hall.client import HubClient
from hall.core import errors as E
from hall.core.layout import Layout
from hall.reports.data import load
from hall.server.hub import Hub
from tests.hubs import start_hub

from .conftest import ClientFactory, open_windows

LICENCE = "SC-0001"  # 营业执照设立登记 (market)
FREIGHT = "SC-0052"  # 道路货物运输经营许可 (transport)


def item_events(db: Path) -> list[tuple[str, dict[str, object]]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT device, data FROM events WHERE type = 'ticket.item_recorded' ORDER BY id"
        ).fetchall()
    return [(device, json.loads(data)) for device, data in rows]


def serving(m: HubClient, counter: HubClient, **issue: object) -> str:
    """A ticket issued (as `issue` says) and called at the counter's window: its id."""
    tid = str(m.issue("G", **issue)["ticket"]["id"])  # type: ignore[arg-type]
    got = counter.call_next()["ticket"]
    assert got["id"] == tid
    return tid


def test_the_clerk_records_the_item_of_the_ticket_at_the_window(
    hub: Hub, connect: ClientFactory, db: Path
) -> None:
    m, c2 = connect("manager-1"), connect("counter-2")
    open_windows(m, [2])
    tid = serving(m, c2, item=LICENCE)  # the kiosk's choice
    reply = c2.record_item(tid, FREIGHT)  # the clerk's correction
    assert reply["ticket"]["item"] == FREIGHT
    assert hub.engine.tickets[tid].item == FREIGHT
    [(device, data)] = item_events(db)
    assert device == "counter-2"
    assert data == {"ticket": tid, "number": reply["ticket"]["number"], "window": 2,
                    "clerk": "S002", "item": FREIGHT, "previous": LICENCE}  # fmt: skip
    assert reply["items_used"] == {}  # counted once finished
    c2.finish()
    assert m.snapshot()["board"]["tickets"][tid]["state"] == "finished"
    # the ticket finished last may still get (or change) its item: the reminder's way back
    again = c2.record_item(tid, LICENCE)
    assert again["ticket"]["item"] == LICENCE and again["items_used"] == {LICENCE: 1}
    assert [d["item"] for _, d in item_events(db)] == [FREIGHT, LICENCE]


def test_bad_items_and_other_tickets_are_refused_and_change_nothing(
    hub: Hub, connect: ClientFactory, db: Path
) -> None:
    m, c2, c3 = connect("manager-1"), connect("counter-2"), connect("counter-3")
    open_windows(m, [2, 3])
    first = serving(m, c2)
    c2.finish()
    mine = serving(m, c2)
    theirs = serving(m, c3)
    with pytest.raises(E.UnknownItem) as unknown:
        c2.record_item(mine, "SC-9999")
    assert (unknown.value.message, unknown.value.message_english) == (
        "没有该事项", "No such service item")  # fmt: skip
    for malformed in ("营业执照", "sc-0001", "SC-1", ""):
        with pytest.raises(E.BadItemCode) as bad:
            c2.record_item(mine, malformed)
        assert bad.value.code == "bad_item_code"
        assert bad.value.message.startswith("事项编码有误")
        assert "hyphen and four digits" in bad.value.message_english
    with pytest.raises(E.NotYourTicket):  # at window 3
        c2.record_item(theirs, LICENCE)
    c2.finish()  # `mine` is now the window's last finished ticket
    with pytest.raises(E.NotYourTicket):  # finished here, but not the last one
        c2.record_item(first, LICENCE)
    with pytest.raises(E.NoSuchTicket):
        c2.record_item("20261126-Z999", LICENCE)
    with pytest.raises(E.NotAllowed) as other:  # a counter acts on its own window only
        c2.record_item(theirs, LICENCE, window=3)
    assert "2号窗口" in other.value.message
    assert all(t.item is None for t in hub.engine.tickets.values())
    assert item_events(db) == []
    # a manager names the window (any window)
    assert m.record_item(theirs, LICENCE, window=3)["ticket"]["item"] == LICENCE


def test_the_item_survives_a_restart_and_reaches_the_report(
    layout: Layout, items: dict[str, str], tmp_path: Path
) -> None:
    db = tmp_path / "hall.db"
    hub = start_hub(layout, items, db)
    try:
        with HubClient(hub.endpoint, device="manager-1") as m, \
                HubClient(hub.endpoint, device="counter-2") as c2:  # fmt: skip
            open_windows(m, [2])
            tid = serving(m, c2)
            c2.record_item(tid, FREIGHT)
            c2.finish()
        endpoint = hub.endpoint
    finally:
        hub.stop()
    hub = start_hub(layout, items, db, bind=endpoint)
    try:
        assert hub.engine.tickets[tid].item == FREIGHT
        assert hub.engine.tickets[tid].history[-1]["action"] == "item"
        with HubClient(hub.endpoint, device="counter-2") as c2:
            # the picker's most-used items come with the counter's snapshot
            assert c2.snapshot()["items_used"] == {FREIGHT: 1}
        with HubClient(hub.endpoint, device="manager-1") as m:
            assert "items_used" not in m.snapshot()
    finally:
        hub.stop()
    assert load(db).tickets[tid].item == FREIGHT
