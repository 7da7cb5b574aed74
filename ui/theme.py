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
# Every colour an app paints is named here, and every pair of them it puts text or a
# control on is listed in `PAIRS`, which tests/ui/test_contrast.py holds to WCAG 2.1 AA.
BLUE = "#0b4f9c"
BLUE_DARK = "#083a73"
RED = "#c8161d"
GREEN = "#17783f"
AMBER = "#8f5600"  # dark amber: a text colour (orange #d98a00 read 2.8:1 on white)
GREY = "#565e6c"  # muted text (#6b7280 read 4.3:1 on the page)
BG = "#eef2f7"
CARD = "#ffffff"
WHITE = "#ffffff"
TEXT = "#111827"
TEXT_SOFT = "#374151"
LINE = "#d5dbe5"  # a card's edge (decoration, not a control)
INPUT_LINE = "#848d9d"  # an input's edge: a control's boundary, 3:1
DISABLED_BG = "#dde2ea"
DISABLED_FG = "#4b5563"
CREAM = "#fff4d6"  # a notice's background
CREAM_TEXT = "#7a4e00"
SELECTION_BG = BLUE  # a selected row of a table or a list (Qt's own, #308cc6: 3.7:1)
SELECTION_FG = WHITE
TILE = "#f3f6fb"  # the board's window tile
TILE_BUSY = "#fff1f1"
TILE_SERVING = "#dcefe3"
TILE_CALLING = "#fff1d6"
TILE_PAUSED = "#fde2e2"
TILE_CLOSED = "#e5e7eb"
TILE_OFFLINE = "#3f3f46"
# the pad's five levels (white text on each)
LEVEL_5 = "#13794a"
LEVEL_4 = "#17804a"
LEVEL_3 = BLUE
LEVEL_2 = "#c2410c"
LEVEL_1 = RED

TEXT_AA, LARGE_AA, CONTROL_AA = 4.5, 3.0, 3.0
#: (what, foreground, background, the ratio it needs): text 4.5:1, large text (≥ 18 pt,
#: or 14 pt bold) and a control's boundary 3:1 (WCAG 2.1 AA, 1.4.3 and 1.4.11).
PAIRS: tuple[tuple[str, str, str, float], ...] = (
    ("text on the page", TEXT, BG, TEXT_AA),
    ("text on a card", TEXT, CARD, TEXT_AA),
    ("soft text on a card", TEXT_SOFT, CARD, TEXT_AA),
    ("muted text on the page", GREY, BG, TEXT_AA),
    ("muted text on a card", GREY, CARD, TEXT_AA),
    ("red text on the page", RED, BG, TEXT_AA),
    ("red text on a card", RED, CARD, TEXT_AA),
    ("green text on the page", GREEN, BG, TEXT_AA),
    ("green text on a card", GREEN, CARD, TEXT_AA),
    ("amber text on the page", AMBER, BG, TEXT_AA),
    ("amber text on a card", AMBER, CARD, TEXT_AA),
    ("blue text on the page", BLUE, BG, TEXT_AA),
    ("blue text on a card", BLUE, CARD, TEXT_AA),
    ("a button", WHITE, BLUE, TEXT_AA),
    ("a pressed button", WHITE, BLUE_DARK, TEXT_AA),
    ("a danger button", WHITE, RED, TEXT_AA),
    ("an ok button, a green-channel badge", WHITE, GREEN, TEXT_AA),
    ("a disabled button", DISABLED_FG, DISABLED_BG, TEXT_AA),
    ("a disabled button on the page", DISABLED_BG, BG, 1.0),  # inactive: exempt, shown
    ("a secondary button's edge", BLUE, CARD, CONTROL_AA),
    ("an input's edge", INPUT_LINE, CARD, CONTROL_AA),
    ("the counter's offline header", WHITE, GREY, TEXT_AA),
    ("a notice", CREAM_TEXT, CREAM, TEXT_AA),
    ("a selected row's text", SELECTION_FG, SELECTION_BG, TEXT_AA),
    ("a selected row among white ones", SELECTION_BG, CARD, CONTROL_AA),
    ("a board tile's number", TEXT_SOFT, TILE, TEXT_AA),
    ("a board tile's ticket", RED, TILE_BUSY, LARGE_AA),
    ("a board tile's idle", GREEN, TILE, LARGE_AA),
    ("a board tile's closed", GREY, TILE, LARGE_AA),
    ("a board call flashing", WHITE, RED, LARGE_AA),
    ("a console tile serving", GREEN, TILE_SERVING, TEXT_AA),
    ("a console tile calling", AMBER, TILE_CALLING, TEXT_AA),
    ("a console tile idle", BLUE, CARD, TEXT_AA),
    ("a console tile paused", RED, TILE_PAUSED, TEXT_AA),
    ("a console tile closed", GREY, TILE_CLOSED, TEXT_AA),
    ("a console tile's text", TEXT, TILE_CLOSED, TEXT_AA),
    ("a console tile offline", WHITE, TILE_OFFLINE, TEXT_AA),
    ("the pad's level 5", WHITE, LEVEL_5, LARGE_AA),
    ("the pad's level 4", WHITE, LEVEL_4, LARGE_AA),
    ("the pad's level 3", WHITE, LEVEL_3, LARGE_AA),
    ("the pad's level 2", WHITE, LEVEL_2, LARGE_AA),
    ("the pad's level 1", WHITE, LEVEL_1, LARGE_AA),
)


def luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of "#rrggbb"."""
    h = colour.lstrip("#")
    if len(h) != 6:
        raise ValueError(f"not a #rrggbb colour: {colour!r}")

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(h[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def contrast(fg: str, bg: str) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


STYLE = f"""
QWidget {{ background: {BG}; color: {TEXT}; }}
QLabel#title {{ color: white; background: {BLUE}; padding: 12px 24px; }}
QLabel#muted {{ color: {GREY}; }}
QLabel#alert {{ color: {RED}; }}
QFrame#card {{ background: {CARD}; border: 1px solid {LINE}; border-radius: 12px; }}
QPushButton {{
    background: {BLUE}; color: white; border: none; border-radius: 12px;
    padding: 12px 20px; min-height: 56px;
}}
QPushButton:pressed {{ background: {BLUE_DARK}; }}
QPushButton:disabled {{ background: {DISABLED_BG}; color: {DISABLED_FG}; }}
QPushButton[role="secondary"] {{ background: white; color: {BLUE}; border: 2px solid {BLUE}; }}
QPushButton[role="danger"] {{ background: {RED}; }}
QPushButton[role="ok"] {{ background: {GREEN}; }}
QPushButton[role="secondary"]:disabled, QPushButton[role="danger"]:disabled,
QPushButton[role="ok"]:disabled {{ background: {DISABLED_BG}; color: {DISABLED_FG}; border: none; }}
QLabel {{ background: transparent; }}
QLineEdit {{ background: white; border: 2px solid {INPUT_LINE}; border-radius: 10px; padding: 8px 12px; }}
QTableWidget, QListWidget {{
    background: white; border: 1px solid {LINE};
    selection-background-color: {SELECTION_BG}; selection-color: {SELECTION_FG};
}}
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
