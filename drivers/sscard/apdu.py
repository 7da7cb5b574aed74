"""The social security card's APDUs (HARDWARE.md section 2) and their parsing, without I/O.

Everything here works on byte strings. The only thing that talks to a card is
the ``transmit`` callable the caller passes in (pyscard in ``reader.py``, the
in-process virtual card for ``sim://sscard``): it takes a C-APDU and returns
the whole R-APDU, data followed by SW1 SW2.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from hall.core import idnumber

from .errors import (
    CardBlocked,
    CardDataError,
    CardStatusError,
    CardUsageError,
    NotSocialSecurityCard,
    VerifyForbidden,
)
from .nation import nation_name

Transmit = Callable[[bytes], bytes]
"""Send one C-APDU, return the R-APDU (data + SW1 SW2)."""

SSSE_AID = b"sx1.sh." + "社会保障".encode("gbk")
SELECT_SSSE = bytes([0x00, 0xA4, 0x04, 0x00, len(SSSE_AID)]) + SSSE_AID
SELECT_EF05 = bytes.fromhex("00A4020002EF05")
SELECT_EF06 = bytes.fromhex("00A4020002EF06")
READ_CARD_NUMBER = bytes.fromhex("00B207040B")  # record 07: "07 09" + 9 ASCII
READ_ID_NUMBER = bytes.fromhex("00B2080014")  # record 08: "08 12" + 18 ASCII
READ_NAME = bytes.fromhex("00B2090020")  # record 09: "09 1E" + 30 GBK, zero-padded
READ_GENDER = bytes.fromhex("00B20A0003")  # record 0A: "0A 01" + 1
READ_NATION = bytes.fromhex("00B20B0003")  # record 0B: "0B 01" + 1 (BCD code)
READ_BIRTH_DATE = bytes.fromhex("00B20D0006")  # record 0D: "0D 04" + BCD YYYYMMDD

SW_OK = 0x9000
INS_GET_RESPONSE = 0xC0
# VERIFY (20/21), CHANGE REFERENCE DATA (24), RESET RETRY COUNTER (2C): each can
# spend one of the citizen's PIN tries. The kiosk only reads public records.
FORBIDDEN_INS = frozenset({0x20, 0x21, 0x24, 0x2C})
_MAX_ROUNDS = 32  # 61xx chains longer than this are a card stuck in a loop


def guard(apdu: bytes) -> bytes:
    """Return `apdu` unchanged, or raise VerifyForbidden for a PIN command."""
    if len(apdu) < 4:
        raise CardUsageError(f"C-APDU too short: {apdu.hex()}")
    if apdu[1] in FORBIDDEN_INS:
        raise VerifyForbidden(f"refusing to send PIN command INS={apdu[1]:02X}")
    return apdu


def split_sw(rapdu: bytes) -> tuple[bytes, int]:
    """Split an R-APDU into (data, status word); garbage if it has no status word."""
    if len(rapdu) < 2:
        raise CardDataError(f"R-APDU without status word: {rapdu.hex() or '(empty)'}")
    return rapdu[:-2], int.from_bytes(rapdu[-2:], "big")


def get_response(length: int) -> bytes:
    """GET RESPONSE for `length` bytes (SW2 of a 61xx; 00 means 256)."""
    return bytes([0x00, INS_GET_RESPONSE, 0x00, 0x00, length & 0xFF])


def with_le(apdu: bytes, le: int) -> bytes:
    """The same short C-APDU with its Le set to `le` (the xx of a 6Cxx; 00 means 256)."""
    le &= 0xFF
    if len(apdu) == 4:  # case 1: no data, no Le
        return apdu + bytes([le])
    if len(apdu) == 5:  # case 2: Le only
        return apdu[:4] + bytes([le])
    lc = apdu[4]
    if lc and len(apdu) == 5 + lc:  # case 3: data, no Le
        return apdu + bytes([le])
    if lc and len(apdu) == 6 + lc:  # case 4: data and Le
        return apdu[:-1] + bytes([le])
    raise CardUsageError(f"not a short C-APDU: {apdu.hex()}")


def transmit_with_retries(transmit: Transmit, apdu: bytes) -> bytes:
    """Send `apdu` and follow the card's 6Cxx / 61xx answers (pyscard does neither).

    6Cxx means "wrong Le, the right one is xx": send the same command again with
    Le=xx. 61xx means "xx more bytes waiting": fetch them with GET RESPONSE,
    repeatedly, concatenating the data. Returns data + final SW1 SW2.
    """
    rapdu = transmit(guard(apdu))
    collected = b""
    for _ in range(_MAX_ROUNDS):
        data, sw = split_sw(rapdu)
        sw1, sw2 = sw >> 8, sw & 0xFF
        if sw1 == 0x6C:
            # The wrong Le concerns the command just sent (the original, or a GET RESPONSE).
            apdu = with_le(apdu, sw2)
            rapdu = transmit(guard(apdu))
        elif sw1 == 0x61:
            collected += data
            apdu = get_response(sw2)
            rapdu = transmit(apdu)
        else:
            return collected + rapdu
    raise CardDataError(f"card kept answering 61xx/6Cxx after {_MAX_ROUNDS} rounds")


def check_sw(sw: int, what: str, *, application: bool = False) -> None:
    """Raise the typed error for a status word other than 9000.

    `what` names the step for logs; `application` marks the SELECT of the SSSE
    application, where "file not found" means "this is not a social security card".
    """
    if sw == SW_OK:
        return
    msg = f"{what}: card answered {sw:04X}"
    if sw in (0x6A82, 0x6A81, 0x6D00, 0x6E00) and application:
        raise NotSocialSecurityCard(msg, sw)
    if sw in (0x6283, 0x6983, 0x6984, 0x6A88) and application:
        raise CardBlocked(msg, sw)
    if sw in (0x6983, 0x6984):
        raise CardBlocked(msg, sw)
    if sw == 0x6982:
        raise CardStatusError(msg, sw, user_message="此社保卡需要密码才能读取，请到窗口人工办理")
    if sw in (0x6A82, 0x6A83):
        raise CardStatusError(msg, sw, user_message="社保卡中缺少必要信息，请到窗口人工办理")
    if sw in (0x6581, 0x6F00):
        raise CardStatusError(msg, sw, user_message="社保卡可能已损坏，请到窗口人工办理")
    raise CardStatusError(msg, sw)


def record_value(data: bytes, tag: int) -> bytes:
    """The value of a record answered as ``tag len value`` (trailing bytes ignored)."""
    if len(data) < 2 or data[0] != tag or len(data) < 2 + data[1]:
        raise CardDataError(f"record {tag:02X}: garbled answer {data.hex() or '(empty)'}")
    return data[2 : 2 + data[1]]


def _ascii(value: bytes, what: str) -> str:
    try:
        return value.rstrip(b"\x00 ").decode("ascii")
    except UnicodeDecodeError as e:
        raise CardDataError(f"{what} is not ASCII: {value.hex()}") from e


def parse_card_number(data: bytes) -> str:
    """Record 07: the card number, 9 ASCII characters (e.g. ``A01234567``)."""
    number = _ascii(record_value(data, 0x07), "card number")
    if not (number.isascii() and number.isalnum()):
        raise CardDataError(f"card number has unexpected characters: {number!r}")
    return number


def parse_id_number(data: bytes) -> str:
    """Record 08: the social security number, as long as the card holds it.

    For citizens it is the 18-character ID number (checked as one, check digit and
    all); foreigners' cards hold a permanent-residence number (15 or 18 characters)
    or another number of the issuing bureau's making: letters and digits, any length.
    The Le of ``READ_ID_NUMBER`` only asks for 18; a card with more answers 6Cxx and
    ``transmit_with_retries`` asks again.
    """
    text = _ascii(record_value(data, 0x08), "social security number").strip().upper()
    try:
        return idnumber.validate_document(text, idnumber.document_type_of(text))
    except idnumber.InvalidIdNumber as e:
        raise CardDataError(
            f"social security number invalid: {e}",
            user_message="社保卡中的身份证号码无效，请到窗口人工办理",
        ) from e


def parse_name(data: bytes) -> str:
    """Record 09: the name, 30 bytes GBK padded with zeros (decoded as GB18030, its superset)."""
    raw = record_value(data, 0x09).rstrip(b"\x00\xff ")
    try:
        name = raw.decode("gb18030").strip()
    except UnicodeDecodeError as e:
        raise CardDataError(f"name is not GBK: {raw.hex()}") from e
    if not name or not name.isprintable():
        raise CardDataError(f"name empty or unprintable: {raw.hex()}")
    return name


def parse_gender(data: bytes) -> str:
    """Record 0A: GB/T 2261.1 code as ASCII or binary (1 male, 2 female); "" otherwise."""
    value = record_value(data, 0x0A)
    code = value[:1]
    return {b"1": "男", b"\x01": "男", b"2": "女", b"\x02": "女"}.get(code, "")


def parse_nation(data: bytes) -> str:
    """Record 0B: GB/T 3304 code, one BCD byte (``01`` = 汉); "" when unknown."""
    value = record_value(data, 0x0B)
    digits = value.hex() if len(value) == 1 else _ascii(value, "nation")
    return nation_name(int(digits)) if digits.isdigit() else ""


def parse_birth_date(data: bytes) -> date:
    """Record 0D: birth date, 4 bytes BCD ``YYYYMMDD``."""
    digits = record_value(data, 0x0D).hex()
    try:
        if len(digits) != 8 or not digits.isdigit():
            raise ValueError(digits)
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError as e:
        raise CardDataError(f"birth date is not BCD YYYYMMDD: {digits}") from e
