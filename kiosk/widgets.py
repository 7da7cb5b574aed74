"""Small kiosk widgets: fonts that grow with the screen, big queue buttons, the on-screen keyboard.

No logic here: each widget shows what it is given and emits what it is told.
"""

from __future__ import annotations

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtGui import QFont, QFontMetrics, QResizeEvent
from PyQt6.QtWidgets import (
    QGridLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ui import theme

BASE_W, BASE_H = 1280, 800  # the smallest kiosk screen the layout is designed for


class Fonts:
    """Remembers each widget's design size in points and rescales all of them with the window."""

    def __init__(self) -> None:
        self._sized: list[tuple[QWidget, int, bool]] = []
        self.scale = 1.0
        self.zoom = 1.0  # the large-text mode's factor on top of the window's scale

    def set(self, w: QWidget, points: int, bold: bool = False) -> QWidget:
        self._sized.append((w, points, bold))
        w.setFont(theme.font(max(8, round(points * self.scale * self.zoom)), bold))
        return w

    def rescale(self, width: int, height: int) -> None:
        scale = max(0.8, min(width / BASE_W, height / BASE_H, 2.0))
        if abs(scale - self.scale) < 0.02:
            return
        self.scale = scale
        self._apply()

    def set_zoom(self, zoom: float) -> None:
        """Large text (e.g. 1.35) or normal (1.0), for every sized widget."""
        if zoom != self.zoom:
            self.zoom = zoom
            self._apply()

    def _apply(self) -> None:
        for w, points, bold in self._sized:
            w.setFont(theme.font(max(8, round(points * self.scale * self.zoom)), bold))


def label(
    fonts: Fonts, text: str = "", points: int = 18, bold: bool = False, *, name: str = ""
) -> QLabel:
    """A word-wrapped, centred label of a design size."""
    lab = QLabel(text)
    lab.setWordWrap(True)
    lab.setAlignment(Qt.AlignmentFlag.AlignCenter)
    if name:
        lab.setObjectName(name)
    fonts.set(lab, points, bold)
    return lab


def button(fonts: Fonts, text: str = "", points: int = 22, role: str = "") -> QPushButton:
    """A big touch button (role: "", "secondary", "danger", "ok")."""
    b = QPushButton(text)
    if role:
        b.setProperty("role", role)
    b.setCursor(Qt.CursorShape.PointingHandCursor)
    b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    b.setMinimumHeight(84)
    fonts.set(b, points, True)
    return b


_ON_BUTTON = "background: transparent; color: white;"


class QueueButton(QPushButton):
    """One queue on the home screen: its name large, where it is, and the live figures."""

    def __init__(self, fonts: Fonts, qid: str) -> None:
        super().__init__()
        self.qid = qid
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(150)
        box = QVBoxLayout(self)
        box.setContentsMargins(16, 14, 16, 14)
        box.setSpacing(4)
        self.fonts = fonts
        self.name = label(Fonts(), points=30, bold=True)
        self.name.setWordWrap(False)  # one line, shrunk to fit (see _fit)
        # Its text must not widen the button: _fit shrinks the font to the button instead.
        self.name.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.where = label(fonts, points=16)
        self.figures = label(fonts, points=18, bold=True)
        for lab in (self.name, self.where, self.figures):
            lab.setStyleSheet(_ON_BUTTON)
            lab.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            box.addWidget(lab)
        self.setAccessibleName(qid)

    def show_queue(self, name: str, where: str, figures: str) -> None:
        self.name.setText(name)
        self.where.setText(where)
        self.figures.setText(figures)
        self.setAccessibleName(name)
        self._fit()

    def resizeEvent(self, e: QResizeEvent | None) -> None:
        super().resizeEvent(e)
        self._fit()

    def _fit(self) -> None:
        """The queue's name on one line: a long (English) name gets a smaller font, never cut."""
        room = self.width() - 40
        # Large text: the name and figures grow; where the queue sits (also on the ticket)
        # gives way, so nothing is cut on an 800-pixel screen.
        self.where.setVisible(self.fonts.zoom == 1.0)
        points = max(8, round(30 * self.fonts.scale * self.fonts.zoom))
        f = theme.font(points, True)
        others = self.figures.sizeHint().height() + 4 + 28  # figures, spacing, margins
        if self.where.isVisible():
            others += self.where.sizeHint().height() + 4
        room_h = self.height() - others

        def too_big(f: QFont) -> bool:
            m = QFontMetrics(f)
            return m.horizontalAdvance(self.name.text()) > room or m.height() > room_h

        while points > 12 and too_big(f):
            points -= 1
            f = theme.font(points, True)
        if f != self.name.font():
            self.name.setFont(f)


class Keyboard(QWidget):
    """Letters for pinyin initials ("yyzz"), with delete and clear: a touch screen has no keys."""

    key = pyqtSignal(str)  # a letter, "\b" (delete one) or "" (clear)

    ROWS = ("QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")

    def __init__(self, fonts: Fonts) -> None:
        super().__init__()
        grid = QGridLayout(self)
        grid.setSpacing(8)
        grid.setContentsMargins(0, 0, 0, 0)
        self.buttons: dict[str, QPushButton] = {}
        for r, row in enumerate(self.ROWS):
            for c, letter in enumerate(row):
                b = button(fonts, letter, 22, "key")
                b.setMinimumHeight(58)
                key = letter.lower()
                b.clicked.connect(lambda _=False, k=key: self.key.emit(k))
                grid.addWidget(b, r, c * 2 + r, 1, 2)
                self.buttons[letter] = b
        self.delete = button(fonts, "⌫", 22, "key")
        self.delete.setMinimumHeight(58)
        self.delete.clicked.connect(lambda: self.key.emit("\b"))
        grid.addWidget(self.delete, 2, 16, 1, 2)
        self.clear = button(fonts, "", 18, "key")
        self.clear.setMinimumHeight(58)
        self.clear.clicked.connect(lambda: self.key.emit(""))
        grid.addWidget(self.clear, 2, 18, 1, 2)


class CodeKeyboard(QWidget):
    """The keys of an online booking's code: its alphabet only (no 0/O, 1/I/L to mix up),
    eight to a row, large enough for a finger, and delete."""

    key = pyqtSignal(str)  # a character, or "\b" (delete one)

    COLUMNS = 8

    def __init__(self, fonts: Fonts, alphabet: str) -> None:
        super().__init__()
        grid = QGridLayout(self)
        grid.setSpacing(10)
        grid.setContentsMargins(0, 0, 0, 0)
        self.buttons: dict[str, QPushButton] = {}
        keys = [*alphabet, "\b"]
        for i, ch in enumerate(keys):
            b = button(fonts, "⌫" if ch == "\b" else ch, 24, "key")
            # The keys share the page's room: at least 56 px high (a finger needs 44).
            b.setStyleSheet("min-height: 56px;")
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            b.clicked.connect(lambda _=False, k=ch: self.key.emit(k))
            grid.addWidget(b, i // self.COLUMNS, i % self.COLUMNS)
            if ch != "\b":
                b.setAccessibleName(ch)
                self.buttons[ch] = b
        self.delete = b
