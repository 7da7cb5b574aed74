"""The hub's command pipeline: a request from the ROUTER to its reply and its events.

`drain` takes what is waiting; `_prepare` finds out who sent it (the CURVE key, or in test
mode the req_id), applies the rate limit and decodes it with the sender's role's decoder.
A read (hello, ping, snapshot) is answered by the hub (`read`) once the commands before it
are committed. Commands are applied in arrival order in one transaction (`_flush`, group
commit): each one in `_write` is a replay of a stored reply, a refusal kept in memory, or
registry → engine → save. Only after COMMIT does `_deliver` reply and publish. `record`
writes the log lines and device presence when the hub is idle.

The hub (hall.server.hub) owns the sockets, the loop and the streams; this module owns the
order above, so that no reply ever runs ahead of the disk.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from typing import Any

import zmq

from hall.core import errors as E
from hall.core.engine import Engine, Outcome
from hall.core.events import Event
from hall.core.layout import Layout
from hall.server.limits import RateLimit, Refusals
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
from hall.server.store import Store
from hall.wire import protocol as P
from hall.wire.commands import apply
from hall.wire.peer import Peer, peer_from_id

log = logging.getLogger("hall.hub")  # the hub's log: one name for a hall's IT person


class Pipeline:
    """Requests in, replies and events out, for one hub. Built with the hub; `open` gives it
    the ROUTER, the store and the hall's secret once the hub has bound and restored."""

    def __init__(
        self,
        *,
        layout: Layout,
        engine: Engine,
        registry: Any | None,  # hall.net.keys.Registry when serving securely, else test mode
        rate_limit: RateLimit,
        presence: Presence,
        read: Callable[[Peer | None, P.Request], bytes],
        publish: Callable[[Event], None],
        came_online: Callable[[list[str]], None],
    ) -> None:
        self.layout = layout
        self.engine = engine
        self.registry = registry
        self.rate_limit = rate_limit  # commands/s per device
        self.presence = presence
        self.read = read  # hello, ping, snapshot …: answered from the hub's memory
        self.publish = publish  # a saved event, to its stream
        self.came_online = came_online
        self.peers: dict[str, Peer] = {}
        self.refusals = Refusals()  # answers that changed nothing, kept for retries
        self.done: list[Request] = []  # answered, not yet logged (see record)
        self._batch_ids: set[str] = set()  # req_ids first saved in the open transaction
        self._logged: dict[str, float] = {}  # "result device" -> when it was last logged
        self.router: zmq.Socket[bytes] | None = None
        self._store: Store | None = None
        self.secret = b""

    def open(self, router: zmq.Socket[bytes], store: Store, secret: bytes) -> None:
        self.router, self._store, self.secret = router, store, secret

    @property
    def store(self) -> Store:
        assert self._store is not None, "the hub is not running"
        return self._store

    @property
    def _router(self) -> zmq.Socket[bytes]:
        assert self.router is not None, "the hub is not running"
        return self.router

    def drain(self) -> None:
        """Take what is waiting (up to 200 requests). Commands are applied in arrival order
        in one transaction — group commit: one fsync for the lot, and still no reply
        before the commit. A read-only request first flushes the commands before it, so a
        snapshot never shows what is not saved."""
        batch: list[Request] = []
        for _ in range(200):
            try:
                frames = self._router.recv_multipart(zmq.NOBLOCK, copy=False)
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
                    r.body = self.read(r.peer, r.req)
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
            if self.registry is not None and parts:  # the key's device, for the log if refused
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
            if self.registry is None and not self.rate_limit.allow(r.peer.id, r.t0):
                r.body = error_reply(req_id, E.RateLimited())
                return r
            r.req = P.decode_request(raw, r.peer.role)
        except P.RemoteProtocolError as e:
            r.body = protocol_error_reply(req_id, e)
        return r

    def _identify(self, frame: zmq.Frame, req_id: str) -> Peer:
        """Who sent this: the CURVE key's User-Id, or (test mode) the req_id's device."""
        claimed = P.device_of(req_id)
        if self.registry is None:
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
            self.registry.reload_if_changed()
            dev = self.registry.device(device_id)
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

    def _deliver(self, r: Request) -> None:
        """Reply, then publish the command's events (and note how long that took)."""
        self._send(r.envelope, r.body)
        for ev in r.events:
            self.publish(ev)
        r.ms = (time.perf_counter() - r.t0) * 1000
        self.done.append(r)

    def _send(self, envelope: list[bytes], body: bytes) -> None:
        try:
            self._router.send_multipart([*envelope, body], zmq.NOBLOCK)
        except zmq.ZMQError as e:  # gone (router_mandatory) or not reading: it will retry
            log.info("reply not delivered (%s); the device will retry", e.strerror)

    def _flush(self, batch: list[Request]) -> None:
        """Apply commands in one transaction; reply and publish only after COMMIT. When the
        transaction fails, memory is reloaded and each command gets `store_failed` (or
        `internal`, for a bug in saving) — except a retry of one committed before, which
        keeps its first answer."""
        if not batch:
            return
        self._batch_ids = set()
        try:
            with self.store.transaction():
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
            self.reload()
            for r in batch:
                # A retry of a command committed before keeps its answer: told "not saved",
                # a kiosk would issue again under a new req_id and make a second ticket.
                if not r.replayed:
                    r.body, r.events = error_reply(r.req_id, err), []
                    # a refusal made on state now rolled back ("already open" after an
                    # open that was not saved) is no answer for its retry: it is asked anew
                    self.refusals.forget(r.req_id)
        for r in batch:
            self._deliver(r)

    def _write(self, r: Request) -> None:
        """One command inside the open transaction: replay, or registry → engine → save."""
        store, peer, req = self.store, r.peer, r.req
        assert peer is not None and req is not None
        command = str(type(req).__struct_config__.tag)
        old = store.reply_for(req.req_id)
        if old is not None:
            r.body = old.encode()  # a retry: the first answer, nothing new
            r.replayed = req.req_id not in self._batch_ids  # not saved in this transaction
            return
        refused = self.refusals.get(req.req_id)
        if refused is not None:  # a retry of a refusal (kept in memory, not on disk)
            r.body = refused
            return
        self._batch_ids.add(req.req_id)
        try:
            outcome = apply(peer, req, self.engine, self.secret)
        except E.HallError as e:
            r.body = error_reply(req.req_id, e)
            self.refusals.keep(req.req_id, r.body)  # changed nothing: not worth a disk write
            return
        except Exception:
            # a bug: memory may be half-changed; the open transaction holds everything
            # before this command, so reload from it and carry on
            log.exception("%s %s: bug; state reloaded from the database", peer.id, command)
            self.reload()
            r.body = error_reply(req.req_id, internal_error())
            return
        r.body = P.encode_reply(P.Ok(req_id=req.req_id, value=outcome.value))
        ch = outcome.changes
        if not outcome.events and not (ch.tickets or ch.windows or ch.counters
                                       or ch.appointments or ch.cases):  # fmt: skip
            # Changed nothing (a health report as the last one, or held): kept for retries
            # in memory like a refusal, not written (15,000 flips wrote 15,000 replies).
            self.refusals.keep(req.req_id, r.body)
            return
        r.events = store.save(
            outcome, device=peer.id, command=command, req_id=req.req_id, reply=r.body.decode()
        )

    def command(self, peer: Peer, name: str, fn: Callable[[], Outcome]) -> None:
        """The hub's own commands (housekeeping), through the same save-then-publish path."""
        try:
            with self.store.transaction():
                events = self.store.save(fn(), device=peer.id, command=name)
        except (sqlite3.Error, OSError) as e:
            log.error("%s could not be saved (%s); state reloaded", name, e)
            self.reload()
            return
        except Exception:
            self.reload()  # a bug may have left memory half-changed; nothing was saved
            raise
        for ev in events:
            self.publish(ev)

    def reload(self) -> None:
        self.store.restore(self.engine)

    def record(self) -> None:
        """When the hub is idle: one log line per request answered since, then device
        presence (every device that just came online, in one transaction). Kept off the
        reply path: in a burst, logging each request before the next one is answered added
        its cost to every later one (the latency tail, issue 3)."""
        done, self.done = self.done, []
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
                if now - self._logged.get(who, -60.0) < 60.0:
                    level = logging.DEBUG
                else:
                    self._logged[who] = now
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
            self.came_online(came_online)
