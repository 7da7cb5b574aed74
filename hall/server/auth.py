"""CURVE + ZAP for the hub: only registered, enabled devices complete a handshake.

`start_authenticator` runs a small ZAP handler (RFC 27) on a thread of the hub's
context. For every CURVE handshake libzmq asks it about the client's public key;
it answers 200 with User-Id = the device id when the key is in the registry and
enabled, 400 otherwise. The registry is re-checked (one stat call) on every
handshake, so `hall keys disable` refuses the device's next connection; the hub
re-checks on every message to cut off a connection that is already open.

`secure_server` also sets ZAP_ENFORCE_DOMAIN: a hub socket with no authenticator
running refuses everyone instead of letting any key in.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading

import zmq
from zmq.utils import z85

from hall.net.keys import Registry, client_keys, hub_keys

log = logging.getLogger(__name__)

ZAP_ENDPOINT = "inproc://zeromq.zap.01"
ZAP_DOMAIN = "yichuang"
# The hub's staff-stream PUB socket: only these roles complete a handshake there.
STAFF_ZAP_DOMAIN = "yichuang-staff"
STAFF_ROLES = ("counter", "manager")
_ZAP_VERSION = b"1.0"
_ZAP_ENFORCE_DOMAIN = getattr(zmq, "ZAP_ENFORCE_DOMAIN", 93)


class AuthError(Exception):
    """The authenticator could not start (another one already serves this context?)."""


class Authenticator:
    """A thread answering ZAP requests from the registry. Use `start_authenticator`."""

    def __init__(self, ctx: zmq.Context, registry: Registry) -> None:
        self.ctx = ctx
        self.registry = registry
        self._pipe_endpoint = f"inproc://yichuang-zap-stop-{os.getpid()}-{id(self):x}"
        self._ready = threading.Event()
        self._error: zmq.ZMQError | None = None
        self._thread = threading.Thread(target=self._serve, name="zap-authenticator", daemon=True)

    def start(self) -> None:
        """Bind the ZAP endpoint and start answering; AuthError if it cannot bind."""
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            self._thread.join()
            raise AuthError(f"cannot serve ZAP on {ZAP_ENDPOINT}: {self._error}") from self._error

    def stop(self) -> None:
        """Stop answering and join the thread (well within a second)."""
        if not self._thread.is_alive():
            return
        if not self.ctx.closed:
            pipe = self.ctx.socket(zmq.PAIR)
            pipe.linger = 0
            try:
                pipe.connect(self._pipe_endpoint)
                pipe.send(b"stop")
            finally:
                pipe.close()
        self._thread.join(timeout=1.0)
        if self._thread.is_alive():
            log.error("ZAP authenticator did not stop within a second")

    def _serve(self) -> None:
        zap = self.ctx.socket(zmq.REP)
        pipe = self.ctx.socket(zmq.PAIR)
        zap.linger = pipe.linger = 0
        try:
            try:
                zap.bind(ZAP_ENDPOINT)
                pipe.bind(self._pipe_endpoint)
            except zmq.ZMQError as e:
                self._error = e
                return
            finally:
                self._ready.set()
            poller = zmq.Poller()
            poller.register(zap, zmq.POLLIN)
            poller.register(pipe, zmq.POLLIN)
            while True:
                events = dict(poller.poll())
                if pipe in events:
                    return
                if zap in events:
                    zap.send_multipart(self.answer(zap.recv_multipart()))
        except zmq.ContextTerminated:
            return
        finally:
            if self._error is None:
                # An inproc unbind is immediate, a close is not: free the ZAP endpoint
                # now so a new authenticator can start as soon as stop() returns.
                with contextlib.suppress(zmq.ZMQError):
                    zap.unbind(ZAP_ENDPOINT)
            zap.close()
            pipe.close()

    def answer(self, frames: list[bytes]) -> list[bytes]:
        """The ZAP reply to one request (RFC 27). Never raises: a bug answers 500."""
        request_id = frames[1] if len(frames) > 1 else b""
        try:
            status, text, user_id = self._decide(frames)
        except Exception:
            log.exception("ZAP handler failed; refusing the handshake")
            status, text, user_id = b"500", "internal error", b""
        return [_ZAP_VERSION, request_id, status, text.encode(), user_id, b""]

    def _decide(self, frames: list[bytes]) -> tuple[bytes, str, bytes]:
        if len(frames) < 6 or frames[0] != _ZAP_VERSION:
            log.warning("malformed ZAP request (%d frames); refused", len(frames))
            return b"500", "malformed ZAP request", b""
        _, _, domain, address, _, mechanism, *credentials = frames
        peer = address.decode("ascii", "replace")
        if domain not in (ZAP_DOMAIN.encode(), STAFF_ZAP_DOMAIN.encode()) or mechanism != b"CURVE":
            log.warning(
                "refused %s handshake from %s in domain %r",
                mechanism.decode("ascii", "replace"),
                peer,
                domain.decode("utf-8", "replace"),
            )
            return b"400", "CURVE in the hall domain only", b""
        if len(credentials) != 1 or len(credentials[0]) != 32:
            log.warning("refused CURVE handshake from %s: malformed credentials", peer)
            return b"400", "malformed credentials", b""
        try:
            self.registry.reload_if_changed()
        except Exception:  # keep answering from the last registry read
            log.exception("device registry reload failed")
        public = z85.encode(credentials[0]).decode("ascii")
        device = self.registry.by_public_key(public)
        if device is None:
            # A public key is not a secret; its start is enough to recognise it in logs.
            log.warning("refused unknown device key %s… from %s", public[:8], peer)
            return b"400", "unknown device key", b""
        if not device.enabled:
            log.warning("refused disabled device %s from %s", device.id, peer)
            return b"400", "device disabled", b""
        if domain == STAFF_ZAP_DOMAIN.encode() and device.role not in STAFF_ROLES:
            log.warning("refused %s (%s) on the staff stream from %s", device.id, device.role,
                        peer)  # fmt: skip
            return b"400", "the staff stream is for counters and managers", b""
        log.debug("accepted device %s (%s) from %s", device.id, device.role, peer)
        return b"200", "OK", device.id.encode()


def start_authenticator(ctx: zmq.Context, registry: Registry) -> Authenticator:
    """Start answering ZAP requests for `ctx` from `registry`. One per context."""
    auth = Authenticator(ctx, registry)
    auth.start()
    return auth


def secure_server(
    socket: zmq.Socket, keys_dir: str | os.PathLike[str], domain: str = ZAP_DOMAIN
) -> None:
    """Make a hub socket a CURVE server with the hub's key, authenticated by ZAP in `domain`
    (STAFF_ZAP_DOMAIN lets only counters and managers in).

    Call before bind. With no authenticator running, every handshake is refused.
    """
    public, secret = hub_keys(keys_dir)
    socket.curve_secretkey = secret
    socket.curve_publickey = public
    socket.curve_server = True
    socket.zap_domain = domain.encode()
    socket.setsockopt(_ZAP_ENFORCE_DOMAIN, 1)


def secure_client(socket: zmq.Socket, keys_dir: str | os.PathLike[str], device_id: str) -> None:
    """Make a device's socket a CURVE client with its own key pair and the hub's public key.

    Call before connect. KeysError if the device's key or the hub's public key is missing.
    """
    public, secret, server_public = client_keys(keys_dir, device_id)
    socket.curve_secretkey = secret
    socket.curve_publickey = public
    socket.curve_serverkey = server_public
