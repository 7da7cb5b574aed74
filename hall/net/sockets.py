"""The hall's ZeroMQ sockets, set up one way for the hub, `HubClient` and the Qt link. No Qt.

Every socket gets the ZMTP heartbeat of `hall.wire.protocol.ZMTP_HEARTBEAT_MS`, so a dead
peer is noticed without traffic, and linger 0, so closing one never blocks. A device's
socket is also a CURVE client when the device was given keys (`hall.net.keys.client_keys`).
"""

from __future__ import annotations

import socket

import zmq

from hall.wire import protocol as P

#: a device's CURVE keys, Z85: its own public and secret key and the hub's public key
DeviceKeys = tuple[bytes, bytes, bytes]

#: the longest pause between a device's attempts to reach a hub whose port is closed (ms)
RECONNECT_MAX_MS = 1000


def hall_socket(ctx: zmq.Context[zmq.Socket[bytes]], kind: int) -> zmq.Socket[bytes]:
    """A new `kind` socket on `ctx` with the hall's ZMTP heartbeat and linger 0."""
    s = ctx.socket(kind)
    ivl, timeout, ttl = P.ZMTP_HEARTBEAT_MS
    s.setsockopt(zmq.HEARTBEAT_IVL, ivl)
    s.setsockopt(zmq.HEARTBEAT_TIMEOUT, timeout)
    s.setsockopt(zmq.HEARTBEAT_TTL, ttl)
    s.setsockopt(zmq.LINGER, 0)
    return s


def device_socket(
    ctx: zmq.Context[zmq.Socket[bytes]], kind: int, keys: DeviceKeys | None
) -> zmq.Socket[bytes]:
    """A device's socket: `hall_socket`, and a CURVE client with `keys` unless they are None.

    While the hub's port is closed (the hub down), its reconnect attempts back off from
    0.1 s to `RECONNECT_MAX_MS`: a hall's seventy devices, each with a few sockets (the
    link keeps retired ones open for late answers), would otherwise knock ten times a
    second each."""
    s = hall_socket(ctx, kind)
    s.setsockopt(zmq.RECONNECT_IVL_MAX, RECONNECT_MAX_MS)
    if keys is not None:
        s.curve_publickey, s.curve_secretkey, s.curve_serverkey = keys
    return s


def free_hub_port(host: str = "127.0.0.1") -> int:
    """A free TCP port whose next two are free too: a hub's command port, its board stream
    (+1) and its staff stream (+2), for a hub that must bind a known port (tests that
    restart it there, `hall bench hub`). Another process may still take one meanwhile."""
    for _ in range(50):
        with socket.socket() as a:
            a.bind((host, 0))
            port = int(a.getsockname()[1])
            with socket.socket() as b, socket.socket() as c:
                try:
                    b.bind((host, port + 1))
                    c.bind((host, port + 2))
                except OSError:
                    continue
            return port
    raise RuntimeError("no three free ports in a row")


class EndpointError(ValueError):
    """A command-line endpoint is not tcp://HOST:PORT; the message says so in one line."""


def _is_tcp_endpoint(text: str) -> bool:
    head, sep, port = text.rpartition(":")
    host = head.removeprefix("tcp://")
    return (
        head.startswith("tcp://")
        and bool(sep and host)
        and "/" not in host
        and port.isascii()
        and port.isdigit()
        and int(port) <= 65535
    )


def check_endpoint(text: str, option: str = "--endpoint") -> str:
    """`text` if it is a hub endpoint tcp://HOST:PORT, else EndpointError naming `option`.

    Every `hall` command that takes an endpoint checks it here first: a bare
    127.0.0.1:7700 otherwise fails deep inside zmq (Invalid argument) or the hub.
    """
    if _is_tcp_endpoint(text):
        return text
    hint = f" (did you mean tcp://{text}?)" if _is_tcp_endpoint(f"tcp://{text}") else ""
    raise EndpointError(
        f"{option} {text!r} is not an endpoint: an endpoint looks like tcp://HOST:PORT, "
        f"e.g. tcp://127.0.0.1:7700{hint}"
    )
