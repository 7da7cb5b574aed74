"""GA 467 SAM serial protocol: frames, commands, replies and status codes. No I/O.

Frame: ``AA AA AA 96 69 | LEN_H LEN_L | payload | CHK`` where LEN counts the
payload plus CHK and CHK is the XOR of LEN_H..last payload byte. The host
sends ``CMD PARA``; the reader answers ``00 00 SW3 [data]``. See
HARDWARE.md section 1. The text block codec lives in ``textblock`` and is
re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.idcard.errors import (
    BadChecksum,
    CardDataError,
    CardNotReadable,
    CardRejected,
    LocalProtocolError,
    NoCard,
    ReaderFault,
    ReaderStatusError,
    RemoteProtocolError,
)
from drivers.idcard.textblock import TEXT_LEN, decode_text, encode_text

__all__ = [
    "CMD_FIND",
    "CMD_READ",
    "CMD_SAM_ID",
    "CMD_SAM_RESET",
    "CMD_SAM_STATUS",
    "CMD_SELECT",
    "COMMAND_NAMES",
    "PREAMBLE",
    "STATUSES",
    "STATUS_CARD_FOUND",
    "STATUS_NO_CARD",
    "STATUS_OK",
    "TEXT_LEN",
    "FrameParser",
    "Reply",
    "build_frame",
    "build_reply",
    "checksum",
    "decode_text",
    "encode_text",
    "parse_command",
    "parse_read_data",
    "parse_reply",
    "status_error",
]

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
HEADER_LEN = len(PREAMBLE) + 2
# The longest reply we know is text+photo (LEN 0x0508); anything far beyond
# that is a false preamble inside garbage, and waiting for it would stall.
MAX_LEN = 0x0A00

CMD_SAM_RESET = b"\x10\xff"  # unconfirmed on real modules (HARDWARE.md)
CMD_SAM_STATUS = b"\x11\xff"
CMD_SAM_ID = b"\x12\xff"
CMD_FIND = b"\x20\x01"
CMD_SELECT = b"\x20\x02"
CMD_READ = b"\x30\x01"
COMMAND_NAMES = {
    CMD_SAM_RESET: "sam_reset",
    CMD_SAM_STATUS: "sam_status",
    CMD_SAM_ID: "sam_id",
    CMD_FIND: "find",
    CMD_SELECT: "select",
    CMD_READ: "read",
}

STATUS_OK = 0x90
STATUS_CARD_FOUND = 0x9F
STATUS_NO_CARD = 0x80

# SW3 -> (error class, what happened, what the citizen should do).
STATUSES: dict[int, tuple[type[ReaderStatusError], str, str]] = {
    0x10: (ReaderFault, "reader got a frame with a bad checksum", "读卡器通信异常，请重试"),
    0x11: (ReaderFault, "reader got a frame with a bad length", "读卡器通信异常，请重试"),
    0x21: (ReaderFault, "reader rejected the command", "读卡器通信异常，请联系工作人员"),
    0x23: (ReaderFault, "operation not authorised", "读卡器未授权，请联系工作人员"),
    0x24: (ReaderFault, "reader reported an unknown error", "读卡器出现未知错误，请重试"),
    0x31: (CardRejected, "card failed to authenticate the SAM", "身份证验证失败，请重新放置"),
    0x32: (CardRejected, "SAM failed to authenticate the card", "无法验证此身份证，请放置有效证件"),
    0x33: (CardRejected, "validation error", "身份证验证出错，请重新放置"),
    0x40: (CardRejected, "unknown card type", "无法识别此卡，请放置居民身份证"),
    0x41: (CardNotReadable, "read failed", "读卡失败，请将身份证重新放置在感应区"),
    0x47: (CardNotReadable, "random number failed", "读卡失败，请将身份证重新放置在感应区"),
    0x60: (ReaderFault, "SAM self-test failed", "读卡器安全模块自检失败，请联系工作人员"),
    0x66: (ReaderFault, "SAM not authorised", "读卡器安全模块未授权，请联系工作人员"),
    0x80: (NoCard, "no card found", "未检测到身份证，请将身份证放在感应区"),
    0x81: (CardNotReadable, "card select failed", "选卡失败，请将身份证重新放置在感应区"),
    0x91: (CardNotReadable, "no such content on the card", "身份证中没有所需信息，请联系工作人员"),
}


def checksum(data: bytes) -> int:
    """XOR of every byte (the frame checksum over LEN_H..last payload byte)."""
    c = 0
    for b in data:
        c ^= b
    return c


def build_frame(body: bytes) -> bytes:
    """Wrap a payload in preamble, big-endian length and checksum."""
    if not body or len(body) + 1 > MAX_LEN:
        raise LocalProtocolError(f"payload of {len(body)} bytes cannot be framed")
    n = (len(body) + 1).to_bytes(2, "big")
    return PREAMBLE + n + body + bytes([checksum(n + body)])


def build_reply(status: int, data: bytes = b"") -> bytes:
    """A reader->host frame: ``00 00 SW3 data`` (the simulator's side)."""
    return build_frame(bytes([0, 0, status]) + data)


@dataclass(frozen=True)
class Reply:
    """A reader reply: status byte SW3 and the data after it."""

    status: int
    data: bytes = b""


def parse_reply(body: bytes) -> Reply:
    """Split a reader->host payload into status and data."""
    if len(body) < 3 or body[0] != 0 or body[1] != 0:
        raise RemoteProtocolError(f"malformed reply payload {body[:8].hex(' ')}")
    return Reply(body[2], bytes(body[3:]))


def parse_command(body: bytes) -> bytes:
    """The ``CMD PARA`` pair of a host->reader payload (the simulator's side)."""
    if len(body) != 2:
        raise RemoteProtocolError(f"command payload must be 2 bytes, got {len(body)}")
    return bytes(body)


def status_error(status: int, doing: str = "") -> ReaderStatusError:
    """The typed error for a status SW3 that is not the one `doing` needed.

    Unknown codes, and success codes where another was expected (90 to a
    find), are reader faults: the reader is not behaving as documented.
    """
    prefix = f"{doing}: " if doing else ""
    if status in STATUSES:
        cls, what, user = STATUSES[status]
    else:
        cls, what, user = ReaderFault, "unexpected status", "读卡器返回未知状态，请联系工作人员"
    return cls(f"{prefix}{what} (SW3={status:02X})", status=status, user_message=user)


def parse_read_data(data: bytes) -> bytes:
    """The 256-byte text block out of a read reply's data; the photo is dropped here."""
    if len(data) < 4:
        raise CardDataError(f"read reply too short ({len(data)} bytes)")
    text_len = int.from_bytes(data[0:2], "big")
    photo_len = int.from_bytes(data[2:4], "big")
    if text_len != TEXT_LEN or len(data) < 4 + text_len + photo_len:
        raise CardDataError(
            f"read reply announces text {text_len} + photo {photo_len} bytes, has {len(data) - 4}"
        )
    return bytes(data[4 : 4 + text_len])


class FrameParser:
    """Streaming frame parser: feed bytes as they come, take whole payloads out.

    Skips garbage until a preamble, waits for split frames, and treats an
    implausible length as a false preamble. A whole frame with a bad checksum
    is dropped and reported with ``BadChecksum`` unless another preamble starts
    inside it (then the first one was garbage and parsing resumes there).
    """

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> None:
        """Append received bytes."""
        self._buf += data

    def clear(self) -> None:
        """Forget everything buffered (before a new command: stale bytes are not its reply)."""
        self._buf.clear()

    def needed(self) -> int:
        """A lower bound on how many more bytes the next frame needs (at least 1)."""
        buf = self._buf
        if len(buf) >= HEADER_LEN and buf.startswith(PREAMBLE):
            total = HEADER_LEN + int.from_bytes(buf[5:7], "big")
            return max(1, total - len(buf))
        # The shortest frame (empty reply is 10 bytes) is longer than a header.
        return max(1, HEADER_LEN - len(buf))

    def next_payload(self) -> bytes | None:
        """The next whole frame's payload, or None until more bytes arrive."""
        buf = self._buf
        while True:
            i = buf.find(PREAMBLE)
            if i < 0:
                # Keep a tail that may be the start of a preamble split across reads.
                del buf[: max(0, len(buf) - (len(PREAMBLE) - 1))]
                return None
            del buf[:i]
            if len(buf) < HEADER_LEN:
                return None
            n = int.from_bytes(buf[5:7], "big")
            if n < 2 or n > MAX_LEN:
                del buf[:1]
                continue
            if len(buf) < HEADER_LEN + n:
                return None
            frame = bytes(buf[: HEADER_LEN + n])
            if checksum(frame[5:-1]) == frame[-1]:
                del buf[: HEADER_LEN + n]
                return frame[HEADER_LEN:-1]
            inner = frame.find(PREAMBLE, 1)
            if inner > 0:
                del buf[:inner]
                continue
            del buf[: HEADER_LEN + n]
            raise BadChecksum(f"frame checksum {frame[-1]:02X} != {checksum(frame[5:-1]):02X}")
