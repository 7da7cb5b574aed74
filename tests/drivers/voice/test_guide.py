"""Spoken guidance's sentences and its voice: numbers read as the board reads them, pinyin
for the Chinese voice, the board's URLs, real espeak-ng audio."""

from __future__ import annotations

import wave

import pytest

from drivers.base import ConfigError
from drivers.voice.guide import (
    compose,
    count_speech,
    open_guide,
    speech_lang,
    ticket_speech,
    utter,
)
from drivers.voice.phrases import Call, phrase_for


def test_a_ticket_is_read_letter_by_letter_as_in_the_board_s_call() -> None:
    for lang in ("zh", "en"):
        call = phrase_for(Call("A023", 5), lang).speech
        assert ticket_speech("A023", lang) in call
    assert ticket_speech("A023", "zh") == "A ling2 er4 san1"


def test_counts_are_read_as_the_board_reads_window_numbers() -> None:
    assert count_speech(12, "zh") == "shi2 er4"
    assert count_speech(105, "zh") == "yi1 bai3 ling2 wu3"
    assert count_speech(0, "zh") == "ling2"
    assert count_speech(21, "en") == "twenty one"
    assert count_speech(1234, "en") == "one two three four"  # beyond 999: digit by digit


def test_chinese_text_becomes_pinyin_with_pauses() -> None:
    u = utter("每人每天最多取 3 个号，请明天再来。", "zh")
    assert u.speech == ("mei3 ren2 mei3 tian1 zui4 duo1 qu3 san1 ge4 hao4, "
                        "qing3 ming2 tian1 zai4 lai2")  # fmt: skip
    assert u.lang == "zh" and u.text == "每人每天最多取 3 个号，请明天再来。"
    assert utter("请到二楼等候", "en").lang == "zh"  # no English: the Chinese voice reads it
    assert speech_lang("Please wait", "en") == "en"
    assert utter("Fish & chips <now>", "en").speech == "Fish chips now"  # never markup


def test_a_composed_sentence_keeps_its_spoken_parts() -> None:
    u = compose("您的号码是 {number}，前面还有 {n} 人", "zh", "您的号码是 A1，前面还有 2 人",
                number=ticket_speech("A1", "zh"), n=count_speech(2, "zh"))  # fmt: skip
    assert u.speech == "nin2 de5 hao4 ma3 shi4 A yi1, qian2 mian4 hai2 you3 er4 ren2"
    assert u.text == "您的号码是 A1，前面还有 2 人"


def test_guide_urls_are_the_board_s() -> None:
    with pytest.raises(ConfigError):
        open_guide("clips:///srv/clips")  # recorded words cannot say sentences
    with pytest.raises(ConfigError):
        open_guide("espeak://?lang=zh&volume=3")
    g = open_guide("espeak://?lang=zh&player=none&repeats=2&voice_en=en-us")
    try:
        assert g.engines["en"].voice == "en-us"  # type: ignore[attr-defined]
        assert g.engines["zh"].voice == "cmn-latn-pinyin"  # type: ignore[attr-defined]
    finally:
        g.close()


def test_espeak_says_a_sentence_into_a_wav() -> None:
    g = open_guide("espeak://?player=none")
    try:
        g.say(utter("请选择要办理的业务", "zh"))
        assert g.wait_idle(10)
        (s,) = g.history()
        assert s.ok and s.wav is not None
        with wave.open(str(s.wav), "rb") as w:
            assert w.getnframes() / w.getframerate() > 1.0
        assert g.health().ok
    finally:
        g.close()
