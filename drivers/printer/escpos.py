"""ESC/POS protocol, no I/O: print operations to bytes, status bytes to Health.

We encode text ourselves as GB18030 and send it raw, instead of using
python-escpos' ``text()``: its code-page guessing turns full-width
punctuation without hanzi into "?" (python-escpos #491).
"""

from __future__ import annotations

import enum

from drivers.base import Health, HealthState
from drivers.printer.layout import QR, Cut, Feed, Op, Text

ESC, GS, FS, DLE, EOT, LF = b"\x1b", b"\x1d", b"\x1c", b"\x10", b"\x04", b"\n"

INIT = ESC + b"@"
CHINESE_MODE = FS + b"&"  # needed by Chinese-font models; harmless on others
CUT = ESC + b"d\x06" + GS + b"V\x00"  # feed 6 lines past the cutter, full cut
STATUS_ONLINE = DLE + EOT + b"\x01"  # DLE EOT 1: printer status
STATUS_PAPER = DLE + EOT + b"\x04"  # DLE EOT 4: roll paper sensor status

_ALIGN = {"left": 0, "center": 1, "right": 2}
QR_ERROR_LEVEL_M = 1


def _qr_command(fn: int, params: bytes) -> bytes:
    """``GS ( k pL pH cn=49 fn params`` (cn 49 = QR code)."""
    n = len(params) + 2
    return GS + b"(k" + bytes([n & 0xFF, n >> 8, 49, fn]) + params


def encode_qr(payload: str, module_dots: int, error_level: int = QR_ERROR_LEVEL_M) -> bytes:
    """Native QR: select model 2, module size, error level, store the data, print it."""
    data = payload.encode("utf-8")
    if not 1 <= module_dots <= 16:
        raise ValueError(f"QR module size must be 1..16 dots, got {module_dots}")
    if len(data) > 7089:
        raise ValueError("QR payload too long")
    return (
        _qr_command(65, b"\x32\x00")  # fn 65 'A': model 2
        + _qr_command(67, bytes([module_dots]))  # fn 67 'C': module size
        + _qr_command(69, bytes([48 + error_level]))  # fn 69 'E': error correction
        + _qr_command(80, b"\x30" + data)  # fn 80 'P': store in symbol area
        + _qr_command(81, b"\x30")  # fn 81 'Q': print the stored symbol
    )


def encode_text(line: Text) -> bytes:
    """One line of text with its alignment, size and weight, then a line feed."""
    if not 1 <= line.scale <= 8:
        raise ValueError(f"text scale must be 1..8, got {line.scale}")
    size = ((line.scale - 1) << 4) | (line.scale - 1)
    return (
        ESC + b"a" + bytes([_ALIGN[line.align]])
        + GS + b"!" + bytes([size])
        + ESC + b"E" + bytes([1 if line.bold else 0])
        + line.text.encode("gb18030", errors="replace")
        + LF
    )  # fmt: skip


def encode_ops(ops: list[Op], *, chinese_mode: bool = True) -> bytes:
    """The whole ticket as one ESC/POS byte string, starting from a reset printer."""
    out = bytearray(INIT)
    if chinese_mode:
        out += CHINESE_MODE
    for op in ops:
        match op:
            case Text():
                out += encode_text(op)
            case QR():
                # No LF after it: the symbol feeds its own height, an LF would add a blank line.
                out += ESC + b"a\x01" + encode_qr(op.payload, op.module_dots)
            case Feed():
                out += ESC + b"d" + bytes([max(0, min(op.lines, 255))])
            case Cut():
                out += CUT
    # Leave the printer in its default state for whoever prints next.
    out += ESC + b"a\x00" + GS + b"!\x00" + ESC + b"E\x00"
    return bytes(out)


class PaperState(enum.Enum):
    """What the paper sensors say."""

    OK = "ok"
    LOW = "low"
    OUT = "out"


class BadStatus(ValueError):
    """The printer answered a status query with a byte that is not a status byte."""


def _check(byte: int) -> int:
    # Real-time status bytes have fixed bits: bit 1 and bit 4 set, bits 0 and 7 clear.
    if byte & 0x93 != 0x12:
        raise BadStatus(f"not an ESC/POS status byte: 0x{byte:02x}")
    return byte


def decode_online(byte: int) -> bool:
    """DLE EOT 1 reply: True when the printer is online (bit 3 clear)."""
    return not _check(byte) & 0x08


def decode_paper(byte: int) -> PaperState:
    """DLE EOT 4 reply: bits 5–6 paper out, bits 2–3 paper near end."""
    _check(byte)
    if byte & 0x60:
        return PaperState.OUT
    if byte & 0x0C:
        return PaperState.LOW
    return PaperState.OK


def health_of(online: bool, paper: PaperState) -> Health:
    """The Health a kiosk shows for decoded status answers."""
    # Paper out usually also takes the printer offline; "缺纸" is the more useful reason.
    if paper is PaperState.OUT:
        return Health(HealthState.OFFLINE, "打印机缺纸", "paper_out")
    if not online:
        return Health(HealthState.OFFLINE, "打印机离线（可能开盖或故障）", "offline")
    if paper is PaperState.LOW:
        return Health(HealthState.DEGRADED, "打印纸将用完，请及时换纸", "paper_low")
    return Health(HealthState.OK, "打印机正常", "ok")
