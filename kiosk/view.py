"""The kiosk window: a header with the hall's name and the language switch, one page per screen,
and a footer with the printer's health (for the staff walking past).

A thin view (STYLE.md §4): it shows the model's screen and redraws on `changed`.
"""

from __future__ import annotations

from PyQt6.QtCore import QEvent, QObject, Qt
from PyQt6.QtGui import QResizeEvent
from PyQt6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from drivers.base import HealthState
from kiosk.devices import WedgeFilter
from kiosk.model import KioskModel, Screen
from kiosk.pages import (
    CardPage,
    CodePage,
    DonePage,
    ErrorPage,
    HomePage,
    IssuingPage,
    OfflinePage,
    Page,
    SearchPage,
    StatusPage,
)
from kiosk.voice import KioskVoice
from kiosk.widgets import Fonts, button, label
from ui import i18n, theme
from ui.i18n import text_of, tr

LARGE_ZOOM = 1.35  # the large-text mode: every text this much bigger

KIOSK_STYLE = f"""
QPushButton[role="key"] {{
    background: white; color: {theme.BLUE}; border: 2px solid {theme.BLUE};
    padding: 2px; min-height: 40px;
}}
QPushButton[role="key"]:pressed {{ background: {theme.BLUE}; color: white; }}
QPushButton[role="lang"] {{
    background: white; color: {theme.BLUE}; border: none; padding: 4px; min-height: 44px;
}}
QPushButton[role="lang"][offered="true"] {{
    background: {theme.CREAM}; color: {theme.CREAM_TEXT}; border: 3px solid {theme.AMBER};
}}
QFrame#card {{ border: 3px solid {theme.BLUE}; border-radius: 18px; }}
"""


class KioskWindow(QWidget):
    """The whole kiosk screen."""

    def __init__(self, model: KioskModel) -> None:
        super().__init__()
        self.model = model
        self.fonts = Fonts()
        self.setWindowTitle(tr("一窗 · 取号机"))
        # A keyboard-wedge scanner types into whatever has focus: watch every key.
        self.wedge = WedgeFilter(self)
        self.wedge.code.connect(model.code_scanned)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.wedge)
        # The hall's look on the window itself: it reads the same under any QApplication.
        self.setStyleSheet(theme.STYLE + KIOSK_STYLE)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)

        header = QWidget()
        header.setObjectName("header")
        header.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        header.setStyleSheet(f"QWidget#header {{ background: {theme.BLUE}; }}")
        hbox = QHBoxLayout(header)
        hbox.setContentsMargins(24, 8, 16, 8)
        self.title = label(self.fonts, points=24, bold=True)
        self.title.setWordWrap(False)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.title.setStyleSheet("color: white; background: transparent;")
        self.lang = button(self.fonts, points=18, role="lang")
        self.lang.setFixedWidth(200)
        self.lang.clicked.connect(self.switch_language)
        spacer = QWidget()  # as wide as the language button, so the hall's name stays centred
        spacer.setFixedWidth(200)
        spacer.setStyleSheet("background: transparent;")
        self.large = button(self.fonts, points=18, role="lang")
        self.large.setFixedWidth(200)
        self.large.clicked.connect(lambda: model.set_large_text(not model.large_text))
        # Spoken guidance, one tap (kiosk.voice): off unless the kiosk's setting says on.
        self.voice = KioskVoice(model, self)
        self.speak = button(self.fonts, points=18, role="lang")
        self.speak.setFixedWidth(170)
        self.speak.clicked.connect(self.voice.toggle)
        self.voice.changed.connect(self.refresh)
        hbox.addWidget(self.large)
        hbox.addWidget(self.speak)
        hbox.addWidget(self.title, 1)
        hbox.addWidget(self.lang)
        spacer.hide()  # the hall's name needs the room more than the centre
        outer.addWidget(header)

        self.stack = QStackedWidget()
        self.pages: dict[Screen, Page] = {
            Screen.HOME: HomePage(model, self.fonts),
            Screen.SEARCH: SearchPage(model, self.fonts),
            Screen.CARD: CardPage(model, self.fonts),
            Screen.CODE: CodePage(model, self.fonts),
            Screen.STATUS: StatusPage(model, self.fonts),
            Screen.ISSUING: IssuingPage(model, self.fonts),
            Screen.DONE: DonePage(model, self.fonts),
            Screen.ERROR: ErrorPage(model, self.fonts),
            Screen.OFFLINE: OfflinePage(model, self.fonts),
        }
        for page in self.pages.values():
            self.stack.addWidget(page)
        outer.addWidget(self.stack, 1)

        self.footer = QLabel()
        self.footer.setContentsMargins(24, 4, 24, 6)
        self.fonts.set(self.footer, 13)
        outer.addWidget(self.footer)

        model.changed.connect(self.refresh)
        # a bound method, not a lambda: Qt drops the connection when this view is destroyed,
        # so a model that outlives it never repaints a deleted label
        model.screen_changed.connect(self._screen_changed)
        # Any touch, key or scroll anywhere on the kiosk (a list, a label, the search field)
        # restarts the idle countdown, not only the buttons: a citizen still reading is not
        # sent back to the start.
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.refresh()

    _ACTIVITY = (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.KeyPress,
                 QEvent.Type.Wheel)  # fmt: skip

    def eventFilter(self, obj: QObject | None, e: QEvent | None) -> bool:
        if (e is not None and e.type() in self._ACTIVITY and isinstance(obj, QWidget)
                and (obj is self or self.isAncestorOf(obj))):  # fmt: skip
            self.model.touch()
        return False  # never swallow the event

    @property
    def page(self) -> Page:
        return self.pages[self.model.screen]

    def _screen_changed(self, _screen: object) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Show the model's screen and redraw it."""
        m = self.model
        layout = m.layout
        self.title.setText(text_of(layout, "name") or tr("取号机"))
        self.lang.setText(i18n.LANGUAGE_NAMES[i18n.other_language()])
        self.large.setText(tr("标准字体") if m.large_text else tr("大字"))
        self.speak.setText(tr("语音提示：开") if self.voice.on else tr("语音提示：关"))
        self.fonts.set_zoom(LARGE_ZOOM if m.large_text else 1.0)
        # Offered when a card shows a citizen of LARGE_TEXT_AGE or more: the button stands
        # out in the header (a bar of its own would crowd the 800-pixel screens).
        if m.large_offer:
            self.large.setText(tr("放大字体？"))
        if bool(self.large.property("offered")) != m.large_offer:
            self.large.setProperty("offered", m.large_offer)
            self.large.style().unpolish(self.large)  # type: ignore[union-attr]
            self.large.style().polish(self.large)  # type: ignore[union-attr]
        self.stack.setCurrentWidget(self.page)
        self.page.refresh()
        h = m.printer_health
        reason = h.reason or "打印机状态未知"
        self.footer.setText(tr(reason) if "打印" in reason else tr("打印机状态：") + tr(reason))
        bad = h.state in (HealthState.OFFLINE, HealthState.UNKNOWN, HealthState.DEGRADED)
        self.footer.setStyleSheet(f"color: {theme.RED if bad else theme.GREY};")

    def switch_language(self) -> None:
        """中文 ⇄ English, for the whole app."""
        i18n.set_language(i18n.other_language())
        self.model.touch()
        self.refresh()

    def resizeEvent(self, e: QResizeEvent | None) -> None:
        if e is not None:
            self.fonts.rescale(e.size().width(), e.size().height())
        super().resizeEvent(e)
