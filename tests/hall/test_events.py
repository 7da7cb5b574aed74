"""Typed events (hall.core.events): one Struct per type, the data encoded once, the wire as before."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import msgspec
import pytest

from hall.core import events as EV
from hall.server.store import Store
from hall.wire import protocol as P
from hall.wire.follower import StateFollower

TICKET = {"id": "20261126-A001", "number": "A001", "queue": "G", "state": "called",
          "window": 1, "priority": "normal", "issued_at": "2026-11-26T09:00:00"}  # fmt: skip
SAMPLES: list[EV.Data] = [
    EV.TicketIssued(ticket=TICKET, ahead=3, waiting=4, estimate=[5.0, 12.5]),
    EV.TicketCancelled(ticket=TICKET),
    EV.TicketRequeued(ticket=TICKET),
    EV.TicketNoShow(ticket=TICKET, window=1, auto=True),
    EV.TicketCalled(ticket=TICKET, window=1, floor="1F", queue_floor="1F"),
    EV.TicketRecalled(ticket=TICKET, window=1, floor="1F", recalls=2, queue_floor="1F"),
    EV.TicketStarted(ticket=TICKET, window=1),
    EV.TicketFinished(ticket=TICKET, window=1, clerk=None),
    EV.TicketTransferred(ticket=TICKET, from_window=1, to_queue=None, to_window=7),
    EV.TicketParked(ticket=TICKET, window=1),
    EV.TicketItemRecorded(
        ticket="20261126-A001", number="A001", window=1, clerk="S001", item="SC-0001"
    ),
    EV.DayStarted(day="2026-11-26", expired=0),
    EV.WindowChanged(window={"number": 1, "state": "open", "clerk": None}),
    EV.AppointmentBooked(id="AP-1", queue="G", slot="2026-11-26T10:00:00"),
    EV.AppointmentCancelled(id="AP-2", queue="G", slot="2026-11-27T10:00:00"),
    EV.RatingGiven(
        ticket="20261126-A001",
        number="A001",
        queue="G",
        window=1,
        clerk="S001",
        level=1,
        reasons=["态度不好"],
    ),
    EV.FollowUpOpened(case={"id": "FU-1", "state": "open"}),
    EV.FollowUpUpdated(case={"id": "FU-1", "state": "contacted"}),
    EV.DeviceHealth(
        device="kiosk-1", role="kiosk", parts={"printer": {"state": "ok", "reason": "", "code": ""}}
    ),
    EV.DeviceOnline(device="kiosk-1", role="kiosk"),
    EV.DeviceOffline(device="kiosk-1", role="kiosk"),
    EV.ClerkSignedIn(window=1, post="A", staff_no="S001", name="王小明"),
    EV.ClerkSignedOut(window=1, post="A", staff_no="S001"),
    EV.WindowProfileChanged(
        window=1, old={"G": 1.0}, new={"M": 1.0, "G": 0.5}, by="m", reason="等候过长"
    ),
    EV.AdvisorProposal(
        id="P-1", window=5, profile={"M": 1.0}, reason="r", effect={"M": [20.0, 12.5]}
    ),
]


def _fields(d: EV.Data) -> dict[str, object]:
    return {f: getattr(d, f) for f in d.__struct_fields__}


def test_every_type_has_a_sample_and_a_stream() -> None:
    assert sorted(type(d).TYPE for d in SAMPLES) == sorted(EV.TYPES)
    assert all(cls.STREAM in ("board", "staff") for cls in EV.TYPES.values())
    assert EV.TicketCalled.TYPE == "ticket.called" and EV.TicketCalled.STREAM == "board"


@pytest.mark.parametrize("data", SAMPLES, ids=lambda d: type(d).TYPE)
def test_data_is_encoded_as_before_without_its_type(data: EV.Data) -> None:
    raw = EV.encode_data(data)
    # The same JSON the store wrote with json.dumps: the same keys in the same order.
    assert json.loads(raw) == _fields(data)
    assert list(json.loads(raw)) == list(data.__struct_fields__)
    assert EV.decode_data(data.TYPE, raw) == data
    # A row an earlier version wrote (json.dumps, spaces, no type) reads the same.
    old = json.dumps(_fields(data), ensure_ascii=False, default=str)
    assert EV.decode_data(data.TYPE, old) == data
    # The tagged union decodes the tagged form too.
    assert msgspec.json.decode(msgspec.json.encode(data), type=EV.EventData) == data


def test_a_stream_message_decodes_as_the_update_it_always_was() -> None:
    at = datetime(2026, 11, 26, 9, 30)
    data = SAMPLES[4]
    ev = EV.Event(at, data).numbered(17)
    assert (ev.stream, ev.type, ev.seq) == ("board", "ticket.called", 17)
    raw = EV.encode_update(1234, ev)
    up = P.decode_update(raw)
    assert up == P.Update(epoch=1234, seq=17, type="ticket.called", at="2026-11-26T09:30:00",
                          data=_fields(data))  # fmt: skip
    assert raw.index(ev.encoded) > 0  # the saved bytes, as they are
    back = EV.received(up.type, up.seq, up.at, up.data)
    assert back is not None and (back.at, back.data, back.seq) == (at, data, 17)


def test_received_unknown_types_and_garbage() -> None:
    assert EV.received("queue.renamed", 3, "2026-11-26T09:30:00", {"x": 1}) is None
    with pytest.raises(ValueError):
        EV.received("ticket.called", 3, "2026-11-26T09:30:00", {"window": "x"})
    with pytest.raises(ValueError):
        EV.received("day.started", 3, "yesterday", {"day": "2026-11-26", "expired": 0})
    # a newer hub's extra field is skipped (fields are only added, with defaults)
    ev = EV.received("device.online", 3, "2026-11-26T09:30:00", {"device": "d", "new": 1})
    assert ev is not None and ev.data == EV.DeviceOnline(device="d")


def _update(seq: int, type_: str, data: dict[str, object], epoch: int = 1) -> P.Update:
    return P.Update(epoch=epoch, seq=seq, type=type_, at="2026-11-26T09:30:00", data=data)


def _synced(*streams: str) -> StateFollower:
    f = StateFollower(streams)
    state = {"board": {"day": "2026-11-26", "tickets": {}, "windows": {}},
             "staff": {"devices": {}, "cases": {}, "health": {}}}  # fmt: skip
    f.load_snapshot({"epoch": 1, "seq": {"board": 0, "staff": 0}, **state}, 0.0)
    return f


def test_the_follower_hands_out_typed_events() -> None:
    f = _synced("board", "staff")
    (ev,) = f.feed("board", _update(1, "ticket.called", _fields(SAMPLES[4])), 1.0)
    assert isinstance(ev.data, EV.TicketCalled) and ev.data == SAMPLES[4]
    assert (ev.stream, ev.seq, ev.at) == ("board", 1, datetime(2026, 11, 26, 9, 30))
    assert f.state["board"]["tickets"][TICKET["id"]] == TICKET
    (ev,) = f.feed("staff", _update(1, "device.online", {"device": "kiosk-1"}), 1.0)
    assert f.state["staff"]["devices"] == {"kiosk-1": True}


def test_the_follower_skips_unknown_types_and_resyncs_on_garbage() -> None:
    f = _synced("board")
    assert f.feed("board", _update(1, "queue.renamed", {"x": 1}), 1.0) == []
    assert f.seq["board"] == 1 and f.synced  # a newer hub's event: nothing to follow
    assert f.feed("board", _update(2, "ticket.called", {"window": "x"}), 1.0) == []
    assert f.wants_snapshot and not f.synced and f.seq["board"] == 1
    f = _synced("board")
    staff_on_board = _update(1, "device.online", {"device": "kiosk-1"})
    assert f.feed("board", staff_on_board, 1.0) == [] and f.wants_snapshot


def test_the_store_reads_rows_an_earlier_version_wrote(tmp_path: Path) -> None:
    store = Store(tmp_path / "hall.db")
    old = {"window": 3, "post": "A", "staff_no": "S003"}  # clerk.signed_in before `name`
    with store.transaction():
        store.conn.execute(
            "INSERT INTO events (stream, seq, type, at, data, device, command) "
            "VALUES ('staff', 1, 'clerk.signed_in', '2026-11-26T09:30:00', ?, 'm', 'sign_in'), "
            "('staff', 2, 'some.future_event', '2026-11-26T09:31:00', '{}', 'm', 'x')",
            [json.dumps(old)],
        )
    (ev,) = store.events_since("staff", 0)
    assert ev.data == EV.ClerkSignedIn(window=3, post="A", staff_no="S003", name="")
    assert (ev.seq, ev.at) == (1, datetime(2026, 11, 26, 9, 30))
    store.close()
