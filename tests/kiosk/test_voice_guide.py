"""Spoken guidance at the kiosk: off by default, one tap on, each screen's sentence said
once in the kiosk's language by the real espeak-ng, never blocking the screen, and silent
(a log line) when espeak-ng is missing.

The speaker is a stand-in process (speaker_standin.py) in the player's place: it keeps a
copy of every WAV espeak-ng made and takes a set time to "play" it.
"""

from __future__ import annotations

import array
import itertools
import logging
import sys
import time
import wave
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest
from PyQt6.QtCore import Qt, QTimer
from PyQt6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from drivers.voice.guide import Guide
from hall.server.hub import Hub
from kiosk.model import LARGE_TEXT_AGE, Screen
from kiosk.pages import ErrorPage
from tests.hubs import HALL_TIME

from .conftest import Kiosk, MakeKiosk, person

STANDIN = Path(__file__).with_name("speaker_standin.py")


def voice_url(out: Path, hold: float) -> str:
    out.mkdir(parents=True, exist_ok=True)
    player = f"{sys.executable} {STANDIN} {out} {hold} {{wav}}"
    return f"espeak://?lang=zh&player={quote(player)}"


def click(qtbot: QtBot, w: QWidget) -> None:
    assert w.isVisible() and w.isEnabled()
    qtbot.mouseClick(w, Qt.MouseButton.LeftButton)


def guide(k: Kiosk) -> Guide:
    g = k.window.voice.guide
    assert g is not None
    return g


def said(k: Kiosk) -> list[str]:
    return [s.text for s in guide(k).history()]


def wait_said(qtbot: QtBot, k: Kiosk, text: str, timeout: int = 8000) -> None:
    """Until `text` was said, to the end."""
    qtbot.waitUntil(lambda: text in said(k) and guide(k).wait_idle(0), timeout=timeout)


def audible_seconds(wav: Path) -> float:
    """How long the WAV is, checking it holds sound (not silence)."""
    with wave.open(str(wav), "rb") as w:
        samples = array.array("h", w.readframes(w.getnframes()))
        seconds = w.getnframes() / w.getframerate()
    assert max(abs(v) for v in samples) > 1000, wav
    return seconds


@pytest.fixture
def kiosk(make_kiosk: MakeKiosk, hub: Hub) -> Iterator[Kiosk]:
    k = make_kiosk(hub.endpoint)
    yield k
    k.window.voice.close()  # the worker ends, espeak-ng's WAV folder goes


def test_guidance_is_off_until_tapped_then_says_each_screen(
    qtbot: QtBot, kiosk: Kiosk, tmp_path: Path
) -> None:
    k, out = kiosk, tmp_path / "speaker"
    voice = k.window.voice
    voice.open(voice_url(out, 0.2))  # the kiosk's setting left at its default: off
    assert not voice.on and k.window.speak.text() == "语音提示：关"
    k.model.go_home()
    qtbot.wait(300)
    assert said(k) == []  # off: nothing said

    click(qtbot, k.window.speak)  # one tap: on, and the screen is said at once
    assert voice.on and k.window.speak.text() == "语音提示：开"
    wait_said(qtbot, k, "请选择要办理的业务")

    # a card read: the greeting's sentence (never the name)
    k.id_reader.tap(person("张三"))
    wait_said(qtbot, k, "证件已读取，请选择业务")

    # the ticket: number, people ahead and where, as shown on the confirmation screen
    qid = k.model.queues()[0]["id"]
    k.model.choose_queue(qid)
    qtbot.waitUntil(lambda: k.model.screen is Screen.DONE, timeout=5000)
    t = k.model.ticket
    assert t is not None
    ticket_text = f"您的号码是 {t.number}，前面还有 {t.ahead} 人，{t.where_text}"
    wait_said(qtbot, k, ticket_text)
    assert k.window.pages[Screen.DONE].isVisible()

    # after a service is chosen that needs a card: the card prompt
    k.model.go_home()
    k.model.check_in()
    assert k.model.screen is Screen.CARD
    wait_said(qtbot, k, "请将身份证放在感应区，或插入社保卡")

    # an error: the sentence on screen, from the hub (no booking for this citizen)
    k.id_reader.tap(person("李四", area="500102"))
    qtbot.waitUntil(lambda: k.model.checking_in, timeout=3000)
    wait_said(qtbot, k, "预约签到：请选择您预约的业务")
    k.model.choose_queue(qid)
    qtbot.waitUntil(lambda: k.model.screen is Screen.ERROR, timeout=5000)
    page = k.window.pages[Screen.ERROR]
    assert isinstance(page, ErrorPage) and page.text.text()
    wait_said(qtbot, k, page.text.text())

    assert guide(k).wait_idle(10)
    history = guide(k).history()
    assert all(s.ok and s.lang == "zh" for s in history), history
    # only the start screen's sentence was cut short, by the card prompt right after it
    assert [s.text for s in history if s.cut] in ([], ["请选择要办理的业务"])
    # every sentence said to the end went to the speaker as espeak-ng's audio
    wavs = sorted(out.glob("*.wav"))
    assert len(wavs) >= len([s for s in history if not s.cut])
    assert all(audible_seconds(w) > 0.5 for w in wavs)
    # said once each: heartbeats redraw the screens, the sentence is not repeated
    k.model.go_home()
    wait_said(qtbot, k, "请选择要办理的业务")
    n = len(said(k))
    qtbot.wait(1500)
    assert len(said(k)) == n

    click(qtbot, k.window.speak)  # off: silence from now on
    assert not voice.on and k.window.speak.text() == "语音提示：关"
    k.model.check_in()
    qtbot.wait(500)
    assert len(said(k)) == n


def test_the_ticket_is_read_like_the_board_reads_calls(kiosk: Kiosk, qtbot: QtBot) -> None:
    k = kiosk
    k.window.voice.open("sim://voice", on=True)
    qid = k.model.queues()[0]["id"]
    for _ in range(3):  # three ahead of the fourth
        k.model.choose_queue(qid)
        qtbot.waitUntil(lambda: k.model.screen is Screen.DONE, timeout=5000)
        k.model.go_home()
    k.model.choose_queue(qid)
    qtbot.waitUntil(lambda: k.model.screen is Screen.DONE, timeout=5000)
    t = k.model.ticket
    assert t is not None and t.ahead == 3 and t.number.endswith("004")
    assert guide(k).wait_idle(5)
    speech = guide(k).engines["zh"].speeches[-1]  # type: ignore[attr-defined]
    # "A 零 零 四" letter by letter as the board calls it, "三" people ahead
    letters = " ".join(t.number[:-3])
    assert f"{letters} ling2 ling2 si4, qian2 mian4 hai2 you3 san1 ren2," in speech


def test_guidance_follows_the_kiosk_into_english(
    qtbot: QtBot, kiosk: Kiosk, tmp_path: Path
) -> None:
    k, out = kiosk, tmp_path / "speaker"
    k.window.voice.open(voice_url(out, 0.1), on=True)  # the kiosk's setting: on
    wait_said(qtbot, k, "请选择要办理的业务")
    click(qtbot, k.window.lang)
    wait_said(qtbot, k, "Please choose a service")
    assert k.window.speak.text() == "Voice: on"
    k.model.choose_queue(k.model.queues()[0]["id"])
    qtbot.waitUntil(lambda: k.model.screen is Screen.DONE, timeout=5000)
    t = k.model.ticket
    assert t is not None
    wait_said(qtbot, k, f"Your number is {t.number}. {t.ahead} people ahead of you. "
                        f"{t.where_text_en}")  # fmt: skip
    assert guide(k).wait_idle(10)
    last = guide(k).history()[-2:]
    assert [s.lang for s in last] == ["en", "en"] and all(s.ok for s in last)
    assert all(audible_seconds(w) > 0.5 for w in sorted(out.glob("*.wav"))[-2:])


def test_speaking_never_holds_up_the_screen_and_a_new_sentence_cuts_the_old(
    qtbot: QtBot, kiosk: Kiosk, tmp_path: Path
) -> None:
    k, out = kiosk, tmp_path / "speaker"
    k.window.voice.open(voice_url(out, 30.0), on=True)  # a speaker that takes 30 s
    qtbot.waitUntil(lambda: (out / "000.start").exists(), timeout=8000)
    # The screen goes on while the speaker is busy: taps answer at once, timers tick.
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(50)
    began = time.monotonic()
    click(qtbot, k.window.pages[Screen.HOME].check_in)  # type: ignore[attr-defined]
    assert time.monotonic() - began < 0.5
    assert k.model.screen is Screen.CARD
    # the card prompt cuts the start screen's sentence short: said within seconds, not 30
    qtbot.waitUntil(lambda: (out / "001.start").exists(), timeout=8000)
    assert time.monotonic() - began < 8
    qtbot.wait(1000)  # the second sentence is being said (for 30 s)
    timer.stop()
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert len(ticks) >= 10 and max(gaps) < 1.0, ticks  # the event loop never stalled
    assert not (out / "000.end").exists()  # cut, not played to the end
    first = guide(k).history()[0]
    assert first.text == "请选择要办理的业务" and first.cut
    assert said(k)[-1] == "请将身份证放在感应区，或插入社保卡"
    k.window.voice.set_on(False)  # off cuts the current sentence too
    assert guide(k).wait_idle(5)
    assert not (out / "001.end").exists()


def test_the_large_text_offer_asks_aloud_when_guidance_is_on(qtbot: QtBot, kiosk: Kiosk) -> None:
    k = kiosk
    k.window.voice.open("sim://voice", on=True)
    day = HALL_TIME.date()
    k.id_reader.tap(person("王大爷", birth=date(day.year - LARGE_TEXT_AGE - 5, 3, 1)))
    qtbot.waitUntil(lambda: bool(k.window.large.property("offered")), timeout=3000)
    wait_said(qtbot, k, "证件已读取，请选择业务 需要放大字体吗？请点屏幕左上角的按钮")
    n = len(said(k))
    click(qtbot, k.window.large)  # taken: the greeting is not said again
    assert k.model.large_text
    qtbot.wait(300)
    assert len(said(k)) == n
    k.model.go_home()
    k.id_reader.tap(person("李小明", birth=date(day.year - 30, 1, 1)))
    qtbot.waitUntil(lambda: said(k)[-1] == "证件已读取，请选择业务", timeout=3000)


def test_without_espeak_the_kiosk_is_silent_and_says_so_only_in_the_log(
    qtbot: QtBot, kiosk: Kiosk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    k = kiosk
    monkeypatch.setenv("PATH", str(tmp_path))  # no espeak-ng on it
    footer = k.window.footer.text()
    with caplog.at_level(logging.WARNING, logger="drivers.voice.guide"):
        k.window.voice.open(voice_url(tmp_path / "speaker", 0.1), on=True)
        qtbot.waitUntil(lambda: bool(said(k)), timeout=5000)
        assert guide(k).wait_idle(5)
        k.model.check_in()
        qtbot.waitUntil(lambda: len(said(k)) == 2, timeout=5000)
        assert guide(k).wait_idle(5)
    assert not any(s.ok for s in guide(k).history())
    assert not list((tmp_path / "speaker").glob("*.wav"))  # nothing played
    lines = [r.getMessage() for r in caplog.records if r.name == "drivers.voice.guide"]
    assert any("espeak-ng" in line for line in lines), lines
    assert len(lines) <= 3, lines  # a line for the cause, not one per sentence
    # the citizen sees nothing of it
    assert k.model.screen is Screen.CARD
    assert k.window.footer.text() == footer
    assert k.window.speak.text() == "语音提示：开"


def test_the_toggle_sits_in_the_header_beside_large_text(kiosk: Kiosk, qtbot: QtBot) -> None:
    k = kiosk
    k.window.voice.open("sim://voice")
    w = k.window
    assert w.speak.isVisible() and w.large.isVisible()
    assert w.speak.parentWidget() is w.large.parentWidget()
    assert abs(w.speak.geometry().left() - w.large.geometry().right()) < 40  # side by side
    k.shoot("voice-off")
    click(qtbot, w.speak)
    click(qtbot, w.lang)
    assert w.speak.text() == "Voice: on"
    k.shoot("voice-on-en")


def test_the_next_citizen_starts_with_the_kiosks_setting(
    qtbot: QtBot, make_kiosk: MakeKiosk, hub: Hub, tmp_path: Path
) -> None:
    # one citizen taps guidance on; once their ticket screen goes home by itself, or
    # nobody touches the kiosk for a while, it is back to the kiosk's setting (off here)
    k = make_kiosk(hub.endpoint, idle_seconds=1.0, done_seconds=0.5)
    try:
        voice = k.window.voice
        voice.open(voice_url(tmp_path / "speaker", 0.1))
        click(qtbot, k.window.speak)
        assert voice.on
        k.id_reader.tap(person("张三"))
        qtbot.waitUntil(lambda: k.model.person is not None, timeout=5000)
        k.model.choose_queue(k.model.queues()[0]["id"])
        qtbot.waitUntil(lambda: k.model.screen is Screen.DONE, timeout=5000)
        assert voice.on  # still this citizen's
        qtbot.waitUntil(lambda: k.model.screen is Screen.HOME, timeout=5000)
        assert not voice.on and k.window.speak.text() == "语音提示：关"

        click(qtbot, k.window.speak)
        k.model.check_in()  # the card prompt, then nobody
        assert voice.on
        qtbot.waitUntil(lambda: not voice.on, timeout=5000)
        assert k.model.screen is Screen.HOME

        voice.open("", on=True)  # a kiosk whose setting is on keeps it on
        k.model.check_in()
        qtbot.waitUntil(lambda: k.model.screen is Screen.HOME, timeout=5000)
        assert voice.on
    finally:
        k.window.voice.close()
