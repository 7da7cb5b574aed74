"""Counter fixtures: a real hub on 127.0.0.1, counters built from the real widgets."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from counter.app import item_names
from counter.model import CounterModel
from counter.view import CounterWindow
from hall.client import HubClient
from ui import i18n, theme
from ui.hublink import HubLink
from ui.model import HallModel


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Counter tests fail on any Qt warning (STYLE.md §8) but the offscreen plugin's own."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
            item.add_marker(pytest.mark.qt_log_ignore("does not support propagateSizeHints"))


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

    def make(endpoint: str, window: int = 5, device: str | None = None) -> Counter:
        link = HubLink(endpoint, device or f"counter-{window}", streams=("board", "staff"),
                       timeout=0.5, retries=2, offline_after=1.5)  # fmt: skip
        hall = HallModel(link)
        model = CounterModel(hall, window, item_names=item_names(i18n.current_language()))
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
def shoot(tmp_path: Path, qtbot: QtBot) -> Callable[..., list[Path]]:
    """Save the counter at 1920×1080 and 1280×800 (tmp_path, and $YICHUANG_SHOTS if set)."""

    def save(
        view: QWidget, name: str, sizes: tuple[tuple[int, int], ...] = ((1920, 1080), (1280, 800))
    ) -> list[Path]:
        out = []
        for w, h in sizes:
            view.resize(w, h)
            qtbot.wait(50)
            path = tmp_path / f"counter-{name}-{w}x{h}.png"
            assert view.grab().save(str(path)), path
            out.append(path)
            if shots := os.environ.get("YICHUANG_SHOTS"):
                Path(shots).mkdir(parents=True, exist_ok=True)
                shutil.copy(path, Path(shots) / path.name)
        if isinstance(view, CounterWindow):
            view.resize(1920, 1080)
        return out

    return save


# ------------------------------------------------------------ driving a counter


def board(m: HubClient) -> dict[str, Any]:
    return m.snapshot()["board"]


def win5(m: HubClient) -> dict[str, Any]:
    return board(m)["windows"]["5"]


def key(qtbot: QtBot, c: Counter, k: Qt.Key) -> None:
    """Press a function key on the work page and wait for the hub's answer."""
    qtbot.keyClick(c.view.work, k)
    qtbot.waitUntil(lambda: c.model.busy is None, timeout=3000)


def click(qtbot: QtBot, c: Counter, action: str) -> None:
    b = c.view.work.buttons[action]
    assert b.isEnabled(), f"{action} is disabled: {c.model.why_not(action)}"
    qtbot.mouseClick(b, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: c.model.busy is None, timeout=3000)


def sign_in(qtbot: QtBot, c: Counter, staff_no: str = "S0512", name: str = "李小梅") -> None:
    page = c.view.sign_in
    assert c.view.pages.currentWidget() is page
    qtbot.keyClicks(page.staff_no, staff_no)
    page.name.insert(name)  # Chinese comes from the IME, not QTest keys
    qtbot.mouseClick(page.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: c.view.pages.currentWidget() is c.view.work, timeout=3000)
