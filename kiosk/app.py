"""`hall kiosk`: the ticket kiosk at the hall's entrance.

Devices come from the command line or, when not given, from this kiosk's entry
in the public layout the hub sends in its welcome (``devices.kiosks``), so a
kiosk needs only the hub's address.
"""

from __future__ import annotations

import argparse
import logging
from typing import Any

from PyQt6.QtCore import QCoreApplication
from PyQt6.QtWidgets import QWidget

from drivers.base import DriverError, Health, HealthState
from drivers.idcard import open_id_reader
from drivers.printer import open_printer
from drivers.scanner import open_scanner
from drivers.sscard import open_card_reader
from hall.core.catalogue import load_catalogue
from kiosk.devices import CardDesk, PrinterDesk
from kiosk.model import KioskModel
from kiosk.view import KioskWindow
from ui import app as ui_app
from ui.hublink import HubLink
from ui.model import HallModel

log = logging.getLogger(__name__)

DEFAULT_PRINTER = "sim://printer?out=out/tickets"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The kiosk's options on top of every app's."""
    ui_app.add_common_arguments(p, default_device="kiosk-1")
    p.add_argument("--printer", default=None,
                   help=f"ticket printer URL (default: the layout's, else {DEFAULT_PRINTER})")  # fmt: skip
    p.add_argument("--id-reader", default=None, help="ID-card reader URL (default: the layout's)")
    p.add_argument("--card-reader", default=None,
                   help="social security card reader URL (default: the layout's)")  # fmt: skip
    p.add_argument("--scanner", default=None,
                   help="serial barcode/QR scanner URL, e.g. serial:///dev/ttyACM0?baudrate=9600 "
                        "(keyboard-wedge scanners need none)")  # fmt: skip
    p.add_argument("--idle-seconds", type=float, default=60.0,
                   help="go back home and forget the card holder after this long untouched")  # fmt: skip
    p.add_argument("--catalogue", default=None, help="service-item catalogue CSV")
    p.add_argument("--guide-voice", default=None,
                   help="spoken guidance's voice URL, e.g. espeak://?player=aplay (default: the "
                        "kiosk's guide_voice in the layout, else the hall's voice)")  # fmt: skip
    p.add_argument(
        "--guide",
        action="store_true",
        help="spoken guidance on from the start (default: the layout's `guide`)",
    )


def kiosk_entry(layout: dict[str, Any], device: str) -> dict[str, Any]:
    """This kiosk's device entry in the public layout ({} when it has none)."""
    return next((k for k in layout.get("kiosks", []) if k.get("id") == device), {})


def _open(kind: str, url: str | None, opener: Any) -> Any:
    if not url:
        return None
    try:
        return opener(url)
    except DriverError as e:  # a bad URL (ConfigError) or a device not there
        log.error("%s %s cannot be used: %s", kind, url, e)
        return None


def attach_devices(model: KioskModel, args: argparse.Namespace) -> None:
    """Open the devices (command line first, then the layout's entry) and start the readers."""
    entry = kiosk_entry(model.layout, args.device)
    printer_url = args.printer or entry.get("printer") or DEFAULT_PRINTER
    if printer_url == "sim://printer":
        printer_url = DEFAULT_PRINTER  # the sim keeps its tickets somewhere one can look
    printer = _open("printer", printer_url, open_printer)
    model.printer.printer = printer
    if printer is None:
        model.printer.health.emit(Health(HealthState.OFFLINE, "打印机配置有误", "config"))
    model.cards.id_reader = _open("ID-card reader", args.id_reader or entry.get("id_reader"),
                                  open_id_reader)  # fmt: skip
    model.cards.card_reader = _open("card reader", args.card_reader or entry.get("card_reader"),
                                    open_card_reader)  # fmt: skip
    model.cards.scanner = _open("scanner", getattr(args, "scanner", None) or entry.get("scanner"),
                                open_scanner)  # fmt: skip
    model.start()


def attach_voice(window: KioskWindow, args: argparse.Namespace) -> None:
    """Spoken guidance: the voice from the command line, the kiosk's entry or the hall's;
    on from the start if the command line or the entry says so (else one tap away)."""
    layout = window.model.layout
    entry = kiosk_entry(layout, args.device)
    url = (getattr(args, "guide_voice", None) or entry.get("guide_voice")
           or str(layout.get("voice") or ""))  # fmt: skip
    window.voice.open(url, on=bool(getattr(args, "guide", False) or entry.get("guide")))


def build(link: HubLink, hall: HallModel, args: argparse.Namespace) -> QWidget:
    """The kiosk model and window; devices open once the welcome brought the layout."""
    catalogue = load_catalogue(args.catalogue) if args.catalogue else load_catalogue()
    model = KioskModel(
        hall, catalogue, printer=PrinterDesk(None), cards=CardDesk(), idle_seconds=args.idle_seconds
    )
    window = KioskWindow(model)
    model.setParent(window)
    hall.layout_ready.connect(lambda: attach_devices(model, args))
    hall.layout_ready.connect(lambda: attach_voice(window, args))
    app = QCoreApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(model.stop)  # device threads end before the process
        app.aboutToQuit.connect(window.voice.close)
    return window


def run(args: argparse.Namespace) -> int:
    """Run the kiosk until its window closes."""
    return ui_app.run_app(args, build, streams=("board",))
