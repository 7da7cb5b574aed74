"""The hub: the one process that owns the hall. One thread, every socket, the only writer.

A ROUTER takes commands and snapshot requests, a PUB sends the ``board/`` and
``staff/`` streams (DESIGN.md §5). For a command the order is: BEGIN IMMEDIATE →
a stored reply for this req_id? (a retry: send it again) → who is asking and may
they → engine → save events and reply → COMMIT → reply → publish. When the commit
fails the engine is rebuilt from the database, so memory never runs ahead of disk.
"""

from __future__ import annotations

import logging
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import zmq
import zmq.auth

from hall.core import advisor
from hall.core import errors as E
from hall.core import events as EV
from hall.core.engine import Changes, Clock, Engine, Outcome
from hall.core.events import Event
from hall.core.history import History
from hall.core.layout import Layout
from hall.core.model import BOARD, STAFF, STREAMS
from hall.core.public import public_layout
from hall.net.sockets import hall_socket
from hall.server.advising import AdvisorRunner
from hall.server.auth import STAFF_ROLES, STAFF_ZAP_DOMAIN, ZAP_DOMAIN
from hall.server.dblock import DatabaseLock
from hall.server.limits import RATE, RateLimit, Refusals
from hall.server.presence import Presence
from hall.server.replies import (
    Request,
    code_of,
    error_reply,
    internal_error,
    logged_detail,
    protocol_error_reply,
    why_not_saved,
)
from hall.server.store import Store, read_history
from hall.wire import protocol as P
from hall.wire.commands import apply
from hall.wire.peer import Peer, peer_from_id

log = logging.getLogger("hall.hub")
HUB = Peer("hub", "manager", None, None)  # the hub's own commands (housekeeping, presence)
_T = TypeVar("_T")

MAX_FRAME_BYTES = 1024 * 1024  # zmq drops a peer that sends more (memory guard)
REPLIES_KEPT = timedelta(days=1)  # a retry comes within seconds; see Store.prune_replies
CHECKPOINT_EVERY = 0.5  # seconds: the WAL is copied into the database from a thread (Store)


def wall_clock(start: datetime | None = None, speed: float = 1.0) -> Clock:
    """The hall's clock: the wall clock, or one that read `start` when the hub started and
    runs `speed` times as fast (tests and the demo issue tickets at any hour, and the demo
    plays a morning in minutes; opening hours stay real rules)."""
    if start is None:
        return datetime.now
    if speed == 1.0:
        offset = start - datetime.now()
        return lambda: datetime.now() + offset
    t0 = time.monotonic()
    return lambda: start + timedelta(seconds=(time.monotonic() - t0) * speed)


def pub_endpoint_for(bind: str) -> str:
    """tcp://host:7700 → tcp://host:7701 (port 0 stays 0: both ephemeral)."""
    head, _, port = bind.rpartition(":")
    if not head.startswith("tcp://") or not port.isdigit():
        raise ValueError(f"give --pub for a non-tcp endpoint {bind!r}")
    return f"{head}:{int(port) + 1 if int(port) else 0}"


@dataclass
class Security:
    """CURVE + ZAP: the keys directory and its device registry (hall.net.keys)."""

    keys_dir: Path
    registry: Any  # hall.net.keys.Registry

    @classmethod
    def load(cls, keys_dir: str | Path) -> Security:
        from hall.net.keys import Registry

        return cls(Path(keys_dir), Registry.load(keys_dir))


def _at_window(t: Any) -> dict[str, Any]:
    """A ticket at a window as staff may see it: everything but the person's keyed hash
    and the ticket's token (hall.wire.commands.TOKEN_ROLES)."""
    d: dict[str, Any] = t.to_dict()
    d.pop("person_hash", None)
    d.pop("token", None)
    return d


class Hub:
    """Serve one hall. `run()` blocks in the calling thread; `start()` runs it in a thread."""

    def __init__(
        self,
        layout: Layout,
        db: str | Path,
        *,
        bind: str = "tcp://127.0.0.1:7700",
        pub_bind: str | None = None,
        staff_pub_bind: str | None = None,
        security: Security | None = None,
        clock: Clock | None = None,
        items: dict[str, str] | None = None,
        heartbeat: float = 1.0,
        device_timeout: float = 5.0,
        housekeep_every: float = 60.0,
        advise_every: float | None = None,
        rate_limit: float = RATE,
    ) -> None:
        self.layout = layout
        self._public_layout = public_layout(layout)
        self.db_path = Path(db)
        self.bind = bind
        self.pub_bind = pub_bind or pub_endpoint_for(bind)
        # The staff stream has its own PUB socket, which only counters and managers may join
        # (ZAP domain STAFF_ZAP_DOMAIN): a PUB socket cannot filter per subscriber, so on one
        # socket any display or kiosk could read staff numbers, ratings and follow-up cases.
        try:
            self.staff_pub_bind = staff_pub_bind or pub_endpoint_for(self.pub_bind)
        except ValueError:
            raise ValueError(
                f"give --staff-pub for a non-tcp stream endpoint {self.pub_bind!r}"
            ) from None
        self.security = security
        self.engine = Engine(layout, clock or wall_clock(), items=items)
        self.heartbeat = heartbeat
        self.last_beat = 0.0  # time.monotonic() of the last heartbeat (a watchdog reads it)
        self.housekeep_every = housekeep_every
        # The rebalancing advisor ([advisor] of the layout): seconds of the HALL's clock
        # between runs, so a demo whose clock runs 60× as fast advises 60× as often.
        self.advise_every = (
            advise_every if advise_every is not None else layout.advisor.every_minutes * 60.0
        )
        self.advisor = AdvisorRunner(layout)
        self.endpoint = ""
        self.pub_endpoint = ""
        self.staff_pub_endpoint = ""
        self.epoch = 0
        self.ready = threading.Event()
        self.presence = Presence(device_timeout)
        self.rate_limit = RateLimit(rate_limit, 2 * rate_limit)  # commands/s per device
        self._refusals = Refusals()
        self.peers: dict[str, Peer] = {}
        self._done: list[Request] = []  # answered, not yet logged (see _record)
        self._batch_ids: set[str] = set()  # req_ids first saved in the open transaction
        self._failing: set[str] = set()  # the hub's own tasks that failed last time (_safely)
        self._registry_seen: object = None  # the registry's device list last looked at
        self._allowed: set[tuple[Any, ...]] = set()  # who could subscribe then
        self._unbound: list[tuple[zmq.Socket[bytes], str]] = []  # streams to bind again
        self._refusals_logged: dict[str, float] = {}  # device -> when its pings last were
        self._stop_r = self._stop_w = -1  # the stop pipe, made when the hub starts
        self._lock: DatabaseLock | None = None  # held while serving the database
        self._stopping = False
        self._thread: threading.Thread | None = None
        self.store: Store | None = None
        self._history_day: date | None = None  # the day engine.history was learned for
        self._history_job: threading.Thread | None = None  # relearning, beside the loop
        self._history_ready: tuple[date, History | None] | None = None  # its result
        self._secret = b""
        self._auth: Any = None  # hall.server.auth.Authenticator while serving securely
        self.failure: BaseException | None = None

    # ------------------------------------------------------------ life

    def start(self, timeout: float = 10.0) -> Hub:
        """Run in a daemon thread; return once the sockets are bound."""
        self._stop_r, self._stop_w = os.pipe()
        self._thread = threading.Thread(target=self._run_logged, name="hub", daemon=True)
        self._thread.start()
        if not self.ready.wait(timeout):
            raise RuntimeError(f"the hub did not start: {self.failure!r}")
        if self.failure is not None:
            raise RuntimeError("the hub did not start") from self.failure
        return self

    def _run_logged(self) -> None:
        try:
            self.run()
        except BaseException as e:
            self.failure = e
            started = self.ready.is_set()
            self.ready.set()
            if started:
                log.exception("hub stopped by an error")
            else:  # start() raises it and `hall serve` says it in one line
                log.debug("the hub did not start", exc_info=True)

    def stop(self) -> None:
        """Ask the hub to stop (from any thread) and wait for it. Stopping twice is harmless."""
        if self._stopping:
            return
        self._stopping = True
        if self._thread is None or not self._thread.is_alive():
            return  # never started, or ended by an error (its pipe is closed)
        try:
            os.write(self._stop_w, b"x")
        except OSError:  # it ended just now
            return
        self._thread.join(10)

    def run(self) -> None:
        """Bind, restore, serve until `stop()`."""
        if self._stop_r < 0:  # run() called directly, not through start()
            self._stop_r, self._stop_w = os.pipe()
        ctx = zmq.Context()
        try:
            self._serve(ctx)
        finally:
            ctx.destroy(linger=0)
            if self._lock is not None:
                self._lock.release()
                self._lock = None
            os.close(self._stop_r)
            os.close(self._stop_w)

    def _socket(
        self, ctx: zmq.Context[zmq.Socket[bytes]], kind: int, domain: str | None = None
    ) -> zmq.Socket[bytes]:
        s = hall_socket(ctx, kind)
        if self.security is not None:
            from hall.server.auth import secure_server

            secure_server(s, self.security.keys_dir, domain or ZAP_DOMAIN)
        return s

    def _serve(self, ctx: zmq.Context[zmq.Socket[bytes]]) -> None:
        # The sockets first: a port in use must stop the hub before it touches the database.
        if self.security is not None:
            from hall.server.auth import start_authenticator

            self._auth = start_authenticator(ctx, self.security.registry)
        else:
            log.warning(
                "NO SECURITY: test mode — devices are trusted to say who they are "
                "(req_id/hello); never run a hall like this"
            )
        try:
            self.router = self._socket(ctx, zmq.ROUTER)
            self.router.setsockopt(zmq.ROUTER_MANDATORY, 1)
            self.router.setsockopt(zmq.MAXMSGSIZE, MAX_FRAME_BYTES)
            self.router.bind(self.bind)
            self.pub = self._socket(ctx, zmq.PUB)
            self.pub.setsockopt(zmq.SNDHWM, 100_000)
            self.pub.bind(self.pub_bind)
            self.staff_pub = self._socket(ctx, zmq.PUB, STAFF_ZAP_DOMAIN)
            self.staff_pub.setsockopt(zmq.SNDHWM, 100_000)
            self.staff_pub.bind(self.staff_pub_bind)
            self.staff_pub_endpoint = self.staff_pub.getsockopt(zmq.LAST_ENDPOINT).decode()  # type: ignore[union-attr]
            self.endpoint = self.router.getsockopt(zmq.LAST_ENDPOINT).decode()  # type: ignore[union-attr]
            self.pub_endpoint = self.pub.getsockopt(zmq.LAST_ENDPOINT).decode()  # type: ignore[union-attr]
            self._lock = DatabaseLock(self.db_path)
            self.store = store = Store(self.db_path, checkpoint_every=CHECKPOINT_EVERY)
        except BaseException:
            if self._auth is not None:
                self._auth.stop()
            raise
        try:
            self._secret = self._load_secret(store)
            store.restore(self.engine)
            self._learn_history()
            self.epoch = store.new_epoch()
            if self.security is not None:
                self._cut_off_revoked()  # who may subscribe now: the baseline
            self._command(HUB, "housekeep", self.engine.housekeep)
            log.info(
                "hub serving %s on %s (board stream on %s, staff stream on %s), epoch %d, db %s",
                self.layout.name, self.endpoint, self.pub_endpoint, self.staff_pub_endpoint,
                self.epoch, self.db_path,
            )  # fmt: skip
            self.ready.set()
            self._loop()
        finally:
            if self._auth is not None:
                self._auth.stop()
            store.close()

    def _load_secret(self, store: Store) -> bytes:
        """The hall's secret for ID-number hashes: the keys dir's (`hall keys init`), else
        (test mode, no keys) one kept in the database."""
        if self.security is not None:
            from hall.net.keys import load_hall_secret

            return load_hall_secret(self.security.keys_dir)
        value = store.get_meta("hall_secret")
        if value is None:
            value = secrets.token_hex(32)
            with store.transaction():
                store.set_meta("hall_secret", value)
        return value.encode()

    def _loop(self) -> None:
        poller = zmq.Poller()
        poller.register(self.router, zmq.POLLIN)
        poller.register(self._stop_r, zmq.POLLIN)
        now = time.monotonic()
        next_beat, next_house, next_reload = now, now + self.housekeep_every, now + 2.0
        next_prune = now  # the first housekeeping prunes old replies, then once an hour
        advising = self.layout.advisor.enabled
        every = timedelta(seconds=self.advise_every)
        next_advise = self.engine.clock() + every  # hall time
        while True:
            # (a hall clock never runs slower than the wall's: the hall seconds left bound
            # the wall seconds to sleep)
            advise_in = (next_advise - self.engine.clock()).total_seconds() if advising else 3600
            wait = max(0.0, min(next_beat - time.monotonic(), next_house - time.monotonic(),
                                advise_in))  # fmt: skip
            # Log lines and presence wait until nothing else does (or pile up): a burst's
            # later requests must not wait for the earlier ones' logging.
            ready = dict(poller.poll(0 if self._done else int(wait * 1000)))
            if self._stop_r in ready:
                self._record()
                log.info("hub stopping")
                return
            if self.router in ready:
                self._drain()
            if self._done and (not ready or len(self._done) >= 200):
                self._safely("logging and device presence", self._record)
            # The hub's own tasks: a bug in one is logged, never the end of the hub.
            now = time.monotonic()
            if now >= next_beat:
                next_beat = now + self.heartbeat
                self._safely("heartbeat", self._beat)
                self.last_beat = now
                self._safely("device presence", partial(self._check_devices, now))
            if now >= next_house:
                next_house = now + self.housekeep_every
                self._safely("housekeeping", lambda: self._command(
                    HUB, "housekeep", self.engine.housekeep
                ))  # fmt: skip
                self._safely("learning from past days", self._relearn_history)
                if now >= next_prune:
                    next_prune = now + 3600.0
                    self._safely("pruning replies", self._prune_replies)
            if self._history_ready is not None:
                self._safely("learning from past days", self._take_history)
            if advising and self.engine.clock() >= next_advise:
                next_advise = self.engine.clock() + every
                self._safely("the advisor", self.advise)
            if self.security is not None and now >= next_reload:
                next_reload = now + 2.0
                self._safely("the device registry", self.security.registry.reload_if_changed)
                self._safely("cutting off disabled devices", self._cut_off_revoked)

    def _cut_off_revoked(self) -> None:
        """A device disabled, removed or re-keyed in the registry loses its open stream
        subscriptions too. A PUB socket cannot drop one subscriber, so both streams are
        unbound and bound again: every subscriber reconnects within a moment through a new
        handshake, which the authenticator refuses to the revoked key; the others see a gap
        in the sequence numbers and take a snapshot. (Commands are re-checked per message.)"""
        assert self.security is not None
        self._rebind()
        devices = self.security.registry.devices()
        if devices is self._registry_seen:
            return
        allowed = {(d.id, d.public_key, d.role, d.window, d.floor) for d in devices if d.enabled}
        revoked = self._allowed - allowed if self._registry_seen is not None else set()
        self._registry_seen, self._allowed = devices, allowed
        if revoked:
            names = ", ".join(sorted({r[0] for r in revoked}))
            log.info("%s no longer allowed: streams rebound to cut off their subscriptions",
                     names)  # fmt: skip
            for sock, endpoint in ((self.pub, self.pub_endpoint),
                                   (self.staff_pub, self.staff_pub_endpoint)):  # fmt: skip
                sock.unbind(endpoint)
                self._unbound.append((sock, endpoint))
            self._rebind()

    def _rebind(self) -> None:
        """Bind the streams `_cut_off_revoked` unbound (again every 2 s if the port was
        taken meanwhile: an error is logged, and subscribers keep trying to reconnect)."""
        while self._unbound:
            sock, endpoint = self._unbound[0]
            for _ in range(50):  # libzmq closes the old listener on its I/O thread: ~1 ms
                try:
                    sock.bind(endpoint)
                    break
                except zmq.ZMQError as e:
                    if e.errno != zmq.EADDRINUSE:
                        raise
                    time.sleep(0.002)
            else:
                sock.bind(endpoint)  # still in use after 0.1 s: say so (retried in 2 s)
            self._unbound.pop(0)

    def _safely(self, task: str, fn: Callable[[], _T]) -> _T | None:
        """Run one of the hub's own tasks; None if it failed. An error is logged with its
        traceback once (not every second while it lasts), and once more when the task works
        again."""
        try:
            value = fn()
        except Exception:
            if task not in self._failing:
                self._failing.add(task)
                log.exception("%s failed; the hub carries on without it", task)
            return None
        if task in self._failing:
            self._failing.discard(task)
            log.info("%s works again", task)
        return value

    # ------------------------------------------------------------ requests

    def _drain(self) -> None:
        """Take what is waiting (up to 200 requests). Commands are applied in arrival order
        in one transaction — group commit: one fsync for the lot, and still no reply
        before the commit. A read-only request first flushes the commands before it, so a
        snapshot never shows what is not saved."""
        batch: list[Request] = []
        for _ in range(200):
            try:
                frames = self.router.recv_multipart(zmq.NOBLOCK, copy=False)
            except zmq.Again:
                break
            try:
                r = self._prepare(frames)
            except Exception:  # a bug: the decoders turn every bad frame into an error reply
                log.exception("a request could not be read; dropped")
                continue
            if r.req is not None and r.req.writes:
                batch.append(r)
                continue
            if r.req is not None:
                self._flush(batch)
                batch = []
                try:
                    r.body = self._read(r.peer, r.req)
                except P.RemoteProtocolError as e:
                    r.body = protocol_error_reply(r.req_id, e)
                except Exception:  # a bug in a read: answer it, keep serving
                    log.exception("%s %s: bug", r.peer.id if r.peer else "?", r.kind)
                    r.body = error_reply(r.req_id, internal_error())
            self._deliver(r)
        self._flush(batch)

    def _prepare(self, frames: list[zmq.Frame]) -> Request:
        """Split the envelope, find out who sent it and decode it with their role's decoder."""
        envelope, parts = [frames[0].bytes], frames[1:]
        if len(parts) > 1 and parts[0].bytes == b"":  # a REQ-style delimiter
            envelope.append(b"")
            parts = parts[1:]
        raw = parts[-1].bytes if parts else b""
        kind, req_id = P.peek(raw)
        r = Request(envelope, kind, req_id, time.perf_counter())
        try:
            if self.security is not None and parts:  # the key's device, for the log if refused
                r.who = str(parts[-1].get("User-Id") or "")
                # The key counts, whatever it sends: garbage (a 60 KB req_id) costs the hub
                # as much as a command, and is limited the same.
                if r.who and not self.rate_limit.allow(r.who, r.t0):
                    r.body = error_reply(req_id, E.RateLimited())
                    return r
            if len(parts) != 1:
                raise P.RemoteProtocolError(
                    "malformed", f"expected one frame per request, got {len(parts)}"
                )
            if not P.device_of(req_id):  # garbage: let the decoder name what is wrong
                P.decode_request(raw, "manager")
            r.peer = self._identify(parts[-1], req_id)
            if self.security is None and not self.rate_limit.allow(r.peer.id, r.t0):
                r.body = error_reply(req_id, E.RateLimited())
                return r
            r.req = P.decode_request(raw, r.peer.role)
        except P.RemoteProtocolError as e:
            r.body = protocol_error_reply(req_id, e)
        return r

    def _deliver(self, r: Request) -> None:
        """Reply, then publish the command's events (and note how long that took)."""
        self._send(r.envelope, r.body)
        for ev in r.events:
            self._publish(ev)
            self._note_move(ev)
        r.ms = (time.perf_counter() - r.t0) * 1000
        self._done.append(r)

    def _record(self) -> None:
        """When the hub is idle: one log line per request answered since, then device
        presence (every device that just came online, in one transaction). Kept off the
        reply path: in a burst, logging each request before the next one is answered added
        its cost to every later one (the latency tail, issue 3)."""
        done, self._done = self._done, []
        now = time.monotonic()
        answered: list[str] = []
        for r in done:
            result = "ok" if r.body.startswith(b'{"type":"ok"') else code_of(r.body)
            # Pings (a device's "I am here", every second or two each) only when debugging:
            # a hall's 70 devices would write 50 lines a second.
            level = logging.DEBUG if r.kind == "ping" and result == "ok" else logging.INFO
            quiet = result == "unknown_device" and r.kind == "ping"
            if quiet or result == "rate_limited":
                # a disabled device pings on, one past the rate limit sends on: say so once
                # a minute per device, not per request (one key wrote 10 MB of log in 10 s)
                who = f"{result} {r.who or (r.peer.id if r.peer else '?')}"
                if now - self._refusals_logged.get(who, -60.0) < 60.0:
                    level = logging.DEBUG
                else:
                    self._refusals_logged[who] = now
                    level = logging.WARNING if result == "rate_limited" else level
            why = "" if result == "ok" else logged_detail(r.body)
            if level == logging.WARNING:
                why += " (once a minute per device)"
            log.log(level, "%s %s %s%s %.1fms", r.peer.id if r.peer else r.who or "?",
                    r.kind or "?", result, why, r.ms)  # fmt: skip
            if r.peer is not None:
                answered.append(r.peer.id)
        came_online = self.presence.seen(answered, now)
        if came_online:
            self._presence(came_online, True)

    def _send(self, envelope: list[bytes], body: bytes) -> None:
        try:
            self.router.send_multipart([*envelope, body], zmq.NOBLOCK)
        except zmq.ZMQError as e:  # gone (router_mandatory) or not reading: it will retry
            log.info("reply not delivered (%s); the device will retry", e.strerror)

    def _identify(self, frame: zmq.Frame, req_id: str) -> Peer:
        """Who sent this: the CURVE key's User-Id, or (test mode) the req_id's device."""
        claimed = P.device_of(req_id)
        if self.security is None:
            if not claimed:
                raise P.RemoteProtocolError(
                    "invalid", f"req_id must look like device:counter, got {req_id!r}"
                )
            peer = self.peers.get(claimed) or peer_from_id(claimed, self.layout)
            if peer is None:
                raise P.RemoteProtocolError("unknown_device", f"no device {claimed!r} in this hall")
        else:
            device_id = frame.get("User-Id")
            # Re-checked on every message: a device disabled while connected is cut off.
            self.security.registry.reload_if_changed()
            dev = self.security.registry.device(device_id)
            if dev is None or not dev.enabled:
                raise P.RemoteProtocolError(
                    "unknown_device", f"device {device_id!r} is not enabled"
                )
            peer = Peer(dev.id, dev.role, dev.window, dev.floor)
            if claimed != dev.id:
                raise P.RemoteProtocolError(
                    "invalid", f"req_id must start with your device id {dev.id!r}"
                )
        self.peers[peer.id] = peer
        return peer

    def _read(self, peer: Peer | None, req: P.Request) -> bytes:
        """hello, ping, snapshot: answered from memory, which equals the disk here."""
        assert peer is not None
        if isinstance(req, P.Hello):
            P.check_hello(req)
            if self.security is None and req.device and req.device != peer.id:
                raise P.RemoteProtocolError("invalid", "hello.device differs from the req_id")
            value = {
                "protocol": P.PROTOCOL_VERSION, "pub": self.pub_endpoint, "epoch": self.epoch,
                "staff_pub": self.staff_pub_endpoint if peer.role in STAFF_ROLES else None,
                "hall": self.layout.name, "layout": self._public_layout,
                "device": peer.id, "role": peer.role, "window": peer.window, "floor": peer.floor,
            }  # fmt: skip
        elif isinstance(req, P.Snapshot):
            value = self.snapshot(peer)
        elif isinstance(req, P.TicketStatus):
            value = {"tickets": {t: self.engine.ticket_status(t) for t in req.tokens}}
        elif isinstance(req, P.BookingSlots):
            try:
                value = self.engine.booking_slots(queue=req.queue, day=req.day)
            except E.HallError as e:
                return error_reply(req.req_id, e)
        else:
            value = {"epoch": self.epoch}
        return P.encode_reply(P.Ok(req_id=req.req_id, value=value))

    def _flush(self, batch: list[Request]) -> None:
        """Apply commands in one transaction; reply and publish only after COMMIT. When the
        transaction fails, memory is reloaded and each command gets `store_failed` (or
        `internal`, for a bug in saving) — except a retry of one committed before, which
        keeps its first answer."""
        if not batch:
            return
        self._batch_ids = set()
        try:
            with self._store.transaction():
                for r in batch:
                    self._write(r)
        except Exception as e:
            if isinstance(e, (sqlite3.Error, OSError)):
                log.error("could not save %d command(s) (%s); state reloaded from the database",
                          len(batch), why_not_saved(e))  # fmt: skip
                err = E.StoreFailed(why_not_saved(e))
            else:  # a bug in saving (the engine's own bugs are caught in _write)
                log.exception("could not save %d command(s): bug; state reloaded", len(batch))
                err = internal_error()
            self._reload()
            for r in batch:
                # A retry of a command committed before keeps its answer: told "not saved",
                # a kiosk would issue again under a new req_id and make a second ticket.
                if not r.replayed:
                    r.body, r.events = error_reply(r.req_id, err), []
        for r in batch:
            self._deliver(r)

    def _write(self, r: Request) -> None:
        """One command inside the open transaction: replay, or registry → engine → save."""
        store, peer, req = self._store, r.peer, r.req
        assert peer is not None and req is not None
        command = str(type(req).__struct_config__.tag)
        old = store.reply_for(req.req_id)
        if old is not None:
            r.body = old.encode()  # a retry: the first answer, nothing new
            r.replayed = req.req_id not in self._batch_ids  # not saved in this transaction
            return
        refused = self._refusals.get(req.req_id)
        if refused is not None:  # a retry of a refusal (kept in memory, not on disk)
            r.body = refused
            return
        self._batch_ids.add(req.req_id)
        try:
            outcome = apply(peer, req, self.engine, self._secret)
        except E.HallError as e:
            r.body = error_reply(req.req_id, e)
            self._refusals.keep(req.req_id, r.body)  # changed nothing: not worth a disk write
            return
        except Exception:
            # a bug: memory may be half-changed; the open transaction holds everything
            # before this command, so reload from it and carry on
            log.exception("%s %s: bug; state reloaded from the database", peer.id, command)
            self._reload()
            r.body = error_reply(req.req_id, internal_error())
            return
        r.body = P.encode_reply(P.Ok(req_id=req.req_id, value=outcome.value))
        ch = outcome.changes
        if not outcome.events and not (ch.tickets or ch.windows or ch.counters
                                       or ch.appointments or ch.cases):  # fmt: skip
            # Changed nothing (a health report as the last one, or held): kept for retries
            # in memory like a refusal, not written (15,000 flips wrote 15,000 replies).
            self._refusals.keep(req.req_id, r.body)
            return
        r.events = store.save(
            outcome, device=peer.id, command=command, req_id=req.req_id, reply=r.body.decode()
        )

    def _learn_history(self) -> None:
        """At start, before serving: the engine learns the wait estimate's and the
        advisor's constants from the store's past days (hall.core.history)."""
        today = self.engine.clock().date()
        if self._history_day != today:
            began = time.monotonic()
            self.engine.history = self._store.history(today)
            self._history_day = today
            log.info("learned %d past days in %.1f s", self.engine.history.days,
                     time.monotonic() - began)  # fmt: skip

    @property
    def history_loading(self) -> bool:
        """Whether the day's relearning is under way beside the loop."""
        job = self._history_job
        return job is not None and job.is_alive()

    def _relearn_history(self) -> None:
        """Once a day, from the loop: read the past days on a thread of its own (90 busy
        days take seconds; the loop must keep answering), over a read-only connection of
        its own (the store is not thread-safe). The loop takes the result in
        `_take_history`; until then the engine keeps the days it knew."""
        today = self.engine.clock().date()
        if self._history_day == today or self.history_loading or self._history_ready:
            return

        def job() -> None:
            began = time.monotonic()
            learned: History | None = None
            try:
                learned = read_history(self.db_path, today)
            except Exception:  # the loop tries again at the next housekeeping
                log.exception("learning from past days failed")
            else:
                log.info("learned %d past days in %.1f s (beside the loop)", learned.days,
                         time.monotonic() - began)  # fmt: skip
            self._history_ready = (today, learned)

        self._history_job = threading.Thread(target=job, name="hub-history", daemon=True)
        self._history_job.start()

    def _take_history(self) -> None:
        """In the loop: the relearned days replace the engine's (None: it failed)."""
        ready, self._history_ready = self._history_ready, None
        if ready is not None:
            day, learned = ready
            if learned is not None:
                self.engine.history, self._history_day = learned, day

    def _reload(self) -> None:
        self._store.restore(self.engine)

    @property
    def _store(self) -> Store:
        assert self.store is not None, "the hub is not running"
        return self.store

    def _command(self, peer: Peer, name: str, fn: Callable[[], Outcome]) -> None:
        """The hub's own commands (housekeeping), through the same save-then-publish path."""
        try:
            with self._store.transaction():
                events = self._store.save(fn(), device=peer.id, command=name)
        except (sqlite3.Error, OSError) as e:
            log.error("%s could not be saved (%s); state reloaded", name, e)
            self._reload()
            return
        except Exception:
            self._reload()  # a bug may have left memory half-changed; nothing was saved
            raise
        for ev in events:
            self._publish(ev)
            self._note_move(ev)

    def _prune_replies(self) -> None:
        """Drop replies kept for retries once they are a day old (Store.prune_replies)."""
        try:
            n = self._store.prune_replies(datetime.now() - REPLIES_KEPT)
        except (sqlite3.Error, OSError) as e:
            log.warning("could not prune old replies (%s); will try again", e)
            return
        if n:
            log.info("pruned %d replies older than %s", n, REPLIES_KEPT)

    def _note_move(self, ev: Event) -> None:
        self.advisor.note_move(ev, self.engine.clock())

    def advise(self) -> list[advisor.Proposal]:
        """Run the rebalancing advisor once (hall.server.advising)."""
        return self.advisor.run(self.engine, partial(self._command, HUB))

    # ------------------------------------------------------------ streams

    def snapshot(self, peer: Peer) -> dict[str, Any]:
        """Everything a follower needs, at the streams' current sequence numbers."""
        eng = self.engine
        value: dict[str, Any] = {
            "epoch": self.epoch,
            "seq": {s: self._store.seq(s) for s in STREAMS},
            "board": {
                "day": eng.day.isoformat() if eng.day else None,
                "tickets": {k: t.public() for k, t in eng.tickets.items()},
                "windows": {str(n): eng.window_public(w) for n, w in eng.windows.items()},
            },
            "queues": eng.queue_summary(),
            "at": eng.clock().isoformat(timespec="seconds"),
        }
        if peer.role in ("counter", "manager"):
            value["staff"] = {
                "devices": dict(self.presence.online),
                "cases": {k: c.to_dict() for k, c in eng.cases.items()},
                "health": {d: dict(parts) for d, parts in eng.device_health.items()},
                # "" unless a deadline set today would fall past the official calendar
                "calendar_warning": eng.layout.calendar_warning(eng.clock().date()),
            }
            # The tickets at windows in full (masked person data, times, history): a counter
            # restarted mid-service shows its ticket exactly as before. Beside the streams'
            # state, which the events keep, as this is read once at a snapshot.
            value["at_windows"] = {k: _at_window(t) for k, t in eng.tickets.items()
                                   if t.state.value in ("called", "serving", "parked")}  # fmt: skip
        if peer.role == "manager" and self.security is not None:
            # every device the hub's registry knows, enabled or not: `hall status` lists the
            # ones never seen too, from any machine (the registry stays on the hub's)
            value["registered"] = {d.id: d.enabled for d in self.security.registry.devices()}
        if peer.role == "counter" and peer.window is not None:
            # the window's items by use: its item picker lists the most-used first
            value["items_used"] = eng.items_used(peer.window)
            # the ticket it finished last today, which may still get its item (F11) after
            # the app restarts: as at_windows has tickets (no hash, no token); None for none
            status = eng.windows.get(peer.window)
            last = eng.tickets.get(status.last_finished or "") if status is not None else None
            today = last is not None and last.day == eng.clock().date()
            value["last_finished"] = _at_window(last) if last is not None and today else None
        return value

    def _publish(self, ev: Event) -> None:
        """Send a saved event: its data as the store encoded it (encoded once)."""
        sock = self.staff_pub if ev.stream == STAFF else self.pub
        sock.send_multipart([P.STREAM_TOPICS[ev.stream], EV.encode_update(self.epoch, ev)])

    def _beat(self) -> None:
        at = self.engine.clock().isoformat(timespec="seconds")
        # The board's heartbeat carries the queue figures (waiting, longest wait, estimate):
        # they change with the clock, not only with events. If they fail, the heartbeat
        # still goes (devices take silence for a hub gone) and boards keep the last figures.
        queues = self._safely("queue figures", self.engine.queue_summary)
        for s in STREAMS:
            data = {"queues": queues} if s == BOARD and queues is not None else {}
            up = P.Update(epoch=self.epoch, seq=self._store.seq(s), type=EV.HEARTBEAT, at=at,
                          data=data)  # fmt: skip
            sock = self.staff_pub if s == STAFF else self.pub
            sock.send_multipart([P.STREAM_TOPICS[s], P.encode_update(up)])

    # ------------------------------------------------------------ devices

    def _check_devices(self, now: float) -> None:
        gone = self.presence.gone(now)
        if gone:
            self._presence(gone, False)
        if self.engine.health_held():  # a flapping device's latest health, once held
            self._command(HUB, "health", self.engine.flush_health)

    def _presence(self, devices: list[str], online: bool) -> None:
        """Devices came online or went offline: one staff event each, one transaction."""
        events = self.presence.change(devices, online, self.engine.clock(), self.peers)
        self._command(HUB, "presence", lambda: Outcome({}, events, Changes()))
