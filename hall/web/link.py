"""The gateway's link to the hub: one thread follows the board stream, one sends requests.

Both are plain `HubClient`s of one device (role web, its own key). The follower keeps the
board as the hub publishes it (snapshot + sequenced events, `StateFollower`) and the
queue figures of the heartbeats; the sender asks `ticket_status` and `rate_token` one
request at a time. Nothing here is the gateway's own state: all of it is the hub's, as
last heard, and `online` says whether it is current.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import zmq

from hall.client import HubClient, HubUnavailable, stream_endpoints
from hall.core.errors import HallError
from hall.core.events import HEARTBEAT, Event
from hall.net.keys import client_keys
from hall.net.sockets import device_socket
from hall.wire import protocol as P
from hall.wire.follower import StateFollower

log = logging.getLogger("hall.web")

T = TypeVar("T")
#: a request for the sender thread: its future, the HubClient method, its arguments
_Job = tuple[Future[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]]

#: seconds between reopenings of a silent board stream while the hub answers: libzmq does
#: not try a subscription again once its CURVE handshake was refused (a key disabled and
#: enabled again), so the socket is opened afresh (as ui.hublink does)
STREAM_REOPEN = 5.0


@dataclass
class Change:
    """What the follower saw since the last report: board events, new queue figures (a
    heartbeat), the hub coming back or going silent."""

    events: list[Event] = field(default_factory=list)
    queues: bool = False
    online: bool | None = None  # changed to this


class HubLink:
    """Follow the hub's board stream and send the gateway's requests. `on_change` is called
    from the follower thread (hand it to an event loop with call_soon_threadsafe)."""

    def __init__(
        self,
        endpoint: str,
        *,
        device: str = "web-1",
        keys: str | Path | None = None,
        on_change: Callable[[Change], None] = lambda c: None,
        offline_after: float = 3.0,
        timeout: float = 2.0,
    ) -> None:
        self.endpoint = endpoint
        self.device = device
        self.keys = keys
        self.on_change = on_change
        self.timeout = timeout
        self.follower = StateFollower(("board",), offline_after=offline_after)
        self.welcome: dict[str, Any] | None = None
        self.queues: list[dict[str, Any]] = []  # per queue: waiting, estimate … (heartbeats)
        self.at = ""  # the hall's time of the last thing heard
        self.online = False
        self._jobs: queue.Queue[_Job | None]
        self._jobs = queue.Queue()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.ready = threading.Event()  # the layout is known (first welcome)
        self._refused = ""  # the hub's last refusal of our ping, logged once

    # ------------------------------------------------------------ life

    def start(self) -> HubLink:
        for target, name in ((self._follow, "web-follow"), (self._send, "web-send")):
            t = threading.Thread(target=target, name=name, daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def stop(self) -> None:
        self._stop.set()
        self._jobs.put(None)
        for t in self._threads:
            t.join(5)

    @property
    def layout(self) -> dict[str, Any]:
        """The hall's public layout from the hub's welcome ({} before the first)."""
        return dict(self.welcome["layout"]) if self.welcome else {}

    @property
    def board(self) -> dict[str, Any]:
        return self.follower.state["board"]

    # ------------------------------------------------------------ requests

    def call(self, method: Callable[..., T], *args: Any, **kw: Any) -> Future[T]:
        """Run `method`, a HubClient method (``HubClient.ticket_status``), on the sender
        thread's client; the future holds its reply value or its exception (a HallError for
        a refusal, HubUnavailable when the hub is away)."""
        f: Future[T] = Future()
        self._jobs.put((f, method, args, kw))
        return f

    def _client(self, timeout: float, retries: int) -> HubClient:
        return HubClient(
            self.endpoint, device=self.device, keys=self.keys, timeout=timeout, retries=retries
        )

    def _send(self) -> None:
        with self._client(self.timeout, 2) as c:
            while True:
                job = self._jobs.get()
                if job is None or self._stop.is_set():
                    return
                f, method, args, kw = job
                if not f.set_running_or_notify_cancel():
                    continue
                try:
                    f.set_result(method(c, *args, **kw))
                except BaseException as e:  # the caller's to judge
                    f.set_exception(e)

    # ------------------------------------------------------------ following

    def _follow(self) -> None:
        with self._client(min(self.timeout, 1.0), 1) as c:
            sub: zmq.Socket[bytes] | None = None
            last_ping = opened = 0.0
            try:
                while not self._stop.is_set():
                    if sub is None:
                        sub, opened = self._subscribe(c), time.monotonic()
                        if sub is None:
                            self._report(Change(), time.monotonic())
                            self._stop.wait(0.5)
                            continue
                    change = Change()
                    now = time.monotonic()
                    if now - last_ping > 2.0:  # the hub's presence list shows the gateway
                        last_ping = now
                        if (
                            self._ping(c)
                            and not self.follower.online
                            and (now - opened >= STREAM_REOPEN)
                        ):
                            log.info("board stream silent while the hub answers: reopened")
                            sub.close(linger=0)
                            sub = None
                            continue
                    if sub.poll(200):
                        self._drain(sub, change)
                    if self.follower.wants_snapshot:
                        with contextlib.suppress(HubUnavailable, HallError):
                            snap = c.snapshot()
                            change.events += self.follower.load_snapshot(snap, time.monotonic())
                            self.queues, self.at = list(snap.get("queues", [])), snap["at"]
                            change.queues = True
                    self._report(change, time.monotonic())
            finally:
                if sub is not None:
                    sub.close(linger=0)

    def _ping(self, c: HubClient) -> bool:
        """Whether the hub answered a ping. A refusal (this key disabled) is not the end of
        the follower: it goes on asking until the key is enabled again."""
        try:
            c.ping(timeout=0.5, retries=1)
        except HubUnavailable:
            return False
        except HallError as e:
            if str(e) != self._refused:  # once, not every two seconds
                log.warning("the hub refused this gateway's ping: %s", e)
            self._refused = str(e)
            return False
        self._refused = ""
        return True

    def _subscribe(self, c: HubClient) -> zmq.Socket[bytes] | None:
        try:
            self.welcome = c.hello()
        except (HubUnavailable, HallError):
            return None
        self.ready.set()
        curve = None if self.keys is None else client_keys(self.keys, self.device)
        sub = device_socket(c.ctx, zmq.SUB, curve)
        sub.setsockopt(zmq.SUBSCRIBE, P.STREAM_TOPICS["board"])
        for e in stream_endpoints(self.welcome, ("board",), self.endpoint):
            sub.connect(e)
        return sub

    def _drain(self, sub: zmq.Socket[bytes], change: Change) -> None:
        while True:
            try:
                topic, body = sub.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            if P.stream_of(topic) != "board":
                continue
            try:
                up = P.decode_update(body)
            except P.RemoteProtocolError:
                log.warning("a board update could not be read; ignored")
                continue
            self.at = up.at
            if up.type == HEARTBEAT and isinstance(up.data.get("queues"), list):
                self.queues, change.queues = list(up.data["queues"]), True
            change.events += self.follower.feed("board", up, time.monotonic())

    def _report(self, change: Change, now: float) -> None:
        online = self.follower.tick(now)
        if online != self.online:
            self.online = change.online = online
            log.info("hub %s", "online" if online else "silent: pages show the last state")
        if change.events or change.queues or change.online is not None:
            try:
                self.on_change(change)
            except Exception:  # the loop it posts to has closed: we are stopping
                log.debug("change not delivered", exc_info=True)
