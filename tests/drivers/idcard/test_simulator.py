"""The simulator's reader side on byte strings: what it answers to host frames."""

from __future__ import annotations

from drivers.base import Person
from drivers.idcard import protocol as p
from drivers.idcard.sim import FAKE_PHOTO, Fault, IdCardSimulator


def replies(sim: IdCardSimulator, data: bytes) -> list[p.Reply]:
    parser = p.FrameParser()
    for _, chunk in sim.receive(data):
        parser.feed(chunk)
    out = []
    while (payload := parser.next_payload()) is not None:
        out.append(p.parse_reply(payload))
    return out


def test_answers_the_hardware_md_sequence(person: Person) -> None:
    sim = IdCardSimulator()
    sim.tap(person)
    wire = b"".join(p.build_frame(c) for c in (p.CMD_SAM_STATUS, p.CMD_FIND, p.CMD_SELECT))
    assert replies(sim, wire) == [p.Reply(0x90), p.Reply(0x9F, bytes(4)), p.Reply(0x90, bytes(8))]
    (read,) = replies(sim, p.build_frame(p.CMD_READ))
    assert read.status == 0x90
    assert read.data[:4] == bytes.fromhex("01 00 04 00")
    assert p.decode_text(p.parse_read_data(read.data)) == person
    assert read.data[260:] == FAKE_PHOTO


def test_command_split_across_writes() -> None:
    sim = IdCardSimulator()
    frame = p.build_frame(p.CMD_FIND)
    assert sim.receive(frame[:6]) == []
    assert replies(sim, frame[6:]) == [p.Reply(0x80)]


def test_bad_host_checksum_gets_status_10() -> None:
    frame = bytearray(p.build_frame(p.CMD_FIND))
    frame[-1] ^= 0x55
    assert replies(IdCardSimulator(), bytes(frame)) == [p.Reply(0x10)]


def test_wrong_length_and_unknown_command() -> None:
    sim = IdCardSimulator()
    assert replies(sim, p.build_frame(b"\x20\x01\x00")) == [p.Reply(0x11)]
    assert replies(sim, p.build_frame(b"\x77\x01")) == [p.Reply(0x21)]


def test_sam_reset_and_id() -> None:
    sim = IdCardSimulator()
    reset, sam_id = replies(sim, p.build_frame(p.CMD_SAM_RESET) + p.build_frame(p.CMD_SAM_ID))
    assert reset == p.Reply(0x90)
    assert sam_id.status == 0x90 and len(sam_id.data) == 16


def test_split_fault_spreads_a_reply_over_timed_pieces() -> None:
    sim = IdCardSimulator()
    sim.add_fault(Fault("split", pieces=3, delay=0.2))
    chunks = sim.receive(p.build_frame(p.CMD_FIND))
    assert [d for d, _ in chunks] == [0.0, 0.2, 0.2]
    assert b"".join(c for _, c in chunks) == p.build_reply(0x80)


def test_faults_apply_to_their_command_only_and_wear_off(person: Person) -> None:
    sim = IdCardSimulator()
    sim.add_fault(Fault("silence", command="select", times=2))
    assert replies(sim, p.build_frame(p.CMD_FIND)) == [p.Reply(0x80)]
    assert replies(sim, p.build_frame(p.CMD_SELECT)) == []
    assert replies(sim, p.build_frame(p.CMD_SELECT)) == []
    assert replies(sim, p.build_frame(p.CMD_SELECT)) == [p.Reply(0x81)]


def test_no_card_entry_answers_one_find(person: Person) -> None:
    sim = IdCardSimulator()
    sim.no_card()
    sim.tap(person)
    find = p.build_frame(p.CMD_FIND)
    assert replies(sim, find) == [p.Reply(0x80)]
    assert replies(sim, find) == [p.Reply(0x9F, bytes(4))]
    assert sim.card_present
