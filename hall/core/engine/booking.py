"""Online booking (hall web): 15-minute slots with a capacity per queue, an 8-character
code per booking, cancelling by code, and checking in at the kiosk with the code.

The person is known only by the keyed hash of their ID number (the hub makes it from
the number the gateway passed on and drops the number). One booking per person, queue
and day; none in the past, on a non-working day of the hall's calendar or outside its
hours; never more than the queue's `booking_per_slot` in one slot.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from hall.core import errors as E
from hall.core import events as EV
from hall.core.engine.base import EngineBase, Outcome, PersonRef
from hall.core.model import Appointment

SLOT_MINUTES = 15
#: no 0/O, 1/I/L: a code read out or typed at the kiosk is not mistaken
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def new_code() -> str:
    """A booking code: 8 characters of 31, about 40 bits."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(code: str) -> str:
    """A code as typed or scanned: upper case, spaces and dashes dropped."""
    return "".join(c for c in code.upper() if c not in " -")


class BookingCommands(EngineBase):
    """Slots, booking, cancelling and checking in by code."""

    def booking_code(self) -> str:
        """A new booking's code (`new_code`; a test may give the engine its own)."""
        return new_code()

    def slot_times(self, day: date) -> list[datetime]:
        """The day's 15-minute slots that start and end within a session (none on a day
        the hall is closed by its calendar)."""
        hours = self.layout.hours
        if not hours.is_working_day(day):
            return []
        out = []
        step = timedelta(minutes=SLOT_MINUTES)
        for a, b in hours.sessions:
            t = datetime.combine(day, a)
            end = datetime.combine(day, b)
            while t + step <= end:
                if t.time() < hours.issue_until:  # a booking checks in: tickets must issue
                    out.append(t)
                t += step
        return out

    def _booked(self, queue: str, slot: datetime) -> int:
        return sum(
            1 for a in self.appointments.values()
            if a.queue == queue and a.slot == slot and not a.cancelled
        )  # fmt: skip

    def booking_slots(self, *, queue: str, day: date) -> dict[str, Any]:
        """`GET /api/slots`: the day's slots, each with the bookings left in it."""
        q = self.layout.queues.get(queue)
        if q is None:
            raise E.UnknownQueue(queue)
        now = self.clock()
        cap = q.booking_per_slot
        slots = []
        if cap > 0 and self._bookable_day(day, now):
            for t in self.slot_times(day):
                if t > now:
                    left = max(0, cap - self._booked(queue, t))
                    slots.append({"slot": t.strftime("%H:%M"), "left": left})
        return {"queue": queue, "date": day.isoformat(), "slots": slots}

    def _bookable_day(self, day: date, now: datetime) -> bool:
        return now.date() <= day <= now.date() + timedelta(days=self.layout.web.booking_days)

    def book_online(self, *, person: PersonRef, queue: str, slot: datetime) -> Outcome:
        """Book a slot on the web: checked against the calendar, the hours, the slot's
        capacity and the person's other bookings; the reply carries the code."""
        now = self._now()
        q = self.layout.queues.get(queue)
        if q is None:
            raise E.UnknownQueue(queue)
        if q.booking_per_slot <= 0:
            raise E.NotBookable("该业务不支持网上预约 / not bookable online")
        if slot <= now:
            raise E.NotBookable("预约时间已过 / in the past")
        if not self._bookable_day(slot.date(), now):
            raise E.NotBookable(
                f"仅可预约{self.layout.web.booking_days}天内 / "
                f"up to {self.layout.web.booking_days} days ahead"
            )
        if not self.layout.hours.is_working_day(slot.date()):
            raise E.NotBookable("非工作日 / the hall is closed that day")
        if slot not in self.slot_times(slot.date()):
            raise E.NotBookable("不在办理时段内 / outside the hall's hours")
        for a in self.appointments.values():
            if (a.person_hash == person.hash and a.queue == queue and a.day == slot.date()
                    and not a.cancelled):  # fmt: skip
                raise E.BookingExists()
        if self._booked(queue, slot) >= q.booking_per_slot:
            raise E.SlotFull(f"{slot:%H:%M}")
        taken = {a.code for a in self.appointments.values() if a.code}
        code = self.booking_code()
        while code in taken:  # one in a trillion; never two bookings with one code
            code = self.booking_code()
        # (the code in the id: codes are unique, and the id shows on the staff stream
        # where the code must not, so only a digest of it)
        digest = hashlib.sha256(code.encode()).hexdigest()[:12]
        a = Appointment(f"AP-{slot:%Y%m%d%H%M}-{digest}", person.hash, queue, slot.date(), slot,
                        code=code)  # fmt: skip
        self.appointments[a.id] = a
        self._touch(a)
        self._emit(now, EV.AppointmentBooked(id=a.id, queue=queue, slot=slot.isoformat(),
                                             channel="web"))  # fmt: skip
        return self._done({"code": code, "queue": queue, "slot": slot.isoformat()})

    def booking_by_code(self, code: str) -> Appointment | None:
        """The booking with this code (compared in constant time), or None."""
        want = normal_code(code).encode()
        found = None
        for a in self.appointments.values():
            if a.code is not None and hmac.compare_digest(a.code.encode(), want):
                found = a
        return found

    def cancel_booking(self, *, code: str) -> Outcome:
        """`DELETE /api/bookings/{code}`: the slot is free again."""
        now = self._now()
        a = self.booking_by_code(code)
        if a is None or a.cancelled:
            raise E.NoBooking()
        if a.checked_in is not None:
            raise E.NotBookable("已签到 / already checked in")
        if a.slot <= now:
            raise E.NotBookable("预约时间已过 / in the past")
        a.cancelled = True
        self._touch(a)
        self._emit(now, EV.AppointmentCancelled(id=a.id, queue=a.queue, slot=a.slot.isoformat()))
        return self._done({"cancelled": True, "slot": a.slot.isoformat()})

    def check_in_code(self, *, code: str, by: str = "") -> Outcome:
        """预约签到 with the booking's code (typed or scanned at the kiosk, or at the service
        desk: `by` its staff number) instead of a card: a ticket as a card check-in would
        give. The on-time window applies: too early is refused, later than the layout's
        minutes is served as a walk-in (the reply's ``booking.late`` says so). Each way a
        code cannot check in has its own sentence (unknown, another day, passed, checked in
        already, cancelled)."""
        a = self.booking_by_code(code)
        if a is None:
            raise E.UnknownBookingCode()
        if a.cancelled:
            raise E.BookingCancelled(a.id)
        if a.checked_in is not None:
            t = self.tickets.get(a.checked_in)
            raise E.BookingCheckedIn(a.id, number=t.number if t else a.checked_in)
        today = self._now().date()
        if a.day < today:
            raise E.BookingPast(a.id, day=a.day.isoformat())
        if a.day > today:
            raise E.BookingOtherDay(a.id, day=a.day.isoformat())
        person = PersonRef(hash=a.person_hash)
        out: Outcome = self.issue(queue=a.queue, person=person, channel="appointment", by=by)  # type: ignore[attr-defined]
        late_after = a.slot + timedelta(minutes=self.layout.priority.appointment_late_minutes)
        late = self.clock() > late_after
        out.value["booking"] = {"slot": f"{a.slot:%H:%M}", "late": late}
        return out
