"""A ticket's lifecycle: one table of (state, command) → next state, and the refusal.

Everything that decides which state a ticket may move to lives here; the engine moves a
ticket only through this table (`EngineBase._move`) and the counter greys out its
buttons from it (counter.rules). The main road is

    waiting ──call_next──► called ──start──► serving ──finish──► finished

and `TABLE` tells the whole story of a ticket:

- **issue** makes a ticket ``waiting`` in its queue (or for one window, after a
  transfer there).
- **call_next**: routing picks the best ``waiting`` ticket for a window → ``called``.
  **recall** calls it again and it stays ``called``; past the layout's
  ``recalls_before_auto`` a recall (or the window's next call_next) ends it as a
  **no_show** instead.
- **start**: the citizen is at the window → ``serving``.
- **finish** → ``finished`` (from ``called`` too: a quick matter needs no start).
  A ``finished`` ticket may be rated (**rate**), once: the ``rated`` flag, not a state.
- **no_show**: the called citizen did not come → ``no_show``. They may
  **check_in_again** within the layout's minutes on the same day → ``waiting`` at the
  back of their class.
- **transfer** sends a ``called`` or ``serving`` ticket to another queue or to one
  window → ``waiting`` (it keeps its issue time).
- **park** sets a ``called`` or ``serving`` citizen aside and frees the window →
  ``parked``; **call_back** brings the ticket back to the window that parked it →
  ``called``.
- **cancel**: the citizen leaves while ``waiting`` or ``parked`` → ``cancelled``.
- **expire**: housekeeping at the day change ends every still-active ticket of an
  earlier day → ``cancelled``. Housekeeping skips the others; it never refuses.

``finished``, ``cancelled`` and (after the check-in minutes) ``no_show`` are the ends.

A command the table has no move for is refused with ``REFUSAL[command]`` (``BadState``
unless named). Other guards are not about the ticket's state and stay in the engine:
the window's readiness (``READY_WINDOW``), a window holding another ticket, the recall
limit, the check-in minutes, one rating per ticket. A command on a window's current
ticket (``ON_CURRENT``) meets ``NothingCurrent`` first when the window holds none, which
is so in every state but ``AT_WINDOW``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from hall.core import errors as E
from hall.core.model import Ticket, TicketState


class Command(enum.StrEnum):
    """What can happen to a ticket; the values are the engine's (and counter's) names."""

    CALL_NEXT = "call_next"
    RECALL = "recall"
    START = "start"
    FINISH = "finish"
    NO_SHOW = "no_show"
    TRANSFER = "transfer"
    PARK = "park"
    CALL_BACK = "call_back"
    CANCEL = "cancel"
    CHECK_IN_AGAIN = "check_in_again"
    RATE = "rate"
    EXPIRE = "expire"  # housekeeping, at the day change


S, C = TicketState, Command

#: The state a new ticket starts in.
ISSUED = S.WAITING

#: state → {command: next state}. A pair not listed is refused (`REFUSAL`).
TABLE: Mapping[TicketState, Mapping[Command, TicketState]] = {
    S.WAITING: {
        C.CALL_NEXT: S.CALLED,
        C.CANCEL: S.CANCELLED,
        C.EXPIRE: S.CANCELLED,
    },
    S.CALLED: {
        C.RECALL: S.CALLED,
        C.START: S.SERVING,
        C.FINISH: S.FINISHED,
        C.NO_SHOW: S.NO_SHOW,
        C.TRANSFER: S.WAITING,
        C.PARK: S.PARKED,
        C.EXPIRE: S.CANCELLED,
    },
    S.SERVING: {
        C.FINISH: S.FINISHED,
        C.TRANSFER: S.WAITING,
        C.PARK: S.PARKED,
        C.EXPIRE: S.CANCELLED,
    },
    S.PARKED: {
        C.CALL_BACK: S.CALLED,
        C.CANCEL: S.CANCELLED,
        C.EXPIRE: S.CANCELLED,
    },
    S.NO_SHOW: {
        C.CHECK_IN_AGAIN: S.WAITING,
    },
    S.FINISHED: {
        C.RATE: S.FINISHED,
    },
    S.CANCELLED: {},
}

#: The error for a command the ticket's state does not allow; `E.BadState` for the rest.
REFUSAL: Mapping[Command, type[E.HallError]] = {
    C.CALL_BACK: E.NotYourTicket,  # only a ticket parked at this window comes back
    C.RATE: E.NotRateable,  # only a finished service is rated
}

#: The states of a window's current ticket (`WindowStatus.current`).
AT_WINDOW = frozenset({S.CALLED, S.SERVING})

#: Commands on the window's current ticket (the counter names no ticket for them).
ON_CURRENT = frozenset({C.RECALL, C.START, C.FINISH, C.NO_SHOW, C.TRANSFER, C.PARK})

#: Commands on the current ticket after which the window holds none (it ended or left).
FREES_WINDOW = frozenset(
    c for c in ON_CURRENT if all(TABLE[s][c] not in AT_WINDOW for s in AT_WINDOW if c in TABLE[s])
)

#: Commands that need the window open, not paused, with a clerk signed in. The other
#: commands at a window may end a service after the window was paused meanwhile.
READY_WINDOW = frozenset({C.CALL_NEXT, C.RECALL, C.START, C.CALL_BACK})


def allows(state: TicketState, command: Command) -> bool:
    """Whether the table has a move for `command` in `state`."""
    return command in TABLE[state]


def refusal(state: TicketState, command: Command) -> type[E.HallError] | None:
    """The error the engine answers `command` with for a ticket in `state` (None: allowed).

    For a command on the window's current ticket, a ticket not `AT_WINDOW` is no window's
    current ticket, so the window says `NothingCurrent` before the table is read.
    """
    if allows(state, command):
        return None
    if command in ON_CURRENT and state not in AT_WINDOW:
        return E.NothingCurrent
    return REFUSAL.get(command, E.BadState)


def check(t: Ticket, command: Command) -> None:
    """Raise the table's refusal when `t`'s state has no move for `command`."""
    if not allows(t.state, command):
        error = REFUSAL.get(command, E.BadState)
        if error is E.BadState:
            raise E.BadState(f"{t.number} {t.state.value} {command.value}", state=t.state.value)
        raise error(t.number)


def next_state(t: Ticket, command: Command) -> TicketState:
    """The state `command` moves `t` to; raises the table's refusal if there is none."""
    check(t, command)
    return TABLE[t.state][command]
