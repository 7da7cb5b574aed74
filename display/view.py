"""The floor's display board: a thin view over `BoardModel`, readable from across the hall.

Layout (scaled to the screen, designed at 1920×1080): a blue header with the
hall's name, the floor and a clock; a quiet banner while the hub is away; on the
left the current call, large and flashing for a few seconds, over the last
calls; on the right every window of the floor with its current ticket, over the
queues served here with waiting counts and estimated waits; the hall's notice
scrolling along the bottom.
"""

from __future__ import annotations

import math
from typing import Any, TypeVar

from PyQt6.QtCore import QEvent, Qt, QTimer
from PyQt6.QtGui import QResizeEvent
from PyQt6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from display.model import ALL_FLOORS, BoardCall, BoardModel
from display.widgets import FitLabel, NoticeTicker
from ui import i18n, theme
from ui.i18n import text_of, tr

DESIGN_W, DESIGN_H = 1920, 1080
FLASH_SECONDS = 5.0
FLASH_MS = 400
CALL_POINTS = 110
W = TypeVar("W", bound=QWidget)

_STYLE = f"""
QFrame#header {{ background: {theme.BLUE}; }}
QFrame#header QLabel {{ background: transparent; color: white; }}
QLabel#banner {{ background: {theme.CREAM}; color: {theme.CREAM_TEXT}; padding: 6px 24px; }}
QFrame#panel {{ background: white; border: 1px solid {theme.LINE}; border-radius: 14px; }}
QFrame#panel QLabel {{ background: transparent; }}
QLabel#heading {{ color: {theme.BLUE}; }}
QLabel#call {{ color: {theme.RED}; background: transparent; border-radius: 14px; }}
QLabel#call[flash="true"] {{ color: white; background: {theme.RED}; }}
QLabel#hint {{ color: {theme.TEXT_SOFT}; }}
QLabel#last {{ color: {theme.TEXT}; }}
QLabel#lastTop {{ color: {theme.RED}; }}
QFrame#win {{ background: {theme.TILE}; border: 1px solid {theme.LINE}; border-radius: 10px; }}
QFrame#win[busy="true"] {{ background: {theme.TILE_BUSY}; border: 2px solid {theme.RED}; }}
QFrame#win QLabel {{ background: transparent; }}
QLabel#winNo {{ color: {theme.TEXT_SOFT}; }}
QLabel#winTicket {{ color: {theme.RED}; }}
QLabel#winIdle {{ color: {theme.GREEN}; }}
QLabel#winOff {{ color: {theme.GREY}; }}
QLabel#th {{ color: {theme.GREY}; }}
QLabel#num {{ color: {theme.BLUE}; }}
"""


def _window_text(n: int) -> str:
    return tr("{n}号窗口").format(n=n)


def call_text(call: BoardCall, floor_name: str = "") -> str:
    """``A023 → 5号窗口``; ``B012 → 一楼 3号窗口`` when the window is on another floor than
    the citizen's waiting area (`floor_name`, the window's floor)."""
    where = f"{floor_name} " if call.floor and floor_name else ""
    return f"{call.number} → {where}{_window_text(call.window)}"


class _Scaled:
    """Remembers each label's design size and rescales the fonts with the window."""

    def __init__(self) -> None:
        self.items: list[tuple[QWidget, float, bool]] = []
        self.scale = 1.0

    def add(self, w: W, points: float = 0, bold: bool = False) -> W:
        """Scale `w` with the board: a FitLabel by its own rule, others at `points`."""
        self.items.append((w, points, bold))
        self._set(w, points, bold)
        return w

    def _set(self, w: QWidget, points: float, bold: bool) -> None:
        if isinstance(w, FitLabel):
            w.set_scale(self.scale)
        else:
            w.setFont(theme.font(max(8, round(points * self.scale)), bold))

    def drop(self, widgets: list[QWidget]) -> None:
        gone = {id(w) for w in widgets}
        self.items = [i for i in self.items if id(i[0]) not in gone]

    def apply(self, scale: float) -> None:
        self.scale = scale
        for w, points, bold in self.items:
            self._set(w, points, bold)


def _label(text: str = "", name: str = "", align: Qt.AlignmentFlag | None = None) -> QLabel:
    lab = QLabel(text)
    if name:
        lab.setObjectName(name)
    if align is not None:
        lab.setAlignment(align)
    return lab


def _panel() -> tuple[QFrame, QVBoxLayout]:
    f = QFrame()
    f.setObjectName("panel")
    lay = QVBoxLayout(f)
    lay.setContentsMargins(24, 16, 24, 16)
    lay.setSpacing(8)
    return f, lay


class BoardView(QWidget):
    """The whole board; every figure comes from the model's signals."""

    def __init__(self, model: BoardModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setStyleSheet(theme.STYLE + _STYLE)  # the hall's look even without run_app
        self.setWindowTitle(tr("一窗 · 大厅显示屏"))
        self._s = _Scaled()
        self._flashes_left = 0
        self._win_cells: dict[int, tuple[QFrame, FitLabel, FitLabel]] = {}
        self._queue_cells: list[list[QLabel]] = []
        self._queue_ids: list[str] | None = None

        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        root.addWidget(self._build_header())
        self.banner = self._s.add(_label("", "banner"), 22)
        root.addWidget(self.banner)

        body = QHBoxLayout()
        body.setContentsMargins(20, 16, 20, 16)
        body.setSpacing(20)
        left, right = QVBoxLayout(), QVBoxLayout()
        left.setSpacing(16)
        right.setSpacing(16)
        left.addWidget(self._build_current(), 5)
        left.addWidget(self._build_last(), 5)
        right.addWidget(self._build_windows(), 6)
        right.addWidget(self._build_queues(), 4)
        body.addLayout(left, 9)
        body.addLayout(right, 11)
        root.addLayout(body, 1)

        self.ticker = NoticeTicker()
        self._s.add(self.ticker, 26)
        root.addWidget(self.ticker)

        self._flash = QTimer(self)
        self._flash.setInterval(FLASH_MS)
        self._flash.timeout.connect(self._flash_step)
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._tick_clock)
        self._clock.start()

        model.changed.connect(self.refresh)
        model.online_changed.connect(lambda _on: self.refresh())
        model.new_call.connect(self.show_call)
        self._tick_clock()
        self.refresh()

    # ------------------------------------------------------------ building

    def _build_header(self) -> QFrame:
        f = QFrame()
        f.setObjectName("header")
        lay = QHBoxLayout(f)
        lay.setContentsMargins(28, 12, 28, 12)
        self.hall_name = self._s.add(_label(), 40, True)
        self.floor_name = self._s.add(_label(), 34, True)
        self.voice = self._s.add(_label(), 20)
        self.clock = self._s.add(_label(align=Qt.AlignmentFlag.AlignRight), 36, True)
        self.date = self._s.add(_label(align=Qt.AlignmentFlag.AlignRight), 20)
        lay.addWidget(self.hall_name)
        lay.addSpacing(24)
        lay.addWidget(self.floor_name)
        lay.addStretch(1)
        lay.addWidget(self.voice)
        lay.addSpacing(24)
        lay.addWidget(self.date)
        lay.addSpacing(16)
        lay.addWidget(self.clock)
        return f

    def _build_current(self) -> QFrame:
        f, lay = _panel()
        self.current_heading = self._s.add(_label("", "heading"), 28, True)
        self.current = self._s.add(FitLabel(CALL_POINTS, True, "call"))
        self.current_hint = self._s.add(FitLabel(30, False, "hint"))
        lay.addWidget(self.current_heading)
        lay.addWidget(self.current, 3)
        lay.addWidget(self.current_hint, 1)
        return f

    def _build_last(self) -> QFrame:
        f, lay = _panel()
        self.last_heading = self._s.add(_label("", "heading"), 28, True)
        lay.addWidget(self.last_heading)
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(4)
        self.last_labels: list[FitLabel] = []
        rows = ((self.model.calls.maxlen or 8) + 1) // 2
        for i in range(self.model.calls.maxlen or 8):
            lab = self._s.add(FitLabel(40, True, "last", Qt.AlignmentFlag.AlignLeft
                                       | Qt.AlignmentFlag.AlignVCenter))  # fmt: skip
            grid.addWidget(lab, i % rows, i // rows)
            self.last_labels.append(lab)
        lay.addLayout(grid, 1)
        return f

    def _build_windows(self) -> QFrame:
        f, lay = _panel()
        self.windows_heading = self._s.add(_label("", "heading"), 28, True)
        lay.addWidget(self.windows_heading)
        self.win_grid = QGridLayout()
        self.win_grid.setSpacing(10)
        lay.addLayout(self.win_grid, 1)
        return f

    def _build_queues(self) -> QFrame:
        f, lay = _panel()
        self.queues_heading = self._s.add(_label("", "heading"), 28, True)
        lay.addWidget(self.queues_heading)
        self.queue_grid = QGridLayout()
        self.queue_grid.setHorizontalSpacing(28)
        self.queue_grid.setVerticalSpacing(6)
        lay.addLayout(self.queue_grid)
        lay.addStretch(1)
        return f

    # ------------------------------------------------------------ updating

    def refresh(self) -> None:
        lang = i18n.current_language()
        m = self.model
        self.hall_name.setText(m.hall_name(lang) or tr("政务服务中心"))
        self.floor_name.setText(tr("全部楼层") if m.floor == ALL_FLOORS else m.floor_name(lang))
        self.voice.setText(tr("语音播报故障") if m.voice_error else "")
        self.banner.setText(tr("系统连接中…"))
        self.banner.setVisible(not m.online)
        self.ticker.set_text(m.notice(lang))
        self.current_heading.setText(tr("正在呼叫"))
        self.last_heading.setText(tr("最近呼叫"))
        self.windows_heading.setText(tr("窗口"))
        self.queues_heading.setText(tr("排队情况"))
        self._show_current()
        self._show_last()
        self._show_windows()
        self._show_queues()

    def _where(self, call: BoardCall) -> str:
        """The window's floor name when the citizen waits on another floor, else ""."""
        return self.model.name_of_floor(call.floor, i18n.current_language()) if call.floor else ""

    def _show_current(self) -> None:
        call = self.model.current
        if call is None:
            self.current.setText(tr("请留意叫号"))
            self.current_hint.setText("")
            return
        where = self._where(call)
        self.current.setText(call_text(call, where))
        hint = tr("请 {ticket} 号到 {window} 号窗口办理").format(
            ticket=call.number, window=f"{where} {call.window}" if where else call.window
        )
        self.current_hint.setText((tr("再次呼叫") + "  " if call.recall else "") + hint)

    def _show_last(self) -> None:
        calls = list(self.model.calls)
        for i, lab in enumerate(self.last_labels):
            lab.setText(call_text(calls[i], self._where(calls[i])) if i < len(calls) else "")
            lab.setObjectName("lastTop" if i == 0 else "last")
            lab.style().unpolish(lab)  # type: ignore[union-attr]
            lab.style().polish(lab)  # type: ignore[union-attr]

    def _show_windows(self) -> None:
        wins = self.model.windows()
        if set(self._win_cells) != {w["number"] for w in wins}:
            self._rebuild_window_cells(wins)
        for w in wins:
            frame, number, ticket = self._win_cells[w["number"]]
            number.setText(w["name"] or _window_text(w["number"]))
            text, name = self._window_status(w)
            ticket.setText(text)
            ticket.setObjectName(name)
            frame.setProperty("busy", bool(w["current"]))
            for x in (frame, ticket):
                x.style().unpolish(x)  # type: ignore[union-attr]
                x.style().polish(x)  # type: ignore[union-attr]

    @staticmethod
    def _window_status(w: dict[str, Any]) -> tuple[str, str]:
        if w["current"]:
            return str(w["current"]), "winTicket"
        if w["state"] == "open":
            return tr("空闲"), "winIdle"
        if w["state"] == "paused":
            return tr("暂停"), "winOff"
        return tr("未开放"), "winOff"

    def _rebuild_window_cells(self, wins: list[dict[str, Any]]) -> None:
        for frame, number, ticket in self._win_cells.values():
            self._s.drop([number, ticket])
            self.win_grid.removeWidget(frame)
            frame.hide()
            frame.deleteLater()
        self._win_cells = {}
        n = len(wins)
        cols = max(1, math.ceil(math.sqrt(n * 1.5)))
        rows = max(1, math.ceil(n / cols))
        size = 26 if rows <= 4 else 22 if rows <= 5 else 18
        for i, w in enumerate(wins):
            frame = QFrame()
            frame.setObjectName("win")
            lay = QVBoxLayout(frame)
            lay.setContentsMargins(6, 4, 6, 4)
            lay.setSpacing(0)
            number = self._s.add(FitLabel(size * 0.8, False, "winNo"))
            ticket = self._s.add(FitLabel(size * 1.4, True, "winOff"))
            lay.addWidget(number, 2)
            lay.addWidget(ticket, 3)
            self.win_grid.addWidget(frame, i // cols, i % cols)
            self._win_cells[w["number"]] = (frame, number, ticket)

    def _show_queues(self) -> None:
        lang = i18n.current_language()
        rows = self.model.queue_rows()
        if [r["queue"] for r in rows] != self._queue_ids:
            self._rebuild_queue_cells(len(rows))
            self._queue_ids = [r["queue"] for r in rows]
        heads = (tr("业务"), tr("等候区"), tr("等候人数"), tr("预计等候"))
        for lab, text in zip(self._queue_cells[0], heads, strict=True):
            lab.setText(text)
        for cells, q in zip(self._queue_cells[1:], rows, strict=True):
            name, area = text_of(q, "name", lang), text_of(q, "area", lang)
            texts = (name, area, str(q["waiting"]), q["estimate"] or "—")
            for lab, text in zip(cells, texts, strict=True):
                lab.setText(text)

    def _rebuild_queue_cells(self, n: int) -> None:
        for row in self._queue_cells:
            self._s.drop(list(row))
            for lab in row:
                self.queue_grid.removeWidget(lab)
                lab.hide()
                lab.deleteLater()
        self._queue_cells = []
        styles = (("th", 20, False),) * 4
        body = (("", 26, True), ("th", 22, False), ("num", 30, True), ("", 26, False))
        for r in range(n + 1):
            row = []
            for c, (name, pts, bold) in enumerate(styles if r == 0 else body):
                lab = self._s.add(_label("", name), pts, bold)
                self.queue_grid.addWidget(lab, r, c)
                row.append(lab)
            self._queue_cells.append(row)

    # ------------------------------------------------------------ calls and time

    def show_call(self, call: BoardCall) -> None:
        """A new live call: show it large and flash it for a few seconds."""
        self.refresh()
        self._flashes_left = int(FLASH_SECONDS * 1000 / FLASH_MS)
        self._set_flash(True)
        self._flash.start()

    def _flash_step(self) -> None:
        self._flashes_left -= 1
        if self._flashes_left <= 0:
            self._flash.stop()
            self._set_flash(False)
            return
        self._set_flash(not self.current.property("flash"))

    def _set_flash(self, on: bool) -> None:
        self.current.setProperty("flash", on)
        self.current.style().unpolish(self.current)  # type: ignore[union-attr]
        self.current.style().polish(self.current)  # type: ignore[union-attr]

    @property
    def flashing(self) -> bool:
        return self._flash.isActive()

    def _tick_clock(self) -> None:
        now = self.model.hall.now()  # the hall's time (the hub's clock), not this PC's
        self.clock.setText(f"{now:%H:%M:%S}")
        self.date.setText(f"{now:%Y-%m-%d}")

    # ------------------------------------------------------------ Qt events

    def resizeEvent(self, event: QResizeEvent | None) -> None:
        super().resizeEvent(event)
        scale = min(self.width() / DESIGN_W, self.height() / DESIGN_H)
        self._s.apply(scale)
        self.ticker.setFixedHeight(max(32, round(64 * scale)))

    def changeEvent(self, event: QEvent | None) -> None:
        super().changeEvent(event)
        if event is not None and event.type() == QEvent.Type.LanguageChange:
            self.refresh()
