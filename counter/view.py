"""The counter's screens: sign-in, and the working screen with its keys F1–F12.

`CounterWindow(model)` is a thin view: buttons and keys call `model.press()`, and
everything on screen is redrawn from the model's `changed` and `notice`.
"""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QCloseEvent, QKeyEvent, QResizeEvent
from PyQt6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from counter.dialogs import ItemDialog, ParkDialog, PauseDialog, TransferDialog, _Dialog
from counter.model import CounterModel
from counter.widgets import ParkedCard, QueuesCard, StatusLine, TicketCard, card, label
from ui import theme
from ui.i18n import tr

#: key, button id, label, button role; toggles (F8, F10) change their label with the state
KEYS: tuple[tuple[Qt.Key, str, str, str], ...] = (
    (Qt.Key.Key_F1, "call_next", "叫号", ""),
    (Qt.Key.Key_F2, "recall", "重呼", "secondary"),
    (Qt.Key.Key_F3, "start", "开始办理", "ok"),
    (Qt.Key.Key_F4, "finish", "办结", "ok"),
    (Qt.Key.Key_F5, "no_show", "过号", "danger"),
    (Qt.Key.Key_F6, "transfer", "转办", "secondary"),
    (Qt.Key.Key_F7, "park", "暂存", "secondary"),
    (Qt.Key.Key_F8, "pause", "暂停", "secondary"),
    (Qt.Key.Key_F9, "call_back", "叫回", "secondary"),
    (Qt.Key.Key_F10, "open", "开窗", "secondary"),
    (Qt.Key.Key_F11, "record_item", "办理事项", "secondary"),  # the item picker
    (Qt.Key.Key_F12, "sign_out", "签退", "danger"),
)
STATE_TEXT = {"open": "服务中", "paused": "暂停服务", "closed": "未开放"}
# The shared theme paints every widget with the page colour and lets a button's role
# override its disabled look; on a counter a greyed-out key must look greyed out.
COUNTER_STYLE = f"""
QFrame#card QLabel, QFrame#card QRadioButton {{ background: transparent; }}
QPushButton:disabled, QPushButton[role="secondary"]:disabled, QPushButton[role="danger"]:disabled,
QPushButton[role="ok"]:disabled {{
    background: {theme.DISABLED_BG}; color: {theme.DISABLED_FG}; border: 2px solid {theme.DISABLED_BG};
}}
"""


class SignInPage(QWidget):
    """A or B post, staff number, name."""

    def __init__(self, model: CounterModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        box, lay = card()
        box.setFixedWidth(620)
        lay.setContentsMargins(40, 32, 40, 32)
        lay.setSpacing(18)
        self.title = label(tr("{n}号窗口 · 签到").format(n=model.window), 28, True)
        lay.addWidget(self.title)
        self.where = label("", 16, name="muted")
        lay.addWidget(self.where)
        form = QFormLayout()
        form.setVerticalSpacing(16)
        self.post_a = QRadioButton(tr("A岗（主岗）"))
        self.post_b = QRadioButton(tr("B岗（备岗）"))
        self.post_a.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.post_a)
        group.addButton(self.post_b)
        posts = QHBoxLayout()
        posts.addWidget(self.post_a)
        posts.addWidget(self.post_b)
        posts.addStretch(1)
        self.staff_no = QLineEdit()
        self.staff_no.setPlaceholderText(tr("如：S0512"))
        self.name = QLineEdit()
        self.name.setPlaceholderText(tr("姓名"))
        form.addRow(label(tr("岗位"), 18), posts)
        form.addRow(label(tr("工号"), 18), self.staff_no)
        form.addRow(label(tr("姓名"), 18), self.name)
        lay.addLayout(form)
        self.button = QPushButton(tr("签到"))
        self.button.setFont(theme.font(20, True))
        self.button.clicked.connect(self.submit)
        self.name.returnPressed.connect(self.submit)
        lay.addWidget(self.button)
        self.status = StatusLine(model)
        lay.addWidget(self.status)
        row.addWidget(box)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(1)
        model.changed.connect(self.refresh)
        self.refresh()

    def submit(self) -> None:
        post = "B" if self.post_b.isChecked() else "A"
        self.model.sign_in(post, self.staff_no.text(), self.name.text())

    def refresh(self) -> None:
        w = self.model.window_info()
        self.where.setText(f"{w.get('floor', '')} · {tr(w.get('kind_label', ''))}" if w else "")
        self.button.setEnabled(self.model.online and not self.model.busy)


class WorkPage(QWidget):
    """Header, ticket card, queues and parked tickets, the action keys, the status line."""

    def __init__(self, model: CounterModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        lay.setSpacing(12)
        self.header = label("", 22, True, name="title")
        lay.addWidget(self.header)
        body = QHBoxLayout()
        body.setSpacing(12)
        self.ticket = TicketCard(model)
        body.addWidget(self.ticket, 3)
        side = QVBoxLayout()
        side.setSpacing(12)
        self.queues = QueuesCard(model)
        self.parked = ParkedCard(model)
        side.addWidget(self.queues)
        side.addWidget(self.parked, 1)
        body.addLayout(side, 2)
        lay.addLayout(body, 1)
        grid = QGridLayout()
        grid.setSpacing(10)
        self.buttons: dict[str, QPushButton] = {}
        for i, (key, action, _text, role) in enumerate(KEYS):
            b = QPushButton()
            b.setFont(theme.font(17, True))
            b.setMinimumHeight(72)
            if role:
                b.setProperty("role", role)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the page
            b.clicked.connect(self._handler(key))
            grid.addWidget(b, i // 6, i % 6)
            self.buttons[action] = b
        lay.addLayout(grid)
        self.status = StatusLine(model)
        lay.addWidget(self.status)
        self.dialog: _Dialog | None = None
        self.parked.call_back.clicked.connect(self.call_back)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        model.changed.connect(self.refresh)
        self.refresh()

    # ------------------------------------------------------------ keys and buttons

    def _handler(self, key: Qt.Key) -> Callable[[], None]:
        def clicked() -> None:
            self.press_key(key)

        return clicked

    def press_key(self, key: Qt.Key) -> bool:
        """What F1 … F12 do (a button click is the same as its key)."""
        m = self.model
        simple = {Qt.Key.Key_F1: "call_next", Qt.Key.Key_F2: "recall", Qt.Key.Key_F3: "start",
                  Qt.Key.Key_F4: "finish", Qt.Key.Key_F5: "no_show", Qt.Key.Key_F12: "sign_out"}  # fmt: skip
        if key in simple:
            m.press(simple[key])
        elif key == Qt.Key.Key_F6:
            self._ask("transfer", TransferDialog(m, self))
        elif key == Qt.Key.Key_F7:
            self._ask("park", ParkDialog(self))
        elif key == Qt.Key.Key_F8:
            if m.state_name() == "paused":
                m.press("resume")
            else:
                self._ask("pause", PauseDialog(self))
        elif key == Qt.Key.Key_F9:
            self.call_back()
        elif key == Qt.Key.Key_F10:
            m.press("open" if m.state_name() == "closed" else "close")
        elif key == Qt.Key.Key_F11:
            self.pick_item()
        else:
            return False
        return True

    def _ask(self, action: str, dialog: _Dialog) -> None:
        """Open a dialog for an action that applies now; press it when the clerk confirms."""
        reason = self.model.why_not(action)
        if reason:
            self.model.press(action)  # says why not
            dialog.deleteLater()
            return
        self.dialog = dialog
        dialog.accepted.connect(lambda: self.model.press(action, **dialog.fields()))
        dialog.finished.connect(self._dialog_closed)
        dialog.open()

    def pick_item(self) -> None:
        """F11: the item picker for the ticket at the window (or the one finished last)."""
        reason = self.model.item_why_not()
        if reason:
            self.model.tell(reason, "warn")
            return
        dialog = ItemDialog(self.model, self)
        self.dialog = dialog
        dialog.accepted.connect(lambda: self.model.record_item(dialog.fields()["item"]))
        dialog.finished.connect(self._dialog_closed)
        dialog.open()

    def _dialog_closed(self) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
            self.dialog = None
        self.setFocus()

    def call_back(self) -> None:
        ticket = self.parked.selected_ticket()
        if ticket is None or not self.model.enabled("call_back"):
            self.model.press("call_back")  # says why not
            return
        self.model.press("call_back", ticket=ticket)

    def keyPressEvent(self, e: QKeyEvent | None) -> None:
        if e is not None and self.press_key(Qt.Key(e.key())):
            e.accept()
            return
        super().keyPressEvent(e)

    # ------------------------------------------------------------ drawing

    def refresh(self) -> None:
        m = self.model
        state = m.state_name()
        for key, action, text, _role in KEYS:
            shown, enabled_by = text, action
            if action == "pause" and state == "paused":
                shown, enabled_by = "恢复服务", "resume"
            elif action == "open" and state != "closed":
                shown, enabled_by = "关窗", "close"
            fkey = key.name.removeprefix("Key_")
            self.buttons[action].setText(f"{tr(shown)}\n{fkey}")
            if action == "record_item":  # not a lifecycle action (counter.rules.why_not_item)
                self.buttons[action].setEnabled(not m.item_why_not())
                continue
            self.buttons[action].setEnabled(m.enabled(enabled_by))
        w = m.window_info()
        clerk = m.clerk
        who = f"{clerk['post']}{tr('岗')} {clerk['staff_no']} {clerk['name']}" if clerk else ""
        pause = m.window_state().get("pause_reason") if state == "paused" else ""
        where = f"{w.get('floor', '')} · {tr(w.get('kind_label', ''))}" if w else ""
        parts = [tr("{n}号窗口").format(n=m.window), where,
                 tr(STATE_TEXT.get(state, "连接中…")) + (f"（{pause}）" if pause else ""), who]  # fmt: skip
        if not m.online:
            parts.append(tr("离线（显示断线前的状态）"))
        self.header.setText("    ".join(p for p in parts if p))
        bg = theme.BLUE if m.online else theme.GREY
        self.header.setStyleSheet(f"background: {bg};")

    def resizeEvent(self, e: QResizeEvent | None) -> None:
        # The ticket number is what the clerk reads across the desk: grow it with the screen.
        self.ticket.number.setFont(theme.font(max(56, self.height() * 88 // 1080), True))
        super().resizeEvent(e)


class CounterWindow(QWidget):
    """The counter app's window: the sign-in page until a clerk signs in, then the work page."""

    def __init__(self, model: CounterModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setWindowTitle(tr("一窗 · {n}号窗口叫号终端").format(n=model.window))
        self.setMinimumSize(1200, 760)
        self.setStyleSheet(COUNTER_STYLE)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.pages = QStackedWidget()
        self.sign_in = SignInPage(model)
        self.work = WorkPage(model)
        self.pages.addWidget(self.sign_in)
        self.pages.addWidget(self.work)
        lay.addWidget(self.pages)
        model.signed_in_changed.connect(self._show_page)
        self._show_page(model.signed_in)

    def _show_page(self, signed_in: bool) -> None:
        self.pages.setCurrentWidget(self.work if signed_in else self.sign_in)
        (self.work if signed_in else self.sign_in.staff_no).setFocus()

    def closeEvent(self, e: QCloseEvent | None) -> None:
        if self.work.dialog is not None:
            self.work.dialog.reject()
        super().closeEvent(e)
