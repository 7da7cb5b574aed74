"""Social security card (社会保障卡) readers: PC/SC through pyscard, and a simulator.

Pick one from the configuration URL::

    reader = open_card_reader("pcsc://ACR1281")                  # a reader by part of its name
    reader = open_card_reader("pcsc://Virtual%20PCD%2000%2000")  # a reader by its full name
    reader = open_card_reader("pcsc://")                         # the first reader with a card

Name the reader in a hall (``pcsc://NAME-SUBSTRING``, as ``pcsc_scan -r`` lists it):
without a name the first slot holding a card is used. PSAM slots are never used.
    reader = open_card_reader("sim://sscard")                    # in-process, for the demo

``reader.read_card(timeout)`` returns a ``drivers.base.Person`` (source
``"sscard"``) or raises a ``drivers.sscard.errors`` error whose
``user_message`` the kiosk shows. ``reader.watch(callback)`` reports card
insertion and removal on a device thread: see ``drivers.sscard.interface``.
The driver never sends VERIFY (see ``apdu.guard``).
"""

from __future__ import annotations

from urllib.parse import unquote

from drivers.base import ConfigError, parse_device_url

from .interface import CardEvent, CardReader

__all__ = ["CardEvent", "CardReader", "open_card_reader"]


def open_card_reader(url: str) -> CardReader:
    """The social security card reader a device URL names; ConfigError if it names none."""
    try:
        parsed = parse_device_url(url, allowed=("pcsc", "sim"))
    except ValueError as e:  # urlsplit rejects e.g. an unencoded "[" in a reader name
        raise ConfigError(f"device URL {url!r}: {e} (percent-encode the reader name)") from e
    if parsed.scheme == "sim":
        if parsed.host != "sscard":
            raise ConfigError(f"device URL {url!r}: the simulator is sim://sscard")
        from .sim import SimSocialSecurityCardReader

        return SimSocialSecurityCardReader()
    # urlsplit lower-cases the host; reader names are matched on the text as written.
    name = unquote(url.split("://", 1)[1].split("?", 1)[0]).strip("/")
    from .reader import SocialSecurityCardReader  # imports pyscard only when PC/SC is used

    return SocialSecurityCardReader(name or None)
