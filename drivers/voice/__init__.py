"""Voice announcements for the hall display: "请 A023 号到 5 号窗口办理", said twice.

Pick the announcer from a config URL:

- ``espeak://?lang=zh&voice=cmn-latn-pinyin&rate=150&player=aplay`` — espeak-ng
- ``clips:///srv/yichuang/clips?player=paplay`` — pre-recorded clips ``<word>.wav``
- ``sim://voice`` — silence, in-process, records every phrase (``?player=wait&speed=1``
  makes it take as long as the real speech, for the demo)

Options: ``lang`` (zh, en), ``player`` (none, wait, aplay, paplay or a command
with ``{wav}``), ``pause`` (seconds between the two repetitions), ``speed``
(wait player only), ``voice`` and ``rate`` (espeak only).
"""

from __future__ import annotations

from pathlib import Path

from drivers.base import ConfigError, parse_device_url
from drivers.voice.announcer import Announcer, Listener, Spoken
from drivers.voice.engines import ClipEngine, Engine, EspeakEngine, SilentEngine, make_clips
from drivers.voice.phrases import Call, Phrase, phrase_for
from drivers.voice.players import make_player

__all__ = [
    "Announcer",
    "Call",
    "ClipEngine",
    "EspeakEngine",
    "Phrase",
    "SilentEngine",
    "Spoken",
    "make_clips",
    "open_announcer",
    "phrase_for",
]

_OPTIONS = {
    "espeak": {"lang", "player", "pause", "speed", "voice", "rate", "repeats"},
    "clips": {"lang", "player", "pause", "speed", "repeats"},
    "sim": {"lang", "player", "pause", "speed", "repeats"},
}


def open_announcer(
    url: str,
    *,
    on_start: Listener | None = None,
    on_end: Listener | None = None,
    repeats: int | None = None,
) -> Announcer:
    """Build and start the announcer a config URL names; ConfigError if the URL is wrong.
    A call is said `repeats` times (1–5): the argument, else the URL's `repeats=`, else 2."""
    u = parse_device_url(url, allowed=tuple(_OPTIONS))
    unknown = set(u.params) - _OPTIONS[u.scheme]
    if unknown:
        raise ConfigError(
            f"{url}: unknown option {', '.join(sorted(unknown))} "
            f"(expected {', '.join(sorted(_OPTIONS[u.scheme]))})"
        )
    lang = u.param("lang", "zh") or "zh"
    pause = u.float_param("pause", 0.6)
    times = repeats if repeats is not None else u.int_param("repeats", 2)
    if not 1 <= times <= 5:
        raise ConfigError(f"{url}: a call said {times} times, expected 1..5")
    if not 0 <= pause <= 10:
        raise ConfigError(f"{url}: pause={pause} seconds, expected 0..10")
    # The player is checked first: a bad option must not leave an engine's temp folder behind.
    default_player = "none" if u.scheme == "sim" else "aplay"
    player = make_player(u.param("player", default_player), speed=u.float_param("speed", 1.0))
    engine: Engine
    if u.scheme == "espeak":
        engine = EspeakEngine(
            lang, voice=u.param("voice"), rate=u.int_param("rate", 150), pause_ms=int(pause * 1000)
        )
    elif u.scheme == "clips":
        if not u.path:
            raise ConfigError(f"{url}: no clip folder (expected clips:///path/to/clips)")
        engine = ClipEngine(Path(u.path), lang, pause=pause)
    else:
        if u.host != "voice":
            raise ConfigError(f"{url}: the simulated announcer is sim://voice")
        engine = SilentEngine(lang, pause=pause)
    engine.repeats = times
    return Announcer(engine, player, on_start=on_start, on_end=on_end)
