"""`hall counter --window 5`: the clerk's counter client for one window."""

from __future__ import annotations

import argparse
import logging

from PyQt6.QtWidgets import QWidget

from counter.model import CounterModel
from counter.view import CounterWindow
from ui import app as ui_app
from ui.hublink import HubLink
from ui.i18n import text_of
from ui.model import HallModel

log = logging.getLogger(__name__)
DEFAULT_DEVICE = "counter-5"


def add_arguments(p: argparse.ArgumentParser) -> None:
    ui_app.add_common_arguments(p, default_device=DEFAULT_DEVICE)
    p.add_argument("--window", type=int, default=None,
                   help="which window this counter serves (device counter-N unless --device)")  # fmt: skip
    p.set_defaults(device=None)  # so that resolve() knows whether --device was given


def resolve(args: argparse.Namespace) -> int:
    """The window number from --window, or from a device id like counter-5; fixes args.device."""
    if args.window is None:
        tail = str(args.device or DEFAULT_DEVICE).rpartition("-")[2]
        args.window = int(tail) if tail.isdigit() else 5
    if args.device is None:
        args.device = f"counter-{args.window}"
    return int(args.window)


def item_names(lang: str = "zh") -> dict[str, str]:
    """Service item names by code from the catalogue ({} if it cannot be read: codes show)."""
    try:
        from hall.core.catalogue import load_catalogue

        return {i.code: text_of(i, "name", lang) for i in load_catalogue()}
    except (OSError, ValueError) as e:
        log.warning("service item names unavailable: %s", e)
        return {}


def build(link: HubLink, hall: HallModel, args: argparse.Namespace) -> QWidget:
    model = CounterModel(hall, int(args.window), item_names=item_names(args.lang), parent=hall)
    return CounterWindow(model)


def run(args: argparse.Namespace) -> int:
    resolve(args)
    return ui_app.run_app(args, build, streams=("board", "staff"))
