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


def test_each_code_that_cannot_check_in_says_why(layout: Layout) -> None:
    """Unknown, another day, a day gone, checked in already, cancelled: one sentence each
    (all are NoAppointment, each with its own code); none changes anything."""
    now = [at(TOMORROW, "09:00")]
    engine = Engine(layout, lambda: now[0])
    booked = {n: engine.book_online(person=who(n), queue="G", slot=at(TOMORROW, "10:00"))
              .value["code"] for n in (1, 2, 3)}  # fmt: skip
    later = engine.book_online(person=who(4), queue="G", slot=at(TOMORROW + timedelta(days=3),
                                                                 "10:00")).value["code"]  # fmt: skip
    engine.cancel_booking(code=booked[3])
    now[0] = at(TOMORROW, "09:50")
    first = engine.check_in_code(code=booked[1]).value["ticket"]["number"]
    before = engine.state_digest()
    cases: list[tuple[str, type[E.HallError], str]] = [
        ("ZZZZZZZZ", E.UnknownBookingCode, "没有查到该预约码，请核对后重新输入"),
        (booked[1], E.BookingCheckedIn, f"该预约已签到，您的号码是{first}"),
        (booked[3], E.BookingCancelled, "该预约已取消，请重新预约或现场取号"),
        (later, E.BookingOtherDay, "您预约的是2026-11-30，请在预约当天签到"),
    ]
    for code, cls, zh in cases:
        with pytest.raises(cls) as e:
            engine.check_in_code(code=code)
        assert isinstance(e.value, E.NoAppointment) and e.value.message == zh
    assert engine.state_digest() == before
    now[0] = at(TOMORROW + timedelta(days=4), "09:30")  # the day after the booked one
    with pytest.raises(E.BookingPast) as e:
        engine.check_in_code(code=later)
    assert e.value.message_english == (
        "Your booking (2026-11-30) has passed; book again or take a ticket here"
    )


def test_a_late_code_check_in_is_a_walk_in_and_the_reply_says_so(layout: Layout) -> None:
    """Later than appointment_late_minutes after the slot: served as a walk-in (the layout's
    rule); the reply's ``booking`` says so, and the desk's staff number is kept."""
    now = [at(TOMORROW, "09:00")]
    engine = Engine(layout, lambda: now[0])
    late = layout.priority.appointment_late_minutes
    codes = [engine.book_online(person=who(n), queue="G", slot=at(TOMORROW, "10:00"))
             .value["code"] for n in (1, 2)]  # fmt: skip
    now[0] = at(TOMORROW, "10:00") + timedelta(minutes=late)  # the last minute on time
    v = engine.check_in_code(code=codes[0]).value
    assert v["booking"] == {"slot": "10:00", "late": False}
    assert v["ticket"]["priority"] == "appointment"
    now[0] += timedelta(minutes=1)
    v = engine.check_in_code(code=codes[1], by="D0101").value
    assert v["booking"] == {"slot": "10:00", "late": True}
    assert v["ticket"]["priority"] == "normal"
    t = engine.tickets[v["ticket"]["id"]]
    assert t.channel == "appointment" and t.history[-1]["by"] == "D0101"
    assert engine.appointments[next(a for a in engine.appointments
                                     if engine.appointments[a].code == codes[1])].checked_in == t.id  # fmt: skip
