"""Small dialogs: transfer (to a queue or a window, with a note), park (note), pause (reason).

Each only gathers fields; `fields()` gives what the request needs. The window opens
them with `open()` (never a blocking `exec()`), so the hub link keeps running.
"""

from __future__ import annotations

from typing import Any

from PyQt6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from counter.model import CounterModel
from ui import theme
from ui.i18n import tr

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
