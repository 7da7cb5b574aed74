"""Turning a call into a WAV file: espeak-ng, pre-recorded clips, or silence.

Every engine has the same small interface (:class:`Engine`): ``synthesize``
writes the WAV for a call into the engine's own folder and returns its path.
The phrase itself always comes from :mod:`drivers.voice.phrases`.
"""

from __future__ import annotations

import array
import re
import shutil
import subprocess
import tempfile
import wave
from pathlib import Path
from typing import Protocol

from drivers.base import ConfigError, DeviceUnavailable, Health, HealthState
from drivers.voice.phrases import VOCAB, Call, Phrase, phrase_for

ESPEAK_VOICES = {"zh": "cmn-latn-pinyin", "en": "en"}
#: the health of a simulated voice (sim://voice): it works, and no sound comes out
SIMULATED = Health(HealthState.OK, "模拟语音（不出声）", "sim")


class MissingClip(ConfigError):
    """A recorded clip the phrase needs is not in the clip folder."""

    user_message = "叫号语音片段缺失，请联系工作人员"


class Engine(Protocol):
    """Makes the WAV for a call."""

    lang: str
    repeats: int  # how many times a call is said

    def check(self) -> Health:
        """Whether the engine can work (program installed, clips present)."""
        ...

    def synthesize(self, call: Call, *, recall: bool = False) -> Path:
        """Write the announcement for `call` as a WAV and return its path."""
        ...

    def say(self, speech: str, name: str) -> Path:
        """Write free speech (spoken guidance: SSML fragments as `Phrase.speech` gives
        them) as the WAV `name`.wav and return its path."""
        ...

    def close(self) -> None:
        """Remove the engine's temporary files."""
        ...


class _FileEngine:
    """Shared by the engines: where the WAVs go and what they are called."""

    repeats = 2  # how many times a call is said (a display setting: open_announcer)

    def __init__(self, lang: str, out_dir: Path | None) -> None:
        if lang not in VOCAB:
            raise ConfigError(f"voice language {lang!r}: expected one of {', '.join(VOCAB)}")
        self.lang = lang
        self._own_dir = out_dir is None
        self._out_dir = out_dir

    @property
    def out_dir(self) -> Path:
        """Where the WAVs go; an engine's own temporary folder is made at its first call."""
        if self._out_dir is None:
            self._out_dir = Path(tempfile.mkdtemp(prefix="yichuang-voice-"))
        return self._out_dir

    def _target(self, call: Call, recall: bool) -> Path:
        # One file per (ticket, window, recall): bounded by the day's tickets, not by time.
        kind = "recall" if recall else "call"
        return self.out_dir / f"{self.lang}-{kind}-{call.ticket}-{call.window}.wav"

    def close(self) -> None:
        if self._own_dir and self._out_dir is not None:
            shutil.rmtree(self._out_dir, ignore_errors=True)
            self._out_dir = None


def run_espeak(
    ssml: str, out: Path, *, voice: str, rate: int = 150, exe: str = "espeak-ng"
) -> Path:
    """Run ``espeak-ng -m -v VOICE -s RATE -w OUT SSML``; raise DeviceUnavailable on failure."""
    argv = [exe, "-m", "-v", voice, "-s", str(rate), "-w", str(out), ssml]
    try:
        res = subprocess.run(argv, capture_output=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise DeviceUnavailable(
            f"espeak-ng failed: {e}", user_message="语音合成失败，请联系工作人员"
        ) from e
    if res.returncode != 0 or not out.exists() or out.stat().st_size <= 44:
        err = res.stderr.decode(errors="replace").strip()[:200]
        raise DeviceUnavailable(
            f"espeak-ng exited {res.returncode}: {err}", user_message="语音合成失败，请联系工作人员"
        )
    return out


def _names(listing: str) -> set[str]:
    """Every name a voice of ``espeak-ng --voices`` output answers to (lower case)."""
    names: set[str] = set()
    for row in listing.splitlines()[1:]:
        cols = row.split()
        if len(cols) < 5:
            continue
        language, voice_name, file = cols[1], cols[3], cols[4]
        names |= {language, voice_name, file, file.rsplit("/", 1)[-1]}
        names |= set(re.findall(r"\(([^ )]+) \d+\)", " ".join(cols[5:])))  # (zh 5)
    return {n.lower() for n in names}


def unknown_voice(voice: str, exe: str = "espeak-ng") -> str:
    """The part of a voice spec ("cmn-latn-pinyin", "en+f3") espeak-ng does not list; "" if none."""
    base, _, variant = voice.partition("+")
    for name, arg in ((base, "--voices"), (variant, "--voices=variant")):
        if not name:
            continue
        try:
            out = subprocess.run([exe, arg], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.TimeoutExpired):
            return name
        if name.lower() not in _names(out):
            return name
    return ""


class EspeakEngine(_FileEngine):
    """Synthesizes with espeak-ng: pinyin through ``cmn-latn-pinyin`` for zh, ``en`` for English."""

    def __init__(
        self,
        lang: str = "zh",
        *,
        voice: str | None = None,
        rate: int = 150,
        pause_ms: int = 600,
        exe: str = "espeak-ng",
        out_dir: Path | None = None,
    ) -> None:
        super().__init__(lang, out_dir)
        self.voice = voice or ESPEAK_VOICES[lang]
        self.rate, self.pause_ms, self.exe = rate, pause_ms, exe

    def check(self) -> Health:
        """espeak-ng is there, knows the configured voice, and makes a WAV with it.

        espeak-ng 1.51 exits 0 for a voice it half knows ("cmn-xx" falls back to "cmn",
        which reads pinyin by English rules; "en+nosuch" drops the variant), so the voice
        is looked up in ``espeak-ng --voices`` first, then one short phrase is synthesised.
        """
        if shutil.which(self.exe) is None:
            return Health(
                HealthState.OFFLINE, "未安装 espeak-ng，叫号语音无法合成", "espeak-missing"
            )
        missing = unknown_voice(self.voice, self.exe)
        if missing:
            return Health(
                HealthState.OFFLINE,
                f"espeak-ng 没有语音 {missing}，叫号语音无法合成",
                "voice-unknown",
            )
        phrase = phrase_for(Call("A1", 1), self.lang)
        with tempfile.TemporaryDirectory(prefix="yichuang-voicecheck-") as tmp:
            try:
                run_espeak(phrase.ssml(0), Path(tmp) / "check.wav", voice=self.voice,
                           rate=self.rate, exe=self.exe)  # fmt: skip
            except DeviceUnavailable as e:
                return Health(HealthState.OFFLINE, e.user_message, "espeak-failed")
        return Health(HealthState.OK, f"espeak-ng {self.voice}", "ok")

    def synthesize(self, call: Call, *, recall: bool = False) -> Path:
        phrase = phrase_for(call, self.lang, recall=recall, repeats=self.repeats)
        out = self._target(call, recall)
        return run_espeak(
            phrase.ssml(self.pause_ms), out, voice=self.voice, rate=self.rate, exe=self.exe
        )

    def say(self, speech: str, name: str) -> Path:
        out = self.out_dir / f"{self.lang}-{name}.wav"
        return run_espeak(f"<speak>{speech}</speak>", out, voice=self.voice, rate=self.rate,
                          exe=self.exe)  # fmt: skip


class ClipEngine(_FileEngine):
    """Joins pre-recorded clips ``<folder>/<word>.wav`` (all one format) with a pause between repeats."""

    def __init__(
        self, folder: Path, lang: str = "zh", *, pause: float = 0.6, out_dir: Path | None = None
    ) -> None:
        super().__init__(lang, out_dir)
        self.folder, self.pause = Path(folder), pause

    def check(self) -> Health:
        if not self.folder.is_dir():
            return Health(
                HealthState.OFFLINE, f"找不到叫号语音文件夹 {self.folder}", "clips-missing"
            )
        missing = [w for w in VOCAB[self.lang] if not (self.folder / f"{w}.wav").exists()]
        if missing:
            return Health(
                HealthState.DEGRADED, f"缺少语音片段：{'、'.join(missing)}", "clip-missing"
            )
        return Health(HealthState.OK)

    def _read(self, word: str) -> tuple[tuple[int, int, int], bytes]:
        path = self.folder / f"{word}.wav"
        if not path.exists():
            raise MissingClip(
                f"clip {word!r} missing: {path}",
                user_message=f"缺少叫号语音片段“{word}”，请联系工作人员",
            )
        try:
            with wave.open(str(path), "rb") as w:
                if w.getcomptype() != "NONE":
                    raise ConfigError(f"clip {path} is compressed; need plain PCM WAV")
                fmt = (w.getnchannels(), w.getsampwidth(), w.getframerate())
                return fmt, w.readframes(w.getnframes())
        except (wave.Error, EOFError) as e:
            raise ConfigError(f"clip {path} is not a readable WAV: {e}") from e

    def say(self, speech: str, name: str) -> Path:
        raise ConfigError("recorded clips cannot say free sentences; use espeak-ng")

    def synthesize(self, call: Call, *, recall: bool = False) -> Path:
        phrase = phrase_for(call, self.lang, recall=recall, repeats=self.repeats)
        fmt: tuple[int, int, int] | None = None
        first = ""
        once = bytearray()
        for word in phrase.words:
            f, frames = self._read(word)
            if fmt is None:
                fmt, first = f, word
            elif f != fmt:  # joining mixed formats would play as noise at the wrong speed
                raise ConfigError(f"clip {word!r} has format {f}, clip {first!r} has {fmt}")
            once += frames
        assert fmt is not None  # a phrase always has words
        channels, width, rate = fmt
        gap = bytes(int(self.pause * rate) * channels * width)
        out = self._target(call, recall)
        with wave.open(str(out), "wb") as w:
            w.setnchannels(channels)
            w.setsampwidth(width)
            w.setframerate(rate)
            w.writeframes(gap.join([bytes(once)] * phrase.repeats))
        return out


class SilentEngine(_FileEngine):
    """Writes silence about as long as the spoken phrase, and records every phrase: for tests and the demo."""

    RATE = 8000

    def __init__(
        self,
        lang: str = "zh",
        *,
        word_seconds: float = 0.3,
        pause: float = 0.6,
        out_dir: Path | None = None,
    ) -> None:
        super().__init__(lang, out_dir)
        self.word_seconds, self.pause = word_seconds, pause
        self.phrases: list[Phrase] = []
        self.speeches: list[str] = []  # what `say` was given (spoken guidance)

    def check(self) -> Health:
        """Works, and says it is a simulator (sim://voice): never 'ok' as a real voice."""
        return SIMULATED

    def _silence(self, out: Path, seconds: float) -> Path:
        with wave.open(str(out), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(self.RATE)
            w.writeframes(bytes(int(seconds * self.RATE) * 2))
        return out

    def say(self, speech: str, name: str) -> Path:
        self.speeches.append(speech)
        words = len(re.sub(r"<[^>]*>", " ", speech).split())
        return self._silence(self.out_dir / f"{self.lang}-{name}.wav", words * self.word_seconds)

    def synthesize(self, call: Call, *, recall: bool = False) -> Path:
        phrase = phrase_for(call, self.lang, recall=recall, repeats=self.repeats)
        self.phrases.append(phrase)
        seconds = phrase.repeats * len(phrase.words) * self.word_seconds
        seconds += (phrase.repeats - 1) * self.pause
        return self._silence(self._target(call, recall), seconds)


def trim_silence(path: Path, *, threshold: int = 300, margin: float = 0.05) -> Path:
    """Cut the leading and trailing silence of a 16-bit mono WAV, keeping `margin` seconds each side.

    espeak-ng ends every word with ~0.4 s of silence; joined clips would sound halting.
    """
    with wave.open(str(path), "rb") as w:
        params = w.getparams()
        samples = array.array("h", w.readframes(w.getnframes()))
    if (params.sampwidth, params.nchannels) != (2, 1):
        return path  # espeak-ng writes 16-bit mono; anything else was recorded with care
    first = next((i for i, v in enumerate(samples) if abs(v) > threshold), None)
    if first is None:
        return path  # all silence: leave it as it is
    last = next(i for i in range(len(samples) - 1, -1, -1) if abs(samples[i]) > threshold)
    keep = int(margin * params.framerate)
    start, end = max(0, first - keep), min(len(samples), last + 1 + keep)
    with wave.open(str(path), "wb") as w:
        w.setparams(params)
        w.writeframes(samples[start:end].tobytes())
    return path


def make_clips(
    folder: Path, lang: str = "zh", *, rate: int = 150, exe: str = "espeak-ng"
) -> list[Path]:
    """Record every clip a phrase can need into `folder` with espeak-ng (no audio is shipped)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    voice = ESPEAK_VOICES[lang]
    clips = []
    for word, text in VOCAB[lang].items():
        wav = run_espeak(
            f"<speak>{text}</speak>", folder / f"{word}.wav", voice=voice, rate=rate, exe=exe
        )
        clips.append(trim_silence(wav))
    return clips
