"""`hall web` as a user runs it: a real process with the gateway's own CURVE key (web-1 from
`hall keys init`) against a secure hub; its options checked in one sentence."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import zmq

from hall.client import HubClient
from hall.core.layout import Layout
from hall.net.keys import client_keys, init_keys
from hall.net.sockets import free_hub_port
from hall.server.hub import Hub, Security, wall_clock
from tests.clirun import ROOT, hall, the_message
from tests.hubs import HALL_TIME


@pytest.fixture
def secure(layout: Layout, tmp_path: Path) -> Iterator[tuple[Hub, Path]]:
    keys = tmp_path / "keys"
    init_keys(keys, layout)
    h = Hub(layout, tmp_path / "hall.db", bind="tcp://127.0.0.1:0", security=Security.load(keys),
            clock=wall_clock(HALL_TIME), heartbeat=0.5).start()  # fmt: skip
    yield h, keys
    h.stop()


def test_hall_web_serves_with_its_own_key(secure: tuple[Hub, Path]) -> None:
    hub, keys = secure
    port = free_hub_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "hall", "web", "--endpoint", hub.endpoint, "--keys", str(keys),
         "--device", "web-1", "--listen", f"127.0.0.1:{port}",
         "--public-url", "https://q.example.cn"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        with HubClient(hub.endpoint, device="kiosk-1", keys=keys) as kiosk:
            token = kiosk.issue("G")["ticket"]["token"]
        url = f"http://127.0.0.1:{port}/api/t/{token}"
        deadline = time.monotonic() + 20
        while True:
            try:
                r = httpx.get(url)
                if r.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "hall web did not answer"
            time.sleep(0.2)
        assert r.json()["number"] == "A001" and r.json()["state"] == "waiting"
        assert hub.peers["web-1"].role == "web"  # the key said who it is
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=15)
    assert proc.returncode == 0, out
    assert "Traceback" not in out


def test_the_web_key_may_not_join_the_staff_stream(secure: tuple[Hub, Path]) -> None:
    hub, keys = secure
    public, secret, server = client_keys(keys, "web-1")
    s: zmq.Socket[bytes] = zmq.Context.instance().socket(zmq.SUB)
    s.curve_publickey, s.curve_secretkey, s.curve_serverkey = public, secret, server
    s.linger = 0
    s.setsockopt(zmq.SUBSCRIBE, b"")
    s.connect(hub.staff_pub_endpoint)
    try:
        assert not s.poll(2500)  # no heartbeat ever: the handshake is refused
    finally:
        s.close()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--listen", "8080"], "HOST:PORT"),
        (["--public-url", "q.example.cn"], "--public-url"),
        (["--keys", "/nonexistent-keys"], "web-1"),
    ],
)
def test_bad_options_get_one_sentence(args: list[str], says: str) -> None:
    run = hall("web", *args, timeout=30)
    assert run.returncode == 2
    assert says in the_message(run)


def test_listed_in_the_help() -> None:
    run = hall("--help")
    assert "web" in run.stdout and "网上服务" in run.stdout
