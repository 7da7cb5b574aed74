"""The counter's cards: the current ticket, the queues served, the parked tickets, the status.

Each card takes the `CounterModel` and redraws itself on `changed` (STYLE.md §4);
none of them decides anything.
"""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QFontMetrics, QResizeEvent
from PyQt6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter.model import CounterModel, hhmm
from ui import theme
from ui.i18n import punct, tr


def label(text: str = "", points: int = 16, bold: bool = False, name: str = "") -> QLabel:
    w = QLabel(text)
    w.setFont(theme.font(points, bold))
    if name:
        w.setObjectName(name)
    return w


def card() -> tuple[QFrame, QVBoxLayout]:
    f = QFrame()
    f.setObjectName("card")
    lay = QVBoxLayout(f)
    lay.setContentsMargins(20, 16, 20, 16)
    lay.setSpacing(8)
    return f, lay


class TicketCard(QFrame):
    """The ticket at the window: number, state, queue, item, times, person, marks, history."""

    FIELDS = (
        ("queue", "业务队列"),
        ("item", "办理事项"),
        ("issued", "取号时间"),
        ("waited", "等候时长"),
        ("person", "证件信息"),
        ("recalls", "重呼次数"),
    )

    def __init__(self, model: CounterModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setObjectName("card")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(28, 20, 28, 20)
        lay.setSpacing(10)
        lay.addWidget(label(tr("当前号码"), 16, name="muted"))
        top = QHBoxLayout()
        self.number = label("—", 64, True)
        self.number.setStyleSheet(f"color: {theme.RED};")
        self.mark = label("", 18, True)
        self.mark.setContentsMargins(12, 4, 12, 4)
        top.addWidget(self.number)
        top.addSpacing(16)
        top.addWidget(self.mark, 0, Qt.AlignmentFlag.AlignVCenter)
        top.addStretch(1)
        self.state = label("", 22, True)
        top.addWidget(self.state, 0, Qt.AlignmentFlag.AlignVCenter)
        lay.addLayout(top)
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(8)
        self.values: dict[str, QLabel] = {}
        for i, (key, title) in enumerate(self.FIELDS):
            grid.addWidget(label(tr(title), 16, name="muted"), i, 0)
            v = label("", 18)
            v.setWordWrap(True)
            grid.addWidget(v, i, 1)
            self.values[key] = v
        grid.setColumnStretch(1, 1)
        lay.addLayout(grid)
        lay.addWidget(label(tr("流转记录"), 16, name="muted"))
        self.history = label("", 15)
        self.history.setWordWrap(True)
        self.history.setAlignment(Qt.AlignmentFlag.AlignTop)
        lay.addWidget(self.history, 1)
        model.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        t = self.model.current()
        if t is None:
            self.number.setText("—")
            self.state.setText(self.model.idle_hint())
            self.state.setStyleSheet(f"color: {theme.GREY};")
            self.mark.hide()
            for v in self.values.values():
                v.setText("")
            self.history.setText("")
            return
        view = self.model.ticket_view(t)
        self.number.setText(view["number"])
        self.state.setText(view["state"])
        color = theme.GREEN if t["state"] == "serving" else theme.AMBER
        self.state.setStyleSheet(f"color: {color};")
        self.mark.setText(view["mark"])
        bg = theme.GREEN if t.get("priority") == "green" else theme.BLUE
        self.mark.setStyleSheet(f"color: white; background: {bg}; border-radius: 8px;")
        self.mark.setVisible(bool(view["mark"]))
        for key, w in self.values.items():
            w.setText(view[key] or ("0" if key == "recalls" else ""))
        self.history.setText(view["history"] or tr("无"))


class QueuesCard(QFrame):
    """The queues this window serves now, with how many wait in each."""

    def __init__(self, model: CounterModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setObjectName("card")
        self._lay = QVBoxLayout(self)
        self._lay.setContentsMargins(20, 16, 20, 16)
        self._lay.addWidget(label(tr("本窗口服务队列"), 18, True))
        self.grid = QGridLayout()
        self.grid.setVerticalSpacing(6)
        self._lay.addLayout(self.grid)
        self.notice = label("", 14)
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet(f"color: {theme.AMBER};")
        self._lay.addWidget(self.notice)
        self.rows: dict[str, QLabel] = {}  # queue id -> waiting count label (tests read it)
        self._shown: list[str] = []
        model.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        rows = self.model.queue_rows()
        if [r["queue"] for r in rows] != self._shown:
            while self.grid.count():
                item = self.grid.takeAt(0)
                if item is not None and (w := item.widget()) is not None:
                    w.deleteLater()
            self.rows = {}
            for i, r in enumerate(rows):
                name = label(r["name"], 18)
                name.setMinimumHeight(name.fontMetrics().height())  # never squeezed
                self.grid.addWidget(name, i, 0)
                count = label("", 18, True)
                count.setMinimumHeight(count.fontMetrics().height())
                count.setAlignment(Qt.AlignmentFlag.AlignRight)
                self.grid.addWidget(count, i, 1)
                self.rows[r["queue"]] = count
            self._shown = [r["queue"] for r in rows]
        for r in rows:
            self.rows[r["queue"]].setText(tr("等候 {n} 人").format(n=r["waiting"]))
        self._show_notice()

    NOTICE_LINES = 3

    def _show_notice(self) -> None:
        """The manager's change, at most NOTICE_LINES lines (the whole in the tooltip and
        the status line): a long reason must not push over the queue rows."""
        text = self.model.profile_notice
        self.notice.setToolTip(text)
        self.notice.setVisible(bool(text))
        width = self.notice.width() if self.notice.width() > 50 else 360
        m = QFontMetrics(self.notice.font())
        room = width * self.NOTICE_LINES - m.averageCharWidth() * 4  # wrapping loses some
        self.notice.setText(m.elidedText(text, Qt.TextElideMode.ElideRight, max(room, 50)))
        self.notice.setMinimumHeight(self.notice.heightForWidth(width) if text else 0)

    def resizeEvent(self, e: QResizeEvent | None) -> None:
        super().resizeEvent(e)
        self._show_notice()


class ParkedCard(QFrame):
    """Tickets set aside at this window, with a call-back button."""

    def __init__(self, model: CounterModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setObjectName("card")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 16, 20, 16)
        self.title = label(tr("暂存号码"), 18, True)
        lay.addWidget(self.title)
        self.list = QListWidget()
        self.list.setFont(theme.font(16))
        self.list.setMinimumHeight(80)
        lay.addWidget(self.list, 1)
        self.call_back = QPushButton()
        self.call_back.setFont(theme.font(16, True))
        self.call_back.setProperty("role", "secondary")
        self.call_back.setText(tr("叫回所选") + "  F9")
        lay.addWidget(self.call_back)
        model.changed.connect(self.refresh)
        self.refresh()

    def selected_ticket(self) -> str | None:
        """The chosen parked ticket's id (the oldest when none is chosen)."""
        item = self.list.currentItem()
        if item is not None:
            return str(item.data(Qt.ItemDataRole.UserRole))
        parked = self.model.parked()
        return str(parked[0]["id"]) if parked else None

    def refresh(self) -> None:
        parked = self.model.parked()
        chosen = self.list.currentItem()
        keep = chosen.data(Qt.ItemDataRole.UserRole) if chosen is not None else None
        self.list.clear()
        for t in parked:
            text = f"{t['number']}   {self.model.queue_name(t['queue'])}   {hhmm(t['issued_at'])}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, t["id"])
            self.list.addItem(item)
            if t["id"] == keep:
                self.list.setCurrentItem(item)
        self.title.setText(
            punct(tr("暂存号码") + (f"（{len(parked)}）" if parked else "：" + tr("无")))
        )
        self.call_back.setEnabled(self.model.enabled("call_back"))
        # Nothing set aside: the list and its button give their room to the notices above.
        self.list.setVisible(bool(parked))
        self.call_back.setVisible(bool(parked))


class StatusLine(QFrame):
    """Online or offline, and the last notice (a refusal, a change, what just happened)."""

    def __init__(self, model: CounterModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setObjectName("card")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(16, 8, 16, 8)
        self.online = label("", 16, True)
        self.online.setContentsMargins(12, 2, 12, 2)
        self.notice = label("", 16)
        lay.addWidget(self.online)
        lay.addSpacing(16)
        lay.addWidget(self.notice, 1)
        model.changed.connect(self.refresh)
        model.notice.connect(lambda *_: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        on = self.model.online
        self.online.setText(tr("● 在线") if on else tr("● 离线"))
        bg = theme.GREEN if on else theme.RED
        self.online.setStyleSheet(f"color: white; background: {bg}; border-radius: 8px;")
        color = {"error": theme.RED, "warn": theme.AMBER}.get(self.model.notice_level, theme.TEXT)
        self.notice.setStyleSheet(f"color: {color};")
        self.notice.setText(self.model.notice_text)
