"""What the kiosk sees of a social security card reader, real or simulated.

Card events (inserted / removed) come from a device thread (pyscard's
CardMonitor thread for PC/SC). They reach the caller one of two ways:

* ``reader.watch(callback)``: the callback is called **on the device thread**.
  The Qt app passes a signal's ``emit`` (e.g. ``reader.watch(self.cardEvent.emit)``)
  so Qt queues the event into the GUI thread; never touch a widget from it.
* ``reader.watch()``: events are put on ``reader.events``, a thread-safe
  ``queue.Queue`` the caller drains (tests, command-line tools).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from drivers.base import Health, Person


@dataclass(frozen=True)
class CardEvent:
    """A card went into or out of a reader."""

    kind: Literal["inserted", "removed"]
    reader: str
    atr: bytes = b""


EventCallback = Callable[[CardEvent], None]


class CardReader(Protocol):
    """A social security card reader (``pcsc://...`` or ``sim://sscard``)."""

    events: queue.Queue[CardEvent]

    def read_card(self, timeout: float = 10.0) -> Person:
        """Wait up to `timeout` s for a card, read it. Blocks: call it off the GUI thread."""
        ...

    def watch(self, on_event: EventCallback | None = None) -> None:
        """Start reporting card events (see the module docstring for threading)."""
        ...

    def health(self) -> Health:
        """Whether the reader can read now."""
        ...

    def close(self) -> None:
        """Stop reporting events and release the reader; idempotent."""
        ...


class EventSink:
    """Delivers card events to a callback or the ``events`` queue, from any thread."""

    def __init__(self) -> None:
        self.events: queue.Queue[CardEvent] = queue.Queue()
        self._on_event: EventCallback | None = None
        self._watching = False
        self._sink_lock = threading.Lock()

    def _start_sink(self, on_event: EventCallback | None) -> None:
        with self._sink_lock:
            self._on_event, self._watching = on_event, True

    def _stop_sink(self) -> None:
        with self._sink_lock:
            self._on_event, self._watching = None, False

    def _emit(self, event: CardEvent) -> None:
        with self._sink_lock:
            if not self._watching:
                return
            callback = self._on_event
        if callback is None:
            self.events.put(event)
        else:
            callback(event)  # outside the lock: the callback may call back into us
