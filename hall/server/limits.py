"""What one device may cost the hub: a rate limit per device, and a bounded memory of the
refusals it was given (a retry of a refused command gets the same answer for a while, but
refusals are not written to the database: one key sending garbage must not fill the disk).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

#: commands a device may send per second on average, and in one burst (a counter sends a
#: few a minute, a kiosk a few a second at its busiest; the hub serves thousands a second)
RATE = 100.0
BURST = 200.0
#: refusals kept for retries (a retry comes within seconds; see HubLink, HubClient)
REFUSALS_KEPT = 1000


@dataclass
class _Bucket:
    tokens: float
    at: float


@dataclass
class RateLimit:
    """A token bucket per device. rate <= 0: no limit."""

    rate: float = RATE
    burst: float = BURST
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    def allow(self, device: str, now: float) -> bool:
        if self.rate <= 0:
            return True
        b = self._buckets.get(device)
        if b is None:
            b = self._buckets[device] = _Bucket(self.burst, now)
        b.tokens = min(self.burst, b.tokens + (now - b.at) * self.rate)
        b.at = now
        if b.tokens < 1.0:
            return False
        b.tokens -= 1.0
        return True


class Refusals:
    """The last `size` answers that changed nothing (refusals, and commands that found
    nothing to change, such as a health report like the last one) by req_id, oldest
    forgotten first."""

    def __init__(self, size: int = REFUSALS_KEPT) -> None:
        self.size = size
        self._kept: OrderedDict[str, bytes] = OrderedDict()

    def get(self, req_id: str) -> bytes | None:
        return self._kept.get(req_id)

    def keep(self, req_id: str, body: bytes) -> None:
        self._kept[req_id] = body
        self._kept.move_to_end(req_id)
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)

    def forget(self, req_id: str) -> None:
        self._kept.pop(req_id, None)

    def __len__(self) -> int:
        return len(self._kept)
