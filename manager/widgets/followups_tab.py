"""Follow-up cases of bad ratings: deadlines (1 / 4 / 13 working days), overdue in red,
and the manager's actions with a note."""

from __future__ import annotations

from PyQt6.QtGui import QColor
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)  # fmt: skip

from manager.followups import ACTION_LABELS, CaseView
from manager.model import ConsoleModel
from ui import theme
from ui.i18n import punct, tr

HEADERS = (
    "案件",
    "窗口",
    "办事员",
    "评价",
    "原因",
    "开立",
    "状态",
    "联系期限",
    "整改期限",
    "最近说明",
)


class FollowUpsTab(QWidget):
    def __init__(self, model: ConsoleModel) -> None:
        super().__init__()
        self.model = model
        self.rows: list[CaseView] = []
        lay = QVBoxLayout(self)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels([tr(h) for h in HEADERS])
        self.table.verticalHeader().setVisible(False)  # type: ignore[union-attr]
        hh = self.table.horizontalHeader()
        assert hh is not None
        hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        hh.setStretchLastSection(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.summary = QLabel()
        self.note = QLineEdit()
        self.note.setPlaceholderText(tr("处理情况说明（联系、整改、办结时必填）"))
        # The citizen's answer to the feedback, recorded with 记录整改 or 办结 (回复满意率).
        self.answer = QComboBox()
        for label, value in (("群众答复：未记录", ""), ("群众满意", "satisfied"),
                             ("群众不满意", "unsatisfied")):  # fmt: skip
            self.answer.addItem(tr(label), value)
        row = QHBoxLayout()
        row.addWidget(self.note, 1)
        row.addWidget(self.answer)
        self.buttons: dict[str, QPushButton] = {}
        for action, label in ACTION_LABELS.items():
            b = QPushButton(tr(label))
            b.clicked.connect(lambda _=False, a=action: self.act(a))
            self.buttons[action] = b
            row.addWidget(b)
        lay.addWidget(self.summary)
        lay.addWidget(self.table, 1)
        lay.addLayout(row)
        model.changed.connect(self.refresh)
        self.refresh()

    def selected(self) -> CaseView | None:
        r = self.table.currentRow()
        return self.rows[r] if 0 <= r < len(self.rows) else None

    def select_case(self, case_id: str) -> None:
        for r, c in enumerate(self.rows):
            if c.id == case_id:
                self.table.selectRow(r)

    def act(self, action: str) -> None:
        c = self.selected()
        answer = str(self.answer.currentData() or "")
        if c is not None and self.model.follow_up(c.id, action, self.note.text(), answer):
            self.note.clear()
            if action in ("rectify", "close"):
                self.answer.setCurrentIndex(0)

    def refresh(self) -> None:
        sel = self.selected()
        keep = sel.id if sel else None
        self.rows = self.model.cases()
        self.table.setRowCount(len(self.rows))
        for r, c in enumerate(self.rows):
            rect = f"{c.rectify_due:%m-%d}" + (punct(f"（{tr('复杂')}）") if c.complex else "")
            cells = (c.ticket, str(c.window), c.clerk or "—", f"{c.level}{tr('级')}", punct("、".join(tr(x) for x in c.reasons)) or "—",
                     c.opened, c.state_label, f"{c.contact_due:%m-%d}", rect, c.last_note)  # fmt: skip
            for col, text in enumerate(cells):
                item = QTableWidgetItem(tr(text) if col == 6 else text)
                late = (col == 7 and "contact" in c.overdue) or (
                    col == 8 and "rectify" in c.overdue
                )
                if late:
                    item.setText(f"{text} {tr('已逾期')}")
                    item.setForeground(QColor(theme.RED))
                self.table.setItem(r, col, item)
        open_ = sum(1 for c in self.rows if c.state != "closed")
        n_late = sum(1 for c in self.rows if c.overdue)
        text = punct(
            f"{tr('差评回访')}：{len(self.rows)} {tr('件')}，{tr('未办结')} {open_}，{tr('逾期')} {n_late}"
        )  # fmt: skip
        if warning := self.model.calendar_warning():
            text += f"\n⚠ {warning}"
        self.summary.setText(text)
        self.summary.setStyleSheet(f"color: {theme.RED};" if warning else "")
        if keep:
            self.select_case(keep)
        self._update_buttons()

    def _update_buttons(self) -> None:
        c = self.selected()
        for action, b in self.buttons.items():
            b.setEnabled(c is not None and c.allowed(action))
