"""The queue engine: a pure state machine. Commands in, events out; a clock injected.

Every command method checks all of its rules first and only then changes state,
so a refusal (a `HallError`) leaves the engine exactly as it was. Each accepted
command returns an `Outcome`: its reply value, the events it produced and the
records it changed, which the store writes in one transaction (DESIGN.md §4–5).
The engine never reads the wall clock, a socket or a file.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, ClassVar

from hall import errors as E
from hall.forecast import (
    Estimate,
    QueueLoad,
    learned_service_minutes,
    queue_estimate,
)
from hall.layout import Layout
from hall.model import (
    BAD_RATING_REASONS,
    BOARD,
    STAFF,
    Appointment,
    CaseState,
    Clerk,
    Event,
    FollowUpCase,
    PriorityClass,
    RatingLevel,
    Ticket,
    TicketState,
    WindowState,
    WindowStatus,
)
from hall.routing import Policy, RouteWindow, get_policy

Clock = Callable[[], datetime]
Estimator = Callable[["Engine", Ticket], Estimate]


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
    """The wait printed on tickets (hall.forecast.queue_estimate; `hall simulate` measures it
    against the simple (ahead + 1) / (windows × rate) baseline)."""
    return queue_estimate(engine, t)


class Engine:
    """The hall's queues and windows for one layout. Not thread-safe: one owner (the hub)."""

    def __init__(
        self,
        layout: Layout,
        clock: Clock,
        *,
        policy: str | Policy = "default",
        items: Mapping[str, str] | None = None,
        estimator: Estimator = default_estimator,
    ) -> None:
        self.layout = layout
        self.clock = clock
        self.policy: Policy = get_policy(policy) if isinstance(policy, str) else policy
        self.items = dict(items or {})  # item code -> domain
        self.estimator = estimator
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
        self._waiting: dict[str, dict[PriorityClass, list[Ticket]]] = {q: {} for q in layout.queues}
        self._targeted: dict[int, list[Ticket]] = {}
        self._by_person: dict[str, list[str]] = {}
        self._durations: dict[str, tuple[float, int]] = {}
        self._homes = {n: next(iter(w.profile)) for n, w in layout.windows.items()}
        self._reset_pending()

    # ---------------------------------------------------------------- plumbing

    def _reset_pending(self) -> None:
        self._events: list[Event] = []
        self._changes = Changes()

    def _emit(self, stream: str, type_: str, now: datetime, **data: Any) -> None:
        self._events.append(Event(stream, type_, now, data))

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

    # ---------------------------------------------------------------- estimates

    def servers(self, queue: str) -> float:
        """Open windows serving `queue`, each counted by its profile weight share."""
        total = 0.0
        for w in self.windows.values():
            p = w.profile  # the cheap membership test first: this runs on every issue
            if queue in p and w.state is WindowState.OPEN and w.active_post:
                total += p[queue] / sum(p.values())
        return total

    def _ahead(self, queue: str, priority: PriorityClass) -> int:
        """Waiting tickets of `queue` whose class accumulates at least as fast."""
        rates = self.layout.priority.rates
        own = rates[priority.value]
        return sum(len(lst) for c, lst in self._waiting[queue].items() if rates[c.value] >= own)

    def queue_load(self, queue: str, priority: PriorityClass = PriorityClass.NORMAL) -> QueueLoad:
        planned = self.layout.queues[queue].service_minutes
        svc = learned_service_minutes(self._durations, queue, planned)
        return QueueLoad(queue, self._ahead(queue, priority), self.servers(queue), svc)

    # ---------------------------------------------------------------- tickets

    def issue(
        self,
        *,
        queue: str | None = None,
        item: str | None = None,
        person: PersonRef | None = None,
        channel: str = "kiosk",
        green: bool = False,
    ) -> Outcome:
        """Issue a ticket (walk-in, appointment check-in, or by staff)."""
        now = self._now()
        day = now.date()
        lay = self.layout
        if item is not None:
            if item not in self.items:
                raise E.UnknownItem(item)
            queue = queue or lay.queue_for_domain(self.items[item])
        if queue is None and channel == "appointment" and person is not None:
            # Checking in with only a card: the appointment says which queue.
            queue = self._find_appointment(person.hash, None, day).queue
        if queue is None or queue not in lay.queues:
            raise E.UnknownQueue(str(queue))
        if not lay.hours.issuing(day, now.time()):
            raise E.HallClosed()
        q = lay.queues[queue]
        issued = self.counters.get((day, queue), 0)
        if q.daily_cap and issued >= q.daily_cap:
            raise E.CapReached(q.name)
        if person is None and not lay.limits.allow_without_card and channel != "staff":
            raise E.CardRequired()
        priority = PriorityClass.NORMAL
        appointment: Appointment | None = None
        if person is not None:
            mine = [self.tickets[i] for i in self._by_person.get(person.hash, [])]
            active = [t for t in mine if t.queue == queue and t.state.active]
            if len(active) >= lay.limits.active_per_person_per_queue:
                raise E.PersonLimit(active[0].number)
            if len(mine) >= lay.limits.tickets_per_person_per_day:
                raise E.DailyPersonLimit()
            if person.birth_date is not None:
                age = day.year - person.birth_date.year
                age -= (day.month, day.day) < (person.birth_date.month, person.birth_date.day)
                if age >= lay.priority.green_channel_age:
                    priority = PriorityClass.GREEN
        if channel == "appointment":
            if person is None:
                raise E.CardRequired()
            appointment = self._find_appointment(person.hash, queue, day)
            early = appointment.slot - timedelta(minutes=lay.priority.appointment_early_minutes)
            late = appointment.slot + timedelta(minutes=lay.priority.appointment_late_minutes)
            if now < early:
                raise E.BadRequest(f"预约时段为{appointment.slot:%H:%M}，请于{early:%H:%M}后签到")
            if now <= late and priority is PriorityClass.NORMAL:
                priority = PriorityClass.APPOINTMENT
        if green and channel == "staff":
            priority = PriorityClass.GREEN
        # -- all checks passed: change state
        n = issued + 1
        number = f"{q.prefix}{n:03d}"
        t = Ticket(
            id=f"{day:%Y%m%d}-{number}", number=number, queue=queue, day=day, issued_at=now,
            enqueued_at=now, priority=priority, channel=channel, item=item,
            person_hash=person.hash if person else None,
            id_masked=person.id_masked if person else None,
            name_masked=person.name_masked if person else None,
        )  # fmt: skip
        est = self.estimator(self, t)
        t.estimate, t.estimate_low, t.estimate_high = est.minutes, est.low, est.high
        ahead = self._ahead(queue, priority)  # (queue_load would also count servers)
        self.tickets[t.id] = t
        self.counters[(day, queue)] = n
        self._changes.counters[(day, queue)] = n
        if person is not None:
            self._by_person.setdefault(person.hash, []).append(t.id)
        if appointment is not None:
            appointment.checked_in = t.id
            self._touch(appointment)
        self._enqueue(t)
        self._touch(t)
        self._emit(
            BOARD, "ticket.issued", now, ticket=t.public(), ahead=ahead,
            waiting=self.waiting_count(queue), estimate=[round(est.low, 1), round(est.high, 1)],
        )  # fmt: skip
        return self._done(
            {"ticket": t.to_dict(), "ahead": ahead, "estimate_text": est.text(),
             "estimate_text_en": est.text_en()}
        )  # fmt: skip

    def _find_appointment(self, person_hash: str, queue: str | None, day: date) -> Appointment:
        """The person's first open appointment of the day (in `queue`, when given)."""
        mine = [
            a for a in self.appointments.values()
            if a.person_hash == person_hash and a.day == day and a.checked_in is None
            and queue in (None, a.queue)
        ]  # fmt: skip
        if not mine:
            raise E.NoAppointment()
        return min(mine, key=lambda a: a.slot)

    def book_appointment(self, *, person: PersonRef, queue: str, slot: datetime) -> Outcome:
        """Book a slot (from the online channel or the manager)."""
        now = self._now()
        if queue not in self.layout.queues:
            raise E.UnknownQueue(queue)
        if slot < now or not self.layout.hours.is_open(slot.date(), slot.time()):
            raise E.BadRequest(f"预约时间 {slot:%Y-%m-%d %H:%M} 不在办理时间内")
        a = Appointment(
            f"AP-{slot:%Y%m%d%H%M}-{person.hash[:12]}", person.hash, queue, slot.date(), slot
        )
        if a.id in self.appointments:
            raise E.BadRequest("该时段已预约")
        self.appointments[a.id] = a
        self._touch(a)
        self._emit(STAFF, "appointment.booked", now, id=a.id, queue=queue, slot=slot.isoformat())
        return self._done({"appointment": a.id})

    def cancel(self, *, ticket: str, reason: str = "") -> Outcome:
        """A citizen leaves: a waiting or parked ticket ends."""
        now = self._now()
        t = self._ticket(ticket)
        if t.state not in (TicketState.WAITING, TicketState.PARKED):
            raise E.BadState(t.state.value)
        if t.state is TicketState.WAITING:
            self._dequeue(t)
        else:
            w = self.windows[t.window] if t.window is not None else None
            if w is not None:
                w.parked.remove(t.id)
                self._touch(w)
        t.state, t.ended_at, t.window = TicketState.CANCELLED, now, None
        t.history.append({"at": now.isoformat(), "action": "cancel", "note": reason})
        self._touch(t)
        self._emit(BOARD, "ticket.cancelled", now, ticket=t.public())
        return self._done({"ticket": t.to_dict()})

    def check_in_again(self, *, ticket: str) -> Outcome:
        """A citizen who missed the call checks in again within the layout's minutes."""
        now = self._now()
        t = self._ticket(ticket)
        if t.state is not TicketState.NO_SHOW:
            raise E.BadState(t.state.value)
        limit = timedelta(minutes=self.layout.no_show.checkin_again_minutes)
        if t.ended_at is None or now - t.ended_at > limit or t.day != now.date():
            raise E.CheckInExpired()
        t.state, t.window, t.ended_at, t.recalls = TicketState.WAITING, None, None, 0
        t.enqueued_at = now  # back of its class: fair to those who were present
        t.history.append({"at": now.isoformat(), "action": "check_in_again"})
        self._enqueue(t)
        self._touch(t)
        self._emit(BOARD, "ticket.requeued", now, ticket=t.public())
        return self._done({"ticket": t.to_dict()})

    # ---------------------------------------------------------------- at the window

    def _ready_window(self, number: int) -> WindowStatus:
        w = self._window(number)
        if w.state is WindowState.CLOSED:
            raise E.WindowClosed(str(number))
        if w.state is WindowState.PAUSED:
            raise E.WindowPaused(str(number))
        if not w.active_post:
            raise E.NoClerk(str(number))
        return w

    def _current(self, w: WindowStatus, *states: TicketState) -> Ticket:
        if w.current is None:
            raise E.NothingCurrent(str(w.number))
        t = self.tickets[w.current]
        if states and t.state not in states:
            raise E.BadState(t.state.value)
        return t

    def _end_no_show(self, w: WindowStatus, t: Ticket, now: datetime, auto: bool) -> None:
        t.state, t.ended_at = TicketState.NO_SHOW, now
        w.current = None
        self._touch(t, w)
        self._emit(BOARD, "ticket.no_show", now, ticket=t.public(), window=w.number, auto=auto)

    def call_next(self, *, window: int) -> Outcome:
        """Route the best waiting ticket to this window."""
        now = self._now()
        w = self._ready_window(window)
        auto_no_show: Ticket | None = None
        if w.current is not None:
            cur = self.tickets[w.current]
            if (
                cur.state is TicketState.CALLED
                and cur.recalls >= self.layout.no_show.recalls_before_auto
            ):
                auto_no_show = cur
            else:
                raise E.WindowBusy(cur.number)
        t = self._pick(w, now)
        if auto_no_show is not None:
            self._end_no_show(w, auto_no_show, now, auto=True)
        if t is None:
            return self._done({"ticket": None})
        self._dequeue(t)
        self._call(w, t, now, "ticket.called")
        return self._done({"ticket": t.to_dict()})

    def _pick(self, w: WindowStatus, now: datetime) -> Ticket | None:
        targeted = self._targeted.get(w.number)
        if targeted:
            return targeted[0]
        p = self.layout.priority
        rw = RouteWindow(w.number, w.profile, self._homes[w.number], p.rates, p.max_wait_minutes)
        return self.policy(rw, self.heads(), now)

    def _call(self, w: WindowStatus, t: Ticket, now: datetime, event: str) -> None:
        clerk = w.clerk
        t.state, t.window, t.called_at, t.target_window = TicketState.CALLED, w.number, now, None
        t.clerk = clerk.staff_no if clerk else None
        w.current = t.id
        self._touch(t, w)
        floor = self.layout.windows[w.number].floor
        self._emit(BOARD, event, now, ticket=t.public(), window=w.number, floor=floor,
                   queue_floor=self.layout.queues[t.queue].floor)  # fmt: skip

    def recall(self, *, window: int) -> Outcome:
        """Call the current ticket again; past the layout's recalls it becomes a no-show."""
        now = self._now()
        w = self._ready_window(window)
        t = self._current(w, TicketState.CALLED)
        if t.recalls >= self.layout.no_show.recalls_before_auto:
            self._end_no_show(w, t, now, auto=True)
            return self._done({"ticket": t.to_dict(), "no_show": True})
        t.recalls += 1
        self._touch(t)
        floor = self.layout.windows[w.number].floor
        self._emit(BOARD, "ticket.recalled", now, ticket=t.public(), window=w.number,
                   floor=floor, recalls=t.recalls, queue_floor=self.layout.queues[t.queue].floor)  # fmt: skip
        return self._done({"ticket": t.to_dict(), "no_show": False})

    def start(self, *, window: int) -> Outcome:
        """The citizen arrived at the window: service starts."""
        now = self._now()
        w = self._ready_window(window)
        t = self._current(w, TicketState.CALLED)
        t.state, t.started_at = TicketState.SERVING, now
        self._touch(t)
        self._emit(BOARD, "ticket.started", now, ticket=t.public(), window=w.number)
        return self._done({"ticket": t.to_dict()})

    def finish(self, *, window: int) -> Outcome:
        """Service done: the window's pad may now ask for a rating."""
        now = self._now()
        w = self._window(window)  # a clerk may finish even after pausing was requested
        t = self._current(w, TicketState.CALLED, TicketState.SERVING)
        if t.started_at is None:
            t.started_at = now
        t.state, t.finished_at = TicketState.FINISHED, now
        w.current, w.last_finished = None, t.id
        total, n = self._durations.get(t.queue, (0.0, 0))
        self._durations[t.queue] = (total + (now - t.started_at).total_seconds() / 60.0, n + 1)
        self._touch(t, w)
        self._emit(BOARD, "ticket.finished", now, ticket=t.public(), window=w.number,
                   clerk=t.clerk)  # fmt: skip
        return self._done({"ticket": t.to_dict()})

    def no_show(self, *, window: int) -> Outcome:
        """The called citizen did not come."""
        now = self._now()
        w = self._window(window)
        t = self._current(w, TicketState.CALLED)
        self._end_no_show(w, t, now, auto=False)
        return self._done({"ticket": t.to_dict()})

    def transfer(
        self,
        *,
        window: int,
        to_queue: str | None = None,
        to_window: int | None = None,
        note: str = "",
    ) -> Outcome:
        """Send the current ticket to another queue or one window; it keeps its issue time."""
        now = self._now()
        w = self._window(window)
        t = self._current(w, TicketState.CALLED, TicketState.SERVING)
        if (to_queue is None) == (to_window is None):
            raise E.BadRequest("请选择转至的队列或窗口（二选一）")
        if to_queue is not None and to_queue not in self.layout.queues:
            raise E.UnknownQueue(to_queue)
        warning: dict[str, str] = {}
        if to_window is not None:
            target = self._window(to_window)
            if to_window == window:
                raise E.BadRequest("不能转至本窗口")
            if target.state is not WindowState.OPEN:
                # Accepted (the window may open later today; a closed window's transfers are
                # cancelled at the next day's housekeeping), but the clerk must know.
                paused = target.state is WindowState.PAUSED
                warning = {
                    "warning": f"{to_window}号窗口现{'暂停服务' if paused else '未开放'}："
                    f"群众将在该窗口{'恢复服务' if paused else '开放'}后被叫号",
                    "warning_en": f"window {to_window} is {'paused' if paused else 'closed'}: "
                    f"the citizen will be called when it {'resumes' if paused else 'opens'}",
                }
        t.history.append({"at": now.isoformat(), "action": "transfer", "from_window": window,
                          "from_queue": t.queue, "to_queue": to_queue, "to_window": to_window,
                          "note": note})  # fmt: skip
        if to_queue is not None:
            t.queue = to_queue
        t.state, t.window, t.target_window = TicketState.WAITING, None, to_window
        t.enqueued_at, t.called_at, t.started_at, t.recalls = t.issued_at, None, None, 0
        w.current = None
        self._enqueue(t)
        self._touch(t, w)
        self._emit(BOARD, "ticket.transferred", now, ticket=t.public(), from_window=window,
                   to_queue=to_queue, to_window=to_window)  # fmt: skip
        return self._done({"ticket": t.to_dict(), **warning})

    def park(self, *, window: int, note: str = "") -> Outcome:
        """Set the current citizen aside (fetching a document) and free the window."""
        now = self._now()
        w = self._window(window)
        t = self._current(w, TicketState.CALLED, TicketState.SERVING)
        t.state = TicketState.PARKED
        t.history.append({"at": now.isoformat(), "action": "park", "note": note})
        w.current = None
        w.parked.append(t.id)
        self._touch(t, w)
        self._emit(BOARD, "ticket.parked", now, ticket=t.public(), window=window)
        return self._done({"ticket": t.to_dict()})

    def call_back(self, *, window: int, ticket: str) -> Outcome:
        """Call a parked ticket back to the window that parked it."""
        now = self._now()
        w = self._ready_window(window)
        t = self._ticket(ticket)
        if t.id not in w.parked:
            raise E.NotYourTicket(t.number)
        if w.current is not None:
            raise E.WindowBusy(self.tickets[w.current].number)
        w.parked.remove(t.id)
        t.recalls = 0
        self._call(w, t, now, "ticket.called")
        return self._done({"ticket": t.to_dict()})

    # ---------------------------------------------------------------- windows

    def open_window(self, *, window: int) -> Outcome:
        now = self._now()
        w = self._window(window)
        if w.state is not WindowState.CLOSED:
            raise E.BadRequest(f"窗口当前状态为{w.state.value}")
        return self._window_changed(w, now, state=WindowState.OPEN)

    def close_window(self, *, window: int) -> Outcome:
        now = self._now()
        w = self._window(window)
        if w.current is not None or w.parked:
            raise E.WindowBusy(self.tickets[w.current].number if w.current else w.parked[0])
        return self._window_changed(w, now, state=WindowState.CLOSED)

    def pause(self, *, window: int, reason: str = "") -> Outcome:
        """Pause a window (never in the middle of a service)."""
        now = self._now()
        w = self._window(window)
        if w.state is not WindowState.OPEN:
            raise E.WindowClosed(str(window))
        if w.current is not None:
            raise E.WindowBusy(self.tickets[w.current].number)
        w.pause_reason, w.paused_at = reason, now
        return self._window_changed(w, now, state=WindowState.PAUSED)

    def resume(self, *, window: int) -> Outcome:
        now = self._now()
        w = self._window(window)
        if w.state is not WindowState.PAUSED:
            raise E.BadRequest("窗口未暂停")
        w.pause_reason, w.paused_at = "", None
        return self._window_changed(w, now, state=WindowState.OPEN)

    def sign_in(self, *, window: int, post: str, staff_no: str, name: str) -> Outcome:
        """A clerk takes the A or B post of a window and becomes its active clerk."""
        now = self._now()
        w = self._window(window)
        if post not in ("A", "B"):
            raise E.BadRequest("岗位应为A岗或B岗")
        if not staff_no.strip() or not name.strip():
            raise E.BadRequest("请填写工号和姓名")
        if w.current is not None and w.active_post not in (None, post):
            raise E.WindowBusy(self.tickets[w.current].number)
        w.posts[post] = Clerk(staff_no.strip(), name.strip(), now).to_dict()
        w.active_post = post
        self._emit(STAFF, "clerk.signed_in", now, window=window, post=post, staff_no=staff_no.strip(),
                   name=name.strip())  # fmt: skip
        return self._window_changed(w, now)

    def sign_out(self, *, window: int, post: str) -> Outcome:
        now = self._now()
        w = self._window(window)
        if post not in w.posts:
            raise E.BadRequest(f"{post}岗未签到")
        if w.active_post == post and w.current is not None:
            raise E.WindowBusy(self.tickets[w.current].number)
        staff_no = w.posts.pop(post)["staff_no"]
        if w.active_post == post:
            w.active_post = next(iter(w.posts), None)
        self._emit(STAFF, "clerk.signed_out", now, window=window, post=post, staff_no=staff_no)
        return self._window_changed(w, now)

    def set_profile(
        self, *, window: int, profile: Mapping[str, float], by: str = "", reason: str = ""
    ) -> Outcome:
        """Rebalancing: which queues a window calls from, within its skills. Takes effect at
        the window's next call; a service in progress is never interrupted."""
        now = self._now()
        w = self._window(window)
        skills = self.layout.windows[window].skills
        if not profile:
            raise E.BadRequest("至少选择一个队列")
        for q, weight in profile.items():
            if q not in self.layout.queues:
                raise E.UnknownQueue(q)
            if q not in skills:
                raise E.NotInSkills(q)
            if not weight > 0:
                raise E.BadRequest(f"权重应为正数：{q}={weight}")
        old = dict(w.profile)
        w.profile = {q: float(x) for q, x in profile.items()}
        self._emit(STAFF, "window.profile_changed", now, window=window, old=old,
                   new=w.profile, by=by, reason=reason)  # fmt: skip
        return self._window_changed(w, now)

    def propose(self, *, proposal: Mapping[str, Any]) -> Outcome:
        """The rebalancing advisor's proposal (hall.advisor.Proposal.to_data()) for the
        manager console: only an `advisor.proposal` event on the staff stream, no state."""
        now = self._now()
        window = int(proposal["window"])
        self._window(window)
        self._emit(STAFF, "advisor.proposal", now, **dict(proposal))
        return self._done({"id": proposal.get("id", ""), "window": window})

    def _window_changed(
        self, w: WindowStatus, now: datetime, state: WindowState | None = None
    ) -> Outcome:
        if state is not None:
            w.state = state
        w.changed_at = now
        self._touch(w)
        self._emit(BOARD, "window.changed", now, window=self.window_public(w))
        return self._done({"window": w.to_dict()})

    def window_public(self, w: WindowStatus) -> dict[str, Any]:
        clerk = w.clerk
        cur = self.tickets.get(w.current) if w.current else None
        return {
            "number": w.number, "state": w.state.value, "profile": w.profile,
            "current": cur.number if cur else None,
            "current_state": cur.state.value if cur else None,
            "clerk": {"post": w.active_post, "staff_no": clerk.staff_no, "name": clerk.name}
            if clerk else None,
            "pause_reason": w.pause_reason,
        }  # fmt: skip

    # ---------------------------------------------------------------- ratings

    def rate(
        self, *, ticket: str, level: int, reasons: Iterable[str] = (), comment: str = ""
    ) -> Outcome:
        """好差评: one rating per finished ticket; a bad one opens a follow-up case."""
        now = self._now()
        t = self._ticket(ticket)
        try:
            lv = RatingLevel(level)
        except ValueError as e:
            raise E.BadRequest(f"评价等级应为1–5，收到{level!r}") from e
        if t.state is not TicketState.FINISHED:
            raise E.NotRateable(t.number)
        if t.rated:
            raise E.AlreadyRated(t.number)
        rs = list(reasons)
        for r in rs:
            if r not in BAD_RATING_REASONS:
                raise E.BadRequest(f"未知的差评原因：{r}")
        t.rated = True
        self._touch(t)
        self._emit(STAFF, "rating.given", now, ticket=t.id, number=t.number, queue=t.queue,
                   window=t.window, clerk=t.clerk, level=int(lv), reasons=rs)  # fmt: skip
        case_id = None
        if lv.bad:
            case_id = self._open_case(t, lv, rs, comment, now)
        return self._done({"ticket": t.id, "level": int(lv), "case": case_id})

    def _open_case(
        self, t: Ticket, lv: RatingLevel, rs: list[str], comment: str, now: datetime
    ) -> str:
        h, fu = self.layout.hours, self.layout.follow_up
        c = FollowUpCase(
            id=f"FU-{t.id}", ticket=t.id, window=t.window or 0, clerk=t.clerk, level=int(lv),
            reasons=rs, comment=comment, opened_at=now,
            contact_due=h.add_working_days(now.date(), fu.contact_days),
            rectify_due=h.add_working_days(now.date(), fu.rectify_days),
            complex_due=h.add_working_days(now.date(), fu.complex_days),
        )  # fmt: skip
        self.cases[c.id] = c
        self._touch(c)
        self._emit(STAFF, "followup.opened", now, case=c.to_dict())
        return c.id

    _CASE_MOVES: ClassVar[dict[str, tuple[set[CaseState], CaseState | None]]] = {
        "contact": ({CaseState.OPEN}, CaseState.CONTACTED),
        "complex": ({CaseState.OPEN, CaseState.CONTACTED}, None),
        "rectify": ({CaseState.OPEN, CaseState.CONTACTED}, CaseState.RECTIFIED),
        "close": ({CaseState.RECTIFIED}, CaseState.CLOSED),
    }

    def follow_up(self, *, case: str, action: str, by: str, note: str = "") -> Outcome:
        """Record contact, mark complex, record rectification, or close a case."""
        now = self._now()
        c = self.cases.get(case)
        if c is None:
            raise E.NoSuchCase(case)
        if action not in self._CASE_MOVES:
            raise E.BadRequest(f"未知的处理动作：{action}")
        allowed, to = self._CASE_MOVES[action]
        if c.state not in allowed:
            raise E.BadState(c.state.value)
        if action == "complex":
            c.complex = True
        elif to is not None:
            c.state = to
        c.actions.append({"at": now.isoformat(), "action": action, "by": by, "note": note})
        self._touch(c)
        self._emit(STAFF, "followup.updated", now, case=c.to_dict())
        return self._done({"case": c.to_dict()})

    # ---------------------------------------------------------------- devices

    HEALTH_STATES: ClassVar[frozenset[str]] = frozenset({"ok", "degraded", "offline", "unknown"})

    def report_health(
        self, *, device: str, role: str, parts: Mapping[str, Mapping[str, str]]
    ) -> Outcome:
        """A device reports its parts' health; a change becomes a `device.health` event."""
        now = self._now()
        clean: dict[str, dict[str, str]] = {}
        for part, h in parts.items():
            state = h.get("state", "")
            if state not in self.HEALTH_STATES:
                raise E.BadRequest(f"{part}: 状态应为 ok/degraded/offline/unknown，收到{state!r}")
            clean[str(part)[:40]] = {"state": state, "reason": str(h.get("reason", ""))[:200],
                                     "code": str(h.get("code", ""))[:40]}  # fmt: skip
        if self.device_health.get(device) != clean:
            self.device_health[device] = clean
            self._emit(STAFF, "device.health", now, device=device, role=role, parts=clean)
        return self._done({"device": device})

    # ---------------------------------------------------------------- the day

    def housekeep(self) -> Outcome:
        """Start a new day when the date changes: yesterday's unfinished tickets expire."""
        now = self._now()
        today = now.date()
        if self.day == today:
            return self._done({"day": today.isoformat(), "expired": 0})
        expired = 0
        for t in list(self.tickets.values()):
            if t.day < today and t.state.active:
                if t.state is TicketState.WAITING:
                    self._dequeue(t)
                t.state, t.ended_at, t.window = TicketState.CANCELLED, now, None
                t.history.append({"at": now.isoformat(), "action": "expired"})
                self._touch(t)
                expired += 1
        # Free windows of expired tickets only: an engine that served before its first
        # housekeep (day None) still holds today's calls and parked tickets.
        old = {k for k, t in self.tickets.items() if t.day < today}
        for w in self.windows.values():
            parked = [i for i in w.parked if i not in old]
            if w.current in old or parked != w.parked:
                w.current = None if w.current in old else w.current
                w.parked = parked
                self._touch(w)
        # Keep memory flat: only today's tickets stay in the engine (the store has the rest).
        self.tickets = {k: t for k, t in self.tickets.items() if k not in old}
        self.counters = {k: n for k, n in self.counters.items() if k[0] >= today}
        self._by_person = {}
        for t in self.tickets.values():
            if t.person_hash:
                self._by_person.setdefault(t.person_hash, []).append(t.id)
        self._durations, self.day = {}, today
        self._emit(BOARD, "day.started", now, day=today.isoformat(), expired=expired)
        return self._done({"day": today.isoformat(), "expired": expired})

    # ---------------------------------------------------------------- views

    def queue_summary(self, now: datetime | None = None) -> list[dict[str, Any]]:
        """Per queue: waiting count, longest wait, estimate for a new walk-in."""
        now = now or self.clock()
        out = []
        for qid, q in self.layout.queues.items():
            waiting = self.waiting(qid)
            longest = (now - waiting[0].enqueued_at).total_seconds() / 60 if waiting else 0.0
            # The same estimator as the tickets, for a walk-in arriving now.
            walk_in = Ticket(id="", number="", queue=qid, day=now.date(), issued_at=now,
                             enqueued_at=now)  # fmt: skip
            est = self.estimator(self, walk_in)
            served = self.servers(qid) > 0
            out.append({"queue": qid, "name": q.name, "floor": q.floor, "waiting": len(waiting),
                        "longest_wait": round(longest, 1),
                        "estimate": [round(est.low, 1), round(est.high, 1)],
                        # No open window serves it: say so rather than promise minutes.
                        "estimate_text": est.text() if served else "暂无窗口办理",
                        "estimate_text_en": est.text_en() if served else "no window open"})  # fmt: skip
        return out

    def state_digest(self) -> dict[str, Any]:
        """Everything that defines the engine's state, as plain data (for equality tests)."""
        return {
            "day": self.day.isoformat() if self.day else None,
            "tickets": {k: t.to_dict() for k, t in sorted(self.tickets.items())},
            "windows": {n: w.to_dict() for n, w in sorted(self.windows.items())},
            "counters": {f"{d.isoformat()}/{q}": n for (d, q), n in sorted(self.counters.items())},
            "appointments": {k: a.to_dict() for k, a in sorted(self.appointments.items())},
            "cases": {k: c.to_dict() for k, c in sorted(self.cases.items())},
            "waiting": {q: [t.id for t in self.waiting(q)] for q in self.layout.queues},
            "targeted": {
                n: [t.id for t in lst] for n, lst in sorted(self._targeted.items()) if lst
            },
            "durations": dict(sorted(self._durations.items())),
        }

    # ---------------------------------------------------------------- restore

    def restore(
        self,
        *,
        day: date | None,
        tickets: Iterable[Ticket],
        windows: Iterable[WindowStatus],
        counters: Mapping[tuple[date, str], int],
        appointments: Iterable[Appointment],
        cases: Iterable[FollowUpCase],
    ) -> None:
        """Rebuild the in-memory state from saved records (after a restart)."""
        self.day = day
        self.tickets = {t.id: t for t in tickets}
        for w in windows:
            if w.number in self.windows:
                self.windows[w.number] = w
        self.counters = dict(counters)
        self.appointments = {a.id: a for a in appointments}
        self.cases = {c.id: c for c in cases}
        self._waiting = {q: {} for q in self.layout.queues}
        self._targeted, self._by_person, self._durations = {}, {}, {}
        for t in sorted(
            self.tickets.values(), key=lambda t: (t.finished_at or t.issued_at, t.issued_at)
        ):
            if t.state is TicketState.WAITING:
                self._enqueue(t)
            if t.person_hash and t.day == day:
                self._by_person.setdefault(t.person_hash, []).append(t.id)
            if t.state is TicketState.FINISHED and t.day == day and t.started_at and t.finished_at:
                total, n = self._durations.get(t.queue, (0.0, 0))
                mins = (t.finished_at - t.started_at).total_seconds() / 60.0
                self._durations[t.queue] = (total + mins, n + 1)
        self._reset_pending()


def at(day: date, hhmm: str) -> datetime:
    """`at(date(2026, 11, 26), "09:30")` — a small helper for tests and scripts."""
    return datetime.combine(day, time.fromisoformat(hhmm))
