"""What one valid key may cost the hub, whatever it sends (issue 18): garbage counts
against its device's rate limit like a command (a 60 KB req_id cannot be read, but the
key says who sent it), and a device past the limit is logged once a minute, not once per
request (one key wrote 10 MB of log in 10 s)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import zmq

from hall.core.layout import Layout
from hall.server.auth import secure_client
from hall.server.hub import Hub, Security, wall_clock
from hall.wire import protocol as P
from tests.hubs import HALL_TIME


@pytest.fixture
def secure_hub(jiangbei: Layout, keys_dir: Path, tmp_path: Path) -> Iterator[Hub]:
    h = Hub(jiangbei, tmp_path / "hall.db", bind="tcp://127.0.0.1:0", security=Security.load(keys_dir),
            clock=wall_clock(HALL_TIME), heartbeat=0.25).start()  # fmt: skip
    h.rate_limit.rate, h.rate_limit.burst = 50.0, 100.0
    yield h
    h.stop()


def _flood(hub: Hub, keys_dir: Path, bodies: list[bytes]) -> list[str]:
    s: zmq.Socket[bytes] = zmq.Context.instance().socket(zmq.DEALER)
    secure_client(s, keys_dir, "kiosk-1")
    s.connect(hub.endpoint)
    try:
        for body in bodies:  # as fast as the socket takes them: far above 50/s
            s.send(body)
        codes = []
        for _ in bodies:
            assert s.poll(5000)
            reply = P.decode_reply(s.recv())
            codes.append(reply.code if isinstance(reply, P.Error) else "ok")
        return codes
    finally:
        s.close(linger=0)


def test_garbage_from_a_valid_key_is_rate_limited(secure_hub: Hub, keys_dir: Path) -> None:
    big = [json.dumps({"type": "issue", "req_id": f"kiosk-1:{i}" + "9" * 60_000}).encode()
           for i in range(300)]  # fmt: skip
    # 5/s with a burst of 10: however slowly a loaded machine reads 18 MB, 300 frames come
    # faster than that (at the hall's 50/s the test needed them all read within 4 s)
    secure_hub.rate_limit.rate, secure_hub.rate_limit.burst = 5.0, 10.0
    codes = _flood(secure_hub, keys_dir, big)
    assert set(codes) == {"invalid", "rate_limited"}
    assert codes.count("invalid") < 300 and codes.count("rate_limited") > 0


def test_a_device_past_the_limit_is_logged_once(
    secure_hub: Hub, keys_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pings = [json.dumps({"type": "ping", "req_id": f"kiosk-1:{i}"}).encode() for i in range(400)]
    secure_hub.rate_limit.rate, secure_hub.rate_limit.burst = 5.0, 10.0  # as above
    with caplog.at_level(logging.INFO, logger="hall.hub"):
        codes = _flood(secure_hub, keys_dir, pings)
        secure_hub.stop()  # its last log lines written
    assert codes.count("rate_limited") > 100
    told = [r for r in caplog.records if "rate_limited" in r.getMessage()]
    assert len(told) == 1 and told[0].levelno == logging.WARNING
    assert told[0].getMessage().startswith("kiosk-1 ping rate_limited")
