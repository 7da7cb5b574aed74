"""The kiosk's devices off the GUI thread, reporting back through signals (STYLE.md §5).

- `PrinterDesk`: print jobs and status checks on a one-thread QThreadPool (tickets
  come out in order and never two at once); results come back as signals.
- `CardDesk`: the ID-card reader polled on its own thread, the social security
  card reader watched on its device thread, a serial scanner read on its own; a
  read card, a read error or a scanned code comes back as a signal. A card's data
  never goes anywhere but the signal.
- `WedgeFilter`: a keyboard-wedge scanner's codes, picked out of the key events.

Nothing here decides anything: `KioskModel` does.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from PyQt6.QtCore import QEvent, QObject, QRunnable, Qt, QThreadPool, pyqtSignal
from PyQt6.QtWidgets import QApplication, QWidget

from drivers.base import DriverError, Health, HealthState, Person
from drivers.printer import (
    CoverOpen,
    CutterError,
    PaperOut,
    PrinterError,
    PrinterOffline,
    PrinterTimeout,
    TicketPrint,
    TicketPrinter,
)
from drivers.scanner.wedge import WedgeDecoder

log = logging.getLogger(__name__)

UNKNOWN_FAULT = "设备故障，请联系工作人员"

# The drivers' own sentences send the citizen to the desk for a number; at the kiosk the
# number is already theirs, so say that instead (a driver's special sentence is kept).
PRINT_FAILED: dict[type[PrinterError], str] = {
    PaperOut: "打印机缺纸，号票未能打印，您的号码已经有效",
    CoverOpen: "打印机暂时无法使用，号票未能打印，您的号码已经有效",
    CutterError: "打印机暂时无法使用，号票未能打印，您的号码已经有效",
    PrinterOffline: "打印机暂时无法使用，号票未能打印，您的号码已经有效",
    PrinterTimeout: "打印机无响应，号票未能打印，您的号码已经有效",
    PrinterError: "打印机故障，号票未能打印，您的号码已经有效",
}


# A ticket sent but not confirmed may be on paper in part: the screen's number is what counts.
PRINT_UNCONFIRMED = "号票可能未完整打印，您的号码已经有效，请以屏幕上的号码为准"


def print_failed_sentence(e: PrinterError) -> str:
    """One sentence for the citizen whose ticket did not print."""
    if e.unconfirmed:
        return PRINT_UNCONFIRMED
    for cls in type(e).__mro__:
        if cls in PRINT_FAILED and e.user_message == getattr(cls, "user_message", None):
            return PRINT_FAILED[cls]
    return e.user_message


def _health_after(printer: TicketPrinter) -> Health:
    # A real printer remembers what its last call saw; asking again would cost a timeout.
    last = getattr(printer, "last_health", None)
    return last if isinstance(last, Health) else printer.status()


class _Job(QRunnable):
    """A function run on a pool thread; its exceptions are logged, never lost."""

    def __init__(self, fn: Any) -> None:
        super().__init__()
        self._fn = fn

    def run(self) -> None:
        try:
            self._fn()
        except Exception:
            log.exception("device job failed")


class PrinterDesk(QObject):
    """Prints tickets and checks the printer's health on a worker thread."""

    printed = pyqtSignal(str, object)  # ticket number, Health
    failed = pyqtSignal(str, str, object)  # ticket number, one sentence for the citizen, Health
    health = pyqtSignal(object)  # Health from a status check

    def __init__(self, printer: TicketPrinter | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.printer = printer
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)

    def print_ticket(self, ticket: TicketPrint) -> None:
        """Queue a ticket; `printed` or `failed` follows."""
        printer = self.printer

        def job() -> None:
            if printer is None:
                self.failed.emit(ticket.number, "本机未连接打印机",
                                 Health(HealthState.OFFLINE, "未配置打印机", "no_printer"))  # fmt: skip
                return
            try:
                printer.print_ticket(ticket)
            except PrinterError as e:
                log.warning("ticket %s not printed: %s", ticket.number, e)
                self.failed.emit(ticket.number, print_failed_sentence(e), _health_after(printer))
                return
            except Exception as e:  # a driver bug must not lose the citizen's ticket
                log.exception("ticket %s: printer driver error", ticket.number)
                self.failed.emit(ticket.number, PRINT_FAILED[PrinterError],
                                 Health(HealthState.UNKNOWN, str(e), "driver_error"))  # fmt: skip
                return
            self.printed.emit(ticket.number, _health_after(printer))

        self.pool.start(_Job(job))

    def check(self) -> None:
        """Ask the printer how it is; `health` follows."""
        printer = self.printer
        if printer is None:
            return
        self.pool.start(_Job(lambda: self.health.emit(printer.status())))

    def shutdown(self) -> None:
        """Wait for queued jobs (each is bounded by the printer's timeout)."""
        self.pool.waitForDone()


class WedgeFilter(QObject):
    """Watches every key the application gets for a keyboard-wedge scanner's burst.

    The keys still go where they were going (a scan into the search box leaves text
    there, which the model clears); a whole code comes out of ``code``.
    """

    code = pyqtSignal(str)

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.decoder = WedgeDecoder()

    def _first_delivery(self, obj: QObject | None) -> bool:
        # A key goes to the focus widget first, then (if ignored) to its parents, and is
        # seen on the QWindow too: count it once, where it first lands, in our window only.
        target = QApplication.focusWidget() or self.window
        return obj is target and (obj is self.window or self.window.isAncestorOf(target))

    def eventFilter(self, obj: QObject | None, event: QEvent | None) -> bool:
        if event is not None and event.type() == QEvent.Type.KeyPress and self._first_delivery(obj):
            key = event  # a QKeyEvent
            text = getattr(key, "text", lambda: "")()
            if getattr(key, "key", lambda: 0)() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                text = "\r"
            if text and not getattr(key, "isAutoRepeat", lambda: False)():
                found = self.decoder.feed(text, time.monotonic())
                if found is not None:
                    self.code.emit(found)
        return False


class CardDesk(QObject):
    """Card readers and a serial scanner on their own threads; what they read arrives as signals."""

    card = pyqtSignal(object)  # drivers.base.Person
    card_failed = pyqtSignal(str)  # one sentence for the citizen
    code = pyqtSignal(str)  # a scanned code, as scanned
    _sscard_event = pyqtSignal(object)

    def __init__(
        self,
        id_reader: Any = None,
        card_reader: Any = None,
        *,
        scanner: Any = None,
        poll_seconds: float = 1.0,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.id_reader = id_reader
        self.card_reader = card_reader
        self.scanner = scanner
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._scan_thread: threading.Thread | None = None
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._sscard_event.connect(self._on_sscard_event)

    def start(self) -> None:
        """Start watching both readers."""
        if self.id_reader is not None and self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._poll_id, name="kiosk-idcard", daemon=True)
            self._thread.start()
        if self.card_reader is not None:
            # The callback runs on the reader's thread: the signal carries it to ours.
            self.card_reader.watch(self._sscard_event.emit)
        if self.scanner is not None and self._scan_thread is None:
            self._stop.clear()
            self._scan_thread = threading.Thread(
                target=self._poll_scanner, name="kiosk-scanner", daemon=True
            )
            self._scan_thread.start()

    def stop(self) -> None:
        """Stop watching and join the reader thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._scan_thread is not None:
            self._scan_thread.join()
            self._scan_thread = None
            self.scanner.close()
        if self.card_reader is not None:
            self.card_reader.close()
        self.pool.waitForDone()

    def _poll_id(self) -> None:
        reader = self.id_reader
        while not self._stop.is_set():
            try:
                person = reader.poll(self.poll_seconds, stop=self._stop)
            except DriverError as e:
                log.info("ID card not read: %s", e)
                self.card_failed.emit(e.user_message)
                self._stop.wait(0.5)  # let the citizen lift the card before trying again
                continue
            except Exception:
                log.exception("ID card reader driver error")
                self.card_failed.emit(UNKNOWN_FAULT)
                self._stop.wait(1.0)
                continue
            if person is not None:
                self.card.emit(person)

    def _poll_scanner(self) -> None:
        scanner = self.scanner
        while not self._stop.is_set():
            try:
                code = scanner.read_code(timeout=0.2)
            except DriverError as e:
                log.warning("scanner: %s", e)
                self._stop.wait(2.0)  # unplugged: look again later, quietly
                continue
            if code:
                self.code.emit(code)

    def _on_sscard_event(self, event: Any) -> None:
        if getattr(event, "kind", "") != "inserted":
            return
        reader = self.card_reader

        def job() -> None:
            try:
                person: Person = reader.read_card(timeout=3.0)
            except DriverError as e:
                log.info("social security card not read: %s", e)
                self.card_failed.emit(e.user_message)
                return
            self.card.emit(person)

        self.pool.start(_Job(job))
