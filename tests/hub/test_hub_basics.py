"""The hub over real sockets: handshake, commands, roles, garbage, retries."""

from __future__ import annotations

import time

import pytest
import zmq

from hall.client import HubClient
from hall.core import errors as E
from hall.core.errors import NotAllowed
from hall.server.hub import Hub
from hall.wire import protocol as P
from hall.wire.follower import StateFollower

from .conftest import ClientFactory, open_windows, raw_request


def test_hello_welcome_announces_the_stream_endpoint(hub: Hub, connect: ClientFactory) -> None:
    w = connect("kiosk-1").hello()
    assert w["protocol"] == P.PROTOCOL_VERSION
    assert w["pub"] == hub.pub_endpoint and w["epoch"] == hub.epoch
    assert (w["role"], w["device"]) == ("kiosk", "kiosk-1")
    # the staff stream has a socket of its own, announced to counters and managers only
    assert w["staff_pub"] is None and hub.staff_pub_endpoint != hub.pub_endpoint
    for device in ("counter-1", "manager-1"):
        assert connect(device).hello()["staff_pub"] == hub.staff_pub_endpoint
    assert connect("display-1F").hello()["staff_pub"] is None


def test_staff_events_come_from_the_staff_socket_only(hub: Hub, connect: ClientFactory) -> None:
    """A board follower connected to the board PUB sees no staff event; a counter's sees both."""
    mgr = connect("manager-1")
    display, counter = connect("display-1F"), connect("counter-1")
    board_only, both = StateFollower(("board",)), StateFollower(("board", "staff"))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not (board_only.synced and both.synced):
        display.pump(board_only, timeout=0.2)
        counter.pump(both, timeout=0.2)
    open_windows(mgr, [1])  # board: window.changed; staff: clerk.signed_in
    seen_board, seen_both = [], []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not any(e.stream == "staff" for e in seen_both):
        seen_board += display.pump(board_only, timeout=0.2)
        seen_both += counter.pump(both, timeout=0.2)
    assert any(e.stream == "staff" for e in seen_both)
    assert seen_board and all(e.stream == "board" for e in seen_board)
    with pytest.raises(ValueError, match="staff stream is not for a display"):
        connect("display-2F").pump(StateFollower(("board", "staff")), timeout=0.1)


def test_issue_call_finish_rate(connect: ClientFactory) -> None:
    kiosk, mgr = connect("kiosk-1"), connect("manager-1")
    counter, pad = connect("counter-1"), connect("rating-1")
    open_windows(mgr, [1])
    t = kiosk.issue("G")["ticket"]
    assert t["number"] == "A001"
    called = counter.call_next()["ticket"]
    assert called["id"] == t["id"]
    counter.start()
    counter.finish()
    r = pad.rate(2, reasons=["效率"])
    assert r["ticket"] == t["id"] and r["case"]
    with pytest.raises(E.AlreadyRated):
        pad.rate(5)


def test_refusals_are_typed(connect: ClientFactory) -> None:
    counter = connect("counter-2")
    with pytest.raises(E.WindowClosed) as e:
        counter.call_next()
    assert e.value.code == "window_closed" and "窗口未开放" in e.value.message
    assert "not open" in e.value.message_english


def test_a_counter_acts_only_on_its_own_window(connect: ClientFactory) -> None:
    mgr, counter = connect("manager-1"), connect("counter-2")
    open_windows(mgr, [1, 2])
    with pytest.raises(NotAllowed):
        counter.call_next(1)
    with pytest.raises(NotAllowed):
        counter.pause(1)
    assert counter.call_next(2)["ticket"] is None


def test_a_display_only_listens(connect: ClientFactory) -> None:
    display = connect("display-1F")
    req = P.CallNext(req_id=display.next_req_id(), window=1)
    with pytest.raises(NotAllowed) as e:
        display.request(req)
    assert "display" in e.value.detail and "call_next" in e.value.detail
    assert e.value.message == E.NotAllowed.message_zh  # no protocol words on a screen
    assert display.snapshot()["board"]["windows"]["1"]["state"] == "closed"
    assert "staff" not in display.snapshot()


def test_a_kiosk_only_issues(connect: ClientFactory) -> None:
    kiosk = connect("kiosk-1")
    with pytest.raises(NotAllowed):
        kiosk.request(P.Open(req_id=kiosk.next_req_id(), window=1))
    with pytest.raises(NotAllowed):
        kiosk.issue("G", channel="staff")


def test_a_pad_rates_only_its_windows_last_finished(connect: ClientFactory) -> None:
    mgr, kiosk = connect("manager-1"), connect("kiosk-1")
    open_windows(mgr, [1, 2])
    a = kiosk.issue("G")["ticket"]
    b = kiosk.issue("G")["ticket"]
    for w in (1, 2):
        c = connect(f"counter-{w}")
        c.call_next()
        c.finish()
    pad2 = connect("rating-2")
    with pytest.raises(NotAllowed):
        pad2.rate(5, ticket=a["id"])  # window 1's ticket
    assert pad2.rate(5)["ticket"] == b["id"]  # no ticket named: its window's last finished
    with pytest.raises(E.NotRateable):
        connect("rating-3").rate(5)


def test_id_number_becomes_a_hash_and_masks(
    connect: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    idn = "11010519491231002X"
    t = connect("kiosk-1").issue("G", card=P.Card(id_number=idn, name="张小三"))["ticket"]
    assert t["id_masked"] == "1101**********002X" and t["name_masked"] == "张*三"
    assert t["priority"] == "green"  # born 1949
    assert idn not in caplog.text
    with pytest.raises(E.PersonLimit):
        connect("kiosk-2").issue("G", card=P.Card(id_number=idn))
    with pytest.raises(E.BadRequest) as e:
        connect("kiosk-1").issue("G", card=P.Card(id_number="110105194912310021"))
    assert "110105194912310021" not in str(e.value)


def test_a_retried_issue_makes_one_ticket(hub: Hub, connect: ClientFactory) -> None:
    kiosk = connect("kiosk-1")
    kiosk.hello()
    req = P.Issue(req_id=kiosk.next_req_id(), queue="G")
    body = P.encode_request(req)
    # first try: send and drop the socket before reading the reply (the reply is lost)
    raw = zmq.Context.instance().socket(zmq.DEALER)
    raw.connect(hub.endpoint)
    raw.send(body)
    assert raw.poll(3000)
    raw.close(linger=0)
    again = kiosk.send_raw(body, req.req_id)
    again2 = kiosk.send_raw(body, req.req_id)
    assert isinstance(again, P.Ok) and again == again2
    assert again.value["ticket"]["number"] == "A001"
    assert len(connect("manager-1").snapshot()["board"]["tickets"]) == 1
    assert kiosk.issue("G")["ticket"]["number"] == "A002"


@pytest.mark.parametrize(
    ("frames", "code", "words"),
    [
        ([b"\x00\xffnot json"], "malformed", "JSON"),
        ([b'{"type": "ping", "req_id": "kiosk-1:1"}', b"extra"], "malformed", "one frame"),
        ([b'{"type": "teleport", "req_id": "kiosk-1:1"}'], "unknown_type", "teleport"),
        ([b'{"type": "hello", "req_id": "kiosk-1:1", "version": 0}'], "bad_version", "version 0"),
        ([b'{"type": "ping", "req_id": "nobody-9:1"}'], "unknown_device", "nobody-9"),
        ([b'{"type": "ping", "req_id": "counter-99:1"}'], "unknown_device", "counter-99"),
        ([b'{"type": "call_next", "req_id": "kiosk-1:1"}'], "not_allowed", "kiosk"),
        ([b'{"type": "issue", "req_id": "kiosk-1:1", "queue": "' + b"G" * 70_000 + b'"}'],
         "too_large", "limit"),
    ],
)  # fmt: skip
def test_garbage_gets_an_error_naming_it_and_the_hub_keeps_serving(
    hub: Hub, connect: ClientFactory, frames: list[bytes], code: str, words: str
) -> None:
    reply = raw_request(hub, frames)
    assert isinstance(reply, P.Error)
    assert reply.code == code and words in reply.detail  # the details: for the log only
    assert reply.message_en == E.by_code(code).message_en
    assert connect("kiosk-1").ping()["epoch"] == hub.epoch


def test_a_frame_past_the_socket_limit_drops_only_that_peer(
    hub: Hub, connect: ClientFactory
) -> None:
    s = zmq.Context.instance().socket(zmq.DEALER)
    s.connect(hub.endpoint)
    s.send(b"x" * (2 * 1024 * 1024))
    assert not s.poll(500)
    s.close(linger=0)
    assert connect("kiosk-1").issue("G")["ticket"]["number"] == "A001"


def test_hub_unavailable_after_retries() -> None:
    c = HubClient("tcp://127.0.0.1:9", device="kiosk-1", timeout=0.2, retries=2)
    from hall.client import HubUnavailable

    with pytest.raises(HubUnavailable):
        c.ping()
    c.close()


def test_device_health_reaches_the_staff_stream_once_per_change(
    connect: ClientFactory, hub: Hub
) -> None:
    kiosk = connect("kiosk-1")
    manager = connect("manager-1")
    low = {"printer": {"state": "degraded", "reason": "纸将用尽", "code": "paper_low"}}
    kiosk.report_health(low)
    kiosk.report_health(low)  # unchanged: no second event
    snap = manager.snapshot()
    assert snap["staff"]["health"]["kiosk-1"] == low
    # the console's calendar field: "" unless today's 13-day deadline is past the calendar
    today = hub.engine.clock().date()
    assert snap["staff"]["calendar_warning"] == hub.engine.layout.calendar_warning(today)
    with pytest.raises(E.BadRequest):
        kiosk.report_health({"printer": {"state": "fine"}})
    follower = StateFollower(("staff",))
    manager.pump(follower, 1.0)
    out = {"printer": {"state": "offline", "reason": "缺纸", "code": "paper_out"}}
    kiosk.report_health(out)
    deadline = time.monotonic() + 3
    while follower.state["staff"]["health"].get("kiosk-1") != out and time.monotonic() < deadline:
        manager.pump(follower, 0.2)
    assert follower.state["staff"]["health"]["kiosk-1"] == out


def test_stream_endpoints_follow_the_command_port(tmp_path) -> None:
    from hall.core.layout import default_layout_path, load_layout

    lay = load_layout(default_layout_path())
    h = Hub(lay, tmp_path / "a.db", bind="tcp://0.0.0.0:7700")
    assert (h.pub_bind, h.staff_pub_bind) == ("tcp://0.0.0.0:7701", "tcp://0.0.0.0:7702")
    with pytest.raises(ValueError, match="give --staff-pub"):
        Hub(lay, tmp_path / "b.db", bind="ipc:///tmp/a", pub_bind="ipc:///tmp/b")
