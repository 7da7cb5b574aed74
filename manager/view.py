"""The manager console's main window: floors, follow-ups and figures on the left; alerts and
the rebalance panel on the right. Composes the widgets; decides nothing itself."""

from __future__ import annotations

from PyQt6.QtCore import Qt, QTimer
from PyQt6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)  # fmt: skip

from manager.model import ConsoleModel
from manager.widgets.alerts_list import AlertsList
from manager.widgets.figures_tab import FiguresTab
from manager.widgets.followups_tab import FollowUpsTab
from manager.widgets.queue_table import QueueTable
from manager.widgets.rebalance_panel import RebalancePanel
from manager.widgets.window_grid import WindowGrid
from ui import theme
from ui.i18n import punct, text_of, tr


class FloorPage(QWidget):
    """One floor: its windows as a grid, its queues as a table."""

    def __init__(self, model: ConsoleModel, floor: str) -> None:
        super().__init__()
        lay = QVBoxLayout(self)
        self.grid = WindowGrid(model, floor)
        self.queues = QueueTable(model, floor)
        # The windows take the room the queue table does not need (issue 21: the floor
        # view left most of the screen empty).
        lay.addWidget(self.grid, 1)
        lay.addWidget(self.queues)
        model.changed.connect(self._fit_table)
        self._fit_table()

    def _fit_table(self) -> None:
        """The queue table as tall as its rows, no taller."""
        t = self.queues
        rows = sum(t.rowHeight(r) for r in range(t.rowCount()))
        header = t.horizontalHeader()
        t.setFixedHeight(
            rows + (header.height() if header is not None else 0) + 2 * t.frameWidth() + 4
        )


class ConsoleWindow(QMainWindow):
    """`hall manager`: the whole hall live for its manager."""

    def __init__(self, model: ConsoleModel) -> None:
        super().__init__()
        self.model = model
        self.setWindowTitle(tr("一窗 · 大厅管理"))
        self.setFont(theme.font(13))
        root = QWidget()
        self.setCentralWidget(root)
        outer = QVBoxLayout(root)
        outer.setContentsMargins(0, 0, 0, 0)
        self.header = QLabel()
        self.header.setObjectName("title")
        self.header.setFont(theme.font(18, bold=True))
        outer.addWidget(self.header)
        body = QHBoxLayout()
        body.setContentsMargins(12, 8, 12, 8)
        outer.addLayout(body, 1)
        self.tabs = QTabWidget()
        self.floor_pages: dict[str, FloorPage] = {}
        body.addWidget(self.tabs, 13)
        side = QVBoxLayout()
        self.alerts = AlertsList(model)
        self.rebalance = RebalancePanel(model)
        side.addWidget(self.alerts, 3)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        side.addWidget(line)
        side.addWidget(self.rebalance, 7)
        body.addLayout(side, 7)
        self.followups = FollowUpsTab(model)
        self.figures = FiguresTab(model)
        self.status = QLabel()
        self.status.setContentsMargins(12, 0, 12, 6)
        outer.addWidget(self.status)
        model.changed.connect(self.refresh)
        model.message.connect(self.show_message)
        model.hall.layout_ready.connect(self.build_floors)
        self.tick = QTimer(self)  # waits grow with time even when nothing happens
        self.tick.setInterval(5000)
        self.tick.timeout.connect(model.refresh)
        self.tick.start()
        self.build_floors()
        self.refresh()

    def build_floors(self) -> None:
        if self.floor_pages or not self.model.floors():
            return
        self.tabs.clear()
        for f in self.model.floors():
            page = FloorPage(self.model, f["id"])
            page.grid.selected.connect(self.rebalance.select_window)
            self.floor_pages[f["id"]] = page
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            scroll.setWidget(page)
            self.tabs.addTab(scroll, f"{f['id']} {text_of(f, 'name')}")
        self.tabs.addTab(self.followups, tr("差评回访"))
        self.tabs.addTab(self.figures, tr("今日统计"))

    def refresh(self) -> None:
        hall = (self.model.hall.layout or {}).get("name", "")
        online = tr("在线") if self.model.hall.online else tr("离线")
        n_alerts = len(self.model.alerts())
        self.header.setText(f"{hall}  {tr('大厅管理')}    {self.model.now:%Y-%m-%d %H:%M}    "
                            + punct(f"{tr('中心服务')}：{online}") + "    "
                            + punct(f"{tr('提醒')}：{n_alerts}"))  # fmt: skip

    def show_message(self, text: str, error: bool) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {theme.RED if error else theme.GREEN};")
