"""One behaviour suite, run against sim://sscard and against real pcscd + vpcd.

The PC/SC variant drives pyscard -> libpcsclite -> pcscd -> vpcd -> TCP ->
the virtual card; the sim variant hands the same virtual card to the same
read sequence in-process. Every test ends by checking the card never saw
VERIFY (INS 20).
"""

from __future__ import annotations

import queue
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

import pytest

from drivers.base import ConfigError, HealthState
from drivers.sscard import CardEvent, CardReader, open_card_reader
from drivers.sscard.errors import CardDataError, CardRemoved, NoCard, NotSocialSecurityCard
from drivers.sscard.sim import SimSocialSecurityCardReader
from drivers.sscard.vcard import CardHolder, Fault, VirtualSocialSecurityCard

from .conftest import Slot


@dataclass
class Rig:
    """A reader under test and the hands that put cards into it."""

    reader: CardReader
    insert: Callable[[VirtualSocialSecurityCard], VirtualSocialSecurityCard]
    remove: Callable[[], None]
    cards: list[VirtualSocialSecurityCard]


@pytest.fixture(params=["sim", "pcsc"])
def rig(request: pytest.FixtureRequest) -> Iterator[Rig]:
    cards: list[VirtualSocialSecurityCard] = []
    if request.param == "sim":
        sim = SimSocialSecurityCardReader()
        reader: CardReader = sim
        insert, remove = sim.insert, sim.remove
    else:
        slot: Slot = request.getfixturevalue("slot")
        reader = open_card_reader("pcsc://Virtual%20PCD%2000%2000")
        insert, remove = slot.insert, slot.remove

    def put(card: VirtualSocialSecurityCard) -> VirtualSocialSecurityCard:
        cards.append(card)
        return insert(card)

    try:
        yield Rig(reader, put, remove, cards)
    finally:
        reader.close()
    for card in cards:  # the one promise that protects the citizen's PIN tries
        assert not card.saw_ins(0x20), "VERIFY reached the card"


HOLDER = CardHolder(name="欧阳小明", gender=b"2", nation=1, birth="19491231")


def next_event(reader: CardReader, timeout: float = 10) -> CardEvent:
    try:
        return reader.events.get(timeout=timeout)
    except queue.Empty:
        pytest.fail(f"no card event within {timeout} s")


def test_insert_then_read_gives_the_holder(rig: Rig) -> None:
    rig.insert(VirtualSocialSecurityCard(HOLDER))
    person = rig.reader.read_card(timeout=5)
    assert person.source == "sscard"
    assert person.id_number == HOLDER.id_number
    assert (person.name, person.gender, person.nation) == ("欧阳小明", "女", "汉")
    assert person.birth_date == date(1949, 12, 31)
    assert person.card_number == "A01234567"
    assert rig.reader.health().state is HealthState.OK


def test_no_card_times_out_with_a_sentence(rig: Rig) -> None:
    with pytest.raises(NoCard) as e:
        rig.reader.read_card(timeout=0.5)
    assert "插入" in e.value.user_message


def test_insert_and_remove_are_reported(rig: Rig) -> None:
    rig.reader.watch()
    rig.insert(VirtualSocialSecurityCard())
    inserted = next_event(rig.reader)
    assert inserted.kind == "inserted" and inserted.atr == VirtualSocialSecurityCard().atr
    rig.remove()
    removed = next_event(rig.reader)
    assert (removed.kind, removed.reader) == ("removed", inserted.reader)


def test_events_can_go_to_a_callback(rig: Rig) -> None:
    got: queue.Queue[CardEvent] = queue.Queue()  # what a Qt signal's emit would do
    rig.reader.watch(got.put)
    rig.insert(VirtualSocialSecurityCard())
    assert got.get(timeout=10).kind == "inserted"
    assert rig.reader.events.empty()


def test_garbled_answer_is_a_clear_error(rig: Rig) -> None:
    rig.insert(VirtualSocialSecurityCard(faults=[Fault.GARBLED]))
    with pytest.raises(CardDataError) as e:
        rig.reader.read_card(timeout=5)
    assert e.value.user_message == "社保卡信息无法识别，请到窗口人工办理"


def test_card_without_ssse_is_not_a_social_security_card(rig: Rig) -> None:
    card = rig.insert(VirtualSocialSecurityCard(faults=[Fault.NO_SSSE]))
    with pytest.raises(NotSocialSecurityCard) as e:
        rig.reader.read_card(timeout=5)
    assert e.value.user_message == "这不是社会保障卡，请插入社保卡"
    assert len(card.seen) == 1  # gave up after the SELECT


def test_answers_via_61xx_are_collected(rig: Rig) -> None:
    card = rig.insert(VirtualSocialSecurityCard(HOLDER, [Fault.VIA_61]))
    assert rig.reader.read_card(timeout=5).name == "欧阳小明"
    assert card.saw_ins(0xC0)  # GET RESPONSE


def test_answers_via_6cxx_are_asked_again(rig: Rig) -> None:
    card = rig.insert(VirtualSocialSecurityCard(HOLDER, [Fault.VIA_6C]))
    assert rig.reader.read_card(timeout=5).id_number == HOLDER.id_number
    reads = [c for c in card.seen if c[1] == 0xB2]
    assert len(reads) == 2 * 6  # each record: refused with 6Cxx once, then read


def test_invalid_id_number_on_card(rig: Rig) -> None:
    bad = HOLDER.id_number[:-1] + ("0" if HOLDER.id_number[-1] != "0" else "1")
    rig.insert(VirtualSocialSecurityCard(CardHolder(id_number=bad)))
    with pytest.raises(CardDataError) as e:
        rig.reader.read_card(timeout=5)
    assert "身份证号码" in e.value.user_message


def test_cards_read_one_after_another(rig: Rig) -> None:
    for name in ("张三", "李四"):
        rig.insert(VirtualSocialSecurityCard(CardHolder(name=name)))
        assert rig.reader.read_card(timeout=5).name == name
        rig.remove()


@pytest.mark.parametrize(
    ("number", "doc_type", "born"),
    [
        ("E12345678", "social_security", date(1949, 12, 31)),  # a foreigner's: 9 characters
        ("USA110050030201", "foreign_2017", date(1949, 12, 31)),  # permanent residence number
        ("SSN2024000011112222ZZ", "social_security", date(1949, 12, 31)),  # longer than 18
    ],
)
def test_social_security_numbers_of_any_length(
    rig: Rig, number: str, doc_type: str, born: date
) -> None:
    rig.insert(VirtualSocialSecurityCard(CardHolder(id_number=number, birth="19491231")))
    person = rig.reader.read_card(timeout=5)
    assert (person.id_number, person.doc_type, person.birth_date) == (number, doc_type, born)


def test_a_social_security_number_of_odd_characters_is_refused(rig: Rig) -> None:
    rig.insert(VirtualSocialSecurityCard(CardHolder(id_number="E1234-5678")))
    with pytest.raises(CardDataError):
        rig.reader.read_card(timeout=5)


def test_a_reader_by_part_of_its_name(slot: Slot) -> None:
    slot.insert(VirtualSocialSecurityCard(HOLDER))
    reader = open_card_reader("pcsc://PCD%2000%2000")  # neither its whole name nor its start
    try:
        assert reader.health().ok
        assert reader.read_card(timeout=5).name == "欧阳小明"
    finally:
        reader.close()


def test_card_pulled_out_mid_read(slot: Slot) -> None:
    card = slot.insert(VirtualSocialSecurityCard(), pull_after=3)
    reader = open_card_reader("pcsc://Virtual%20PCD%2000%2000")
    with pytest.raises(CardRemoved) as e:
        reader.read_card(timeout=5)
    assert "拔出" in e.value.user_message
    assert len(card.seen) == 3 and not card.saw_ins(0x20)


def test_a_missing_reader_is_offline(pcscd: str) -> None:
    reader = open_card_reader("pcsc://No%20Such%20Reader")
    health = reader.health()
    assert health.state is HealthState.OFFLINE and health.code == "reader_missing"
    assert open_card_reader("pcsc://").health().ok
    assert open_card_reader("pcsc://virtual%20pcd").health().ok  # case-insensitive prefix


@pytest.mark.parametrize("url", ["tcp://1.2.3.4:9100", "sim://printer", "pcsc", "pcsc://a[b"])
def test_unknown_urls_are_config_errors(url: str) -> None:
    with pytest.raises(ConfigError):
        open_card_reader(url)
