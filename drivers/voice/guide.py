"""Spoken guidance (the kiosk's "请选择要办理的业务"): short sentences, the latest one wins.

The board's announcer says calls strictly one after another; guidance is different: a
citizen who taps on must hear the new screen's sentence now, not after the old one. So
`Guide.say` replaces whatever waits and cuts the sentence being said short. The same
engines and players as the announcer do the work (espeak-ng through `run_espeak`, the
board's players), so the kiosk and the board sound alike.

What is said is an :class:`Utterance`: the text for people and the log, and the speech
espeak-ng reads. Chinese text becomes tone-numbered pinyin (pypinyin) for the board's
``cmn-latn-pinyin`` voice; ticket numbers and counts are read as the board reads them
("A 零 二 三", "十二"). Nothing here raises into the caller: a missing espeak-ng, an
unknown voice or a failing player is a log line, and the kiosk stays silent.
"""

from __future__ import annotations

import dataclasses
import html
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from drivers.base import (
    ConfigError,
    DriverError,
    Health,
    HealthState,
    parse_device_url,
    working_health,
)
from drivers.voice.engines import ESPEAK_VOICES, Engine, EspeakEngine, SilentEngine
from drivers.voice.phrases import (
    MAX_WINDOW,
    TICKET_RE,
    VOCAB,
    number_en,
    number_zh,
    spell_ticket,
)
from drivers.voice.players import Player, make_player

log = logging.getLogger(__name__)

_CJK = re.compile(r"[\u3400-\u9fff]")
# A ticket number in a sentence ("A023"), a number, a run of Chinese, a pause, other letters.
_TOKEN = re.compile(
    r"(?P<ticket>\b[A-Z]{1,3}[0-9]{1,5}\b)|(?P<num>[0-9]+)|(?P<han>[\u3400-\u9fff]+)"
    r"|(?P<stop>[。！？!?；;]+|\.(?=\s|$))|(?P<comma>[，、,：:—…]+)|(?P<latin>[A-Za-z]+)"
)


@dataclass(frozen=True)
class Utterance:
    """One sentence to say: `text` for people and the log; `parts` what is said, each
    either ready speech (True: SSML fragments, pinyin for zh) or text still to be read
    (False). The reading (pinyin's dictionary takes a second to load) happens on the
    guide's worker, when `speech` is asked for, never on the screen's thread."""

    lang: str
    text: str
    parts: tuple[tuple[bool, str], ...]

    @property
    def speech(self) -> str:
        """The sentence as espeak-ng reads it."""
        return _tidy(" ".join(s if ready else _speech(s, self.lang) for ready, s in self.parts))

    def __add__(self, other: Utterance) -> Utterance:
        if other.lang != self.lang:
            raise ValueError(f"cannot join a {self.lang} and a {other.lang} utterance")
        return Utterance(self.lang, self.text + other.text, self.parts + other.parts)


def speech_lang(text: str, lang: str) -> str:
    """The voice a sentence needs: Chinese text is read by the Chinese voice whatever the
    kiosk's language (a hall's sentence that has no English yet)."""
    return "zh" if _CJK.search(text) else lang


def _pinyin(han: str) -> str:
    from pypinyin import Style, lazy_pinyin  # heavy dictionary: load only when needed

    return " ".join(lazy_pinyin(han, style=Style.TONE3, neutral_tone_with_five=True))


def _words(words: list[str], lang: str) -> str:
    return " ".join(VOCAB[lang][w] for w in words)


def ticket_speech(number: str, lang: str) -> str:
    """A ticket number read as the board reads it: letters and digits one by one."""
    return _words(spell_ticket(number, lang), lang)


def count_speech(n: int, lang: str) -> str:
    """A count read as the board reads its window numbers ("十二", "twenty one"); 0 is
    零/zero, and beyond 999 the digits one by one."""
    if n == 0:
        return _words(["0" if lang == "zh" else "zero"], lang)
    if 1 <= n <= MAX_WINDOW:
        return _words(number_zh(n) if lang == "zh" else number_en(n), lang)
    return _words(spell_ticket(str(abs(n)), lang), lang)


def _tidy(speech: str) -> str:
    speech = re.sub(r"\s+", " ", speech)
    speech = re.sub(r"\s*([,.])(\s*[,.])*\s*", r"\1 ", speech)  # one pause, not two
    return speech.strip().strip(",").strip()


def _speech(text: str, lang: str) -> str:
    out: list[str] = []
    for m in _TOKEN.finditer(text):
        kind, tok = m.lastgroup, m.group()
        if kind == "ticket" and TICKET_RE.fullmatch(tok):
            out.append(ticket_speech(tok, lang))
        elif kind == "num":
            out.append(count_speech(int(tok), lang) if len(tok) <= 3 else ticket_speech(tok, lang))
        elif kind == "han":
            out.append(_pinyin(tok))
        elif kind == "stop":
            out.append(". " if lang == "en" else ", ")
        elif kind == "comma":
            out.append(", ")
        elif kind == "latin":
            # zh: capitals are letter names for the pinyin voice; English words as they are
            out.append(tok.upper() if lang == "zh" else html.escape(tok))
    return " ".join(out)


def utter(text: str, lang: str) -> Utterance:
    """A sentence as it is said in `lang` (Chinese text always by the Chinese voice)."""
    return Utterance(speech_lang(text, lang), text, ((False, text),))


def compose(template: str, lang: str, text: str, **parts: str | Utterance) -> Utterance:
    """A sentence with spoken parts: ``compose("您的号码是 {number}，…", "zh", "您的号码是
    A023，…", number=ticket_speech("A023", "zh"))``. The template's words are read as
    `utter` reads them; each ``{name}`` is its ready speech (a str) or an utterance's
    words; `text` is the sentence as shown and logged."""
    lang = speech_lang(re.sub(r"\{\w+\}", "", template), lang)
    said: list[tuple[bool, str]] = []
    for i, piece in enumerate(re.split(r"\{(\w+)\}", template)):
        if not i % 2:
            said.append((False, piece))
        elif isinstance(part := parts[piece], Utterance):
            said.extend(part.parts)
        else:
            said.append((True, part))
    return Utterance(lang, text, tuple(said))


@dataclass
class Said:
    """One sentence as it went: what, when, whether it played to the end."""

    text: str
    lang: str
    start: float
    end: float | None = None
    ok: bool = True
    cut: bool = False  # a newer sentence (or `stop`) cut it short
    error: str = ""
    wav: Path | None = None


Listener = Callable[[Said], None]


class Guide:
    """Says one sentence at a time on a worker thread; a new sentence replaces the one
    waiting and cuts the one being said. `say` and `stop` never block."""

    def __init__(
        self,
        engines: dict[str, Engine],
        player: Player,
        *,
        on_end: Listener | None = None,
        history_size: int = 200,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engines, self.player, self.on_end, self._clock = engines, player, on_end, clock
        self._cond = threading.Condition()
        self._next: Utterance | None = None
        self._gen = 0  # bumped by every say/stop: what the worker says is stale once it moves
        self._busy = self._closed = False
        self._history: list[Said] = []
        self._history_size = history_size
        self._n = 0
        self._logged = ""  # the last failure logged: one line per new reason, not per sentence
        self._health = Health(HealthState.UNKNOWN, "尚未检查语音", "not_checked")
        self._ok = Health(HealthState.OK)  # what a sentence said leaves (a simulator's own)
        self._thread = threading.Thread(target=self._run, name="yichuang-guide", daemon=True)
        self._thread.start()

    def _check(self) -> None:
        """On the worker (espeak-ng's voice list takes a moment): what cannot work is logged."""
        checks = [e.check() for e in self.engines.values()] + [self.player.check()]
        self._ok = health = working_health(checks)  # also after each sentence
        for h in checks:
            if not h.ok:
                log.warning("spoken guidance cannot work, the kiosk stays silent: %s", h.reason)
                health = h
                break
        with self._cond:
            if self._health.state is HealthState.UNKNOWN:
                self._health = health
            self._cond.notify_all()

    # -- caller side: returns at once -------------------------------------------------

    def say(self, utt: Utterance) -> None:
        """Say `utt` as soon as possible: instead of anything waiting, cutting the current."""
        with self._cond:
            if self._closed:
                return
            self._gen += 1
            self._next = utt
            self._cond.notify_all()

    def stop(self) -> None:
        """Silence: drop what waits, cut what is being said."""
        with self._cond:
            self._gen += 1
            self._next = None
            self._cond.notify_all()

    def health(self) -> Health:
        with self._cond:
            return self._health

    def checked(self, timeout: float) -> Health:
        """The health once the worker has checked the voices and the player (UNKNOWN if
        `timeout` ran out first): for `hall devices check`."""
        with self._cond:
            self._cond.wait_for(lambda: self._health.state is not HealthState.UNKNOWN, timeout)
            return self._health

    def history(self) -> list[Said]:
        """Copies of the sentences begun so far, oldest first."""
        with self._cond:
            return [dataclasses.replace(s) for s in self._history]

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing waits or plays; False if `timeout` ran out first."""
        with self._cond:
            return self._cond.wait_for(lambda: self._next is None and not self._busy, timeout)

    def close(self, timeout: float = 5.0) -> bool:
        """Stop the worker (cutting the current sentence); True if it ended in time."""
        with self._cond:
            self._closed = True
            self._next = None
            self._gen += 1
            self._cond.notify_all()
        self._thread.join(timeout)
        for e in self.engines.values():
            e.close()
        return not self._thread.is_alive()

    # -- worker -----------------------------------------------------------------------

    def _run(self) -> None:
        self._check()
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._next is not None or self._closed)
                if self._closed:
                    return
                utt, gen = self._next, self._gen
                assert utt is not None
                self._next, self._busy = None, True
            try:
                self._say(utt, gen)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _stale(self, gen: int) -> bool:
        with self._cond:
            return self._gen != gen or self._closed

    def _say(self, utt: Utterance, gen: int) -> None:
        entry = Said(utt.text, utt.lang, start=self._clock())
        with self._cond:
            self._history.append(entry)
            del self._history[: -self._history_size]
        error = ""
        try:
            engine = self.engines.get(utt.lang)
            if engine is None:
                raise ConfigError(f"no voice for language {utt.lang!r}")
            self._n += 1
            entry.wav = engine.say(utt.speech, f"guide-{self._n % 4}")
            if not self._stale(gen):
                self._play(entry.wav, gen)
        except DriverError as e:
            error = f"{e.user_message} ({e})"
        except Exception as e:  # a bug: keep the log, never the kiosk's screen
            log.exception("spoken guidance failed for %r", utt.text)
            error = f"bug: {e}"
        with self._cond:
            entry.end, entry.ok, entry.error = self._clock(), not error, error
            entry.cut = not error and self._gen != gen
            if error:
                self._health = Health(HealthState.DEGRADED, error, "guide-failed")
                if error != self._logged:
                    log.warning("spoken guidance silent: %s", error)
                self._logged = error
            else:
                self._health, self._logged = self._ok, ""
        if self.on_end is not None:
            try:
                self.on_end(dataclasses.replace(entry))
            except Exception:
                log.exception("guide listener failed")

    def _play(self, wav: Path, gen: int) -> None:
        """Play on a thread of its own, stopping it as soon as a newer sentence comes."""
        failure: list[BaseException] = []

        def play() -> None:
            try:
                self.player.play(wav)
            except BaseException as e:  # handed to the worker
                failure.append(e)

        t = threading.Thread(target=play, name="yichuang-guide-play", daemon=True)
        t.start()
        while t.is_alive():
            with self._cond:
                self._cond.wait_for(lambda: self._gen != gen or self._closed, 0.05)
                stale = self._gen != gen or self._closed
            if stale:
                # stop() again until it ends: the player may start its sound just after one
                self.player.stop()
                t.join(0.05)
        if failure and not self._stale(gen):
            raise failure[0]


_OPTIONS = {
    "espeak": {"lang", "player", "speed", "voice", "voice_en", "rate", "pause", "repeats"},
    "sim": {"lang", "player", "speed", "pause", "repeats"},
}


def open_guide(url: str, *, on_end: Listener | None = None) -> Guide:
    """A guide from a voice URL like the board's (``espeak://?player=aplay&rate=150``,
    ``sim://voice``), speaking both Chinese and English: `voice` is the voice of the URL's
    `lang` (default zh), `voice_en` the English one. The board's `pause` and `repeats` are
    accepted (one URL may serve both) and mean nothing here: guidance is said once.
    ConfigError if the URL is wrong (pre-recorded clips cannot say free sentences)."""
    u = parse_device_url(url, allowed=("espeak", "sim", "clips"))
    if u.scheme == "clips":
        raise ConfigError(f"{url}: recorded clips cannot say guidance; use espeak:// or sim://")
    unknown = set(u.params) - _OPTIONS[u.scheme]
    if unknown:
        raise ConfigError(f"{url}: unknown option {', '.join(sorted(unknown))} "
                          f"(expected {', '.join(sorted(_OPTIONS[u.scheme]))})")  # fmt: skip
    default_player = "none" if u.scheme == "sim" else "aplay"
    player = make_player(u.param("player", default_player), speed=u.float_param("speed", 1.0))
    lang = u.param("lang", "zh") or "zh"
    engines: dict[str, Engine] = {}
    for code in ESPEAK_VOICES:
        if u.scheme == "sim":
            if u.host != "voice":
                raise ConfigError(f"{url}: the simulated voice is sim://voice")
            engines[code] = SilentEngine(code)
            continue
        voice = u.param("voice") if code == lang else None
        if code == "en":
            voice = u.param("voice_en") or voice
        engines[code] = EspeakEngine(code, voice=voice, rate=u.int_param("rate", 150))
    return Guide(engines, player, on_end=on_end)
