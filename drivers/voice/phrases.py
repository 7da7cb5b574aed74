"""What the hall says when a ticket is called: pure functions, no audio, no I/O.

A call becomes a :class:`Phrase`: a sequence of *words*, each one recorded clip
name (``"请"``, ``"A"``, ``"0"``, ``"窗口"`` ...). The same words give the pinyin
that espeak-ng's ``cmn-latn-pinyin`` voice reads, and the clip list that
:class:`~drivers.voice.engines.ClipEngine` joins, so both engines say exactly
the same thing. Ticket letters and digits are read one by one ("A 零 二 三");
window numbers are read as numbers ("12号窗口" is 十二). Each phrase is said
twice, as halls do, so a citizen who missed the start hears it again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from drivers.base import DriverError

LANGS = ("zh", "en")
TICKET_RE = re.compile(r"[A-Z]{0,3}[0-9]{1,5}")
MAX_WINDOW = 999

_DIGITS_PINYIN = ["ling2", "yi1", "er4", "san1", "si4", "wu3", "liu4", "qi1", "ba1", "jiu3"]
_LETTERS = [chr(c) for c in range(ord("A"), ord("Z") + 1)]

# clip name -> pinyin. Upper-case letters are read as letter names by the
# cmn-latn-pinyin voice ("A" -> ei); lower-case would be read as pinyin.
VOCAB_ZH: dict[str, str] = {
    "请": "qing3",
    "号": "hao4",
    "到": "dao4",
    "窗口": "chuang1 kou3",
    "楼": "lou2",
    "办理": "ban4 li3",
    "再次呼叫": "zai4 ci4 hu1 jiao4",
    "十": "shi2",
    "百": "bai3",
    **{str(d): p for d, p in enumerate(_DIGITS_PINYIN)},
    **{c: c for c in _LETTERS},
}

_EN_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_EN_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]

# clip name -> espeak-ng SSML for the English voice. A bare "A" is read as the
# article ("uh"), so letters are spelled with say-as.
VOCAB_EN: dict[str, str] = {
    "repeat": "Repeat,",
    "number": "Number",
    "please go to window": ", please go to window",
    "on floor": "on floor",
    "hundred": "hundred",
    **{w: w for w in _EN_ONES + _EN_TENS},
    **{c: f'<say-as interpret-as="characters">{c}</say-as>' for c in _LETTERS},
}

VOCAB = {"zh": VOCAB_ZH, "en": VOCAB_EN}


class InvalidCall(DriverError, ValueError):
    """A call the announcer cannot say (bad ticket or window number): a bug upstream."""

    user_message = "叫号内容无效，无法播报"


@dataclass(frozen=True)
class Call:
    """One ticket called to one window, e.g. ``Call("A023", 5)``; `floor` (1 for the 1st
    floor) when the window is on another floor than the one the citizen waits on, so the
    call says where to go: ``Call("B012", 3, floor=1)`` is "请B012号到一楼3号窗口办理"."""

    ticket: str
    window: int
    floor: int | None = None

    def __post_init__(self) -> None:
        if self.floor is not None and (
            isinstance(self.floor, bool) or not 1 <= self.floor <= MAX_WINDOW
        ):
            raise InvalidCall(f"floor {self.floor!r}: expected 1..{MAX_WINDOW} or none")
        if not TICKET_RE.fullmatch(self.ticket):
            raise InvalidCall(f"ticket {self.ticket!r}: expected up to 3 capitals then digits")
        if isinstance(self.window, bool) or not 1 <= self.window <= MAX_WINDOW:
            raise InvalidCall(f"window {self.window!r}: expected 1..{MAX_WINDOW}")


@dataclass(frozen=True)
class Phrase:
    """What is said for one call: `words` (clip names) said `repeats` times."""

    lang: str
    text: str  # for people: the display board, logs, the history
    words: tuple[str, ...]
    repeats: int = 2

    @property
    def speech(self) -> str:
        """One repetition as espeak-ng input: pinyin for zh, SSML fragments for en."""
        vocab = VOCAB[self.lang]
        return " ".join(vocab[w] for w in self.words).replace(" ,", ",")

    def ssml(self, pause_ms: int = 600) -> str:
        """The whole announcement (every repetition) as SSML for ``espeak-ng -m``."""
        gap = f' <break time="{pause_ms}ms"/> '
        return "<speak>" + gap.join([self.speech] * self.repeats) + "</speak>"


def number_zh(n: int) -> list[str]:
    """A number 1..999 as Mandarin clip names: 5 -> 五, 12 -> 十二, 20 -> 二十, 105 -> 一百零五."""
    if not 1 <= n <= MAX_WINDOW:
        raise InvalidCall(f"number {n} out of 1..{MAX_WINDOW}")
    hundreds, tens, ones = n // 100, n // 10 % 10, n % 10
    words: list[str] = []
    if hundreds:
        words += [str(hundreds), "百"]
        if tens == 0 and ones:
            words.append("0")  # 一百零五
    if tens:
        # 10-19 is 十X on its own but 一百一十X after hundreds.
        words += ["十"] if tens == 1 and not hundreds else [str(tens), "十"]
    if ones:
        words.append(str(ones))
    return words


def number_en(n: int) -> list[str]:
    """A number 1..999 as English clip names: 21 -> twenty one, 105 -> one hundred five."""
    if not 1 <= n <= MAX_WINDOW:
        raise InvalidCall(f"number {n} out of 1..{MAX_WINDOW}")
    words: list[str] = []
    if n >= 100:
        words += [_EN_ONES[n // 100], "hundred"]
        n %= 100
    if n >= 20:
        words.append(_EN_TENS[n // 10 - 2])
        n %= 10
    if n or not words:
        words.append(_EN_ONES[n])
    return words


_ZH_DIGITS = "零一二三四五六七八九"


def _floor_zh(n: int) -> str:
    """A floor as written: 1 -> 一楼, 12 -> 十二楼 (number_zh's words in characters)."""
    return "".join(_ZH_DIGITS[int(w)] if w.isdigit() else w for w in number_zh(n)) + "楼"


def spell_ticket(ticket: str, lang: str = "zh") -> list[str]:
    """Ticket characters one by one, as clip names: "A023" -> A 0 2 3 (zh) / A zero two three (en)."""
    if lang == "en":
        return [c if c.isalpha() else _EN_ONES[int(c)] for c in ticket]
    return list(ticket)


def phrase_for(call: Call, lang: str = "zh", *, recall: bool = False, repeats: int = 2) -> Phrase:
    """Turn a call into what is said, in ``"zh"`` (Mandarin) or ``"en"``."""
    if lang == "zh":
        floor = [*number_zh(call.floor), "楼"] if call.floor else []
        words = ["请", *spell_ticket(call.ticket), "号", "到", *floor, *number_zh(call.window)]
        words += ["号", "窗口", "办理"]
        where = _floor_zh(call.floor) if call.floor else ""
        text = f"请{call.ticket}号到{where}{call.window}号窗口办理"
        if recall:
            words.insert(0, "再次呼叫")
            text = "再次呼叫：" + text
    elif lang == "en":
        words = ["number", *spell_ticket(call.ticket, "en"), "please go to window"]
        words += number_en(call.window)
        text = f"Number {call.ticket}, please go to window {call.window}"
        if call.floor:
            words += ["on floor", *number_en(call.floor)]
            text += f" on floor {call.floor}"
        if recall:
            words.insert(0, "repeat")
            text = "Repeat: " + text
    else:
        raise InvalidCall(f"language {lang!r}: expected one of {', '.join(LANGS)}")
    return Phrase(lang=lang, text=text, words=tuple(words), repeats=repeats)
