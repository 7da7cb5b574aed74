"""What a scanned code holds, checked here and never sent anywhere but the hub.

Codes a kiosk scanner reads:

- a hall ticket's QR: the ticket id ``YYYYMMDD-NUMBER`` (``kiosk.tickets.ticket_print``
  puts it there), e.g. ``20261126-A023``: a citizen who missed the call checks in
  again by scanning it (the hub's ``check_in`` with ``ticket``).
- an online booking's code (`hall web`'s booking page shows it as text and QR): 8
  characters of ``hall.core.engine.booking.CODE_ALPHABET``, e.g. ``K7M2Q9XA``: the kiosk
  checks the booking in (the hub's ``check_in`` with ``code``).
- a hall ticket's QR with the hall's web gateway (``[web] public_url``): the URL of the
  ticket's page, ``{public_url}/t/{token}``: the kiosk asks the hub how that ticket
  stands (``ticket_status`` by its token) and says so; the token is never shown or printed.
- anything else: refused with one sentence. Other booking platforms' codes and the
  electronic social security card's QR (电子社保卡码) are tokens of other systems. No
  public source gives the e-SSC code's content (prefix, length, alphabet); every
  public integration found passes it, opaque, to a platform that decodes it
  (drivers/scanner/README.md lists them and what a hall would need). With no shape
  to cite, it is not guessed at: it is "unknown" like any other code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from hall.core.engine.booking import CODE_ALPHABET, CODE_LENGTH

TICKET_ID = re.compile(r"^(\d{8})-([A-Z]{1,3}\d{1,4})$")
BOOKING_CODE = re.compile(rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")
#: a ticket page's URL: the token is URL-safe base64 (22 characters for its 128 bits; the
#: protocol takes up to 64), maybe with a trailing slash or query
TICKET_URL = re.compile(
    r"^https?://[^\s/?#]+(?:/[^\s?#]*)?/t/([A-Za-z0-9_-]{16,64})/?(?:[?#]\S*)?$"
)
MAX_CODE = 512  # longer is not a code of ours (and not worth holding in memory)


@dataclass(frozen=True)
class ScannedCode:
    """A code as scanned: its kind ("ticket", "booking", "ticket_url" or "unknown") and
    value (for a ticket URL, the token alone)."""

    kind: str
    value: str


def parse_code(text: str) -> ScannedCode:
    """Classify a scanned string (surrounding whitespace and a trailing CR/LF dropped)."""
    s = text.strip()[:MAX_CODE]
    m = TICKET_ID.match(s.upper())
    if m:
        try:
            date(int(m.group(1)[:4]), int(m.group(1)[4:6]), int(m.group(1)[6:]))
        except ValueError:
            return ScannedCode("unknown", s)
        return ScannedCode("ticket", s.upper())
    if BOOKING_CODE.match(s.upper()):
        return ScannedCode("booking", s.upper())
    m = TICKET_URL.match(s)
    if m:
        return ScannedCode("ticket_url", m.group(1))
    return ScannedCode("unknown", s)
