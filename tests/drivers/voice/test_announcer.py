"""The announcer: calls queue, play one at a time in order, fail softly, stop promptly."""

from __future__ import annotations

import itertools
import threading
import time
from pathlib import Path

import pytest

from drivers.base import ConfigError, DeviceUnavailable, HealthState
from drivers.voice import Announcer, ClipEngine, EspeakEngine, SilentEngine, Spoken, open_announcer
from drivers.voice.phrases import Call
from drivers.voice.players import CommandPlayer, NullPlayer, WaitPlayer, make_player

CALLS = [Call("A023", 5), Call("A024", 12), Call("B001", 3), Call("C108", 40), Call("A025", 1)]


def played(log: Path) -> list[tuple[float, float, str]]:
    """(start, end, wav name) per run of the timed player, from its log."""
    lines = [line.split() for line in log.read_text().splitlines()]
    runs = []
    for (kind1, t1, wav1), (kind2, t2, wav2) in zip(lines[::2], lines[1::2], strict=True):
        assert (kind1, kind2, wav1) == ("start", "end", wav2), (
            "a sound started before the last ended"
        )
        runs.append((float(t1), float(t2), Path(wav1).name))
    return runs


def assert_no_overlap(spans: list[tuple[float, float]]) -> None:
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert end <= start


def test_calls_play_in_order_one_at_a_time(
    announcers: list[Announcer], timed_player: str, play_log: Path, tmp_path: Path
) -> None:
    a = Announcer(EspeakEngine(out_dir=tmp_path), make_player(timed_player))
    announcers.append(a)
    for call in CALLS:
        a.announce(call)
    assert a.pending() >= len(CALLS) - 1  # announce() returned before anything finished playing
    assert a.wait_idle(60)
    history = a.history()
    assert [s.call for s in history] == CALLS  # each announced once, in order
    assert all(s.ok and not s.recall for s in history)
    assert history[1].text == "请A024号到12号窗口办理"
    assert_no_overlap([(s.start, s.end or 0) for s in history])
    runs = played(play_log)
    assert [name for *_, name in runs] == [f"zh-call-{c.ticket}-{c.window}.wav" for c in CALLS]
    assert_no_overlap([(start, end) for start, end, _ in runs])
    assert a.health().state is HealthState.OK


def test_clip_engine_behind_the_announcer(
    announcers: list[Announcer], zh_clips: Path, timed_player: str, play_log: Path, tmp_path: Path
) -> None:
    a = Announcer(ClipEngine(zh_clips, out_dir=tmp_path), make_player(timed_player))
    announcers.append(a)
    a.announce(CALLS[0])
    a.recall(CALLS[0])
    assert a.wait_idle(30)
    assert [name for *_, name in played(play_log)] == ["zh-call-A023-5.wav", "zh-recall-A023-5.wav"]


def test_recall_goes_to_the_back_of_the_queue(announcers: list[Announcer]) -> None:
    started: list[Spoken] = []
    a = open_announcer("sim://voice?player=wait&speed=40", on_start=started.append)
    announcers.append(a)
    a.announce(CALLS[0])
    a.announce(CALLS[1])
    a.recall(CALLS[0])
    a.announce(CALLS[2])
    assert a.wait_idle(30)
    said = [(s.call.ticket, s.recall) for s in a.history()]
    assert said == [("A023", False), ("A024", False), ("A023", True), ("B001", False)]
    assert a.history()[2].text == "再次呼叫：请A023号到5号窗口办理"
    assert [s.call for s in started] == [s.call for s in a.history()]
    assert_no_overlap([(s.start, s.end or 0) for s in a.history()])


def test_a_failing_player_sets_health_and_the_next_call_still_plays(
    announcers: list[Announcer], tmp_path: Path
) -> None:
    flaky = tmp_path / "flaky-player"  # fails once (no sound card), then works
    flaky.write_text(
        f"#!/bin/sh\nif [ ! -e {tmp_path}/failed ]; then touch {tmp_path}/failed\n"
        'echo "aplay: no soundcards found" >&2; exit 1; fi\n'
    )
    flaky.chmod(0o755)
    ended = threading.Event()
    health_after_first = []

    def on_end(s: Spoken) -> None:
        if not ended.is_set():
            health_after_first.append(a.health())
            ended.set()

    a = Announcer(SilentEngine(out_dir=tmp_path), CommandPlayer(f"{flaky} {{wav}}"), on_end=on_end)
    announcers.append(a)
    a.announce(CALLS[0])
    assert ended.wait(10)
    a.announce(CALLS[1])
    assert a.wait_idle(10)
    first, second = a.history()
    assert not first.ok and "播放失败" in first.error
    assert health_after_first[0].state is HealthState.DEGRADED
    assert "播放失败" in health_after_first[0].reason
    assert second.ok and second.call == CALLS[1]
    assert a.health().state is HealthState.OK


def test_always_failing_player_never_reaches_the_caller(
    announcers: list[Announcer], failing_player: str
) -> None:
    a = Announcer(SilentEngine(), make_player(failing_player))
    announcers.append(a)
    for call in CALLS:
        a.announce(call)
    assert a.wait_idle(10)
    assert [s.ok for s in a.history()] == [False] * len(CALLS)
    assert a.health().state is HealthState.DEGRADED


def test_missing_player_command_is_offline(announcers: list[Announcer]) -> None:
    a = Announcer(SilentEngine(), CommandPlayer("no-such-player-yc {wav}"))
    announcers.append(a)
    assert a.health().state is HealthState.OFFLINE
    assert "no-such-player-yc" in a.health().reason
    a.announce(CALLS[0])  # does not raise
    assert a.wait_idle(10)
    assert not a.history()[0].ok
    assert a.health().state is HealthState.OFFLINE and "找不到播放程序" in a.health().reason


def test_close_stops_promptly_mid_call(tmp_path: Path) -> None:
    long_player = tmp_path / "long-player"
    long_player.write_text("#!/bin/sh\nexec sleep 60\n")
    long_player.chmod(0o755)
    started = threading.Event()
    a = Announcer(
        SilentEngine(out_dir=tmp_path),
        CommandPlayer(f"{long_player} {{wav}}"),
        on_start=lambda s: started.set(),
    )
    for call in CALLS:
        a.announce(call)
    assert started.wait(10)
    t0 = time.monotonic()
    assert a.close(timeout=5)
    assert time.monotonic() - t0 < 5
    assert len(a.history()) == 1  # the waiting calls were dropped, not rushed through
    with pytest.raises(DeviceUnavailable):
        a.announce(CALLS[0])
    assert a.close()  # twice is harmless


def test_close_cuts_a_simulated_speaker_short() -> None:
    a = Announcer(SilentEngine(), WaitPlayer(speed=1))  # each call lasts ~7 s
    a.announce(CALLS[0])
    assert a.close(timeout=5)


def test_backlog_drops_the_oldest_and_says_so(announcers: list[Announcer]) -> None:
    a = Announcer(SilentEngine(), WaitPlayer(speed=1), max_pending=2)
    announcers.append(a)
    for call in CALLS:
        a.announce(call)
    assert a.pending() <= 2
    assert a.health().state is HealthState.DEGRADED and "积压" in a.health().reason


def test_a_broken_listener_does_not_silence_the_hall(
    announcers: list[Announcer], caplog: pytest.LogCaptureFixture
) -> None:
    def boom(s: Spoken) -> None:
        raise RuntimeError("display bug")

    a = Announcer(SilentEngine(), NullPlayer(), on_start=boom)
    announcers.append(a)
    a.announce(CALLS[0])
    a.announce(CALLS[1])
    assert a.wait_idle(10)
    assert [s.ok for s in a.history()] == [True, True]
    assert "voice listener failed" in caplog.text


def test_open_announcer_urls(announcers: list[Announcer], zh_clips: Path) -> None:
    espeak = open_announcer("espeak://?voice=cmn-latn-pinyin&rate=150&player=none&lang=zh")
    clips = open_announcer(f"clips://{zh_clips}?player=none")
    english = open_announcer("espeak://?lang=en&player=none")
    sim = open_announcer("sim://voice")
    announcers += [espeak, clips, english, sim]
    assert isinstance(espeak.engine, EspeakEngine) and espeak.engine.voice == "cmn-latn-pinyin"
    assert isinstance(english.engine, EspeakEngine) and english.engine.voice == "en"
    assert isinstance(clips.engine, ClipEngine) and clips.engine.folder == zh_clips
    assert isinstance(sim.engine, SilentEngine) and isinstance(sim.player, NullPlayer)
    for a in announcers:
        a.announce(CALLS[0])
    for a in announcers:
        assert a.wait_idle(10)
        assert a.history()[0].ok, a.history()[0].error
    assert sim.engine.phrases[0].text == "请A023号到5号窗口办理"
    default = open_announcer("espeak://")
    announcers.append(default)
    assert isinstance(default.player, CommandPlayer)  # aplay by default
    assert default.player.argv[0] == "aplay"


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("voice", "no scheme"),
        ("tts://voice", "scheme"),
        ("sim://speaker", "sim://voice"),
        ("espeak://?colour=red", "unknown option colour"),
        ("espeak://?rate=fast", "rate"),
        ("clips://", "no clip folder"),
        ("sim://voice?lang=fr", "language"),
        ("sim://voice?player=wait&speed=0", "speed"),
        ("sim://voice?pause=x", "pause"),
        ("sim://voice?pause=-1", "pause"),
    ],
)
def test_bad_urls_are_config_errors(url: str, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        open_announcer(url)
