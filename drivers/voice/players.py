"""Playing a WAV to the hall speakers: an external command, a timed wait, or nothing.

A player blocks until the sound has finished, which is what keeps calls from
overlapping: the announcer starts the next call only when ``play`` returns.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import threading
import wave
from pathlib import Path
from typing import Protocol

from drivers.base import (
    ConfigError,
    DeviceTimeout,
    DeviceUnavailable,
    DriverError,
    Health,
    HealthState,
)


def wav_seconds(path: Path) -> float:
    """Duration of a WAV file in seconds."""
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / w.getframerate()


class Player(Protocol):
    """Plays one WAV to the end; raises a DriverError if it cannot."""

    def check(self) -> Health:
        """Whether playing can work at all (e.g. the command is installed)."""
        ...

    def play(self, wav: Path) -> None:
        """Play `wav`, returning when it has finished."""
        ...

    def stop(self) -> None:
        """Cut the current sound short (from another thread, on close)."""
        ...


class NullPlayer:
    """Plays nothing and returns at once: for a display without speakers."""

    def check(self) -> Health:
        return Health(HealthState.OK)

    def play(self, wav: Path) -> None:
        pass

    def stop(self) -> None:
        pass


class WaitPlayer:
    """Sounds like nothing but takes the WAV's duration (divided by `speed`): a simulated speaker."""

    def __init__(self, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ConfigError(f"player speed {speed}: must be > 0")
        self.speed = speed
        self._stop = threading.Event()

    def check(self) -> Health:
        return Health(HealthState.OK)

    def play(self, wav: Path) -> None:
        self._stop.clear()
        self._stop.wait(wav_seconds(wav) / self.speed)

    def stop(self) -> None:
        self._stop.set()


class CommandPlayer:
    """Runs a command such as ``aplay -q {wav}`` or ``paplay {wav}`` and waits for it."""

    def __init__(self, template: str, *, slack: float = 10.0) -> None:
        self.argv = shlex.split(template)
        if not self.argv:
            raise ConfigError("player command is empty")
        if not any("{wav}" in a for a in self.argv):
            self.argv.append("{wav}")
        self.slack = slack  # a player may legitimately take a little longer than the sound
        self._proc: subprocess.Popen[bytes] | None = None
        self._stopped = False
        self._lock = threading.Lock()

    def check(self) -> Health:
        if shutil.which(self.argv[0]) is None:
            return Health(
                HealthState.OFFLINE,
                f"找不到播放程序 {self.argv[0]}，叫号语音无法播放",
                "player-missing",
            )
        return Health(HealthState.OK)

    def play(self, wav: Path) -> None:
        argv = [a.replace("{wav}", str(wav)) for a in self.argv]
        try:
            proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
        except OSError as e:
            raise DeviceUnavailable(
                f"cannot run player {argv[0]}: {e}",
                user_message=f"找不到播放程序 {argv[0]}，叫号语音无法播放",
            ) from e
        with self._lock:
            self._proc, self._stopped = proc, False
        try:
            # A hung player (sound server gone) must not stall the queue for ever.
            _, err = proc.communicate(timeout=wav_seconds(wav) + self.slack)
        except subprocess.TimeoutExpired as e:
            proc.kill()
            proc.communicate()
            raise DeviceTimeout(
                f"player {argv[0]} did not finish", user_message="播放程序无响应，请检查音箱"
            ) from e
        finally:
            with self._lock:
                self._proc = None
        if proc.returncode != 0 and not self._stopped:
            msg = err.decode(errors="replace").strip()[:200]
            raise DriverError(
                f"player {argv[0]} exited {proc.returncode}: {msg}",
                user_message="叫号语音播放失败，请检查音箱和声卡",
            )

    def stop(self) -> None:
        with self._lock:
            if self._proc is not None and self._proc.poll() is None:
                self._stopped = True
                self._proc.terminate()


def make_player(spec: str | None, *, speed: float = 1.0) -> Player:
    """A player from config: ``none``, ``wait``, ``aplay``/``paplay``, or a command with ``{wav}``."""
    if spec is None or spec in ("", "none"):
        return NullPlayer()
    if spec == "wait":
        return WaitPlayer(speed)
    if spec == "aplay":
        return CommandPlayer("aplay -q {wav}")
    return CommandPlayer(spec)
