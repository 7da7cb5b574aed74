"""Every app in English on a busy hall: no Chinese text on any screen but proper names (the
hall's name, citizens' masked names) — widgets' texts, tables, tabs, tooltips and what the
board paints itself."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PyQt6.QtCore import (
    QAbstractItemModel,
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    Qt,
)
from PyQt6.QtGui import QPainter
from PyQt6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QTabWidget,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from hall.client import HubClient
from hall.core.catalogue import load_catalogue
from hall.core.idnumber import make_id_number
from hall.core.layout import Layout
from hall.server.hub import Hub
from hall.wire import protocol as P
from tests.shots import save_shot
from ui import i18n, theme
from ui.hublink import HubLink
from ui.model import HallModel

CJK = re.compile(r"[\u3400-\u9fff\u3001-\u303f\uff01-\uff60]+")  # not U+3000, a space
#: The language switch names Chinese in Chinese; clerks' names are proper names.
ALWAYS_PROPER = ["中文", "赵一", "钱二"]
TAG = re.compile(r"<[^>]+>")
MASKED_NAME = re.compile(r"[\u3400-\u9fff]\*+[\u3400-\u9fff]?")  # 张*三, 李*


def texts_of(root: QWidget) -> list[str]:
    """Every text a widget tree shows or may show (hidden pages too)."""
    out: list[str] = [root.windowTitle()]
    for w in [root, *root.findChildren(QWidget)]:
        out.append(w.toolTip())
        if isinstance(w, QLabel | QAbstractButton):
            out.append(w.text())
        elif isinstance(w, QLineEdit):
            out += [w.text(), w.placeholderText()]
        elif isinstance(w, QTextEdit):
            out += [w.toPlainText(), w.placeholderText()]
        elif isinstance(w, QComboBox):
            out += [w.itemText(i) for i in range(w.count())]
        if isinstance(w, QGroupBox):
            out.append(w.title())
        if isinstance(w, QTabWidget):
            out += [w.tabText(i) for i in range(w.count())]
        if isinstance(w, QAbstractItemView) and w.model() is not None:
            out += model_texts(w.model())
    return [TAG.sub("", t) for t in out if t]


def model_texts(m: QAbstractItemModel, parent: QModelIndex | None = None) -> list[str]:
    parent = parent or QModelIndex()
    out = []
    flat = isinstance(m, QAbstractListModel | QAbstractTableModel)
    columns = 1 if isinstance(m, QAbstractListModel) else m.columnCount(parent)
    for c in range(columns):
        for o in (Qt.Orientation.Horizontal,):
            h = m.headerData(c, o, Qt.ItemDataRole.DisplayRole)
            if h:
                out.append(str(h))
    for r in range(m.rowCount(parent)):
        for c in range(columns):
            idx = m.index(r, c, parent)
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                v = m.data(idx, role)
                if v:
                    out.append(str(v))
        if not flat and m.hasChildren(m.index(r, 0, parent)):
            out += model_texts(m, m.index(r, 0, parent))
    return out


def chinese_in(texts: list[str], proper: list[str]) -> list[str]:
    """The texts with CJK left once proper names and masked names are taken out."""
    found = []
    for t in texts:
        bare = t
        for name in proper:
            bare = bare.replace(name, "")
        bare = MASKED_NAME.sub("", bare)
        if CJK.search(bare):
            found.append(t)
    return sorted(set(found))


class PaintedTexts:
    """QPainter.drawText calls of widgets that paint their own text (the board's)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *modules: Any) -> None:
        self.seen: list[str] = []
        seen = self.seen

        class Recording(QPainter):
            def drawText(self, *args: Any) -> None:
                seen.extend(a for a in args if isinstance(a, str))
                super().drawText(*args)

        for m in modules:
            monkeypatch.setattr(m, "QPainter", Recording)


@pytest.fixture
def english(qapp: Any) -> Iterator[None]:
    theme.apply(qapp)
    i18n.set_language("en")
    yield
    i18n.set_language("zh")


@pytest.fixture
def busy(hub: Hub) -> Hub:
    """A hall with windows open and staffed, citizens waiting, one called, one served and
    rated badly (an alert and a follow-up case), one missed."""
    with HubClient(hub.endpoint, device="manager-1") as m:
        for w, (staff, name) in {5: ("S0501", "赵一"), 6: ("S0601", "钱二")}.items():
            m.open_window(w)
            m.sign_in(w, staff_no=staff, name=name)
        card = P.Card(id_number=make_id_number("50010119850501123"), name="张三丰")
        m.issue("G", item="SC-0001", card=card)
        for q in ("G", "G", "G", "M", "M"):
            m.issue(q)
        m.call_next(5)
        m.start(5)
        done = m.finish(5)["ticket"]["id"]
        m.rate(1, ticket=done, reasons=["态度"])
        m.call_next(6)
        m.no_show(6)
        m.call_next(5)
    return hub


def check(root: QWidget, layout: Layout, tmp_path: Path, name: str, extra: list[str]) -> None:
    save_shot(root, tmp_path, f"english-{name}")
    proper = [layout.name, *ALWAYS_PROPER]
    found = chinese_in(texts_of(root) + extra, proper)
    assert not found, f"{name} shows Chinese in English: {found}"


def link_for(endpoint: str, device: str, **kw: Any) -> tuple[HubLink, HallModel]:
    link = HubLink(endpoint, device, timeout=0.5, retries=2, offline_after=3.0, **kw)
    return link, HallModel(link)


def start(qtbot: QtBot, link: HubLink, hall: HallModel) -> None:
    with qtbot.waitSignals([hall.layout_ready, link.synced], timeout=5000):
        link.start()


def test_the_manager_console_in_english(
    qtbot: QtBot, english: None, busy: Hub, layout: Layout, tmp_path: Path
) -> None:
    from manager.clock import ManualClock
    from manager.model import ConsoleModel
    from manager.view import ConsoleWindow
    from tests.hubs import HALL_TIME

    link, hall = link_for(busy.endpoint, "manager-1", streams=("board", "staff"))
    clock = ManualClock(HALL_TIME)
    window = ConsoleWindow(ConsoleModel(hall, clock))
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    start(qtbot, link, hall)
    qtbot.wait(300)
    clock.advance(minutes=45)  # long waits, idle windows: alerts
    window.model.changed.emit()
    qtbot.wait(100)
    try:
        assert window.alerts.alert_keys()
        for i in range(window.tabs.count()):
            window.tabs.setCurrentIndex(i)
            qtbot.wait(50)
            save_shot(window, tmp_path, f"english-manager-tab{i}")
        check(window, layout, tmp_path, "manager", [])
    finally:
        window.tick.stop()
        link.stop()


def test_the_counter_in_english(
    qtbot: QtBot, english: None, busy: Hub, layout: Layout, tmp_path: Path
) -> None:
    from counter.app import item_names
    from counter.model import CounterModel
    from counter.view import CounterWindow

    link, hall = link_for(busy.endpoint, "counter-5", streams=("board", "staff"))
    view = CounterWindow(CounterModel(hall, 5, item_names=item_names("en")))
    qtbot.addWidget(view)
    view.resize(1920, 1080)
    view.show()
    start(qtbot, link, hall)
    qtbot.waitUntil(lambda: view.pages.currentWidget() is view.work, timeout=3000)
    try:
        check(view, layout, tmp_path, "counter", [])
    finally:
        link.stop()


def test_the_display_board_in_english(
    qtbot: QtBot, english: None, busy: Hub, layout: Layout, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    import display.widgets
    from display.app import DisplayApp

    painted = PaintedTexts(monkeypatch, display.widgets)
    link, hall = link_for(busy.endpoint, "display-2F")
    app = DisplayApp(hall, "2F", None)
    qtbot.addWidget(app.view)
    app.view.resize(1920, 1080)
    app.view.show()
    start(qtbot, link, hall)
    qtbot.wait(300)
    try:
        app.view.repaint()
        check(app.view, layout, tmp_path, "display", painted.seen)
        assert painted.seen  # the board did paint its texts
    finally:
        link.stop()
        app.close()


def test_the_rating_pad_in_english(
    qtbot: QtBot, english: None, busy: Hub, layout: Layout, tmp_path: Path
) -> None:
    from rating.model import PadModel
    from rating.view import PadView

    link, hall = link_for(busy.endpoint, "rating-5")
    view = PadView(PadModel(hall, link, 5))
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    start(qtbot, link, hall)
    try:
        check(view, layout, tmp_path, "rating", [])
    finally:
        link.stop()


def test_the_kiosk_in_english(
    qtbot: QtBot, english: None, busy: Hub, layout: Layout, tmp_path: Path
) -> None:
    from drivers.printer import open_printer
    from kiosk.model import KioskModel, Screen
    from kiosk.view import KioskWindow

    link, hall = link_for(busy.endpoint, "kiosk-1")
    model = KioskModel(hall, load_catalogue(), health_every=3600)
    model.printer.printer = open_printer("sim://printer")  # as `hall kiosk` has by default
    window = KioskWindow(model)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    model.start()
    link.start()
    qtbot.waitUntil(lambda: model.screen is Screen.HOME and bool(hall.queues()), timeout=5000)
    qtbot.waitUntil(lambda: bool(window.footer.text()), timeout=5000)  # the printer's health
    try:
        check(window, layout, tmp_path, "kiosk", [])
    finally:
        model.stop()
        link.stop()
