"""The queue engine under random command sequences (hypothesis stateful testing).

After every step: a ticket is held by at most one window and window and ticket agree;
numbers are unique per queue and day; every accepted change is an event and a record in
`Outcome.changes`; a refusal changes nothing; the waiting lists hold exactly the WAITING
tickets; and nothing waits forever while its queue is served (see `call_next`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from hall.core.engine import Engine, Outcome, PersonRef, at
from hall.core.errors import HallError
from hall.core.layout import Layout, default_layout_path, load_layout
from hall.core.model import PriorityClass, Ticket, TicketState

WINDOWS = [1, 2, 5, 9, 20, 26, 31]  # a few of each kind: general, domain, output
_JIANGBEI = load_layout(default_layout_path())
# Jiangbei with only those windows (every queue is still served): the same rules, and a
# state small enough to compare whole after every step.
LAYOUT: Layout = dataclasses.replace(_JIANGBEI, windows={n: _JIANGBEI.windows[n] for n in WINDOWS})
THU = date(2026, 11, 26)
QUEUES = list(LAYOUT.queues)
ITEMS = {"biz": "market", "road": "transport", "build": "construction", "other": "social"}
BIRTHS = [None, date(1980, 5, 1), date(1950, 1, 1), date(1956, 11, 26), date(1956, 11, 27)]
MAX_WAIT = timedelta(minutes=LAYOUT.priority.max_wait_minutes)
LATE = timedelta(minutes=LAYOUT.priority.late_wait_minutes)
OTHER_FLOOR = timedelta(minutes=LAYOUT.priority.other_floor_wait_minutes)


def _late_rate(t: Ticket) -> float:
    green = t.priority is PriorityClass.GREEN
    return LAYOUT.priority.rates[PriorityClass.GREEN.value] if green else 1.0


windows = st.sampled_from(WINDOWS)
picks = st.integers(min_value=0, max_value=10_000)  # index into the current tickets


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class HallMachine(RuleBasedStateMachine):
    """Drives one engine with random commands; checks the invariants after each."""

    eng: Engine
    clock: Clock

    @initialize(housekeep_first=st.booleans(), closed=st.sets(windows, max_size=3))
    def start_day(self, housekeep_first: bool, closed: set[int]) -> None:
        self.clock = Clock(at(THU, "09:00"))
        self.eng = Engine(LAYOUT, self.clock, items=ITEMS)
        self.numbers: set[tuple[date, str]] = set()  # (day, number) ever issued
        self.transfers = 0
        # window -> ticket id -> (calls of that window since it was over the wait cap, bound)
        self.overdue: dict[int, dict[str, list[int]]] = {}
        if housekeep_first:
            self.do(self.eng.housekeep)
        for n in sorted(set(WINDOWS) - closed):
            self.do(self.eng.open_window, window=n)
            self.do(self.eng.sign_in, window=n, post="A", staff_no=f"S{n}", name="办事员")

    # ---------------------------------------------------------------- the harness

    def do(self, fn: Callable[..., Outcome], **kw: Any) -> Outcome | None:
        """Apply a command; check the refusal and change-record invariants around it."""
        eng = self.eng
        before = eng.state_digest()
        try:
            out = fn(**kw)
        except HallError:
            assert eng.state_digest() == before, f"refused {fn.__name__} changed state"
            return None
        after = eng.state_digest()
        ch = out.changes
        for kind, recorded in (
            ("tickets", ch.tickets),
            ("windows", ch.windows),
            ("appointments", ch.appointments),
            ("cases", ch.cases),
        ):
            for key, rec in after[kind].items():
                if before[kind].get(key) != rec:
                    assert key in recorded, f"{fn.__name__} changed {kind} {key} silently"
                    assert recorded[key].to_dict() == rec
        for (d, q), n in ch.counters.items():
            assert eng.counters[(d, q)] == n
        changed = {k: v for k, v in after.items() if before[k] != v}
        changed.pop("durations", None)  # a statistic, not a record
        if changed:
            assert out.events, f"{fn.__name__} changed {sorted(changed)} without an event"
        for e in out.events:
            assert e.stream in ("board", "staff") and e.at == self.clock.now
        return out

    def ticket(self, i: int, *states: TicketState) -> str:
        """Mostly a ticket in one of `states`; sometimes any ticket or an unknown id."""
        ids = sorted(self.eng.tickets)
        fit = [k for k in ids if self.eng.tickets[k].state in states]
        if fit and i % 4 != 3:
            return fit[i % len(fit)]
        if not ids or i % 7 == 6:
            return "19700101-Z999"
        return ids[i % len(ids)]

    def window(self, i: int, busy: bool) -> int:
        """Mostly a window that can act (ready to call, or holding a ticket); sometimes any."""
        ws = self.eng.windows.values()
        if busy:
            fit = [w.number for w in ws if w.current is not None]
        else:
            fit = [w.number for w in ws if w.state.value == "open" and w.active_post]
            fit = [n for n in fit if self.eng.windows[n].current is None] or fit
            fit = [n for n in fit if self.has_work(n)] or fit
        if fit and i % 6 != 5:
            return fit[i % len(fit)]
        return WINDOWS[i % len(WINDOWS)]

    def has_work(self, n: int) -> bool:
        eng = self.eng
        return bool(eng._targeted.get(n)) or any(
            eng.waiting_count(q) for q in eng.windows[n].profile
        )

    # ---------------------------------------------------------------- the clock

    @rule(minutes=st.sampled_from([1, 2, 5, 10, 0, 20, 45]))
    def advance(self, minutes: int) -> None:
        self.clock.now += timedelta(minutes=minutes)

    @rule(
        working=st.sampled_from([True, True, True, False]),
        hour=st.sampled_from([9, 9, 9, 10, 13, 8, 16, 0]),
        keep=st.sampled_from([True, True, False]),
    )
    def past_midnight(self, working: bool, hour: int, keep: bool) -> None:
        """To the next working day (or just the next day), at some hour."""
        d = self.clock.now.date()
        d = LAYOUT.hours.add_working_days(d, 1) if working else d + timedelta(days=1)
        self.clock.now = datetime(d.year, d.month, d.day, hour, 0)
        if keep:  # the hub housekeeps on a timer; sometimes a command comes first
            self.do(self.eng.housekeep)

    def housekeep(self) -> None:
        self.do(self.eng.housekeep)

    # ---------------------------------------------------------------- citizens

    @rule(
        citizens=st.lists(
            st.tuples(
                st.sampled_from([*QUEUES, "G", "G", "M", None]),
                st.sampled_from([None, None, None, *ITEMS, "nope"]),
                st.one_of(st.none(), st.integers(min_value=0, max_value=5)),
                st.sampled_from(BIRTHS),
                st.sampled_from(["kiosk", "kiosk", "staff", "appointment"]),
                st.booleans(),
            ),
            min_size=1,
            max_size=4,
        )
    )
    def issue(self, citizens: list[tuple[Any, ...]]) -> None:
        for queue, item, who, born, channel, green in citizens:
            self.issue_one(queue, item, who, born, channel, green)

    def issue_one(
        self,
        queue: str | None,
        item: str | None,
        who: int | None,
        born: date | None,
        channel: str,
        green: bool,
    ) -> None:
        p = None if who is None else PersonRef(f"h{who}", "5001**1234", "张*", born)
        if queue is None and item is None:
            queue = "G"
        out = self.do(
            self.eng.issue, queue=queue, item=item, person=p, channel=channel, green=green
        )
        if out is not None:
            t = self.eng.tickets[out.value["ticket"]["id"]]
            key = (t.day, t.number)
            assert key not in self.numbers, f"number {t.number} issued twice on {t.day}"
            self.numbers.add(key)
            assert t.number[0] == LAYOUT.queues[t.queue].prefix and len(t.number) == 4
            assert int(t.number[1:]) == self.eng.counters[(t.day, t.queue)]
            assert [e.type for e in out.events] == ["ticket.issued"]

    def book(self, who: int, queue: str, minutes: int) -> None:
        slot = self.clock.now + timedelta(minutes=minutes)
        slot = slot.replace(minute=slot.minute // 15 * 15)
        p = PersonRef(f"h{who}")
        self.do(self.eng.book_appointment, person=p, queue=queue, slot=slot)

    def cancel(self, i: int) -> None:
        self.do(self.eng.cancel, ticket=self.ticket(i, TicketState.WAITING, TicketState.PARKED))

    def check_in_again(self, i: int) -> None:
        self.do(self.eng.check_in_again, ticket=self.ticket(i, TicketState.NO_SHOW))

    def rate(self, i: int, level: int, reasons: list[str]) -> None:
        tid = self.ticket(i, TicketState.FINISHED)
        self.do(self.eng.rate, ticket=tid, level=level, reasons=reasons)

    def follow_up(self, i: int, action: str) -> None:
        cases = sorted(self.eng.cases) or ["FU-none"]
        self.do(self.eng.follow_up, case=cases[i % len(cases)], action=action, by="m")

    # ---------------------------------------------------------------- the counter

    def call_next(self, i: int) -> None:
        eng = self.eng
        w = self.window(i, busy=False)
        ws = eng.windows[w]
        profile = dict(ws.profile)
        targeted = [t.id for t in eng._targeted.get(w, [])]
        pool = [t for q in profile for t in eng.waiting(q)]
        # with nobody waiting in its profile, the default routing helps a neighbouring queue
        # it is skilled for on its floor (issue 23)
        helping = [t for q in eng.neighbours[w] if q not in profile for t in eng.waiting(q)]
        now = self.clock.now
        # ... and with nobody there either, another floor's ticket (its `other_floors`) that
        # has waited the layout's other_floor_wait_minutes (issue 23)
        far = [t for q in eng.layout.windows[w].other_floors if q not in profile
               for t in eng.waiting(q) if now - t.enqueued_at >= OTHER_FLOOR]  # fmt: skip
        out = self.do(eng.call_next, window=w)
        if out is None:
            return
        got = out.value["ticket"]
        # Liveness: a ready window never idles while its profile, or else its neighbouring
        # queues, or else its other floors' queues past the wait, have waiting tickets.
        assert (got is None) == (not targeted and not pool and not helping and not far)
        if got is None or targeted:
            if targeted:
                assert got["id"] == targeted[0]
            return
        # Aging across skills (issue 23): unless a ticket of its profile is past the cap, a
        # late ticket of its profile or neighbouring queues goes before any that is not.
        capped = any(now - t.enqueued_at >= MAX_WAIT for t in pool)
        # (a green-channel ticket's minutes count at its class rate)
        late = [t.id for t in (*pool, *helping) if (now - t.enqueued_at) * _late_rate(t) >= LATE]
        if late and not capped:
            assert got["id"] in late, (got["id"], late)
        if not pool and not helping:  # it helped another floor, only past the wait
            assert got["id"] in {t.id for t in far}
            return
        if not pool:  # it helped a neighbouring queue
            assert got["id"] in {t.id for t in helping}
            return
        # Fairness: once any ticket of the profile has waited past the cap, the window calls
        # the longest-waiting one, so a ticket past the cap is overtaken only by tickets
        # that were ahead of it; `overdue` checks that as a bound on calls.
        oldest = min(pool, key=lambda t: (t.enqueued_at, t.id))
        picked = eng.tickets[got["id"]]
        if now - oldest.enqueued_at >= MAX_WAIT:
            assert picked.enqueued_at == oldest.enqueued_at, (picked.id, oldest.id)
        self.track_overdue(w, pool, picked, now)

    def track_overdue(self, w: int, pool: list[Ticket], picked: Ticket, now: datetime) -> None:
        over = {t.id: t for t in pool if now - t.enqueued_at >= MAX_WAIT}
        mine = self.overdue.setdefault(w, {})
        for tid in list(mine):
            if tid not in over:
                del mine[tid]  # called, gone elsewhere, or out of this window's profile
        for tid, t in over.items():
            if tid == picked.id:
                mine.pop(tid, None)
                continue
            if tid not in mine:
                # Only these may still go first: tickets waiting no shorter than it, and
                # transfers (which keep their issue time) arriving from now on.
                ahead = sum(1 for x in pool if x.enqueued_at <= t.enqueued_at and x is not t)
                mine[tid] = [0, ahead, self.transfers]
            mine[tid][0] += 1
            calls, ahead, transfers_then = mine[tid]
            bound = ahead + self.transfers - transfers_then
            assert calls <= bound, f"{tid} passed over {calls} times (bound {bound})"

    def recall(self, i: int) -> None:
        self.do(self.eng.recall, window=self.window(i, busy=True))

    def start(self, i: int) -> None:
        self.do(self.eng.start, window=self.window(i, busy=True))

    def finish(self, i: int) -> None:
        self.do(self.eng.finish, window=self.window(i, busy=True))

    def no_show(self, i: int) -> None:
        self.do(self.eng.no_show, window=self.window(i, busy=True))

    def transfer(self, i: int, to_queue: str | None, to_window: int | None) -> None:
        w = self.window(i, busy=True)
        if to_queue is not None and to_window is not None and i % 3:
            to_queue, to_window = (None, to_window) if i % 2 else (to_queue, None)
        if self.do(self.eng.transfer, window=w, to_queue=to_queue, to_window=to_window):
            self.transfers += 1

    def park(self, i: int) -> None:
        self.do(self.eng.park, window=self.window(i, busy=True))

    def call_back(self, i: int, other: bool) -> None:
        parked = [(n, p) for n in WINDOWS for p in self.eng.windows[n].parked]
        if parked and i % 5 != 4:
            w, tid = parked[i % len(parked)]
            w = WINDOWS[i % len(WINDOWS)] if other else w
        else:
            w, tid = WINDOWS[i % len(WINDOWS)], self.ticket(i)
        self.do(self.eng.call_back, window=w, ticket=tid)

    # ---------------------------------------------------------------- windows

    def open_window(self, w: int) -> None:
        self.do(self.eng.open_window, window=w)

    def close_window(self, w: int) -> None:
        self.do(self.eng.close_window, window=w)

    def pause(self, w: int) -> None:
        self.do(self.eng.pause, window=w, reason="暂离")

    def resume(self, w: int) -> None:
        self.do(self.eng.resume, window=w)

    def sign_in(self, w: int, post: str, staff: int) -> None:
        self.do(self.eng.sign_in, window=w, post=post, staff_no=f"S{staff}", name="办事员")

    def sign_out(self, w: int, post: str) -> None:
        self.do(self.eng.sign_out, window=w, post=post)

    def set_profile(self, w: int, profile: dict[str, float]) -> None:
        self.do(self.eng.set_profile, window=w, profile=profile)

    # ---------------------------------------------------------------- dispatch
    # Few rules, so hypothesis picks the counter's actions often enough for tickets to
    # flow through every state within a run of 60 steps.

    COUNTER = ("call_next",) * 3 + ("start", "start", "finish", "finish", "recall", "recall")
    COUNTER += ("no_show", "transfer", "park", "call_back", "call_back")
    MANAGE = ("open_window", "close_window", "pause", "resume", "sign_in", "sign_out")
    MANAGE += ("set_profile", "set_profile", "housekeep")

    @rule(
        action=st.sampled_from(COUNTER),
        i=picks,
        to_queue=st.sampled_from([None, *QUEUES, "Z"]),
        to_window=st.sampled_from([None, *WINDOWS]),
        other=st.booleans(),
    )
    def counter(
        self, action: str, i: int, to_queue: str | None, to_window: int | None, other: bool
    ) -> None:
        busy = any(w.current for w in self.eng.windows.values())
        if action != "call_back" and not busy and i % 8 != 7:
            action = "call_next"  # nothing to act on yet: keep tickets flowing
            if not any(self.has_work(n) for n in WINDOWS):
                # hypothesis may switch the issue rule off for a run (swarm testing)
                self.issue_one(QUEUES[i % len(QUEUES)], None, None, None, "kiosk", False)
        if action == "transfer":
            self.transfer(i, to_queue, to_window)
        elif action == "call_back":
            self.call_back(i, other)
        else:
            getattr(self, action)(i)

    @rule(
        action=st.sampled_from(COUNTER),
        i=picks,
        to_queue=st.sampled_from([None, *QUEUES, "Z"]),
        to_window=st.sampled_from([None, *WINDOWS]),
        other=st.booleans(),
    )
    def counter_too(
        self, action: str, i: int, to_queue: str | None, to_window: int | None, other: bool
    ) -> None:
        self.counter(action, i, to_queue, to_window, other)

    @rule(
        action=st.sampled_from(MANAGE),
        w=windows,
        post=st.sampled_from(["A", "B", "B", "C"]),
        staff=st.integers(0, 3),
        profile=st.dictionaries(
            st.sampled_from([*QUEUES, "G", "M", "Z"]),
            st.sampled_from([0.0, 0.5, 1.0, 1.0, 3.0]),
            min_size=1,
            max_size=3,
        ),
    )
    def manage(self, action: str, w: int, post: str, staff: int, profile: dict[str, float]) -> None:
        if action == "sign_in":
            self.sign_in(w, post, staff)
        elif action == "sign_out":
            self.sign_out(w, "A" if post == "C" else post)
        elif action == "set_profile":
            self.set_profile(w, profile)
        elif action == "housekeep":
            self.housekeep()
        else:
            getattr(self, action)(w)

    @rule(
        action=st.sampled_from(["cancel", "check_in_again", "rate", "rate", "follow_up", "book"]),
        i=picks,
        level=st.integers(min_value=0, max_value=6),
        reasons=st.lists(st.sampled_from(["态度", "效率", "其他", "天气"]), max_size=2),
        case_action=st.sampled_from(["contact", "complex", "rectify", "close", "x"]),
        queue=st.sampled_from(QUEUES),
        minutes=st.integers(min_value=-30, max_value=120),
    )
    def citizen(
        self,
        action: str,
        i: int,
        level: int,
        reasons: list[str],
        case_action: str,
        queue: str,
        minutes: int,
    ) -> None:
        if action == "rate":
            self.rate(i, level, reasons)
        elif action == "follow_up":
            self.follow_up(i, case_action)
        elif action == "book":
            self.book(i % 6, queue, minutes)
        else:
            getattr(self, action)(i)

    # ---------------------------------------------------------------- invariants

    @invariant()
    def windows_and_tickets_agree(self) -> None:
        eng = self.eng
        held: dict[str, int] = {}
        for n, w in eng.windows.items():
            for tid in [w.current, *w.parked] if w.current else w.parked:
                assert tid not in held, f"{tid} held by windows {held[tid]} and {n}"
                held[tid] = n
            if w.current is not None:
                t = eng.tickets[w.current]
                assert t.state in (TicketState.CALLED, TicketState.SERVING)
                assert t.window == n
            for tid in w.parked:
                t = eng.tickets[tid]
                assert t.state is TicketState.PARKED and t.window == n
        for t in eng.tickets.values():
            if t.state in (TicketState.CALLED, TicketState.SERVING, TicketState.PARKED):
                assert held.get(t.id) == t.window, f"{t.id} {t.state} lost its window"
            if t.state in (TicketState.CALLED, TicketState.SERVING):
                assert eng.windows[t.window].current == t.id  # type: ignore[index]

    @invariant()
    def waiting_lists_hold_exactly_the_waiting(self) -> None:
        eng = self.eng
        listed: list[str] = []
        for q in QUEUES:
            lst = eng.waiting(q)
            assert all(t.queue == q and t.target_window is None for t in lst)
            listed += [t.id for t in lst]
            for cls, head in eng.heads()[q].items():
                assert head is min(
                    (t for t in lst if t.priority is cls), key=lambda t: (t.enqueued_at, t.id)
                )
        for n, lst in eng._targeted.items():
            assert all(t.target_window == n and eng.tickets[t.id] is t for t in lst)
            listed += [t.id for t in lst]
        assert len(listed) == len(set(listed))
        assert set(listed) == {t.id for t in eng.tickets.values() if t.state is TicketState.WAITING}

    @invariant()
    def numbers_unique_per_queue_and_day(self) -> None:
        eng = self.eng
        seen = {(t.day, t.number) for t in eng.tickets.values()}
        assert len(seen) == len(eng.tickets)
        for t in eng.tickets.values():
            assert t.id == f"{t.day:%Y%m%d}-{t.number}"
            assert int(t.number[1:]) <= eng.counters.get((t.day, _home(t)), 0)

    @invariant()
    def priorities_are_known(self) -> None:
        for t in self.eng.tickets.values():
            assert t.priority in PriorityClass


def _home(t: Ticket) -> str:
    """The queue that gave a ticket its number (a transfer keeps the number)."""
    return next(q.id for q in LAYOUT.queues.values() if q.prefix == t.number[0])


HallMachine.TestCase.settings = settings(
    max_examples=150,
    stateful_step_count=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestHallMachine = HallMachine.TestCase
