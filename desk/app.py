"""`hall desk`: the service desk at a hall entrance (服务台), device desk-N."""

from __future__ import annotations

import argparse
import logging

from PyQt6.QtWidgets import QWidget

from desk.model import DeskModel
from desk.view import DeskWindow
from ui import app as ui_app
from ui.hublink import HubLink
from ui.model import HallModel

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    ui_app.add_common_arguments(p, default_device="desk-1")
    p.add_argument("--printer", default="sim://printer",
                   help="ticket printer URL for reprints and staff tickets ('' for none)")  # fmt: skip


def build(link: HubLink, hall: HallModel, args: argparse.Namespace) -> QWidget:
    printer = None
    if args.printer:
        from drivers.base import DriverError
        from drivers.printer import open_printer

        try:
            printer = open_printer(args.printer)
        except DriverError as e:
            log.error("printer %s cannot be used; the desk prints nothing: %s", args.printer, e)
    return DeskWindow(DeskModel(hall, link, printer, parent=hall))


def run(args: argparse.Namespace) -> int:
    return ui_app.run_app(args, build, streams=("board",))
