"""ID numbers take ASCII digits only (GB 11643: 17 digits and a check character 0-9 or X):
other Unicode digits are refused with InvalidIdNumber, never a crash further on."""

from __future__ import annotations

import pytest

from hall.core.idnumber import InvalidIdNumber, make_id_number, person_hash, validate

IDN = make_id_number("11010519491231002")  # check character X
PLAIN = make_id_number("50010119900101123")


def test_ascii_numbers_pass() -> None:
    assert validate(IDN) == IDN and IDN.endswith("X")
    assert validate(IDN.lower()) == IDN
    assert validate(f" {PLAIN} ") == PLAIN


@pytest.mark.parametrize(
    "odd",
    [
        "".join(chr(ord(c) + 0xFEE0) for c in PLAIN),  # full width １２３
        "²" + PLAIN[1:],  # superscript
        PLAIN[:6] + "١٩٩٠" + PLAIN[10:],  # Arabic-Indic
        PLAIN[:6] + "१९९०" + PLAIN[10:],  # Devanagari
        PLAIN[:17] + "９",  # a full-width check character
        IDN[:17] + "Ｘ",  # a full-width X
        PLAIN[:10] + "①" + PLAIN[11:],  # circled, isdigit() but not a decimal
    ],
)
def test_other_digits_are_refused(odd: str) -> None:
    assert len(odd) == 18
    with pytest.raises(InvalidIdNumber) as e:
        validate(odd)
    assert "0-9" in str(e.value)
    assert PLAIN[-4:] not in str(e.value)


def test_what_passes_hashes() -> None:
    assert len(person_hash(b"secret", validate(PLAIN))) == 64
