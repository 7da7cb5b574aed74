"""One read of a social security card: the APDU sequence of HARDWARE.md section 2.

Shared by the PC/SC reader and the ``sim://sscard`` reader, so the demo runs
the same code as the hall. No I/O of its own: the caller passes ``transmit``.
"""

from __future__ import annotations

from drivers.base import Person
from hall.core import idnumber

from . import apdu as a
from .errors import CardStatusError


def _command(
    transmit: a.Transmit, command: bytes, what: str, *, application: bool = False
) -> bytes:
    data, sw = a.split_sw(a.transmit_with_retries(transmit, command))
    a.check_sw(sw, what, application=application)
    return data


def _optional(transmit: a.Transmit, command: bytes, what: str) -> bytes | None:
    # Gender, nation and birth date are nice to have; a card issued without one
    # of these records (6A83) is still good for taking a ticket.
    try:
        return _command(transmit, command, what)
    except CardStatusError as e:
        if e.sw in (0x6A82, 0x6A83):
            return None
        raise


def read_person(transmit: a.Transmit) -> Person:
    """Select SSSE, read the public records, return the citizen (source ``"sscard"``).

    Raises the errors of ``drivers.sscard.errors``: NotSocialSecurityCard when
    the card has no SSSE application, CardDataError for garbled answers.
    Never sends VERIFY: every command goes through ``apdu.guard``.
    """
    _command(transmit, a.SELECT_SSSE, "select SSSE", application=True)
    _command(transmit, a.SELECT_EF05, "select EF05")
    card_number = a.parse_card_number(_command(transmit, a.READ_CARD_NUMBER, "card number"))
    _command(transmit, a.SELECT_EF06, "select EF06")
    id_number = a.parse_id_number(_command(transmit, a.READ_ID_NUMBER, "ID number"))
    name = a.parse_name(_command(transmit, a.READ_NAME, "name"))
    gender = _optional(transmit, a.READ_GENDER, "gender")
    nation = _optional(transmit, a.READ_NATION, "nation")
    birth = _optional(transmit, a.READ_BIRTH_DATE, "birth date")
    doc_type = idnumber.document_type_of(id_number)
    born = a.parse_birth_date(birth) if birth is not None else None
    if born is None and idnumber.birth_in_number(doc_type):
        born = idnumber.birth_date(id_number)  # also inside the (validated) ID number
    return Person(
        id_number=id_number,
        name=name,
        birth_date=born,
        source="sscard",
        doc_type=doc_type,
        gender=a.parse_gender(gender) if gender is not None else "",
        nation=a.parse_nation(nation) if nation is not None else "",
        card_number=card_number,
    )
