"""The service desk's model: what the clerk at the entrance does for a citizen the kiosk
cannot serve, sent to the hub under the desk's staff number.

- check a missed ticket in again (back into its queue by the engine's rule); a parked
  ticket is waiting for its window's call back and is only explained;
- issue a ticket as staff, with an ID number typed in (checksum checked here first, shown
  masked) or without one, with the green channel and the reason for it;
- look up today's tickets by number, and bookings by booking code or ID number, and check
  a booking in: an online booking by its code (the citizen without a card), another with
  the ID number it was looked up by; its ticket is printed like a staff ticket;
- reprint a ticket on the desk's printer;
- the day's queue picture (waiting, estimate, windows serving) from the board stream.

Every action is logged here with the desk's staff number, and the hub keeps the staff
number in the ticket's history (`by`). The clear ID number never leaves this model but in
the request's card, like the kiosk's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from PyQt6.QtCore import QObject, pyqtSignal

from hall.core import errors as E
from hall.core.idnumber import InvalidIdNumber, mask_id, validate
from hall.wire import protocol as P
from ui.hublink import HubLink
from ui.i18n import pick
from ui.model import HallModel

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notice:
    """One sentence for the clerk, in both languages; `level` ok, warn or error."""

    zh: str = ""
    en: str = ""
    level: str = "ok"

    @property
    def text(self) -> str:
        return pick(self.zh, self.en)


def refusal(err: E.HallError | type[E.HallError]) -> Notice:
    """A refusal of our catalogue as a notice."""
    if isinstance(err, type):
        return Notice(err.message_zh, err.message_en, "error")
    return Notice(err.message, err.message_english, "error")


@dataclass(frozen=True)
class QueueRow:
    """One line of the day's queue picture."""

    id: str
    name: str
    name_en: str
    waiting: int
    estimate: str
    estimate_en: str
    windows: int  # open windows whose profile holds it


class DeskModel(QObject):
    changed = pyqtSignal()
    printed = pyqtSignal(str)  # ticket number

    def __init__(self, hall: HallModel, link: HubLink, printer: Any = None,
                 parent: QObject | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.hall, self.link, self.printer = hall, link, printer
        self.staff_no = ""
        self.notice = Notice()
        self.busy = False
        self.tickets: list[dict[str, Any]] = []  # the last look-up's
        self.appointments: list[dict[str, Any]] = []
        self.looked_up_card: P.Card | None = None  # a booking looked up by ID can check in
        self.issued: dict[str, Any] | None = None  # the last ticket issued or checked in
        self._booking: str | None = None  # the booking being checked in
        hall.changed.connect(self.changed)

    # ---------------------------------------------------------------- the clerk

    def sign_in(self, staff_no: str) -> bool:
        staff_no = staff_no.strip()
        if not staff_no:
            return self._refuse(E.StaffRequired)
        self.staff_no = staff_no
        log.info("desk %s: staff %s signed in", self.link.device, staff_no)
        self._say(Notice(f"{staff_no} 已签到", f"{staff_no} signed in"))
        return True

    def sign_out(self) -> None:
        log.info("desk %s: staff %s signed out", self.link.device, self.staff_no)
        self.staff_no = ""
        self.tickets, self.appointments, self.issued = [], [], None
        self.looked_up_card = None
        self._say(Notice())

    # ---------------------------------------------------------------- reading the ID

    @staticmethod
    def card(id_number: str, name: str = "") -> P.Card | None:
        """The card for a typed ID number (None when none is typed); BadIdNumber if its
        checksum or date is wrong — said here, before anything is sent."""
        if not id_number.strip():
            return None
        try:
            return P.Card(id_number=validate(id_number), name=name.strip())
        except InvalidIdNumber as e:
            raise E.BadIdNumber(str(e)) from None

    @staticmethod
    def masked(id_number: str) -> str:
        """The typed ID number as the screen may show it ("" while it is not valid)."""
        try:
            return mask_id(validate(id_number))
        except InvalidIdNumber:
            return ""

    # ---------------------------------------------------------------- actions

    def look_up(self, *, number: str = "", id_number: str = "", code: str = "") -> bool:
        """Today's tickets by number or ID number, bookings by code or ID number."""
        if not self._ready():
            return False
        try:
            card = self.card(id_number)
        except E.HallError as e:
            return self._refuse(e)
        if not (number.strip() or card or code.strip()):
            return self._refuse(E.BadRequest("nothing to look up"))
        self.looked_up_card = card
        what = "number " + number.strip() if number.strip() else "code" if code.strip() else "ID"
        self._send("look up " + what, P.Lookup, self._on_looked_up,
                   number=number.strip() or None, card=card, code=code.strip() or None)  # fmt: skip
        return True

    def check_in_again(self, ticket: dict[str, Any]) -> bool:
        """A missed ticket back into its queue; a parked one is only explained."""
        if not self._ready():
            return False
        if ticket.get("state") == "parked":
            window = ticket.get("window")
            self._say(Notice(f"{ticket['number']}号已挂起，请到{window}号窗口等候回叫",
                             f"{ticket['number']} is on hold: wait for window {window} to call "
                             "it back", "warn"))  # fmt: skip
            return False
        self._send(f"check in {ticket['number']} again", P.CheckIn, self._on_ticket,
                   ticket=ticket["id"], by=self.staff_no)  # fmt: skip
        return True

    def check_in_booking(self, appointment: dict[str, Any]) -> bool:
        """A booking checked in: an online booking by its code (the hub finds it, as at the
        kiosk), any other with the ID number it was looked up by (the hub matches the card).
        The hub keeps the staff number in the ticket's history; the ticket is printed."""
        if not self._ready():
            return False
        self._booking = appointment.get("id")
        if appointment.get("code"):
            self._send(f"check in booking {appointment['id']} by its code", P.CheckIn,
                       self._on_issued, code=appointment["code"], by=self.staff_no)  # fmt: skip
            return True
        if self.looked_up_card is None:
            self._booking = None
            return self._refuse(E.CardRequired)
        self._send(f"check in booking {appointment['id']}", P.CheckIn, self._on_issued,
                   card=self.looked_up_card, queue=appointment["queue"], by=self.staff_no)  # fmt: skip
        return True

    @staticmethod
    def can_check_in(appointment: dict[str, Any], card: P.Card | None) -> bool:
        """Whether a booking can be checked in from here: not yet, and by its code or the
        ID number it was looked up by."""
        return not appointment.get("checked_in") and bool(appointment.get("code") or card)

    def issue(self, queue: str, *, id_number: str = "", name: str = "", green: bool = False,
              reason: str = "") -> bool:  # fmt: skip
        """A staff ticket, with or without an ID number; green with a reason."""
        if not self._ready():
            return False
        try:
            card = self.card(id_number, name)
        except E.HallError as e:
            return self._refuse(e)
        if green and not reason.strip():
            return self._refuse(E.ReasonRequired)
        what = f"issue {queue}{' green' if green else ''}{' with ID' if card else ''}"
        self._send(what, P.Issue, self._on_issued, queue=queue, card=card, channel="staff",
                   green=green, reason=reason.strip(), by=self.staff_no)  # fmt: skip
        return True

    def reprint(self, ticket: dict[str, Any]) -> bool:
        """Print the ticket again on the desk's printer."""
        if not self._ready():
            return False
        if self.printer is None:
            self._say(Notice("本服务台未连接打印机", "No printer at this desk", "error"))
            return False
        from kiosk.tickets import ticket_print, ticket_view

        layout = self.hall.layout or {}
        view = ticket_view(layout, {"ticket": ticket})
        log.info("desk %s staff %s: reprint %s", self.link.device, self.staff_no,
                 ticket["number"])  # fmt: skip
        try:
            self.printer.print_ticket(ticket_print(layout, view))
        except Exception as e:  # a printer's refusal, in its own words, to the log
            log.warning("desk %s: reprint of %s failed: %s", self.link.device, ticket["number"], e)
            self._say(
                Notice("打印失败，请检查打印机", "Printing failed: check the printer", "error")
            )
            return False
        self.printed.emit(ticket["number"])
        self._say(Notice(f"已补打{ticket['number']}号", f"Reprinted {ticket['number']}"))
        return True

    # ---------------------------------------------------------------- the queue picture

    def queue_picture(self) -> list[QueueRow]:
        serving: dict[str, int] = {}
        for w in self.hall.windows():
            if w.get("state") == "open":
                for q in w.get("profile") or {}:
                    serving[q] = serving.get(q, 0) + 1
        rows = []
        for q in self.hall.queues():
            fig = self.hall.queue_figures.get(q["id"], {})
            rows.append(QueueRow(q["id"], q["name"], q.get("name_en", q["name"]),
                                 self.hall.waiting(q["id"]), str(fig.get("estimate_text", "")),
                                 str(fig.get("estimate_text_en", "")), serving.get(q["id"], 0)))  # fmt: skip
        return rows

    # ---------------------------------------------------------------- plumbing

    def _ready(self) -> bool:
        if not self.staff_no:
            return self._refuse(E.StaffRequired)
        return not self.busy  # one request at a time

    def _send(self, what: str, cls: type[P.Request], done: Any, **fields: Any) -> None:
        log.info("desk %s staff %s: %s", self.link.device, self.staff_no, what)
        self.busy = True
        self.changed.emit()
        self.link.request(cls, lambda reply: self._answered(what, reply, done), **fields)

    def _answered(self, what: str, reply: P.Ok | P.Error, done: Any) -> None:
        self.busy = False
        if isinstance(reply, P.Error):
            self._booking = None
            log.info("desk %s staff %s: %s refused (%s)", self.link.device, self.staff_no,
                     what, reply.code)  # fmt: skip
            self._say(Notice(reply.message, reply.message_en, "error"))
            return
        done(reply.value)

    def _on_looked_up(self, value: dict[str, Any]) -> None:
        self.tickets = list(value.get("tickets") or [])
        self.appointments = list(value.get("appointments") or [])
        n, m = len(self.tickets), len(self.appointments)
        if n or m:
            self._say(Notice(f"找到{n}个号码、{m}个预约", f"Found {n} tickets, {m} bookings"))
        else:
            self._say(Notice("今日没有查到", "Nothing found for today", "warn"))

    def _on_ticket(self, value: dict[str, Any]) -> None:
        t = value["ticket"]
        self.issued = t
        self.tickets = [t if x.get("id") == t["id"] else x for x in self.tickets]
        booking, self._booking = self._booking, None  # the booking this ticket checked in
        self.appointments = [{**a, "checked_in": t["id"]} if a.get("id") == booking else a
                             for a in self.appointments]  # fmt: skip
        log.info("desk %s staff %s: ticket %s is %s", self.link.device, self.staff_no,
                 t["number"], t["state"])  # fmt: skip
        self._say(Notice(f"{t['number']}号已进入等候", f"{t['number']} is waiting in its queue"))

    def _on_issued(self, value: dict[str, Any]) -> None:
        """A new ticket: shown, and printed when the desk has a printer."""
        self._on_ticket(value)
        if self.printer is not None:
            self.reprint(value["ticket"])
            t = value["ticket"]
            self._say(Notice(f"已取号{t['number']}并打印", f"Issued and printed {t['number']}"))

    def _refuse(self, err: E.HallError | type[E.HallError]) -> bool:
        self._say(refusal(err))
        return False

    def _say(self, notice: Notice) -> None:
        self.notice = notice
        self.changed.emit()
