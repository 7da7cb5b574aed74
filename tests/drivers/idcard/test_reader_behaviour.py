"""One behaviour suite, run against the serial driver over socat and the sim:// reader.

Timing assertions are upper bounds only (a call must not outlive its
timeout); nothing here measures speed.
"""

from __future__ import annotations

import threading
import time

import pytest

from drivers.base import DeviceTimeout, DeviceUnavailable, HealthState, Person
from drivers.idcard import protocol as p
from drivers.idcard.errors import (
    BadChecksum,
    CardNotReadable,
    CardRemoved,
    ReaderFault,
    ReaderStatusError,
)
from drivers.idcard.sim import Fault

from .conftest import REPLY_TIMEOUT, Rig

MARGIN = 0.5  # scheduling slack on top of a timeout


def test_reads_a_card(rig: Rig, person: Person) -> None:
    rig.sim.tap(person)
    got = rig.reader.read_card(timeout=3)
    assert got == person
    assert rig.sim.commands == ["find", "select", "read"]


def test_reads_a_long_term_card(rig: Rig, elder: Person) -> None:
    rig.sim.tap(elder)
    got = rig.reader.read_card(timeout=3)
    assert got is not None
    assert (got.valid_to, got.valid_to_text, got.id_number[-1]) == (None, "长期", "X")


def test_no_card_is_none(rig: Rig) -> None:
    assert rig.reader.read_card(timeout=2) is None
    assert rig.sim.commands == ["find"]


def test_a_card_is_read_once_then_the_next(rig: Rig, person: Person, elder: Person) -> None:
    rig.sim.tap(person)
    rig.sim.tap(elder)
    assert rig.reader.read_card(timeout=3) == person
    assert rig.reader.read_card(timeout=3) == elder
    assert rig.reader.read_card(timeout=3) is None


def test_poll_waits_for_a_card(rig: Rig, person: Person) -> None:
    rig.sim.no_card()
    rig.sim.no_card()
    rig.sim.tap(person)
    assert rig.reader.poll(timeout=5, interval=0.05) == person
    assert rig.sim.commands.count("find") == 3


def test_poll_gives_up_at_its_timeout(rig: Rig) -> None:
    start = time.monotonic()
    assert rig.reader.poll(timeout=0.8, interval=0.3) is None
    assert time.monotonic() - start < 0.8 + MARGIN
    # It slept between looks instead of hammering the reader.
    assert 1 <= rig.sim.commands.count("find") <= 4


def test_poll_stops_when_asked(rig: Rig) -> None:
    stop = threading.Event()
    timer = threading.Timer(0.3, stop.set)
    timer.start()
    start = time.monotonic()
    try:
        assert rig.reader.poll(timeout=10, interval=0.1, stop=stop) is None
    finally:
        timer.join()
    assert time.monotonic() - start < 0.3 + MARGIN


@pytest.mark.parametrize("command", ["find", "select", "read"])
def test_garbage_before_a_reply_is_skipped(rig: Rig, person: Person, command: str) -> None:
    rig.sim.add_fault(Fault("garbage", command=command))
    rig.sim.tap(person)
    assert rig.reader.read_card(timeout=3) == person


def test_a_reply_split_in_pieces_is_reassembled(rig: Rig, person: Person) -> None:
    rig.sim.add_fault(Fault("split", command="read", pieces=7, delay=0.03))
    rig.sim.add_fault(Fault("split", command="find", pieces=11, delay=0.01))
    rig.sim.tap(person)
    assert rig.reader.read_card(timeout=3) == person


def test_one_bad_checksum_is_retried(rig: Rig, person: Person) -> None:
    rig.sim.add_fault(Fault("bad_checksum", command="read"))
    rig.sim.tap(person)
    assert rig.reader.read_card(timeout=3) == person
    assert rig.sim.commands == ["find", "select", "read", "read"]


def test_repeated_bad_checksums_raise(rig: Rig, person: Person) -> None:
    rig.sim.add_fault(Fault("bad_checksum", command="select", times=2))
    rig.sim.tap(person)
    with pytest.raises(BadChecksum) as info:
        rig.reader.read_card(timeout=3)
    assert "读卡器" in info.value.user_message


def test_silence_times_out_within_the_timeout(rig: Rig, person: Person) -> None:
    rig.sim.add_fault(Fault("silence", command="find"))
    start = time.monotonic()
    with pytest.raises(DeviceTimeout):
        rig.reader.read_card(timeout=0.3)  # shorter than the reply timeout: it wins
    assert time.monotonic() - start < 0.3 + MARGIN


def test_silence_mid_read_with_card_still_there_is_a_timeout(rig: Rig, person: Person) -> None:
    rig.sim.add_fault(Fault("silence", command="read"))
    rig.sim.tap(person)
    start = time.monotonic()
    with pytest.raises(DeviceTimeout):
        rig.reader.read_card(timeout=2)
    assert time.monotonic() - start < 2 + MARGIN
    # After the silent read it looked whether the card was still there; it was.
    assert rig.sim.commands == ["find", "select", "read", "find"]


@pytest.mark.parametrize("status", sorted(p.STATUSES))
def test_every_failure_status_on_read_is_a_typed_error(
    rig: Rig, person: Person, status: int
) -> None:
    rig.sim.add_fault(Fault("status", command="read", status=status))
    rig.sim.tap(person)
    cls, _, user_message = p.STATUSES[status]
    with pytest.raises(ReaderStatusError) as info:
        rig.reader.read_card(timeout=3)
    assert type(info.value) is cls
    assert info.value.status == status
    assert info.value.user_message == user_message


def test_a_failure_status_on_find_is_raised(rig: Rig) -> None:
    rig.sim.add_fault(Fault("status", command="find", status=0x24))
    with pytest.raises(ReaderStatusError) as info:
        rig.reader.read_card(timeout=2)
    assert info.value.status == 0x24


def test_unknown_status_is_a_reader_fault(rig: Rig, person: Person) -> None:
    rig.sim.add_fault(Fault("status", command="select", status=0x5A))
    rig.sim.tap(person)
    with pytest.raises(ReaderStatusError) as info:
        rig.reader.read_card(timeout=3)
    assert info.value.status == 0x5A
    assert "未知" in info.value.user_message


@pytest.mark.parametrize("how", ["status", "cut"])
def test_card_removed_mid_read(rig: Rig, person: Person, how: str) -> None:
    rig.sim.tap(person, remove_mid_read=how)
    start = time.monotonic()
    with pytest.raises(CardRemoved) as info:
        rig.reader.read_card(timeout=3)
    assert time.monotonic() - start < 3 + MARGIN
    assert "移开" in info.value.user_message
    assert isinstance(info.value.__cause__, CardNotReadable | DeviceTimeout)


def test_cut_reply_with_no_time_left_is_a_timeout(rig: Rig, person: Person) -> None:
    rig.sim.tap(person, remove_mid_read="cut")
    start = time.monotonic()
    with pytest.raises(DeviceTimeout):
        rig.reader.read_card(timeout=REPLY_TIMEOUT / 2)
    assert time.monotonic() - start < REPLY_TIMEOUT / 2 + MARGIN


def test_a_card_cut_off_at_the_end_of_a_poll_window_is_reported_removed(
    rig: Rig, person: Person
) -> None:
    """The kiosk polls in short windows; a card found as one ends is read with a budget of
    its own, so lifting it mid-read says "removed", not "reader silent"."""
    rig.sim.tap(person, remove_mid_read="cut")
    start = time.monotonic()
    with pytest.raises(CardRemoved) as info:
        rig.reader.poll(REPLY_TIMEOUT / 2)
    assert "移开" in info.value.user_message
    assert time.monotonic() - start < 3.0 + MARGIN  # reader.READ_BUDGET


def test_health_ok(rig: Rig) -> None:
    h = rig.reader.health()
    assert h.state is HealthState.OK


def test_health_sam_self_test_failed(rig: Rig) -> None:
    rig.sim.sam_status = 0x60
    h = rig.reader.health()
    assert (h.state, h.code) == (HealthState.OFFLINE, "sw3-60")
    assert "自检" in h.reason


def test_health_of_a_silent_reader_is_unknown(rig: Rig) -> None:
    rig.sim.add_fault(Fault("silence"))
    start = time.monotonic()
    h = rig.reader.health(timeout=0.3)
    assert time.monotonic() - start < 0.3 + MARGIN
    assert h.state is HealthState.UNKNOWN


def test_closed_reader_is_unavailable(rig: Rig, person: Person) -> None:
    rig.reader.close()
    rig.sim.tap(person)
    with pytest.raises(DeviceUnavailable):
        rig.reader.read_card(timeout=1)
    assert rig.reader.health().state is HealthState.OFFLINE


def test_a_card_tapped_from_another_thread_ends_a_poll(rig: Rig, person: Person) -> None:
    # The demo taps from the GUI thread while a worker polls.
    timer = threading.Timer(0.4, rig.sim.tap, args=(person,))
    timer.start()
    try:
        assert rig.reader.poll(timeout=5, interval=0.1) == person
    finally:
        timer.join()


def test_an_unexpected_success_status_is_a_reader_fault(rig: Rig) -> None:
    rig.sim.add_fault(Fault("status", command="find", status=p.STATUS_OK))
    with pytest.raises(ReaderFault):
        rig.reader.read_card(timeout=2)
    rig.sim.sam_status = p.STATUS_CARD_FOUND
    assert rig.reader.health().state is HealthState.OFFLINE


def test_health_waits_for_a_busy_reader_no_longer_than_its_timeout(
    rig: Rig, person: Person
) -> None:
    rig.sim.add_fault(Fault("silence", command="read"))
    rig.sim.tap(person)
    outcome: list[BaseException] = []
    reading = threading.Thread(target=_read_into, args=(rig, outcome))
    reading.start()
    try:
        time.sleep(0.1)  # the read now holds the reader, waiting for a reply
        start = time.monotonic()
        assert rig.reader.health(timeout=0.2).state is HealthState.UNKNOWN
        assert time.monotonic() - start < 0.2 + MARGIN
    finally:
        reading.join()
    assert [type(e) for e in outcome] == [DeviceTimeout]


def _read_into(rig: Rig, outcome: list[BaseException]) -> None:
    try:
        rig.reader.read_card(timeout=1.5)
    except Exception as e:
        outcome.append(e)
