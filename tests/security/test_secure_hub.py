"""The real hub behind CURVE + ZAP: registered devices work, others never get in, a disabled
device is cut off on its next message, and roles hold."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import zmq
import zmq.auth

from hall.client import HubClient, HubUnavailable
from hall.core import errors as E
from hall.core.idnumber import make_id_number
from hall.core.layout import Layout
from hall.net.keys import set_enabled
from hall.server.hub import Hub, Security, wall_clock
from hall.wire.protocol import Card
from tests.hubs import HALL_TIME


@pytest.fixture
def secure_hub(jiangbei: Layout, keys_dir: Path, tmp_path: Path) -> Iterator[Hub]:
    h = Hub(jiangbei, tmp_path / "hall.db", bind="tcp://127.0.0.1:0", security=Security.load(keys_dir),
            clock=wall_clock(HALL_TIME)).start()  # fmt: skip
    yield h
    h.stop()


def test_registered_devices_work_end_to_end(secure_hub: Hub, keys_dir: Path) -> None:
    card = Card(id_number=make_id_number("50010119900101123"), name="张小三")
    with HubClient(secure_hub.endpoint, device="kiosk-1", keys=keys_dir) as kiosk:
        issued = kiosk.issue("M", card=card)
    assert issued["ticket"]["number"] == "B001"
    assert (
        issued["ticket"]["id_masked"] == "5001**********1235"[:4] + "*" * 10 + card.id_number[-4:]
    )
    with HubClient(secure_hub.endpoint, device="manager-1", keys=keys_dir) as m:
        m.open_window(9)
        m.sign_in(9, staff_no="S009", name="办事员")
    with HubClient(secure_hub.endpoint, device="counter-9", keys=keys_dir) as c:
        assert c.call_next()["ticket"]["number"] == "B001"


def test_unknown_key_never_gets_in(secure_hub: Hub, keys_dir: Path, tmp_path: Path) -> None:
    # A stranger with its own key pair and the hub's public key, claiming to be a manager.
    stranger = tmp_path / "stranger"
    (stranger / "devices").mkdir(parents=True)
    zmq.auth.create_certificates(str(stranger / "devices"), "manager-1")
    (stranger / "hub.key").write_bytes((keys_dir / "hub.key").read_bytes())
    with (
        HubClient(
            secure_hub.endpoint, device="manager-1", keys=stranger, timeout=0.5, retries=2
        ) as c,
        pytest.raises(HubUnavailable),
    ):
        c.hello()


def test_a_refused_key_never_hangs_the_client(
    secure_hub: Hub, keys_dir: Path, tmp_path: Path
) -> None:
    # The handshake fails before the first send (a loaded machine can be that slow between
    # connect and send): the socket has no connection left to queue on. The client must still
    # give up after its tries, not block in send for ever.
    stranger = tmp_path / "stranger"
    (stranger / "devices").mkdir(parents=True)
    zmq.auth.create_certificates(str(stranger / "devices"), "manager-1")
    (stranger / "hub.key").write_bytes((keys_dir / "hub.key").read_bytes())
    with HubClient(
        secure_hub.endpoint, device="manager-1", keys=stranger, timeout=0.3, retries=2
    ) as c:
        c._dealer_socket()  # connect now, send later
        time.sleep(1.0)
        started = time.monotonic()
        with pytest.raises(HubUnavailable):
            c.hello()
        assert time.monotonic() - started < 30


def test_disabled_device_is_cut_off_on_its_next_message(secure_hub: Hub, keys_dir: Path) -> None:
    with HubClient(secure_hub.endpoint, device="kiosk-1", keys=keys_dir) as kiosk:
        kiosk.issue("G")
        # Disabled by another process, as an administrator would, while connected.
        subprocess.run(
            [sys.executable, "-m", "hall", "keys", "disable", str(keys_dir), "--id", "kiosk-1"],
            check=True, capture_output=True,
        )  # fmt: skip
        with pytest.raises(E.HallError) as refused:
            kiosk.issue("G")
        assert refused.value.code == "unknown_device"
    set_enabled(keys_dir, "kiosk-1", True)
    with HubClient(secure_hub.endpoint, device="kiosk-1", keys=keys_dir) as kiosk:
        assert kiosk.issue("G")["ticket"]["number"] == "A002"


def test_roles_hold_under_curve(secure_hub: Hub, keys_dir: Path) -> None:
    with HubClient(secure_hub.endpoint, device="manager-1", keys=keys_dir) as m:
        for w in (5, 6):
            m.open_window(w)
            m.sign_in(w, staff_no=f"S{w:03d}", name="办事员")
    with HubClient(secure_hub.endpoint, device="counter-5", keys=keys_dir) as c5:
        with pytest.raises(E.HallError) as other:
            c5.pause(6, reason="开会")
        assert other.value.code == "not_allowed"
        c5.pause(5, reason="开会")
    with HubClient(secure_hub.endpoint, device="display-2F", keys=keys_dir) as d:
        with pytest.raises(E.HallError) as shown:
            d.call_next(5)
        assert shown.value.code == "not_allowed"
        assert "display" in str(shown.value)


def test_a_device_cannot_borrow_another_ones_req_id(secure_hub: Hub, keys_dir: Path) -> None:
    with HubClient(secure_hub.endpoint, device="kiosk-1", keys=keys_dir) as kiosk:
        kiosk.device = "manager-1"  # its key still says kiosk-1
        with pytest.raises(E.HallError) as refused:
            kiosk.issue("G")
        assert refused.value.code == "invalid"


def _staff_sub(hub: Hub, keys_dir: Path, device: str) -> tuple[zmq.Context, zmq.Socket, zmq.Socket]:
    from hall.server.auth import secure_client

    ctx = zmq.Context()
    sub = ctx.socket(zmq.SUB)
    sub.linger = 0
    secure_client(sub, keys_dir, device)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    mon = sub.get_monitor_socket(zmq.EVENT_HANDSHAKE_SUCCEEDED | zmq.EVENT_HANDSHAKE_FAILED_AUTH)
    sub.connect(hub.staff_pub_endpoint)
    return ctx, sub, mon


@pytest.mark.parametrize(("device", "allowed"), [("counter-9", True), ("manager-1", True),
                                                  ("display-1F", False), ("kiosk-1", False),
                                                  ("rating-9", False)])  # fmt: skip
def test_only_counters_and_managers_join_the_staff_stream(
    secure_hub: Hub, keys_dir: Path, device: str, allowed: bool
) -> None:
    """Staff numbers, ratings and follow-up cases travel on the staff stream: a display, a
    kiosk or a pad that connects to its socket fails the handshake and hears nothing."""
    from zmq.utils.monitor import recv_monitor_message

    ctx, sub, mon = _staff_sub(secure_hub, keys_dir, device)
    try:
        assert mon.poll(3000), "no handshake event"
        event = recv_monitor_message(mon)["event"]
        if allowed:
            assert event == zmq.EVENT_HANDSHAKE_SUCCEEDED
            assert sub.poll(3000)  # the staff heartbeat, once a second
            topic, _body = sub.recv_multipart()
            assert topic == b"staff/"
        else:
            assert event == zmq.EVENT_HANDSHAKE_FAILED_AUTH
            assert not sub.poll(1500)
    finally:
        sub.disable_monitor()
        mon.close(0)
        sub.close(0)
        ctx.term()


def test_a_disabled_device_stops_hearing_the_streams(secure_hub: Hub, keys_dir: Path) -> None:
    """Its open subscriptions too, not only its commands: a disabled counter went on
    receiving staff numbers, ratings and follow-up cases on the staff stream."""
    import time

    ctx, gone, mon = _staff_sub(secure_hub, keys_dir, "counter-9")
    ctx2, kept, mon2 = _staff_sub(secure_hub, keys_dir, "counter-10")
    try:
        for sub in (gone, kept):
            assert sub.poll(3000)  # the staff heartbeat, once a second
            sub.recv_multipart()
        subprocess.run(
            [sys.executable, "-m", "hall", "keys", "disable", str(keys_dir), "--id", "counter-9"],
            check=True, capture_output=True,
        )  # fmt: skip
        time.sleep(3.0)  # the hub looks at the registry every 2 s
        for sub in (gone, kept):
            while sub.poll(0):
                sub.recv_multipart()
        heard = {"gone": 0, "kept": 0}
        end = time.monotonic() + 3.0
        while time.monotonic() < end:
            for name, sub in (("gone", gone), ("kept", kept)):
                if sub.poll(50):
                    sub.recv_multipart()
                    heard[name] += 1
        assert heard["gone"] == 0, heard
        assert heard["kept"] >= 2, heard  # reconnected by itself: heartbeats again
    finally:
        for c, s, m in ((ctx, gone, mon), (ctx2, kept, mon2)):
            s.disable_monitor()
            m.close(0)
            s.close(0)
            c.term()


def test_the_log_names_a_refused_device_and_leaves_out_pings(
    secure_hub: Hub, keys_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import logging
    import time

    caplog.set_level(logging.INFO, logger="hall.hub")
    with HubClient(secure_hub.endpoint, device="kiosk-1", keys=keys_dir) as kiosk:
        kiosk.ping()
        kiosk.issue("G")
        set_enabled(keys_dir, "kiosk-1", False)
        with pytest.raises(E.HallError):
            kiosk.issue("G")
        for _ in range(3):  # a disabled device pings on, every two seconds
            with pytest.raises(E.HallError):
                kiosk.ping()
    deadline = time.monotonic() + 3
    lines: list[str] = []
    while time.monotonic() < deadline and not any("unknown_device" in x for x in lines):
        time.sleep(0.05)  # the hub writes its lines when idle
        lines = [r.getMessage() for r in caplog.records if r.name == "hall.hub"]
    assert any(x.startswith("kiosk-1 issue ok ") for x in lines), lines
    # refused: once logged as "? issue unknown_device", which said nothing to an operator
    assert any(x.startswith("kiosk-1 issue unknown_device ") for x in lines), lines
    # 70 devices: 50 lines a second; a disabled one's pings once a minute
    assert [x for x in lines if " ping " in x and "unknown_device" not in x] == [], lines
    assert len([x for x in lines if x.startswith("kiosk-1 ping unknown_device")]) == 1, lines
