"""Small dialogs: transfer (to a queue or a window, with a note), park (note), pause (reason),
and the service item (事项) picker.

Each only gathers fields; `fields()` gives what the request needs. The window opens
them with `open()` (never a blocking `exec()`), so the hub link keeps running.
"""

from __future__ import annotations

from typing import Any

from PyQt6.QtCore import QEvent, QObject, Qt
from PyQt6.QtGui import QKeyEvent
from PyQt6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from counter.model import CounterModel
from ui import theme
from ui.i18n import text_of, tr

#: the common reasons a clerk pauses a window (free text may be added)
PAUSE_REASONS = ("临时离开", "午间休息", "业务培训", "系统故障", "内部会商")


class _Dialog(QDialog):
    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setFont(theme.font(16))
        self.setMinimumWidth(560)
        self.setStyleSheet("QComboBox { min-height: 40px; background: white; padding: 0 8px; }")
        self.form = QFormLayout()
        self.form.setVerticalSpacing(14)
        lay = QVBoxLayout(self)
        lay.addLayout(self.form)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        assert ok is not None and cancel is not None
        ok.setText(tr("确定"))
        cancel.setText(tr("取消"))
        cancel.setProperty("role", "secondary")
        self.ok = ok
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)

    def fields(self) -> dict[str, Any]:
        raise NotImplementedError


class TransferDialog(_Dialog):
    """Transfer the current ticket to another queue, or to one window, with a note."""

    def __init__(self, model: CounterModel, parent: QWidget | None = None) -> None:
        super().__init__(tr("转办"), parent)
        self.to_queue = QRadioButton(tr("转至队列"))
        self.to_window = QRadioButton(tr("转至窗口"))
        self.to_queue.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.to_queue)
        group.addButton(self.to_window)
        self.queue_choice = QComboBox()
        for q in model.hall.queues():
            self.queue_choice.addItem(f"{model.queue_name(q['id'])}（{q['prefix']}）", q["id"])
        self.window_choice = QComboBox()
        here = model.window_info().get("floor")
        # Windows on the clerk's own floor first: the usual hand-over is next door.
        others = sorted(model.hall.windows(), key=lambda w: (w["floor"] != here, w["number"]))
        # A window that is not open now still takes the transfer (it may open later), but
        # the clerk sees it before choosing.
        mark = {"closed": " · " + tr("未开放"), "paused": " · " + tr("暂停服务")}
        for w in others:
            if w["number"] != model.window:
                text = tr("{n}号窗口").format(n=w["number"])
                state = str(model.hall.window_state(w["number"]).get("state", ""))
                self.window_choice.addItem(
                    f"{text} · {w['floor']} · {tr(w.get('kind_label', ''))}{mark.get(state, '')}",
                    w["number"],
                )
        self.note = QLineEdit()
        self.note.setPlaceholderText(tr("转办说明（选填）"))
        self.form.addRow(self.to_queue, self.queue_choice)
        self.form.addRow(self.to_window, self.window_choice)
        self.form.addRow(tr("说明"), self.note)
        self.queue_choice.activated.connect(lambda _: self.to_queue.setChecked(True))
        self.window_choice.activated.connect(lambda _: self.to_window.setChecked(True))

    def fields(self) -> dict[str, Any]:
        note = self.note.text().strip()
        if self.to_window.isChecked():
            return {"to_window": int(self.window_choice.currentData()), "note": note}
        return {"to_queue": str(self.queue_choice.currentData()), "note": note}


class ParkDialog(_Dialog):
    """Set the current citizen aside (fetching a document …) with a note."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(tr("暂存"), parent)
        self.note = QLineEdit()
        self.note.setPlaceholderText(tr("如：回去取材料"))
        self.form.addRow(tr("暂存原因"), self.note)

    def fields(self) -> dict[str, Any]:
        return {"note": self.note.text().strip()}


class PauseDialog(_Dialog):
    """Pause the window with a common reason, or one in the clerk's own words."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(tr("暂停服务"), parent)
        self.reason = QComboBox()
        for r in PAUSE_REASONS:
            self.reason.addItem(tr(r), r)
        self.reason.addItem(tr("其他"), "")
        self.detail = QLineEdit()
        self.detail.setPlaceholderText(tr("补充说明（选填）"))
        self.form.addRow(tr("暂停原因"), self.reason)
        self.form.addRow(tr("说明"), self.detail)

    def fields(self) -> dict[str, Any]:
        base = self.reason.currentText() if self.reason.currentData() else ""
        detail = self.detail.text().strip()
        reason = "：".join(x for x in (base, detail) if x) or tr("其他")
        return {"reason": reason}


class ItemDialog(_Dialog):
    """Pick the service item (事项) of the ticket at the window (or the one finished last).

    The list holds the catalogue's items this window's queues take, the most-used here
    first; the ticket's item (the kiosk's choice, or one recorded before) is selected.
    Typing filters it: pinyin initials (``yyzz``), Chinese (``营业执照``) or a code; when
    nothing of this window's matches, the other windows' matches are offered, marked.
    Up and Down move the choice from the search box; Enter or a double click takes it.
    """

    def __init__(self, model: CounterModel, parent: QWidget | None = None) -> None:
        super().__init__(tr("办理事项"), parent)
        self.model = model
        self.setMinimumSize(760, 620)
        self.setStyleSheet(
            self.styleSheet()
            + "QListWidget { background: white; font-size: 18px; }"
            + "QListWidget::item { padding: 8px 6px; }"
            + f"QListWidget::item:selected {{ background: {theme.BLUE}; color: {theme.WHITE}; }}"
        )
        t = model.item_ticket() or {}
        self.ticket = str(t.get("id", ""))
        self.chosen = str(t.get("item") or "")
        who = tr("号码 {n}").format(n=t.get("number", ""))
        if t and not model.current():
            who += " · " + tr("已办结，补记事项")
        self.about = QLabel(who)
        self.about.setFont(theme.font(18, True))
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("搜索：拼音首字母、汉字或编码，如 yyzz、营业执照"))
        self.search.setClearButtonEnabled(True)
        self.hint = QLabel("")
        self.hint.setObjectName("muted")
        self.hint.setWordWrap(True)
        self.list = QListWidget()
        self.list.setMinimumHeight(380)
        lay = self.layout()
        assert isinstance(lay, QVBoxLayout)
        for i, w in enumerate((self.about, self.search, self.hint, self.list)):
            lay.insertWidget(i, w)
        self.search.textChanged.connect(self.refill)
        self.search.installEventFilter(self)
        self.list.itemDoubleClicked.connect(lambda _: self.accept())
        self.list.currentRowChanged.connect(lambda _: self._enable())
        self.refill()
        self.search.setFocus()

    def refill(self) -> None:
        """Fill the list for the search text, keeping the selection if it is still there."""
        query = self.search.text()
        items, others = self.model.item_choices(query)
        keep = self.selected() or self.chosen
        if not query.strip() and self.chosen and self.chosen not in {i.code for i in items}:
            chosen = self.model.catalogue.get(self.chosen)  # the kiosk's, outside this window
            items = [chosen, *items] if chosen is not None else items
        self.list.clear()
        for item in items:
            used = self.model.items_used.get(item.code, 0)
            text = f"{text_of(item, 'name')}    {item.code}"
            if used:
                text += "    " + tr("本窗口已办 {k} 次").format(k=used)
            row = QListWidgetItem(text)
            row.setData(Qt.ItemDataRole.UserRole, item.code)
            self.list.addItem(row)
            if item.code == keep:
                self.list.setCurrentItem(row)
        if self.list.currentRow() < 0 and self.list.count() and query.strip():
            self.list.setCurrentRow(0)  # the best match, so Enter takes it
        if self.list.currentItem() is not None:
            self.list.scrollToItem(self.list.currentItem())
        if not items:
            self.hint.setText(tr("没有匹配的事项，请换个关键词"))
        elif others:
            self.hint.setText(tr("本窗口事项中没有匹配项，以下为其他窗口的事项"))
        else:
            self.hint.setText(tr("本窗口常办事项在前，共 {k} 项").format(k=len(items)))
        self._enable()

    def selected(self) -> str:
        row = self.list.currentItem()
        return str(row.data(Qt.ItemDataRole.UserRole)) if row is not None else ""

    def _enable(self) -> None:
        self.ok.setEnabled(bool(self.selected()))

    def eventFilter(self, obj: QObject | None, e: QEvent | None) -> bool:
        # Up and Down in the search box move the choice in the list (hands stay on the keys)
        if obj is self.search and isinstance(e, QKeyEvent) and e.type() == QEvent.Type.KeyPress:
            step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1}.get(Qt.Key(e.key()))
            if step is not None and self.list.count():
                row = min(max(self.list.currentRow() + step, 0), self.list.count() - 1)
                self.list.setCurrentRow(row)
                return True
        return super().eventFilter(obj, e)

    def fields(self) -> dict[str, Any]:
        return {"item": self.selected()}
