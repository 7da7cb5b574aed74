"""Keyboard-wedge (USB HID) scanners: they type the code, fast, and press Enter.

``WedgeDecoder`` tells a scan from a person typing by speed: a scanner sends
its characters a few milliseconds apart, a person at least ~80 ms apart. Feed
it every key with its time; it returns the code when Enter ends a fast burst.
Pure: the kiosk feeds it from its key events.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class WedgeDecoder:
    """Collects a fast burst of characters ended by Enter."""

    max_gap: float = 0.05  # seconds between two characters of one scan
    min_length: int = 4  # shorter bursts are keys pressed together, not a code
    _chars: list[str] = field(default_factory=list)
    _last: float = float("-inf")

    def feed(self, char: str, at: float) -> str | None:
        """One key (``"\\r"`` or ``"\\n"`` for Enter) at time `at` (seconds); a code or None."""
        if at - self._last > self.max_gap:
            self._chars.clear()  # too slow: a new burst starts (or a person typing)
        self._last = at
        if char in ("\r", "\n"):
            code, self._chars = "".join(self._chars), []
            return code if len(code) >= self.min_length else None
        if len(char) == 1 and char.isprintable():
            self._chars.append(char)
        return None

    def reset(self) -> None:
        """Forget a burst in progress."""
        self._chars.clear()
        self._last = float("-inf")
