"""`hall rating --window 5`: the evaluation pad of one window (device id rating-5)."""

from __future__ import annotations

import argparse

from PyQt6.QtWidgets import QWidget

from rating.model import PadModel
from rating.view import PadView
from ui import app as ui_app
from ui.hublink import HubLink
from ui.model import HallModel


def add_arguments(p: argparse.ArgumentParser) -> None:
    ui_app.add_common_arguments(p, default_device="")
    p.add_argument("--window", type=int, default=None, help="which window this pad belongs to")
    p.add_argument("--timeout", type=float, default=30.0,
                   help="seconds without a touch before the pad gives up (ticket stays unrated)")  # fmt: skip


def window_of(args: argparse.Namespace) -> int:
    """--window, else the number in a device id like rating-5."""
    if args.window is not None:
        return int(args.window)
    _, _, rest = str(args.device).partition("-")
    if not rest.isdigit():
        raise SystemExit("hall rating: which window? (--window 5 or --device rating-5)")
    return int(rest)


def run(args: argparse.Namespace) -> int:
    window = window_of(args)
    if not args.device:
        args.device = f"rating-{window}"

    def build(link: HubLink, hall: HallModel, a: argparse.Namespace) -> QWidget:
        model = PadModel(hall, link, window, ask_timeout=a.timeout)
        view = PadView(model)
        model.setParent(view)
        return view

    return ui_app.run_app(args, build, streams=("board",))
