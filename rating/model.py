"""The evaluation pad at one window, decided without widgets (好差评).

Pages: IDLE (the window, its clerk's name and staff number) → ASK (the ticket
just finished here, the national five levels) → for 不满意/非常不满意 REASONS
(multi-select, then confirm) → SENDING → THANKS → IDLE. A hub refusal shows
one sentence (MESSAGE) and goes back to idle; a hub slow to answer is asked again
under the same req_id for `send_patience` seconds before the pad says it could not.

Rules: only a live ``ticket.finished`` of this window prompts (never one found
in a snapshot: that citizen has long gone); without a touch for `ask_timeout`
seconds the pad returns to idle and the ticket stays unrated — nothing is ever
sent by default; one rating per ticket (the pad forgets a ticket once rated or
refused, and the hub refuses a second rating anyway).
"""

from __future__ import annotations

import enum
from typing import Any

from PyQt6.QtCore import QObject, QTimer, pyqtSignal

from hall.core import events as EV
from hall.core.model import BAD_RATING_REASONS, RATING_LABELS, RatingLevel
from hall.wire import protocol as P
from ui import i18n
from ui.hublink import HubLink
from ui.model import HallModel

LEVELS: list[tuple[int, str]] = [(int(lv), RATING_LABELS[lv]) for lv in RatingLevel]
REASONS: tuple[str, ...] = BAD_RATING_REASONS
ALREADY_RATED = "already_rated"


class Page(enum.Enum):
    IDLE = "idle"
    ASK = "ask"
    REASONS = "reasons"
    SENDING = "sending"
    THANKS = "thanks"
    MESSAGE = "message"


class PadModel(QObject):
    """One window's pad: what to show, what the citizen chose, what the hub said."""

    changed = pyqtSignal()  # page, clerk, choices: redraw

    def __init__(
        self,
        hall: HallModel,
        link: HubLink,
        window: int,
        *,
        ask_timeout: float = 30.0,
        thanks_seconds: float = 4.0,
        message_seconds: float = 6.0,
        send_patience: float = 15.0,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.hall, self.link, self.window = hall, link, window
        self.thanks_seconds, self.message_seconds = thanks_seconds, message_seconds
        self.send_patience = send_patience
        self.page = Page.IDLE
        self.ticket: dict[str, Any] | None = None  # the finished ticket (public form)
        self.level: int | None = None
        self.reasons: set[str] = set()
        self.message = ""
        self.done: set[str] = set()  # tickets rated or refused here: never asked again
        self.sent: list[tuple[str, int, list[str]]] = []  # what went to the hub (tests read it)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._ask_ms = int(ask_timeout * 1000)
        self._timer.timeout.connect(self._timed_out)
        hall.followed.connect(self._on_event)
        hall.changed.connect(self.changed)
        hall.online_changed.connect(lambda _on: self.changed.emit())

    # ------------------------------------------------------------ reading

    @property
    def online(self) -> bool:
        return self.hall.online

    def clerk(self) -> dict[str, str] | None:
        """The signed-in clerk ({staff_no, name}) from the window's live state."""
        c = self.hall.window_state(self.window).get("clerk")
        return dict(c) if c else None

    def window_open(self) -> bool:
        return self.hall.window_state(self.window).get("state") == "open"

    @property
    def bad(self) -> bool:
        return self.level is not None and RatingLevel(self.level).bad

    # ------------------------------------------------------------ the hub

    def _on_event(self, ev: EV.Event) -> None:
        if not isinstance(ev.data, EV.TicketFinished) or ev.data.window != self.window:
            return
        t = ev.data.ticket
        if t.get("id") in self.done or self.page is Page.SENDING:
            return
        # A newer finish replaces an unanswered question: the earlier citizen has left.
        self.ticket, self.level, self.reasons, self.message = dict(t), None, set(), ""
        self._go(Page.ASK)

    def _on_reply(self, reply: P.Ok | P.Error) -> None:
        if self.page is not Page.SENDING:
            return
        if isinstance(reply, P.Ok):
            self._go(Page.THANKS, self.thanks_seconds)
            return
        if reply.code == ALREADY_RATED:
            self.message = i18n.tr("该号码已评价过，感谢您的支持")
        else:
            self.message = i18n.text_of(reply, "message") or i18n.tr("评价未能提交，请稍后再试")
        self._go(Page.MESSAGE, self.message_seconds)

    # ------------------------------------------------------------ the citizen

    def choose(self, level: int) -> None:
        """A level button: good ones go straight to the hub, bad ones ask for reasons."""
        if self.page not in (Page.ASK, Page.REASONS) or self.ticket is None:
            return
        self.level = int(RatingLevel(level))
        if self.bad:
            self._go(Page.REASONS)
        else:
            self._send()

    def toggle_reason(self, reason: str) -> None:
        if self.page is not Page.REASONS or reason not in REASONS:
            return
        self.reasons ^= {reason}
        self._go(Page.REASONS)  # a touch restarts the timeout

    def confirm(self) -> None:
        """Send a bad rating with the chosen reasons."""
        if self.page is Page.REASONS:
            self._send()

    def back(self) -> None:
        """From the reasons back to the five levels."""
        if self.page is Page.REASONS:
            self.level, self.reasons = None, set()
            self._go(Page.ASK)

    def _send(self) -> None:
        assert self.ticket is not None and self.level is not None
        tid = str(self.ticket["id"])
        reasons = [r for r in REASONS if r in self.reasons]
        self.done.add(tid)
        self.sent.append((tid, self.level, reasons))
        self._go(Page.SENDING)
        # The citizen waits for the thanks: a hub slow to answer is asked again (same
        # req_id: one rating) for `send_patience` s, not given up after a few seconds.
        self.link.request(P.Rate, self._on_reply, patience=self.send_patience,
                          ticket=tid, level=self.level, reasons=reasons)  # fmt: skip

    # ------------------------------------------------------------ time

    def _go(self, page: Page, seconds: float | None = None) -> None:
        self.page = page
        if page in (Page.ASK, Page.REASONS):
            self._timer.start(self._ask_ms)  # a touch restarts the countdown
        elif seconds is not None:
            self._timer.start(int(seconds * 1000))
        else:
            self._timer.stop()
        self.changed.emit()

    def _timed_out(self) -> None:
        if self.page is Page.SENDING:
            return  # the link's own retries end in a reply, ok or offline
        if self.page in (Page.ASK, Page.REASONS) and self.ticket is not None:
            self.done.add(str(self.ticket["id"]))  # unrated, and not asked again
        self.ticket, self.level, self.reasons, self.message = None, None, set(), ""
        self._go(Page.IDLE)
