"""Who is asking: a device as the hub knows it. Pure: no sockets, no disk.

What a device may do with a request is the command registry's (hall.wire.commands).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hall.core.layout import Layout


@dataclass(frozen=True, slots=True)
class Peer:
    """A device as the hub knows it: id, role, and its window or floor."""

    id: str
    role: str
    window: int | None = None
    floor: str | None = None


_ID = re.compile(r"^(kiosk|counter|display|rating|manager|web|desk)-([0-9A-Za-z]+)$")


def peer_from_id(device_id: str, layout: Layout) -> Peer | None:
    """Test mode only (no keys): the role, window or floor read from an id like counter-5,
    rating-5, display-2F, kiosk-1, manager-1. None for ids this hall cannot have."""
    m = _ID.match(device_id)
    if m is None:
        return None
    role, rest = m.group(1), m.group(2)
    if role in ("counter", "rating"):
        if not rest.isdigit() or int(rest) not in layout.windows:
            return None
        return Peer(device_id, role, window=int(rest), floor=layout.windows[int(rest)].floor)
    if role == "display":
        if rest not in {f.id for f in layout.floors}:
            return None
        return Peer(device_id, role, floor=rest)
    return Peer(device_id, role)
