"""The hub: the one process that owns the hall. One thread, every socket, the only writer.

A ROUTER takes commands and snapshot requests, a PUB sends the ``board/`` and
``staff/`` streams (DESIGN.md §5). For a command the order is: BEGIN IMMEDIATE →
a stored reply for this req_id? (a retry: send it again) → who is asking and may
they → engine → save events and reply → COMMIT → reply → publish. When the commit
fails the engine is rebuilt from the database, so memory never runs ahead of disk.

This module holds the hub's life (start, stop, the sockets), its loop and its own timed
tasks, the reads (hello, snapshot) and the streams. The parts beside it in hall.server:
the command pipeline above (`pipeline`), device presence (`presence`), the advisor's runs
(`advising`), the daily learning from past days (`learning`), rate limits and kept
refusals (`limits`), replies in our own words (`replies`), the database lock (`dblock`).
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
from datetime import datetime, timedelta
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
from hall.core.layout import Layout
from hall.core.model import BOARD, STAFF, STREAMS
from hall.core.public import public_layout
from hall.net.sockets import hall_socket
from hall.server.advising import AdvisorRunner
from hall.server.auth import STAFF_ROLES, STAFF_ZAP_DOMAIN, ZAP_DOMAIN
from hall.server.dblock import DatabaseLock
from hall.server.learning import Learning
from hall.server.limits import RATE, RateLimit
from hall.server.pipeline import Pipeline
from hall.server.presence import Presence
from hall.server.replies import error_reply
from hall.server.store import Store
from hall.wire import protocol as P
from hall.wire.peer import Peer

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
        # requests to replies and events (hall.server.pipeline); the sockets and the store
        # are given to it once bound and restored
        self.pipeline = Pipeline(
            layout=layout, engine=self.engine,
            registry=security.registry if security is not None else None,
            rate_limit=self.rate_limit, presence=self.presence, read=self._read,
            publish=self._publish_saved, came_online=partial(self._presence, online=True),
        )  # fmt: skip
        self.peers = self.pipeline.peers  # every device answered since the start, by id
        self._failing: set[str] = set()  # the hub's own tasks that failed last time (_safely)
        self._registry_seen: object = None  # the registry's device list last looked at
        self._allowed: set[tuple[Any, ...]] = set()  # who could subscribe then
        self._unbound: list[tuple[zmq.Socket[bytes], str]] = []  # streams to bind again
        self._stop_r = self._stop_w = -1  # the stop pipe, made when the hub starts
        self._lock: DatabaseLock | None = None  # held while serving the database
        self._stopping = False
        self._thread: threading.Thread | None = None
        self.store: Store | None = None
        self.learning = Learning(self.engine, self.db_path)  # from past days
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
            self.pipeline.open(self.router, store, self._load_secret(store))
            store.restore(self.engine)
            self.learning.learn(store)
            self.epoch = store.new_epoch()
            if self.security is not None:
                self._cut_off_revoked()  # who may subscribe now: the baseline
            self.pipeline.command(HUB, "housekeep", self.engine.housekeep)
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
            ready = dict(poller.poll(0 if self.pipeline.done else int(wait * 1000)))
            if self._stop_r in ready:
                self.pipeline.record()
                log.info("hub stopping")
                return
            if self.router in ready:
                self.pipeline.drain()
            if self.pipeline.done and (not ready or len(self.pipeline.done) >= 200):
                self._safely("logging and device presence", self.pipeline.record)
            # The hub's own tasks: a bug in one is logged, never the end of the hub.
            now = time.monotonic()
            if now >= next_beat:
                next_beat = now + self.heartbeat
                self._safely("heartbeat", self._beat)
                self.last_beat = now
                self._safely("device presence", partial(self._check_devices, now))
            if now >= next_house:
                next_house = now + self.housekeep_every
                self._safely("housekeeping", lambda: self.pipeline.command(
                    HUB, "housekeep", self.engine.housekeep
                ))  # fmt: skip
                self._safely("learning from past days", self.learning.relearn)
                if now >= next_prune:
                    next_prune = now + 3600.0
                    self._safely("pruning replies", self._prune_replies)
            if self.learning.ready:
                self._safely("learning from past days", self.learning.take)
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

    @property
    def history_loading(self) -> bool:
        """Whether the day's relearning is under way beside the loop (hall.server.learning)."""
        return self.learning.loading

    @property
    def _store(self) -> Store:
        assert self.store is not None, "the hub is not running"
        return self.store

    def _prune_replies(self) -> None:
        """Drop replies kept for retries once they are a day old (Store.prune_replies)."""
        try:
            n = self._store.prune_replies(datetime.now() - REPLIES_KEPT)
        except (sqlite3.Error, OSError) as e:
            log.warning("could not prune old replies (%s); will try again", e)
            return
        if n:
            log.info("pruned %d replies older than %s", n, REPLIES_KEPT)

    def _publish_saved(self, ev: Event) -> None:
        """A committed event: to its stream, and to the advisor (a profile change holds it)."""
        self._publish(ev)
        self.advisor.note_move(ev, self.engine.clock())

    def advise(self) -> list[advisor.Proposal]:
        """Run the rebalancing advisor once (hall.server.advising)."""
        return self.advisor.run(self.engine, partial(self.pipeline.command, HUB))

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
            self.pipeline.command(HUB, "health", self.engine.flush_health)

    def _presence(self, devices: list[str], online: bool) -> None:
        """Devices came online or went offline: one staff event each, one transaction."""
        events = self.presence.change(devices, online, self.engine.clock(), self.peers)
        self.pipeline.command(HUB, "presence", lambda: Outcome({}, events, Changes()))
