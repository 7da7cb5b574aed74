"""The ticket printer interface, its errors, and the ESC/POS implementation over python-escpos.

Every public call opens the transport, does its work and closes it again:
a network printer serves one connection at a time, and a fresh connection
never holds a late status byte from a query that timed out earlier. Each
call runs against one deadline (``timeout``, default 3 s), so a silent or
unplugged printer can never hang the kiosk longer than that.
"""

from __future__ import annotations

import abc
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from drivers.base import DeviceTimeout, DeviceUnavailable, DriverError, Health, HealthState
from drivers.printer import escpos as proto
from drivers.printer.escpos_lib import Escpos, EscposLibraryError
from drivers.printer.layout import PAPER_80, Paper, layout_ticket
from drivers.printer.ticket import TicketPrint

log = logging.getLogger(__name__)


class PrinterError(DriverError):
    """Any failure of the ticket printer."""

    user_message = "打印机故障，请到服务台取号"


class PrinterOffline(PrinterError, DeviceUnavailable):
    """The printer cannot be reached, or reports itself offline (cover open, fault)."""

    user_message = "打印机暂时无法使用，请到服务台取号"


class PaperOut(PrinterError):
    """The printer has no paper."""

    user_message = "打印机缺纸，请到服务台取号"


class PrinterTimeout(PrinterError, DeviceTimeout):
    """The printer did not answer within the timeout."""

    user_message = "打印机无响应，请到服务台取号"


class _Busy(PrinterTimeout):
    """Another call holds the printer for longer than our timeout."""


NO_ANSWER = Health(HealthState.UNKNOWN, "打印机无应答", "no_answer")
UNREACHABLE = Health(HealthState.OFFLINE, "无法连接打印机", "unreachable")
NO_STATUS_CHANNEL = Health(HealthState.UNKNOWN, "此连接方式读不到打印机状态", "no_status_channel")


class TicketPrinter(abc.ABC):
    """A ticket printer, real or simulated."""

    paper: Paper = PAPER_80

    @abc.abstractmethod
    def print_ticket(self, ticket: TicketPrint) -> None:
        """Print one ticket; raise a PrinterError (with a Chinese user_message) if it fails."""

    @abc.abstractmethod
    def status(self) -> Health:
        """Ask the printer how it is; no answer gives UNKNOWN, never OK."""

    def close(self) -> None:  # noqa: B027 - most printers hold nothing between calls
        """Release the device."""


def refuse_unless_printable(health: Health, *, require_status: bool) -> None:
    """Raise the error a ticket would fail with in this state; return when printing may go ahead."""
    if health.code == "paper_out":
        raise PaperOut(f"printer reports paper out ({health.reason})")
    if health.state is HealthState.OFFLINE:
        raise PrinterOffline(f"printer is offline: {health.code} ({health.reason})")
    if health.state is HealthState.UNKNOWN and require_status:
        raise PrinterTimeout(f"printer status unknown before printing: {health.code}")


def _is_timeout(e: BaseException) -> bool:
    # socket.timeout is TimeoutError; pyserial's write timeout has its own class.
    return isinstance(e, TimeoutError) or type(e).__name__ == "SerialTimeoutException"


class _Link:
    """One open transport plus the deadline of the call using it."""

    def __init__(self, transport: Escpos, deadline: float) -> None:
        self.transport = transport
        self.deadline = deadline

    def _arm(self) -> None:
        """Give the next blocking operation only the time left before the deadline."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise PrinterTimeout("printer call ran out of time")
        dev: Any = self.transport._device
        if hasattr(dev, "settimeout"):  # socket
            dev.settimeout(left)
        elif hasattr(dev, "write_timeout"):  # pyserial
            dev.timeout = left
            dev.write_timeout = left

    def write(self, data: bytes) -> None:
        """Send bytes; PrinterTimeout if the printer does not take them in time."""
        self._arm()
        try:
            self.transport._raw(data)
        except Exception as e:
            if _is_timeout(e):
                raise PrinterTimeout(f"printer did not take the data: {e}") from e
            if isinstance(e, OSError | EscposLibraryError):
                raise PrinterOffline(f"connection to the printer lost: {e}") from e
            raise

    def query(self, command: bytes) -> int | None:
        """Send a DLE EOT query; the reply byte, or None when the printer stays silent."""
        self.write(command)
        self._arm()
        try:
            reply = self.transport._read()
        except TimeoutError:
            return None
        except OSError as e:
            raise PrinterOffline(f"connection to the printer lost: {e}") from e
        # Serial and USB give b"" on timeout. With several bytes the last is the newest.
        return reply[-1] if reply else None


class EscposTicketPrinter(TicketPrinter):
    """A real ESC/POS printer behind any python-escpos transport.

    ``connect(timeout)`` builds an unopened python-escpos printer object
    (Network, Serial, Usb, File) whose connect/read timeout is ``timeout``.
    """

    def __init__(
        self,
        connect: Callable[[float], Escpos],
        *,
        paper: Paper = PAPER_80,
        timeout: float = 3.0,
        chinese_mode: bool = True,
        require_status: bool = True,
        name: str = "printer",
    ) -> None:
        self._connect = connect
        self.paper = paper
        self.timeout = timeout
        self.chinese_mode = chinese_mode
        self.require_status = require_status
        self.name = name
        self._lock = threading.Lock()  # one call on the device at a time
        self._last = Health(HealthState.UNKNOWN, "尚未检查打印机", "not_checked")
        self._closed = False

    def __repr__(self) -> str:
        return f"EscposTicketPrinter({self.name}, {self.paper.mm}mm)"

    @contextmanager
    def _link(self) -> Iterator[_Link]:
        if self._closed:
            raise PrinterOffline(f"{self.name}: printer was closed")
        if not self._lock.acquire(timeout=self.timeout):
            raise _Busy(f"{self.name}: printer busy with another job")
        transport: Escpos | None = None
        try:
            # Built before the clock starts: the first python-escpos object loads its
            # printer profiles (about half a second of CPU, once per process).
            transport = self._connect(self.timeout)
            deadline = time.monotonic() + self.timeout
            try:
                transport.open()
            except (EscposLibraryError, OSError, RuntimeError) as e:
                # DeviceNotFoundError mostly; RuntimeError when pyusb/pyserial is missing.
                raise PrinterOffline(f"{self.name}: cannot open: {e}") from e
            yield _Link(transport, deadline)
        finally:
            if transport is not None:
                try:
                    transport.close()
                except Exception:  # closing a dead link must not hide the real error
                    log.debug("%s: error while closing", self.name, exc_info=True)
            self._lock.release()

    def _read_health(self, link: _Link) -> Health:
        try:
            online = link.query(proto.STATUS_ONLINE)
            paper = link.query(proto.STATUS_PAPER) if online is not None else None
        except NotImplementedError:  # File transport: write-only
            return NO_STATUS_CHANNEL
        if online is None or paper is None:
            return NO_ANSWER
        try:
            return proto.health_of(proto.decode_online(online), proto.decode_paper(paper))
        except proto.BadStatus as e:
            log.warning("%s: %s", self.name, e)
            return Health(HealthState.UNKNOWN, "打印机状态无法识别", "bad_status")

    @staticmethod
    def _health_of_error(e: PrinterError) -> Health:
        """What a failed call says about the printer when no status byte said it."""
        return UNREACHABLE if isinstance(e, PrinterOffline) else NO_ANSWER

    @property
    def last_health(self) -> Health:
        """The health seen by the latest call, without asking the printer."""
        return self._last

    def status(self) -> Health:
        """Query DLE EOT 1 and 4; a printer that cannot be reached is OFFLINE, a silent one UNKNOWN."""
        try:
            with self._link() as link:
                self._last = self._read_health(link)
        except _Busy:
            pass  # a ticket is printing right now; its checks are fresher than ours would be
        except PrinterError as e:
            log.info("%s", e)
            self._last = self._health_of_error(e)
        return self._last

    def print_ticket(self, ticket: TicketPrint) -> None:
        """Check status, send the ticket, check status again; raise a PrinterError on any failure."""
        data = proto.encode_ops(layout_ticket(ticket, self.paper), chinese_mode=self.chinese_mode)
        refused = False
        try:
            with self._link() as link:
                self._last = self._read_health(link)
                refused = True
                refuse_unless_printable(self._last, require_status=self.require_status)
                refused = False
                link.write(data)
                self._last = after = self._read_health(link)
        except PrinterError as e:
            if not refused:  # a refusal's reason is already in self._last
                self._last = self._health_of_error(e)
            raise
        if after.state in (HealthState.OK, HealthState.DEGRADED):
            return
        if after.state is HealthState.UNKNOWN and not self.require_status:
            return
        # The data went out but the printer did not confirm it: the ticket may be missing or cut short.
        msg = "打印机未确认出票，如未拿到小票请到服务台补打"
        if after.code == "paper_out":
            raise PaperOut("paper ran out while printing", user_message="打印纸用完，" + msg)
        if after.state is HealthState.OFFLINE:
            raise PrinterOffline(f"went offline while printing: {after.code}", user_message=msg)
        raise PrinterTimeout(f"no status after printing: {after.code}", user_message=msg)

    def close(self) -> None:
        """Refuse further calls (the transport is already closed after each call)."""
        self._closed = True
