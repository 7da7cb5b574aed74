"""Today's figures: tickets per queue and hour, waits, served per window and clerk, ratings."""

from __future__ import annotations

from PyQt6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)  # fmt: skip

from hall.core.model import RATING_LABELS, RatingLevel
from manager.figures import Figures
from manager.model import ConsoleModel
from ui import theme
from ui.i18n import pick, punct, tr


def _table(headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().setVisible(False)  # type: ignore[union-attr]
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)  # type: ignore[union-attr]
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    return t


def _fill(t: QTableWidget, rows: list[list[str]]) -> None:
    t.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            t.setItem(r, c, QTableWidgetItem(text))


def _m(v: float | None) -> str:
    return "—" if v is None else f"{v:.1f}"


class FiguresTab(QWidget):
    def __init__(self, model: ConsoleModel) -> None:
        super().__init__()
        self.model = model
        self.last: Figures | None = None
        lay = QVBoxLayout(self)
        self.notes = QLabel()
        self.notes.setObjectName("muted")
        self.notes.setWordWrap(True)
        grid = QGridLayout()
        self.by_hour = _table([tr("队列")])
        self.waits = _table([tr("队列"), tr("已叫号"), tr("平均等候(分)"), tr("P90等候(分)")])
        self.windows = _table([tr("窗口"), tr("办结")])
        self.clerks = _table([tr("办事员"), tr("办结")])
        self.ratings = _table([tr("评价"), tr("数量")])
        for r, c, title, w in ((0, 0, "各队列每小时取号", self.by_hour), (0, 1, "等候时间（取号→叫号）", self.waits),
                               (2, 0, "各窗口办结", self.windows), (2, 1, "各办事员办结", self.clerks),
                               (4, 0, "评价分布", self.ratings)):  # fmt: skip
            lbl = QLabel(tr(title))
            lbl.setFont(theme.font(14, bold=True))
            grid.addWidget(lbl, r, c)
            grid.addWidget(w, r + 1, c)
        lay.addLayout(grid, 1)
        lay.addWidget(self.notes)
        model.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        f = self.last = self.model.figures()
        hours = f.hours()
        self.by_hour.setColumnCount(len(hours) + 2)
        self.by_hour.setHorizontalHeaderLabels(
            [tr("队列"), *[f"{h}:00" for h in hours], tr("合计")]
        )
        _fill(self.by_hour, [[self.model.queue_name(q), *[str(c[h]) for h in hours], str(sum(c.values()))]
                             for q, c in sorted(f.issued_by_queue_hour.items())])  # fmt: skip
        _fill(self.waits, [[tr("全部") if q == "" else self.model.queue_name(q), str(w.count), _m(w.mean), _m(w.p90)]
                           for q, w in sorted(f.waits.items())])  # fmt: skip
        _fill(
            self.windows,
            [[tr("{n}号窗口").format(n=n), str(c)] for n, c in sorted(f.served_by_window.items())],
        )
        names = self.model.live.clerk_names
        _fill(self.clerks, [[punct(f"{names.get(s, '')}（{s}）") if s else tr("未知（连接前办结）"), str(c)]
                            for s, c in sorted(f.served_by_clerk.items())])  # fmt: skip
        total = sum(f.ratings.values())
        _fill(self.ratings, [[tr(RATING_LABELS[RatingLevel(lv)]),
                              punct(f"{f.ratings[lv]}（{100 * f.ratings[lv] / total:.0f}%）") if total else "0"]
                             for lv in range(5, 0, -1)])  # fmt: skip
        self.notes.setText(
            pick(" ".join(f.notes), " ".join(f.notes_en))
            or tr("数据完整：控制台自开门起连续在线。")
        )
