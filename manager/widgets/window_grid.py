"""The window grid of one floor: a card per window, coloured by state; click to select."""

from __future__ import annotations

import math

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtGui import QMouseEvent, QResizeEvent
from PyQt6.QtWidgets import QFrame, QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from manager import floor as F
from manager.model import ConsoleModel
from ui import theme
from ui.i18n import punct, tr

COLOURS = {  # background, text
    F.SERVING: (theme.TILE_SERVING, theme.GREEN),
    F.CALLING: (theme.TILE_CALLING, theme.AMBER),
    F.IDLE: (theme.CARD, theme.BLUE),
    F.PAUSED: (theme.TILE_PAUSED, theme.RED),
    F.CLOSED: (theme.TILE_CLOSED, theme.GREY),
    F.OFFLINE: (theme.TILE_OFFLINE, theme.WHITE),
}
COLUMNS = 6  # at most
BASE_W, BASE_H = 190, 128  # a card's smallest size, for which its fonts are designed
FONTS = (15, 13, 11, 11)  # head, ticket, clerk, serves: points at the smallest size


def columns_for(n: int) -> int:
    """Columns for `n` cards on a wide floor page: about 3:2 cards filling it."""
    return max(1, min(COLUMNS, math.ceil(math.sqrt(n * 1.5))))


class WindowCard(QFrame):
    """One window: number, state, current ticket and time so far, clerk, what it serves."""

    clicked = pyqtSignal(int)

    def __init__(self, model: ConsoleModel, number: int) -> None:
        super().__init__()
        self.model, self.number = model, number
        self.setObjectName("windowCard")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setMinimumSize(BASE_W, BASE_H)
        # As large as the floor allows: a floor of four windows fills the page as one of
        # seventeen does, and the texts grow with the card (resizeEvent).
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 6, 10, 6)
        lay.setSpacing(2)
        self.head = QLabel()
        self.head.setFont(theme.font(15, bold=True))
        self.ticket = QLabel()
        self.ticket.setFont(theme.font(13))
        self.clerk = QLabel()
        self.serves = QLabel()
        for lbl in (self.clerk, self.serves):
            lbl.setFont(theme.font(11))
        for lbl in (self.head, self.ticket, self.clerk, self.serves):
            lbl.setStyleSheet("background: transparent;")
            lay.addWidget(lbl)
        self.selected = False
        self._scale = 1.0
        self._sheets: tuple[str, str] | None = None

    def resizeEvent(self, e: QResizeEvent | None) -> None:
        super().resizeEvent(e)
        scale = max(1.0, min(self.width() / BASE_W, self.height() / BASE_H, 1.8))
        if abs(scale - self._scale) < 0.05:
            return
        self._scale = scale
        for lbl, points in zip((self.head, self.ticket, self.clerk, self.serves), FONTS,
                               strict=True):  # fmt: skip
            lbl.setFont(theme.font(round(points * scale), bold=lbl is self.head))

    def show_view(self, w: F.WindowView) -> None:
        bg, fg = COLOURS[w.state]
        border = (
            f"3px solid {theme.BLUE_DARK}" if self.selected else f"1px solid {theme.INPUT_LINE}"
        )
        # Style sheets only when they change: setting one re-polishes the card, and the
        # console refreshes every card on every event (a 31-window morning spent most of
        # its time here).
        sheets = (f"QFrame#windowCard {{ background: {bg}; border: {border}; border-radius: 10px; }}"
                  f" QLabel {{ color: {fg if w.state == F.OFFLINE else theme.TEXT}; }}",
                  f"background: transparent; color: {fg};")  # fmt: skip
        if sheets != self._sheets:
            self._sheets = sheets
            self.setStyleSheet(sheets[0])
            self.head.setStyleSheet(sheets[1])
        self.head.setText(f"{tr('{n}号窗口').format(n=w.number)}  ·  {tr(F.STATE_LABELS[w.state])}")
        if w.current:
            mins = f"{w.minutes:.0f}{tr('分钟')}" if w.minutes is not None else tr("连接前开始")
            queue = self.model.queue_name(w.current_queue or "")
            self.ticket.setText(punct(f"{w.current}（{queue}）") + f" {mins}")
        elif w.state == F.PAUSED:
            self.ticket.setText(w.pause_reason or tr("暂停"))
        elif w.since_minutes is not None and w.state == F.IDLE:
            self.ticket.setText(f"{tr('空闲')} {w.since_minutes:.0f}{tr('分钟')}")
        else:
            self.ticket.setText("—")
        self.clerk.setText(punct(w.clerk) if w.clerk else tr("无人签到"))
        serves = "、".join(f"{self.model.queue_name(q)}×{x:.3g}" for q, x in w.profile.items())
        self.serves.setText(punct(f"{tr('办理')}：{serves}"))

    def mousePressEvent(self, e: QMouseEvent | None) -> None:
        self.clicked.emit(self.number)


class WindowGrid(QWidget):
    """All windows of one floor."""

    selected = pyqtSignal(int)

    def __init__(self, model: ConsoleModel, floor: str) -> None:
        super().__init__()
        self.model, self.floor = model, floor
        self.grid = QGridLayout(self)
        self.grid.setSpacing(10)
        self.cards: dict[int, WindowCard] = {}
        self.current: int | None = None
        model.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        for w in self.model.windows(self.floor):
            card = self.cards.get(w.number)
            if card is None:
                card = self.cards[w.number] = WindowCard(self.model, w.number)
                card.clicked.connect(self.select)
                i = len(self.cards) - 1
                cols = columns_for(len(self.model.windows(self.floor)))
                self.grid.addWidget(card, i // cols, i % cols)
            card.selected = w.number == self.current
            card.show_view(w)

    def select(self, number: int) -> None:
        self.current = number
        self.refresh()
        self.selected.emit(number)
