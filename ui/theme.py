"""The look every hall screen shares: a CJK font, large touch targets, high contrast.

Readable from a distance (display boards) and usable with a finger (kiosk, pad).
"""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtGui import QFont, QFontDatabase
from PyQt6.QtWidgets import QApplication

CJK_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)

# Government-hall palette: deep blue header, white cards, red for calls, green for ok.
BLUE = "#0b4f9c"
BLUE_DARK = "#083a73"
RED = "#c8161d"
GREEN = "#1f8b4c"
AMBER = "#d98a00"
GREY = "#6b7280"
BG = "#eef2f7"
CARD = "#ffffff"

STYLE = f"""
QWidget {{ background: {BG}; color: #111827; }}
QLabel#title {{ color: white; background: {BLUE}; padding: 12px 24px; }}
QLabel#muted {{ color: {GREY}; }}
QLabel#alert {{ color: {RED}; }}
QFrame#card {{ background: {CARD}; border: 1px solid #d5dbe5; border-radius: 12px; }}
QPushButton {{
    background: {BLUE}; color: white; border: none; border-radius: 12px;
    padding: 12px 20px; min-height: 56px;
}}
QPushButton:pressed {{ background: {BLUE_DARK}; }}
QPushButton:disabled {{ background: #a9b4c4; color: #eef2f7; }}
QPushButton[role="secondary"] {{ background: white; color: {BLUE}; border: 2px solid {BLUE}; }}
QPushButton[role="danger"] {{ background: {RED}; }}
QPushButton[role="ok"] {{ background: {GREEN}; }}
QPushButton[role="secondary"]:disabled, QPushButton[role="danger"]:disabled,
QPushButton[role="ok"]:disabled {{ background: #a9b4c4; color: #eef2f7; border: none; }}
QLabel {{ background: transparent; }}
QLineEdit {{ background: white; border: 2px solid #c3cad6; border-radius: 10px; padding: 8px 12px; }}
QTableWidget, QListWidget {{ background: white; border: 1px solid #d5dbe5; }}
"""

_family: str | None = None


def cjk_family() -> str:
    """Load the first CJK font found and return its family name ("" if none: Qt falls back)."""
    global _family
    if _family is None:
        _family = ""
        for f in CJK_FONT_FILES:
            if Path(f).is_file():
                fid = QFontDatabase.addApplicationFont(f)
                fams = QFontDatabase.applicationFontFamilies(fid) if fid >= 0 else []
                if fams:
                    _family = fams[0]
                    break
    return _family


def font(points: int, bold: bool = False) -> QFont:
    """A CJK-capable font of a given size."""
    f = QFont(cjk_family() or QApplication.font().family(), points)
    f.setBold(bold)
    return f


def apply(app: QApplication, base_points: int = 16) -> None:
    """Give the application the hall's font and style sheet."""
    app.setFont(font(base_points))
    app.setStyleSheet(STYLE)
