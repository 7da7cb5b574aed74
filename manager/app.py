"""`hall manager`: the hall manager's console (issue 6)."""

from __future__ import annotations

import argparse

from PyQt6.QtWidgets import QWidget

from manager.model import ConsoleModel
from manager.view import ConsoleWindow
from ui import app as ui_app
from ui.hublink import HubLink
from ui.model import HallModel

STREAMS = ("board", "staff")


def add_arguments(p: argparse.ArgumentParser) -> None:
    ui_app.add_common_arguments(p, default_device="manager-1")


def build(link: HubLink, hall: HallModel, args: argparse.Namespace) -> QWidget:
    """The console window over a model on the hub's clock."""
    window = ConsoleWindow(ConsoleModel(hall))
    if not args.size and not args.fullscreen:
        window.resize(1920, 1080)
    return window


def run(args: argparse.Namespace) -> int:
    return ui_app.run_app(args, build, streams=STREAMS)
