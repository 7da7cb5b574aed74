"""The hall as an app sees it: layout, queues, windows, calls — kept in sync by a HubLink.

Views take a `HallModel` in their constructor and subscribe to its signals
(STYLE.md §4). Logic that decides something lives here or in an app's own model,
where a plain test reaches it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from PyQt6.QtCore import QObject, pyqtSignal

from hall.core import events as EV
from ui.hublink import HubLink
from ui.i18n import text_of


class HubClock:
    """Now on the hub's clock (the hall's time), as far as an app can tell: anchored on every
    time the hub states (snapshot, event, heartbeat), carried forward by a monotonic clock.
    Before the hub said anything it is the local clock."""

    def __init__(self, mono: Callable[[], float] = time.monotonic) -> None:
        self._mono = mono
        self._anchor: tuple[datetime, float] | None = None

    def anchor(self, at: str | datetime | None) -> None:
        """The hub said it is `at` now; never moves time backwards."""
        if isinstance(at, str):
            try:
                at = datetime.fromisoformat(at)
            except ValueError:
                return
        if at is None:
            return
        if self._anchor is None or at > self():
            self._anchor = (at, self._mono())

    def __call__(self) -> datetime:
        if self._anchor is None:
            return datetime.now()
        t, m = self._anchor
        return t + timedelta(seconds=self._mono() - m)


class HallModel(QObject):
    """Board state (and staff state where the role has it) plus the layout from the welcome."""

    layout_ready = pyqtSignal()
    changed = pyqtSignal()  # anything in the board state or the queue figures
    called = pyqtSignal(object)  # an Event of a live call or recall (never from a snapshot)
    followed = pyqtSignal(object)  # every hall.core.events.Event, for app models that want more
    online_changed = pyqtSignal(bool)

    def __init__(self, link: HubLink, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.link = link
        self.layout: dict[str, Any] | None = None
        self.queue_figures: dict[str, dict[str, Any]] = {}
        self.clock_text = ""
        self.now = HubClock()  # call it: the hall's time now
        link.welcomed.connect(self._on_welcome)
        link.synced.connect(self._on_synced)
        link.followed.connect(self._on_event)
        link.heartbeat.connect(self._on_heartbeat)
        link.online_changed.connect(self.online_changed)

    # ------------------------------------------------------------ inputs

    def _on_welcome(self, welcome: dict[str, Any]) -> None:
        first = self.layout is None
        self.layout = welcome.get("layout") or self.layout
        if first and self.layout is not None:
            self.layout_ready.emit()

    def _on_synced(self) -> None:
        snap = self.link.snapshot_value or {}
        for q in snap.get("queues", []):
            self.queue_figures[q["queue"]] = q
        self.clock_text = str(snap.get("at", ""))
        self.now.anchor(self.clock_text)
        self.changed.emit()

    def _on_event(self, ev: EV.Event) -> None:
        self.now.anchor(ev.at)
        self.followed.emit(ev)
        if isinstance(ev.data, EV.CALLS):
            self.called.emit(ev)
        self.changed.emit()

    def _on_heartbeat(self, stream: str, data: dict[str, Any]) -> None:
        self.now.anchor(data.get("at"))
        if stream == "board" and "queues" in data:
            for q in data["queues"]:
                self.queue_figures[q["queue"]] = q
            self.changed.emit()

    # ------------------------------------------------------------ reading

    @property
    def online(self) -> bool:
        return self.link.online

    @property
    def board(self) -> dict[str, Any]:
        return self.link.state.get("board", {})

    @property
    def staff(self) -> dict[str, Any]:
        return self.link.state.get("staff", {})

    def queues(self) -> list[dict[str, Any]]:
        return list(self.layout["queues"]) if self.layout else []

    def queue(self, qid: str) -> dict[str, Any]:
        return next(q for q in self.queues() if q["id"] == qid)

    def windows(self, floor: str | None = None) -> list[dict[str, Any]]:
        if not self.layout:
            return []
        return [w for w in self.layout["windows"] if floor in (None, w["floor"])]

    def window_state(self, number: int) -> dict[str, Any]:
        """The live public state of a window (state, current ticket, clerk, profile)."""
        return dict(self.board.get("windows", {}).get(str(number), {}))

    def waiting(self, qid: str) -> int:
        """Tickets waiting in a queue now (from the followed tickets, exact)."""
        return sum(
            1
            for t in self.board.get("tickets", {}).values()
            if t["queue"] == qid and t["state"] == "waiting"
        )

    def estimate_text(self, qid: str) -> str:
        """The hub's estimate for a walk-in now, in the app's language."""
        fig = self.queue_figures.get(qid, {})
        return text_of(fig, "estimate_text")

    def ticket(self, ticket_id: str) -> dict[str, Any] | None:
        t = self.board.get("tickets", {}).get(ticket_id)
        return dict(t) if t else None
