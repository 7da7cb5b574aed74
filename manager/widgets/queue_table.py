"""The queues of a floor: waiting, longest wait, estimate, windows serving."""

from __future__ import annotations

from PyQt6.QtGui import QColor
from PyQt6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from manager.model import ConsoleModel
from ui import theme
from ui.i18n import punct, text_of, tr

HEADERS = ("队列", "楼层", "等候人数", "最长等候", "预计等候", "服务窗口")


class QueueTable(QTableWidget):
    def __init__(self, model: ConsoleModel, floor: str | None = None) -> None:
        super().__init__()
        self.console, self.floor = model, floor
        self.setColumnCount(len(HEADERS))
        self.setHorizontalHeaderLabels([tr(h) for h in HEADERS])
        self.verticalHeader().setVisible(False)  # type: ignore[union-attr]
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)  # type: ignore[union-attr]
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        model.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        qs = self.console.queues(self.floor)
        self.setRowCount(len(qs))
        limit = self.console.thresholds.wait_minutes
        for r, q in enumerate(qs):
            cells = (f"{q.name}（{q.id}）", q.floor, str(q.waiting),
                     f"{q.longest_wait:.0f}{tr('分钟')}" if q.waiting else "—",
                     text_of(q, "estimate_text") or "—", str(q.windows))  # fmt: skip
            for c, text in enumerate(cells):
                item = QTableWidgetItem(
                    punct(self.console.queue_name(q.id) + f"（{q.id}）") if c == 0 else text
                )
                if c == 3 and q.waiting and q.longest_wait >= limit:
                    item.setForeground(QColor(theme.RED))
                if c == 5 and q.windows == 0 and q.waiting:
                    item.setForeground(QColor(theme.RED))
                self.setItem(r, c, item)
        hh = self.horizontalHeader()
        assert hh is not None
        rows = sum(self.rowHeight(r) for r in range(len(qs)))
        self.setFixedHeight(hh.height() + 4 + rows)
