"""`hall display --floor 2F`: one floor's display board with its voice (or `--floor all`)."""

from __future__ import annotations

import argparse
import logging

from PyQt6.QtCore import QObject, pyqtSignal
from PyQt6.QtWidgets import QWidget

from display.model import ALL_FLOORS, BoardModel
from display.view import BoardView
from drivers.base import ConfigError, Health, HealthState
from drivers.voice import Announcer, open_announcer
from hall.wire import protocol as P
from ui import app as ui_app
from ui.hublink import HubLink
from ui.model import HallModel

log = logging.getLogger(__name__)
DEFAULT_VOICE = "sim://voice"


class VoiceBridge(QObject):
    """The announcer's worker-thread callbacks, turned into signals for the GUI thread."""

    started = pyqtSignal(object)  # Spoken
    ended = pyqtSignal(object)  # Spoken

    def attach(self, model: BoardModel) -> None:
        self.started.connect(lambda s: model.voice_started(s.call))
        self.ended.connect(lambda s: model.voice_ended(s.ok, s.error))


def open_voice(url: str, bridge: VoiceBridge, repeats: int | None = None) -> Announcer | None:
    """The announcer a URL names; None (a silent board, logged) if it cannot be opened.
    `repeats`: how many times each call is said (None: the URL's, else twice)."""
    try:
        return open_announcer(url, on_start=bridge.started.emit, on_end=bridge.ended.emit,
                              repeats=repeats)  # fmt: skip
    except ConfigError as e:
        log.error("voice %s cannot be used, the board stays silent: %s", url, e)
        return None


class DisplayApp(QObject):
    """Wires one board: model, view, voice (from --voice or the hall's public layout)."""

    def __init__(
        self, hall: HallModel, floor: str, voice_url: str | None, repeats: int | None = None
    ) -> None:
        super().__init__()
        self.repeats = repeats
        self.bridge = VoiceBridge(self)
        self.announcer: Announcer | None = None
        self.model = BoardModel(hall, floor, parent=self)
        self.bridge.attach(self.model)
        self.view = BoardView(self.model)
        self.view.destroyed.connect(self.close)
        self.hall = hall
        self.voice_health: Health | None = None  # known once the voice is opened
        hall.online_changed.connect(self._on_online)
        if voice_url:
            self._use_voice(voice_url)
        else:
            hall.layout_ready.connect(
                lambda: self._use_voice(str((hall.layout or {}).get("voice") or DEFAULT_VOICE))
            )

    def _use_voice(self, url: str) -> None:
        if self.announcer is None:
            self.announcer = open_voice(url, self.bridge, self.repeats)
            self.model.set_speaker(self.announcer)
            # A voice or player this machine lacks is said at start, to the log and to
            # the hub (the manager's alerts), not found out at the first silent call.
            self.voice_health = (
                self.announcer.health() if self.announcer is not None
                else Health(HealthState.OFFLINE, "叫号语音配置有误，无法播报", "config")
            )  # fmt: skip
            if not self.voice_health.ok:
                log.error("voice %s cannot speak: %s; calls are shown, not said",
                          url, self.voice_health.reason)  # fmt: skip
            self._report_voice()

    def _on_online(self, online: bool) -> None:
        if online:
            self._report_voice()

    def _report_voice(self) -> None:
        h = self.voice_health
        if h is None or not self.hall.online:
            return  # said again when the hub is back
        parts = {"voice": {"state": h.state.value, "reason": h.reason, "code": h.code}}
        self.hall.link.request(P.ReportHealth, None, parts=parts)

    def close(self) -> None:
        if self.announcer is not None:
            self.announcer.close()
            self.announcer = None
            self.model.set_speaker(None)


def add_arguments(p: argparse.ArgumentParser) -> None:
    ui_app.add_common_arguments(p, default_device="display-2F")
    p.add_argument("--floor", default=None, help="which floor's board (1F, 2F …) or 'all'")
    p.add_argument(
        "--voice",
        default=None,
        help="announcer URL (default: the hall layout's voice, else sim://voice)",
    )
    p.add_argument("--repeats", type=int, default=None, choices=range(1, 6), metavar="N",
                   help="say each call N times, 1–5 (default: the voice URL's repeats=, else 2)")  # fmt: skip


def floor_of(args: argparse.Namespace) -> str:
    """--floor, else the floor in a device id like display-2F, else the whole hall."""
    if args.floor:
        return str(args.floor)
    _, _, rest = str(args.device).partition("-")
    return rest or ALL_FLOORS


def run(args: argparse.Namespace) -> int:
    floor = floor_of(args)
    if args.floor and args.device == "display-2F" and floor != ALL_FLOORS:
        args.device = f"display-{floor}"  # the floor decides the default device id
    holder: list[DisplayApp] = []

    def build(link: HubLink, hall: HallModel, a: argparse.Namespace) -> QWidget:
        board = DisplayApp(hall, floor, a.voice, a.repeats)
        holder.append(board)
        return board.view

    try:
        return ui_app.run_app(args, build, streams=("board",))
    finally:
        for b in holder:
            b.close()
