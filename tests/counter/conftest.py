"""Counter fixtures: a real hub on 127.0.0.1, counters built from the real widgets."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from counter.app import item_names
from counter.model import CounterModel
from counter.view import CounterWindow
from hall.catalogue import load_catalogue
from hall.hub import Hub, wall_clock
from hall.layout import Layout, default_layout_path, load_layout
from ui import theme
from ui.hublink import HubLink
from ui.model import HallModel

HALL_TIME = datetime(2026, 11, 26, 9, 30)  # a Thursday morning: open and issuing


@pytest.fixture(scope="session")
def layout() -> Layout:
    return load_layout(default_layout_path())


@pytest.fixture(scope="session")
def items() -> dict[str, str]:
    return {i.code: i.domain for i in load_catalogue()}


def start_hub(layout: Layout, items: dict[str, str], db: Path, bind: str) -> Hub:
    return Hub(layout, db, bind=bind, clock=wall_clock(HALL_TIME), items=items,
               heartbeat=0.25).start()  # fmt: skip


@pytest.fixture
def hub(layout: Layout, items: dict[str, str], tmp_path: Path) -> Iterator[Hub]:
    h = start_hub(layout, items, tmp_path / "hall.db", "tcp://127.0.0.1:0")
    yield h
    h.stop()


@dataclass
class Counter:
    """One counter app as a test drives it: link, models and the real window."""

    link: HubLink
    hall: HallModel
    model: CounterModel
    view: CounterWindow


CounterFactory = Callable[..., Counter]


@pytest.fixture
def make_counter(qtbot: QtBot, qapp: object) -> Iterator[CounterFactory]:
    theme.apply(qapp)  # type: ignore[arg-type]
    made: list[Counter] = []
    names = item_names()

    def make(endpoint: str, window: int = 5, device: str | None = None) -> Counter:
        link = HubLink(endpoint, device or f"counter-{window}", streams=("board", "staff"),
                       timeout=0.5, retries=2, offline_after=1.5)  # fmt: skip
        hall = HallModel(link)
        model = CounterModel(hall, window, item_names=names)
        view = CounterWindow(model)
        qtbot.addWidget(view)
        view.resize(1920, 1080)
        view.show()
        with qtbot.waitSignals([hall.layout_ready, link.synced], timeout=5000):
            link.start()
        c = Counter(link, hall, model, view)
        made.append(c)
        return c

    yield make
    for c in made:
        c.link.stop()


@pytest.fixture
def shoot(tmp_path: Path, qtbot: QtBot) -> Callable[[CounterWindow, str], list[Path]]:
    """Save the counter at 1920×1080 and 1280×800 (tmp_path, and $YICHUANG_SHOTS if set)."""

    def save(view: CounterWindow, name: str) -> list[Path]:
        out = []
        for w, h in ((1920, 1080), (1280, 800)):
            view.resize(w, h)
            qtbot.wait(50)
            path = tmp_path / f"counter-{name}-{w}x{h}.png"
            assert view.grab().save(str(path)), path
            out.append(path)
            if shots := os.environ.get("YICHUANG_SHOTS"):
                Path(shots).mkdir(parents=True, exist_ok=True)
                shutil.copy(path, Path(shots) / path.name)
        view.resize(1920, 1080)
        return out

    return save
