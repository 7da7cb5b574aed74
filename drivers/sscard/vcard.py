"""A virtual social security card: the card logic, and a vpcd client that puts it in pcscd.

:class:`VirtualSocialSecurityCard` answers C-APDUs like a card with the SSSE
application (HARDWARE.md section 2), records every APDU it saw (tests assert
that VERIFY never arrives) and can misbehave on purpose (:class:`Fault`).
``sim://sscard`` uses it in-process; :class:`VpcdCard` connects it to the
vsmartcard ``vpcd`` driver of a real pcscd over TCP::

    python -m drivers.sscard.vcard --port 35963 [--fault 61xx] [--name 张三 ...]

vpcd protocol: each message is a 2-byte big-endian length plus payload. A
1-byte payload is control (00 power off, 01 power on, 02 reset: no reply;
04: reply with the ATR); anything longer is a C-APDU, answered with an
R-APDU. Closing the socket removes the card, reconnecting inserts it.
"""

from __future__ import annotations

import argparse
import contextlib
import enum
import logging
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

from hall.core.idnumber import make_id_number

from .apdu import FORBIDDEN_INS, SSSE_AID

log = logging.getLogger(__name__)

VPCD_PORT = 35963  # slot 0 ("Virtual PCD 00 00"); slot 1 is 35964
ATR = bytes.fromhex("3B80800101")  # minimal T=1 ATR: TS T0 TD1 TD2 TCK


class Fault(enum.Enum):
    """Ways the virtual card can misbehave, to exercise the driver's error paths."""

    GARBLED = "garbled"  # every record comes back with a wrong tag
    NO_SSSE = "no-ssse"  # no SSSE application: SELECT answers 6A82 (a bank card)
    VIA_61 = "61xx"  # data only via GET RESPONSE, a few bytes per 61xx round
    VIA_6C = "6cxx"  # first READ RECORD of each record answers 6Cxx (wrong Le)


@dataclass(frozen=True)
class CardHolder:
    """What the card stores about its holder, in the card's own encodings."""

    card_number: str = "A01234567"
    id_number: str = make_id_number("11010519491231002")
    name: str = "张三"
    gender: bytes = b"1"  # GB/T 2261.1, ASCII
    nation: int = 1  # GB/T 3304, stored as one BCD byte
    birth: str = "19491231"  # YYYYMMDD, stored as BCD


def _tlv(tag: int, value: bytes) -> bytes:
    return bytes([tag, len(value)]) + value


class VirtualSocialSecurityCard:
    """The SSSE application of a social security card, answering C-APDUs in memory."""

    def __init__(
        self, holder: CardHolder | None = None, faults: Iterable[Fault] = (), chunk: int = 7
    ):
        self.holder = holder or CardHolder()
        self.faults = frozenset(faults)
        self.chunk = chunk  # bytes per GET RESPONSE round with Fault.VIA_61
        self.atr = ATR
        self.seen: list[bytes] = []  # every C-APDU received, in order
        self._lock = threading.Lock()
        h = self.holder
        self._files: dict[int, dict[int, bytes]] = {
            0xEF05: {0x07: _tlv(0x07, h.card_number.encode("ascii"))},
            0xEF06: {
                0x08: _tlv(0x08, h.id_number.encode("ascii")),
                0x09: _tlv(0x09, h.name.encode("gbk").ljust(30, b"\x00")),
                0x0A: _tlv(0x0A, h.gender),
                0x0B: _tlv(0x0B, bytes.fromhex(f"{h.nation:02d}")),
                0x0D: _tlv(0x0D, bytes.fromhex(h.birth)),
            },
        }
        self.reset()

    def reset(self) -> None:
        """Power-on state: nothing selected, nothing pending."""
        self._app = False
        self._ef: int | None = None
        self._pending = b""
        self._refused_le: set[tuple[int, int]] = set()

    def saw_ins(self, ins: int) -> bool:
        """Whether any C-APDU with this INS byte arrived."""
        with self._lock:
            return any(len(c) > 1 and c[1] == ins for c in self.seen)

    def answer(self, capdu: bytes) -> bytes:
        """The R-APDU (data + SW1 SW2) for one C-APDU."""
        with self._lock:
            self.seen.append(bytes(capdu))
            return self._answer(capdu)

    def _answer(self, c: bytes) -> bytes:
        if len(c) < 4:
            return b"\x67\x00"
        cla, ins, p1 = c[:3]
        if ins in FORBIDDEN_INS:
            return b"\x63\xc2"  # what a real card says after a wrong PIN: 2 tries left
        if cla != 0x00:
            return b"\x6e\x00"
        if ins == 0xC0:
            return self._get_response(c[4] if len(c) > 4 else 0)
        self._pending = b""
        if ins == 0xA4 and p1 == 0x04:
            aid = c[5 : 5 + c[4]] if len(c) > 5 else b""
            if Fault.NO_SSSE in self.faults or aid != SSSE_AID:
                return b"\x6a\x82"
            self._app, self._ef = True, None
            return b"\x90\x00"
        if ins == 0xA4 and p1 == 0x02:
            fid = int.from_bytes(c[5:7], "big") if len(c) >= 7 else -1
            if not self._app or fid not in self._files:
                return b"\x6a\x82"
            self._ef = fid
            return b"\x90\x00"
        if ins == 0xB2:
            return self._read_record(p1, c[4] if len(c) > 4 else 0)
        return b"\x6d\x00"

    def _read_record(self, number: int, le: int) -> bytes:
        if self._ef is None:
            return b"\x69\x86"  # command not allowed: no current EF
        record = self._files[self._ef].get(number)
        if record is None:
            return b"\x6a\x83"
        if Fault.GARBLED in self.faults:
            record = bytes([record[0] ^ 0x5A]) + record[1:]
        key = (self._ef, number)
        if (
            le == 0
            or le < len(record)
            or (Fault.VIA_6C in self.faults and key not in self._refused_le)
        ):
            self._refused_le.add(key)
            return bytes([0x6C, len(record)])
        return self._send(record)

    def _send(self, data: bytes) -> bytes:
        if Fault.VIA_61 in self.faults and data:
            self._pending = data
            return bytes([0x61, len(data) & 0xFF])
        return data + b"\x90\x00"

    def _get_response(self, le: int) -> bytes:
        if not self._pending:
            return b"\x69\x85"  # conditions of use not satisfied: nothing to get
        # A short answer per round, so the driver has to loop over 61xx.
        part, self._pending = (
            self._pending[: min(le or 256, self.chunk)],
            self._pending[self.chunk :],
        )
        if self._pending:
            return part + bytes([0x61, len(self._pending)])
        return part + b"\x90\x00"


class VpcdCard:
    """A virtual card inserted into vpcd's slot: a TCP client of pcscd's vpcd driver."""

    def __init__(
        self,
        card: VirtualSocialSecurityCard,
        host: str = "127.0.0.1",
        port: int = VPCD_PORT,
        pull_after: int | None = None,
    ):
        self.card, self.host, self.port = card, host, port
        self.pull_after = pull_after  # yank the card after this many C-APDUs (mid-read removal)
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def insert(self, timeout: float = 10.0) -> None:
        """Connect to vpcd (retrying until pcscd listens) and serve in a background thread."""
        self._sock = connect_with_retry(self.host, self.port, timeout)
        self._thread = threading.Thread(
            target=self._serve, args=(self._sock,), name="yichuang-vcard", daemon=True
        )
        self._thread.start()

    def remove(self) -> None:
        """Close the connection: vpcd reports the card as removed."""
        sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):  # vpcd may have closed it already
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def _serve(self, sock: socket.socket) -> None:
        # An OSError means remove() or a stopping pcscd closed the socket: the card is out.
        with contextlib.suppress(OSError):
            serve(sock, self.card, self.pull_after)
            sock.shutdown(socket.SHUT_RDWR)  # pulled out mid-read: vpcd sees the socket close


def connect_with_retry(host: str, port: int, timeout: float | None) -> socket.socket:
    """Connect to vpcd, retrying while pcscd is not (yet) listening; None waits forever."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        try:
            return socket.create_connection((host, port), timeout=2)
        except OSError:
            if deadline is not None and time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _recv_exact(sock: socket.socket, n: int) -> bytes | None:
    buf = b""
    while len(buf) < n:
        part = sock.recv(n - len(buf))
        if not part:
            return None
        buf += part
    return buf


def serve(
    sock: socket.socket, card: VirtualSocialSecurityCard, pull_after: int | None = None
) -> None:
    """Answer vpcd until it closes the connection (or `pull_after` C-APDUs were answered)."""
    sock.settimeout(None)
    answered = 0
    while (head := _recv_exact(sock, 2)) is not None:
        payload = _recv_exact(sock, int.from_bytes(head, "big"))
        if payload is None:
            return
        if len(payload) == 1:
            if payload[0] in (0x00, 0x01, 0x02):  # power off / on / reset: no reply
                card.reset()
                continue
            if payload[0] != 0x04:
                continue  # unknown control byte: ignore, as vicc does
            reply = card.atr
        else:
            if answered == pull_after:
                return
            answered += 1
            reply = card.answer(payload)
            log.debug("C-APDU %s -> R-APDU %s", payload.hex(), reply.hex())
        sock.sendall(len(reply).to_bytes(2, "big") + reply)


def main(argv: list[str] | None = None) -> None:
    """Command line: serve one virtual card to vpcd until interrupted."""
    p = argparse.ArgumentParser(
        prog="python -m drivers.sscard.vcard", description=__doc__.split("\n")[0]
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=VPCD_PORT)
    p.add_argument("--fault", action="append", default=[], choices=[f.value for f in Fault])
    d = CardHolder()
    p.add_argument("--name", default=d.name)
    p.add_argument("--id-number", default=d.id_number)
    p.add_argument("--card-number", default=d.card_number)
    p.add_argument("--birth", default=d.birth, help="YYYYMMDD")
    p.add_argument("-v", "--verbose", action="store_true", help="log every APDU")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO)
    holder = CardHolder(
        card_number=args.card_number, id_number=args.id_number, name=args.name, birth=args.birth
    )
    card = VirtualSocialSecurityCard(holder, [Fault(f) for f in args.fault])
    log.info("waiting for vpcd on %s:%d (start pcscd)", args.host, args.port)
    try:
        with connect_with_retry(args.host, args.port, None) as sock:
            log.info("card inserted")
            serve(sock, card)
    except KeyboardInterrupt:
        pass  # Ctrl-C is how a person pulls the card out
    log.info("card removed after %d APDUs", len(card.seen))


if __name__ == "__main__":
    main()
