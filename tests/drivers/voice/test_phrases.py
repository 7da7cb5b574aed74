"""What is said for a call: ticket read digit by digit, window read as a number, said twice."""

from __future__ import annotations

import pytest

from drivers.base import DriverError
from drivers.voice.phrases import (
    VOCAB_EN,
    VOCAB_ZH,
    Call,
    InvalidCall,
    number_en,
    number_zh,
    phrase_for,
)

HANZI = dict(zip("0123456789", "零一二三四五六七八九", strict=True))


def hanzi(words: list[str] | tuple[str, ...]) -> str:
    return "".join(HANZI.get(w, w) for w in words)


def parse_zh(s: str) -> int:
    """An independent reader of Mandarin numbers 1..999, to check number_zh against."""
    digit = {h: int(d) for d, h in HANZI.items()}
    total, cur = 0, 0
    for ch in s:
        if ch == "百":
            total, cur = total + cur * 100, 0
        elif ch == "十":
            total, cur = total + (cur or 1) * 10, 0
        else:
            cur = digit[ch]
    return total + cur


def test_mandarin_call_reads_ticket_digit_by_digit() -> None:
    p = phrase_for(Call("A023", 5))
    assert p.text == "请A023号到5号窗口办理"
    assert p.words == ("请", "A", "0", "2", "3", "号", "到", "5", "号", "窗口", "办理")
    assert p.speech == "qing3 A ling2 er4 san1 hao4 dao4 wu3 hao4 chuang1 kou3 ban4 li3"
    assert p.repeats == 2


def test_said_twice_with_a_pause() -> None:
    ssml = phrase_for(Call("A023", 5)).ssml(pause_ms=700)
    assert ssml.count("qing3 A ling2 er4 san1") == 2
    assert ssml.startswith("<speak>") and '<break time="700ms"/>' in ssml


@pytest.mark.parametrize(
    ("n", "said"),
    [(1, "一"), (5, "五"), (9, "九"), (10, "十"), (11, "十一"), (12, "十二"), (19, "十九"),
     (20, "二十"), (21, "二十一"), (30, "三十"), (40, "四十"), (100, "一百"), (101, "一百零一"),
     (110, "一百一十"), (115, "一百一十五"), (999, "九百九十九")],
)  # fmt: skip
def test_window_numbers_read_as_numbers(n: int, said: str) -> None:
    assert hanzi(number_zh(n)) == said


@pytest.mark.parametrize("n", range(1, 41))
def test_windows_1_to_40_in_the_phrase(n: int) -> None:
    words = phrase_for(Call("B1", n)).words
    number = words[words.index("到") + 1 : -3]
    assert words[-3:] == ("号", "窗口", "办理")
    assert parse_zh(hanzi(number)) == n
    assert "零" not in hanzi(number) and not hanzi(number).startswith("一十")
    assert len(number) <= 3


def test_every_number_up_to_999_reads_back() -> None:
    for n in range(1, 1000):
        assert parse_zh(hanzi(number_zh(n))) == n, n


@pytest.mark.parametrize("letter", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
def test_letters_are_their_own_clips(letter: str) -> None:
    p = phrase_for(Call(f"{letter}07", 3))
    assert p.words[1:4] == (letter, "0", "7")
    assert p.speech.split()[1] == letter  # upper case: the pinyin voice says the letter's name


def test_every_word_has_pinyin_and_english() -> None:
    for n in (1, 12, 40, 105, 999):
        for w in phrase_for(Call("XY09", n), recall=True).words:
            assert w in VOCAB_ZH
        for w in phrase_for(Call("XY09", n), "en", recall=True).words:
            assert w in VOCAB_EN


def test_english() -> None:
    p = phrase_for(Call("A023", 5), "en")
    assert p.text == "Number A023, please go to window 5"
    assert p.words == ("number", "A", "zero", "two", "three", "please go to window", "five")
    assert "zero two three, please go to window five" in p.speech
    assert number_en(12) == ["twelve"]
    assert number_en(21) == ["twenty", "one"]
    assert number_en(40) == ["forty"]
    assert number_en(105) == ["one", "hundred", "five"]


def test_recall_says_the_same_with_a_prefix() -> None:
    call = Call("C108", 12)
    zh, zh_again = phrase_for(call), phrase_for(call, recall=True)
    assert zh_again.words == ("再次呼叫", *zh.words)
    assert zh_again.text == "再次呼叫：请C108号到12号窗口办理"
    assert "shi2 er4 hao4" in zh.speech
    en_again = phrase_for(call, "en", recall=True)
    assert en_again.words[0] == "repeat" and en_again.text.startswith("Repeat: Number C108")


@pytest.mark.parametrize(
    ("ticket", "window"), [("a023", 5), ("", 5), ("A-1", 5), ("ABCD1", 5), ("A1", 0), ("A1", 1000)]
)
def test_invalid_calls_are_refused(ticket: str, window: int) -> None:
    with pytest.raises(InvalidCall) as e:
        Call(ticket, window)
    assert isinstance(e.value, DriverError) and isinstance(e.value, ValueError)
    assert e.value.user_message  # a Chinese sentence for the screen


def test_unknown_language() -> None:
    with pytest.raises(InvalidCall, match="language"):
        phrase_for(Call("A1", 1), "fr")


def test_a_call_to_another_floor_says_the_floor() -> None:
    """A citizen waiting on the 2nd floor called by window 3 on the 1st: 到一楼3号窗口."""
    p = phrase_for(Call("B012", 3, floor=1))
    assert p.text == "请B012号到一楼3号窗口办理"
    assert p.words == ("请", "B", "0", "1", "2", "号", "到", "1", "楼", "3", "号", "窗口", "办理")
    assert "dao4 yi1 lou2 san1 hao4" in p.speech
    en = phrase_for(Call("B012", 3, floor=1), "en", recall=True)
    assert en.text == "Repeat: Number B012, please go to window 3 on floor 1"
    assert en.words[-3:] == ("three", "on floor", "one")
    assert phrase_for(Call("A1", 12, floor=12)).text == "请A1号到十二楼12号窗口办理"
    for w in (*p.words, *en.words):  # every word has a clip and a reading
        assert w in VOCAB_ZH or w in VOCAB_EN
    # the same floor (floor None): the call as before
    assert phrase_for(Call("B012", 3)).text == "请B012号到3号窗口办理"


@pytest.mark.parametrize("floor", [0, -1, 1000, True])
def test_a_wrong_floor_is_refused(floor: int) -> None:
    with pytest.raises(InvalidCall):
        Call("A1", 3, floor=floor)
