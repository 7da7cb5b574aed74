"""Resident ID numbers (GB 11643-1999): check digit, birth date, privacy.

Pure functions. An ID number never leaves the process in clear: the hall
keeps a keyed hash (to match appointments and enforce per-person limits)
and a masked form for clerks (DESIGN.md section 6).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_DIGITS = frozenset("0123456789")  # not str.isdigit: that takes １２３, ² and ١٢٣ too


class InvalidIdNumber(ValueError):
    """The string is not a valid 18-character resident ID number."""


def check_digit(first17: str) -> str:
    """The check character for the first 17 digits of an ID number."""
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def validate(id_number: str) -> str:
    """Return the normalised ID number (upper-case X) or raise InvalidIdNumber."""
    s = id_number.strip().upper()
    if len(s) != 18:
        raise InvalidIdNumber(f"身份证号码应为18位，实际为{len(s)}位")
    if not _DIGITS.issuperset(s[:17]) or not (s[17] in _DIGITS or s[17] == "X"):
        raise InvalidIdNumber(
            "身份证号码只能由数字0-9组成（最后一位可为X），请勿使用全角或其他字符"
        )
    if check_digit(s[:17]) != s[17]:
        raise InvalidIdNumber("身份证号码校验位错误")
    birth_date(s)
    return s


def birth_date(id_number: str) -> date:
    """The birth date encoded in characters 7-14 of an ID number."""
    s = id_number.strip()
    try:
        return date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError as e:
        raise InvalidIdNumber("身份证号码中的出生日期无效") from e


def age_on(born: date, day: date) -> int:
    """Whole years of age on `day`."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def person_hash(secret: bytes, id_number: str) -> str:
    """Keyed hash (HMAC-SHA256, hex) of a normalised ID number with the hall's secret."""
    return hmac.new(secret, id_number.strip().upper().encode("ascii"), hashlib.sha256).hexdigest()


def mask_id(id_number: str) -> str:
    """`500101199001011234` -> `5001**********1234`."""
    s = id_number.strip()
    if len(s) <= 8:
        return "*" * len(s)
    return s[:4] + "*" * (len(s) - 8) + s[-4:]


_LONG_NUMBER = re.compile(r"(?<![0-9])[0-9]{14,17}[0-9Xx](?![0-9A-Za-z])")


def mask_numbers(text: str) -> str:
    """Every run of 15–18 digits (an ID number's shape, X for the last) masked as
    `mask_id` does: for texts that echo what a device sent (an error message), which may
    be an ID number sent in the wrong field."""
    return _LONG_NUMBER.sub(lambda m: mask_id(m.group(0)), text)


def mask_name(name: str) -> str:
    """`张三` -> `张*`, `张小三` -> `张*三`, `欧阳小明` -> `欧**明`."""
    n = name.strip()
    if len(n) <= 1:
        return n
    if len(n) == 2:
        return n[0] + "*"
    return n[0] + "*" * (len(n) - 2) + n[-1]


def make_id_number(first17: str) -> str:
    """Complete 17 digits with their check character (for simulators and tests)."""
    return first17 + check_digit(first17)
