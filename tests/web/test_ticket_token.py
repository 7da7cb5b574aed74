"""Every issued ticket gets an unguessable token (issue 20): made by the engine, saved with
the ticket, found again after a restart, never on the board; the QR on the paper carries
the ticket's page when the hall has a public URL."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import msgspec
import pytest

from hall.client import HubClient
from hall.core import errors as E
from hall.core.engine import Engine
from hall.core.layout import Layout, LayoutError, parse_layout
from hall.server.hub import Hub
from hall.server.store import Store
from kiosk.tickets import ticket_print, ticket_view
from tests.hubs import HALL_TIME, start_hub


def _ready(engine: Engine, window: int = 1) -> None:
    engine.open_window(window=window)
    engine.sign_in(window=window, post="A", staff_no="S001", name="办事员")


def test_each_ticket_has_its_own_long_token(layout: Layout) -> None:
    engine = Engine(layout, lambda: HALL_TIME)
    tickets = [engine.issue(queue="G").value["ticket"] for _ in range(200)]
    tokens = [t["token"] for t in tickets]
    assert len(set(tokens)) == 200
    assert all(len(t) >= 22 for t in tokens)  # 16 random bytes, URL-safe base64
    for t in tickets:  # the token says nothing of the ticket
        assert t["number"] not in t["token"] and t["id"] not in t["token"]
    one = engine.tickets[tickets[0]["id"]]
    assert "token" not in one.public()
    assert engine.by_token(tokens[7]) is engine.tickets[tickets[7]["id"]]
    assert engine.by_token(tokens[7][:-1] + ("A" if tokens[7][-1] != "A" else "B")) is None
    assert engine.by_token("") is None
    assert engine.by_token("\udcff") is None  # not even valid UTF-8: just not found


def test_ticket_status_follows_the_ticket(layout: Layout) -> None:
    engine = Engine(layout, lambda: HALL_TIME)
    _ready(engine)
    tokens = [engine.issue(queue="G").value["ticket"]["token"] for _ in range(5)]
    last = engine.ticket_status(tokens[4])
    assert last is not None
    assert (last["state"], last["ahead"], last["window"]) == ("waiting", 4, None)
    lo, hi = last["wait_min"]
    assert 0 <= lo < hi
    first = engine.ticket_status(tokens[0])
    assert first is not None and first["ahead"] == 0
    engine.call_next(window=1)
    called = engine.ticket_status(tokens[0])
    assert called is not None
    assert (called["state"], called["window"], called["ahead"]) == ("called", 1, None)
    after = engine.ticket_status(tokens[4])
    assert after is not None and after["ahead"] == 3
    engine.start(window=1)
    engine.finish(window=1)
    done = engine.ticket_status(tokens[0])
    assert done is not None and (done["state"], done["rated"]) == ("finished", False)
    assert engine.ticket_status("x" * 22) is None
    assert not {"person_hash", "id_masked", "name_masked", "clerk", "token"} & set(done)


def test_the_token_is_saved_and_found_after_a_restart(
    layout: Layout, items: dict[str, str], tmp_path: Path
) -> None:
    db = tmp_path / "hall.db"
    hub = start_hub(layout, items, db)
    try:
        with HubClient(hub.endpoint, device="kiosk-1") as kiosk:
            token = kiosk.issue("G")["ticket"]["token"]
    finally:
        hub.stop()
    with sqlite3.connect(db) as c:
        (saved,) = c.execute("SELECT token FROM tickets").fetchone()
    assert saved == token
    hub = start_hub(layout, items, db, bind=hub.endpoint)
    try:
        with HubClient(hub.endpoint, device="web-1") as web:
            status = web.ticket_status([token, "nosuch"])["tickets"]
        assert status["nosuch"] is None
        assert status[token]["number"] == "A001" and status[token]["state"] == "waiting"
    finally:
        hub.stop()


def test_an_older_database_gets_the_token_column(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    Store(db).close()
    with sqlite3.connect(db) as c:  # as the version before tokens left it
        c.execute("DROP INDEX idx_tickets_token")
        c.execute("ALTER TABLE tickets DROP COLUMN token")
        c.execute("DELETE FROM _sqlite_migrations WHERE name = 'm003_ticket_token'")
        c.execute("INSERT INTO tickets (id, number, queue, day) VALUES ('x', 'A001', 'G', 'd')")
    store = Store(db)
    cols = {r[1] for r in store.conn.execute("PRAGMA table_info(tickets)")}
    assert "token" in cols
    (old,) = store.conn.execute("SELECT token FROM tickets WHERE id = 'x'").fetchone()
    assert old is None  # a ticket from before has none: it cannot be looked up, nothing more
    store.close()


def test_a_web_device_only_reads_tickets_and_rates_them(hub: Hub) -> None:
    with (
        HubClient(hub.endpoint, device="kiosk-1") as kiosk,
        HubClient(hub.endpoint, device="web-1") as web,
    ):
        token = kiosk.issue("G")["ticket"]["token"]
        with pytest.raises(E.NotRateable):  # waiting: nothing to rate yet
            web.rate_by_token(token, 5)
        with pytest.raises(E.HallError) as refused:
            web.issue("G")
        assert refused.value.code == "not_allowed"
        with pytest.raises(E.HallError) as refused:
            web.call_next(1)
        assert refused.value.code == "not_allowed"
        with pytest.raises(E.NoSuchTicket):
            web.rate_by_token("y" * 22, 5)
        welcome = web.hello()
        assert welcome["role"] == "web" and welcome["staff_pub"] is None


def test_the_qr_leads_to_the_ticket_page_when_the_hall_has_a_public_url(
    layout: Layout,
) -> None:
    engine = Engine(layout, lambda: HALL_TIME)
    issued = engine.issue(queue="G").value
    public = {"name": "江北", "queues": [], "floors": []}
    view = ticket_view(public, issued)
    assert ticket_print(public, view).qr_payload == issued["ticket"]["id"]
    with_url = {**public, "web": {"public_url": "https://q.example.cn/"}}
    payload = ticket_print(with_url, view).qr_payload
    assert payload == f"https://q.example.cn/t/{issued['ticket']['token']}"


def test_the_public_url_is_checked_in_the_layout(layout: Layout) -> None:
    text = Path(layout.source).read_text(encoding="utf-8")
    good = parse_layout(text + '\n[web]\npublic_url = "https://q.example.cn/"\n', "x.toml")
    assert good.web.public_url == "https://q.example.cn"
    with pytest.raises(LayoutError) as e:
        parse_layout(text + '\n[web]\npublic_url = "q.example.cn/t?x"\n', "x.toml")
    assert "web.public_url" in str(e.value)


def test_keys_add_a_second_gateway(tmp_path: Path, layout: Layout) -> None:
    from hall.net.keys import KeysError, Registry, add_device, init_keys

    init_keys(tmp_path / "keys", layout)
    dev = add_device(tmp_path / "keys", "web-2", "web", layout=layout)
    assert (dev.role, dev.window, dev.floor) == ("web", None, None)
    assert Registry.load(tmp_path / "keys").device("web-2") is not None
    with pytest.raises(KeysError):
        add_device(tmp_path / "keys", "web-3", "web", window=1)
    with pytest.raises(KeysError):
        add_device(tmp_path / "keys", "web-3", "web", floor="1F")


def test_people_ahead_counts_the_faster_classes_first(layout: Layout) -> None:
    engine = Engine(layout, lambda: HALL_TIME)
    rates = layout.priority.rates
    issued = []
    for n in range(30):
        green = n % 4 == 1
        issued.append(engine.issue(queue="G", green=green, channel="staff" if green else "kiosk"))
    waiting = [engine.tickets[o.value["ticket"]["id"]] for o in issued]
    for t in waiting:
        own = rates[t.priority.value]
        brute = sum(
            1 for x in waiting
            if rates[x.priority.value] > own
            or (rates[x.priority.value] == own and (x.enqueued_at, x.id) < (t.enqueued_at, t.id))
        )  # fmt: skip
        assert engine.ahead_of(t) == brute
    greens = [t for t in waiting if t.priority.value == "green"]
    assert engine.ahead_of(greens[0]) == 0 and engine.ahead_of(waiting[0]) == len(greens)


def test_a_web_request_is_bounded() -> None:
    from hall.wire import protocol as P

    ok = P.decode_request(
        msgspec.json.encode({"type": "ticket_status", "req_id": "web-1:1",
                             "tokens": ["t" * 22] * P.MAX_TOKENS}), "web",
    )  # fmt: skip
    assert isinstance(ok, P.TicketStatus) and len(ok.tokens) == P.MAX_TOKENS
    for body in (
        {"type": "ticket_status", "tokens": ["t" * 22] * (P.MAX_TOKENS + 1)},
        {"type": "ticket_status", "tokens": ["t" * 65]},
        {"type": "rate_token", "token": "t" * 22, "level": 5, "reasons": ["x" * 500]},
        {"type": "cancel_booking", "code": "C" * 33},
    ):
        with pytest.raises(P.RemoteProtocolError) as e:
            P.decode_request(msgspec.json.encode({**body, "req_id": "web-1:2"}), "web")
        assert e.value.code in ("invalid", "too_large")
