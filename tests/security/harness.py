"""The security tests' harness: a hub ROUTER behind the authenticator, and devices."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import zmq
from zmq.utils.monitor import recv_monitor_message

from hall.net.keys import Registry
from hall.server.auth import Authenticator

WAIT_MS = 2000  # a registered device's handshake and first message take a few ms
REFUSED_MS = 300  # how long we wait to be sure nothing arrives


@dataclass
class Hub:
    ctx: zmq.Context
    router: zmq.Socket
    endpoint: str
    registry: Registry
    auth: Authenticator
    keys_dir: Path

    def receive(self, timeout_ms: int = WAIT_MS) -> tuple[str | None, bytes] | None:
        """(User-Id, body) of the next message, or None if none arrives in time."""
        if not self.router.poll(timeout_ms):
            return None
        frames = self.router.recv_multipart(copy=False)
        return frames[-1].get("User-Id"), frames[-1].bytes


class Device:
    """A device's DEALER in its own context, with a monitor to see the handshake's fate."""

    def __init__(self, endpoint: str, setup: Callable[[zmq.Socket], None]) -> None:
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(zmq.DEALER)
        self.sock.linger = 0
        setup(self.sock)
        self.monitor = self.sock.get_monitor_socket(
            zmq.EVENT_HANDSHAKE_SUCCEEDED | zmq.EVENT_HANDSHAKE_FAILED_AUTH
        )
        self.sock.connect(endpoint)

    def handshake(self, timeout_ms: int = WAIT_MS) -> int | None:
        """The first handshake event (zmq.EVENT_HANDSHAKE_*), or None on timeout."""
        if not self.monitor.poll(timeout_ms):
            return None
        return int(recv_monitor_message(self.monitor)["event"])

    def close(self) -> None:
        self.sock.disable_monitor()
        self.monitor.close(0)
        self.sock.close(0)
        self.ctx.term()
