"""apdu.py and session.py on byte strings: no pcscd, no threads."""

from __future__ import annotations

from datetime import date

import pytest

from drivers.sscard import apdu
from drivers.sscard.errors import (
    CardBlocked,
    CardDataError,
    CardStatusError,
    CardUsageError,
    NotSocialSecurityCard,
    VerifyForbidden,
)
from drivers.sscard.session import read_person
from drivers.sscard.vcard import CardHolder, Fault, VirtualSocialSecurityCard
from hall.core.idnumber import make_id_number


class Script:
    """A transmit that answers from a list and records what it was sent."""

    def __init__(self, *answers: str) -> None:
        self.answers = [bytes.fromhex(a) for a in answers]
        self.sent: list[bytes] = []

    def __call__(self, command: bytes) -> bytes:
        self.sent.append(command)
        return self.answers.pop(0)


def test_commands_are_those_of_the_hardware_notes() -> None:
    assert apdu.SELECT_SSSE.hex().upper() == "00A404000F7378312E73682EC9E7BBE1B1A3D5CF"
    assert apdu.READ_ID_NUMBER.hex().upper() == "00B2080014"


def test_61xx_is_followed_by_get_response_until_9000() -> None:
    t = Script("6105", "01020304056102", "06079000")
    assert apdu.transmit_with_retries(t, apdu.READ_NAME) == bytes(range(1, 8)) + b"\x90\x00"
    assert t.sent == [apdu.READ_NAME, bytes.fromhex("00C0000005"), bytes.fromhex("00C0000002")]


def test_6cxx_resends_the_command_with_the_right_le() -> None:
    t = Script("6C0B", "07094130313233343536379000")
    assert apdu.transmit_with_retries(t, bytes.fromhex("00B2070400")).endswith(b"\x90\x00")
    assert t.sent[1] == bytes.fromhex("00B207040B")


def test_6cxx_on_get_response_then_61xx_mix() -> None:
    t = Script("6103", "6C03", "AABBCC9000")
    assert apdu.transmit_with_retries(t, apdu.SELECT_EF05) == bytes.fromhex("AABBCC9000")
    assert t.sent[1:] == [bytes.fromhex("00C0000003")] * 2


def test_endless_61xx_is_the_cards_fault() -> None:
    with pytest.raises(CardDataError):
        apdu.transmit_with_retries(lambda c: b"\x61\x01", apdu.READ_NAME)


@pytest.mark.parametrize("ins", [0x20, 0x21, 0x24, 0x2C])
def test_pin_commands_never_leave(ins: int) -> None:
    t = Script()
    with pytest.raises(VerifyForbidden) as e:
        apdu.transmit_with_retries(t, bytes([0x00, ins, 0x00, 0x01, 0x08]) + b"123456\xff\xff")
    assert t.sent == []
    assert isinstance(e.value, CardUsageError) and e.value.user_message


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("00B20D04", "00B20D0406"),
        ("00B20D0400", "00B20D0406"),
        ("00A4020002EF05", "00A4020002EF0506"),
        ("00A4020002EF0500", "00A4020002EF0506"),
    ],
)
def test_with_le_for_each_apdu_case(command: str, expected: str) -> None:
    assert apdu.with_le(bytes.fromhex(command), 6).hex().upper() == expected


def test_malformed_answers_are_data_errors() -> None:
    with pytest.raises(CardDataError):
        apdu.split_sw(b"\x90")
    with pytest.raises(CardDataError):
        apdu.parse_card_number(bytes.fromhex("0809") + b"A01234567")  # wrong tag
    with pytest.raises(CardDataError):
        apdu.parse_name(bytes.fromhex("091E") + b"\x00" * 5)  # shorter than announced
    with pytest.raises(CardDataError):
        apdu.parse_name(bytes.fromhex("0904") + b"\x81\x30\xff\xff")  # not GB18030


def test_records_parse() -> None:
    assert apdu.parse_card_number(b"\x07\x09A01234567") == "A01234567"
    name = "欧阳小明".encode("gbk").ljust(30, b"\x00")
    assert apdu.parse_name(b"\x09\x1e" + name) == "欧阳小明"
    assert apdu.parse_gender(b"\x0a\x012") == "女"
    assert apdu.parse_nation(b"\x0b\x01\x56") == "基诺"
    assert apdu.parse_birth_date(b"\x0d\x04\x20\x00\x02\x29") == date(2000, 2, 29)
    with pytest.raises(CardDataError):
        apdu.parse_birth_date(b"\x0d\x04\x20\x00\x02\x30")


def test_id_number_is_validated() -> None:
    good = make_id_number("11010519491231002")
    assert apdu.parse_id_number(b"\x08\x12" + good.lower().encode()) == good
    bad = good[:-1] + ("1" if good[-1] != "1" else "2")
    with pytest.raises(CardDataError) as e:
        apdu.parse_id_number(b"\x08\x12" + bad.encode())
    assert "身份证号码" in e.value.user_message


@pytest.mark.parametrize(
    ("sw", "application", "error"),
    [
        (0x6A82, True, NotSocialSecurityCard),
        (0x6A82, False, CardStatusError),
        (0x6983, False, CardBlocked),
        (0x6283, True, CardBlocked),
        (0x6982, False, CardStatusError),
        (0x6F00, False, CardStatusError),
    ],
)
def test_status_words_become_typed_errors(sw: int, application: bool, error: type) -> None:
    with pytest.raises(error) as e:
        apdu.check_sw(sw, "step", application=application)
    assert e.type is error and e.value.sw == sw and e.value.user_message
    apdu.check_sw(0x9000, "step")


def test_not_a_social_security_card_says_so() -> None:
    with pytest.raises(NotSocialSecurityCard) as e:
        apdu.check_sw(0x6A82, "select SSSE", application=True)
    assert e.value.user_message == "这不是社会保障卡，请插入社保卡"


@pytest.mark.parametrize(
    "faults", [(), (Fault.VIA_61,), (Fault.VIA_6C,), (Fault.VIA_61, Fault.VIA_6C)]
)
def test_session_against_the_virtual_card(faults: tuple[Fault, ...]) -> None:
    holder = CardHolder(name="欧阳小明", gender=b"2", nation=3, birth="19491231")
    card = VirtualSocialSecurityCard(holder, faults)
    person = read_person(card.answer)
    assert (person.name, person.gender, person.nation) == ("欧阳小明", "女", "回")
    assert person.id_number == holder.id_number and person.source == "sscard"
    assert not card.saw_ins(0x20)


def test_readers_are_matched_by_part_of_their_name_and_sam_slots_skipped() -> None:
    from drivers.sscard.reader import is_sam_slot, match_reader

    names = [
        "ACS ACR1281 1S Dual Reader SAM 00 00",
        "ACS ACR1281 1S Dual Reader PICC 00 01",
        "Decard D8 PSAM1 00 00",
        "Decard D8 ICC 00 01",
        "Samsung Reader 00 00",
    ]
    assert [is_sam_slot(n) for n in names] == [True, False, True, False, False]
    assert match_reader(names, "ACR1281") == "ACS ACR1281 1S Dual Reader PICC 00 01"
    assert match_reader(names, "decard") == "Decard D8 ICC 00 01"
    assert match_reader(names, "psam") == "Decard D8 PSAM1 00 00"  # asked for by name
    assert match_reader(names, "Decard D8 PSAM1 00 00") == "Decard D8 PSAM1 00 00"
    assert match_reader(names, "samsung") == "Samsung Reader 00 00"
    assert match_reader(names, "nothing") is None
