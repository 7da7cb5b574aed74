"""Following the hub's state streams: the Clone pattern's client side, without sockets.

`StateFollower` is fed what arrives (stream updates, snapshots, the time) and says
what it needs (`wants_snapshot`); whoever owns the sockets — `hall.client` with a
poller, or a Qt app with a QSocketNotifier — does the I/O. Its `state` is the
same plain data a fresh snapshot holds, so "followed state == snapshot" is a
plain equality (DESIGN.md §5).
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable
from typing import Any

from hall.core import events as EV
from hall.core.engine.lifecycle import AT_WINDOW  # the one list of states at a window
from hall.core.events import HEARTBEAT, Event
from hall.wire.protocol import Update

log = logging.getLogger("hall.follower")

#: board state: day, tickets (public form) by id, windows (public form) by number as text
#: staff state: devices (online or not) by id, follow-up cases by id
EMPTY_STATE: dict[str, dict[str, Any]] = {
    "board": {"day": None, "tickets": {}, "windows": {}},
    "staff": {"devices": {}, "cases": {}, "health": {}},
}


def apply_event(state: dict[str, Any], data: EV.EventData) -> bool:
    """Apply one event to its stream's state in place. False if only a snapshot can follow
    it."""
    if isinstance(data, EV.TICKET_EVENTS):
        _ticket_moved(state, data.ticket)
        return True
    match data:
        case EV.DayStarted():
            return False  # the hub dropped yesterday: take a fresh snapshot
        case EV.WindowChanged(window=w):
            state["windows"][str(w["number"])] = w
        case EV.DeviceOnline(device=d) | EV.DeviceOffline(device=d):
            state["devices"][d] = isinstance(data, EV.DeviceOnline)
        case EV.DeviceHealth(device=d, parts=parts):
            state.setdefault("health", {})[d] = parts
        case EV.FollowUpOpened(case=c, calendar_warning=warning):
            state["cases"][c["id"]] = c
            state["calendar_warning"] = warning  # the newest case's deadlines say it
        case EV.FollowUpUpdated(case=c):
            state["cases"][c["id"]] = c
    return True


def _ticket_moved(state: dict[str, Any], t: dict[str, Any]) -> None:
    """A ticket event: the ticket as it is now, and the windows it left or reached."""
    if "id" not in t:
        return
    state["tickets"][t["id"]] = t
    for w in state["windows"].values():
        here = t["state"] in AT_WINDOW and t.get("window") == w["number"]
        if w.get("current") == t["number"] and not here:
            w["current"], w["current_state"] = None, None
    win = state["windows"].get(str(t.get("window")))
    if win is not None and t["state"] in AT_WINDOW:
        win["current"], win["current_state"] = t["number"], t["state"]


class StateFollower:
    """Snapshot + sequenced updates for some streams; re-snapshots on a gap or a new epoch.

    Feed it with `feed(stream, update, now)` and `load_snapshot(value, now)`; ask
    `wants_snapshot` after each feed; call `tick(now)` now and then for `online`.
    """

    def __init__(self, streams: Iterable[str] = ("board",), *, offline_after: float = 3.0) -> None:
        self.streams = tuple(streams)
        self.offline_after = offline_after
        self.epoch: int | None = None
        self.seq: dict[str, int] = {s: 0 for s in self.streams}
        self.state: dict[str, dict[str, Any]] = {
            s: copy.deepcopy(EMPTY_STATE[s]) for s in self.streams
        }
        self.synced = False
        self.wants_snapshot = False
        self.online = False
        self.snapshots = 0  # how many were loaded (tests and the status line read it)
        self._heard: float | None = None
        self._pending: list[tuple[str, Update]] = []

    def feed(self, stream: str, update: Update, now: float) -> list[Event]:
        """One message from the PUB socket; returns the events it applied."""
        if stream not in self.seq:
            return []
        self._heard = now
        self.online = self.synced
        if not self.synced or update.epoch != self.epoch:
            self._resync(stream, update)
            return []
        last = self.seq[stream]
        if update.type == HEARTBEAT:
            if update.seq > last:  # we missed the newest event(s)
                self._resync(stream, update)
            return []
        if update.seq <= last:
            return []  # already in the snapshot
        if update.seq != last + 1:
            self._resync(stream, update)
            return []
        return self._apply(stream, update)

    def _apply(self, stream: str, update: Update) -> list[Event]:
        try:
            ev = EV.received(update.type, update.seq, update.at, update.data)
            if ev is not None and ev.stream != stream:
                raise ValueError(f"a {ev.stream} event on the {stream} stream")
        except ValueError as e:  # the hub sent garbage: start again from a snapshot
            log.warning("unreadable %s event %d (%s): taking a snapshot", stream, update.seq, e)
            self.synced = self.online = False
            self.wants_snapshot = True
            return []
        self.seq[stream] = update.seq
        if ev is None:
            return []  # a newer hub's kind of event: nothing here follows it
        if not apply_event(self.state[stream], ev.data):
            self._resync(stream, update)
        return [ev]

    def _resync(self, stream: str, update: Update) -> None:
        self.synced = False
        self.online = False
        self.wants_snapshot = True
        if update.type != HEARTBEAT:
            self._pending.append((stream, update))
            del self._pending[:-10_000]  # bounded: a long outage ends in a snapshot anyway

    def load_snapshot(self, value: dict[str, Any], now: float) -> list[Event]:
        """A snapshot reply's value: {epoch, seq: {stream: n}, board: …, staff: …}."""
        self.epoch = int(value["epoch"])
        for s in self.streams:
            self.seq[s] = int(value["seq"][s])
            self.state[s] = copy.deepcopy(value[s])
        self.synced, self.wants_snapshot = True, False
        self.snapshots += 1
        self._heard = now
        self.online = True
        pending, self._pending = self._pending, []
        out: list[Event] = []
        for stream, u in sorted(pending, key=lambda p: (p[0], p[1].seq)):
            if self.synced and u.epoch == self.epoch:
                out += self.feed(stream, u, now)
        return out

    def tick(self, now: float) -> bool:
        """Mark the hub offline after `offline_after` seconds of silence; returns `online`."""
        if self._heard is None or now - self._heard > self.offline_after:
            self.online = False
        return self.online
