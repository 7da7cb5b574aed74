"""The ticket printer interface, its errors, and the ESC/POS implementation over python-escpos.

Every public call opens the transport, does its work and closes it again:
a network printer serves one connection at a time, and a fresh connection
never holds a late status byte from a query that timed out earlier. A USB
printer (``keep_open``) is opened once and kept: opening it is slow, and late
bytes are drained at the start of each call instead. Each
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
    """Any failure of the ticket printer.

    ``unconfirmed`` is True when the ticket went to the printer but did not come out
    in full (a fault stopped it, or no confirmation came): part of it may be on paper.
    """

    user_message = "打印机故障，请到服务台取号"
    unconfirmed = False


class PrinterOffline(PrinterError, DeviceUnavailable):
    """The printer cannot be reached, or reports itself offline (cover open, fault)."""

    user_message = "打印机暂时无法使用，请到服务台取号"


class PaperOut(PrinterError):
    """The printer has no paper."""

    user_message = "打印机缺纸，请到服务台取号"


class PrinterTimeout(PrinterError, DeviceTimeout):
    """The printer did not answer within the timeout."""

    user_message = "打印机无响应，请到服务台取号"


class CoverOpen(PrinterOffline):
    """The printer's cover is open (DLE EOT 2 bit 2)."""

    user_message = "打印机盖未合上，请联系工作人员"


class CutterError(PrinterOffline):
    """The autocutter jammed (DLE EOT 3 bit 3)."""

    user_message = "打印机切刀故障，请联系工作人员"


class _Busy(PrinterTimeout):
    """Another call holds the printer for longer than our timeout."""


NO_ANSWER = Health(HealthState.UNKNOWN, "打印机无应答", "no_answer")
POLL = 0.5  # seconds between real-time status looks while a ticket prints
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
    if health.code == "cover_open":
        raise CoverOpen(f"printer cover is open ({health.reason})")
    if health.code == "cutter_error":
        raise CutterError(f"printer cutter error ({health.reason})")
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
        self._pending = bytearray()  # bytes read but not yet wanted (the other kind of reply)

    def _arm(self) -> None:
        """Give the next blocking operation only the time left before the deadline."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise PrinterTimeout("printer call ran out of time")
        arm = getattr(self.transport, "arm", None)
        if arm is not None:  # our own transports (USB) take the time themselves
            arm(left)
            return
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

    def _take(self, wanted: Callable[[int], bool]) -> int | None:
        """The newest pending byte `wanted` takes; the others stay pending."""
        matching = [b for b in self._pending if wanted(b)]
        if not matching:
            return None
        self._pending = bytearray(b for b in self._pending if not wanted(b))
        return matching[-1]

    def _read_until(self, wanted: Callable[[int], bool], until: float | None = None) -> int | None:
        """The newest byte `wanted` takes from what arrives before the deadline, else None.

        DLE EOT replies (bit 4 set) and GS r replies (bit 4 clear) never mix up: bytes of
        the other kind wait in `_pending` for their own reader. `until` stops earlier.
        """
        while True:
            found = self._take(wanted)
            if found is not None:
                return found
            saved = self.deadline
            if until is not None:
                self.deadline = min(saved, until)
            try:
                self._arm()
                reply = self.transport._read()
            except (TimeoutError, PrinterTimeout):
                return None
            except OSError as e:
                raise PrinterOffline(f"connection to the printer lost: {e}") from e
            finally:
                self.deadline = saved
            if not reply:  # serial and USB give b"" on timeout
                return None
            # A clear's 37 25 00 answers nothing we ask: drop it.
            self._pending += bytes(reply).replace(b"\x37\x25\x00", b"")

    def query(self, command: bytes) -> int | None:
        """Send a DLE EOT query; the reply byte, or None when the printer stays silent."""
        self.write(command)
        return self._read_until(proto.is_realtime_status)

    def await_transmit_status(self, until: float | None = None) -> int | None:
        """The reply to a GS r sent with the ticket, or None if it did not come in time."""
        return self._read_until(proto.is_transmit_status, until)

    def forget_pending(self) -> None:
        """Drop bytes read but not taken (before a GS r: none of them can be its answer)."""
        self._pending.clear()

    def extend(self, seconds: float) -> None:
        """Give the call `seconds` more from now (waiting for a ticket to print)."""
        self.deadline = max(self.deadline, time.monotonic() + seconds)


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
        confirm_timeout: float = 10.0,
        charset: str = "gb2312",
        name: str = "printer",
    ) -> None:
        self._connect = connect
        self.charset = charset
        self.confirm_timeout = confirm_timeout
        # A fault stopped the last ticket: clear the printer's buffers before the next one
        # (they were cleared when the fault was seen too; a printer that was off then kept them).
        self._dirty = False
        self.paper = paper
        self.timeout = timeout
        self.chinese_mode = chinese_mode
        self.require_status = require_status
        self.name = name
        self._lock = threading.Lock()  # one call on the device at a time
        self._last = Health(HealthState.UNKNOWN, "尚未检查打印机", "not_checked")
        self._closed = False
        self._kept: Escpos | None = None  # a transport that stays open (USB), once opened

    def __repr__(self) -> str:
        return f"EscposTicketPrinter({self.name}, {self.paper.mm}mm)"

    @contextmanager
    def _link(self) -> Iterator[_Link]:
        if self._closed:
            raise PrinterOffline(f"{self.name}: printer was closed")
        if not self._lock.acquire(timeout=self.timeout):
            raise _Busy(f"{self.name}: printer busy with another job")
        transport: Escpos | None = None
        keep = False
        try:
            # Built before the clock starts: the first python-escpos object loads its
            # printer profiles (about half a second of CPU, once per process).
            transport = self._kept or self._connect(self.timeout)
            deadline = time.monotonic() + self.timeout
            try:
                transport.open()  # a kept transport that is open does nothing here
                drain = getattr(transport, "drain", None)
                if drain is not None:
                    drain()
            except (EscposLibraryError, OSError, RuntimeError) as e:
                # DeviceNotFoundError mostly; RuntimeError when pyusb/pyserial is missing.
                raise PrinterOffline(f"{self.name}: cannot open: {e}") from e
            link = _Link(transport, deadline)
            try:
                yield link
            except PrinterOffline:
                raise  # the device is gone: open it afresh next time
            except PrinterError:
                keep = True  # a fault or a timeout: the device itself is still there
                raise
            keep = True
        finally:
            keep = keep and getattr(transport, "keep_open", False) and not self._closed
            self._kept = transport if keep else None
            if transport is not None and not keep:
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
            is_online, paper_state = proto.decode_online(online), proto.decode_paper(paper)
            faults: set[proto.Fault] = set()
            if not is_online or paper_state is proto.PaperState.OUT:
                # Name the fault: cover open, cutter, paper end (DLE EOT 2 and 3).
                cause = link.query(proto.STATUS_OFFLINE_CAUSE)
                error = link.query(proto.STATUS_ERROR_CAUSE) if cause is not None else None
                if cause is not None:
                    faults |= proto.decode_offline_cause(cause)
                if error is not None:
                    faults |= proto.decode_error_cause(error)
            return proto.health_of(is_online, paper_state, faults)
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
        """Check status, send the ticket with a GS r 1 behind it, wait for that answer.

        The answer comes only once the ticket has printed (GS r is not real time), so
        a return means the ticket came out. Without it within ``confirm_timeout``, the
        real-time status names the fault, the printer's buffers are cleared (no half
        ticket when the paper is refilled) and the error is raised.
        """
        data = proto.encode_ops(
            layout_ticket(ticket, self.paper), chinese_mode=self.chinese_mode, charset=self.charset
        )
        refused = False
        try:
            with self._link() as link:
                if self._dirty:
                    link.write(proto.CLEAR_BUFFERS)
                    self._dirty = False
                self._last = self._read_health(link)
                refused = True
                refuse_unless_printable(self._last, require_status=self.require_status)
                refused = False
                if self._last is NO_STATUS_CHANNEL or (
                    self._last.state is HealthState.UNKNOWN and not self.require_status
                ):
                    link.write(data)  # printing blind: nothing can confirm it
                    return
                link.forget_pending()  # e.g. a split 37 25 00 of the clear: not our answer
                link.write(data + proto.TRANSMIT_PAPER)
                reply = self._await_printed(link)
                if reply is not None:
                    self._last = self._confirmed(reply)
                    return
                link.extend(self.timeout)
                self._last = self._read_health(link)
                self._dirty = True
                link.write(proto.CLEAR_BUFFERS)
        except PrinterError as e:
            if not refused:  # a refusal's reason is already in self._last
                self._last = self._health_of_error(e)
                self._dirty = True  # part of a ticket may sit in the printer
            raise
        raise self._not_printed(self._last)

    def _await_printed(self, link: _Link) -> int | None:
        """The GS r 1 answer once the ticket is out; None if a fault stopped it or time ran out.

        While waiting, the real-time status is looked at every `POLL` seconds, so paper
        running out or the cover opening is seen at once, not after ``confirm_timeout``.
        """
        end = time.monotonic() + self.confirm_timeout
        link.extend(self.confirm_timeout)
        while time.monotonic() < end:
            reply = link.await_transmit_status(until=min(end, time.monotonic() + POLL))
            if reply is not None:
                return reply
            if time.monotonic() >= end:
                break
            health = self._read_health(link)
            if health.state is HealthState.OFFLINE:
                return None  # stalled by a fault; print_ticket names it
        return None

    def _confirmed(self, reply: int) -> Health:
        try:
            paper = proto.decode_transmit_paper(reply)
        except proto.BadStatus:
            return Health(HealthState.UNKNOWN, "打印机状态无法识别", "bad_status")
        # The ticket is out; a roll that ended with it needs a new one before the next.
        return proto.health_of(True, paper)

    @staticmethod
    def _not_printed(health: Health) -> PrinterError:
        """The error for a ticket the printer did not confirm, naming the fault."""
        msg = "打印机未确认出票，如未拿到小票请到服务台补打"
        what = f"ticket not confirmed: {health.code} ({health.reason})"
        err: PrinterError
        if health.code == "paper_out":
            err = PaperOut(what, user_message="打印纸用完，" + msg)
        elif health.code == "cover_open":
            err = CoverOpen(what, user_message="打印机盖被打开，" + msg)
        elif health.code == "cutter_error":
            err = CutterError(what, user_message="打印机切刀故障，" + msg)
        elif health.state is HealthState.OFFLINE:
            err = PrinterOffline(what, user_message=msg)
        else:
            err = PrinterTimeout(what, user_message=msg)
        err.unconfirmed = True
        return err

    def close(self) -> None:
        """Refuse further calls; release a transport kept open (USB)."""
        with self._lock:
            self._closed = True
            kept, self._kept = self._kept, None
        if kept is not None:
            kept.close()
