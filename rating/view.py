"""The evaluation pad's screen: a thin view over `PadModel`, big buttons for a 1280×800 tablet."""

from __future__ import annotations

from PyQt6.QtCore import QEvent, Qt
from PyQt6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from rating.model import LEVELS, REASONS, PadModel, Page
from ui import i18n, theme
from ui.i18n import tr

LEVEL_COLOURS = {5: theme.LEVEL_5, 4: theme.LEVEL_4, 3: theme.LEVEL_3, 2: theme.LEVEL_2,
                 1: theme.LEVEL_1}  # fmt: skip

_STYLE = f"""
QFrame#header {{ background: {theme.BLUE}; }}
QFrame#header QLabel {{ background: transparent; color: white; }}
QLabel#offline {{ background: {theme.CREAM}; color: {theme.CREAM_TEXT}; border-radius: 8px; padding: 4px 12px; }}
QFrame#card {{ background: white; border: 1px solid {theme.LINE}; border-radius: 18px; }}
QFrame#card QLabel {{ background: transparent; }}
QLabel#big {{ color: {theme.BLUE}; }}
QLabel#muted {{ color: {theme.GREY}; }}
QLabel#thanks {{ color: {theme.GREEN}; }}
QLabel#message {{ color: {theme.CREAM_TEXT}; }}
QPushButton[role="level"] {{ border-radius: 18px; color: white; }}
QPushButton[role="reason"] {{
    background: white; color: {theme.RED}; border: 3px solid {theme.RED}; border-radius: 16px;
}}
QPushButton[role="reason"]:checked {{ background: {theme.RED}; color: white; }}
""" + "".join(
    f'QPushButton[level="{n}"] {{ background: {c}; }}\n' for n, c in LEVEL_COLOURS.items()
)


def _label(name: str, points: int, bold: bool = False) -> QLabel:
    lab = QLabel()
    lab.setObjectName(name)
    lab.setAlignment(Qt.AlignmentFlag.AlignCenter)
    lab.setWordWrap(True)
    lab.setFont(theme.font(points, bold))
    return lab


def _big_button(points: int) -> QPushButton:
    b = QPushButton()
    b.setFont(theme.font(points, True))
    b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return b


class PadView(QWidget):
    """Header with the window; pages for idle, the five levels, reasons, thanks, messages."""

    def __init__(self, model: PadModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setStyleSheet(theme.STYLE + _STYLE)  # the hall's look even without run_app
        self.setWindowTitle(tr("一窗 · 服务评价"))
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        root.addWidget(self._header())
        self.pages = QStackedWidget()
        root.addWidget(self.pages, 1)
        sending, self.sending_text, self.sending_sub = self._text_page("big")
        thanks, self.thanks_text, self.thanks_sub = self._text_page("thanks")
        message, self.message_text, self.message_sub = self._text_page("message")
        self._pages = {
            Page.IDLE: self._idle_page(),
            Page.ASK: self._ask_page(),
            Page.REASONS: self._reasons_page(),
            Page.SENDING: sending,
            Page.THANKS: thanks,
            Page.MESSAGE: message,
        }
        for w in self._pages.values():
            self.pages.addWidget(w)
        model.changed.connect(self.refresh)
        self.refresh()

    # ------------------------------------------------------------ building

    def _header(self) -> QFrame:
        f = QFrame()
        f.setObjectName("header")
        lay = QHBoxLayout(f)
        lay.setContentsMargins(28, 14, 28, 14)
        self.window_title = QLabel()
        self.window_title.setFont(theme.font(30, True))
        self.hall_name = QLabel()
        self.hall_name.setFont(theme.font(20))
        self.offline = QLabel()
        self.offline.setObjectName("offline")
        self.offline.setFont(theme.font(18))
        lay.addWidget(self.window_title)
        lay.addSpacing(24)
        lay.addWidget(self.hall_name)
        lay.addStretch(1)
        lay.addWidget(self.offline)
        return f

    def _page(self) -> tuple[QWidget, QVBoxLayout]:
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.setContentsMargins(40, 28, 40, 28)
        lay.setSpacing(20)
        return w, lay

    def _idle_page(self) -> QWidget:
        w, lay = self._page()
        card = QFrame()
        card.setObjectName("card")
        c = QVBoxLayout(card)
        c.setContentsMargins(40, 40, 40, 40)
        c.setSpacing(18)
        c.addStretch(1)
        self.idle_window = _label("big", 72, True)
        self.idle_clerk = _label("", 54, True)
        self.idle_staff_no = _label("muted", 32)
        self.idle_hint = _label("muted", 26)
        for x in (self.idle_window, self.idle_clerk, self.idle_staff_no):
            c.addWidget(x)
        c.addStretch(1)
        c.addWidget(self.idle_hint)
        lay.addWidget(card, 1)
        return w

    def _ask_page(self) -> QWidget:
        w, lay = self._page()
        self.ask_ticket = _label("big", 40, True)
        self.ask_prompt = _label("", 30)
        lay.addWidget(self.ask_ticket)
        lay.addWidget(self.ask_prompt)
        row = QHBoxLayout()
        row.setSpacing(18)
        self.level_buttons: dict[int, QPushButton] = {}
        for level, _label_text in LEVELS:
            b = _big_button(30)
            b.setProperty("role", "level")
            b.setProperty("level", str(level))
            b.clicked.connect(lambda _=False, lv=level: self.model.choose(lv))
            row.addWidget(b)
            self.level_buttons[level] = b
        lay.addLayout(row, 1)
        self.ask_hint = _label("muted", 20)
        lay.addWidget(self.ask_hint)
        return w

    def _reasons_page(self) -> QWidget:
        w, lay = self._page()
        self.reasons_title = _label("big", 34, True)
        lay.addWidget(self.reasons_title)
        grid = QGridLayout()
        grid.setSpacing(18)
        self.reason_buttons: dict[str, QPushButton] = {}
        for i, reason in enumerate(REASONS):
            b = _big_button(32)
            b.setProperty("role", "reason")
            b.setCheckable(True)
            b.clicked.connect(lambda _=False, r=reason: self.model.toggle_reason(r))
            grid.addWidget(b, i // 3, i % 3)
            self.reason_buttons[reason] = b
        lay.addLayout(grid, 1)
        row = QHBoxLayout()
        row.setSpacing(18)
        self.back_button = _big_button(28)
        self.back_button.setProperty("role", "secondary")
        self.back_button.clicked.connect(self.model.back)
        self.confirm_button = _big_button(28)
        self.confirm_button.setProperty("role", "danger")
        self.confirm_button.clicked.connect(self.model.confirm)
        for b in (self.back_button, self.confirm_button):
            b.setMinimumHeight(96)
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        row.addWidget(self.back_button, 1)
        row.addWidget(self.confirm_button, 2)
        lay.addLayout(row)
        return w

    def _text_page(self, name: str) -> tuple[QWidget, QLabel, QLabel]:
        w, lay = self._page()
        lab = _label(name, 48, True)
        sub = _label("muted", 28)
        lay.addStretch(1)
        lay.addWidget(lab)
        lay.addWidget(sub)
        lay.addStretch(1)
        return w, lab, sub

    # ------------------------------------------------------------ updating

    def refresh(self) -> None:
        m = self.model
        lang = i18n.current_language()
        window_text = tr("{n}号窗口").format(n=m.window)
        self.window_title.setText(window_text)
        lay = m.hall.layout or {}
        self.hall_name.setText(i18n.text_of(lay, "name", lang))
        self.offline.setText(tr("系统连接中…"))
        self.offline.setVisible(not m.online)
        self.pages.setCurrentWidget(self._pages[m.page])

        clerk = m.clerk()
        self.idle_window.setText(window_text)
        if clerk and m.window_open():
            self.idle_clerk.setText(clerk["name"])
            self.idle_staff_no.setText(tr("工号 {staff_no}").format(staff_no=clerk["staff_no"]))
            self.idle_hint.setText(tr("办理完毕后，请您对本次服务进行评价"))
        else:
            self.idle_clerk.setText(tr("暂停服务") if clerk else tr("暂无工作人员"))
            self.idle_staff_no.setText("")
            self.idle_hint.setText(tr("欢迎对我们的服务提出宝贵意见"))

        number = str((m.ticket or {}).get("number", ""))
        self.ask_ticket.setText(tr("{number} 号办理完毕").format(number=number))
        self.ask_prompt.setText(tr("请您对本次服务进行评价"))
        for level, text in LEVELS:
            self.level_buttons[level].setText("★" * level + "\n" + tr(text))
        self.ask_hint.setText(tr("无操作将自动返回，不作评价"))

        self.reasons_title.setText(tr("请选择不满意的原因（可多选）"))
        for reason, b in self.reason_buttons.items():
            b.setText(tr(reason))
            b.setChecked(reason in m.reasons)
        self.back_button.setText(tr("返回"))
        self.confirm_button.setText(tr("提交评价"))

        self.sending_text.setText(tr("正在提交…"))
        self.sending_sub.setText("")
        self.thanks_text.setText(tr("感谢您的评价！"))
        self.thanks_sub.setText(tr("我们会认真改进") if m.bad else tr("祝您生活愉快"))
        self.message_text.setText(m.message)
        self.message_sub.setText(tr("如需帮助，请咨询窗口工作人员"))

    def changeEvent(self, event: QEvent | None) -> None:
        super().changeEvent(event)
        if event is not None and event.type() == QEvent.Type.LanguageChange:
            self.refresh()
