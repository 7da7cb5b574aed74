"""Fixtures for the voice tests: clips recorded by espeak-ng, players that really take time."""

from __future__ import annotations

import shutil
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.voice import Announcer, make_clips


@pytest.fixture(scope="session")
def zh_clips(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clip folder for Mandarin, recorded once per session with espeak-ng."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng not installed")
    folder = tmp_path_factory.mktemp("clips-zh")
    make_clips(folder, "zh")
    return folder


def _script(path: Path, body: str) -> Path:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def play_log(tmp_path: Path) -> Path:
    """Where the timed player writes 'start T wav' / 'end T wav' lines."""
    return tmp_path / "play.log"


@pytest.fixture
def timed_player(tmp_path: Path, play_log: Path) -> str:
    """A player command for a machine without a sound card: a real process that lasts the
    WAV's duration (sox's soxi) divided by 20, logging when it starts and ends."""
    if shutil.which("soxi") is None:
        pytest.skip("sox not installed")
    script = _script(
        tmp_path / "timed-player",
        f'echo "start $(date +%s.%N) $1" >> {play_log}\n'
        'sleep "$(soxi -D "$1" | awk \'{print $1 / 20}\')"\n'
        f'echo "end $(date +%s.%N) $1" >> {play_log}\n',
    )
    return f"{script} {{wav}}"


@pytest.fixture
def failing_player(tmp_path: Path) -> str:
    """A player that fails like aplay without a sound card."""
    script = _script(tmp_path / "failing-player", 'echo "aplay: no soundcards found" >&2\nexit 1\n')
    return f"{script} {{wav}}"


@pytest.fixture
def announcers() -> Iterator[list[Announcer]]:
    """Announcers made by a test; every one is closed after it, and must stop."""
    made: list[Announcer] = []
    yield made
    for a in made:
        assert a.close(timeout=5), "voice worker thread did not stop"


@pytest.fixture(autouse=True)
def no_leaked_voice_threads() -> Iterator[None]:
    """Every announcer a test starts must be closed by it (napari-style leak check)."""
    yield
    leaked = [t.name for t in threading.enumerate() if t.name == "yichuang-voice" and t.is_alive()]
    assert not leaked, f"{len(leaked)} announcer thread(s) left running"
