"""The queue engine, rule by rule (issue 2): each accepted command's effect and events,
and each refusal's typed error with the engine's state left exactly as it was."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from hall.core import errors as E
from hall.core.engine import Engine, Outcome, PersonRef, at
from hall.core.events import FollowUpOpened, FollowUpUpdated, TicketCalled
from hall.core.layout import Layout, default_layout_path, load_layout
from hall.core.model import CaseState, PriorityClass, Ticket, TicketState, WindowState
from hall.core.routing import RouteWindow, accumulated_priority, dedicated, pooled, pooled_classes

THU = date(2026, 11, 26)  # an ordinary Thursday
ITEMS = {"biz-licence": "market", "road-permit": "transport", "pension": "social_security"}


class Clock:
    """A hand-moved clock (trio's MockClock, in minutes)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += timedelta(minutes=minutes)


@pytest.fixture(scope="module")
def layout() -> Layout:
    return load_layout(default_layout_path())


@pytest.fixture
def clock() -> Clock:
    return Clock(at(THU, "09:00"))


@pytest.fixture
def eng(layout: Layout, clock: Clock) -> Engine:
    e = Engine(layout, clock, items=ITEMS)
    e.housekeep()
    return e


def refuse(eng: Engine, error: type[E.HallError], fn: Callable[..., Outcome], **kw: Any) -> str:
    """`fn(**kw)` must raise `error` and change nothing; returns the message."""
    before = eng.state_digest()
    with pytest.raises(error) as info:
        fn(**kw)
    assert eng.state_digest() == before
    assert info.value.message and info.value.code
    return info.value.message


def ready(eng: Engine, *numbers: int) -> None:
    """Open windows with a clerk signed in on the A post."""
    for n in numbers:
        eng.open_window(window=n)
        eng.sign_in(window=n, post="A", staff_no=f"S{n:03d}", name=f"办事员{n}")


def issue(eng: Engine, queue: str | None = "G", **kw: Any) -> Ticket:
    return eng.tickets[eng.issue(queue=queue, **kw).value["ticket"]["id"]]


def person(n: int = 1, born: date | None = date(1980, 5, 1)) -> PersonRef:
    return PersonRef(f"hash-{n:04d}", "5001**********1234", "张*三", born)


def types(out: Outcome) -> list[str]:
    return [e.type for e in out.events]


# ---------------------------------------------------------------- opening hours


@pytest.mark.parametrize(
    ("when", "ok"),
    [
        (at(THU, "08:59"), False),  # before opening
        (at(THU, "09:00"), True),
        (at(THU, "16:29"), True),
        (at(THU, "16:30"), False),  # issue_until
        (at(THU, "17:30"), False),
        (at(date(2026, 11, 28), "10:00"), False),  # Saturday
        (at(date(2026, 10, 1), "10:00"), False),  # National Day (a Thursday)
        (at(date(2026, 10, 10), "10:00"), True),  # 调休: a Saturday worked
    ],
)
def test_opening_hours(eng: Engine, clock: Clock, when: datetime, ok: bool) -> None:
    clock.now = when
    eng.housekeep()
    if ok:
        out = eng.issue(queue="G")
        assert types(out) == ["ticket.issued"]
    else:
        refuse(eng, E.HallClosed, eng.issue, queue="G")


def test_daily_cap(layout: Layout, clock: Clock) -> None:
    small = dataclasses.replace(
        layout, queues={**layout.queues, "T": dataclasses.replace(layout.queues["T"], daily_cap=2)}
    )
    eng = Engine(small, clock)
    eng.housekeep()
    issue(eng, "T")
    issue(eng, "T")
    refuse(eng, E.CapReached, eng.issue, queue="T")
    issue(eng, "G")  # other queues are not affected


# ---------------------------------------------------------------- per-person limits


def test_one_active_ticket_per_person_and_queue(eng: Engine) -> None:
    ready(eng, 1)
    issue(eng, "G", person=person(1))
    refuse(eng, E.PersonLimit, eng.issue, queue="G", person=person(1))
    issue(eng, "M", person=person(1))  # another queue is fine
    issue(eng, "G", person=person(2))  # another person is fine
    eng.call_next(window=1)
    refuse(eng, E.PersonLimit, eng.issue, queue="G", person=person(1))  # called is active
    eng.finish(window=1)
    issue(eng, "G", person=person(1))  # finished: may take a new one


def test_tickets_per_person_per_day(eng: Engine) -> None:
    p = person(7)
    tickets = [issue(eng, q, person=p) for q in ("G", "M", "T", "E", "O")]
    eng.cancel(ticket=tickets[0].id)
    refuse(eng, E.DailyPersonLimit, eng.issue, queue="G", person=p)  # cancelled ones count


def test_per_person_limits_start_again_next_day(eng: Engine, clock: Clock) -> None:
    p = person(7)
    for q in ("G", "M", "T", "E", "O"):
        issue(eng, q, person=p)
    clock.now = at(THU + timedelta(days=1), "09:00")
    eng.housekeep()
    issue(eng, "G", person=p)


# ---------------------------------------------------------------- green channel


def test_green_channel_from_age_on_the_birthday(eng: Engine) -> None:
    seventy = issue(eng, person=person(1, born=date(1956, 11, 26)))  # 70 today
    sixty_nine = issue(eng, person=person(2, born=date(1956, 11, 27)))  # 70 tomorrow
    no_birth = issue(eng, person=person(3, born=None))
    assert seventy.priority is PriorityClass.GREEN
    assert sixty_nine.priority is PriorityClass.NORMAL
    assert no_birth.priority is PriorityClass.NORMAL


def test_green_channel_set_by_staff(eng: Engine) -> None:
    assert issue(eng, channel="staff", green=True).priority is PriorityClass.GREEN
    # A kiosk cannot claim it.
    assert issue(eng, channel="kiosk", green=True).priority is PriorityClass.NORMAL


# ---------------------------------------------------------------- appointments


def book(eng: Engine, p: PersonRef, queue: str = "M", slot: str = "10:00") -> None:
    eng.book_appointment(person=p, queue=queue, slot=at(THU, slot))


def test_appointment_on_time_gets_priority(eng: Engine, clock: Clock) -> None:
    p = person(1)
    book(eng, p)
    clock.now = at(THU, "09:30")  # 30 minutes early is allowed
    t = issue(eng, "M", person=p, channel="appointment")
    assert t.priority is PriorityClass.APPOINTMENT and t.channel == "appointment"
    assert any(a.checked_in == t.id for a in eng.appointments.values())


def test_appointment_late_is_a_walk_in(eng: Engine, clock: Clock) -> None:
    p = person(1)
    book(eng, p)
    clock.now = at(THU, "10:16")  # more than 15 minutes late
    assert issue(eng, "M", person=p, channel="appointment").priority is PriorityClass.NORMAL


def test_appointment_too_early_is_refused(eng: Engine, clock: Clock) -> None:
    p = person(1)
    book(eng, p)
    clock.now = at(THU, "09:29")
    msg = refuse(eng, E.CheckInTooEarly, eng.issue, queue="M", person=p, channel="appointment")
    assert msg == "预约时段为10:00，请于09:30后签到"
    with pytest.raises(E.CheckInTooEarly) as e:
        eng.issue(queue="M", person=p, channel="appointment")
    assert e.value.code == "checkin_too_early"
    assert e.value.message_english == "Your appointment is at 10:00; please check in from 09:30"


def test_appointment_check_in_with_only_a_card_finds_the_queue(eng: Engine, clock: Clock) -> None:
    p = person(1)
    book(eng, p, queue="T", slot="10:30")
    book(eng, p, queue="E", slot="10:00")  # two bookings: the earlier slot comes first
    clock.now = at(THU, "09:45")
    first = issue(eng, None, person=p, channel="appointment")
    assert (first.queue, first.priority) == ("E", PriorityClass.APPOINTMENT)
    clock.now = at(THU, "10:10")
    assert issue(eng, None, person=p, channel="appointment").queue == "T"
    refuse(eng, E.NoAppointment, eng.issue, person=p, channel="appointment")


def test_no_appointment(eng: Engine) -> None:
    book(eng, person(1), queue="M")
    refuse(eng, E.NoAppointment, eng.issue, queue="M", person=person(2), channel="appointment")
    refuse(eng, E.NoAppointment, eng.issue, queue="G", person=person(1), channel="appointment")
    refuse(eng, E.CardRequired, eng.issue, queue="M", channel="appointment")


def test_appointment_used_twice_is_refused(eng: Engine, clock: Clock) -> None:
    ready(eng, 9)
    p = person(1)
    book(eng, p)
    clock.now = at(THU, "09:50")
    issue(eng, "M", person=p, channel="appointment")
    refuse(eng, E.PersonLimit, eng.issue, queue="M", person=p, channel="appointment")
    eng.call_next(window=9)
    eng.finish(window=9)
    refuse(eng, E.NoAppointment, eng.issue, queue="M", person=p, channel="appointment")


def test_booking_outside_hours_is_refused(eng: Engine) -> None:
    refuse(eng, E.BadRequest, eng.book_appointment, person=person(1), queue="M",
           slot=at(THU, "18:00"))  # fmt: skip
    refuse(eng, E.UnknownQueue, eng.book_appointment, person=person(1), queue="Z",
           slot=at(THU, "10:00"))  # fmt: skip


# ---------------------------------------------------------------- numbering, items


def test_numbers_per_queue_restart_each_day(eng: Engine, clock: Clock) -> None:
    assert [issue(eng, "G").number for _ in range(3)] == ["A001", "A002", "A003"]
    assert issue(eng, "M").number == "B001"
    assert issue(eng, "E").number == "D001"
    clock.now = at(THU + timedelta(days=1), "09:00")
    eng.housekeep()
    t = issue(eng, "G")
    assert t.number == "A001" and t.id == "20261127-A001"


def test_item_goes_to_its_domain_queue(eng: Engine) -> None:
    assert issue(eng, None, item="biz-licence").queue == "M"
    assert issue(eng, None, item="road-permit").queue == "T"
    assert issue(eng, None, item="pension").queue == "G"  # catch-all
    refuse(eng, E.UnknownItem, eng.issue, item="no-such-item")
    refuse(eng, E.UnknownQueue, eng.issue)
    refuse(eng, E.UnknownQueue, eng.issue, queue="Z")


def test_issue_reply_has_people_ahead_and_estimate(eng: Engine) -> None:
    ready(eng, 1, 2)
    issue(eng)
    out = eng.issue(queue="G")
    assert out.value["ahead"] == 1 and out.value["estimate_text"].startswith("约")
    t = out.value["ticket"]
    assert t["estimate_low"] <= t["estimate"] <= t["estimate_high"]


def test_the_printed_range_narrows_with_the_people_ahead(eng: Engine) -> None:
    # the wait of k calls spreads like 1/√k: a short queue gets a wide range (relative to
    # its estimate), a long one a narrower one, and the estimate is always inside
    ready(eng, 1, 2)
    spans = {}
    for n in range(1, 41):
        t = eng.issue(queue="G").value["ticket"]
        assert t["estimate_low"] <= t["estimate"] <= t["estimate_high"]
        if n in (3, 40):
            spans[n] = (t["estimate_high"] - t["estimate_low"]) / t["estimate"]
    assert spans[40] < 0.7 < 1.5 < spans[3]  # the old fixed 0.5×–1.5× range: 1.0 and more


# ---------------------------------------------------------------- call next, recall


def test_call_next_refused_when_not_ready(eng: Engine) -> None:
    issue(eng)
    refuse(eng, E.WindowClosed, eng.call_next, window=1)
    eng.open_window(window=1)
    refuse(eng, E.NoClerk, eng.call_next, window=1)
    eng.sign_in(window=1, post="A", staff_no="S1", name="李四")
    eng.pause(window=1, reason="午休")
    refuse(eng, E.WindowPaused, eng.call_next, window=1)
    refuse(eng, E.UnknownWindow, eng.call_next, window=99)
    eng.resume(window=1)
    assert eng.call_next(window=1).value["ticket"]["number"] == "A001"


def test_call_next_busy_and_empty(eng: Engine) -> None:
    ready(eng, 1)
    issue(eng)
    issue(eng)
    out = eng.call_next(window=1)
    assert types(out) == ["ticket.called"]
    t = eng.tickets[out.value["ticket"]["id"]]
    assert t.state is TicketState.CALLED and t.window == 1 and eng.windows[1].current == t.id
    refuse(eng, E.WindowBusy, eng.call_next, window=1)
    eng.start(window=1)
    refuse(eng, E.WindowBusy, eng.call_next, window=1)
    eng.finish(window=1)
    eng.call_next(window=1)
    eng.finish(window=1)
    before = eng.state_digest()
    out = eng.call_next(window=1)
    assert out.value["ticket"] is None and out.events == [] and eng.state_digest() == before


def test_recall_then_auto_no_show_on_recall(eng: Engine) -> None:
    ready(eng, 1)
    t = issue(eng)
    eng.call_next(window=1)
    assert eng.recall(window=1).value["no_show"] is False
    assert eng.recall(window=1).value["no_show"] is False
    assert t.recalls == 2
    out = eng.recall(window=1)  # recalls_before_auto = 2
    assert out.value["no_show"] is True and types(out) == ["ticket.no_show"]
    assert t.state is TicketState.NO_SHOW and eng.windows[1].current is None
    assert out.events[0].data.auto is True


def test_auto_no_show_on_call_next(eng: Engine) -> None:
    ready(eng, 1)
    first, second = issue(eng), issue(eng)
    eng.call_next(window=1)
    eng.recall(window=1)
    refuse(eng, E.WindowBusy, eng.call_next, window=1)  # one recall: not yet
    eng.recall(window=1)
    out = eng.call_next(window=1)
    assert types(out) == ["ticket.no_show", "ticket.called"]
    assert first.state is TicketState.NO_SHOW and second.state is TicketState.CALLED
    assert eng.windows[1].current == second.id


def test_auto_no_show_on_call_next_with_nobody_waiting(eng: Engine) -> None:
    ready(eng, 1)
    first = issue(eng)
    eng.call_next(window=1)
    eng.recall(window=1)
    eng.recall(window=1)
    out = eng.call_next(window=1)
    assert out.value["ticket"] is None and types(out) == ["ticket.no_show"]
    assert first.state is TicketState.NO_SHOW and eng.windows[1].current is None


def test_recall_refusals(eng: Engine) -> None:
    ready(eng, 1)
    refuse(eng, E.NothingCurrent, eng.recall, window=1)
    issue(eng)
    eng.call_next(window=1)
    eng.start(window=1)
    refuse(eng, E.BadState, eng.recall, window=1)  # serving: nothing to recall


# ---------------------------------------------------------------- start, finish, no-show


def test_start_and_finish(eng: Engine, clock: Clock) -> None:
    ready(eng, 1)
    t = issue(eng)
    refuse(eng, E.NothingCurrent, eng.start, window=1)
    refuse(eng, E.NothingCurrent, eng.finish, window=1)
    eng.call_next(window=1)
    clock.advance(1)
    assert types(eng.start(window=1)) == ["ticket.started"]
    refuse(eng, E.BadState, eng.start, window=1)
    refuse(eng, E.BadState, eng.no_show, window=1)
    clock.advance(12)
    out = eng.finish(window=1)
    assert types(out) == ["ticket.finished"] and out.events[0].data.clerk == "S001"
    assert t.state is TicketState.FINISHED and t.clerk == "S001"
    assert eng.windows[1].current is None and eng.windows[1].last_finished == t.id
    assert eng.state_digest()["durations"] == {"G": (12.0, 1)}


def test_finish_without_start(eng: Engine) -> None:
    ready(eng, 1)
    t = issue(eng)
    eng.call_next(window=1)
    eng.finish(window=1)
    assert t.state is TicketState.FINISHED and t.started_at == t.finished_at


def test_no_show_and_check_in_again(eng: Engine, clock: Clock) -> None:
    ready(eng, 1)
    t = issue(eng)
    later = issue(eng)
    refuse(eng, E.BadState, eng.check_in_again, ticket=t.id)  # still waiting
    eng.call_next(window=1)
    out = eng.no_show(window=1)
    assert types(out) == ["ticket.no_show"] and out.events[0].data.auto is False
    assert t.state is TicketState.NO_SHOW and eng.windows[1].current is None
    clock.advance(30)
    out = eng.check_in_again(ticket=t.id)
    assert types(out) == ["ticket.requeued"] and t.state is TicketState.WAITING
    assert t.recalls == 0 and t.window is None
    assert [x.id for x in eng.waiting("G")] == [later.id, t.id]  # at the back
    refuse(eng, E.NoSuchTicket, eng.check_in_again, ticket="nope")


def test_check_in_again_too_late(eng: Engine, clock: Clock) -> None:
    ready(eng, 1)
    t = issue(eng)
    eng.call_next(window=1)
    eng.no_show(window=1)
    clock.advance(31)
    refuse(eng, E.CheckInExpired, eng.check_in_again, ticket=t.id)


# ---------------------------------------------------------------- transfer


def test_transfer_to_queue_keeps_issue_time(eng: Engine, clock: Clock) -> None:
    ready(eng, 1, 9)
    x = issue(eng, "G")  # 09:00
    clock.advance(10)
    newer = issue(eng, "M")  # 09:10
    eng.call_next(window=1)
    eng.start(window=1)
    clock.advance(10)
    out = eng.transfer(window=1, to_queue="M", note="需市场监管审核")
    assert types(out) == ["ticket.transferred"]
    assert x.state is TicketState.WAITING and x.queue == "M" and x.enqueued_at == x.issued_at
    assert x.number == "A001" and eng.windows[1].current is None
    assert [t.id for t in eng.waiting("M")] == [x.id, newer.id]
    assert eng.call_next(window=9).value["ticket"]["id"] == x.id  # ahead of the newer one


def test_transfer_to_window_is_called_there_first(eng: Engine, clock: Clock) -> None:
    ready(eng, 1, 5)
    x = issue(eng, "G")
    clock.advance(5)
    older_than_call = [issue(eng, "G") for _ in range(3)]
    eng.call_next(window=1)
    clock.advance(5)
    eng.transfer(window=1, to_window=5)
    assert x.target_window == 5 and x.id not in [t.id for t in eng.waiting("G")]
    assert eng.call_next(window=1).value["ticket"]["id"] == older_than_call[0].id
    assert eng.call_next(window=5).value["ticket"]["id"] == x.id
    assert x.window == 5 and x.target_window is None


def test_transfer_refusals(eng: Engine) -> None:
    ready(eng, 1)
    refuse(eng, E.NothingCurrent, eng.transfer, window=1, to_queue="M")
    issue(eng)
    eng.call_next(window=1)
    refuse(eng, E.BadRequest, eng.transfer, window=1)
    refuse(eng, E.BadRequest, eng.transfer, window=1, to_queue="M", to_window=9)
    refuse(eng, E.UnknownQueue, eng.transfer, window=1, to_queue="Z")
    refuse(eng, E.UnknownWindow, eng.transfer, window=1, to_window=99)
    refuse(eng, E.BadRequest, eng.transfer, window=1, to_window=1)


# ---------------------------------------------------------------- park, call back, cancel


def test_park_and_call_back(eng: Engine) -> None:
    ready(eng, 1, 2)
    x, y = issue(eng), issue(eng)
    eng.call_next(window=1)
    out = eng.park(window=1, note="回车上取材料")
    assert types(out) == ["ticket.parked"]
    assert x.state is TicketState.PARKED and eng.windows[1].parked == [x.id]
    assert x.window == 1 and eng.windows[1].current is None
    eng.call_next(window=1)  # the window is free for the next citizen
    refuse(eng, E.WindowBusy, eng.call_back, window=1, ticket=x.id)
    refuse(eng, E.NotYourTicket, eng.call_back, window=2, ticket=x.id)
    refuse(eng, E.WindowBusy, eng.close_window, window=1)
    eng.finish(window=1)
    refuse(eng, E.WindowBusy, eng.close_window, window=1)  # a parked ticket still belongs
    out = eng.call_back(window=1, ticket=x.id)
    assert types(out) == ["ticket.called"] and x.state is TicketState.CALLED
    assert eng.windows[1].parked == [] and eng.windows[1].current == x.id
    assert y.state is TicketState.FINISHED


def test_park_refusals(eng: Engine) -> None:
    ready(eng, 1)
    refuse(eng, E.NothingCurrent, eng.park, window=1)
    refuse(eng, E.NoSuchTicket, eng.call_back, window=1, ticket="nope")


def test_cancel(eng: Engine) -> None:
    ready(eng, 1)
    x, y, z = issue(eng), issue(eng), issue(eng)
    out = eng.cancel(ticket=y.id, reason="不办了")
    assert types(out) == ["ticket.cancelled"] and y.state is TicketState.CANCELLED
    assert [t.id for t in eng.waiting("G")] == [x.id, z.id]
    eng.call_next(window=1)
    refuse(eng, E.BadState, eng.cancel, ticket=x.id)  # called: the clerk decides
    refuse(eng, E.BadState, eng.cancel, ticket=y.id)
    eng.park(window=1)
    eng.cancel(ticket=x.id)
    assert eng.windows[1].parked == [] and x.window is None
    refuse(eng, E.NoSuchTicket, eng.cancel, ticket="nope")


# ---------------------------------------------------------------- window state


def test_open_close_pause_resume(eng: Engine) -> None:
    out = eng.open_window(window=1)
    assert types(out) == ["window.changed"] and eng.windows[1].state is WindowState.OPEN
    refuse(eng, E.BadRequest, eng.open_window, window=1)
    refuse(eng, E.BadRequest, eng.resume, window=1)
    eng.sign_in(window=1, post="A", staff_no="S1", name="李四")
    issue(eng)
    eng.call_next(window=1)
    refuse(eng, E.WindowBusy, eng.pause, window=1)  # never in the middle of a service
    eng.start(window=1)
    refuse(eng, E.WindowBusy, eng.pause, window=1)
    refuse(eng, E.WindowBusy, eng.close_window, window=1)
    eng.finish(window=1)
    eng.pause(window=1, reason="系统故障")
    assert eng.windows[1].state is WindowState.PAUSED
    assert eng.windows[1].pause_reason == "系统故障"
    refuse(eng, E.WindowClosed, eng.pause, window=1)
    eng.resume(window=1)
    assert eng.windows[1].state is WindowState.OPEN and eng.windows[1].pause_reason == ""
    eng.close_window(window=1)
    assert eng.windows[1].state is WindowState.CLOSED
    refuse(eng, E.WindowClosed, eng.pause, window=1)
    refuse(eng, E.UnknownWindow, eng.open_window, window=0)


def test_sign_in_out_a_b_posts(eng: Engine) -> None:
    eng.open_window(window=1)
    out = eng.sign_in(window=1, post="A", staff_no="S1", name="李四")
    assert types(out) == ["clerk.signed_in", "window.changed"]
    eng.sign_in(window=1, post="B", staff_no="S2", name="王五")
    assert eng.windows[1].active_post == "B" and eng.windows[1].clerk.staff_no == "S2"  # type: ignore[union-attr]
    refuse(eng, E.BadRequest, eng.sign_in, window=1, post="C", staff_no="S3", name="赵六")
    refuse(eng, E.BadRequest, eng.sign_in, window=1, post="A", staff_no=" ", name="赵六")
    issue(eng)
    t = eng.tickets[eng.call_next(window=1).value["ticket"]["id"]]
    assert t.clerk == "S2"
    refuse(eng, E.WindowBusy, eng.sign_out, window=1, post="B")
    refuse(eng, E.WindowBusy, eng.sign_in, window=1, post="A", staff_no="S1", name="李四")
    eng.sign_out(window=1, post="A")  # the backup may leave while B serves
    eng.finish(window=1)
    eng.sign_out(window=1, post="B")
    assert eng.windows[1].active_post is None
    refuse(eng, E.BadRequest, eng.sign_out, window=1, post="B")
    refuse(eng, E.NoClerk, eng.call_next, window=1)


def test_sign_out_active_hands_over_to_other_post(eng: Engine) -> None:
    ready(eng, 1)
    eng.sign_in(window=1, post="B", staff_no="S2", name="王五")
    eng.sign_out(window=1, post="B")
    assert eng.windows[1].active_post == "A"


# ---------------------------------------------------------------- serving profile


def test_set_profile_within_skills(eng: Engine) -> None:
    refuse(eng, E.NotInSkills, eng.set_profile, window=1, profile={"M": 1.0})  # 1F: G only
    refuse(eng, E.UnknownQueue, eng.set_profile, window=5, profile={"Z": 1.0})
    refuse(eng, E.BadRequest, eng.set_profile, window=5, profile={})
    refuse(eng, E.BadRequest, eng.set_profile, window=5, profile={"M": 0})
    # a weight like 1e-300 made every wait estimate of the queue overflow (and the hub with it)
    for bad in (1e-300, 0.009, 101.0, float("inf"), float("nan")):
        refuse(eng, E.BadRequest, eng.set_profile, window=5, profile={"G": 1.0, "M": bad})
    eng.set_profile(window=5, profile={"G": 100.0, "M": 0.01})  # the bounds themselves
    out = eng.set_profile(window=5, profile={"M": 2, "G": 1}, by="manager-1", reason="市场排队长")
    assert types(out) == ["window.profile_changed", "window.changed"]
    assert eng.windows[5].profile == {"M": 2.0, "G": 1.0}


def test_set_profile_takes_effect_at_next_call(eng: Engine, clock: Clock) -> None:
    ready(eng, 5)
    g = issue(eng, "G")
    clock.advance(5)
    m = issue(eng, "M")
    eng.call_next(window=5)
    eng.start(window=5)
    eng.set_profile(window=5, profile={"M": 1.0})
    assert g.state is TicketState.SERVING and eng.windows[5].current == g.id  # not interrupted
    eng.finish(window=5)
    g2 = issue(eng, "G")
    clock.advance(30)
    assert eng.call_next(window=5).value["ticket"]["id"] == m.id
    eng.finish(window=5)
    assert eng.call_next(window=5).value["ticket"] is None  # G is no longer in its profile
    assert g2.state is TicketState.WAITING


# ---------------------------------------------------------------- ratings, follow-up


def finished(eng: Engine, window: int = 1) -> Ticket:
    t = issue(eng)
    eng.call_next(window=window)
    eng.finish(window=window)
    return t


def test_rating_once(eng: Engine) -> None:
    ready(eng, 1)
    t = issue(eng)
    refuse(eng, E.NotRateable, eng.rate, ticket=t.id, level=5)
    eng.call_next(window=1)
    refuse(eng, E.NotRateable, eng.rate, ticket=t.id, level=5)
    eng.finish(window=1)
    refuse(eng, E.BadRequest, eng.rate, ticket=t.id, level=6)
    refuse(eng, E.BadRequest, eng.rate, ticket=t.id, level=0)
    refuse(eng, E.BadRequest, eng.rate, ticket=t.id, level=2, reasons=["天气"])
    out = eng.rate(ticket=t.id, level=5)
    assert types(out) == ["rating.given"] and out.value["case"] is None and t.rated
    assert out.events[0].data.clerk == "S001" and out.events[0].data.window == 1
    refuse(eng, E.AlreadyRated, eng.rate, ticket=t.id, level=1)
    refuse(eng, E.NoSuchTicket, eng.rate, ticket="nope", level=5)


@pytest.mark.parametrize("level", [3, 4])
def test_fair_ratings_open_no_case(eng: Engine, level: int) -> None:
    ready(eng, 1)
    out = eng.rate(ticket=finished(eng).id, level=level)
    assert out.value["case"] is None and eng.cases == {}


def test_bad_rating_opens_case_with_working_day_deadlines(eng: Engine, clock: Clock) -> None:
    # Thu 24 Sep 2026. The State Council's 2026 notice: 中秋 25–27 Sep off; 国庆 1–7 Oct
    # off, Sun 20 Sep and Sat 10 Oct worked. (This test used to expect 26 Sep, 30 Sep and
    # 19 Oct from a hand-typed holiday list that made Sat 26 Sep a workday: wrong.)
    clock.now = at(date(2026, 9, 24), "10:00")
    eng.housekeep()
    ready(eng, 1)
    t = finished(eng)
    out = eng.rate(ticket=t.id, level=1, reasons=["态度", "效率"], comment="等太久")
    assert types(out) == ["rating.given", "followup.opened"]
    case = eng.cases[out.value["case"]]
    assert case.ticket == t.id and case.window == 1 and case.clerk == "S001"
    assert case.reasons == ["态度", "效率"] and case.level == 1
    # working days after 24 Sep: 28 (1), 29, 30, 8 Oct (4), 9, Sat 10, 12, 13, 14, 15, 16,
    # 19, 20 Oct (13)
    assert case.contact_due == date(2026, 9, 28)
    assert case.rectify_due == date(2026, 10, 8)
    assert case.complex_due == date(2026, 10, 20)  # over the National Day week
    assert case.state is CaseState.OPEN
    opened = out.events[-1].data
    assert isinstance(opened, FollowUpOpened) and opened.calendar_warning == ""  # known years


def test_bad_rating_before_a_make_up_sunday(eng: Engine, clock: Clock) -> None:
    # Fri 18 Sep 2026; Sun 20 Sep is a make-up workday (调休上班) of the 2026 notice.
    clock.now = at(date(2026, 9, 18), "10:00")
    eng.housekeep()
    ready(eng, 1)
    case = eng.cases[eng.rate(ticket=finished(eng).id, level=2).value["case"]]
    assert case.contact_due == date(2026, 9, 20)  # Sun 20 (1)
    assert case.rectify_due == date(2026, 9, 23)  # 21, 22, 23 (4)
    # 24, 28, 29, 30, 8 Oct, 9, Sat 10, 12, 13 (13)
    assert case.complex_due == date(2026, 10, 13)


def test_a_deadline_past_the_official_calendar_is_flagged(eng: Engine, clock: Clock) -> None:
    # Thu 24 Dec 2026: the 13th working day is in January 2027, which the installed
    # calendar does not know (its last year is 2026): counted by weekdays, and said so.
    clock.now = at(date(2026, 12, 24), "10:00")
    eng.housekeep()
    ready(eng, 1)
    out = eng.rate(ticket=finished(eng).id, level=1)
    case = eng.cases[out.value["case"]]
    assert case.contact_due == date(2026, 12, 25)
    assert case.complex_due == date(2027, 1, 12)  # 25, 28–31 Dec, 1, 4–8, 11, 12 Jan
    opened = out.events[-1].data
    assert isinstance(opened, FollowUpOpened)
    assert "2027-01-12" in opened.calendar_warning and "2026-12-31" in opened.calendar_warning


def test_follow_up_moves(eng: Engine) -> None:
    ready(eng, 1)
    cid = eng.rate(ticket=finished(eng).id, level=2).value["case"]
    c = eng.cases[cid]
    refuse(eng, E.NoSuchCase, eng.follow_up, case="nope", action="contact", by="m")
    refuse(eng, E.BadRequest, eng.follow_up, case=cid, action="forget", by="m")
    refuse(eng, E.BadState, eng.follow_up, case=cid, action="close", by="m")
    out = eng.follow_up(case=cid, action="contact", by="manager-1", note="已电话联系")
    assert types(out) == ["followup.updated"] and c.state is CaseState.CONTACTED
    refuse(eng, E.BadState, eng.follow_up, case=cid, action="contact", by="m")
    eng.follow_up(case=cid, action="complex", by="manager-1")
    assert c.complex and c.state is CaseState.CONTACTED
    eng.follow_up(case=cid, action="rectify", by="manager-1")
    assert c.state is CaseState.RECTIFIED
    refuse(eng, E.BadState, eng.follow_up, case=cid, action="rectify", by="m")
    eng.follow_up(case=cid, action="close", by="manager-1")
    assert c.state is CaseState.CLOSED and len(c.actions) == 4
    refuse(eng, E.BadState, eng.follow_up, case=cid, action="complex", by="m")


def test_follow_up_records_the_citizens_answer(eng: Engine) -> None:
    ready(eng, 1)
    cid = eng.rate(ticket=finished(eng).id, level=1).value["case"]
    c = eng.cases[cid]
    # an answer only comes with the feedback (rectify) or the closing, and is one of two
    refuse(eng, E.BadRequest, eng.follow_up, case=cid, action="contact", by="m", answer="satisfied")
    refuse(eng, E.BadRequest, eng.follow_up, case=cid, action="rectify", by="m", answer="ok")
    assert c.state is CaseState.OPEN and c.actions == []
    eng.follow_up(case=cid, action="rectify", by="m", note="已整改", answer="unsatisfied")
    out = eng.follow_up(case=cid, action="close", by="m", note="再次回访", answer="satisfied")
    assert [a.get("answer") for a in c.actions] == ["unsatisfied", "satisfied"]
    updated = out.events[0].data
    assert (
        isinstance(updated, FollowUpUpdated)
        and updated.case["actions"][-1]["answer"] == "satisfied"
    )


# ---------------------------------------------------------------- the day


def test_housekeep_expires_yesterdays_tickets(eng: Engine, clock: Clock) -> None:
    ready(eng, 1, 2)
    done, parked, called, waiting = issue(eng), issue(eng), issue(eng), issue(eng)
    eng.call_next(window=1)
    eng.finish(window=1)
    eng.call_next(window=2)
    eng.park(window=2)
    eng.call_next(window=2)
    assert parked.state is TicketState.PARKED and called.state is TicketState.CALLED
    before_events = eng.housekeep()
    assert before_events.events == []  # same day: nothing to do
    clock.now = at(THU + timedelta(days=1), "08:30")
    out = eng.housekeep()
    assert types(out) == ["day.started"] and out.value["expired"] == 3
    for t in (waiting, called, parked):
        assert t.state is TicketState.CANCELLED and t.window is None
        assert t.id in out.changes.tickets
    assert done.state is TicketState.FINISHED
    assert eng.tickets == {} and eng.waiting("G") == []
    assert eng.windows[2].current is None and eng.windows[2].parked == []
    assert eng.day == THU + timedelta(days=1)


def test_transfer_to_a_window_not_open_warns_the_clerk(eng: Engine) -> None:
    ready(eng, 1, 2)
    for _ in range(3):
        issue(eng)
    eng.call_next(window=1)
    out = eng.transfer(window=1, to_window=31).value  # the output window is closed
    assert out["warning"] == "31号窗口现未开放：群众将在该窗口开放后被叫号"
    assert out["warning_en"] == "window 31 is closed: the citizen will be called when it opens"
    eng.pause(window=2, reason="会议")
    eng.call_next(window=1)
    assert "暂停服务" in eng.transfer(window=1, to_window=2).value["warning"]
    eng.resume(window=2)
    eng.call_next(window=1)
    assert "warning" not in eng.transfer(window=1, to_window=2).value


def test_housekeep_expires_targeted_transfers(eng: Engine, clock: Clock) -> None:
    ready(eng, 1)
    t = issue(eng)
    eng.call_next(window=1)
    eng.transfer(window=1, to_window=31)  # the output window is closed
    clock.now = at(THU + timedelta(days=1), "09:00")
    eng.housekeep()
    assert t.state is TicketState.CANCELLED and eng.state_digest()["targeted"] == {}


def test_first_housekeep_keeps_todays_calls(layout: Layout, clock: Clock) -> None:
    """An engine that served before its first housekeep must not lose today's calls."""
    eng = Engine(layout, clock)
    ready(eng, 1)
    p = person(1)
    issue(eng, person=p)
    eng.call_next(window=1)
    eng.housekeep()
    cur = eng.windows[1].current
    assert cur is not None and eng.tickets[cur].state is TicketState.CALLED
    refuse(eng, E.PersonLimit, eng.issue, queue="G", person=p)


# ---------------------------------------------------------------- routing


def heads_of(*tickets: Ticket) -> dict[str, dict[PriorityClass, Ticket]]:
    out: dict[str, dict[PriorityClass, Ticket]] = {}
    for t in sorted(tickets, key=lambda t: t.enqueued_at):
        out.setdefault(t.queue, {}).setdefault(t.priority, t)
    return out


def tk(tid: str, queue: str, issued: str, priority: PriorityClass = PriorityClass.NORMAL) -> Ticket:
    when = at(THU, issued)
    return Ticket(tid, tid, queue, THU, when, when, priority)


RATES = {"normal": 1.0, "appointment": 3.0, "green": 4.0}


def rw(profile: dict[str, float], home: str = "G", cap: float = 40.0) -> RouteWindow:
    return RouteWindow(1, profile, home, RATES, cap)


def test_green_overtakes_a_recent_walk_in() -> None:
    walk_in = tk("A001", "G", "09:00")
    green = tk("A002", "G", "09:02", PriorityClass.GREEN)
    # at 09:04: walk-in 4 min x 1 < green 2 min x 4
    assert accumulated_priority(rw({"G": 1}), heads_of(walk_in, green), at(THU, "09:04")) is green


def test_old_walk_in_beats_a_brand_new_green() -> None:
    walk_in = tk("A001", "G", "09:00")
    green = tk("A002", "G", "09:20", PriorityClass.GREEN)
    # at 09:24: walk-in 24 > green 4 x 4 = 16 (the crossover is at 6 minutes for green)
    assert accumulated_priority(rw({"G": 1}), heads_of(walk_in, green), at(THU, "09:24")) is walk_in
    assert accumulated_priority(rw({"G": 1}), heads_of(walk_in, green), at(THU, "09:27")) is green


def test_appointment_rate_between() -> None:
    walk_in = tk("A001", "G", "09:00")
    appt = tk("A002", "G", "09:05", PriorityClass.APPOINTMENT)
    h = heads_of(walk_in, appt)
    assert accumulated_priority(rw({"G": 1}), h, at(THU, "09:07")) is walk_in  # 7 > 6
    assert accumulated_priority(rw({"G": 1}), h, at(THU, "09:08")) is appt  # 8 < 9


def test_weights_favour_a_queue() -> None:
    g = tk("A001", "G", "09:00")
    m = tk("B001", "M", "09:05")
    h = heads_of(g, m)
    now = at(THU, "09:10")
    assert accumulated_priority(rw({"G": 1, "M": 1}), h, now) is g
    assert accumulated_priority(rw({"G": 1, "M": 3}), h, now) is m
    assert accumulated_priority(rw({"M": 1}), h, now) is m  # only its profile


def test_an_idle_window_helps_a_neighbouring_queue_it_is_skilled_for() -> None:
    g = tk("A001", "G", "09:00")
    m = tk("B001", "M", "09:05")
    t = tk("C001", "T", "09:01")
    now = at(THU, "09:10")
    w = RouteWindow(5, {"G": 1}, "G", RATES, 40.0, neighbours=("M", "T"))
    assert accumulated_priority(w, heads_of(g, m), now) is g  # its own queue first
    assert accumulated_priority(w, heads_of(m, t), now) is t  # empty own queue: the longest wait
    assert accumulated_priority(w, heads_of(m), now) is m
    assert accumulated_priority(rw({"G": 1}), heads_of(m), now) is None  # no neighbours
    # today's practice ignores them
    assert dedicated(w, heads_of(m), now) is None


def test_neighbours_are_the_skills_served_on_the_windows_floor(layout: Layout) -> None:
    from hall.core.engine.base import neighbours

    nb = neighbours(layout)
    assert nb[1] == ()  # 1F general: G only
    assert nb[5] == ("M", "T")  # 2F general: the market and transport areas of its floor
    assert nb[9] == ("G",) and nb[20] == ("G",)  # 2F domain windows: general tickets
    assert nb[22] == ("E",) and nb[26] == ("G",)  # 3F


def test_an_idle_domain_window_calls_a_general_ticket_under_the_default_routing(
    layout: Layout, clock: Clock
) -> None:
    for policy, called in (("default", True), ("dedicated", False)):
        e = Engine(layout, clock, items=ITEMS, policy=policy)
        e.housekeep()
        ready(e, 9)  # a market window (M, may take G)
        issue(e, "G")
        got = e.call_next(window=9).value["ticket"]
        assert (got is not None) == called, policy
        # its estimate counted the idle helper: called at once
        if called:
            assert got["estimate"] == 0


def test_max_wait_cap_serves_the_longest_wait_first() -> None:
    g = tk("A001", "G", "09:00", PriorityClass.NORMAL)
    m = tk("B001", "M", "09:30", PriorityClass.GREEN)
    h = heads_of(g, m)
    profile = {"G": 1, "M": 10}
    assert accumulated_priority(rw(profile), h, at(THU, "09:39")) is m  # 9 x 40 > 39
    assert accumulated_priority(rw(profile), h, at(THU, "09:40")) is g  # g hits 40 minutes


def late(profile: dict[str, float], neighbours: tuple[str, ...] = ()) -> RouteWindow:
    """A window whose tickets are late from 10 minutes (a hall's figure; Jiangbei's is 8)."""
    return RouteWindow(5, profile, next(iter(profile)), RATES, 40.0, neighbours, 10.0)


def test_a_late_ticket_of_a_neighbouring_queue_goes_before_the_own_queue() -> None:
    g = tk("A001", "G", "09:05")
    m = tk("B001", "M", "09:00")
    h = heads_of(g, m)
    w = late({"G": 1}, ("M",))
    # at 09:09 m has waited 9 < 10 minutes: the window keeps to its own queue
    assert accumulated_priority(w, h, at(THU, "09:09")) is g
    # at 09:10 m is late (10 minutes): the window takes it although g waits too
    assert accumulated_priority(w, h, at(THU, "09:10")) is m
    # without the rule (late_wait_minutes infinite) its own queue goes first
    no_rule = RouteWindow(5, {"G": 1}, "G", RATES, 40.0, ("M",))
    assert accumulated_priority(no_rule, h, at(THU, "09:10")) is g


def test_late_tickets_go_by_weight_times_wait_the_green_channel_at_its_rate() -> None:
    g = tk("A001", "G", "09:00")  # walk-in
    t = tk("C001", "T", "09:04")  # walk-in
    m = tk("B001", "M", "08:58")  # a neighbouring queue: weight 1
    green = tk("A002", "G", "09:10", PriorityClass.GREEN)
    h = heads_of(g, t, m, green)
    w = late({"G": 1, "T": 2}, ("M",))
    # at 09:15: g 15 x 1, t 11 x 2 = 22, m 17 x 1; green 5 minutes at its rate 4: 20
    assert accumulated_priority(w, h, at(THU, "09:15")) is t
    # t still 9 minutes (not late) at 09:13: g 13, m 15, green 3 x 4 = 12 -> m
    assert accumulated_priority(w, h, at(THU, "09:13")) is m
    # an appointment is late by its minutes only: 9 minutes (rate 3) is not late, m is
    appt = tk("A004", "G", "09:04", PriorityClass.APPOINTMENT)
    assert accumulated_priority(w, heads_of(appt, m), at(THU, "09:13")) is m
    # the green channel is not passed over by a walk-in who came after it: green came at
    # 09:10, t2 at 09:11; at 09:24 t2 has waited 13 (late): 13 x 2 = 26; green 14 x 4 = 56
    # (by its minutes alone, 14, the heavier queue's walk-in would go first)
    t2 = tk("C002", "T", "09:11")
    assert accumulated_priority(w, heads_of(green, t2), at(THU, "09:24")) is green
    # green at 2 minutes is 8, not late (10): the late walk-in m (26 minutes) goes first
    green2 = tk("A005", "G", "09:22", PriorityClass.GREEN)
    assert accumulated_priority(w, heads_of(green2, m), at(THU, "09:24")) is m
    # nothing late: accumulated priority with the class rates (green 4 x 4 = 16 > g 9 x 1)
    g2 = tk("A003", "G", "09:05")
    assert accumulated_priority(w, heads_of(g2, green), at(THU, "09:14")) is green


def test_the_hard_cap_of_the_own_profile_still_comes_first() -> None:
    g = tk("A001", "G", "09:00")
    m = tk("B001", "M", "08:50")  # a neighbour's ticket, late and older
    w = late({"G": 1}, ("M",))
    # at 09:40 g reaches the 40-minute cap of its profile: served first although m waited 50
    assert accumulated_priority(w, heads_of(g, m), at(THU, "09:40")) is g
    assert accumulated_priority(w, heads_of(g, m), at(THU, "09:39")) is m  # m 49 > g 39


def test_a_market_window_calls_a_late_general_ticket_before_a_fresh_market_one(
    layout: Layout, clock: Clock
) -> None:
    late10 = dataclasses.replace(layout.priority, late_wait_minutes=10.0)  # a hall's opt-in
    e = Engine(dataclasses.replace(layout, priority=late10), clock, items=ITEMS)
    e.housekeep()
    ready(e, 9)  # a market window (M, may take G: its floor's general windows serve G)
    g = issue(e, "G")
    clock.advance(10)
    m = issue(e, "M")
    got = e.call_next(window=9).value["ticket"]
    assert got["id"] == g.id  # waited 10 minutes: late
    e.start(window=9)
    e.finish(window=9)
    assert e.call_next(window=9).value["ticket"]["id"] == m.id
    # a hall without the rule (late at the 40-minute cap): the market ticket first
    cap = dataclasses.replace(layout.priority, late_wait_minutes=40.0)
    e = Engine(dataclasses.replace(layout, priority=cap), clock, items=ITEMS)
    e.housekeep()
    ready(e, 9)
    issue(e, "G")
    clock.advance(10)
    m = issue(e, "M")
    assert e.call_next(window=9).value["ticket"]["id"] == m.id


def test_equal_scores_go_to_the_older_ticket() -> None:
    a = tk("A001", "G", "09:00")
    b = tk("B001", "M", "09:05")
    c = tk("C001", "T", "09:08")
    h, now = heads_of(a, b, c), at(THU, "09:10")
    # at 09:10: a 10 x 1 = b 5 x 2 = c 2 x 5 = 10; the youngest queue is looked at first
    assert accumulated_priority(rw({"T": 5, "M": 2, "G": 1}), h, now) is a
    assert accumulated_priority(rw({"G": 1, "M": 2, "T": 5}), h, now) is a


def test_dedicated_policy_serves_its_home_queue_by_absolute_class() -> None:
    old = tk("B001", "M", "09:00")
    appt = tk("B002", "M", "09:30", PriorityClass.APPOINTMENT)
    green = tk("B003", "M", "09:40", PriorityClass.GREEN)
    g = tk("A001", "G", "08:00")
    w = rw({"M": 1, "G": 1}, home="M")
    assert dedicated(w, heads_of(old, appt, green, g), at(THU, "10:00")) is green
    assert dedicated(w, heads_of(old, appt, g), at(THU, "10:00")) is appt
    assert dedicated(w, heads_of(old, g), at(THU, "10:00")) is old
    assert dedicated(w, heads_of(g), at(THU, "10:00")) is None


def test_pooled_policy_is_first_come_first_served_everywhere() -> None:
    g = tk("A001", "G", "09:01")
    m = tk("B001", "M", "09:00")
    green = tk("C001", "T", "09:05", PriorityClass.GREEN)
    assert pooled(rw({"G": 1}), heads_of(g, m, green), at(THU, "10:00")) is m
    assert pooled(rw({"G": 1}), {}, at(THU, "10:00")) is None


def test_pooled_classes_is_first_come_first_served_within_classes_everywhere() -> None:
    g = tk("A001", "G", "09:01")
    m = tk("B001", "M", "09:00")
    appt_t = tk("C001", "T", "09:20", PriorityClass.APPOINTMENT)
    appt_e = tk("D001", "E", "09:10", PriorityClass.APPOINTMENT)
    green = tk("C002", "T", "09:30", PriorityClass.GREEN)
    w = rw({"G": 1})  # the window's profile does not matter: every ticket is pooled
    assert pooled_classes(w, heads_of(g, m, appt_t, appt_e, green), at(THU, "10:00")) is green
    assert pooled_classes(w, heads_of(g, m, appt_t, appt_e), at(THU, "10:00")) is appt_e
    assert pooled_classes(w, heads_of(g, m), at(THU, "10:00")) is m
    assert pooled_classes(w, {}, at(THU, "10:00")) is None


def test_engine_routes_green_before_walk_ins(eng: Engine, clock: Clock) -> None:
    ready(eng, 1)
    walk_in = issue(eng)
    clock.advance(2)
    green = issue(eng, channel="staff", green=True)
    clock.advance(1)  # walk-in 3, green 1 x 4
    assert eng.call_next(window=1).value["ticket"]["id"] == green.id
    eng.finish(window=1)
    assert eng.call_next(window=1).value["ticket"]["id"] == walk_in.id


@pytest.mark.parametrize("policy", ["dedicated", "pooled", "pooled_classes", "default"])
def test_engine_accepts_each_policy(layout: Layout, clock: Clock, policy: str) -> None:
    eng = Engine(layout, clock, policy=policy)
    eng.housekeep()
    ready(eng, 9)
    g = issue(eng, "G")
    clock.advance(1)
    m = issue(eng, "M")
    clock.advance(1)
    got = eng.call_next(window=9).value["ticket"]["id"]
    # Window 9's profile is M only; pooled serves every window from every queue by design.
    assert got == (g.id if policy.startswith("pooled") else m.id)


def test_unknown_policy() -> None:
    with pytest.raises(ValueError, match="unknown routing policy"):
        Engine(load_layout(default_layout_path()), Clock(at(THU, "09:00")), policy="lifo")


def test_queue_summary_says_when_no_window_serves_a_queue(eng: Engine) -> None:
    by_queue = {q["queue"]: q for q in eng.queue_summary()}
    assert by_queue["M"]["estimate_text"] == "暂无窗口办理"  # nothing open yet: no promise
    ready(eng, 9)
    issue(eng, "M")
    by_queue = {q["queue"]: q for q in eng.queue_summary()}
    assert by_queue["M"]["waiting"] == 1
    assert by_queue["M"]["estimate_text"] != "暂无窗口办理"
    assert by_queue["G"]["estimate_text"] == "暂无窗口办理"


# ---------------------------------------------------------------- help to other floors


def far(neighbours: tuple[str, ...] = (), wait: float = 5.0) -> RouteWindow:
    """A 1st-floor no-distinction window (G) that may call M and E from other floors after
    `wait` minutes (the jiangbei layout's figure is 5)."""
    return RouteWindow(1, {"G": 1}, "G", RATES, 40.0, neighbours, other_floors=("M", "E"),
                       other_floor_wait_minutes=wait)  # fmt: skip


def test_another_floors_ticket_only_when_the_own_floor_has_nobody_and_after_the_wait() -> None:
    g = tk("A001", "G", "09:08")
    m = tk("B001", "M", "09:00")
    # at 09:10 m has waited 10 minutes, but the window's own queue has g: g first
    assert accumulated_priority(far(), heads_of(g, m), at(THU, "09:10")) is g
    # nobody in G: m, waited 10 >= 5
    assert accumulated_priority(far(), heads_of(m), at(THU, "09:10")) is m
    # at 09:04 m has waited 4 < 5 minutes: the window stays idle
    assert accumulated_priority(far(), heads_of(m), at(THU, "09:04")) is None
    assert accumulated_priority(far(), heads_of(m), at(THU, "09:05")) is m  # exactly 5
    # a neighbouring queue of its own floor comes before another floor's (O: 1F output)
    o = tk("F001", "O", "09:09")
    assert accumulated_priority(far(("O",)), heads_of(m, o), at(THU, "09:10")) is o
    # without the rule (the wait unset: infinite) never; and dedicated ignores other floors
    assert accumulated_priority(far(wait=math.inf), heads_of(m), at(THU, "09:30")) is None
    assert dedicated(far(), heads_of(m), at(THU, "09:30")) is None


def test_among_other_floors_tickets_accumulated_priority_of_those_past_the_wait() -> None:
    m = tk("B001", "M", "09:00")  # walk-in: 10 minutes at 09:10 -> 10 x 1
    e_appt = tk("D001", "E", "09:06", PriorityClass.APPOINTMENT)  # 4 minutes: not yet
    m_green = tk("B002", "M", "09:04", PriorityClass.GREEN)  # 6 minutes x 4 = 24
    h = heads_of(m, e_appt, m_green)
    assert accumulated_priority(far(), h, at(THU, "09:10")) is m_green
    # at 09:12 the appointment has waited 6: 6 x 3 = 18; green 8 x 4 = 32 still first
    assert accumulated_priority(far(), h, at(THU, "09:12")) is m_green
    # without the green ticket: appointment 18 > walk-in 12
    assert accumulated_priority(far(), heads_of(m, e_appt), at(THU, "09:12")) is e_appt
    # at 09:10 the appointment (4 min) is not yet eligible, however fast it accumulates
    assert accumulated_priority(far(), heads_of(m, e_appt), at(THU, "09:10")) is m


def test_a_first_floor_window_calls_a_market_ticket_after_the_layouts_wait(
    layout: Layout, clock: Clock
) -> None:
    w1 = dataclasses.replace(layout.windows[1], other_floors=("M", "T", "E"))
    p = dataclasses.replace(layout.priority, other_floor_wait_minutes=5.0)
    lay = dataclasses.replace(layout, windows={**layout.windows, 1: w1}, priority=p)
    e = Engine(lay, clock, items=ITEMS)
    e.housekeep()
    ready(e, 1)
    m = issue(e, "M")
    clock.advance(4)
    assert e.call_next(window=1).value["ticket"] is None  # 4 minutes: the 2nd floor's own
    clock.advance(1)
    out = e.call_next(window=1)
    assert out.value["ticket"]["id"] == m.id
    # the call names both floors: the boards of 1F (the window) and 2F (the citizen) show it
    (called,) = [ev.data for ev in out.events if isinstance(ev.data, TicketCalled)]
    assert (called.floor, called.queue_floor) == ("1F", "2F")
    # the shipped jiangbei layout has the rule on, at once (0 minutes), for every
    # no-distinction window: the 2nd floor's may call E, the 3rd floor's M and T
    assert layout.windows[1].other_floors == ("M", "T", "E")
    assert layout.windows[5].other_floors == ("E",)
    assert layout.windows[22].other_floors == ("M", "T")
    assert all(not layout.windows[n].other_floors for n in (9, 20, 26))  # domain windows
    assert layout.priority.other_floor_wait_minutes == 0.0
    # the rule off (the wait unset: infinite): never
    off = dataclasses.replace(p, other_floor_wait_minutes=math.inf)
    e2 = Engine(dataclasses.replace(lay, priority=off), clock, items=ITEMS)
    e2.housekeep()
    ready(e2, 1)
    issue(e2, "M")
    clock.advance(30)
    assert e2.call_next(window=1).value["ticket"] is None
