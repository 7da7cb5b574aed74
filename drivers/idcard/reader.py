"""The ID-card reader interface and its real implementation on pyserial.

``ProtocolIdCardReader`` holds the whole command sequence (find, select, read,
SAM status) over two byte-level primitives; ``SerialIdCardReader`` supplies
them from a serial port and ``sim.SimIdCardReader`` from an in-process
simulator, so both run exactly the same protocol code.
"""

from __future__ import annotations

import abc
import contextlib
import hashlib
import threading
import time
from collections.abc import Iterator
from types import TracebackType

import serial

from drivers.base import DeviceTimeout, DeviceUnavailable, DriverError, Health, HealthState, Person
from drivers.idcard import protocol as p
from drivers.idcard.errors import BadChecksum, CardDataError, CardRemoved, IdCardError

try:
    import termios

    _TERMIOS_ERRORS: tuple[type[Exception], ...] = (termios.error,)
except ImportError:  # pragma: no cover - Windows has no termios
    _TERMIOS_ERRORS = ()
# A vanished line (USB adapter pulled, pty closed) surfaces as any of these;
# pyserial lets termios.error from tcflush/tcsetattr through unwrapped.
_LINE_ERRORS = (serial.SerialException, OSError, *_TERMIOS_ERRORS)
# Seconds `poll` lets a card it found be selected and read (and, when that fails, looked
# for again to tell "removed" from "reader silent"), however little of its window is left.
READ_BUDGET = 3.0


class IdCardReader(abc.ABC):
    """A resident ID-card reader: read one card, wait for one, report health."""

    @abc.abstractmethod
    def read_card(self, timeout: float = 3.0, *, found_budget: float = 0.0) -> Person | None:
        """Read the card on the reader now; None when there is none. Raises DriverError.

        `timeout` bounds the call; once a card is found its read may take `found_budget`
        seconds from then even past `timeout` (`poll` uses it, so that a card laid down at
        the end of a poll window is read, or reported removed, not cut off as a timeout)."""

    @abc.abstractmethod
    def health(self, timeout: float = 1.0) -> Health:
        """Ask the reader how it is; never raises."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the device; further calls raise DeviceUnavailable."""

    def poll(
        self, timeout: float, *, interval: float = 0.3, stop: threading.Event | None = None
    ) -> Person | None:
        """Wait up to `timeout` s for a card, looking every `interval` s; None if none came.

        Set `stop` from another thread to give up early. Read errors (card
        removed, card rejected, ...) are raised so the kiosk can tell the citizen.
        """
        stop = stop or threading.Event()
        deadline = time.monotonic() + timeout
        while not stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            person = self.read_card(timeout=remaining, found_budget=READ_BUDGET)
            if person is not None:
                return person
            remaining = deadline - time.monotonic()
            if remaining <= 0 or stop.wait(min(interval, remaining)):
                return None
        return None

    def __enter__(self) -> IdCardReader:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class ProtocolIdCardReader(IdCardReader):
    """The GA 467 command sequence over `_send` / `_receive` / `_discard_input`."""

    def __init__(self, reply_timeout: float = 2.0) -> None:
        self.reply_timeout = reply_timeout
        self._parser = p.FrameParser()
        # health() may come from another thread while poll() runs; a card read
        # (find, select, read) holds it throughout so nothing slips in between.
        self._lock = threading.RLock()
        # Digest of the last text block that could not be decoded, until a find sees no
        # card: a reader that reports a card lying there again must not make the kiosk
        # tell the citizen the same thing forever.
        self._bad_block: bytes | None = None

    @abc.abstractmethod
    def _send(self, data: bytes, timeout: float) -> None:
        """Write bytes to the reader, giving up after `timeout` s."""

    @abc.abstractmethod
    def _receive(self, size: int, timeout: float) -> bytes:
        """Up to `size` bytes, waiting at most `timeout` s; b"" on timeout."""

    @abc.abstractmethod
    def _discard_input(self) -> None:
        """Drop bytes already received (leftovers of an earlier, failed exchange)."""

    @contextlib.contextmanager
    def _locked(self, deadline: float) -> Iterator[None]:
        # Waiting for a busy reader counts against the caller's timeout too.
        if not self._lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise DeviceTimeout("ID-card reader busy with another request")
        try:
            yield
        finally:
            self._lock.release()

    def _exchange(self, command: bytes, deadline: float) -> p.Reply:
        name = p.COMMAND_NAMES.get(command, command.hex())
        end = min(deadline, time.monotonic() + self.reply_timeout)
        with self._locked(end):
            # One retry on a corrupted reply: line noise should not bother the citizen.
            for attempt in (1, 2):
                self._discard_input()
                self._parser.clear()
                self._send(p.build_frame(command), max(0.0, end - time.monotonic()))
                try:
                    return self._await_reply(name, end)
                except BadChecksum:
                    if attempt == 2 or time.monotonic() >= end:
                        raise
        raise AssertionError("unreachable")

    def _await_reply(self, name: str, end: float) -> p.Reply:
        while True:
            payload = self._parser.next_payload()
            if payload is not None:
                return p.parse_reply(payload)
            remaining = end - time.monotonic()
            if remaining <= 0:
                raise DeviceTimeout(f"ID-card reader: no reply to {name}")
            self._parser.feed(self._receive(self._parser.needed(), remaining))

    def read_card(self, timeout: float = 3.0, *, found_budget: float = 0.0) -> Person | None:
        """Find, select and read the card; None when there is no card."""
        deadline = time.monotonic() + timeout
        with self._locked(deadline):
            return self._read_card(deadline, found_budget)

    def _read_card(self, deadline: float, found_budget: float = 0.0) -> Person | None:
        reply = self._exchange(p.CMD_FIND, deadline)
        if reply.status == p.STATUS_NO_CARD:
            self._bad_block = None
            return None
        if reply.status != p.STATUS_CARD_FOUND:
            raise p.status_error(reply.status, "find card")
        deadline = max(deadline, time.monotonic() + found_budget)
        try:
            reply = self._exchange(p.CMD_SELECT, deadline)
            if reply.status != p.STATUS_OK:
                raise p.status_error(reply.status, "select card")
            reply = self._exchange(p.CMD_READ, deadline)
            if reply.status != p.STATUS_OK:
                raise p.status_error(reply.status, "read card")
        except (IdCardError, DeviceTimeout) as e:
            if self._card_gone(deadline):
                raise CardRemoved(f"card removed while reading ({e})") from e
            raise
        block = p.parse_read_data(reply.data)
        try:
            return p.decode_text(block)
        except CardDataError:
            digest = hashlib.sha256(block).digest()
            if digest == self._bad_block:
                return None  # said once already; nothing new until the card is lifted
            self._bad_block = digest
            raise

    def _card_gone(self, deadline: float) -> bool:
        """After a failed select/read: is the card still there? (Only if time is left.)"""
        if deadline - time.monotonic() <= 0:
            return False
        try:
            reply = self._exchange(p.CMD_FIND, deadline)
        except DriverError:
            return False
        return reply.status == p.STATUS_NO_CARD

    def health(self, timeout: float = 1.0) -> Health:
        """SAM status: OK, OFFLINE with the reader's reason, or UNKNOWN when it is silent."""
        try:
            reply = self._exchange(p.CMD_SAM_STATUS, time.monotonic() + timeout)
        except DeviceTimeout:
            return Health(HealthState.UNKNOWN, "身份证读卡器无响应", "timeout")
        except DeviceUnavailable as e:
            return Health(HealthState.OFFLINE, e.user_message, "unavailable")
        except DriverError as e:
            return Health(HealthState.UNKNOWN, e.user_message, "protocol")
        if reply.status == p.STATUS_OK:
            return Health(HealthState.OK, "身份证读卡器正常", "ok")
        err = p.status_error(reply.status, "SAM status")
        return Health(HealthState.OFFLINE, err.user_message, f"sw3-{reply.status:02x}")


class SerialIdCardReader(ProtocolIdCardReader):
    """A GA 467 reader on a serial port (115200 8N1), opened with ``serial_for_url``."""

    def __init__(self, port: str, *, baudrate: int = 115200, reply_timeout: float = 2.0) -> None:
        super().__init__(reply_timeout)
        try:
            self._port = serial.serial_for_url(
                port, baudrate=baudrate, timeout=reply_timeout, write_timeout=reply_timeout
            )
        except (serial.SerialException, ValueError) as e:
            raise DeviceUnavailable(f"cannot open ID-card reader on {port}: {e}") from e
        self.port_name = port

    def _send(self, data: bytes, timeout: float) -> None:
        try:
            self._port.write_timeout = timeout  # a stalled line must not outlive the call
            self._port.write(data)
        except serial.SerialTimeoutException as e:
            raise DeviceTimeout(f"ID-card reader on {self.port_name}: write timed out") from e
        except _LINE_ERRORS as e:
            raise DeviceUnavailable(f"ID-card reader on {self.port_name}: {e}") from e

    def _receive(self, size: int, timeout: float) -> bytes:
        try:
            # A blocking read with a timeout: the thread sleeps in select(), no busy loop.
            self._port.timeout = timeout
            return bytes(self._port.read(size))
        except _LINE_ERRORS as e:
            raise DeviceUnavailable(f"ID-card reader on {self.port_name}: {e}") from e

    def _discard_input(self) -> None:
        try:
            self._port.reset_input_buffer()
        except _LINE_ERRORS as e:
            raise DeviceUnavailable(f"ID-card reader on {self.port_name}: {e}") from e

    def close(self) -> None:
        """Close the serial port (idempotent)."""
        with self._lock:
            self._port.close()
