"""What the hub learns from past days: the wait estimate's and the advisor's constants
(hall.core.history), read from the store once at start and again each new day.

The first read is made before the hub serves. The daily one runs on a thread of its own
(90 busy days take seconds; the loop must keep answering) over a read-only connection of
its own (the store is not thread-safe); the loop takes its result with `take`, and until
then the engine keeps the days it knew.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import date
from pathlib import Path

from hall.core.engine import Engine
from hall.core.history import History
from hall.server.store import Store, read_history

log = logging.getLogger("hall.hub")


class Learning:
    def __init__(self, engine: Engine, db_path: Path) -> None:
        self.engine = engine
        self.db_path = db_path
        self._day: date | None = None  # the day engine.history was learned for
        self._job: threading.Thread | None = None  # relearning, beside the loop
        self._ready: tuple[date, History | None] | None = None  # its result

    def learn(self, store: Store) -> None:
        """At start, before serving, in the hub's thread."""
        today = self.engine.clock().date()
        if self._day != today:
            began = time.monotonic()
            self.engine.history = store.history(today)
            self._day = today
            log.info("learned %d past days in %.1f s", self.engine.history.days,
                     time.monotonic() - began)  # fmt: skip

    @property
    def loading(self) -> bool:
        """Whether the day's relearning is under way beside the loop."""
        return self._job is not None and self._job.is_alive()

    @property
    def ready(self) -> bool:
        """Whether a relearning has ended and waits for `take`."""
        return self._ready is not None

    def relearn(self) -> None:
        """From the loop, at housekeeping: start the day's relearning if it is a new day."""
        today = self.engine.clock().date()
        if self._day == today or self.loading or self._ready:
            return

        def job() -> None:
            began = time.monotonic()
            learned: History | None = None
            try:
                learned = read_history(self.db_path, today)
            except Exception:  # the loop tries again at the next housekeeping
                log.exception("learning from past days failed")
            else:
                log.info("learned %d past days in %.1f s (beside the loop)", learned.days,
                         time.monotonic() - began)  # fmt: skip
            self._ready = (today, learned)

        self._job = threading.Thread(target=job, name="hub-history", daemon=True)
        self._job.start()

    def take(self) -> None:
        """In the loop: the relearned days replace the engine's (None: it failed)."""
        ready, self._ready = self._ready, None
        if ready is not None:
            day, learned = ready
            if learned is not None:
                self.engine.history, self._day = learned, day
