"""An ID number typed in other digits than ASCII 0-9 (full width, superscript, Arabic-Indic)
is a bad request at the hub, not an internal error with a traceback and a state reload."""

from __future__ import annotations

import logging

import pytest

from hall.core import errors as E
from hall.core.idnumber import make_id_number
from hall.wire import protocol as P

from .conftest import ClientFactory


def test_an_id_number_in_other_digits_is_a_bad_request(
    connect: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="hall.hub")
    idn = make_id_number("11010519491231002")
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in idn)  # １１０１…
    kiosk = connect("kiosk-1")
    for odd in (full_width, "²" + idn[1:], idn[:6] + "١٩٤٩" + idn[10:]):
        with pytest.raises(E.BadRequest):
            kiosk.issue("G", card=P.Card(id_number=odd))
    assert kiosk.issue("G", card=P.Card(id_number=idn))["ticket"]["number"] == "A001"
    assert "bug" not in caplog.text and "Traceback" not in caplog.text
