"""`HubClient`: the blocking Python client of the hub (DESIGN.md §7). No Qt.

Commands go over a DEALER with Lazy Pirate retries (decided by the retry core
`hall.wire.retry`): the same `req_id` is sent up to `retries` times, each time after a
silence on a fresh connection; the earlier ones listen on until the request ends,
then close with linger 0. The hub replays its stored reply for a repeated req_id,
so a retried `issue` never makes a second ticket. An error reply raises the
matching `hall.core.errors` class. `pump()` drives a `hall.wire.follower.StateFollower` from the PUB
stream (snapshot over the DEALER when it asks for one).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import zmq

from hall.core import errors as E
from hall.core.events import Event
from hall.net.keys import client_keys
from hall.net.sockets import DeviceKeys, device_socket
from hall.wire import protocol as P
from hall.wire.follower import StateFollower
from hall.wire.retry import Retry, Step, session_part


class HubUnavailable(Exception):
    """No reply from the hub after all retries. The command may or may not have been applied;
    retrying it with the same req_id (`client.retry_last()`) is always safe."""


def _error_classes() -> dict[str, type[E.HallError]]:
    out: dict[str, type[E.HallError]] = {}
    for v in vars(E).values():
        if isinstance(v, type) and issubclass(v, E.HallError):
            out[v.code] = v
    return out


ERRORS = _error_classes()


def error_from_reply(err: P.Error) -> E.HallError:
    """The hub's error reply as the hall.core.errors class of its code (HallError if unknown)."""
    cls = ERRORS.get(err.code, E.HallError)
    exc = cls.__new__(cls)
    Exception.__init__(exc, f"{err.message}{'（' + err.detail + '）' if err.detail else ''}")
    exc.detail, exc.params = err.detail, {}
    exc.code = err.code
    exc._wire = (err.message, err.message_en)
    return exc


def stream_endpoints(welcome: Mapping[str, Any], streams: tuple[str, ...], hub: str) -> list[str]:
    """The PUB endpoints a device connects one SUB socket to for `streams`, from the hub's
    welcome: `pub` carries the board stream, `staff_pub` the staff stream (announced to
    counters and managers only). A wildcard bind (tcp://0.0.0.0:7701) is reached at the
    hub's own host. ValueError when a stream is asked for that this device may not follow."""
    wanted = [str(welcome["pub"])]
    if "staff" in streams:
        staff = welcome.get("staff_pub")
        if not staff:
            raise ValueError(f"the staff stream is not for a {welcome.get('role', '?')} device")
        wanted.append(str(staff))
    host = hub.rpartition(":")[0]
    out = []
    for e in wanted:
        for wildcard in ("tcp://0.0.0.0", "tcp://*", "tcp://[::]"):
            if e.startswith(wildcard + ":"):
                e = host + e[len(wildcard) :]
        out.append(e)
    return out


class HubClient:
    """One device's connection to the hub. Not thread-safe: one per thread."""

    def __init__(
        self,
        endpoint: str,
        *,
        device: str,
        keys: str | Path | None = None,
        timeout: float = 2.5,
        retries: int = 3,
        ping_every: float = 2.0,
        ctx: zmq.Context[zmq.Socket[bytes]] | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self.retries = retries
        self.ping_every = ping_every
        self.ctx = ctx or zmq.Context.instance()
        self.welcome: dict[str, Any] | None = None
        self._curve: DeviceKeys | None = None if keys is None else client_keys(keys, device)
        self._retry = Retry(device, session_part(time.time()))
        self._dealer: zmq.Socket[bytes] | None = None
        self._earlier: dict[int, zmq.Socket[bytes]] = {}  # retired by a retry, by connection
        self._sub: zmq.Socket[bytes] | None = None
        self._last_sent = 0.0
        self.last_req_id = ""

    @property
    def device(self) -> str:
        """This device's name, the first part of its req_ids (the hub reads who it is from
        its key when CURVE is on)."""
        return self._retry.device

    @device.setter
    def device(self, name: str) -> None:
        self._retry.device = name

    # ------------------------------------------------------------ sockets

    def _dealer_socket(self) -> zmq.Socket[bytes]:
        if self._dealer is None:
            self._dealer = device_socket(self.ctx, zmq.DEALER, self._curve)
            self._dealer.connect(self.endpoint)
        return self._dealer

    def _drop_dealer(self) -> None:
        if self._dealer is not None:
            self._dealer.close(linger=0)
            self._dealer = None

    def close(self) -> None:
        self._drop_dealer()
        for sock in self._earlier.values():
            sock.close(linger=0)
        self._earlier.clear()
        self._retry.clear()
        if self._sub is not None:
            self._sub.close(linger=0)
            self._sub = None

    def __enter__(self) -> HubClient:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # ------------------------------------------------------------ requests

    def next_req_id(self) -> str:
        return self._retry.next_req_id()

    def send_raw(self, body: bytes, req_id: str, *, retries: int | None = None,
                 timeout: float | None = None) -> P.Ok | P.Error:  # fmt: skip
        """Lazy Pirate (`hall.wire.retry`): send, wait, and on silence send the same bytes again
        on a fresh connection. The earlier ones stay open until the request ends: a hub
        slower than `timeout`, not gone, answers on the connection the first copy came by."""
        core = self._retry
        core.send(req_id, body, time.monotonic(), retries=retries or self.retries,
                  timeout=self.timeout if timeout is None else timeout)  # fmt: skip
        try:
            self._transmit(body)
            while True:
                step = core.tick(time.monotonic())
                self._follow(step)
                if step.failed:
                    raise HubUnavailable(
                        f"no answer from the hub at {self.endpoint} after "
                        f"{step.failed[0].tries} tries; "
                        "check that `hall serve` runs and the network is up"
                    )
                reply = self._listen(core.next_deadline())
                if reply is not None:
                    return reply
        finally:
            core.forget(req_id)
            self._follow(core.tick(time.monotonic()))  # closes the earlier connections

    def _transmit(self, body: bytes) -> None:
        # Never block: a DEALER with no connection to send on (the hub refused our key and
        # the pipe is gone, or its port is closed) would wait forever. The retry core's
        # timer resends on a fresh connection and gives up after its tries, as for silence.
        with contextlib.suppress(zmq.Again):
            self._dealer_socket().send(body, zmq.NOBLOCK)
        self._last_sent = time.monotonic()

    def _follow(self, step: Step) -> None:
        """Do what the retry core says: retire, close, send again."""
        if step.retire is not None and self._dealer is not None:
            self._earlier[step.retire] = self._dealer
            self._dealer = None  # the next send opens a fresh one
        for conn in step.close:
            if (sock := self._earlier.pop(conn, None)) is not None:
                sock.close(linger=0)
        for p in step.resend:
            self._transmit(p.body)

    def _listen(self, until: float | None) -> P.Ok | P.Error | None:
        """The answer to the pending request if it comes on any connection before `until`."""
        poller = zmq.Poller()
        for s in (self._dealer, *self._earlier.values()):
            if s is not None:
                poller.register(s, zmq.POLLIN)
        while (left := (until or 0.0) - time.monotonic()) > 0:
            ready = dict(poller.poll(int(left * 1000) + 1))
            for s in ready:
                reply = P.decode_reply(s.recv())
                if self._retry.answer(reply.req_id) is not None:
                    return reply
                # a late answer to an earlier request: ignore
        return None

    def request(self, req: P.Request, **kw: Any) -> dict[str, Any]:
        """Send one request (with retries) and return the reply's value or raise its error."""
        self._retry.remember(req)  # before the hello: retry_last is this, not the hello
        if self.welcome is None and not isinstance(req, P.Hello):
            self.hello()
        self.last_req_id = req.req_id
        reply = self.send_raw(P.encode_request(req), req.req_id, **kw)
        if isinstance(reply, P.Error):
            raise error_from_reply(reply)
        return reply.value

    def retry_last(self, **kw: Any) -> dict[str, Any]:
        """Send the last command again under its own req_id — after HubUnavailable, when it
        may or may not have been applied. The hub answers a repeated req_id with its first
        reply, so an `issue` retried this way never makes a second ticket. (Hellos, pings and
        snapshots in between do not count: they change nothing.)"""
        return self.request(self._retry.last(), **kw)

    def _do(self, cls: type[P.Request], **fields: Any) -> dict[str, Any]:
        return self.request(cls(req_id=self.next_req_id(), **fields))

    def hello(self) -> dict[str, Any]:
        """The handshake: protocol version in, welcome (PUB endpoint, epoch, role) out."""
        req = P.Hello(req_id=self.next_req_id(), version=P.PROTOCOL_VERSION, device=self.device)
        self.welcome = self.request(req)
        return self.welcome

    def ping(self, *, timeout: float | None = None, retries: int | None = None) -> dict[str, Any]:
        return self.request(P.Ping(req_id=self.next_req_id()), timeout=timeout, retries=retries)

    def snapshot(self) -> dict[str, Any]:
        return self._do(P.Snapshot)

    # the hall's commands (DESIGN.md §7)
    def issue(self, queue: str | None = None, *, item: str | None = None,
              card: P.Card | None = None, channel: str = "kiosk",
              green: bool = False, reason: str = "", by: str = "") -> dict[str, Any]:  # fmt: skip
        return self._do(P.Issue, queue=queue, item=item, card=card, channel=channel, green=green,
                        reason=reason, by=by)  # fmt: skip

    def check_in(self, *, ticket: str | None = None, card: P.Card | None = None,
                 queue: str | None = None, item: str | None = None,
                 code: str | None = None, by: str = "") -> dict[str, Any]:  # fmt: skip
        return self._do(P.CheckIn, ticket=ticket, card=card, queue=queue, item=item, code=code,
                        by=by)  # fmt: skip

    def call_next(self, window: int | None = None) -> dict[str, Any]:
        return self._do(P.CallNext, window=window)

    def recall(self, window: int | None = None) -> dict[str, Any]:
        return self._do(P.Recall, window=window)

    def start(self, window: int | None = None) -> dict[str, Any]:
        return self._do(P.Start, window=window)

    def finish(self, window: int | None = None) -> dict[str, Any]:
        return self._do(P.Finish, window=window)

    def no_show(self, window: int | None = None) -> dict[str, Any]:
        return self._do(P.NoShow, window=window)

    def transfer(self, window: int | None = None, *, to_queue: str | None = None,
                 to_window: int | None = None, note: str = "") -> dict[str, Any]:  # fmt: skip
        return self._do(
            P.Transfer, window=window, to_queue=to_queue, to_window=to_window, note=note
        )

    def park(self, window: int | None = None, *, note: str = "") -> dict[str, Any]:
        return self._do(P.Park, window=window, note=note)

    def call_back(self, ticket: str, window: int | None = None) -> dict[str, Any]:
        return self._do(P.CallBack, window=window, ticket=ticket)

    def record_item(self, ticket: str, item: str, window: int | None = None) -> dict[str, Any]:
        return self._do(P.RecordItem, window=window, ticket=ticket, item=item)

    def pause(self, window: int | None = None, *, reason: str = "") -> dict[str, Any]:
        return self._do(P.Pause, window=window, reason=reason)

    def resume(self, window: int | None = None) -> dict[str, Any]:
        return self._do(P.Resume, window=window)

    def open_window(self, window: int | None = None) -> dict[str, Any]:
        return self._do(P.Open, window=window)

    def close_window(self, window: int | None = None) -> dict[str, Any]:
        return self._do(P.Close, window=window)

    def sign_in(self, window: int | None = None, *, staff_no: str, name: str,
                post: str = "A") -> dict[str, Any]:  # fmt: skip
        return self._do(P.SignIn, window=window, post=post, staff_no=staff_no, name=name)

    def sign_out(self, window: int | None = None, *, post: str = "A") -> dict[str, Any]:
        return self._do(P.SignOut, window=window, post=post)

    def rate(self, level: int, *, ticket: str | None = None, reasons: list[str] | None = None,
             comment: str = "") -> dict[str, Any]:  # fmt: skip
        return self._do(P.Rate, ticket=ticket, level=level, reasons=reasons or [], comment=comment)

    def set_profile(
        self, window: int, queues: dict[str, float], *, reason: str = ""
    ) -> dict[str, Any]:
        return self._do(P.SetProfile, window=window, profile=queues, reason=reason)

    def cancel(self, ticket: str, *, reason: str = "") -> dict[str, Any]:
        return self._do(P.Cancel, ticket=ticket, reason=reason)

    def lookup(self, *, number: str | None = None, card: P.Card | None = None,
               code: str | None = None) -> dict[str, Any]:  # fmt: skip
        return self._do(P.Lookup, number=number, card=card, code=code)

    def book_appointment(self, card: P.Card, queue: str, slot: datetime) -> dict[str, Any]:
        """Book an appointment slot for a citizen (a manager's, or the online channel's)."""
        return self._do(P.BookAppointment, card=card, queue=queue, slot=slot)

    def ticket_status(self, tokens: list[str]) -> dict[str, Any]:
        """How the tickets with these tokens stand: {"tickets": {token: status or None}}."""
        return self._do(P.TicketStatus, tokens=tokens)

    def rate_by_token(self, token: str, level: int, *, reasons: list[str] | None = None,
                      comment: str = "") -> dict[str, Any]:  # fmt: skip
        """Rate the finished ticket with this token (the web gateway's scan-to-rate)."""
        return self._do(P.RateByToken, token=token, level=level, reasons=reasons or [],
                        comment=comment)  # fmt: skip

    def booking_slots(self, queue: str, day: date) -> dict[str, Any]:
        """A day's 15-minute slots of `queue` with the online bookings left in each."""
        return self._do(P.BookingSlots, queue=queue, day=day)

    def book_online(self, card: P.Card, queue: str, slot: datetime) -> dict[str, Any]:
        """Book a slot as the web gateway: {"code", "queue", "slot"}."""
        return self._do(P.BookOnline, card=card, queue=queue, slot=slot)

    def cancel_booking(self, code: str) -> dict[str, Any]:
        return self._do(P.CancelBooking, code=code)

    def report_health(self, parts: dict[str, dict[str, str]]) -> dict[str, Any]:
        """Tell the hub how this device's parts are (printer paper, readers, voice)."""
        return self._do(P.ReportHealth, parts=parts)

    def follow_up(
        self, case: str, action: str, *, note: str = "", answer: str = ""
    ) -> dict[str, Any]:
        """`answer`: with rectify or close, the citizen's "satisfied" / "unsatisfied"."""
        return self._do(P.FollowUp, case=case, action=action, note=note, answer=answer)

    # ------------------------------------------------------------ following

    def _subscriber(self, streams: tuple[str, ...]) -> zmq.Socket[bytes]:
        if self._sub is None:
            welcome = self.welcome or self.hello()
            endpoints = stream_endpoints(welcome, streams, self.endpoint)
            self._sub = device_socket(self.ctx, zmq.SUB, self._curve)
            for s in streams:
                self._sub.setsockopt(zmq.SUBSCRIBE, P.STREAM_TOPICS[s])
            for e in endpoints:
                self._sub.connect(e)
        return self._sub

    def pump(self, follower: StateFollower, timeout: float = 1.0) -> list[Event]:
        """Feed the follower what arrives within `timeout` (returning early once events were
        applied); snapshot when it asks; ping the hub so it knows this device is alive."""
        out: list[Event] = []
        deadline = time.monotonic() + timeout
        try:
            sub = self._subscriber(follower.streams)
        except HubUnavailable:
            follower.tick(time.monotonic())
            return out
        while True:
            if time.monotonic() - self._last_sent > self.ping_every:
                with contextlib.suppress(HubUnavailable):
                    self.ping(timeout=0.5, retries=1)
            left = deadline - time.monotonic()
            if sub.poll(max(0, int(left * 1000))):
                while True:
                    try:
                        topic, body = sub.recv_multipart(zmq.NOBLOCK)
                    except zmq.Again:
                        break
                    stream = P.stream_of(topic)
                    if stream is not None:
                        out += follower.feed(stream, P.decode_update(body), time.monotonic())
            if follower.wants_snapshot:
                with contextlib.suppress(HubUnavailable):
                    out += follower.load_snapshot(self.snapshot(), time.monotonic())
            follower.tick(time.monotonic())
            if out or time.monotonic() >= deadline:
                return out

    def events(self, streams: tuple[str, ...] = ("board",)) -> Iterator[Event]:
        """The followed events, in order and without gaps, forever (a snapshot in between
        when the hub restarted or something was missed)."""
        follower = StateFollower(streams)
        while True:
            yield from self.pump(follower, 1.0)
