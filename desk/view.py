"""The service desk's window: sign in with a staff number, then find and check in again,
issue a staff ticket, look up bookings, reprint, and see the day's queues."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PyQt6.QtGui import QColor
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desk.model import DeskModel
from hall.core.errors import state_word
from ui import theme
from ui.i18n import current_language, punct, text_of, tr

NOTICE_COLOURS = {"ok": theme.GREEN, "warn": theme.AMBER, "error": theme.RED}


def _table(headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.verticalHeader().setVisible(False)  # type: ignore[union-attr]
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)  # type: ignore[union-attr]
    return t


def _fill(t: QTableWidget, rows: list[list[str]]) -> None:
    """The rows, the selected row kept; no selection signal while filling (it redraws)."""
    keep = t.currentRow()
    t.blockSignals(True)
    t.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            t.setItem(r, c, QTableWidgetItem(text))
    if 0 <= keep < len(rows):
        t.selectRow(keep)
    t.blockSignals(False)


def _id_edit() -> QLineEdit:
    """An ID number field: dots while typed, the masked form shown beside it."""
    e = QLineEdit()
    e.setEchoMode(QLineEdit.EchoMode.Password)
    e.setMaxLength(18)
    e.setPlaceholderText(tr("身份证号码（选填）"))
    return e


def _hhmm(iso: str | None) -> str:
    return datetime.fromisoformat(iso).strftime("%H:%M") if iso else "—"


class FindPage(QWidget):
    """Find today's tickets and bookings; check a missed ticket in again; reprint."""

    def __init__(self, model: DeskModel) -> None:
        super().__init__()
        self.model = model
        lay = QVBoxLayout(self)
        row = QHBoxLayout()
        self.number = QLineEdit()
        self.number.setPlaceholderText(tr("号码，如 A012"))
        self.id_number = _id_edit()
        self.code = QLineEdit()
        self.code.setPlaceholderText(tr("预约号"))
        self.find_button = QPushButton(tr("查找"))
        for w, stretch in (
            (self.number, 2),
            (self.id_number, 3),
            (self.code, 3),
            (self.find_button, 1),
        ):
            row.addWidget(w, stretch)
        lay.addLayout(row)
        self.masked = QLabel()
        self.masked.setObjectName("muted")
        lay.addWidget(self.masked)
        self.tickets = _table([tr("号码"), tr("业务"), tr("状态"), tr("取号时间"), tr("窗口")])
        lay.addWidget(self.tickets, 3)
        buttons = QHBoxLayout()
        self.again = QPushButton(tr("重新签到"))
        self.reprint = QPushButton(tr("补打号票"))
        self.reprint.setProperty("role", "secondary")
        buttons.addWidget(self.again)
        buttons.addWidget(self.reprint)
        lay.addLayout(buttons)
        self.bookings = _table([tr("预约号"), tr("业务"), tr("预约时段"), tr("签到")])
        lay.addWidget(self.bookings, 2)
        self.check_in = QPushButton(tr("预约签到"))
        lay.addWidget(self.check_in)
        self.find_button.clicked.connect(self.look_up)
        self.number.returnPressed.connect(self.look_up)
        self.id_number.textChanged.connect(self._mask)
        self.again.clicked.connect(lambda: self._on_ticket(model.check_in_again))
        self.reprint.clicked.connect(lambda: self._on_ticket(model.reprint))
        self.check_in.clicked.connect(self._check_in)
        self.tickets.itemSelectionChanged.connect(self.refresh)
        self.bookings.itemSelectionChanged.connect(self.refresh)

    def look_up(self) -> None:
        self.model.look_up(number=self.number.text(), id_number=self.id_number.text(),
                           code=self.code.text())  # fmt: skip

    def _mask(self) -> None:
        masked = self.model.masked(self.id_number.text())
        self.masked.setText(tr("身份证：{id}").format(id=masked) if masked else "")

    def selected(self) -> dict[str, Any] | None:
        rows = self.tickets.selectionModel().selectedRows()  # type: ignore[union-attr]
        if rows and rows[0].row() < len(self.model.tickets):
            return self.model.tickets[rows[0].row()]
        return None

    def selected_booking(self) -> dict[str, Any] | None:
        rows = self.bookings.selectionModel().selectedRows()  # type: ignore[union-attr]
        if rows and rows[0].row() < len(self.model.appointments):
            return self.model.appointments[rows[0].row()]
        return None

    def _on_ticket(self, action: Any) -> None:
        t = self.selected()
        if t is not None:
            action(t)

    def _check_in(self) -> None:
        a = self.selected_booking()
        if a is not None:
            self.model.check_in_booking(a)

    def refresh(self) -> None:
        m = self.model
        lang = current_language()
        hall = m.hall
        _fill(self.tickets, [[t["number"], text_of(hall.queue(t["queue"]), "name"),
                              state_word(t["state"], lang), _hhmm(t.get("issued_at")),
                              str(t.get("window") or "—")] for t in m.tickets])  # fmt: skip
        _fill(self.bookings, [[a.get("code") or a["id"], text_of(hall.queue(a["queue"]), "name"),
                               _hhmm(a["slot"]), tr("已签到") if a.get("checked_in") else "—"]
                              for a in m.appointments])  # fmt: skip
        t = self.selected()
        ready = bool(m.staff_no) and not m.busy
        self.again.setEnabled(ready and t is not None and t["state"] in ("no_show", "parked"))
        self.reprint.setEnabled(ready and t is not None and m.printer is not None)
        b = self.selected_booking()
        self.check_in.setEnabled(ready and b is not None and m.can_check_in(b, m.looked_up_card))
        self.find_button.setEnabled(ready)


class IssuePage(QWidget):
    """A staff ticket: a queue, an ID number typed or none, the green channel with a reason."""

    def __init__(self, model: DeskModel) -> None:
        super().__init__()
        self.model = model
        form = QFormLayout(self)
        self.queue = QComboBox()
        self.id_number = _id_edit()
        self.masked = QLabel()
        self.masked.setObjectName("muted")
        self.name = QLineEdit()
        self.name.setPlaceholderText(tr("姓名（选填）"))
        self.green = QCheckBox(tr("绿色通道（优先叫号）"))
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(tr("理由（绿色通道必填），如：轮椅、孕妇"))
        self.issue = QPushButton(tr("取号"))
        self.issue.setProperty("role", "ok")
        self.result = QLabel()
        self.result.setFont(theme.font(28, bold=True))
        self.result.setStyleSheet(f"color: {theme.BLUE};")
        form.addRow(tr("业务"), self.queue)
        form.addRow(tr("身份证号码"), self.id_number)
        form.addRow("", self.masked)
        form.addRow(tr("姓名"), self.name)
        form.addRow("", self.green)
        form.addRow(tr("理由"), self.reason)
        form.addRow("", self.issue)
        form.addRow("", self.result)
        self.id_number.textChanged.connect(self._mask)
        self.issue.clicked.connect(self.send)

    def _mask(self) -> None:
        masked = self.model.masked(self.id_number.text())
        self.masked.setText(tr("身份证：{id}").format(id=masked) if masked else "")

    def send(self) -> None:
        qid = self.queue.currentData()
        if qid is None:
            return
        if self.model.issue(str(qid), id_number=self.id_number.text(), name=self.name.text(),
                            green=self.green.isChecked(), reason=self.reason.text()):  # fmt: skip
            self.id_number.clear()  # the clear number does not stay on the screen
            self.name.clear()

    def refresh(self) -> None:
        m = self.model
        current = self.queue.currentData()
        queues = m.hall.queues()
        if self.queue.count() != len(queues) or current is None:
            self.queue.clear()
            for q in queues:
                self.queue.addItem(punct(f"{text_of(q, 'name')}（{q['id']}）"), q["id"])
        else:
            for i, q in enumerate(queues):
                self.queue.setItemText(i, punct(f"{text_of(q, 'name')}（{q['id']}）"))
        self.issue.setEnabled(bool(m.staff_no) and not m.busy and bool(queues))
        t = m.issued
        self.result.setText(tr("{number}号").format(number=t["number"]) if t else "")


class QueuesPage(QWidget):
    """The day's queue picture."""

    def __init__(self, model: DeskModel) -> None:
        super().__init__()
        self.model = model
        lay = QVBoxLayout(self)
        self.table = _table([tr("业务"), tr("等候人数"), tr("预计等候"), tr("服务窗口")])
        lay.addWidget(self.table)

    def refresh(self) -> None:
        rows = self.model.queue_picture()
        _fill(self.table, [[punct(f"{text_of(r, 'name')}（{r.id}）"), str(r.waiting),
                            text_of(r, "estimate") or "—", str(r.windows)]
                           for r in rows])  # fmt: skip
        for i, r in enumerate(rows):
            if r.waiting and not r.windows:
                item = self.table.item(i, 3)
                if item is not None:
                    item.setForeground(QColor(theme.RED))


class DeskWindow(QWidget):
    def __init__(self, model: DeskModel) -> None:
        super().__init__()
        self.model = model
        self.setWindowTitle(tr("一窗 · 服务台"))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.header = QLabel()
        self.header.setObjectName("title")
        self.header.setFont(theme.font(20, bold=True))
        lay.addWidget(self.header)
        body = QVBoxLayout()
        body.setContentsMargins(16, 8, 16, 8)
        lay.addLayout(body, 1)
        staff = QHBoxLayout()
        self.staff_no = QLineEdit()
        self.staff_no.setPlaceholderText(tr("工号"))
        self.staff_no.setMaximumWidth(260)
        self.sign = QPushButton()
        self.sign.setMaximumWidth(200)
        self.sign.clicked.connect(self.sign_in_or_out)
        self.staff_no.returnPressed.connect(self.sign_in_or_out)
        staff.addWidget(self.staff_no)
        staff.addWidget(self.sign)
        staff.addStretch(1)
        body.addLayout(staff)
        self.tabs = QTabWidget()
        self.find_page = FindPage(model)
        self.issue = IssuePage(model)
        self.queues = QueuesPage(model)
        self.tabs.addTab(self.find_page, tr("查找与重新签到"))
        self.tabs.addTab(self.issue, tr("人工取号"))
        self.tabs.addTab(self.queues, tr("今日排队"))
        body.addWidget(self.tabs, 1)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        body.addWidget(line)
        self.notice = QLabel()
        self.notice.setFont(theme.font(18, bold=True))
        self.notice.setWordWrap(True)
        body.addWidget(self.notice)
        model.changed.connect(self.refresh)
        self.refresh()

    def sign_in_or_out(self) -> None:
        if self.model.staff_no:
            self.model.sign_out()
        elif self.model.sign_in(self.staff_no.text()):
            self.staff_no.clear()

    def refresh(self) -> None:
        m = self.model
        hall = text_of(m.hall.layout or {}, "name")
        online = tr("在线") if m.hall.online else tr("离线")
        staff = tr("工号 {n}").format(n=m.staff_no) if m.staff_no else tr("请先签到")
        self.header.setText(f"{hall}  {tr('服务台')} {m.link.device}    {staff}    {online}")
        self.staff_no.setVisible(not m.staff_no)
        self.sign.setText(tr("签退") if m.staff_no else tr("签到"))
        self.notice.setText(m.notice.text)
        self.notice.setStyleSheet(f"color: {NOTICE_COLOURS.get(m.notice.level, theme.TEXT)};")
        self.find_page.refresh()
        self.issue.refresh()
        self.queues.refresh()
