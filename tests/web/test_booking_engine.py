"""Online booking in the engine (issue 20): slots with a capacity, the hall's calendar and
hours, one booking per person, queue and day, codes, cancelling, checking in by code."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from hall.core import errors as E
from hall.core.engine import Engine, PersonRef
from hall.core.engine.booking import CODE_ALPHABET, CODE_LENGTH
from hall.core.layout import Layout
from hall.core.model import PriorityClass
from tests.hubs import HALL_TIME  # Thursday 2026-11-26 09:30

TOMORROW = date(2026, 11, 27)  # a Friday


def who(n: int) -> PersonRef:
    return PersonRef(hash=f"{n:064x}")


def at(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, datetime.strptime(hhmm, "%H:%M").time())


@pytest.fixture
def engine(layout: Layout) -> Engine:
    return Engine(layout, lambda: HALL_TIME)


def test_slots_follow_the_hours_and_the_capacity(engine: Engine, layout: Layout) -> None:
    slots = engine.booking_slots(queue="G", day=TOMORROW)["slots"]
    times = [s["slot"] for s in slots]
    assert times[0] == "09:00" and times[1] == "09:15"
    assert times[-1] == "16:15"  # the last that starts before tickets stop (16:30)
    assert {s["left"] for s in slots} == {layout.queues["G"].booking_per_slot}
    today = engine.booking_slots(queue="G", day=HALL_TIME.date())["slots"]
    assert today[0]["slot"] == "09:45"  # not in the past
    assert engine.booking_slots(queue="G", day=date(2026, 11, 28))["slots"] == []  # Saturday
    assert engine.booking_slots(queue="G", day=date(2026, 10, 1))["slots"] == []  # past
    assert engine.booking_slots(queue="G", day=TOMORROW + timedelta(days=30))["slots"] == []
    assert engine.booking_slots(queue="O", day=TOMORROW)["slots"] == []  # not bookable online
    with pytest.raises(E.UnknownQueue):
        engine.booking_slots(queue="nosuch", day=TOMORROW)


def test_booking_gives_a_code_and_fills_the_slot(engine: Engine, layout: Layout) -> None:
    cap = layout.queues["G"].booking_per_slot
    slot = at(TOMORROW, "10:00")
    codes = [engine.book_online(person=who(n), queue="G", slot=slot).value["code"]
             for n in range(cap)]  # fmt: skip
    assert len(set(codes)) == cap
    assert all(len(c) == CODE_LENGTH and set(c) <= set(CODE_ALPHABET) for c in codes)
    left = {s["slot"]: s["left"] for s in engine.booking_slots(queue="G", day=TOMORROW)["slots"]}
    assert left["10:00"] == 0 and left["10:15"] == cap
    with pytest.raises(E.SlotFull):
        engine.book_online(person=who(99), queue="G", slot=slot)
    engine.cancel_booking(code=codes[0].lower())  # as typed: any case
    assert engine.book_online(person=who(99), queue="G", slot=slot).value["code"]


def test_one_booking_per_person_queue_and_day(engine: Engine) -> None:
    engine.book_online(person=who(1), queue="G", slot=at(TOMORROW, "10:00"))
    with pytest.raises(E.BookingExists):
        engine.book_online(person=who(1), queue="G", slot=at(TOMORROW, "14:00"))
    engine.book_online(person=who(1), queue="M", slot=at(TOMORROW, "14:00"))  # another queue
    engine.book_online(person=who(1), queue="G", slot=at(TOMORROW + timedelta(days=3), "10:00"))


@pytest.mark.parametrize(
    ("slot", "queue"),
    [
        (at(HALL_TIME.date(), "09:15"), "G"),  # past
        (at(date(2026, 11, 28), "10:00"), "G"),  # Saturday
        (at(TOMORROW, "08:45"), "G"),  # before opening
        (at(TOMORROW, "16:45"), "G"),  # after the last slot
        (at(TOMORROW, "10:05"), "G"),  # not on a slot
        (at(TOMORROW + timedelta(days=40), "10:00"), "G"),  # too far ahead
        (at(TOMORROW, "10:00"), "O"),  # a queue not bookable online
    ],
)
def test_refused_politely(engine: Engine, slot: datetime, queue: str) -> None:
    with pytest.raises(E.NotBookable) as e:
        engine.book_online(person=who(1), queue=queue, slot=slot)
    assert e.value.message and e.value.message_english
    assert engine.appointments == {}


def test_check_in_by_code_gives_an_appointment_ticket(layout: Layout) -> None:
    now = [at(TOMORROW, "09:00")]
    engine = Engine(layout, lambda: now[0])
    code = engine.book_online(person=who(1), queue="G", slot=at(TOMORROW, "10:00")).value["code"]
    now[0] = at(TOMORROW, "09:10")
    with pytest.raises(E.CheckInTooEarly):
        engine.check_in_code(code=code)
    now[0] = at(TOMORROW, "09:50")
    t = engine.check_in_code(code=code).value["ticket"]
    assert (t["queue"], t["channel"], t["priority"]) == ("G", "appointment", "appointment")
    assert t["priority"] == PriorityClass.APPOINTMENT.value
    with pytest.raises(E.NoAppointment):  # once
        engine.check_in_code(code=code)
    with pytest.raises(E.NoAppointment):
        engine.check_in_code(code="ZZZZZZZZ")
    with pytest.raises(E.NotBookable):  # checked in: no cancelling
        engine.cancel_booking(code=code)
    with pytest.raises(E.NoBooking):
        engine.cancel_booking(code="ZZZZZZZZ")
