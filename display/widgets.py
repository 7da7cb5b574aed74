"""Widgets of the display board that know nothing of the hall: a label that fits, a ticker."""

from __future__ import annotations

from PyQt6.QtCore import Qt, QTimer
from PyQt6.QtGui import QFontMetrics, QPainter, QPaintEvent, QResizeEvent
from PyQt6.QtWidgets import QLabel, QSizePolicy, QWidget

from ui import theme


class FitLabel(QLabel):
    """A label whose font is as large as its room allows, up to `points` × scale: never cut off.

    Its size policy ignores its text, so the layout's stretch factors alone share
    the screen, and the text then takes the largest size that fits.
    """

    def __init__(self, points: float, bold: bool = False, name: str = "",
                 align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignCenter) -> None:  # fmt: skip
        super().__init__()
        self.points, self.bold, self.scale = points, bold, 1.0
        if name:
            self.setObjectName(name)
        self.setAlignment(align)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setMinimumSize(8, 8)

    def set_scale(self, scale: float) -> None:
        self.scale = scale
        self.fit()

    def setText(self, text: str | None) -> None:
        if text != self.text():
            super().setText(text)
            self.fit()

    def resizeEvent(self, event: QResizeEvent | None) -> None:
        super().resizeEvent(event)
        self.fit()

    def fit(self) -> None:
        text = self.text()
        room_w, room_h = self.width() - 12, self.height()
        points = max(8, round(self.points * self.scale))
        f = theme.font(points, self.bold)
        while points > 8:
            fm = QFontMetrics(f)
            if fm.horizontalAdvance(text) <= room_w and fm.height() <= room_h:
                break
            points -= 1
            f = theme.font(points, self.bold)
        if f != self.font():
            self.setFont(f)


class NoticeTicker(QWidget):
    """The hall's notice scrolling right to left, for ever."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = ""
        self.offset = 0.0
        self.step = 2.0
        self._timer = QTimer(self)
        self._timer.setInterval(30)
        self._timer.timeout.connect(self._advance)
        self._timer.start()

    def set_text(self, text: str) -> None:
        if text != self.text:
            self.text, self.offset = text, 0.0
            self.update()

    def _advance(self) -> None:
        width = self.fontMetrics().horizontalAdvance(self.text + "　　　")
        if width <= 0:
            return
        self.offset = (self.offset + self.step) % width
        self.update()

    def paintEvent(self, event: QPaintEvent | None) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), Qt.GlobalColor.white)
        p.setPen(Qt.GlobalColor.black)
        p.setFont(self.font())
        gap = self.text + "　　　"
        width = self.fontMetrics().horizontalAdvance(gap)
        if width > 0:
            x = 24 - self.offset
            while x < self.width():
                rect = self.rect().adjusted(int(x), 0, 0, 0)
                p.drawText(rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, gap)
                x += width
        p.end()
