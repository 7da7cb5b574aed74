"""The hall announcer: one worker thread saying queued calls one after another.

``announce`` and ``recall`` only enqueue, so the display's GUI thread never
waits on a speaker. The worker synthesizes a call, plays it to the end, and
only then takes the next one: calls never overlap. A failure to synthesize
or play is turned into health (with a Chinese reason) and the next call is
still tried; nothing here raises into the caller except misuse.
"""

from __future__ import annotations

import collections
import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from drivers.base import DeviceUnavailable, DriverError, Health, HealthState, working_health
from drivers.voice.engines import Engine
from drivers.voice.phrases import Call, phrase_for
from drivers.voice.players import NullPlayer, Player

log = logging.getLogger(__name__)


@dataclass
class Spoken:
    """One announcement as it happened: what was said, when, and whether it played."""

    call: Call
    recall: bool
    text: str
    start: float
    end: float | None = None  # None while it is being said
    ok: bool = True
    error: str = ""  # the Chinese reason when ok is False


Listener = Callable[[Spoken], None]


class Announcer:
    """Says calls through `engine` and `player`, strictly one at a time, in order."""

    def __init__(
        self,
        engine: Engine,
        player: Player | None = None,
        *,
        on_start: Listener | None = None,
        on_end: Listener | None = None,
        max_pending: int = 50,
        history_size: int = 1000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self.player: Player = player or NullPlayer()
        self.on_start, self.on_end = on_start, on_end  # called on the worker thread
        self.max_pending, self._clock = max_pending, clock
        self._cond = threading.Condition()
        self._pending: collections.deque[tuple[Call, bool]] = collections.deque()
        # Bounded: a hall runs for weeks; the display only needs the recent calls.
        self._history: collections.deque[Spoken] = collections.deque(maxlen=history_size)
        self._busy = self._closed = False
        self._ok = Health(HealthState.OK)  # what a call that played leaves
        self._health = self._startup_health()
        self._thread = threading.Thread(target=self._run, name="yichuang-voice", daemon=True)
        self._thread.start()

    def _startup_health(self) -> Health:
        checks = (self.engine.check(), self.player.check())
        for h in checks:
            if not h.ok:
                return h
        self._ok = working_health(checks)  # also after each call: a simulator says so
        return self._ok

    # -- caller side (any thread, never blocks on audio) -------------------------

    def announce(self, call: Call) -> None:
        """Queue `call` to be said; returns at once."""
        self._put(call, recall=False)

    def recall(self, call: Call) -> None:
        """Queue `call` again, after whatever is already waiting (再次呼叫)."""
        self._put(call, recall=True)

    def _put(self, call: Call, recall: bool) -> None:
        with self._cond:
            if self._closed:
                raise DeviceUnavailable("announcer is closed", user_message="叫号语音已关闭")
            if len(self._pending) >= self.max_pending:
                # A stuck speaker must not grow the queue for ever; the oldest call is stalest.
                dropped, _ = self._pending.popleft()
                log.warning("voice queue full, dropping %s", dropped)
                self._health = Health(
                    HealthState.DEGRADED, "叫号语音积压，部分呼叫未播报", "backlog"
                )
            self._pending.append((call, recall))
            self._cond.notify_all()

    def health(self) -> Health:
        """The announcer's health: OK, DEGRADED (a call failed to play) or OFFLINE."""
        with self._cond:
            return self._health

    def history(self) -> list[Spoken]:
        """Copies of everything said so far, oldest first (the last may still be playing)."""
        with self._cond:
            return [dataclasses.replace(s) for s in self._history]

    def pending(self) -> int:
        """How many calls wait to be said."""
        with self._cond:
            return len(self._pending)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing is queued or playing; False if `timeout` ran out first."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._pending and not self._busy, timeout)

    def close(self, timeout: float = 5.0) -> bool:
        """Drop waiting calls, cut the current one short, stop the worker; True if it stopped in time."""
        with self._cond:
            self._closed = True
            self._pending.clear()
            self._cond.notify_all()
        deadline = time.monotonic() + timeout
        # stop() again until the worker exits: it may start a sound just after the first stop().
        while self._thread.is_alive() and time.monotonic() < deadline:
            self.player.stop()
            self._thread.join(0.05)
        self.engine.close()
        if self._thread.is_alive():
            log.warning("voice worker did not stop within %.1f s", timeout)
            return False
        return True

    # -- worker thread ------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending or self._closed)
                if self._closed:
                    return
                call, recall = self._pending.popleft()
                self._busy = True
            try:
                self._say(call, recall)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _say(self, call: Call, recall: bool) -> None:
        text = phrase_for(call, self.engine.lang, recall=recall).text  # said once, for the log
        entry = Spoken(call, recall, text, start=self._clock())
        with self._cond:
            self._history.append(entry)
        self._tell(self.on_start, entry)
        health = self._ok
        try:
            self.player.play(self.engine.synthesize(call, recall=recall))
        except DeviceUnavailable as e:
            health = Health(HealthState.OFFLINE, e.user_message, type(e).__name__)
        except DriverError as e:
            health = Health(HealthState.DEGRADED, e.user_message, type(e).__name__)
        except Exception:  # a bug: keep the log, keep the hall talking
            log.exception("voice: failed to say %s", call)
            health = Health(HealthState.DEGRADED, "叫号语音故障，请联系工作人员", "bug")
        if not health.ok:
            log.warning("voice: %s not played: %s", call, health.reason)
        with self._cond:
            entry.end, entry.ok, entry.error = self._clock(), health.ok, health.reason
            self._health = health
        self._tell(self.on_end, entry)

    def _tell(self, listener: Listener | None, entry: Spoken) -> None:
        if listener is None:
            return
        try:
            listener(dataclasses.replace(entry))
        except Exception:  # a listener's bug must not silence the hall
            log.exception("voice listener failed")
