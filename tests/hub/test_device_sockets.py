"""A device's sockets back off while the hub's port is closed (the hub down)."""

from __future__ import annotations

import time
from pathlib import Path

import zmq

from hall.net.sockets import device_socket, free_hub_port


def _active_opens() -> int:
    """TCP connection attempts this machine has made (a refused one counts too)."""
    tcp = [line.split() for line in Path("/proc/net/snmp").read_text().splitlines()
           if line.startswith("Tcp:")]  # fmt: skip
    return int(dict(zip(tcp[0][1:], tcp[1][1:], strict=True))["ActiveOpens"])


def _attempts(sock: zmq.Socket[bytes], endpoint: str, seconds: float) -> int:
    before = _active_opens()
    sock.connect(endpoint)
    time.sleep(seconds)
    n = _active_opens() - before
    sock.close(linger=0)
    return n


def test_a_device_knocks_less_and_less_on_a_closed_port() -> None:
    ctx = zmq.Context.instance()
    endpoint = f"tcp://127.0.0.1:{free_hub_port()}"  # nobody listens there
    plain = _attempts(ctx.socket(zmq.DEALER), endpoint, 2.0)  # ZMQ's default: every ~0.1 s
    device = _attempts(device_socket(ctx, zmq.DEALER, None), endpoint, 2.0)
    assert plain >= 8, plain  # the comparison means something
    assert device <= plain / 2, (device, plain)  # 0.1, 0.2, 0.4, 0.8, 1 s … apart
