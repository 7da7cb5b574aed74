"""Concurrency, followers and failed commits against a hub in a thread."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import zmq

from hall.client import HubClient
from hall.core import errors as E
from hall.core.engine import Engine
from hall.core.layout import Layout
from hall.server.hub import Hub
from hall.server.store import Store
from hall.wire import protocol as P
from hall.wire.follower import StateFollower
from tests.hubs import HALL_TIME, start_hub

from .conftest import ClientFactory, open_windows


def _prefill(layout: Layout, db: Path, n: int) -> list[str]:
    """n waiting tickets spread over the queues, and every window open, staffed and able
    to call the general queue."""
    eng = Engine(layout, lambda: HALL_TIME)
    store = Store(db)
    queues = ["G", "G", "M", "T", "E"]  # O is the output window 31 only
    ids = []
    with store.transaction():
        store.save(eng.housekeep())
        for w, win in layout.windows.items():
            store.save(eng.open_window(window=w))
            store.save(eng.sign_in(window=w, post="A", staff_no=f"S{w}", name=f"员{w}"))
            profile = {q: 1.0 for q in win.skills}
            store.save(eng.set_profile(window=w, profile=profile))
        for i in range(n):
            ids.append(store.save(eng.issue(queue=queues[i % len(queues)]))[0].data.ticket["id"])
    store.close()
    return ids


def test_30_counters_call_1000_tickets_each_exactly_once(
    layout: Layout, items: dict[str, str], db: Path
) -> None:
    ids = _prefill(layout, db, 1000)
    hub = start_hub(layout, items, db)
    called: dict[int, list[str]] = {}
    errors: list[BaseException] = []

    def work(window: int) -> None:
        try:
            with HubClient(hub.endpoint, device=f"counter-{window}", timeout=10) as c:
                mine = called.setdefault(window, [])
                while (t := c.call_next()["ticket"]) is not None:
                    mine.append(t["id"])
                    c.finish()
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=work, args=(w,)) for w in list(layout.windows)[:30]]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    finally:
        hub.stop()
    assert not errors
    every = [i for lst in called.values() for i in lst]
    assert sorted(every) == sorted(ids)  # each called once, none lost, none twice
    assert sum(1 for lst in called.values() if lst) >= 20  # it really was concurrent


def _pump_until(c: HubClient, f: StateFollower, cond: object, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        c.pump(f, 0.2)
        if callable(cond) and cond():
            return
    raise AssertionError("condition not reached")


def test_a_follower_equals_a_fresh_snapshot(hub: Hub, connect: ClientFactory) -> None:
    mgr, kiosk = connect("manager-1"), connect("kiosk-1")
    display = connect("display-1F")
    board = StateFollower(("board",))
    staff_view = connect("manager-2")
    both = StateFollower(("board", "staff"))
    _pump_until(display, board, lambda: board.synced)
    _pump_until(staff_view, both, lambda: both.synced)
    open_windows(mgr, [1, 2, 3])
    for _ in range(6):
        kiosk.issue("G")
    for w in (1, 2, 3):
        c = connect(f"counter-{w}")
        c.call_next()
        c.start()
        if w == 1:
            c.finish()
            connect("rating-1").rate(1, reasons=["态度"])
        elif w == 2:
            c.park(note="取材料")
        else:
            c.transfer(to_queue="M")
    mgr.pause(1, reason="午休")
    snap = mgr.snapshot()
    _pump_until(display, board, lambda: board.seq["board"] == snap["seq"]["board"])
    _pump_until(staff_view, both, lambda: both.seq == snap["seq"])
    assert board.state["board"] == snap["board"]
    snap = mgr.snapshot()
    assert both.state == {"board": snap["board"], "staff": snap["staff"]}
    assert snap["staff"]["cases"] and snap["staff"]["devices"]["counter-1"] is True
    assert board.snapshots == 1  # no gaps: followed by events alone


def test_devices_go_offline(hub: Hub, connect: ClientFactory) -> None:
    mgr = connect("manager-1")
    f = StateFollower(("board", "staff"))
    _pump_until(mgr, f, lambda: f.synced)
    connect("kiosk-2").ping()
    _pump_until(mgr, f, lambda: f.state["staff"]["devices"].get("kiosk-2") is True)
    _pump_until(mgr, f, lambda: f.state["staff"]["devices"].get("kiosk-2") is False)


def _saves_fail(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Every save writes, then fails as a full disk would (the transaction rolls back);
    returns the undo."""
    assert hub.store is not None
    store = hub.store
    real = store.save

    def full(*a: object, **kw: object) -> object:
        real(*a, **kw)  # type: ignore[arg-type]
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store, "save", full)
    return lambda: monkeypatch.setattr(store, "save", real)


def test_a_failed_commit_leaves_memory_as_the_disk(
    hub: Hub, connect: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    mgr, kiosk = connect("manager-1"), connect("kiosk-1")
    open_windows(mgr, [1])
    kiosk.issue("G")
    undo = _saves_fail(hub, monkeypatch)
    with pytest.raises(E.HallError) as e:
        connect("counter-1").call_next()
    assert e.value.code == "store_failed"
    undo()
    snap = mgr.snapshot()
    assert snap["board"]["windows"]["1"]["current"] is None
    assert snap["board"]["tickets"]["20261126-A001"]["state"] == "waiting"
    assert connect("counter-1").call_next()["ticket"]["number"] == "A001"
    assert kiosk.issue("G")["ticket"]["number"] == "A002"


def test_the_hub_prunes_day_old_replies_and_still_replays_fresh_ones(
    layout: Layout, items: dict[str, str], tmp_path: Path
) -> None:
    db = tmp_path / "hall.db"
    store = Store(db)
    with store.transaction():
        store.save_reply("kiosk-1:old.1", '{"type":"ok","req_id":"kiosk-1:old.1","value":{}}')
    store.conn.execute("UPDATE replies SET at = '2000-01-01T00:00:00'")
    store.close()
    hub = start_hub(layout, items, db, housekeep_every=0.2)
    try:
        with HubClient(hub.endpoint, device="kiosk-1") as k:
            first = k.issue("G")
            req_id = k.last_req_id
            ro = sqlite3.connect(db)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                if not ro.execute(
                    "SELECT 1 FROM replies WHERE req_id = 'kiosk-1:old.1'"
                ).fetchall():
                    break
                time.sleep(0.1)
            rows = {r[0] for r in ro.execute("SELECT req_id FROM replies")}
            ro.close()
            assert "kiosk-1:old.1" not in rows and req_id in rows
            # a retry of today's request still gets its first answer, not a second ticket
            again = k.request(P.Issue(req_id=req_id, queue="G"))
            assert again["ticket"]["id"] == first["ticket"]["id"]
    finally:
        hub.stop()


def test_a_failed_commit_undoes_a_change_to_a_window_never_saved(
    hub: Hub, connect: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Window 2 has no row yet: the reload after the failed commit must still close it.
    mgr = connect("manager-1")
    undo = _saves_fail(hub, monkeypatch)
    with pytest.raises(E.HallError) as e:
        mgr.open_window(2)
    assert e.value.code == "store_failed"
    undo()
    assert mgr.snapshot()["board"]["windows"]["2"]["state"] == "closed"
    assert mgr.open_window(2)["window"]["state"] == "open"  # not "already open"


def _slow_then_full(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Saves of kiosk-3 take 0.5 s (the next requests pile up into one batch meanwhile);
    a save of kiosk-2 fails like a full disk, after the others in its batch. Returns undo."""
    assert hub.store is not None
    store = hub.store
    real = store.save

    def slow_or_full(outcome: object, **kw: str) -> object:
        if kw.get("req_id", "").startswith("kiosk-3"):
            time.sleep(0.5)
        out = real(outcome, **kw)  # type: ignore[arg-type]
        if kw.get("req_id", "").startswith("kiosk-2"):
            raise sqlite3.OperationalError("database or disk is full")
        return out

    monkeypatch.setattr(store, "save", slow_or_full)
    return lambda: monkeypatch.setattr(store, "save", real)


def _dealers(hub: Hub, n: int) -> list[zmq.Socket[bytes]]:
    ctx: zmq.Context[zmq.Socket[bytes]] = zmq.Context.instance()
    socks = []
    for _ in range(n):
        s = ctx.socket(zmq.DEALER)
        s.linger = 0
        s.connect(hub.endpoint)
        socks.append(s)
    return socks


def test_a_retry_of_a_saved_command_keeps_its_answer_when_its_batch_fails(
    hub: Hub, connect: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The retry shares a group commit with a command whose commit fails. Told
    # "store_failed", the kiosk would issue again under a new req_id: a second ticket.
    kiosk = connect("kiosk-1")
    first = kiosk.issue("G")["ticket"]
    retry_id = kiosk.last_req_id
    _slow_then_full(hub, monkeypatch)
    socks = _dealers(hub, 3)
    slow, retry, other = socks
    try:
        time.sleep(0.2)
        slow.send(P.encode_request(P.Issue(req_id="kiosk-3:t.1", queue="G")))
        time.sleep(0.1)  # the hub is inside the slow save now
        retry.send(P.encode_request(P.Issue(req_id=retry_id, queue="G")))
        other.send(P.encode_request(P.Issue(req_id="kiosk-2:t.1", queue="G")))
        replies = []
        for s in socks:
            assert s.poll(5000)
            replies.append(P.decode_reply(s.recv()))
    finally:
        for s in socks:
            s.close(0)
    assert isinstance(replies[0], P.Ok)
    assert isinstance(replies[2], P.Error) and replies[2].code == "store_failed"
    # the batch failed, and the retry still hears its first answer
    assert isinstance(replies[1], P.Ok), replies[1]
    assert replies[1].value["ticket"]["id"] == first["id"]


def test_a_refusal_in_a_failed_batch_is_not_kept_for_its_retry(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In one group commit: window 7 opened, then a second open refused ("already open"),
    # then a command whose save fails. The transaction is rolled back, window 7 is closed
    # again, and every command hears store_failed; a retry of the refused one must be
    # answered anew (it opens the window), not with a refusal kept in memory meanwhile.
    undo = _slow_then_full(hub, monkeypatch)
    socks = _dealers(hub, 5)
    slow, first, second, full, retry = socks
    try:
        time.sleep(0.2)
        slow.send(P.encode_request(P.Issue(req_id="kiosk-3:t.1", queue="G")))
        time.sleep(0.1)  # the hub is inside the slow save now
        first.send(P.encode_request(P.Open(req_id="manager-1:t.1", window=7)))
        time.sleep(0.02)
        second.send(P.encode_request(P.Open(req_id="manager-1:t.2", window=7)))
        time.sleep(0.02)
        full.send(P.encode_request(P.Issue(req_id="kiosk-2:t.1", queue="G")))
        replies = []
        for s in socks[:4]:
            assert s.poll(5000)
            replies.append(P.decode_reply(s.recv()))
        undo()
        assert [r.code for r in replies[1:] if isinstance(r, P.Error)] == ["store_failed"] * 3
        assert hub.engine.windows[7].state.value == "closed"  # rolled back
        retry.send(P.encode_request(P.Open(req_id="manager-1:t.2", window=7)))
        assert retry.poll(5000)
        again = P.decode_reply(retry.recv())
    finally:
        for s in socks:
            s.close(0)
    assert isinstance(again, P.Ok), again
    assert again.value["window"]["state"] == "open"


def test_a_failing_task_of_the_hub_is_logged_once_and_the_hub_serves_on(
    layout: Layout, items: dict[str, str], db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The heartbeat's queue figures raising (a weight saved before the bounds existed made
    # the estimate overflow) once ended the hub thread, and a restart died again.
    caplog.set_level(logging.INFO, logger="hall.hub")
    hub = start_hub(layout, items, db, heartbeat=0.1)
    try:
        with HubClient(hub.endpoint, device="manager-1") as mgr:
            sub = mgr._subscriber(("board",))

            def broken(now: object = None) -> list[dict[str, Any]]:
                raise OverflowError("date value out of range")

            real = hub.engine.queue_summary
            hub.engine.queue_summary = broken  # type: ignore[method-assign]
            time.sleep(0.6)  # about six heartbeats
            assert hub._thread is not None and hub._thread.is_alive()
            assert mgr.issue("G")["ticket"]["number"] == "A001"
            # heartbeats still go out, only without the queue figures
            beats: list[P.Update] = []
            deadline = time.monotonic() + 3
            while len(beats) < 2 and time.monotonic() < deadline:
                if sub.poll(200):
                    up = P.decode_update(sub.recv_multipart()[1])
                    if up.type == "heartbeat":
                        beats.append(up)
            assert len(beats) == 2 and all("queues" not in b.data for b in beats)
            hub.engine.queue_summary = real  # type: ignore[method-assign]
            time.sleep(0.3)
    finally:
        hub.stop()
    failed = [r for r in caplog.records if "queue figures failed" in r.getMessage()]
    assert len(failed) == 1 and failed[0].exc_info is not None
    assert any("queue figures works again" in r.getMessage() for r in caplog.records)


def test_a_bug_in_saving_is_an_internal_error_not_the_end_of_the_hub(
    hub: Hub, connect: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Anything but a database or disk error escaped _flush and ended the hub thread.
    mgr = connect("manager-1")
    assert hub.store is not None
    real = hub.store.save

    def buggy(*a: object, **kw: object) -> object:
        raise TypeError("Object of type Decimal is not JSON serializable")

    monkeypatch.setattr(hub.store, "save", buggy)
    with pytest.raises(E.HallError) as e:
        mgr.open_window(2)
    assert e.value.code == "internal"
    monkeypatch.setattr(hub.store, "save", real)
    assert hub._thread is not None and hub._thread.is_alive()
    assert mgr.snapshot()["board"]["windows"]["2"]["state"] == "closed"  # reloaded
    assert mgr.open_window(2)["window"]["state"] == "open"
