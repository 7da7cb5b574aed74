"""Every simulator says it is one (issue 18): a simulated voice, spoken guidance or ID-card
reader that works reports code 'sim' and a reason with 模拟, never a plain ok — before and
after it is used — while a real voice that works stays plainly ok."""

from __future__ import annotations

from drivers.idcard import open_id_reader
from drivers.voice import open_announcer
from drivers.voice.guide import open_guide, utter
from drivers.voice.phrases import Call


def test_a_simulated_announcer_says_so_before_and_after_a_call() -> None:
    a = open_announcer("sim://voice?player=none")
    try:
        h = a.health()
        assert h.ok and h.code == "sim" and "模拟" in h.reason
        a.announce(Call("A001", 5))
        assert a.wait_idle(10)
        assert a.history()[-1].ok
        assert a.health() == h  # a call played: still a simulator
    finally:
        a.close()
    real = open_announcer("espeak://?player=none")
    try:
        assert real.health().ok and real.health().code != "sim"
    finally:
        real.close()


def test_simulated_guidance_says_so_before_and_after_a_sentence() -> None:
    g = open_guide("sim://voice")
    try:
        h = g.checked(10)
        assert h.ok and h.code == "sim" and "模拟" in h.reason
        g.say(utter("请选择要办理的业务", "zh"))
        assert g.wait_idle(10)
        assert g.history()[-1].ok
        assert g.health() == h
    finally:
        g.close()


def test_a_simulated_id_reader_says_so() -> None:
    r = open_id_reader("sim://idcard")
    try:
        h = r.health()
        assert h.ok and h.code == "sim" and "模拟" in h.reason and "正常" not in h.reason
    finally:
        r.close()
