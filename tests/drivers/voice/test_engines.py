"""The engines write real WAV files: espeak-ng, joined clips, silence."""

from __future__ import annotations

import array
import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

import pytest

from drivers.base import ConfigError, DeviceUnavailable, HealthState
from drivers.voice.__main__ import main as voice_main
from drivers.voice.engines import (
    ClipEngine,
    EspeakEngine,
    MissingClip,
    SilentEngine,
    trim_silence,
)
from drivers.voice.phrases import VOCAB_ZH, Call, phrase_for
from drivers.voice.players import wav_seconds

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="no espeak-ng")


def wav_format(path: Path) -> tuple[int, int, int]:
    with wave.open(str(path), "rb") as w:
        return w.getnchannels(), w.getsampwidth(), w.getframerate()


@needs_espeak
def test_espeak_mandarin_call_is_a_real_wav(tmp_path: Path) -> None:
    engine = EspeakEngine("zh", out_dir=tmp_path)
    assert engine.check().ok
    wav = engine.synthesize(Call("A023", 5))
    channels, width, rate = wav_format(wav)
    assert (channels, width) == (1, 2) and 8000 <= rate <= 48000
    assert 2 <= wav_seconds(wav) <= 12  # said twice, at 150 words a minute
    if shutil.which("soxi"):  # a second opinion on the duration, from sox
        soxi = float(
            subprocess.run(["soxi", "-D", str(wav)], capture_output=True, text=True).stdout
        )
        assert soxi == pytest.approx(wav_seconds(wav), abs=0.01)


@needs_espeak
def test_espeak_english_and_recall(tmp_path: Path) -> None:
    engine = EspeakEngine("en", out_dir=tmp_path)
    call = Call("A023", 5)
    once, again = engine.synthesize(call), engine.synthesize(call, recall=True)
    assert once != again
    assert 2 <= wav_seconds(once) < wav_seconds(again) <= 15


def test_espeak_missing_program(tmp_path: Path) -> None:
    engine = EspeakEngine(exe="no-such-espeak", out_dir=tmp_path)
    assert engine.check().state is HealthState.OFFLINE
    with pytest.raises(DeviceUnavailable) as e:
        engine.synthesize(Call("A1", 1))
    assert "语音合成失败" in e.value.user_message


def test_engine_temp_folder_is_removed_on_close() -> None:
    engine = SilentEngine()
    wav = engine.synthesize(Call("A1", 1))
    assert wav.exists()
    engine.close()
    assert not wav.parent.exists()


def test_an_engine_only_checked_makes_no_folder() -> None:
    # A board whose voice is checked and never used (or killed before it is closed) leaves nothing in /tmp.
    before = set(Path(tempfile.gettempdir()).glob("yichuang-voice-*"))
    for engine in (SilentEngine(), EspeakEngine(exe="no-such-espeak")):
        engine.check()
    assert set(Path(tempfile.gettempdir()).glob("yichuang-voice-*")) == before


def test_clip_folder_has_every_word(zh_clips: Path) -> None:
    assert {p.stem for p in zh_clips.glob("*.wav")} == set(VOCAB_ZH)
    assert ClipEngine(zh_clips).check().ok


def test_joined_clips_last_as_long_as_the_clips(zh_clips: Path, tmp_path: Path) -> None:
    call = Call("A023", 12)
    words = phrase_for(call).words
    clips = sum(wav_seconds(zh_clips / f"{w}.wav") for w in words)
    wav = ClipEngine(zh_clips, pause=0, out_dir=tmp_path).synthesize(call)
    assert wav_seconds(wav) == pytest.approx(2 * clips, abs=0.001)
    assert wav_format(wav) == wav_format(zh_clips / "请.wav")
    paused = ClipEngine(zh_clips, pause=0.5, out_dir=tmp_path).synthesize(call)
    assert wav_seconds(paused) == pytest.approx(2 * clips + 0.5, abs=0.001)


def _copy_clips(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def test_missing_clip_is_named(zh_clips: Path, tmp_path: Path) -> None:
    folder = _copy_clips(zh_clips, tmp_path / "clips")
    (folder / "窗口.wav").unlink()
    engine = ClipEngine(folder, out_dir=tmp_path)
    health = engine.check()
    assert health.state is HealthState.DEGRADED and "窗口" in health.reason
    with pytest.raises(MissingClip, match="窗口") as e:
        engine.synthesize(Call("A023", 5))
    assert "窗口" in e.value.user_message
    assert ClipEngine(tmp_path / "nowhere").check().state is HealthState.OFFLINE


def test_clips_must_share_one_format(zh_clips: Path, tmp_path: Path) -> None:
    folder = _copy_clips(zh_clips, tmp_path / "clips")
    with wave.open(str(folder / "号.wav"), "wb") as w:  # a clip re-recorded at another rate
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(44100)
        w.writeframes(bytes(4410 * 2))
    with pytest.raises(ConfigError, match="号"):
        ClipEngine(folder, out_dir=tmp_path).synthesize(Call("A023", 5))


def test_not_a_wav_clip(zh_clips: Path, tmp_path: Path) -> None:
    folder = _copy_clips(zh_clips, tmp_path / "clips")
    (folder / "请.wav").write_bytes(b"not a wav")
    with pytest.raises(ConfigError, match="请"):
        ClipEngine(folder, out_dir=tmp_path).synthesize(Call("A023", 5))


def test_silent_engine_records_and_has_a_plausible_length(tmp_path: Path) -> None:
    engine = SilentEngine(out_dir=tmp_path)
    wav = engine.synthesize(Call("A023", 5), recall=True)
    assert [p.text for p in engine.phrases] == ["再次呼叫：请A023号到5号窗口办理"]
    assert 2 <= wav_seconds(wav) <= 12
    with pytest.raises(ConfigError, match="language"):
        SilentEngine("fr")


def _tone_with_silence(path: Path, rate: int = 8000) -> Path:
    """0.5 s silence, 0.2 s of a square wave, 0.5 s silence."""
    loud = array.array("h", [3000 if i % 20 < 10 else -3000 for i in range(int(0.2 * rate))])
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(rate) + loud.tobytes() + bytes(rate))
    return path


def test_trim_silence_keeps_the_sound_and_a_margin(tmp_path: Path) -> None:
    wav = trim_silence(_tone_with_silence(tmp_path / "t.wav"), margin=0.05)
    assert wav_seconds(wav) == pytest.approx(0.3, abs=0.01)
    silent = tmp_path / "s.wav"
    SilentEngine(out_dir=tmp_path).synthesize(Call("A1", 1)).rename(silent)
    before = wav_seconds(silent)
    assert wav_seconds(trim_silence(silent)) == before  # nothing to keep: left alone


def test_generated_clips_are_trimmed(zh_clips: Path) -> None:
    # espeak-ng leaves ~0.4 s after each word; joined clips would sound halting
    for clip in zh_clips.glob("*.wav"):
        with wave.open(str(clip), "rb") as w:
            samples = array.array("h", w.readframes(w.getnframes()))
            tail = int(0.1 * w.getframerate())
        assert max(abs(v) for v in samples[-tail:]) > 300, clip
        assert max(abs(v) for v in samples[:tail]) > 300, clip


@needs_espeak
def test_command_line_says_a_call(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "call.wav"
    assert voice_main(["say", "A023", "5", "--out", str(out), "--play", "sox {wav} -n"]) == 0
    assert "请A023号到5号窗口办理" in capsys.readouterr().out
    assert 2 <= wav_seconds(out) <= 12
    assert voice_main(["say", "a023", "5", "--out", str(out)]) == 1
    assert "叫号内容无效" in capsys.readouterr().err


@needs_espeak
@pytest.mark.parametrize("voice", ["cmn-xx", "xx-yy", "en+nosuch", "pinyin"])
def test_a_voice_espeak_does_not_know_fails_the_check(voice: str) -> None:
    # espeak-ng 1.51 exits 0 for "cmn-xx" (falls back to cmn) and "en+nosuch": never "ok".
    health = EspeakEngine("zh", voice=voice).check()
    assert (health.state, health.code) == (HealthState.OFFLINE, "voice-unknown")
    assert voice.split("+")[-1] in health.reason


@needs_espeak
@pytest.mark.parametrize("voice", ["cmn-latn-pinyin", "cmn-Latn-pinyin", "zh", "en+f3"])
def test_a_voice_espeak_knows_passes_after_one_phrase(voice: str) -> None:
    before = set(Path(tempfile.gettempdir()).glob("yichuang-voicecheck-*"))
    health = EspeakEngine("zh", voice=voice).check()
    assert health.ok and voice in health.reason
    assert set(Path(tempfile.gettempdir()).glob("yichuang-voicecheck-*")) == before


def test_a_voice_that_cannot_synthesise_fails_the_check(tmp_path: Path) -> None:
    # A stand-in espeak-ng that lists the voice but writes no sound.
    fake = tmp_path / "espeak-ng"
    fake.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "--voices" ]; then\n'
        "  echo 'Pty Language Age/Gender VoiceName File Other Languages'\n"
        "  echo ' 5  cmn-latn-pinyin --/M Chinese sit/cmn-Latn-pinyin (zh 5)'\n"
        "fi\nexit 0\n"
    )
    fake.chmod(0o755)
    health = EspeakEngine("zh", exe=str(fake)).check()
    assert (health.state, health.code) == (HealthState.OFFLINE, "espeak-failed")
