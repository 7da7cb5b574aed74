"""Which devices are online, as the hub sees them: a device is online from its first
answered request and offline after `timeout` seconds without one (its pings keep it
online). The hub turns each change into a staff `device.online` / `device.offline` event."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from hall.core import events as EV
from hall.core.events import Event
from hall.wire.peer import Peer


class Presence:
    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.online: dict[str, bool] = {}  # device -> online (False once it went quiet)
        self._last_seen: dict[str, float] = {}

    def seen(self, devices: Iterable[str], now: float) -> list[str]:
        """Devices that were just answered; the ones among them not online yet, in order."""
        came: list[str] = []
        for device in devices:
            self._last_seen[device] = now
            if not self.online.get(device) and device not in came:
                came.append(device)
        return came

    def gone(self, now: float) -> list[str]:
        """Online devices silent for longer than the timeout."""
        return [
            device
            for device, seen in self._last_seen.items()
            if self.online.get(device) and now - seen > self.timeout
        ]

    def change(
        self, devices: list[str], online: bool, at: datetime, peers: dict[str, Peer]
    ) -> list[Event]:
        """Mark the devices online or offline; the events that say so."""
        kind = EV.DeviceOnline if online else EV.DeviceOffline
        events = []
        for device in devices:
            self.online[device] = online
            peer = peers.get(device)
            events.append(Event(at, kind(device=device, role=peer.role if peer else "")))
        return events
