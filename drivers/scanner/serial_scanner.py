"""Barcode/QR scanners on a serial line (RS-232, or USB in CDC/virtual COM mode).

Such a scanner sends each code as it reads it, ended by CR, LF or CR LF (its
factory default is usually CR). ``read_code`` returns one code per call.
"""

from __future__ import annotations

import threading
import time

import serial

from drivers.base import DeviceUnavailable, Health, HealthState

MAX_LINE = 4096  # a QR code holds at most ~3 KB; a longer line is noise


class SerialScanner:
    """A scanner on a serial port, opened with pyserial's ``serial_for_url``."""

    def __init__(self, port: str, *, baudrate: int = 9600) -> None:
        try:
            self._port = serial.serial_for_url(port, baudrate=baudrate, timeout=0.1)
        except (serial.SerialException, ValueError) as e:
            raise DeviceUnavailable(
                f"cannot open scanner on {port}: {e}", user_message="扫码器未连接，请联系工作人员"
            ) from e
        self.port_name = port
        self._buf = bytearray()
        self._lock = threading.Lock()

    def read_code(self, timeout: float = 1.0) -> str | None:
        """The next code scanned within `timeout` seconds, or None."""
        end = time.monotonic() + timeout
        with self._lock:
            while True:
                code = self._take_line()
                if code is not None:
                    return code
                left = end - time.monotonic()
                if left <= 0:
                    return None
                try:
                    self._port.timeout = min(left, 0.2)
                    chunk = self._port.read(max(1, self._port.in_waiting))
                except (serial.SerialException, OSError) as e:
                    raise DeviceUnavailable(
                        f"scanner on {self.port_name}: {e}",
                        user_message="扫码器连接中断，请联系工作人员",
                    ) from e
                self._buf += chunk
                if len(self._buf) > MAX_LINE and b"\r" not in self._buf and b"\n" not in self._buf:
                    self._buf.clear()  # noise without an end: drop it

    def _take_line(self) -> str | None:
        while True:
            ends = [i for i in (self._buf.find(b"\r"), self._buf.find(b"\n")) if i >= 0]
            if not ends:
                return None
            i = min(ends)
            line = bytes(self._buf[:i])
            del self._buf[: i + 1]
            if line.strip():
                # Codes of ours are ASCII; a QR of text may be UTF-8 (or GB18030 on old scanners).
                try:
                    return line.decode("utf-8").strip()
                except UnicodeDecodeError:
                    return line.decode("gb18030", errors="replace").strip()

    def health(self) -> Health:
        """OK while the port is open."""
        if self._port.is_open:
            return Health(HealthState.OK, "扫码器就绪", "ok")
        return Health(HealthState.OFFLINE, "扫码器未连接", "closed")

    def close(self) -> None:
        """Close the port (idempotent)."""
        self._port.close()
