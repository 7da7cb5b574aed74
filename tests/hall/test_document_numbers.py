"""Document numbers of every card type: validation, inferred types, hashing and masks."""

from __future__ import annotations

from datetime import date

import pytest

from hall.core.idnumber import (
    FOREIGN_2017,
    FOREIGN_2023,
    HMT_PERMIT,
    RESIDENT,
    SOCIAL_SECURITY,
    InvalidIdNumber,
    birth_date,
    birth_in_number,
    document_type_of,
    make_id_number,
    mask_id,
    person_hash,
    validate_document,
)

RES = make_id_number("11010519900307001")
HK = make_id_number("81000019500512002")
TW = make_id_number("83000019700101003")
Y = make_id_number("91184019580302001")


@pytest.mark.parametrize(
    ("number", "doc_type"),
    [(RES, RESIDENT), (HK, HMT_PERMIT), (TW, HMT_PERMIT), (Y, FOREIGN_2023),
     ("usa110050030201", FOREIGN_2017), ("A1234567", SOCIAL_SECURITY)],
)  # fmt: skip
def test_type_and_validation(number: str, doc_type: str) -> None:
    assert document_type_of(number) == doc_type
    assert validate_document(number, doc_type) == number.upper()


@pytest.mark.parametrize(
    ("number", "doc_type"),
    [(Y, RESIDENT), (RES, HMT_PERMIT), (RES, FOREIGN_2023),
     (Y[:-1] + ("0" if Y[-1] != "0" else "1"), FOREIGN_2023), ("USA11005003020", FOREIGN_2017),
     ("1SA110050030201", FOREIGN_2017), ("A-123", SOCIAL_SECURITY), ("", SOCIAL_SECURITY),
     (RES, "passport")],
)  # fmt: skip
def test_numbers_of_the_wrong_form_are_refused(number: str, doc_type: str) -> None:
    with pytest.raises(InvalidIdNumber):
        validate_document(number, doc_type)


def test_which_numbers_carry_the_birth_date() -> None:
    # the 2023 foreign permanent resident number: 9, province, nationality, birth date,
    # sequence, check (the National Immigration Administration's 2023 number rules)
    assert [birth_in_number(t) for t in (RESIDENT, HMT_PERMIT, FOREIGN_2017, FOREIGN_2023)] == [
        True, True, False, True]  # fmt: skip
    assert birth_date(Y) == date(1958, 3, 2)


def test_a_2023_number_with_no_real_birth_date_is_refused() -> None:
    bad = make_id_number("91184019581302001")  # month 13
    with pytest.raises(InvalidIdNumber):
        validate_document(bad, FOREIGN_2023)


def test_hash_and_mask_work_for_every_form() -> None:
    numbers = [RES, HK, Y, "USA110050030201", "A1234567"]
    hashes = {person_hash(b"k", n) for n in numbers}
    assert len(hashes) == len(numbers)
    assert mask_id("USA110050030201") == "USA1*******0201"
    assert mask_id("A1234567") == "********"  # too short to show any of it
