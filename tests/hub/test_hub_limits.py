"""What one device may cost the hub (issue 18): refusals are not written to the database
(one kiosk key stored 18,814 refused issues in 10 s), and a device sending faster than the
rate limit is told so, while the others are served."""

from __future__ import annotations

import json
import sqlite3
import time

import zmq

from hall.server.hub import Hub
from hall.wire import protocol as P

from .conftest import ClientFactory


def _replies(hub: Hub) -> int:
    with sqlite3.connect(hub.db_path) as db:
        return int(db.execute("SELECT count(*) FROM replies").fetchone()[0])


def test_refusals_are_not_stored_but_a_retry_gets_the_same_answer(hub: Hub) -> None:
    hub.rate_limit.rate = 0  # this test is about storage, not speed
    before = _replies(hub)
    s: zmq.Socket[bytes] = zmq.Context.instance().socket(zmq.DEALER)
    s.connect(hub.endpoint)
    try:
        answers = []
        for i in range(300):
            s.send(json.dumps({"type": "issue", "req_id": f"kiosk-1:{i}", "queue": "Z"}).encode())
            assert s.poll(3000)
            answers.append(P.decode_reply(s.recv()))
        assert all(isinstance(a, P.Error) and a.code == "unknown_queue" for a in answers)
        assert _replies(hub) == before  # nothing of them on disk
        s.send(json.dumps({"type": "issue", "req_id": "kiosk-1:7", "queue": "G"}).encode())
        assert s.poll(3000)
        again = P.decode_reply(s.recv())  # a retry of a refused one: the same refusal
        assert isinstance(again, P.Error) and again.code == "unknown_queue"
    finally:
        s.close(linger=0)


def test_a_device_past_the_rate_limit_is_told_and_the_others_are_served(
    hub: Hub, connect: ClientFactory
) -> None:
    hub.rate_limit.rate, hub.rate_limit.burst = 50.0, 100.0
    s: zmq.Socket[bytes] = zmq.Context.instance().socket(zmq.DEALER)
    s.connect(hub.endpoint)
    try:
        for i in range(400):  # as fast as the socket takes them: far above 50/s
            s.send(json.dumps({"type": "ping", "req_id": f"kiosk-1:{i}"}).encode())
        codes = []
        for _ in range(400):
            assert s.poll(5000)
            reply = P.decode_reply(s.recv())
            codes.append(reply.code if isinstance(reply, P.Error) else "ok")
        assert 100 <= codes.count("ok") < 400 and codes.count("rate_limited") > 0
        assert set(codes) == {"ok", "rate_limited"}
        assert connect("kiosk-2").issue("G")["ticket"]["number"] == "A001"  # others served
        time.sleep(0.5)  # 25 tokens back
        s.send(json.dumps({"type": "ping", "req_id": "kiosk-1:x"}).encode())
        assert s.poll(3000) and isinstance(P.decode_reply(s.recv()), P.Ok)
    finally:
        s.close(linger=0)
