"""Every card type a GA 467 reader returns, from byte-exact text blocks and frames.

The blocks are written here byte by byte at the offsets of the public reference
structs (Johann356/readinfo ``PCSCGetData.h``: ``t_idcardinfor``, ``t_idforeigner``,
``t_idforeigner2023``; the same offsets in yzfuture/yzfuture
``windows/sdk/include/Type.h`` and the others drivers/idcard/README.md lists), not
with the driver's own layout tables, so a wrong table in the driver fails these tests.
The ``sample_*`` blocks carry the values of the specimen foreign cards in 新中新's web API
manual (V3.3.4, 2023-11), field by field, so a reader that returns them must read the same.
"""

from __future__ import annotations

from datetime import date

import pytest

from drivers.base import Person
from drivers.idcard import protocol as p
from drivers.idcard.errors import CardDataError, UnsupportedCard
from drivers.idcard.sim import FAKE_PHOTO
from drivers.idcard.textblock import decode_text, encode_text
from hall.core import errors as E
from hall.core.idnumber import (
    FOREIGN_2017,
    FOREIGN_2023,
    HMT_PERMIT,
    RESIDENT,
    make_id_number,
    mask_id,
    person_hash,
)
from hall.wire import protocol as P
from hall.wire.commands import person as person_ref
from kiosk.tickets import green_channel

from .conftest import Rig

HK_NUMBER = make_id_number("81000019500512002")  # a Hong Kong resident born 1950-05-12
Y_NUMBER = make_id_number("91184019580302001")  # 2023 foreign card, born 1958-03-02
LONG_NAME = "VANDERBILT-MONTGOMERY, ALEXANDRA CHARLOTTE"  # 42 characters: runs over


def put(block: bytearray, offset: int, size: int, text: str) -> None:
    """Write `text` UCS-2LE at `offset`, space-padded to `size` bytes."""
    raw = text.encode("utf-16-le")
    assert len(raw) <= size
    block[offset : offset + size] = raw + " ".encode("utf-16-le") * ((size - len(raw)) // 2)


def blank() -> bytearray:
    return bytearray(" ".encode("utf-16-le") * 128)


def hmt_block() -> bytes:
    b = blank()
    put(b, 0, 30, "陈家明")
    put(b, 30, 2, "1")
    put(b, 32, 4, "")  # no nation on a permit
    put(b, 36, 16, "19500512")
    put(b, 52, 70, "广东省深圳市福田区福华三路88号")
    put(b, 122, 36, HK_NUMBER)
    put(b, 158, 30, "深圳市公安局福田分局")
    put(b, 188, 16, "20200101")
    put(b, 204, 16, "20250101")
    put(b, 220, 18, "H12345678")  # 通行证号码
    put(b, 238, 4, "02")  # 签发次数
    put(b, 248, 2, "J")
    return bytes(b)


def foreign_2017_block(version: str = "01") -> bytes:
    b = blank()
    put(b, 0, 120, "SMITH, JOHN")
    put(b, 120, 2, "1")
    put(b, 122, 30, "USA110050030201")
    put(b, 152, 6, "USA")
    put(b, 158, 30, "史密斯")
    put(b, 188, 16, "20180601")
    put(b, 204, 16, "20280601")
    put(b, 220, 16, "19500302")
    put(b, 236, 4, version)  # 证件版本号: not kept, so not written back
    put(b, 240, 8, "1100")
    put(b, 248, 2, "I")
    return bytes(b)


def foreign_2023_block(name_en: str = LONG_NAME, name_cn: str = "") -> bytes:
    b = blank()
    put(b, 0, 30, name_cn)
    put(b, 30, 2, "2")
    put(b, 32, 4, "01")  # 换证次数
    put(b, 36, 16, "19580302")
    put(b, 52, 70, name_en[:35])
    put(b, 122, 36, Y_NUMBER)
    put(b, 188, 16, "20240115")
    put(b, 204, 16, "20340115")
    put(b, 220, 22, name_en[35:])
    put(b, 242, 6, "USA")  # 所属国家和地区代码: the 3-letter code (README: not numeric)
    put(b, 248, 2, "Y")
    return bytes(b)


# The specimen cards (证件样本) of 新中新's web API manual ("新中新webapi读卡接口说明",
# V3.3.4): what its reader service returned for them, written back at the card offsets.
# (Its resident-card sample looks like a real person's card, so it is not copied here.)
def sample_2017_block() -> bytes:
    b = blank()
    put(b, 0, 120, "ZHENGJIAN,YANGBEN")
    put(b, 120, 2, "2")
    put(b, 122, 30, "CAN110081080319")
    put(b, 152, 6, "CAN")
    put(b, 158, 30, "证件样本")
    put(b, 188, 16, "20151025")
    put(b, 204, 16, "20251024")
    put(b, 220, 16, "19810803")
    put(b, 236, 4, "01")  # CertVol
    put(b, 240, 8, "1500")  # "police": the accepting authority's code
    put(b, 248, 2, "I")
    return bytes(b)


def sample_2023_block() -> bytes:
    b = blank()
    put(b, 0, 30, "证件样本")
    put(b, 30, 2, "2")
    put(b, 32, 4, "00")  # IssuesTimes
    put(b, 36, 16, "19800101")
    put(b, 52, 70, "ZHENGJIAN, YANGBEN")
    put(b, 122, 36, "931586198001010028")
    put(b, 188, 16, "20230808")
    put(b, 204, 16, "20330807")
    put(b, 242, 6, "PAK")  # shown as "巴基斯坦/PAK"
    put(b, 248, 2, "Y")
    put(b, 250, 6, "000")  # "Reserved": 既往版本证件号码关联项
    return bytes(b)


def test_the_manual_sample_2017_card() -> None:
    got = decode_text(sample_2017_block())
    assert (got.doc_type, got.id_number, got.name, got.name_en) == (
        FOREIGN_2017, "CAN110081080319", "证件样本", "ZHENGJIAN,YANGBEN")  # fmt: skip
    assert (got.gender, got.nationality, got.authority) == ("女", "CAN", "1500")
    assert (got.birth_date, got.valid_from, got.valid_to) == (
        date(1981, 8, 3), date(2015, 10, 25), date(2025, 10, 24))  # fmt: skip


def test_the_manual_sample_2023_card() -> None:
    got = decode_text(sample_2023_block())
    assert (got.doc_type, got.id_number, got.name, got.name_en) == (
        FOREIGN_2023, "931586198001010028", "证件样本", "ZHENGJIAN, YANGBEN")  # fmt: skip
    assert (got.gender, got.nationality, got.issue_count, got.authority) == ("女", "PAK", "00", "")
    assert (got.birth_date, got.valid_from, got.valid_to) == (
        date(1980, 1, 1), date(2023, 8, 8), date(2033, 8, 7))  # fmt: skip
    assert (got.address, got.nation) == ("", "")


@pytest.mark.parametrize("make", [sample_2017_block, sample_2023_block])
def test_the_manual_samples_read_through_the_reader(rig: Rig, make) -> None:  # type: ignore[no-untyped-def]
    rig.sim.tap_block(make())
    got = rig.reader.read_card(timeout=3.0)
    assert got is not None and got == decode_text(make())


def test_hmt_residence_permit() -> None:
    got = decode_text(hmt_block())
    assert (got.doc_type, got.id_number, got.name, got.gender) == (
        HMT_PERMIT, HK_NUMBER, "陈家明", "男")  # fmt: skip
    assert (got.nation, got.permit_number, got.issue_count) == ("", "H12345678", "02")
    assert (got.birth_date, got.valid_to) == (date(1950, 5, 12), date(2025, 1, 1))
    assert got.address.startswith("广东省深圳市")


def test_foreign_permanent_resident_card_2017() -> None:
    got = decode_text(foreign_2017_block())
    assert (got.doc_type, got.id_number, got.name, got.name_en) == (
        FOREIGN_2017, "USA110050030201", "史密斯", "SMITH, JOHN")  # fmt: skip
    assert (got.gender, got.nationality, got.birth_date) == ("男", "USA", date(1950, 3, 2))
    assert (got.address, got.nation, got.authority) == ("", "", "1100")


def test_foreign_permanent_resident_card_2023_joins_its_english_name() -> None:
    got = decode_text(foreign_2023_block())
    assert (got.doc_type, got.id_number, got.name_en) == (FOREIGN_2023, Y_NUMBER, LONG_NAME)
    assert (got.gender, got.nationality, got.issue_count) == ("女", "USA", "01")
    assert (got.birth_date, got.valid_from) == (date(1958, 3, 2), date(2024, 1, 15))
    # Once read as a Han resident with the English name as the address: never again.
    assert (got.nation, got.address, got.name, got.display_name) == ("", "", "", LONG_NAME)


def test_a_short_2023_name_and_a_chinese_name() -> None:
    got = decode_text(foreign_2023_block("LI, MEI", "李梅"))
    assert (got.name, got.name_en, got.display_name) == ("李梅", "LI, MEI", "李梅")


def test_a_name_of_exactly_35_characters_keeps_its_last_letter() -> None:
    name = "A" * 34 + "Z"
    assert decode_text(foreign_2023_block(name)).name_en == name


@pytest.mark.parametrize("block", [hmt_block(), foreign_2017_block(""), foreign_2023_block()])
def test_the_encoder_writes_the_same_bytes(block: bytes) -> None:
    assert encode_text(decode_text(block)) == block


def test_the_resident_card_flag_is_a_space(person: Person) -> None:
    raw = encode_text(person)
    assert raw[248:250] == b" \x00" and decode_text(raw).doc_type == RESIDENT


@pytest.mark.parametrize("flag", ["Z", "\u4e00", "1"])
def test_an_unknown_card_type_says_so_without_asking_to_replace(flag: str) -> None:
    b = bytearray(hmt_block())
    put(b, 248, 2, flag)
    with pytest.raises(UnsupportedCard) as info:
        decode_text(bytes(b))
    assert "重新放置" not in info.value.user_message


@pytest.mark.parametrize(
    ("make", "offset", "size", "bad"),
    [
        (hmt_block, 122, 36, make_id_number("11010519500512002")),  # a resident number on a J
        (foreign_2017_block, 122, 30, "US1110050030201"),
        (foreign_2023_block, 122, 36, make_id_number("11184019580302001")),  # not 9...
        (foreign_2023_block, 122, 36, Y_NUMBER[:-1] + "0"),  # check digit
    ],
)
def test_a_number_not_of_its_card_type_is_refused(make, offset, size, bad) -> None:  # type: ignore[no-untyped-def]
    b = bytearray(make())
    put(b, offset, size, bad)
    with pytest.raises(CardDataError) as info:
        decode_text(bytes(b))
    assert "重新放置" not in info.value.user_message


def test_a_whole_reader_frame_byte_for_byte() -> None:
    """The read reply exactly as it comes off the wire (HARDWARE.md §1), for a 2023 card."""
    body = bytes.fromhex("00 00 90 01 00 04 00") + foreign_2023_block() + FAKE_PHOTO
    n = (len(body) + 1).to_bytes(2, "big")
    chk = 0
    for byte in n + body:
        chk ^= byte
    frame = bytes.fromhex("AA AA AA 96 69") + n + body + bytes([chk])
    assert frame[5:7] == bytes.fromhex("05 08")
    parser = p.FrameParser()
    parser.feed(frame[:700])
    assert parser.next_payload() is None
    parser.feed(frame[700:])
    payload = parser.next_payload()
    assert payload is not None
    got = decode_text(p.parse_read_data(p.parse_reply(payload).data))
    assert (got.doc_type, got.id_number) == (FOREIGN_2023, Y_NUMBER)


@pytest.mark.parametrize("make", [hmt_block, foreign_2017_block, foreign_2023_block])
def test_each_card_type_reads_through_the_reader(rig: Rig, make) -> None:  # type: ignore[no-untyped-def]
    rig.sim.tap_block(make())
    got = rig.reader.read_card(timeout=3.0)
    assert got is not None and got == decode_text(make())


def test_an_unreadable_card_lying_there_is_reported_once(rig: Rig) -> None:
    b = bytearray(hmt_block())
    put(b, 248, 2, "Z")
    rig.sim.tap_block(bytes(b), sticky=True)
    with pytest.raises(UnsupportedCard):
        rig.reader.read_card(timeout=3.0)
    for _ in range(3):  # the reader keeps finding it: no second message
        assert rig.reader.read_card(timeout=3.0) is None
    rig.sim.lift()
    assert rig.reader.read_card(timeout=3.0) is None
    rig.sim.tap_block(bytes(b), sticky=True)  # laid down again: say it again
    with pytest.raises(UnsupportedCard):
        rig.reader.read_card(timeout=3.0)


@pytest.mark.parametrize(
    ("make", "born"),
    [(hmt_block, date(1950, 5, 12)), (foreign_2017_block, date(1950, 3, 2)),
     (foreign_2023_block, date(1958, 3, 2))],
)  # fmt: skip
def test_each_type_reaches_the_domain(make, born: date) -> None:  # type: ignore[no-untyped-def]
    """Number, names, hash, mask and the green-channel age, for every card type."""
    who = decode_text(make())
    layout = {"priority": {"green_channel_age": 65}}
    assert green_channel(layout, who.birth_date, date(2024, 6, 1)) == (born.year <= 1959)
    card = P.Card(id_number=who.id_number, name=who.display_name, doc_type=who.doc_type,
                  birth_date=who.birth_date.isoformat() if who.birth_date else "")  # fmt: skip
    ref = person_ref(card, b"secret")
    assert ref.hash == person_hash(b"secret", who.id_number)
    assert ref.id_masked == mask_id(who.id_number) and who.id_number not in ref.id_masked
    assert ref.birth_date == born
    assert ref.name_masked and ref.name_masked != who.display_name


def test_the_hub_refuses_a_foreign_card_with_a_bad_birth_date() -> None:
    card = P.Card(id_number="USA110050030201", doc_type=FOREIGN_2017, birth_date="1950-13-02")
    with pytest.raises(E.BadRequest):
        person_ref(card, b"secret")


def test_the_hub_infers_the_type_of_a_card_sent_without_one() -> None:
    ref = person_ref(P.Card(id_number="USA110050030201"), b"s")
    assert ref.id_masked == "USA1*******0201" and ref.birth_date is None
