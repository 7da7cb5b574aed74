"""A strict test-side ESC/POS reader: bytes a printer received → lines, QR codes, cuts.

It knows only the commands our driver may send and fails on anything else,
so a stray byte in a ticket shows up as a test failure, not as garbage on
paper. Independent of drivers.printer on purpose: it checks the encoder
instead of mirroring it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ALIGN = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}


class ParseError(ValueError):
    """The bytes are not what our driver should ever send."""


@dataclass(frozen=True)
class Line:
    text: str
    align: str
    width: int  # character magnification
    height: int
    bold: bool
    chinese_mode: bool


@dataclass(frozen=True)
class QrCode:
    payload: str
    module_dots: int
    error_level: str  # L M Q H
    model: int
    align: str


@dataclass(frozen=True)
class Feed:
    lines: int


@dataclass(frozen=True)
class Cut:
    partial: bool


@dataclass(frozen=True)
class StatusQuery:
    n: int


@dataclass(frozen=True)
class TransmitStatus:
    n: int


@dataclass(frozen=True)
class Recover:
    n: int


@dataclass(frozen=True)
class ClearBuffers:
    pass


Event = Line | QrCode | Feed | Cut | StatusQuery | TransmitStatus | Recover | ClearBuffers


@dataclass
class Parsed:
    """Everything found, in order."""

    events: list[Event] = field(default_factory=list)

    @property
    def lines(self) -> list[Line]:
        return [e for e in self.events if isinstance(e, Line)]

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def qr_codes(self) -> list[QrCode]:
        return [e for e in self.events if isinstance(e, QrCode)]

    @property
    def cuts(self) -> list[Cut]:
        return [e for e in self.events if isinstance(e, Cut)]

    @property
    def printed(self) -> list[Event]:
        """What reached the paper: everything except status requests and buffer clears."""
        control = (StatusQuery, TransmitStatus, Recover, ClearBuffers)
        return [e for e in self.events if not isinstance(e, control)]


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.i = data, 0

    def take(self, n: int) -> bytes:
        if self.i + n > len(self.data):
            raise ParseError(f"truncated command at byte {self.i}")
        chunk = self.data[self.i : self.i + n]
        self.i += n
        return chunk

    def byte(self) -> int:
        return self.take(1)[0]


def parse(data: bytes) -> Parsed:
    """Decode a byte stream; raise ParseError on anything unexpected."""
    out = Parsed()
    r = _Reader(data)
    align, width, height, bold, chinese = "left", 1, 1, False, False
    qr: dict[str, int | bytes] = {}
    text = bytearray()

    def style_change() -> None:
        if text:
            raise ParseError(f"style changed in the middle of a line at byte {r.i}: {text!r}")

    while r.i < len(data):
        b = r.byte()
        if b == 0x0A:
            try:
                decoded = bytes(text).decode("gb18030")
            except UnicodeDecodeError as e:
                raise ParseError(f"text is not GB18030: {bytes(text)!r}") from e
            out.events.append(Line(decoded, align, width, height, bold, chinese))
            text.clear()
        elif b >= 0x20:
            text.append(b)
        elif b == 0x10:
            cmd = r.byte()
            if cmd == 0x04:  # DLE EOT n
                out.events.append(StatusQuery(r.byte()))
            elif cmd == 0x05:  # DLE ENQ n
                out.events.append(Recover(r.byte()))
            elif cmd == 0x14:  # DLE DC4 fn=8: clear buffers
                if r.take(8) != bytes.fromhex("08 01 03 14 01 06 02 08"):
                    raise ParseError(f"unknown DLE DC4 at byte {r.i}")
                out.events.append(ClearBuffers())
            else:
                raise ParseError(f"unknown DLE 0x{cmd:02x} at byte {r.i}")
        elif b == 0x1B:
            cmd = r.byte()
            style_change()
            if cmd == 0x40:  # ESC @
                align, width, height, bold, chinese = "left", 1, 1, False, False
            elif cmd == 0x61:  # ESC a
                align = ALIGN[r.byte()]
            elif cmd == 0x45:  # ESC E
                bold = bool(r.byte() & 1)
            elif cmd == 0x64:  # ESC d
                out.events.append(Feed(r.byte()))
            else:
                raise ParseError(f"unknown ESC 0x{cmd:02x}")
        elif b == 0x1C:
            cmd = r.byte()
            style_change()
            if cmd == 0x26:  # FS &
                chinese = True
            elif cmd == 0x2E:  # FS .
                chinese = False
            else:
                raise ParseError(f"unknown FS 0x{cmd:02x}")
        elif b == 0x1D:
            cmd = r.byte()
            style_change()
            if cmd == 0x21:  # GS !
                n = r.byte()
                width, height = (n >> 4) + 1, (n & 0x0F) + 1
            elif cmd == 0x72:  # GS r n: transmit status
                out.events.append(TransmitStatus(r.byte()))
            elif cmd == 0x56:  # GS V
                m = r.byte()
                if m in (65, 66):
                    r.byte()
                out.events.append(Cut(partial=m in (1, 49, 66)))
            elif cmd == 0x28:  # GS ( k
                if r.byte() != 0x6B:
                    raise ParseError("only GS ( k is expected")
                n = int.from_bytes(r.take(2), "little")
                body = r.take(n)
                cn, fn, params = body[0], body[1], body[2:]
                if cn != 49:
                    raise ParseError(f"2D code type {cn} is not QR")
                if fn == 65:
                    qr["model"] = params[0] - 48
                elif fn == 67:
                    qr["size"] = params[0]
                elif fn == 69:
                    qr["ec"] = params[0] - 48
                elif fn == 80:
                    qr["data"] = params[1:]
                elif fn == 81:
                    stored = qr.get("data")
                    if not isinstance(stored, bytes):
                        raise ParseError("QR print without stored data")
                    out.events.append(
                        QrCode(stored.decode("utf-8"), int(qr.get("size", 3)),
                               "LMQH"[int(qr.get("ec", 0))], int(qr.get("model", 2)), align)
                    )  # fmt: skip
                else:
                    raise ParseError(f"unknown QR function {fn}")
            else:
                raise ParseError(f"unknown GS 0x{cmd:02x}")
        else:
            raise ParseError(f"unexpected control byte 0x{b:02x} at {r.i - 1}")
    if text:
        raise ParseError(f"text without a line feed at the end: {bytes(text)!r}")
    return out
