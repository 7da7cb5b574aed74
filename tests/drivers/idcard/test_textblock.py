"""The 256-byte UCS-2LE text block <-> Person."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from drivers.base import Person
from drivers.idcard.errors import CardDataError, LocalProtocolError
from drivers.idcard.textblock import FIELDS, NATIONS, TEXT_LEN, decode_text, encode_text


def block(**over: str) -> bytes:
    """A text block built by hand from the field table, with some fields overridden."""
    values = {
        "name": "张伟",
        "gender": "1",
        "nation": "01",
        "birth": "19900307",
        "address": "北京市朝阳区建国路88号院3号楼2单元501室",
        "id_number": "110105199003070017",
        "authority": "北京市公安局朝阳分局",
        "valid_from": "20150601",
        "valid_to": "20350601",
        "reserved": "",
    } | over
    out = b""
    for name, size in FIELDS:
        raw = values[name].encode("utf-16-le")
        out += raw + " ".encode("utf-16-le") * ((size - len(raw)) // 2)
    return out


def test_field_table_fills_256_bytes() -> None:
    assert sum(size for _, size in FIELDS) == TEXT_LEN == len(block())


def test_decodes_a_hand_built_block(person: Person) -> None:
    assert decode_text(block()) == person


def test_id_number_sits_at_byte_122() -> None:
    raw = block()
    assert raw[122:158].decode("utf-16-le") == "110105199003070017"


def test_round_trip(person: Person, elder: Person) -> None:
    for who in (person, elder):
        raw = encode_text(who)
        assert len(raw) == TEXT_LEN
        assert decode_text(raw) == who


def test_long_term_card_has_no_end_date() -> None:
    got = decode_text(block(valid_to="长期"))
    assert (got.valid_to, got.valid_to_text) == (None, "长期")


@pytest.mark.parametrize(("code", "gender"), [("0", ""), ("1", "男"), ("2", "女"), ("9", "")])
def test_gender_codes(code: str, gender: str) -> None:
    assert decode_text(block(gender=code)).gender == gender


def test_every_nation_code() -> None:
    assert len(NATIONS) == 58
    assert (NATIONS["01"], NATIONS["56"], NATIONS["97"], NATIONS["98"]) == (
        "汉",
        "基诺",
        "其他",
        "外国血统中国籍人士",
    )
    for code, name in NATIONS.items():
        assert decode_text(block(nation=code)).nation == name


def test_lower_case_x_is_normalised() -> None:
    assert decode_text(block(id_number="44010619851120004x")).id_number.endswith("X")


def test_nul_padding_is_stripped_too() -> None:
    raw = bytearray(block())
    raw[4:30] = bytes(26)  # name "张伟" then NULs instead of spaces
    assert decode_text(bytes(raw)).name == "张伟"


@pytest.mark.parametrize(
    "over",
    [
        {"id_number": "110105199003070018"},  # wrong check digit
        {"id_number": "11010519900307001"},  # too short
        {"birth": "19900230"},
        {"birth": "1990-3-7"},
        {"valid_from": ""},
        {"valid_to": "永久"},
        {"gender": "3"},
        {"nation": "57"},
    ],
)
def test_malformed_fields_are_card_data_errors(over: dict[str, str]) -> None:
    with pytest.raises(CardDataError) as info:
        decode_text(block(**over))
    assert info.value.user_message.startswith("身份证信息读取有误")


def test_wrong_length_block() -> None:
    with pytest.raises(CardDataError):
        decode_text(block()[:-2])


def test_invalid_utf16_is_card_data_error() -> None:
    raw = bytearray(block())
    raw[0:2] = b"\x00\xd8"  # a lone high surrogate
    with pytest.raises(CardDataError):
        decode_text(bytes(raw))


def test_encoder_refuses_what_a_card_cannot_hold(person: Person) -> None:
    with pytest.raises(LocalProtocolError):
        encode_text(replace(person, name="很" * 16))
    with pytest.raises(LocalProtocolError):
        encode_text(replace(person, nation="火星"))
    with pytest.raises(LocalProtocolError):
        encode_text(replace(person, valid_from=None))


def test_the_photo_is_nowhere_in_a_person(person: Person) -> None:
    assert not any(isinstance(v, bytes) for v in vars(person).values())
    assert person.birth_date == date(1990, 3, 7)
