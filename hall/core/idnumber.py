"""Identity document numbers: resident ID numbers (GB 11643-1999) and the other cards a
GA 467 reader returns; check digits, birth dates, privacy.

Pure functions. An ID number never leaves the process in clear: the hall
keeps a keyed hash (to match appointments and enforce per-person limits)
and a masked form for clerks (DESIGN.md section 6).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date
from typing import Final

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


#: an ID number's shape: a run of 15–18 digits (X last), letters before or after it
#: or not, or 18 written in groups (110105 19491231 002X, 110105-1949-1231-002X). A
#: longer run of digits is not one.
_LONG_NUMBER = re.compile(
    r"(?<![0-9])(?:[0-9]{14,17}[0-9Xx]|[0-9]{6}[ -]?[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{3}[0-9Xx])"
    r"(?![0-9])"
)


def mask_numbers(text: str) -> str:
    """Every run of 15–18 digits (an ID number's shape, X for the last) masked as
    `mask_id` does: for texts that echo what a device sent (an error message), which may
    be an ID number sent in the wrong field."""
    return _LONG_NUMBER.sub(lambda m: mask_id(m.group(0)), text)


def holds_number(text: str) -> bool:
    """Whether `text` holds a run of 15–18 digits (an ID number's shape): refused where
    only a staff number or a name belongs, which is kept in clear."""
    return _LONG_NUMBER.search(text) is not None


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


# ------------------------------------------------------------------ document types

RESIDENT: Final = "resident"  # 居民身份证
HMT_PERMIT: Final = "hmt_permit"  # 港澳台居民居住证 (card type 'J')
FOREIGN_2017: Final = "foreign_2017"  # 外国人永久居留身份证 2017 版 (card type 'I')
FOREIGN_2023: Final = "foreign_2023"  # 外国人永久居留身份证 2023 版 (card type 'Y')
SOCIAL_SECURITY: Final = "social_security"  # 社会保障号码 other than an 18-digit ID number

#: Document type -> (Chinese name, English name), for screens and logs.
DOCUMENT_TYPES: Final = {
    RESIDENT: ("居民身份证", "resident ID card"),
    HMT_PERMIT: ("港澳台居民居住证", "residence permit for HK/Macao/Taiwan residents"),
    FOREIGN_2017: ("外国人永久居留身份证", "foreign permanent resident ID card (2017)"),
    FOREIGN_2023: ("外国人永久居留身份证", "foreign permanent resident ID card (2023)"),
    SOCIAL_SECURITY: ("社会保障卡", "social security card"),
}

# 2017 card: 3 Latin letters (country) + 12 digits. The 2023 card: 18 characters,
# first "9", then the province of issue (2) and the nationality code (3), the birth date in
# characters 7-14, a sequence (3) and a check digit by the same MOD 11-2 as GB 11643 ("新版外国人永久居留身份证
# 机读信息规则（2023版）", National Immigration Administration, as republished by
# reader vendors). HK/Macao/Taiwan permits: GB 11643 numbers with address code
# 810000 / 820000 / 830000.
_FOREIGN_2017 = re.compile(r"^[A-Z]{3}[0-9]{12}$")
_HMT_PREFIXES = ("81", "82", "83")
# A social security number that is not an ID number (foreigners: passport-based or
# permanent-residence numbers): letters and digits only; the length is whatever the card holds.
_SS_NUMBER = re.compile(r"^[0-9A-Z]{1,40}$")


def document_type_of(number: str) -> str:
    """The document type a number's form implies (for a card that did not say)."""
    s = number.strip().upper()
    if _FOREIGN_2017.match(s):
        return FOREIGN_2017
    if len(s) == 18 and s[:1] == "9":
        return FOREIGN_2023
    if len(s) == 18 and s[:2] in _HMT_PREFIXES:
        return HMT_PERMIT
    if len(s) == 18:
        return RESIDENT
    return SOCIAL_SECURITY


def validate_document(number: str, doc_type: str) -> str:
    """The normalised number of a document of `doc_type`, or InvalidIdNumber saying why."""
    s = number.strip().upper()
    if doc_type not in DOCUMENT_TYPES:
        raise InvalidIdNumber(f"未知的证件类型 / unknown document type {doc_type[:20]!r}")
    if doc_type == FOREIGN_2017:
        if not _FOREIGN_2017.match(s):
            raise InvalidIdNumber("外国人永久居留身份证号码应为3位字母加12位数字")
        return s
    if doc_type == SOCIAL_SECURITY:
        if not _SS_NUMBER.match(s):
            raise InvalidIdNumber("社会保障号码只能由字母和数字组成")
        return s
    if doc_type == FOREIGN_2023:
        if len(s) != 18 or s[0] != "9":
            raise InvalidIdNumber("外国人永久居留身份证号码应为以9开头的18位号码")
        if not _DIGITS.issuperset(s[:17]) or not (s[17] in _DIGITS or s[17] == "X"):
            raise InvalidIdNumber("证件号码只能由数字0-9组成（最后一位可为X）")
        if check_digit(s[:17]) != s[17]:
            raise InvalidIdNumber("证件号码校验位错误")
        birth_date(s)
        return s
    s = validate(s)
    if doc_type == HMT_PERMIT and s[:2] not in _HMT_PREFIXES:
        raise InvalidIdNumber("港澳台居民居住证号码应以81、82或83开头")
    if doc_type == RESIDENT and s[0] == "9":
        raise InvalidIdNumber("以9开头的号码不是居民身份证号码")
    return s


def birth_in_number(doc_type: str) -> bool:
    """Whether numbers of this document type carry the birth date in characters 7-14."""
    return doc_type in (RESIDENT, HMT_PERMIT, FOREIGN_2023)
