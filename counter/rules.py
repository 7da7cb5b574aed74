"""Which counter actions apply now, and why not: no Qt, no sockets.

The same rule both disables a button and answers a key press with a sentence,
so "greyed out" and "what the clerk is told" can never disagree. The hub has
the final word (it checks everything again); these rules only keep the clerk
from pressing what cannot work.

What a ticket's state allows, and which ticket actions need a ready window, is
read from the engine's lifecycle table (hall.core.engine.lifecycle), never repeated
here. The window's own actions (open, close, pause, resume, sign out) and the
link and clerk checks are the counter's: the engine keeps no table for them.
"""

from __future__ import annotations

from dataclasses import dataclass

from hall.core.engine.lifecycle import ON_CURRENT, READY_WINDOW, Command, allows
from hall.core.model import TicketState

#: every action the counter offers, in button order
ACTIONS = (
    "call_next",
    "recall",
    "start",
    "finish",
    "no_show",
    "transfer",
    "park",
    "pause",
    "resume",
    "call_back",
    "open",
    "close",
    "sign_out",
)

#: the actions on a ticket (the lifecycle's commands); the rest act on the window itself
_ON_TICKET = frozenset(Command)


@dataclass(frozen=True, slots=True)
class Situation:
    """What the rules look at: the link, the clerk, the window and its current ticket."""

    online: bool
    busy: bool  # a request is on its way; one at a time
    signed_in: bool
    window_state: str  # open / paused / closed ("" before the first snapshot)
    current_state: str | None  # called / serving / None
    parked: int  # how many tickets this window has set aside


# Sentences (Chinese source; translated through ui.i18n at the edge).
OFFLINE = "离线，请稍后再试"
BUSY = "上一操作处理中，请稍候"
NOT_SIGNED_IN = "请先签到"
NOT_OPEN = "窗口未开放，请先开窗"
PAUSED = "窗口已暂停，请先恢复服务"
NOT_PAUSED = "窗口未暂停"
ALREADY_OPEN = "窗口已开放"
ALREADY_CLOSED = "窗口已关闭"
HAS_CURRENT = "请先办结或处理当前号码"
NOTHING_CURRENT = "当前没有号码"
NOT_CALLED = "该号码已开始办理，不能重呼、过号或再次开始"
NO_PARKED = "没有暂存的号码"
PARKED_LEFT = "还有暂存的号码，请先叫回办结"
NO_ITEM_TICKET = "当前没有可记录事项的号码"


def why_not_item(s: Situation, has_ticket: bool) -> str:
    """ "" when the clerk may record a service item now: for the ticket at the window, or
    (no ticket there) the one it finished last (`has_ticket`: either exists). Not one of
    `ACTIONS`: no key of its own in the lifecycle, and the window's state does not matter
    (a ticket finished before a pause may still get its item)."""
    if not s.online:
        return OFFLINE
    if s.busy:
        return BUSY
    if not s.signed_in:
        return NOT_SIGNED_IN
    return "" if has_ticket else NO_ITEM_TICKET


def why_not(action: str, s: Situation) -> str:
    """ "" when `action` applies now; otherwise the sentence that says why not."""
    if action not in ACTIONS:
        raise ValueError(f"unknown counter action {action!r}")
    if not s.online:
        return OFFLINE
    if s.busy:
        return BUSY
    if not s.signed_in:
        return NOT_SIGNED_IN
    if action in _ON_TICKET:
        return _ticket_rule(Command(action), s)
    return _window_rule(action, s)


def _ticket_rule(command: Command, s: Situation) -> str:
    """A ticket action: the window's readiness and the ticket's state, both by the table."""
    state, cur = s.window_state, s.current_state
    if command in READY_WINDOW:
        if state == "paused":
            return PAUSED
        if state != "open":
            return NOT_OPEN
    if command in ON_CURRENT:
        if cur is None:
            return NOTHING_CURRENT
        return "" if allows(TicketState(cur), command) else NOT_CALLED
    # call_next and call_back bring a waiting or parked ticket: the window must be free.
    if cur is not None:
        return HAS_CURRENT
    if command is Command.CALL_BACK and not s.parked:
        return NO_PARKED
    return ""


def _window_rule(action: str, s: Situation) -> str:
    """An action on the window itself (the engine's window commands, no table there)."""
    state, cur = s.window_state, s.current_state
    if action == "open":
        return "" if state == "closed" else ALREADY_OPEN
    if action == "close":
        if state == "closed":
            return ALREADY_CLOSED
        if cur is not None:
            return HAS_CURRENT
        return PARKED_LEFT if s.parked else ""
    if action == "resume":
        return "" if state == "paused" else NOT_PAUSED
    if action == "sign_out":
        return HAS_CURRENT if cur is not None else ""
    # pause: an open window with no ticket at it
    if state == "paused":
        return PAUSED
    if state != "open":
        return NOT_OPEN
    return HAS_CURRENT if cur is not None else ""
