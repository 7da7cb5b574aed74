"""Which counter actions apply now, and why not: one table, no Qt, no sockets.

The same rule both disables a button and answers a key press with a sentence,
so "greyed out" and "what the clerk is told" can never disagree. The hub has
the final word (it checks everything again); these rules only keep the clerk
from pressing what cannot work.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    if action in ("finish", "transfer", "park"):
        # A service in progress may end even if the window is paused meanwhile.
        return "" if cur is not None else NOTHING_CURRENT
    if action == "no_show":
        if cur is None:
            return NOTHING_CURRENT
        return "" if cur == "called" else NOT_CALLED
    # The rest need an open window.
    if state == "paused":
        return PAUSED
    if state != "open":
        return NOT_OPEN
    if action in ("call_next", "pause"):
        return HAS_CURRENT if cur is not None else ""
    if action == "call_back":
        if cur is not None:
            return HAS_CURRENT
        return "" if s.parked else NO_PARKED
    # recall, start
    if cur is None:
        return NOTHING_CURRENT
    return "" if cur == "called" else NOT_CALLED
