"""`hall kiosk`: options, and the app wiring its devices from the hub's public layout."""

from __future__ import annotations

import argparse
from pathlib import Path

from PyQt6.QtCore import Qt
from pytestqt.qtbot import QtBot

from hall.cli import build_parser
from hall.server.hub import Hub
from kiosk import app
from kiosk.model import PrintState, Screen
from kiosk.view import KioskWindow
from ui.hublink import HubLink
from ui.model import HallModel


def test_hall_kiosk_options() -> None:
    args = build_parser(["kiosk"]).parse_args(
        ["kiosk", "--endpoint", "tcp://127.0.0.1:1", "--idle-seconds", "30"]
    )
    assert args.device == "kiosk-1" and args.idle_seconds == 30
    assert args.printer is None and args.id_reader is None and args.card_reader is None


def test_the_app_opens_the_layouts_devices_and_prints(
    qtbot: QtBot, hub: Hub, tmp_path: Path
) -> None:
    p = argparse.ArgumentParser()
    app.add_arguments(p)
    out = tmp_path / "tickets"
    args = p.parse_args(["--endpoint", hub.endpoint, "--printer", f"sim://printer?out={out}"])
    link = HubLink(args.endpoint, args.device, timeout=0.5, retries=2)
    hall = HallModel(link)
    window = app.build(link, hall, args)
    assert isinstance(window, KioskWindow)
    qtbot.addWidget(window)
    window.show()
    model = window.model
    link.start()
    try:
        qtbot.waitUntil(lambda: model.screen is Screen.HOME, timeout=5000)
        assert model.cards.id_reader is not None  # sim://idcard from the layout's kiosk-1
        assert model.cards.card_reader is not None  # sim://sscard
        home = window.pages[Screen.HOME]
        qtbot.mouseClick(home.buttons["G"], Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
        qtbot.waitUntil(lambda: model.screen is Screen.DONE, timeout=5000)
        qtbot.waitUntil(lambda: model.print_state is PrintState.PRINTED, timeout=5000)
        assert [f.name for f in out.glob("*.png")], "the sim printer drew no ticket"
    finally:
        model.stop()
        link.stop()
