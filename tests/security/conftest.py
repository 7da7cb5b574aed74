"""Fixtures for the security tests: a keys directory for config/jiangbei.toml and a
CURVE ROUTER behind the ZAP authenticator on 127.0.0.1 (real sockets, ephemeral port)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import zmq

from hall.core.layout import Layout, demo_layout_path, load_layout
from hall.net.keys import Registry, init_keys
from hall.server.auth import secure_client, secure_server, start_authenticator

from .harness import Device, Hub


@pytest.fixture(scope="session")
def jiangbei() -> Layout:
    return load_layout(demo_layout_path())


@pytest.fixture(scope="session")
def keys_template(tmp_path_factory: pytest.TempPathFactory, jiangbei: Layout) -> Path:
    d = tmp_path_factory.mktemp("template") / "keys"
    init_keys(d, jiangbei)
    return d


@pytest.fixture
def keys_dir(tmp_path: Path, keys_template: Path) -> Path:
    """A fresh copy of the jiangbei keys directory (making 69 key pairs once is enough)."""
    d = tmp_path / "keys"
    shutil.copytree(keys_template, d)
    return d


@pytest.fixture
def hub(keys_dir: Path) -> Iterator[Hub]:
    ctx = zmq.Context()
    registry = Registry.load(keys_dir)
    auth = start_authenticator(ctx, registry)
    router = ctx.socket(zmq.ROUTER)
    router.linger = 0
    secure_server(router, keys_dir)
    port = router.bind_to_random_port("tcp://127.0.0.1")
    try:
        yield Hub(ctx, router, f"tcp://127.0.0.1:{port}", registry, auth, keys_dir)
    finally:
        router.close()
        auth.stop()
        ctx.term()


@pytest.fixture
def devices() -> Iterator[list[Device]]:
    made: list[Device] = []
    yield made
    for d in made:
        d.close()


@pytest.fixture
def connect(hub: Hub, devices: list[Device]) -> Callable[[str], Device]:
    """connect(device_id): a DEALER using that device's own key files."""

    def _connect(device_id: str) -> Device:
        d = Device(hub.endpoint, lambda s: secure_client(s, hub.keys_dir, device_id))
        devices.append(d)
        return d

    return _connect
