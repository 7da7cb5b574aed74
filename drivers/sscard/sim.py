"""``sim://sscard``: an in-process reader holding a virtual card, for the demo and tests.

It runs the same read sequence (``session.read_person``) against the same
virtual card as the pcscd tests; only the transport is missing. Insert and
remove cards from code (the demo's "insert card" button); events are emitted
on the thread that calls :meth:`insert` / :meth:`remove`.
"""

from __future__ import annotations

import threading

from drivers.base import Health, HealthState, Person

from .errors import CardRemoved, NoCard
from .interface import CardEvent, EventCallback, EventSink
from .session import read_person
from .vcard import VirtualSocialSecurityCard

SIM_READER = "Yichuang Sim Reader 00 00"


class SimSocialSecurityCardReader(EventSink):
    """A reader with a virtual card that code inserts and removes."""

    def __init__(self, card: VirtualSocialSecurityCard | None = None) -> None:
        super().__init__()
        self._card = card
        self._changed = threading.Condition()

    @property
    def card(self) -> VirtualSocialSecurityCard | None:
        """The card in the reader, if any."""
        return self._card

    def insert(self, card: VirtualSocialSecurityCard | None = None) -> VirtualSocialSecurityCard:
        """Put a card in (the demo holder's by default), replacing any card there."""
        if self._card is not None:
            self.remove()
        new = card or VirtualSocialSecurityCard()
        new.reset()
        with self._changed:
            self._card = new
            self._changed.notify_all()
        self._emit(CardEvent("inserted", SIM_READER, new.atr))
        return new

    def remove(self) -> None:
        """Pull the card out (nothing happens if the reader is empty)."""
        with self._changed:
            card, self._card = self._card, None
            self._changed.notify_all()
        if card is not None:
            self._emit(CardEvent("removed", SIM_READER, card.atr))

    def read_card(self, timeout: float = 10.0) -> Person:
        """Wait up to `timeout` s for a card and read it, exactly as over PC/SC."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._card is not None, timeout):
                raise NoCard(f"no card within {timeout} s")
            card = self._card
        assert card is not None

        def transmit(command: bytes) -> bytes:
            if self._card is not card:
                raise CardRemoved("card removed during read")
            return card.answer(command)

        card.reset()
        return read_person(transmit)

    def watch(self, on_event: EventCallback | None = None) -> None:
        """Report insertions and removals; a card already in is reported at once."""
        self._start_sink(on_event)
        if self._card is not None:
            self._emit(CardEvent("inserted", SIM_READER, self._card.atr))

    def health(self) -> Health:
        """Always OK: there is no device to lose."""
        return Health(HealthState.OK, "模拟读卡器", "sim")

    def close(self) -> None:
        """Stop reporting events."""
        self._stop_sink()
