"""A fake pyusb backend: one USB printer, whose ESC/POS side is the TCP printer emulator.

pyusb's ``usb.core.find(backend=...)`` takes any ``usb.backend.IBackend``; this one
enumerates a single device with one configuration, one printer-class interface and
two bulk endpoints (addresses chosen per test), and carries bulk transfers to and
from a ``PrinterEmulator`` over a socket. Reads with nothing to read raise
``USBTimeoutError`` after the timeout, as libusb1's backend does. It counts what a
driver should not do (resets, configurations, opens) and can be unplugged.
"""

from __future__ import annotations

import errno
import socket
import time
from types import SimpleNamespace
from typing import Any

import usb.backend
import usb.core

from drivers.printer.emulator import PrinterEmulator


class FakePrinterBackend(usb.backend.IBackend):  # type: ignore[misc]
    """pyusb's view of one USB printer, VID:PID 0416:5011 unless told otherwise."""

    def __init__(
        self, emulator: PrinterEmulator, *, vendor: int = 0x0416, product: int = 0x5011,
        in_ep: int = 0x81, out_ep: int = 0x03, kernel_driver: bool = True,
    ) -> None:  # fmt: skip
        super().__init__()
        self.emulator = emulator
        self.vendor, self.product = vendor, product
        self.in_ep, self.out_ep = in_ep, out_ep
        self.kernel_driver = kernel_driver  # usblp holds it, as on a fresh Debian
        self.configuration = 0  # unconfigured
        self.plugged = True
        self.opens = self.resets = self.set_configurations = self.claims = 0
        self.written = bytearray()
        self._sock: socket.socket | None = None

    # ---------------------------------------------------------------- descriptors

    def enumerate_devices(self) -> Any:
        if self.plugged:
            yield "printer"

    def get_device_descriptor(self, dev: Any) -> Any:
        return SimpleNamespace(
            bLength=18, bDescriptorType=1, bcdUSB=0x0200, bDeviceClass=0, bDeviceSubClass=0,
            bDeviceProtocol=0, bMaxPacketSize0=64, idVendor=self.vendor, idProduct=self.product,
            bcdDevice=0x0100, iManufacturer=0, iProduct=0, iSerialNumber=0, bNumConfigurations=1,
            address=5, bus=1, port_number=2, port_numbers=(2,), speed=2,
        )  # fmt: skip

    def get_configuration_descriptor(self, dev: Any, config: int) -> Any:
        if config != 0:
            raise IndexError(config)
        return SimpleNamespace(
            bLength=9, bDescriptorType=2, wTotalLength=32, bNumInterfaces=1,
            bConfigurationValue=1, iConfiguration=0, bmAttributes=0xC0, bMaxPower=50,
            extra_descriptors=[],
        )  # fmt: skip

    def get_interface_descriptor(self, dev: Any, intf: int, alt: int, config: int) -> Any:
        if intf != 0 or alt != 0 or config != 0:
            raise IndexError((intf, alt))
        return SimpleNamespace(
            bLength=9, bDescriptorType=4, bInterfaceNumber=0, bAlternateSetting=0,
            bNumEndpoints=2, bInterfaceClass=7, bInterfaceSubClass=1, bInterfaceProtocol=2,
            iInterface=0, extra_descriptors=[],
        )  # fmt: skip

    def get_endpoint_descriptor(self, dev: Any, ep: int, intf: int, alt: int, config: int) -> Any:
        if ep not in (0, 1):
            raise IndexError(ep)
        return SimpleNamespace(
            bLength=7, bDescriptorType=5, bEndpointAddress=(self.out_ep, self.in_ep)[ep],
            bmAttributes=2, wMaxPacketSize=64, bInterval=0, bRefresh=0, bSynchAddress=0,
            extra_descriptors=[],
        )  # fmt: skip

    # ---------------------------------------------------------------- handles

    def _gone(self) -> usb.core.USBError:
        return usb.core.USBError("No such device (it may have been disconnected)",
                                 error_code=-4, errno=errno.ENODEV)  # fmt: skip

    def open_device(self, dev: Any) -> Any:
        if not self.plugged:
            raise self._gone()
        self.opens += 1
        self._sock = socket.create_connection((self.emulator.host, self.emulator.port), timeout=2)
        return "handle"

    def close_device(self, dev_handle: Any) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def set_configuration(self, dev_handle: Any, config_value: int) -> None:
        self.set_configurations += 1
        self.configuration = config_value

    def get_configuration(self, dev_handle: Any) -> int:
        return self.configuration

    def claim_interface(self, dev_handle: Any, intf: int) -> None:
        if self.kernel_driver:
            raise usb.core.USBError("Resource busy", error_code=-6, errno=errno.EBUSY)
        self.claims += 1

    def release_interface(self, dev_handle: Any, intf: int) -> None:
        pass

    def reset_device(self, dev_handle: Any) -> None:
        self.resets += 1

    def is_kernel_driver_active(self, dev_handle: Any, intf: int) -> bool:
        return self.kernel_driver

    def detach_kernel_driver(self, dev_handle: Any, intf: int) -> None:
        self.kernel_driver = False

    # ---------------------------------------------------------------- transfers

    def bulk_write(self, dev_handle: Any, ep: int, intf: int, data: Any, timeout: int) -> int:
        if not self.plugged or self._sock is None:
            raise self._gone()
        assert ep == self.out_ep, f"write to endpoint 0x{ep:02x}"
        raw = bytes(data)
        self.written += raw
        self._sock.sendall(raw)
        return len(raw)

    def bulk_read(self, dev_handle: Any, ep: int, intf: int, buff: Any, timeout: int) -> int:
        if not self.plugged or self._sock is None:
            raise self._gone()
        assert ep == self.in_ep, f"read from endpoint 0x{ep:02x}"
        self._sock.settimeout(max(timeout, 1) / 1000)
        start = time.monotonic()
        try:
            data = self._sock.recv(len(buff))
        except TimeoutError:
            data = b""
        if not data:
            # libusb1: LIBUSB_ERROR_TIMEOUT (-7) -> USBTimeoutError, an IOError
            time.sleep(max(0.0, timeout / 1000 - (time.monotonic() - start)))
            raise usb.core.USBTimeoutError("Operation timed out", error_code=-7,
                                           errno=errno.ETIMEDOUT)  # fmt: skip
        buff[: len(data)] = type(buff)(buff.typecode, data)
        return len(data)
