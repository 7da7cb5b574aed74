"""The engine's state and plumbing, shared by its command groups (hall.core.engine).

`EngineBase` holds the hall's records and waiting lists and the helpers every command
uses: the pending events and changed records of the command in progress, the clock,
lookups that raise the right refusal, and the waiting-list bookkeeping and load figures
the routing and the wait estimate read.
"""

from __future__ import annotations

import bisect
import hashlib
import hmac
import math
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from hall.core import errors as E
from hall.core.engine import lifecycle
from hall.core.events import Event, EventData
from hall.core.forecast import (
    Estimate,
    QueueLoad,
    learned_service_minutes,
    queue_estimate,
)
from hall.core.history import History
from hall.core.layout import Layout
from hall.core.model import (
    Appointment,
    FollowUpCase,
    PriorityClass,
    Ticket,
    WindowState,
    WindowStatus,
)
from hall.core.routing import SHARES_SKILLS, Policy, get_policy

if TYPE_CHECKING:
    from hall.core.engine import Engine

Clock = Callable[[], datetime]
Estimator = Callable[["Engine", Ticket], Estimate]
TOKEN_BYTES = 16  # 128 bits: a ticket's token (its QR) cannot be guessed


def new_token() -> str:
    """A ticket's token: 128 random bits, URL-safe (22 characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def _token_key(token: str) -> bytes:
    """What the token index is keyed by: a digest, so a lookup's timing says nothing about
    how much of a guessed token matched (the match itself is compared in constant time)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


@dataclass(frozen=True, slots=True)
class PersonRef:
    """A citizen as the engine may know them: a keyed hash, masked forms, birth date."""

    hash: str
    id_masked: str = ""
    name_masked: str = ""
    birth_date: date | None = None


@dataclass
class Changes:
    """Records a command changed, for the store to write in the same transaction."""

    tickets: dict[str, Ticket] = field(default_factory=dict)
    windows: dict[int, WindowStatus] = field(default_factory=dict)
    counters: dict[tuple[date, str], int] = field(default_factory=dict)
    appointments: dict[str, Appointment] = field(default_factory=dict)
    cases: dict[str, FollowUpCase] = field(default_factory=dict)


@dataclass
class Outcome:
    value: dict[str, Any]
    events: list[Event]
    changes: Changes


def default_estimator(engine: Engine, t: Ticket) -> Estimate:
    """The wait printed on tickets (hall.core.forecast.queue_estimate; `hall simulate` measures it
    against the simple (ahead + 1) / (windows × rate) baseline)."""
    return queue_estimate(engine, t)


def neighbours(layout: Layout) -> dict[int, tuple[str, ...]]:
    """Per window, the queues it may help when its own have nobody waiting: its skills
    that some window on its floor serves by default (the queues of its floor's area)."""
    served: dict[str, set[str]] = {}
    for w in layout.windows.values():
        served.setdefault(w.floor, set()).add(next(iter(w.profile)))
    return {
        n: tuple(q for q in w.skills if q in served[w.floor] and q != next(iter(w.profile)))
        for n, w in layout.windows.items()
    }


class EngineBase:
    """The hall's records for one layout and the plumbing of a command. Not thread-safe."""

    def __init__(
        self,
        layout: Layout,
        clock: Clock,
        *,
        policy: str | Policy = "default",
        items: Mapping[str, str] | None = None,
        estimator: Estimator = default_estimator,
        token: Callable[[], str] = new_token,
    ) -> None:
        self.layout = layout
        self.clock = clock
        self.policy: Policy = get_policy(policy) if isinstance(policy, str) else policy
        self.items = dict(items or {})  # item code -> domain
        self.estimator = estimator
        # What the hall learned from its past days (the hub loads it from the store, `hall
        # simulate` from the days it simulated before): the estimate's and advisor's constants.
        self.history = History()
        self.new_token = token
        self._tokens: dict[bytes, str] = {}  # _token_key(token) -> ticket id (see by_token)
        self._tokens_of: tuple[int, int] = (0, -1)  # (id, len) of the tickets it was made of
        self.day: date | None = None
        self.tickets: dict[str, Ticket] = {}
        self.windows = {
            n: WindowStatus(n, profile=dict(w.profile)) for n, w in layout.windows.items()
        }
        self.counters: dict[tuple[date, str], int] = {}
        self.appointments: dict[str, Appointment] = {}
        self.cases: dict[str, FollowUpCase] = {}
        # Last reported health of each device's parts (not saved: devices report again).
        self.device_health: dict[str, dict[str, dict[str, str]]] = {}
        # What the last device.health event of each device said, and the events it may
        # still have told at once at that time (a bucket: see Ratings.HEALTH_HOLD), its role.
        self._health_told: dict[str, tuple[dict[str, dict[str, str]], float, datetime]] = {}
        self._health_role: dict[str, str] = {}
        self._waiting: dict[str, dict[PriorityClass, list[Ticket]]] = {q: {} for q in layout.queues}
        self._targeted: dict[int, list[Ticket]] = {}
        self._by_person: dict[str, list[str]] = {}
        self._durations: dict[str, tuple[float, int]] = {}
        self._homes = {n: next(iter(w.profile)) for n, w in layout.windows.items()}
        self.neighbours = neighbours(layout)
        self._reset_pending()

    # ---------------------------------------------------------------- plumbing

    def _reset_pending(self) -> None:
        self._events: list[Event] = []
        self._changes = Changes()

    def _emit(self, now: datetime, data: EventData) -> None:
        self._events.append(Event(now, data))

    def _touch(self, *objs: Ticket | WindowStatus | Appointment | FollowUpCase) -> None:
        for o in objs:
            if isinstance(o, Ticket):
                self._changes.tickets[o.id] = o
            elif isinstance(o, WindowStatus):
                self._changes.windows[o.number] = o
            elif isinstance(o, Appointment):
                self._changes.appointments[o.id] = o
            else:
                self._changes.cases[o.id] = o

    def _done(self, value: dict[str, Any] | None = None) -> Outcome:
        out = Outcome(value or {}, self._events, self._changes)
        self._reset_pending()
        return out

    def _now(self) -> datetime:
        self._reset_pending()  # a refused command earlier may have left half-built lists
        return self.clock()

    def _window(self, number: int) -> WindowStatus:
        if number not in self.windows:
            raise E.UnknownWindow(f"{number}")
        return self.windows[number]

    def _ticket(self, ticket_id: str) -> Ticket:
        t = self.tickets.get(ticket_id)
        if t is None:
            raise E.NoSuchTicket(ticket_id)
        return t

    def by_token(self, token: str) -> Ticket | None:
        """Today's ticket with this token (a QR scanned on a phone), or None. The index is
        rebuilt when the tickets were replaced (restore, a new day) or grew behind it;
        the token found is compared with the one asked in constant time."""
        src = (id(self.tickets), len(self.tickets))
        if src != self._tokens_of:
            self._tokens = {_token_key(t.token): k for k, t in self.tickets.items() if t.token}
            self._tokens_of = src
        ticket_id = self._tokens.get(_token_key(token))
        t = self.tickets.get(ticket_id) if ticket_id is not None else None
        if (
            t is None
            or t.token is None
            or not hmac.compare_digest(t.token.encode(), token.encode("utf-8", "surrogatepass"))
        ):
            return None
        return t

    def _index_token(self, t: Ticket) -> None:
        """A new ticket's token into the index (kept in step unless it is stale anyway)."""
        if t.token is not None and self._tokens_of[0] == id(self.tickets):
            self._tokens[_token_key(t.token)] = t.id
            self._tokens_of = (id(self.tickets), len(self.tickets))

    def _move(self, t: Ticket, command: lifecycle.Command) -> None:
        """Move `t` by the lifecycle table: the one place a ticket's state is set."""
        t.state = lifecycle.next_state(t, command)

    # ---------------------------------------------------------------- waiting lists

    def _enqueue(self, t: Ticket) -> None:
        if t.target_window is not None:
            lst = self._targeted.setdefault(t.target_window, [])
        else:
            lst = self._waiting[t.queue].setdefault(t.priority, [])
        bisect.insort(lst, t, key=lambda x: (x.enqueued_at, x.id))

    def _dequeue(self, t: Ticket) -> None:
        if t.target_window is not None:
            lst = self._targeted.get(t.target_window, [])
        else:
            lst = self._waiting[t.queue].get(t.priority, [])
        lst.remove(t)

    def heads(self) -> dict[str, dict[PriorityClass, Ticket]]:
        """The oldest waiting ticket of each class in each queue (what routing looks at)."""
        return {q: {c: lst[0] for c, lst in cls.items() if lst} for q, cls in self._waiting.items()}

    def waiting(self, queue: str) -> list[Ticket]:
        """Waiting tickets of a queue, oldest first (targeted transfers excluded)."""
        out = [t for lst in self._waiting[queue].values() for t in lst]
        return sorted(out, key=lambda t: (t.enqueued_at, t.id))

    def waiting_count(self, queue: str) -> int:
        return sum(len(lst) for lst in self._waiting[queue].values())

    def waiting_since(self, queue: str, priority: PriorityClass, since: datetime) -> int:
        """Waiting tickets of one class of `queue` that joined it at `since` or before."""
        lst = self._waiting[queue].get(priority, [])
        return bisect.bisect_right(lst, since, key=lambda x: x.enqueued_at)

    # ---------------------------------------------------------------- estimates

    def servers(self, queue: str) -> float:
        """Open windows serving `queue`, each counted by its profile weight share."""
        total = 0.0
        for w in self.windows.values():
            p = w.profile  # the cheap membership test first: this runs on every issue
            if queue in p and w.state is WindowState.OPEN and w.active_post:
                total += p[queue] / sum(p.values())
        return total

    def free_windows(self, queue: str, *, helpers: bool = False) -> int:
        """Open, staffed windows serving `queue` (in their profile) with nobody at them; with
        `helpers`, and those that would help it (a neighbour, under a policy that shares
        skills)."""
        share = helpers and self.policy in SHARES_SKILLS
        n = 0
        for w in self.windows.values():
            if w.current is not None or w.state is not WindowState.OPEN or not w.active_post:
                continue
            if queue in w.profile or (share and queue in self.neighbours[w.number]):
                n += 1
        return n

    def helpers(self, queue: str) -> int:
        """Open, staffed windows that do not serve `queue` in their profile but will call it
        at their next call if nothing changes (under a policy that shares skills): a window
        with `queue` among its floor's neighbours and nobody waiting in its profile, or with
        it among its `other_floors` (the layout's rule on) and nobody waiting in its profile
        or neighbours (hall.core.routing). The printed estimate counts them as servers."""
        if self.policy not in SHARES_SKILLS:
            return 0
        far_on = math.isfinite(self.layout.priority.other_floor_wait_minutes)
        busy = {q for q, cls in self._waiting.items() if any(cls.values())}
        n = 0
        for w in self.windows.values():
            if queue in w.profile or w.state is not WindowState.OPEN or not w.active_post:
                continue
            if busy.intersection(w.profile):
                continue
            near = self.neighbours[w.number]
            if queue in near:
                n += 1
            elif far_on and queue in self.layout.windows[w.number].other_floors:
                n += busy.isdisjoint(near)
        return n

    def _ahead(self, queue: str, priority: PriorityClass) -> int:
        """Waiting tickets of `queue` whose class accumulates at least as fast."""
        rates = self.layout.priority.rates
        own = rates[priority.value]
        return sum(len(lst) for c, lst in self._waiting[queue].items() if rates[c.value] >= own)

    def queue_load(self, queue: str, priority: PriorityClass = PriorityClass.NORMAL) -> QueueLoad:
        planned = self.layout.queues[queue].service_minutes
        prior = self.history.service_minutes(queue, self.clock().hour, planned)
        svc = learned_service_minutes(self._durations, queue, prior)
        return QueueLoad(queue, self._ahead(queue, priority), self.servers(queue), svc)
