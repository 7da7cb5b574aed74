"""The Lazy Pirate retry without I/O: what `hall.client.HubClient` and `ui.hublink.HubLink`
share (DESIGN.md §5). No sockets, no Qt, no clock: the shell says what happened and when.

A request goes out under a req_id ``device:session.n`` on the current connection. When
one of its tries meets `timeout` seconds of silence, that connection is retired and a
fresh one takes its place; every pending request goes out again there under its own
req_id (the hub replays its stored answer, so nothing is applied twice). A request is
given up after `retries` tries — or, sent with `patience`, once that many seconds have
passed, however many tries that took.

A retired connection is still listened on: a hub slower than the timeout, not gone,
answers on the connection the first copy came by. It is closed when no request that went
out on it is pending any more, or `reply_grace` seconds after it was retired.

The shell (the blocking client, the Qt link) owns the sockets: it calls `send` for what it
sends, `answer` for what arrives, `tick` when time has passed, and does what the returned
`Step` says. Connections are numbers here, sockets there.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from hall.wire import protocol as P

Callback = Callable[[P.Ok | P.Error], None]


def session_part(wall_clock: float) -> str:
    """The middle of a device's req_ids: the wall clock's seconds in hex and four random
    hex digits, so a restarted device never reuses a req_id of its past."""
    return f"{int(wall_clock):x}{secrets.token_hex(2)}"


@dataclass
class Pending:
    """A request sent and not yet answered or given up."""

    req_id: str
    body: bytes  # the encoded request, sent again as it is
    conn: int  # the connection it first went out on; it went out on every later one too
    sent_at: float  # when its current try began
    timeout: float  # seconds of silence that end a try
    retries: int  # tries before it is given up (unless patient)
    give_up_at: float | None = None  # patient: tried until then, whatever `retries` says
    callback: Callback | None = None  # who waits for the answer (the shell calls it)
    tries: int = 1


@dataclass
class Step:
    """What the shell does after a `tick`, in this order."""

    #: keep this connection listening and open a fresh one (`Retry.conn`) for what follows
    retire: int | None = None
    #: retired connections to close now
    close: list[int] = field(default_factory=list)
    #: send these again, on the fresh connection
    resend: list[Pending] = field(default_factory=list)
    #: given up: tell whoever waits that the hub does not answer
    failed: list[Pending] = field(default_factory=list)


class Retry:
    """One device's requests to the hub and the connections they went out on."""

    def __init__(self, device: str, session: str, *, reply_grace: float = math.inf) -> None:
        self.device = device
        self.session = session
        self.reply_grace = reply_grace
        self.conn = 0  # the connection requests go out on now
        self.pending: dict[str, Pending] = {}
        self.retired: dict[int, float] = {}  # connection → listened on until
        self.last_command: P.Request | None = None
        self._n = 0

    def next_req_id(self) -> str:
        """A req_id never used by this device: ``device:session.n``."""
        self._n += 1
        return f"{self.device}:{self.session}.{self._n}"

    def remember(self, req: P.Request) -> None:
        """Note `req` as the last command if it is one (`writes`): the hellos, pings and
        snapshots sent on the way change nothing, so they are never what `last` resends."""
        if req.writes:
            self.last_command = req

    def last(self) -> P.Request:
        """The last command remembered, to send again under its own req_id (RuntimeError if
        none): the hub answers a repeated req_id with its first reply."""
        if self.last_command is None:
            raise RuntimeError("no command sent yet")
        return self.last_command

    def send(
        self,
        req_id: str,
        body: bytes,
        now: float,
        *,
        timeout: float,
        retries: int,
        patience: float | None = None,
        callback: Callback | None = None,
    ) -> Pending:
        """Note `body` going out now on connection `conn` (the shell sends it)."""
        earlier = self.pending.get(req_id)
        conn = self.conn if earlier is None else min(earlier.conn, self.conn)
        give_up_at = None if patience is None else now + patience
        p = Pending(req_id, body, conn, now, timeout, retries, give_up_at, callback)
        self.pending[req_id] = p
        return p

    def answer(self, req_id: str) -> Pending | None:
        """The pending request an answer to `req_id` ends, or None for an answer nobody
        waits for (a second copy of one already answered, or one given up)."""
        return self.pending.pop(req_id, None)

    def forget(self, req_id: str) -> None:
        """Stop waiting for `req_id` without an answer or a failure."""
        self.pending.pop(req_id, None)

    def clear(self) -> None:
        """Forget every request and retired connection (the shell closes its sockets)."""
        self.pending.clear()
        self.retired.clear()

    def tick(self, now: float) -> Step:
        """Retry, give up and expire what is due at `now`."""
        step = Step()
        silent = False
        for p in list(self.pending.values()):
            patience_over = p.give_up_at is not None and now >= p.give_up_at
            if not patience_over and now < p.sent_at + p.timeout:
                continue
            silent = True
            if patience_over or (p.give_up_at is None and p.tries >= p.retries):
                del self.pending[p.req_id]
                step.failed.append(p)
            else:
                p.tries += 1
                p.sent_at = now
        if silent:  # a silent hub may have lost this connection: go on on a fresh one
            step.retire = self.conn
            self.retired[self.conn] = now + self.reply_grace
            self.conn += 1
            step.resend = list(self.pending.values())
        oldest = min((p.conn for p in self.pending.values()), default=self.conn)
        step.close = [c for c, until in self.retired.items() if c < oldest or now >= until]
        for c in step.close:
            del self.retired[c]
        return step

    def next_deadline(self) -> float | None:
        """When `tick` next has something to do (None: nothing pending or retired)."""
        times = [p.sent_at + p.timeout for p in self.pending.values()]
        times += [p.give_up_at for p in self.pending.values() if p.give_up_at is not None]
        times += [t for t in self.retired.values() if t < math.inf]
        return min(times, default=None)
