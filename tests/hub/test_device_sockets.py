"""A device's sockets back off while the hub's port is closed (the hub down)."""

from __future__ import annotations

import time

import zmq
from zmq.utils.monitor import recv_monitor_message

from hall.net.sockets import RECONNECT_MAX_MS, device_socket, free_hub_port


def _attempts(sock: zmq.Socket[bytes], endpoint: str, seconds: float) -> tuple[int, list[int]]:
    """How many times `sock` itself tried to connect in `seconds` (ZeroMQ's socket monitor:
    one CONNECT_DELAYED per attempt, so no other process's connections are counted), and
    the pauses it chose before each retry (CONNECT_RETRIED's value, in ms)."""
    monitor = sock.get_monitor_socket(zmq.EVENT_CONNECT_DELAYED | zmq.EVENT_CONNECT_RETRIED)
    sock.connect(endpoint)
    tries, pauses = 0, []
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        if monitor.poll(int(left * 1000) + 1):
            event = recv_monitor_message(monitor)
            if event["event"] == zmq.EVENT_CONNECT_DELAYED:
                tries += 1
            else:
                pauses.append(int(event["value"]))
    sock.disable_monitor()
    monitor.close(linger=0)
    sock.close(linger=0)
    return tries, pauses


def test_a_device_knocks_less_and_less_on_a_closed_port() -> None:
    ctx = zmq.Context.instance()
    endpoint = f"tcp://127.0.0.1:{free_hub_port()}"  # nobody listens there
    plain, _ = _attempts(ctx.socket(zmq.DEALER), endpoint, 2.0)  # ZMQ's default: ~0.1 s
    device, pauses = _attempts(device_socket(ctx, zmq.DEALER, None), endpoint, 2.0)
    assert plain >= 8, plain  # the comparison means something
    assert device <= plain / 2, (device, plain)  # 0.1, 0.2, 0.4, 0.8, 1 s … apart
    # the pauses the device's socket chose: doubling from 0.1 s up to the cap
    assert pauses[:4] == [100, 200, 400, 800], pauses
    assert all(p <= RECONNECT_MAX_MS for p in pauses), pauses
