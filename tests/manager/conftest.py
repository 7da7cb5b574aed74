"""Manager console fixtures: a real hub on 127.0.0.1, the console on a manual clock."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from hall.core.engine import Clock
from hall.core.layout import Layout
from hall.server.hub import Hub
from manager.clock import ManualClock
from manager.model import ConsoleModel
from manager.view import ConsoleWindow
from tests.hubs import HALL_TIME, start_hub
from ui import theme
from ui.hublink import HubLink
from ui.model import HallModel


def make_hub(layout: Layout, items: dict[str, str], db: Path, clock: Clock | None = None) -> Hub:
    """The console tests' hub: quick heartbeat, short device timeout, HALL_TIME unless `clock`."""
    return start_hub(layout, items, db, clock=clock, heartbeat=0.25, device_timeout=2.0)


@pytest.fixture
def hub(layout: Layout, items: dict[str, str], tmp_path: Path) -> Iterator[Hub]:
    h = make_hub(layout, items, tmp_path / "hall.db")
    yield h
    h.stop()


@dataclass
class Console:
    link: HubLink
    hall: HallModel
    model: ConsoleModel
    window: ConsoleWindow
    clock: ManualClock


def open_console(qtbot: QtBot, endpoint: str, start: datetime) -> Console:
    """A manager console at 1920×1080 on a manual clock, synced with the hub."""
    from PyQt6.QtWidgets import QApplication

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    theme.apply(app)
    link = HubLink(endpoint, "manager-1", streams=("board", "staff"))
    hall = HallModel(link)
    clock = ManualClock(start)
    model = ConsoleModel(hall, clock)
    window = ConsoleWindow(model)
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    with qtbot.waitSignals([hall.layout_ready, link.synced], timeout=5000):
        link.start()
    return Console(link, hall, model, window, clock)


@pytest.fixture
def console(qtbot: QtBot, hub: Hub) -> Iterator[Console]:
    c = open_console(qtbot, hub.endpoint, HALL_TIME)
    yield c
    c.window.tick.stop()
    c.link.stop()


def save_shot(c: Console, name: str, tmp_path: Path) -> Path:
    """The console as a 1920×1080 PNG in tmp_path (and $YICHUANG_SHOTS when set)."""
    c.window.resize(1920, 1080)
    img = c.window.grab()
    path = tmp_path / f"{name}.png"
    assert img.save(str(path))
    shots = os.environ.get("YICHUANG_SHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        img.save(str(Path(shots) / f"{name}.png"))
    return path
