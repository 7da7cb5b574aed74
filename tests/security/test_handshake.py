"""CURVE + ZAP on real sockets: who completes the handshake, and what User-Id the hub sees."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import zmq
from zmq.utils import z85

from hall.core.layout import Layout
from hall.net.keys import Registry, hub_keys, init_keys, set_enabled
from hall.server.auth import (
    ZAP_DOMAIN,
    Authenticator,
    secure_client,
    secure_server,
    start_authenticator,
)

from .harness import REFUSED_MS, Device, Hub

HALL = Path(sys.executable).with_name("hall")


def test_curve_is_available() -> None:
    assert zmq.has("curve")


@pytest.mark.parametrize("device_id", ["counter-7", "kiosk-1", "display-2F", "manager-1"])
def test_registered_device_is_known_by_its_user_id(hub: Hub, connect, device_id: str) -> None:
    dev = connect(device_id)
    dev.sock.send(b"hello")
    assert dev.handshake() == zmq.EVENT_HANDSHAKE_SUCCEEDED
    assert hub.receive() == (device_id, b"hello")


def test_unknown_key_never_completes_the_handshake(
    hub: Hub, devices: list[Device], caplog: pytest.LogCaptureFixture
) -> None:
    public, secret = zmq.curve_keypair()
    server_public, _ = hub_keys(hub.keys_dir)

    def stranger(s: zmq.Socket) -> None:
        s.curve_publickey, s.curve_secretkey, s.curve_serverkey = public, secret, server_public

    with caplog.at_level("WARNING", logger="hall.server.auth"):
        dev = Device(hub.endpoint, stranger)
        devices.append(dev)
        dev.sock.send(b"let me in")
        assert dev.handshake() == zmq.EVENT_HANDSHAKE_FAILED_AUTH
        assert hub.receive(REFUSED_MS) is None
    assert "refused unknown device key" in caplog.text
    assert secret.decode() not in caplog.text


def test_right_public_key_with_wrong_secret_is_refused(hub: Hub, devices: list[Device]) -> None:
    """Claiming a registered public key without its secret cannot finish CURVE."""
    victim = hub.registry.device("counter-1")
    assert victim is not None
    _, secret = zmq.curve_keypair()
    server_public, _ = hub_keys(hub.keys_dir)

    def impostor(s: zmq.Socket) -> None:
        s.curve_publickey = victim.public_key.encode()
        s.curve_secretkey = secret
        s.curve_serverkey = server_public

    dev = Device(hub.endpoint, impostor)
    devices.append(dev)
    dev.sock.send(b"call_next")
    assert hub.receive(REFUSED_MS) is None


def test_plain_socket_without_curve_gets_nothing_through(hub: Hub, devices: list[Device]) -> None:
    dev = Device(hub.endpoint, lambda s: None)
    devices.append(dev)
    dev.sock.send(b"hello")
    assert hub.receive(REFUSED_MS) is None


def test_disabled_device_is_refused_on_its_next_connection(hub: Hub, connect) -> None:
    first = connect("counter-3")
    first.sock.send(b"before")
    assert hub.receive() == ("counter-3", b"before")

    # Another process changes the registry while the hub runs.
    done = subprocess.run(
        [str(HALL), "keys", "disable", str(hub.keys_dir), "--id", "counter-3"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr

    again = connect("counter-3")
    again.sock.send(b"after")
    assert again.handshake() == zmq.EVENT_HANDSHAKE_FAILED_AUTH
    assert hub.receive(REFUSED_MS) is None

    # The hub's own check on the next message of the open connection.
    hub.registry.reload_if_changed()
    dev = hub.registry.device("counter-3")
    assert dev is not None and not dev.enabled
    first.sock.send(b"still here")
    got = hub.receive()
    assert got is not None and got[0] == "counter-3"  # the hub must look it up: disabled
    # Others are not affected.
    other = connect("counter-4")
    other.sock.send(b"fine")
    assert hub.receive() == ("counter-4", b"fine")


def test_enabled_again_gets_in_again(hub: Hub, connect) -> None:
    set_enabled(hub.keys_dir, "rating-2", False)
    refused = connect("rating-2")
    assert refused.handshake() == zmq.EVENT_HANDSHAKE_FAILED_AUTH
    set_enabled(hub.keys_dir, "rating-2", True)
    back = connect("rating-2")
    back.sock.send(b"5 stars")
    assert hub.receive() == ("rating-2", b"5 stars")


def test_added_device_gets_in_without_restarting_the_hub(hub: Hub, connect) -> None:
    done = subprocess.run(
        [str(HALL), "keys", "add", str(hub.keys_dir), "--id", "counter-5b", "--role", "counter",
         "--window", "5"],  # a spare counter: window 40 is not in the hall's layout
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    dev = connect("counter-5b")
    dev.sock.send(b"new")
    assert hub.receive() == ("counter-5b", b"new")


def test_hub_socket_without_authenticator_refuses_everyone(
    keys_dir: Path, devices: list[Device]
) -> None:
    """ZAP_ENFORCE_DOMAIN: forgetting the authenticator must not mean 'any key is fine'."""
    ctx = zmq.Context()
    router = ctx.socket(zmq.ROUTER)
    router.linger = 0
    secure_server(router, keys_dir)
    port = router.bind_to_random_port("tcp://127.0.0.1")
    try:
        dev = Device(f"tcp://127.0.0.1:{port}", lambda s: secure_client(s, keys_dir, "counter-1"))
        devices.append(dev)
        dev.sock.send(b"hello")
        assert router.poll(REFUSED_MS) == 0
    finally:
        router.close()
        ctx.term()


def test_authenticator_stops_within_a_second(tmp_path: Path, jiangbei: Layout) -> None:
    registry = init_keys(tmp_path / "k", jiangbei)
    ctx = zmq.Context()
    auth = start_authenticator(ctx, registry)
    t0 = time.monotonic()
    auth.stop()
    assert time.monotonic() - t0 < 1.0
    # The ZAP endpoint is free again: a second authenticator can start.
    start_authenticator(ctx, registry).stop()
    ctx.term()


def test_zap_answers_on_frames(keys_dir: Path) -> None:
    """The handler's decisions on raw RFC 27 requests, including garbage."""
    registry = Registry.load(keys_dir)
    auth = Authenticator(zmq.Context(), registry)  # answer() needs no socket
    counter = registry.device("counter-1")
    assert counter is not None
    raw_key = z85.decode(counter.public_key)

    def ask(*frames: bytes) -> tuple[bytes, bytes]:
        reply = auth.answer(list(frames))
        assert reply[0] == b"1.0" and reply[1] == b"r1"
        return reply[2], reply[4]

    dom = ZAP_DOMAIN.encode()
    assert ask(b"1.0", b"r1", dom, b"127.0.0.1", b"", b"CURVE", raw_key) == (b"200", b"counter-1")
    assert ask(b"1.0", b"r1", b"other", b"127.0.0.1", b"", b"CURVE", raw_key)[0] == b"400"
    assert ask(b"1.0", b"r1", dom, b"127.0.0.1", b"", b"NULL")[0] == b"400"
    assert ask(b"1.0", b"r1", dom, b"127.0.0.1", b"", b"PLAIN", b"u", b"p")[0] == b"400"
    assert ask(b"1.0", b"r1", dom, b"127.0.0.1", b"", b"CURVE", b"short")[0] == b"400"
    assert ask(b"1.0", b"r1", dom, b"127.0.0.1", b"", b"CURVE", bytes(32))[0] == b"400"
    assert ask(b"9.9", b"r1", dom, b"127.0.0.1", b"", b"CURVE", raw_key)[0] == b"500"
    assert ask(b"1.0", b"r1")[0] == b"500"
    auth.ctx.term()
