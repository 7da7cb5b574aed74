"""The kiosk's logic, without widgets: which screen, who tapped a card, which ticket, what failed.

Screens (one place, like a table)::

    OFFLINE  ── hub back ──────────────────────────────▶ HOME
    HOME     ── queue / item, card present or not needed ▶ ISSUING
    HOME     ── queue / item / check-in, card needed ──▶ CARD ── card ──▶ ISSUING
    HOME     ── search ─▶ SEARCH ── item ─▶ (as above)
    CARD     ── check-in: type the code ─▶ CODE ── 8 characters, submit ─▶ ISSUING
    any      ── scanned ticket page URL ─▶ ISSUING (looking up) ─▶ STATUS ── seconds ──▶ HOME
                (a missed ticket: checked in again ─▶ DONE)
    ISSUING  ── ticket ─▶ DONE (printing; the ticket shown large) ── seconds ──▶ HOME
    ISSUING  ── refused ─▶ ERROR (one sentence) ── seconds / back ──▶ HOME
    ISSUING  ── hub silent for `issue_patience` s ─▶ OFFLINE
    any      ── card read error ─▶ ERROR (retry goes back where we were)
    any but DONE, ISSUING ── hub unreachable ─▶ OFFLINE

The hub decides everything (hours, caps, limits, green channel by age); the
kiosk explains the hub's answer. A ticket is never lost to the printer: when
printing fails, the DONE screen shows the number large with "请拍照或记下号码".
Idle or finished, the kiosk goes home and forgets the card holder.

A ticket request is not given up after the link's few seconds of retries: the hub
may have made the ticket and only its answer be late (a stalled disk, a restart), and
the citizen, sent away, would tap again and hold the second of two tickets. So the
kiosk keeps asking under the same req_id for `issue_patience` seconds (the hub
answers a repeat with the ticket it made, or makes it once), saying after
`slow_seconds` that it is still at it; only then does it send the citizen to the
service desk, and log the request's id, under which the hub's database keeps its
answer — whether a ticket was made that nobody holds.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from PyQt6.QtCore import QObject, QTimer, pyqtSignal

from drivers.base import Health, HealthState, Person
from drivers.scanner.codes import parse_code
from hall.core.catalogue import Catalogue, Item
from hall.core.engine.booking import CODE_ALPHABET, CODE_LENGTH
from hall.wire import protocol as P
from kiosk.devices import CardDesk, PrinterDesk
from kiosk.tickets import (
    StatusView,
    TicketView,
    age_on,
    green_channel,
    status_view,
    ticket_print,
    ticket_view,
    wait_text_en,
)
from ui.hublink import OFFLINE as LINK_OFFLINE
from ui.model import HallModel

log = logging.getLogger(__name__)

OFFLINE_TEXT = "暂时无法取号，请到服务台"
OFFLINE_TEXT_EN = "Tickets cannot be issued right now; please go to the service desk"
PHOTO_TEXT = "请拍照或记下号码"
#: a typed booking code shows in groups of this many characters ("K7M2 Q9XA")
CODE_GROUP = 4


#: From this age a card read at the kiosk offers the large-text mode.
LARGE_TEXT_AGE = 70


class Screen(enum.Enum):
    OFFLINE = "offline"
    HOME = "home"
    SEARCH = "search"
    CARD = "card"
    CODE = "code"  # typing an online booking's code
    ISSUING = "issuing"
    STATUS = "status"  # a scanned ticket's QR: how that ticket stands
    DONE = "done"
    ERROR = "error"


class PrintState(enum.Enum):
    PRINTING = "printing"
    PRINTED = "printed"
    FAILED = "failed"


@dataclass(frozen=True)
class Choice:
    """What the citizen asked for: a queue, a catalogue item, or an appointment check-in."""

    queue: str | None = None
    item: Item | None = None
    check_in: bool = False
    code: str | None = None  # an online booking's code: checks in without a card


@dataclass(frozen=True)
class Message:
    """One sentence for the citizen, in both languages ("" en: show the Chinese)."""

    zh: str
    en: str = ""


class KioskModel(QObject):
    """The kiosk's state; views call its actions and redraw on `changed`."""

    changed = pyqtSignal()  # anything on screen may have changed (figures, screen, ticket …)
    screen_changed = pyqtSignal(object)  # Screen
    #: the citizen's visit is over (the ticket screen went home by itself, or nobody touched
    #: the kiosk for a while): one citizen's choices (spoken guidance) end with it
    visit_ended = pyqtSignal()

    def __init__(
        self,
        hall: HallModel,
        catalogue: Catalogue,
        *,
        printer: PrinterDesk | None = None,
        cards: CardDesk | None = None,
        idle_seconds: float = 60.0,
        done_seconds: float = 8.0,
        photo_seconds: float = 30.0,
        error_seconds: float = 12.0,
        status_seconds: float = 15.0,
        health_every: float = 30.0,
        offline_grace: float = 2.0,
        issue_patience: float = 30.0,
        slow_seconds: float = 3.0,
        today: Callable[[], date] = date.today,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.hall = hall
        self.link = hall.link
        self.catalogue = catalogue
        self.printer = printer or PrinterDesk(None, self)
        self.cards = cards or CardDesk(parent=self)
        self.done_seconds = done_seconds
        self.photo_seconds = photo_seconds
        self.error_seconds = error_seconds
        self.status_seconds = status_seconds
        self.today = today
        self.issue_patience = issue_patience

        self.screen = Screen.OFFLINE
        self.person: Person | None = None
        self.green_offer = False
        self.large_text = False  # the elderly citizens' large-text mode, one tap
        self.large_offer = False  # a card of someone LARGE_TEXT_AGE or older: offer it
        self.pending: Choice | None = None
        self.checking_in = False  # appointment check-in: the next queue or item checks in
        self.ticket: TicketView | None = None
        self.print_state = PrintState.PRINTED
        self.print_message = Message("")
        self.error = Message("")
        self.error_is_card = False
        self.search_text = ""
        self.results: list[Item] = []
        self.code_text = ""  # the booking code typed so far (CODE_ALPHABET only)
        self.code_retry = False  # the error is a typed code's: the citizen may correct it
        self.looking_up = False  # ISSUING while asking how a scanned ticket stands
        self.status: StatusView | None = None  # a scanned ticket's, on STATUS
        self.notice = Message("")  # a line under the ticket (a late booking's check-in)
        self._typed = False  # the code in flight was typed (not scanned)
        self.printer_health = Health(HealthState.UNKNOWN, "尚未检查打印机", "not_checked")
        self._return_to = Screen.HOME
        self._issuing: str | None = None  # req_id of the request in flight
        self.issuing_slow = False  # the hub is slow to answer it: say we are still at it
        self._item_name = ""

        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(int(idle_seconds * 1000))
        self._idle.timeout.connect(self._walked_away)
        self._back = QTimer(self)  # DONE and ERROR go home by themselves
        self._back.setSingleShot(True)
        self._back.timeout.connect(self._back_by_itself)
        self._slow = QTimer(self)
        self._slow.setSingleShot(True)
        self._slow.setInterval(int(slow_seconds * 1000))
        self._slow.timeout.connect(self._issuing_is_slow)
        # The link also reports "offline" for the moment of a resync (a missed event, a hub
        # restart): only a silence that lasts sends the citizen to the offline screen.
        self.hub_down = True
        self._grace = QTimer(self)
        self._grace.setSingleShot(True)
        self._grace.setInterval(int(offline_grace * 1000))
        self._grace.timeout.connect(self._hub_gone)
        self._health_timer = QTimer(self)
        self._health_timer.setInterval(int(health_every * 1000))
        self._health_timer.timeout.connect(self.printer.check)

        hall.changed.connect(self.changed)
        hall.online_changed.connect(self._on_online)
        hall.layout_ready.connect(self.changed)
        self.printer.printed.connect(self._on_printed)
        self.printer.failed.connect(self._on_print_failed)
        self.printer.health.connect(self._on_health)
        self.cards.card.connect(self.card_read)
        self.cards.card_failed.connect(self.card_failed)
        self.cards.code.connect(self.code_scanned)

    # ------------------------------------------------------------ life

    def start(self) -> None:
        """Start the card readers and the printer checks (the link is started by the app)."""
        self.cards.start()
        self.printer.check()
        self._health_timer.start()
        if self.hall.online:
            self._on_online(True)

    def stop(self) -> None:
        """Stop timers and device threads (waits for a ticket being printed)."""
        for t in (self._idle, self._back, self._health_timer, self._grace, self._slow):
            t.stop()
        self.cards.stop()
        self.printer.shutdown()

    # ------------------------------------------------------------ reading

    @property
    def layout(self) -> dict[str, Any]:
        return self.hall.layout or {}

    def queues(self) -> list[dict[str, Any]]:
        """The queues a citizen can take a ticket for, in layout order."""
        return self.hall.queues()

    def queue_figures(self, qid: str) -> tuple[int, Message]:
        """Waiting count and estimated wait of a queue, live."""
        fig = self.hall.queue_figures.get(qid, {})
        return self.hall.waiting(qid), Message(self.hall.estimate_text(qid), wait_text_en(fig))

    @property
    def card_needed(self) -> bool:
        return not self.layout.get("allow_without_card", True)

    @property
    def greeting(self) -> str:
        """The card holder as shown on screen: masked ("张*"), never the ID number."""
        if self.person is None:
            return ""
        name = self.person.display_name
        return name[0] + "*" * (len(name) - 1) if len(name) > 1 else name

    # ------------------------------------------------------------ actions

    def touch(self) -> None:
        """The citizen did something: restart the idle countdown."""
        if self.screen in (Screen.HOME, Screen.SEARCH, Screen.CARD, Screen.CODE, Screen.ERROR):
            self._idle.start()

    def set_large_text(self, on: bool) -> None:
        """Large text on or off (until the next citizen: `go_home` turns it off)."""
        self.large_text, self.large_offer = on, False
        self.touch()
        self.changed.emit()

    def _walked_away(self) -> None:
        self.go_home()
        self.visit_ended.emit()

    def _back_by_itself(self) -> None:
        done = self.screen is Screen.DONE
        self.go_home()
        if done:
            self.visit_ended.emit()

    def go_home(self) -> None:
        """Back to the start, forgetting the card holder and the search."""
        self._back.stop()
        self._idle.stop()
        self.person = None
        self.green_offer = False
        self.large_text = self.large_offer = False
        self.pending = None
        self.checking_in = False
        self.search_text = ""
        self.results = []
        self.code_text = ""
        self.code_retry = self.looking_up = self._typed = False
        self.status = None
        self.error = Message("")
        self.error_is_card = False
        if self.screen is Screen.DONE:
            self.ticket = None
            self.notice = Message("")
        self._set_screen(Screen.OFFLINE if self.hub_down else Screen.HOME)

    def open_search(self) -> None:
        self._set_screen(Screen.SEARCH)
        self.touch()

    def search(self, text: str) -> None:
        """Search the catalogue (Chinese, pinyin initials like "yyzz", or a code)."""
        self.search_text = text
        self.results = self.catalogue.search(text, limit=8) if text.strip() else []
        self.touch()
        self.changed.emit()

    def choose_queue(self, qid: str) -> None:
        self._choose(Choice(queue=qid, check_in=self.checking_in))

    def choose_item(self, code: str) -> None:
        self._choose(Choice(item=self.catalogue[code], check_in=self.checking_in))

    def check_in(self) -> None:
        """An appointment check-in: a card, then the booked queue; the hub finds the appointment."""
        if self.hub_down:
            self._set_screen(Screen.OFFLINE)
            return
        if self.person is None:
            self.pending = Choice(check_in=True)
            self._set_screen(Screen.CARD)
        else:
            self.checking_in = True
            self._set_screen(Screen.HOME)
        self.touch()

    def check_in_code(self, code: str) -> None:
        """预约签到 with the code of an online booking (typed, or read by the scanner):
        no card needed; the hub finds the booking and issues its ticket."""
        if self.hub_down:
            self._set_screen(Screen.OFFLINE)
            return
        self.person = None
        self._issue(Choice(check_in=True, code=code.strip().upper()))

    # ------------------------------------------------------------ typing a booking code

    def open_code(self) -> None:
        """预约签到 without a card: type the booking's 8-character code on screen keys."""
        if self.hub_down:
            self._set_screen(Screen.OFFLINE)
            return
        self.pending = Choice(check_in=True)  # a card tapped meanwhile checks in by card
        self.code_text = ""
        self._set_screen(Screen.CODE)
        self.touch()

    def code_key(self, key: str) -> None:
        """One key of the code screen: a character of the codes' alphabet (others are
        not keys there, and ignored), "\b" to delete one, "" to clear."""
        if key == "\b":
            self.code_text = self.code_text[:-1]
        elif key == "":
            self.code_text = ""
        elif len(key) == 1 and key.upper() in CODE_ALPHABET and len(self.code_text) < CODE_LENGTH:
            self.code_text += key.upper()
        self.touch()
        self.changed.emit()

    @property
    def code_complete(self) -> bool:
        return len(self.code_text) == CODE_LENGTH

    @property
    def code_shown(self) -> str:
        """The code as typed, in groups, the rest as blanks: "K7M2 Q9__"."""
        text = self.code_text.ljust(CODE_LENGTH, "_")
        return " ".join(text[i : i + CODE_GROUP] for i in range(0, CODE_LENGTH, CODE_GROUP))

    def submit_code(self) -> None:
        """签到 with the typed code (only when all 8 characters are there)."""
        if not self.code_complete:
            return
        self._typed = True
        self.check_in_code(self.code_text)

    def code_back(self) -> None:
        """From the code screen back to the card prompt of 预约签到."""
        self.code_text = ""
        self.check_in()

    def cancel(self) -> None:
        """The citizen steps back (from the card prompt, search or an error)."""
        self.go_home()

    def retry(self) -> None:
        """After a card read error: back where we were, ready for the card again (after a
        typed code's refusal: back to the code, to correct it)."""
        self.error = Message("")
        self.error_is_card = self.code_retry = False
        self._back.stop()
        self._set_screen(self._return_to)
        self.touch()

    # ------------------------------------------------------------ cards

    def card_read(self, person: Person) -> None:
        """A card was read (on any screen: a card is welcome at any time)."""
        if self.screen in (Screen.DONE, Screen.ERROR, Screen.ISSUING):
            if self.screen is Screen.ISSUING:
                return  # the ticket in flight belongs to the previous card holder
            done = self.screen is Screen.DONE
            self.go_home()
            if done:  # a card on the ticket screen: the next citizen
                self.visit_ended.emit()
        self.person = person
        self.green_offer = green_channel(self.layout, person.birth_date, self.today())
        old = person.birth_date is not None and (
            age_on(person.birth_date, self.today()) >= LARGE_TEXT_AGE
        )
        self.large_offer = old and not self.large_text
        if self.screen in (Screen.CARD, Screen.CODE) and self.pending is not None:
            choice, self.pending = self.pending, None
            if choice.queue is None and choice.item is None:  # check-in: now pick the queue
                self.checking_in = True
                self._set_screen(Screen.HOME)
            else:
                self._issue(choice)
            return
        self.touch()
        self.changed.emit()

    def code_scanned(self, text: str) -> None:
        """A code came from a scanner: a ticket of this hall checks in again (a missed call),
        an online booking's code checks the booking in."""
        if self.screen in (Screen.ISSUING, Screen.OFFLINE):
            return  # not now: the screen belongs to a ticket or to the outage
        if self.search_text and text.strip() in self.search_text:
            self.search_text, self.results = "", []  # a wedge scan typed into the search box
        code = parse_code(text)
        if code.kind == "booking":  # an online booking's code: 预约签到 without a card
            self.check_in_code(code.value)
            return
        if code.kind == "ticket_url":  # a ticket's page: how does it stand?
            self._look_up_ticket(code.value)
            return
        if code.kind != "ticket":
            log.info("scanned a code that is not a ticket of ours (%d characters)", len(text))
            if self.screen is not Screen.ERROR:
                self._return_to = self.screen
            self.error = Message(
                "无法识别此二维码，请扫描本大厅的号票", "This code is not a ticket of this hall"
            )
            self.error_is_card = False
            self._set_screen(Screen.ERROR)
            self._back.start(int(self.error_seconds * 1000))
            return
        if self._wait_for_hub():
            self._issuing = self.link.request(
                P.CheckIn, self._on_issued, patience=self.issue_patience, ticket=code.value
            )

    def _look_up_ticket(self, token: str) -> None:
        """Ask the hub how the ticket with this token stands (the token goes to the hub
        only: never on screen, paper or in the log)."""
        self.looking_up = True
        if self._wait_for_hub():
            self._issuing = self.link.request(P.TicketStatus, self._on_status, tokens=[token])
        else:
            self.looking_up = False

    def _wait_for_hub(self) -> bool:
        """The ISSUING screen while a scanned code goes to the hub (False: the hub is down,
        the OFFLINE screen shows instead). Nothing of a card holder stays meanwhile."""
        if self.hub_down:
            self._set_screen(Screen.OFFLINE)
            return False
        self.person = None
        self._idle.stop()
        self._item_name = ""
        self.issuing_slow = False
        self._set_screen(Screen.ISSUING)
        self._slow.start()
        return True

    def _on_status(self, reply: P.Ok | P.Error) -> None:
        if reply.req_id != self._issuing or isinstance(reply, P.Error):
            self._on_issued(reply)  # a refusal, or the hub gone: as for a ticket
            return
        found = next(iter(dict(reply.value.get("tickets") or {}).values()), None)
        if not found:
            self._issuing = None
            self._slow.stop()
            self.looking_up = False
            log.info("a scanned ticket page is not one of today's tickets here")
            self._fail(Message("未查到该号票，请扫描本大厅今日的号票",
                               "This is not one of today's tickets in this hall"))  # fmt: skip
            return
        if found.get("state") == "no_show":
            # The kiosk may check a missed ticket in again (check_in with the ticket, as a
            # scan of the ticket's id does; the engine holds the time limit): no trip to
            # the service desk. The reply is the ticket, printed again.
            log.info("scanned ticket %s was missed: checking it in again", found.get("number"))
            self.looking_up = False
            self._issuing = self.link.request(P.CheckIn, self._on_issued,
                                              patience=self.issue_patience, ticket=found["id"])  # fmt: skip
            return
        self._issuing = None
        self._slow.stop()
        self.looking_up = False
        self.issuing_slow = False
        self.status = status_view(self.layout, found)
        self._set_screen(Screen.STATUS)
        self._back.start(int(self.status_seconds * 1000))

    def _fail(self, message: Message) -> None:
        self.error = message
        self.error_is_card = False
        self._set_screen(Screen.ERROR)
        self._back.start(int(self.error_seconds * 1000))

    def card_failed(self, sentence: str) -> None:
        """A card could not be read: say so plainly and let the citizen try again."""
        if self.screen in (Screen.ISSUING, Screen.DONE, Screen.OFFLINE):
            return  # not now: the screen belongs to a ticket or to the outage
        if self.screen is not Screen.ERROR:
            self._return_to = self.screen
        self.error = Message(sentence)
        self.error_is_card = True
        self._set_screen(Screen.ERROR)
        self._back.start(int(self.error_seconds * 1000))

    # ------------------------------------------------------------ issuing

    def _choose(self, choice: Choice) -> None:
        if self.hub_down:
            self._set_screen(Screen.OFFLINE)
            return
        if self.person is None and (choice.check_in or self.card_needed):
            self.pending = choice
            self._set_screen(Screen.CARD)
            self.touch()
            return
        self._issue(choice)

    def _issue(self, choice: Choice) -> None:
        card = None
        if self.person is not None:
            who = self.person
            card = P.Card(id_number=who.id_number, name=who.display_name, doc_type=who.doc_type,
                          birth_date=who.birth_date.isoformat() if who.birth_date else "")  # fmt: skip
        self.person = None  # the card holder's part is over: nothing personal stays
        self._idle.stop()
        self._item_name = choice.item.name if choice.item else ""
        self.issuing_slow = False
        self._set_screen(Screen.ISSUING)
        self._slow.start()
        item = choice.item.code if choice.item else None
        kind = P.CheckIn if choice.check_in else P.Issue
        fields: dict[str, Any] = {"queue": choice.queue, "item": item, "card": card}
        if choice.code is not None:
            fields = {"code": choice.code}
        self._issuing = self.link.request(kind, self._on_issued, patience=self.issue_patience,
                                          **fields)  # fmt: skip

    def _issuing_is_slow(self) -> None:
        if self.screen is Screen.ISSUING:
            self.issuing_slow = True
            self.changed.emit()

    def _on_issued(self, reply: P.Ok | P.Error) -> None:
        if reply.req_id != self._issuing:
            return
        self._issuing = None
        self._slow.stop()
        self.issuing_slow = False
        self.green_offer = False
        self.checking_in = False
        self.looking_up = False
        typed, self._typed = self._typed, False
        if isinstance(reply, P.Error):
            if reply.code == LINK_OFFLINE:
                log.warning(
                    "no answer to ticket request %s within %g s; the citizen was sent to the "
                    "service desk. If the hub received it, it made a ticket nobody holds: its "
                    "database keeps the answer under this req_id (table replies) for a day",
                    reply.req_id, self.issue_patience,
                )  # fmt: skip
                self.hub_down = True
                self._set_screen(Screen.OFFLINE)
                return
            # A typed code refused: the citizen may correct it (the code stays as typed).
            self.code_retry = typed
            if typed:
                self._return_to = Screen.CODE
            self._fail(Message(reply.message, reply.message_en))
            return
        self.code_text = ""
        booking = reply.value.get("booking") or {}
        self.notice = Message("")
        if booking.get("late"):  # the engine's rule: later than the on-time window
            slot = booking.get("slot", "")
            self.notice = Message(f"已超过预约时段（{slot}），按现场取号顺序排队",
                                  f"Past your booked time ({slot}): you queue as a walk-in")  # fmt: skip
        self.ticket = ticket_view(self.layout, reply.value, self._item_name)
        self.print_state = PrintState.PRINTING
        self.print_message = Message("")
        self._set_screen(Screen.DONE)
        self.printer.print_ticket(ticket_print(self.layout, self.ticket))

    # ------------------------------------------------------------ printer

    def _on_printed(self, number: str, health: Health) -> None:
        self._on_health(health)
        if self.ticket is None or self.ticket.number != number:
            return
        self.print_state = PrintState.PRINTED
        self.changed.emit()
        self._back.start(int(self.done_seconds * 1000))

    def _on_print_failed(self, number: str, sentence: str, health: Health) -> None:
        self._on_health(health)
        if self.ticket is None or self.ticket.number != number:
            return
        self.print_state = PrintState.FAILED
        self.print_message = Message(sentence)
        self.changed.emit()
        self._back.start(int(self.photo_seconds * 1000))

    def _on_health(self, health: Health) -> None:
        if health != self.printer_health:
            log.info("printer health: %s %s (%s)", health.state.value, health.code, health.reason)
            self.printer_health = health
            self._report_health()
        self.changed.emit()

    def _report_health(self) -> None:
        """Tell the hub (and so the manager) how the printer is; the hub logs changes only."""
        if not self.hall.online:
            return  # said again when the hub is back (see _on_online)
        h = self.printer_health
        parts = {"printer": {"state": h.state.value, "reason": h.reason, "code": h.code}}
        self.link.request(P.ReportHealth, None, parts=parts)

    # ------------------------------------------------------------ hub

    def _on_online(self, online: bool) -> None:
        if online:
            self._grace.stop()
            self.hub_down = False
            self._report_health()
            if self.screen is Screen.OFFLINE:
                self.go_home()
        elif not self.hub_down and not self._grace.isActive():
            self._grace.start()
        self.changed.emit()

    def _hub_gone(self) -> None:
        if self.hall.online:
            return
        self.hub_down = True
        if self.screen not in (Screen.DONE, Screen.OFFLINE, Screen.ISSUING):
            # The card prompt or search would lead nowhere: say where to go instead.
            self.person = None
            self.green_offer = False
            self.pending = None
            self._idle.stop()
            self._set_screen(Screen.OFFLINE)

    def _set_screen(self, screen: Screen) -> None:
        if screen is not self.screen:
            self.screen = screen
            self.screen_changed.emit(screen)
        self.changed.emit()
