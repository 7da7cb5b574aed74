"""The Qt link to the hub: non-blocking sockets on QSocketNotifiers, signals out.

The same protocol and follower as `hall.client.HubClient`, driven by Qt's event
loop instead of blocking calls (STYLE.md §5):

- A DEALER for requests and a SUB for the streams, each watched by a
  QSocketNotifier on its ZeroMQ FD. The FD is edge-triggered, so after each
  wake-up we drain until ``zmq.EVENTS`` shows no more input, and we drain once
  right after start and after every send.
- Requests keep their ``req_id`` across retries (Lazy Pirate, decided by the
  retry core `hall.wire.retry`; this link only does what it says): after `timeout`
  seconds without an answer a fresh DEALER is opened and every pending request
  resent; after `retries` tries the caller gets an ``offline`` error. The
  replaced DEALER stays open while a request sent on it is pending, at most
  `reply_grace` seconds (then closes with linger 0), so that an answer already
  on its way — a hub slower than `timeout`, not gone — still arrives. The hub
  replays its stored reply for a repeated req_id, so a retry never applies a
  command twice. A request sent with `patience` is resent for that many seconds
  instead: one a citizen waits for in person (a ticket), which must not be given
  up after a few seconds of silence — the hub may have made the ticket already,
  and a second tap would make another.
- A `StateFollower` keeps the hall state from snapshot + sequenced events; the
  link asks for a snapshot whenever the follower wants one.

Timers here only time retries, pings and the offline check; sockets are never
polled with a timer.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from pathlib import Path
from typing import Any

import msgspec
import zmq
from PyQt6.QtCore import QObject, QSocketNotifier, QTimer, pyqtSignal

from hall.client import stream_endpoints
from hall.core import errors as E
from hall.core.events import HEARTBEAT, Event
from hall.net.keys import client_keys
from hall.net.sockets import DeviceKeys, device_socket
from hall.wire import protocol as P
from hall.wire.follower import StateFollower
from hall.wire.retry import Callback, Retry, session_part

log = logging.getLogger(__name__)
STREAM_REOPEN = 5.0  # seconds between reopenings of a silent stream socket

OFFLINE = E.Offline.code
_IDENTIFIER = re.compile(r"[A-Za-z_]{2,}")  # "A岗", "B001" are words; "waiting" is not
_CJK = re.compile(r"[\u3400-\u9fff]")


def for_screen(err: P.Error) -> P.Error:
    """An error reply as an app may show it. The hub's sentences when they read as plain
    sentences (no ASCII identifier in the Chinese, no Chinese in the English); else, as an
    older hub may have put its details in the message, our catalogue's sentence for the
    code. The detail goes to the log, never to the screen."""
    if err.detail or err.code in E.PROTOCOL_CODES:
        log.info("refused %s: %s %s", err.req_id, err.code, err.detail or err.message)
    if err.message and not _IDENTIFIER.search(err.message) and not _CJK.search(err.message_en):
        return err
    cls = E.by_code(err.code)
    if "{" in cls.message_zh:  # needs the hub's words, which we cannot use
        cls = E.HallError
    return msgspec.structs.replace(err, message=cls.message_zh, message_en=cls.message_en)


def _notifier(sock: zmq.Socket[bytes], parent: QObject) -> QSocketNotifier:
    fd = sock.getsockopt(zmq.FD)
    assert isinstance(fd, int)
    return QSocketNotifier(fd, QSocketNotifier.Type.Read, parent)  # type: ignore[call-overload]


def _readable(sock: zmq.Socket[bytes]) -> bool:
    # The FD only says "something changed"; zmq.EVENTS says whether a message waits.
    events = sock.getsockopt(zmq.EVENTS)
    return isinstance(events, int) and bool(events & zmq.POLLIN)


def _close(sock: zmq.Socket[bytes] | None, note: QSocketNotifier | None) -> None:
    # The notifier goes first: it must not fire on an FD that is about to be closed.
    if note is not None:
        note.setEnabled(False)
        note.deleteLater()
    if sock is not None:
        sock.close(linger=0)


class HubLink(QObject):
    """One app's connection to the hub. Lives on the GUI thread; never blocks it."""

    welcomed = pyqtSignal(dict)  # the hub's welcome (PUB endpoint, epoch, hall, role …)
    replied = pyqtSignal(str, object)  # req_id, P.Ok | P.Error
    followed = pyqtSignal(
        object
    )  # hall.core.events.Event, in order, without gaps (not `event`: QObject.event)
    synced = pyqtSignal()  # a snapshot replaced the state
    heartbeat = pyqtSignal(str, dict)  # stream, heartbeat data (queue summaries …)
    online_changed = pyqtSignal(bool)

    def __init__(
        self,
        endpoint: str,
        device: str,
        *,
        keys: str | Path | None = None,
        streams: tuple[str, ...] = ("board",),
        timeout: float = 2.0,
        retries: int = 3,
        ping_every: float = 2.0,
        offline_after: float = 3.5,
        reply_grace: float = 10.0,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.endpoint = endpoint
        self.timeout = timeout
        self.retries = retries
        self.ping_every = ping_every
        self.ctx: zmq.Context[zmq.Socket[bytes]] = zmq.Context.instance()
        self.follower = StateFollower(streams, offline_after=offline_after)
        self.welcome: dict[str, Any] | None = None
        self.snapshot_value: dict[str, Any] | None = None
        self._curve: DeviceKeys | None = None if keys is None else client_keys(keys, device)
        self._retry = Retry(device, session_part(time.time()), reply_grace=reply_grace)
        self._dealer: zmq.Socket[bytes] | None = None
        self._dealer_note: QSocketNotifier | None = None
        # DEALERs replaced by a retry, listening for late answers, by connection number
        self._retired: dict[int, tuple[zmq.Socket[bytes], QSocketNotifier]] = {}
        self._sub: zmq.Socket[bytes] | None = None
        self._sub_note: QSocketNotifier | None = None
        self._sub_pub: list[str] = []
        self._sub_opened = 0.0  # monotonic time the stream socket was last opened
        self._snapshot_req: str | None = None
        self._last_sent = 0.0
        self._online = False
        self._failed = False  # a request gave up since the last answer
        self._unanswered = False  # a hello went unanswered or refused since the last welcome
        self._timer = QTimer(self)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self._tick)

    # ------------------------------------------------------------ life

    def start(self) -> None:
        """Connect and say hello; everything after that happens on signals."""
        self._open_dealer()
        self._hello()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self._close_dealer()
        for sock, note in self._retired.values():
            _close(sock, note)
        self._retired.clear()
        self._close_sub()
        self._retry.clear()

    @property
    def device(self) -> str:
        """This device's name, the first part of its req_ids (the hub reads who it is from
        its key when CURVE is on)."""
        return self._retry.device

    @device.setter
    def device(self, name: str) -> None:
        self._retry.device = name

    @property
    def reply_grace(self) -> float:
        """Seconds a DEALER replaced by a retry listens on for late answers (at most)."""
        return self._retry.reply_grace

    @property
    def online(self) -> bool:
        return self._online

    @property
    def state(self) -> dict[str, dict[str, Any]]:
        return self.follower.state

    # ------------------------------------------------------------ sockets

    def _open_dealer(self) -> None:
        sock = device_socket(self.ctx, zmq.DEALER, self._curve)
        sock.connect(self.endpoint)
        note = _notifier(sock, self)
        note.activated.connect(lambda *_: self._drain_replies(sock, note))
        self._dealer, self._dealer_note = sock, note
        QTimer.singleShot(0, self._drain_dealer)

    def _close_dealer(self) -> None:
        _close(self._dealer, self._dealer_note)
        self._dealer, self._dealer_note = None, None

    def _retire_dealer(self, conn: int) -> None:
        """Lazy Pirate: the next request goes on a fresh connection; this one listens on for
        late answers until the retry core closes it (see the module's docstring)."""
        if self._dealer is not None and self._dealer_note is not None:
            self._retired[conn] = (self._dealer, self._dealer_note)
        self._dealer, self._dealer_note = None, None

    def _close_sub(self) -> None:
        _close(self._sub, self._sub_note)
        self._sub, self._sub_note = None, None

    def _open_sub(self, endpoints: list[str]) -> None:
        self._sub_pub = endpoints
        self._sub_opened = time.monotonic()
        self._sub = device_socket(self.ctx, zmq.SUB, self._curve)
        for s in self.follower.streams:
            self._sub.setsockopt(zmq.SUBSCRIBE, P.STREAM_TOPICS[s])
        for e in endpoints:  # the board stream's PUB, and the staff stream's for staff apps
            self._sub.connect(e)
        self._sub_note = _notifier(self._sub, self)
        self._sub_note.activated.connect(self._drain_sub)
        QTimer.singleShot(0, self._drain_sub)

    def _drain_dealer(self) -> None:
        if self._dealer is not None and self._dealer_note is not None:
            self._drain_replies(self._dealer, self._dealer_note)

    def _drain_replies(self, sock: zmq.Socket[bytes], note: QSocketNotifier) -> None:
        """Every answer waiting on `sock`, the current DEALER or a retired one."""
        if sock.closed:
            return
        note.setEnabled(False)
        try:
            while _readable(sock):
                try:
                    raw = sock.recv(zmq.NOBLOCK)
                except zmq.Again:
                    break
                self._on_reply(raw)
                if sock.closed:  # a handler stopped the link
                    return
        finally:
            if not sock.closed:
                note.setEnabled(True)

    def _drain_sub(self) -> None:
        sock, note = self._sub, self._sub_note
        if sock is None or note is None:
            return
        note.setEnabled(False)
        try:
            while _readable(sock):
                try:
                    topic, body = sock.recv_multipart(zmq.NOBLOCK)
                except zmq.Again:
                    break
                except ValueError:
                    continue  # a frame count we do not speak: ignore
                self._on_update(topic, body)
        finally:
            if self._sub_note is note:
                note.setEnabled(True)

    # ------------------------------------------------------------ requests

    def next_req_id(self) -> str:
        return self._retry.next_req_id()

    def send(
        self, req: P.Request, callback: Callback | None = None, *, patience: float | None = None
    ) -> str:
        """Send a request; `callback` (and `replied`) get the Ok or Error on the GUI thread.
        With `patience` (seconds) it is resent under its req_id until then, not `retries`
        times, before the ``offline`` error."""
        body = P.encode_request(req)
        self._retry.send(req.req_id, body, time.monotonic(), timeout=self.timeout,
                         retries=self.retries, patience=patience, callback=callback)  # fmt: skip
        self._transmit(body)
        return req.req_id

    def request(
        self,
        cls: type[P.Request],
        callback: Callback | None = None,
        *,
        patience: float | None = None,
        **fields: Any,
    ) -> str:
        """Build and send a request of type `cls` with a fresh req_id."""
        return self.send(cls(req_id=self.next_req_id(), **fields), callback, patience=patience)

    def _transmit(self, body: bytes) -> None:
        if self._dealer is None:
            self._open_dealer()
        assert self._dealer is not None
        with contextlib.suppress(zmq.Again):  # the retry timer will resend
            self._dealer.send(body, zmq.NOBLOCK)
        self._last_sent = time.monotonic()
        QTimer.singleShot(0, self._drain_dealer)

    def _on_reply(self, raw: bytes) -> None:
        try:
            reply = P.decode_reply(raw)
        except P.RemoteProtocolError as e:
            log.warning("unreadable reply from the hub: %s", e)
            return
        pending = self._retry.answer(reply.req_id)
        if pending is None:
            return  # a late duplicate of an answered retry
        if isinstance(reply, P.Error):
            reply = for_screen(reply)
        self._failed = False
        self._update_online()
        if pending.callback is not None:
            pending.callback(reply)
        self.replied.emit(reply.req_id, reply)

    def _hello(self) -> None:
        self.request(P.Hello, self._on_welcome, version=P.PROTOCOL_VERSION, device=self.device)

    def _on_welcome(self, reply: P.Ok | P.Error) -> None:
        if isinstance(reply, P.Error):
            if reply.code != OFFLINE:
                log.error("the hub refused this device: %s (%s)", reply.message, reply.code)
                self.welcome = None
            elif not self._unanswered:  # no hub answered (yet): said once, not per try
                log.warning("no answer from the hub at %s; trying again", self.endpoint)
            self._unanswered = True
            return
        if self._unanswered:
            log.info("the hub at %s answers", self.endpoint)
            self._unanswered = False
        self.welcome = reply.value
        try:
            endpoints = stream_endpoints(reply.value, self.follower.streams, self.endpoint)
        except ValueError as e:  # a kiosk or display configured to follow the staff stream
            log.error("%s", e)
            endpoints = stream_endpoints(reply.value, ("board",), self.endpoint)
        if self._sub is None or endpoints != self._sub_pub:
            self._close_sub()
            self._open_sub(endpoints)
        self.welcomed.emit(reply.value)

    def _on_pong(self, reply: P.Ok | P.Error) -> None:
        # A new epoch means the hub restarted, perhaps with its streams on another port.
        if not isinstance(reply, P.Ok) or self.welcome is None:
            return
        if reply.value.get("epoch") != self.welcome.get("epoch"):
            self.welcome = None
            self._hello()
            return
        self._revive_streams(time.monotonic())

    def _revive_streams(self, now: float) -> None:
        """The hub answers, yet its streams are silent: libzmq gives up a subscription
        whose CURVE handshake was refused (this device disabled for a while, then enabled
        again) and never tries it again. Open the stream socket anew, at most every
        STREAM_REOPEN seconds; the follower then takes a snapshot."""
        if self._sub is None or self.follower.online or now - self._sub_opened < STREAM_REOPEN:
            return
        log.info("the hub answers but its streams are silent: reconnecting to them")
        self._close_sub()
        self._open_sub(self._sub_pub)

    def _ask_snapshot(self) -> None:
        if self._snapshot_req is None and self.welcome is not None:
            self._snapshot_req = self.request(P.Snapshot, self._on_snapshot)

    def _on_snapshot(self, reply: P.Ok | P.Error) -> None:
        self._snapshot_req = None
        if isinstance(reply, P.Error):
            return
        self.snapshot_value = reply.value
        events = self.follower.load_snapshot(reply.value, time.monotonic())
        self._update_online()
        self.synced.emit()
        for ev in events:
            self.followed.emit(ev)

    def _on_update(self, topic: bytes, body: bytes) -> None:
        stream = P.stream_of(topic)
        if stream is None:
            return
        try:
            update = P.decode_update(body)
        except P.RemoteProtocolError as e:
            log.warning("unreadable stream update: %s", e)
            return
        events: list[Event] = self.follower.feed(stream, update, time.monotonic())
        if update.type == HEARTBEAT:
            self.heartbeat.emit(stream, {**update.data, "at": update.at})
        for ev in events:
            self.followed.emit(ev)
        if self.follower.wants_snapshot:
            self._ask_snapshot()
        self._update_online()

    # ------------------------------------------------------------ time

    def _tick(self) -> None:
        now = time.monotonic()
        step = self._retry.tick(now)
        if step.retire is not None:  # a silent hub may have lost our connection
            self._retire_dealer(step.retire)
            self._open_dealer()
        for conn in step.close:
            _close(*self._retired.pop(conn, (None, None)))
        for p in step.resend:
            self._transmit(p.body)
        for p in step.failed:
            if p.req_id == self._snapshot_req:
                self._snapshot_req = None
            err = P.Error(req_id=p.req_id, code=OFFLINE, message=E.Offline.message_zh,
                          message_en=E.Offline.message_en)  # fmt: skip
            self._failed = True
            self._update_online()
            self.welcome = None  # the hub may come back elsewhere: say hello again
            if p.callback is not None:
                p.callback(err)
            self.replied.emit(p.req_id, err)
        if self.welcome is None and not self._retry.pending:
            self._hello()  # keep trying until the hub answers
        elif self.welcome is not None and now - self._last_sent > self.ping_every:
            self.request(P.Ping, self._on_pong)
        if self.follower.wants_snapshot:
            self._ask_snapshot()
        self.follower.tick(now)
        self._update_online()

    def _update_online(self) -> None:
        # Online = following the hub's state (synced, heard lately) and no request has
        # given up since the last answer. One rule, so the flag never flickers.
        f = self.follower
        self._set_online(f.synced and f.online and not self._failed)

    def _set_online(self, online: bool) -> None:
        if online != self._online:
            self._online = online
            self.online_changed.emit(online)
