"""The queue engine: a pure state machine. Commands in, events out; a clock injected.

Every command method checks all of its rules first and only then changes state,
so a refusal (a `HallError`) leaves the engine exactly as it was. Each accepted
command returns an `Outcome`: its reply value, the events it produced and the
records it changed, which the store writes in one transaction (DESIGN.md §4–5).
The engine never reads the wall clock, a socket or a file.

`Engine` (here) has the ticket commands and the views; `hall.core.engine.windows`,
`.ratings` and `.day` add the window commands, ratings and follow-ups, and the day;
`.base` holds the state and the plumbing they share.
"""

from __future__ import annotations

import bisect
from datetime import date, datetime, time, timedelta
from typing import Any

from hall.core import errors as E
from hall.core import events as EV
from hall.core.catalogue import is_item_code
from hall.core.engine import lifecycle
from hall.core.engine.base import (
    Changes,
    Clock,
    EngineBase,
    Estimator,
    Outcome,
    PersonRef,
    default_estimator,
)
from hall.core.engine.booking import BookingCommands, normal_code
from hall.core.engine.day import DayCommands
from hall.core.engine.lifecycle import Command
from hall.core.engine.ratings import RatingCommands
from hall.core.engine.windows import WindowCommands
from hall.core.forecast import Estimate
from hall.core.model import (
    Appointment,
    PriorityClass,
    Ticket,
    TicketState,
    WindowState,
    WindowStatus,
)
from hall.core.routing import RouteWindow

__all__ = [
    "Changes",
    "Clock",
    "Engine",
    "Estimator",
    "Outcome",
    "PersonRef",
    "at",
    "default_estimator",
]


class Engine(WindowCommands, RatingCommands, DayCommands, BookingCommands, EngineBase):
    """The hall's queues and windows for one layout. Not thread-safe: one owner (the hub)."""

    # ---------------------------------------------------------------- tickets

    def issue(
        self,
        *,
        queue: str | None = None,
        item: str | None = None,
        person: PersonRef | None = None,
        channel: str = "kiosk",
        green: bool = False,
        by: str = "",
        reason: str = "",
    ) -> Outcome:
        """Issue a ticket (walk-in, appointment check-in, or by staff: `by` the staff
        number, `reason` why the green channel was granted, both kept in its history)."""
        now = self._now()
        queue, priority, appointment = self._issue_checks(queue, item, person, channel, green, now)
        # -- all checks passed: change state
        t = self._new_ticket(queue, priority, item, person, channel, now)
        if by or reason:
            t.history.append({"at": now.isoformat(), "action": "issued_by_staff",
                              "by": by[:40], "green": green, "reason": reason[:200]})  # fmt: skip
        est = self._estimate(t)
        ahead = self._ahead(queue, priority)  # (queue_load would also count servers)
        self._record_issue(t, person, appointment)
        self._emit(now, EV.TicketIssued(
            ticket=t.public(), ahead=ahead, waiting=self.waiting_count(queue),
            estimate=[round(est.low, 1), round(est.high, 1)],
        ))  # fmt: skip
        return self._done(
            {"ticket": t.to_dict(), "ahead": ahead, "estimate_text": est.text(),
             "estimate_text_en": est.text_en()}
        )  # fmt: skip

    def _issue_checks(
        self,
        queue: str | None,
        item: str | None,
        person: PersonRef | None,
        channel: str,
        green: bool,
        now: datetime,
    ) -> tuple[str, PriorityClass, Appointment | None]:
        """Every rule an issue must pass, in order: the queue, its class, the appointment."""
        day = now.date()
        queue = self._issue_queue(queue, item, person, channel, day)
        self._check_issuing(queue, person, channel, now)
        priority = self._person_priority(queue, person, day)
        appointment: Appointment | None = None
        if channel == "appointment":
            priority, appointment = self._check_in(queue, person, priority, now)
        if green and channel == "staff":
            priority = PriorityClass.GREEN
        return queue, priority, appointment

    def _issue_queue(
        self, queue: str | None, item: str | None, person: PersonRef | None, channel: str, day: date
    ) -> str:
        """The queue asked for, or the item's, or (checking in by card only) the booking's."""
        if item is not None:
            if item not in self.items:
                raise E.UnknownItem(item)
            queue = queue or self.layout.queue_for_domain(self.items[item])
        if queue is None and channel == "appointment" and person is not None:
            # Checking in with only a card: the appointment says which queue.
            queue = self._find_appointment(person.hash, None, day).queue
        if queue is None or queue not in self.layout.queues:
            raise E.UnknownQueue(str(queue))
        return queue

    def _check_issuing(
        self, queue: str, person: PersonRef | None, channel: str, now: datetime
    ) -> None:
        """Issuing hours, the queue's daily cap, and a card unless the hall allows none."""
        lay = self.layout
        if not lay.hours.issuing(now.date(), now.time()):
            raise E.HallClosed()
        q = lay.queues[queue]
        if q.daily_cap and self.counters.get((now.date(), queue), 0) >= q.daily_cap:
            raise E.CapReached(q.name)
        if person is None and not lay.limits.allow_without_card and channel != "staff":
            raise E.CardRequired()

    def _person_priority(self, queue: str, person: PersonRef | None, day: date) -> PriorityClass:
        """The per-person limits; the green channel by age from the card."""
        if person is None:
            return PriorityClass.NORMAL
        limits = self.layout.limits
        mine = [self.tickets[i] for i in self._by_person.get(person.hash, [])]
        active = [t for t in mine if t.queue == queue and t.state.active]
        if len(active) >= limits.active_per_person_per_queue:
            raise E.PersonLimit(active[0].number, number=active[0].number)
        if len(mine) >= limits.tickets_per_person_per_day:
            raise E.DailyPersonLimit()
        if person.birth_date is not None:
            born = person.birth_date
            age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
            if age >= self.layout.priority.green_channel_age:
                return PriorityClass.GREEN
        return PriorityClass.NORMAL

    def _check_in(
        self, queue: str, person: PersonRef | None, priority: PriorityClass, now: datetime
    ) -> tuple[PriorityClass, Appointment]:
        """An appointment check-in: not too early; on time, it raises a normal class."""
        if person is None:
            raise E.CardRequired()
        appointment = self._find_appointment(person.hash, queue, now.date())
        p = self.layout.priority
        early = appointment.slot - timedelta(minutes=p.appointment_early_minutes)
        late = appointment.slot + timedelta(minutes=p.appointment_late_minutes)
        if now < early:
            raise E.CheckInTooEarly(slot=f"{appointment.slot:%H:%M}", early=f"{early:%H:%M}")
        if now <= late and priority is PriorityClass.NORMAL:
            priority = PriorityClass.APPOINTMENT
        return priority, appointment

    def _new_ticket(
        self,
        queue: str,
        priority: PriorityClass,
        item: str | None,
        person: PersonRef | None,
        channel: str,
        now: datetime,
    ) -> Ticket:
        """The ticket with its queue's next number of the day (not yet recorded)."""
        day = now.date()
        number = f"{self.layout.queues[queue].prefix}{self._next_number(queue, day):03d}"
        return Ticket(
            id=f"{day:%Y%m%d}-{number}", number=number, queue=queue, day=day, issued_at=now,
            enqueued_at=now, priority=priority, channel=channel, item=item,
            state=lifecycle.ISSUED, person_hash=person.hash if person else None,
            id_masked=person.id_masked if person else None,
            name_masked=person.name_masked if person else None, token=self.new_token(),
        )  # fmt: skip

    def _next_number(self, queue: str, day: date) -> int:
        """The queue's next number of the day (`A001` is 1; numbers restart every day)."""
        return self.counters.get((day, queue), 0) + 1

    def _estimate(self, t: Ticket) -> Estimate:
        """The wait printed on the ticket, before it joins its queue."""
        est = self.estimator(self, t)
        t.estimate, t.estimate_low, t.estimate_high = est.minutes, est.low, est.high
        return est

    def _record_issue(
        self, t: Ticket, person: PersonRef | None, appointment: Appointment | None
    ) -> None:
        """Keep the ticket, count its number, check the appointment in, and queue it."""
        key = (t.day, t.queue)
        self.tickets[t.id] = t
        self._index_token(t)
        self.counters[key] = self._changes.counters[key] = self._next_number(t.queue, t.day)
        if person is not None:
            self._by_person.setdefault(person.hash, []).append(t.id)
        if appointment is not None:
            appointment.checked_in = t.id
            self._touch(appointment)
        self._enqueue(t)
        self._touch(t)

    def _find_appointment(self, person_hash: str, queue: str | None, day: date) -> Appointment:
        """The person's first open appointment of the day (in `queue`, when given)."""
        mine = [
            a for a in self.appointments.values()
            if a.person_hash == person_hash and a.day == day and a.checked_in is None
            and queue in (None, a.queue) and not a.cancelled
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
            raise E.SlotOutsideHours(f"{slot:%Y-%m-%d %H:%M}")
        a = Appointment(
            f"AP-{slot:%Y%m%d%H%M}-{person.hash[:12]}", person.hash, queue, slot.date(), slot
        )
        if a.id in self.appointments:
            raise E.SlotTaken(f"{slot:%Y-%m-%d %H:%M}")
        self.appointments[a.id] = a
        self._touch(a)
        self._emit(now, EV.AppointmentBooked(id=a.id, queue=queue, slot=slot.isoformat()))
        return self._done({"appointment": a.id})

    def cancel(self, *, ticket: str, reason: str = "") -> Outcome:
        """A citizen leaves: a waiting or parked ticket ends."""
        now = self._now()
        t = self._ticket(ticket)
        lifecycle.check(t, Command.CANCEL)
        if t.state is TicketState.WAITING:
            self._dequeue(t)
        else:
            w = self.windows[t.window] if t.window is not None else None
            if w is not None:
                w.parked.remove(t.id)
                self._touch(w)
        self._move(t, Command.CANCEL)
        t.ended_at, t.window = now, None
        t.history.append({"at": now.isoformat(), "action": "cancel", "note": reason})
        self._touch(t)
        self._emit(now, EV.TicketCancelled(ticket=t.public()))
        return self._done({"ticket": t.to_dict()})

    def check_in_again(self, *, ticket: str, by: str = "") -> Outcome:
        """A citizen who missed the call checks in again within the layout's minutes
        (at the service desk: `by` its staff number, kept in the ticket's history)."""
        now = self._now()
        t = self._ticket(ticket)
        lifecycle.check(t, Command.CHECK_IN_AGAIN)
        limit = timedelta(minutes=self.layout.no_show.checkin_again_minutes)
        if t.ended_at is None or now - t.ended_at > limit or t.day != now.date():
            raise E.CheckInExpired()
        self._move(t, Command.CHECK_IN_AGAIN)
        t.window, t.ended_at, t.recalls = None, None, 0
        t.enqueued_at = now  # back of its class: fair to those who were present
        t.history.append({"at": now.isoformat(), "action": "check_in_again", "by": by[:40]}
                         if by else {"at": now.isoformat(), "action": "check_in_again"})  # fmt: skip
        self._enqueue(t)
        self._touch(t)
        self._emit(now, EV.TicketRequeued(ticket=t.public()))
        return self._done({"ticket": t.to_dict()})

    # ---------------------------------------------------------------- at the window

    def lookup(
        self, *, number: str | None = None, person: PersonRef | None = None,
        code: str | None = None,
    ) -> Outcome:  # fmt: skip
        """The service desk's look-up (changes nothing): today's tickets with `number` or of
        `person`, and today's bookings with booking `code` or of `person`."""
        today = self._now().date()
        if number is None and person is None and code is None:
            raise E.BadRequest("lookup names nothing")
        tickets = [
            t for t in self.tickets.values()
            if t.day == today and (
                (number is not None and t.number == number.strip().upper())
                or (person is not None and t.person_hash == person.hash))
        ]  # fmt: skip
        bookings = [
            a for a in self.appointments.values()
            if a.day == today and (
                (code is not None and code.strip()
                 and (code.strip().upper() == a.id.upper() or normal_code(code) == a.code))
                or (person is not None and a.person_hash == person.hash))
        ]  # fmt: skip
        return self._done({
            "tickets": [t.to_dict() for t in sorted(tickets, key=lambda t: t.issued_at)],
            "appointments": [{"id": a.id, "code": a.code, "queue": a.queue, "slot": a.slot.isoformat(),
                              "checked_in": a.checked_in} for a in sorted(bookings, key=lambda a: a.slot)],
        })  # fmt: skip

    def _window_for(self, command: Command, number: int) -> WindowStatus:
        """The window `command` acts at, refused unless ready when the lifecycle says so."""
        w = self._window(number)
        if command not in lifecycle.READY_WINDOW:
            return w
        if w.state is WindowState.CLOSED:
            raise E.WindowClosed(str(number))
        if w.state is WindowState.PAUSED:
            raise E.WindowPaused(str(number))
        if not w.active_post:
            raise E.NoClerk(str(number))
        return w

    def _current(self, w: WindowStatus, command: Command) -> Ticket:
        """The window's current ticket, if the lifecycle lets `command` act on it."""
        if w.current is None:
            raise E.NothingCurrent(str(w.number))
        t = self.tickets[w.current]
        lifecycle.check(t, command)
        return t

    def _end_no_show(self, w: WindowStatus, t: Ticket, now: datetime, auto: bool) -> None:
        self._move(t, Command.NO_SHOW)
        t.ended_at = now
        w.current = None
        self._touch(t, w)
        self._emit(now, EV.TicketNoShow(ticket=t.public(), window=w.number, auto=auto))

    def call_next(self, *, window: int) -> Outcome:
        """Route the best waiting ticket to this window."""
        now = self._now()
        w = self._window_for(Command.CALL_NEXT, window)
        auto_no_show: Ticket | None = None
        if w.current is not None:
            cur = self.tickets[w.current]
            if (
                lifecycle.allows(cur.state, Command.NO_SHOW)
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
        self._call(w, t, now, Command.CALL_NEXT)
        return self._done({"ticket": t.to_dict()})

    def _pick(self, w: WindowStatus, now: datetime) -> Ticket | None:
        targeted = self._targeted.get(w.number)
        if targeted:
            return targeted[0]
        p = self.layout.priority
        rw = RouteWindow(
            w.number, w.profile, self._homes[w.number], p.rates, p.max_wait_minutes,
            self.neighbours[w.number], p.late_wait_minutes,
            self.layout.windows[w.number].other_floors, p.other_floor_wait_minutes,
        )  # fmt: skip
        return self.policy(rw, self.heads(), now)

    def _call(self, w: WindowStatus, t: Ticket, now: datetime, command: Command) -> None:
        clerk = w.clerk
        self._move(t, command)
        t.window, t.called_at, t.target_window = w.number, now, None
        t.clerk = clerk.staff_no if clerk else None
        w.current = t.id
        self._touch(t, w)
        floor = self.layout.windows[w.number].floor
        self._emit(now, EV.TicketCalled(ticket=t.public(), window=w.number, floor=floor,
                                        queue_floor=self.layout.queues[t.queue].floor))  # fmt: skip

    def recall(self, *, window: int) -> Outcome:
        """Call the current ticket again; past the layout's recalls it becomes a no-show."""
        now = self._now()
        w = self._window_for(Command.RECALL, window)
        t = self._current(w, Command.RECALL)
        if t.recalls >= self.layout.no_show.recalls_before_auto:
            self._end_no_show(w, t, now, auto=True)
            return self._done({"ticket": t.to_dict(), "no_show": True})
        self._move(t, Command.RECALL)
        t.recalls += 1
        self._touch(t)
        floor = self.layout.windows[w.number].floor
        self._emit(now, EV.TicketRecalled(
            ticket=t.public(), window=w.number, floor=floor, recalls=t.recalls,
            queue_floor=self.layout.queues[t.queue].floor,
        ))  # fmt: skip
        return self._done({"ticket": t.to_dict(), "no_show": False})

    def start(self, *, window: int) -> Outcome:
        """The citizen arrived at the window: service starts."""
        now = self._now()
        w = self._window_for(Command.START, window)
        t = self._current(w, Command.START)
        self._move(t, Command.START)
        t.started_at = now
        self._touch(t)
        self._emit(now, EV.TicketStarted(ticket=t.public(), window=w.number))
        return self._done({"ticket": t.to_dict()})

    def finish(self, *, window: int) -> Outcome:
        """Service done: the window's pad may now ask for a rating."""
        now = self._now()
        w = self._window_for(Command.FINISH, window)  # may finish after the window paused
        t = self._current(w, Command.FINISH)
        if t.started_at is None:
            t.started_at = now
        self._move(t, Command.FINISH)
        t.finished_at = now
        w.current, w.last_finished = None, t.id
        total, n = self._durations.get(t.queue, (0.0, 0))
        self._durations[t.queue] = (total + (now - t.started_at).total_seconds() / 60.0, n + 1)
        self._touch(t, w)
        self._emit(now, EV.TicketFinished(ticket=t.public(), window=w.number, clerk=t.clerk))
        return self._done({"ticket": t.to_dict()})

    def record_item(self, *, window: int, ticket: str, item: str) -> Outcome:
        """The service item (事项) a ticket at `window` was for, as the clerk picked it: what
        the monthly 事项评价覆盖率 counts. The ticket is the window's current one or the one it
        finished last (a clerk reminded after finishing may still say). Any catalogue item
        is taken, not only those of the window's queues (a transfer may bring another); a
        second pick corrects the first. Finishing without an item stays allowed."""
        now = self._now()
        w = self._window(window)
        if not is_item_code(item):
            raise E.BadItemCode(repr(item[:20]))
        if item not in self.items:
            raise E.UnknownItem(item)
        t = self._ticket(ticket)
        if t.id not in (w.current, w.last_finished):
            raise E.NotYourTicket(f"{t.number} at window {t.window}, asked at {window}")
        clerk = w.clerk.staff_no if w.clerk else t.clerk
        previous, t.item = t.item, item
        t.history.append({"at": now.isoformat(), "action": "item", "item": item,
                          "window": window, "by": clerk})  # fmt: skip
        self._touch(t)
        self._emit(now, EV.TicketItemRecorded(ticket=t.id, number=t.number, window=window,
                                              clerk=clerk, item=item, previous=previous))  # fmt: skip
        return self._done({"ticket": t.to_dict(), "items_used": self.items_used(window)})

    def items_used(self, window: int) -> dict[str, int]:
        """How often each item was recorded for the tickets `window` served: its past days
        (`history`) and today. The counter's picker lists the most-used first."""
        used = dict(self.history.items_used.get(window, {}))
        for t in self.tickets.values():
            if t.item and t.window == window and t.state is TicketState.FINISHED:
                used[t.item] = used.get(t.item, 0) + 1
        return used

    def no_show(self, *, window: int) -> Outcome:
        """The called citizen did not come."""
        now = self._now()
        w = self._window_for(Command.NO_SHOW, window)
        t = self._current(w, Command.NO_SHOW)
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
        w = self._window_for(Command.TRANSFER, window)
        t = self._current(w, Command.TRANSFER)
        if (to_queue is None) == (to_window is None):
            raise E.TransferTarget()
        if to_queue is not None and to_queue not in self.layout.queues:
            raise E.UnknownQueue(to_queue)
        warning: dict[str, str] = {}
        if to_window is not None:
            target = self._window(to_window)
            if to_window == window:
                raise E.TransferToSelf(f"window {window}")
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
        self._move(t, Command.TRANSFER)
        t.window, t.target_window = None, to_window
        t.enqueued_at, t.called_at, t.started_at, t.recalls = t.issued_at, None, None, 0
        w.current = None
        self._enqueue(t)
        self._touch(t, w)
        self._emit(now, EV.TicketTransferred(ticket=t.public(), from_window=window,
                                             to_queue=to_queue, to_window=to_window))  # fmt: skip
        return self._done({"ticket": t.to_dict(), **warning})

    def park(self, *, window: int, note: str = "") -> Outcome:
        """Set the current citizen aside (fetching a document) and free the window."""
        now = self._now()
        w = self._window_for(Command.PARK, window)
        t = self._current(w, Command.PARK)
        self._move(t, Command.PARK)
        t.history.append({"at": now.isoformat(), "action": "park", "note": note})
        w.current = None
        w.parked.append(t.id)
        self._touch(t, w)
        self._emit(now, EV.TicketParked(ticket=t.public(), window=window))
        return self._done({"ticket": t.to_dict()})

    def call_back(self, *, window: int, ticket: str) -> Outcome:
        """Call a parked ticket back to the window that parked it."""
        now = self._now()
        w = self._window_for(Command.CALL_BACK, window)
        t = self._ticket(ticket)
        lifecycle.check(t, Command.CALL_BACK)
        if t.id not in w.parked:  # parked at another window
            raise E.NotYourTicket(t.number)
        if w.current is not None:
            raise E.WindowBusy(self.tickets[w.current].number)
        w.parked.remove(t.id)
        t.recalls = 0
        self._call(w, t, now, Command.CALL_BACK)
        return self._done({"ticket": t.to_dict()})

    # ---------------------------------------------------------------- views

    def ticket_status(self, token: str) -> dict[str, Any] | None:
        """What the ticket's owner may see on their phone (hall web): no person data, no
        staff number. None for no ticket of today with this token."""
        t = self.by_token(token)
        if t is None:
            return None
        state = t.state.value
        ahead: int | None = None
        wait: list[int] | None = None
        if t.state is TicketState.WAITING:
            if t.history and t.history[-1].get("action") == "transfer":
                state = "transferred"
            ahead = self.ahead_of(t)
            wait = self._wait_range(t, ahead)
        at = self.layout.windows.get(t.window) if t.window is not None else None
        floor = at.floor if at is not None else None
        return {
            "id": t.id, "number": t.number, "queue": t.queue, "state": state, "ahead": ahead,
            "wait_min": wait, "window": t.window, "window_floor": floor,
            "target_window": t.target_window, "recalls": t.recalls, "rated": t.rated,
            "issued_at": t.issued_at.isoformat(timespec="seconds"),
            "called_at": t.called_at.isoformat(timespec="seconds") if t.called_at else None,
        }  # fmt: skip

    def ahead_of(self, t: Ticket) -> int:
        """Waiting tickets the routing calls before `t`, as far as its queue's classes say:
        every one of a faster-accumulating class, and the older ones of as fast a class."""
        key = (t.enqueued_at, t.id)
        if t.target_window is not None:
            lst = self._targeted.get(t.target_window, [])
            return bisect.bisect_left(lst, key, key=_waiting_order)
        rates = self.layout.priority.rates
        own = rates[t.priority.value]
        n = 0
        for c, lst in self._waiting[t.queue].items():  # each kept in this order (_enqueue)
            r = rates[c.value]
            if r > own:
                n += len(lst)
            elif r == own:
                n += bisect.bisect_left(lst, key, key=_waiting_order)
        return n

    def _wait_range(self, t: Ticket, ahead: int) -> list[int]:
        """Minutes until `t` is called, low and high: its place over the queue's windows."""
        load = self.queue_load(t.queue, t.priority)
        free = sum(
            1 for w in self.windows.values()
            if w.current is None and t.queue in w.profile and w.state is WindowState.OPEN
            and w.active_post
        )  # fmt: skip
        if ahead < free:
            return [0, 1]
        per = load.service_minutes / (load.servers if load.servers > 1e-6 else 1.0)
        m = (ahead + 1) * per
        return [int(m * 0.6), max(int(m * 1.4 + 0.999), int(m * 0.6) + 1)]

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


def _waiting_order(t: Ticket) -> tuple[datetime, str]:
    return (t.enqueued_at, t.id)


def at(day: date, hhmm: str) -> datetime:
    """`at(date(2026, 11, 26), "09:30")` — a small helper for tests and scripts."""
    return datetime.combine(day, time.fromisoformat(hhmm))
