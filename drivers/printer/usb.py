"""USB ESC/POS printers through pyusb: opened once and kept, never reset, timeouts as timeouts.

``usb://VID:PID?interface=0&in=0x81&out=0x03`` (hex VID:PID; interface and endpoints
optional: without them the interface's first bulk IN and OUT endpoints are used).

Why not python-escpos' ``Usb`` (3.1): it calls ``set_configuration()`` and
``reset()`` on every ``open()``, and the driver opened per call, so every status
query re-enumerated the printer; its endpoints default to 0x82/0x01, wrong for many
models (python-escpos #384); and pyusb's timeout is a ``USBTimeoutError``, an
``IOError``, so a printer that did not answer a status query looked unplugged.
Here: the device is configured only when it has no configuration yet, the
interface is claimed once, a timeout on write is ``TimeoutError`` and on read is
"no answer" (b"", as serial ports do), any other USB error is an ``OSError``
(the printer is gone: the next call opens it afresh).
"""

from __future__ import annotations

import logging
from typing import Any

import usb.core
import usb.util

from drivers.printer.escpos_lib import DeviceNotFoundError, Escpos

log = logging.getLogger(__name__)

READ_SIZE = 64  # a full-speed bulk packet; status answers are 1 byte


class UsbPrinter(Escpos):
    """A USB printer as a python-escpos transport that stays open between calls."""

    keep_open = True

    def __init__(
        self,
        vendor: int,
        product: int,
        *,
        interface: int = 0,
        in_ep: int | None = None,
        out_ep: int | None = None,
        timeout: float = 3.0,
        backend: Any = None,
    ) -> None:
        super().__init__()
        self.vendor, self.product = vendor, product
        self.interface = interface
        self.in_ep, self.out_ep = in_ep, out_ep
        self.timeout_ms = max(1, int(timeout * 1000))
        self.backend = backend  # None: pyusb's default (libusb1); tests pass a fake one
        self._device = None

    def __repr__(self) -> str:
        return f"UsbPrinter({self.vendor:04x}:{self.product:04x}, if={self.interface})"

    @property
    def is_open(self) -> bool:
        return self._device is not None

    def open(self, raise_not_found: bool = True) -> None:
        """Find, configure (if unconfigured) and claim the printer; nothing if already open."""
        if self._device is not None:
            return
        where = f"{self.vendor:04x}:{self.product:04x}"
        try:
            dev = usb.core.find(idVendor=self.vendor, idProduct=self.product, backend=self.backend)
        except usb.core.NoBackendError as e:
            raise DeviceNotFoundError(f"USB {where}: no libusb backend ({e})") from e
        if dev is None:
            raise DeviceNotFoundError(f"USB printer {where} not found (unplugged?)")
        try:
            self._detach_kernel_driver(dev)
            try:
                cfg = dev.get_active_configuration()
            except usb.core.USBError:
                dev.set_configuration()  # unconfigured: the first one; never a reset
                cfg = dev.get_active_configuration()
            intf = usb.util.find_descriptor(cfg, bInterfaceNumber=self.interface)
            if intf is None:
                raise DeviceNotFoundError(f"USB printer {where} has no interface {self.interface}")
            self.out_ep = self._endpoint(intf, self.out_ep, usb.util.ENDPOINT_OUT, where)
            self.in_ep = self._endpoint(intf, self.in_ep, usb.util.ENDPOINT_IN, where)
            usb.util.claim_interface(dev, self.interface)
        except usb.core.USBError as e:
            usb.util.dispose_resources(dev)
            raise DeviceNotFoundError(f"USB printer {where}: {e}") from e
        self._device = dev
        log.info("USB printer %s open (interface %d, in 0x%02x, out 0x%02x)",
                 where, self.interface, self.in_ep, self.out_ep)  # fmt: skip

    def _detach_kernel_driver(self, dev: Any) -> None:
        # usblp holds a printer as /dev/usb/lp0; libusb cannot claim it until it lets go.
        try:
            if dev.is_kernel_driver_active(self.interface):
                dev.detach_kernel_driver(self.interface)
        except NotImplementedError:  # backends other than libusb1
            pass

    def _endpoint(self, intf: Any, wanted: int | None, direction: int, where: str) -> int:
        for ep in intf:
            address = int(ep.bEndpointAddress)
            if wanted is not None and address == wanted:
                return address
            is_bulk = usb.util.endpoint_type(ep.bmAttributes) == usb.util.ENDPOINT_TYPE_BULK
            if wanted is None and is_bulk and usb.util.endpoint_direction(address) == direction:
                return address
        kind = "IN" if direction == usb.util.ENDPOINT_IN else "OUT"
        which = f"0x{wanted:02x}" if wanted is not None else f"a bulk {kind} endpoint"
        raise DeviceNotFoundError(f"USB printer {where}: interface {self.interface} has no {which}")

    def arm(self, seconds: float) -> None:
        """The time the next transfer may take."""
        self.timeout_ms = max(1, int(seconds * 1000))

    def _raw(self, msg: bytes) -> None:
        dev = self._require()
        try:
            dev.write(self.out_ep, msg, self.timeout_ms)
        except usb.core.USBTimeoutError as e:
            raise TimeoutError(f"USB write timed out after {self.timeout_ms} ms") from e

    def _read(self) -> bytes:
        dev = self._require()
        try:
            return bytes(dev.read(self.in_ep, READ_SIZE, self.timeout_ms))
        except usb.core.USBTimeoutError:
            return b""  # no answer, as from a serial port: never "unplugged"

    def drain(self) -> None:
        """Drop answers that came too late for an earlier call."""
        saved = self.timeout_ms
        self.timeout_ms = 5
        try:
            for _ in range(16):
                if not self._read():
                    return
        finally:
            self.timeout_ms = saved

    def _require(self) -> Any:
        if self._device is None:
            raise ConnectionError("USB printer is not open")
        return self._device

    def close(self) -> None:
        """Release the interface and the handle (no reset)."""
        dev, self._device = self._device, None
        if dev is not None:
            try:
                usb.util.dispose_resources(dev)
            except usb.core.USBError:
                log.debug("USB printer: error while releasing", exc_info=True)
