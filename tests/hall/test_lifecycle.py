"""The ticket lifecycle table (hall.core.engine.lifecycle) against the engine, pair by pair.

For every (state, command): a ticket is brought to the state by real commands, the
command is tried, and the engine must refuse exactly where the table says (with the
table's error, changing nothing) and land where the table says.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest

from hall.core import errors as E
from hall.core.engine import Engine, Outcome, at
from hall.core.engine import lifecycle as L
from hall.core.engine.lifecycle import Command
from hall.core.layout import Layout, default_layout_path, load_layout
from hall.core.model import Ticket, TicketState

THU = date(2026, 11, 26)
HERE, OTHER = 1, 2  # two windows of the same queue: HERE calls the ticket, OTHER is free


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def layout() -> Layout:
    lay = load_layout(default_layout_path())
    assert lay.windows[HERE].profile == lay.windows[OTHER].profile
    return lay


def hall_with_ticket(layout: Layout, state: TicketState) -> tuple[Engine, Clock, Ticket]:
    """An open hall with one ticket, brought to `state` by real commands at window HERE."""
    clock = Clock(at(THU, "09:00"))
    eng = Engine(layout, clock)
    eng.housekeep()
    for n in (HERE, OTHER):
        eng.open_window(window=n)
        eng.sign_in(window=n, post="A", staff_no=f"S{n}", name="办事员")
    queue = next(iter(layout.windows[HERE].profile))
    t = eng.tickets[eng.issue(queue=queue, channel="staff").value["ticket"]["id"]]
    assert t.state is L.ISSUED
    steps: dict[TicketState, list[Callable[[], Outcome]]] = {
        TicketState.WAITING: [],
        TicketState.CALLED: [lambda: eng.call_next(window=HERE)],
        TicketState.SERVING: [lambda: eng.call_next(window=HERE), lambda: eng.start(window=HERE)],
        TicketState.FINISHED: [lambda: eng.call_next(window=HERE), lambda: eng.finish(window=HERE)],
        TicketState.NO_SHOW: [lambda: eng.call_next(window=HERE), lambda: eng.no_show(window=HERE)],
        TicketState.PARKED: [lambda: eng.call_next(window=HERE), lambda: eng.park(window=HERE)],
        TicketState.CANCELLED: [lambda: eng.cancel(ticket=t.id)],
    }
    for step in steps[state]:
        step()
    assert t.state is state
    clock.now += timedelta(minutes=5)
    return eng, clock, t


def attempt(eng: Engine, clock: Clock, t: Ticket, command: Command) -> Outcome:
    """`command` on `t` as a clerk, a citizen or the day change would give it."""
    match command:
        case Command.CALL_NEXT:
            return eng.call_next(window=OTHER)
        case Command.CALL_BACK:
            return eng.call_back(window=HERE, ticket=t.id)
        case Command.TRANSFER:
            return eng.transfer(window=HERE, to_queue=t.queue)
        case Command.CANCEL:
            return eng.cancel(ticket=t.id)
        case Command.CHECK_IN_AGAIN:
            return eng.check_in_again(ticket=t.id)
        case Command.RATE:
            return eng.rate(ticket=t.id, level=5)
        case Command.EXPIRE:
            clock.now = at(THU + timedelta(days=1), "08:00")
            return eng.housekeep()
        case Command.RECALL:
            return eng.recall(window=HERE)
        case Command.START:
            return eng.start(window=HERE)
        case Command.FINISH:
            return eng.finish(window=HERE)
        case Command.NO_SHOW:
            return eng.no_show(window=HERE)
        case Command.PARK:
            return eng.park(window=HERE)
    raise AssertionError(f"no way to try {command}")


PAIRS = [(s, c) for s in TicketState for c in Command]


@pytest.mark.parametrize(("state", "command"), PAIRS, ids=[f"{s}-{c}" for s, c in PAIRS])
def test_the_engine_moves_and_refuses_as_the_table_says(
    layout: Layout, state: TicketState, command: Command
) -> None:
    eng, clock, t = hall_with_ticket(layout, state)
    refusal = L.refusal(state, command)
    if refusal is None:
        out = attempt(eng, clock, t, command)
        assert t.state is L.TABLE[state][command]
        assert out.changes.tickets[t.id] is t
    elif command in (Command.CALL_NEXT, Command.EXPIRE):
        # Neither names a ticket: routing never picks, and housekeeping skips, a ticket
        # whose state the table does not allow.
        out = attempt(eng, clock, t, command)
        assert t.state is state and t.id not in out.changes.tickets
    else:
        before = eng.state_digest()
        with pytest.raises(E.HallError) as e:
            attempt(eng, clock, t, command)
        assert type(e.value) is refusal
        assert eng.state_digest() == before


@pytest.mark.parametrize("command", sorted(L.ON_CURRENT | {Command.CALL_NEXT, Command.CALL_BACK}))
def test_only_the_ready_window_commands_need_an_open_window(
    layout: Layout, command: Command
) -> None:
    """Paused windows with nothing at them: the table's READY_WINDOW commands meet the
    pause; the others may still end a service, so they find no current ticket instead."""
    eng, clock, t = hall_with_ticket(layout, TicketState.PARKED)
    eng.pause(window=HERE)
    eng.pause(window=OTHER)
    expected = E.WindowPaused if command in L.READY_WINDOW else E.NothingCurrent
    with pytest.raises(E.HallError) as e:
        attempt(eng, clock, t, command)
    assert type(e.value) is expected


def test_the_table_is_whole() -> None:
    assert set(L.TABLE) == set(TicketState)
    # What housekeeping expires is what still counts against a person's limits.
    assert {s for s in TicketState if L.allows(s, Command.EXPIRE)} == {
        s for s in TicketState if s.active
    }
    # Every state can be reached from an issued ticket.
    reached, todo = {L.ISSUED}, [L.ISSUED]
    while todo:
        for to in L.TABLE[todo.pop()].values():
            if to not in reached:
                reached.add(to)
                todo.append(to)
    assert reached == set(TicketState)
