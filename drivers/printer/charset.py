"""What a printer's font can print: every string is checked against it before it is sent.

Many ticket printers' font ROMs hold GB2312 only: a GB18030-only character such as
the en dash of "约10–20分钟" prints as garbage there (HARDWARE.md, python-escpos
#269 and #491). ``printable(text, charset)`` keeps what the font holds and puts a
safe equivalent in place of the rest: a look-alike the font has ("-" for "–",
"―" for "—", "・" for "·"), the compatibility form (NFKC: "ｱ" → "ア", "ﬁ" → "fi"),
else "?". Pure functions.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Final

CHARSETS: Final = ("gb2312", "gb18030")
DEFAULT_CHARSET: Final = "gb2312"

# Look-alikes a GB2312 font holds, for characters it does not. Python's gb2312 codec maps
# GB2312 A1AA to U+2015 and A1A4 to U+30FB, so those stand for the em dash and middle dot.
SUBSTITUTES: Final = {
    "\u2013": "-",  # – en dash
    "\u2012": "-",  # ‒ figure dash
    "\u2010": "-",  # ‐ hyphen
    "\u2011": "-",  # ‑ non-breaking hyphen
    "\u2212": "-",  # − minus
    "\u2014": "\u2015",  # — em dash -> ― (GB2312 A1AA)
    "\u00b7": "\u30fb",  # · middle dot -> ・ (GB2312 A1A4)
    "\u2022": "\u30fb",  # • bullet
    "\u00a0": " ",  # no-break space
    "\u3007": "零",  # 〇 (GBK only) in dates like 二〇二四
    "\u00a5": "\uffe5",  # ¥ -> ￥ (full width, GB2312 A3A4)
    "\u20ac": "EUR",
    "\u2122": "TM",
    "\u00ae": "(R)",
    "\u00a9": "(C)",
    "\u201a": ",",
    "\u201e": "\u201c",
}
FALLBACK: Final = "?"


@lru_cache(maxsize=4096)
def _fits(char: str, charset: str) -> bool:
    try:
        char.encode(charset)
    except UnicodeEncodeError:
        return False
    return True


def _equivalent(char: str, charset: str) -> str:
    sub = SUBSTITUTES.get(char)
    if sub is not None and all(_fits(c, charset) for c in sub):
        return sub
    nfkc = unicodedata.normalize("NFKC", char)
    if nfkc != char and nfkc and all(_fits(c, charset) for c in nfkc):
        return nfkc
    if unicodedata.category(char) in ("Cf", "Mn", "Me"):  # joiners, variation selectors
        return ""
    return FALLBACK


def check_charset(charset: str) -> str:
    """The charset name, lower-case; ValueError unless the printer driver knows it."""
    name = charset.strip().lower().replace("-", "")
    if name not in CHARSETS:
        raise ValueError(f"printer charset must be one of {', '.join(CHARSETS)}, not {charset!r}")
    return name


def printable(text: str, charset: str = DEFAULT_CHARSET) -> str:
    """`text` with every character the printer's font lacks replaced by a safe equivalent."""
    charset = check_charset(charset)
    if _fits_all(text, charset):
        return text
    return "".join(c if _fits(c, charset) else _equivalent(c, charset) for c in text)


def _fits_all(text: str, charset: str) -> bool:
    try:
        text.encode(charset)
    except UnicodeEncodeError:
        return False
    return True


def unprintable(text: str, charset: str = DEFAULT_CHARSET) -> list[str]:
    """The characters of `text` the font lacks (for checks and logs)."""
    charset = check_charset(charset)
    return [c for c in text if not _fits(c, charset)]


def encode(text: str, charset: str = DEFAULT_CHARSET) -> bytes:
    """The bytes to send for `text`, in the font's own encoding.

    GB2312's bytes are GB18030's, but Python's codecs map two of them to different
    code points (A1A4 is U+30FB in gb2312, U+00B7 in gb18030): encode with the font's.
    """
    charset = check_charset(charset)
    return printable(text, charset).encode(charset)
