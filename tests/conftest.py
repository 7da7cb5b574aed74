"""Suite-wide test settings: offscreen Qt, no stray warnings; the hall's layout and items, and
the real hub on 127.0.0.1 that the app tests talk to (a directory may override `hub`)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from hall.core.catalogue import load_catalogue
from hall.core.layout import Layout, demo_layout_path, load_layout
from hall.server.hub import Hub
from tests.hubs import HubProcess

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", os.path.join(os.getcwd(), ".hypothesis"))


@pytest.fixture(scope="session")
def layout() -> Layout:
    """The Jiangbei hall of config/ with simulated devices (loaded once for the session):
    the apps that a hub fixture serves open their devices from its layout."""
    return load_layout(demo_layout_path())


@pytest.fixture(scope="session")
def items() -> dict[str, str]:
    """Catalogue item code → domain, as the hub is given them."""
    return {i.code: i.domain for i in load_catalogue()}


@pytest.fixture
def hub(layout: Layout, items: dict[str, str], tmp_path: Path) -> Iterator[Hub]:
    """A hub on 127.0.0.1 over a fresh database, heartbeats every 0.25 s (apps notice fast)."""
    from tests.hubs import start_hub

    h = start_hub(layout, items, tmp_path / "hall.db", heartbeat=0.25)
    yield h
    h.stop()


@pytest.fixture
def hub_proc(tmp_path: Path) -> Iterator[HubProcess]:
    h = HubProcess(tmp_path / "hall.db", tmp_path / "hub.log")
    h.start()
    yield h
    h.kill()
