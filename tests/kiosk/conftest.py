"""Kiosk fixtures: a real hub on 127.0.0.1, the TCP printer emulator, simulated card readers,
and a kiosk (link, hall model, kiosk model, window) wired to them like `hall kiosk` does.

Every kiosk test fails on a Qt warning (pytest-qt's ``qt_log_level_fail``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from drivers.base import Person
from drivers.idcard.sim import SimIdCardReader
from drivers.printer import open_printer
from drivers.printer.emulator import PrinterEmulator
from drivers.scanner.sim import SimScanner
from drivers.sscard.sim import SimSocialSecurityCardReader
from hall.core.catalogue import Catalogue, load_catalogue
from hall.core.idnumber import make_id_number
from kiosk.devices import CardDesk, PrinterDesk
from kiosk.model import KioskModel, Screen
from kiosk.view import KioskWindow
from tests.hubs import HALL_TIME
from ui import i18n
from ui.hublink import HubLink
from ui.model import HallModel

SIZES = ((1920, 1080), (1280, 800))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
            # The offscreen platform says this of every top-level window it shows.
            item.add_marker(pytest.mark.qt_log_ignore("does not support propagateSizeHints"))


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture
def emulator() -> Iterator[PrinterEmulator]:
    with PrinterEmulator() as emu:
        yield emu


def person(name: str = "张三", birth: date = date(1985, 5, 1), area: str = "500101") -> Person:
    """A citizen with a valid ID number carrying `birth`."""
    idn = make_id_number(f"{area}{birth:%Y%m%d}123")
    return Person(id_number=idn, name=name, birth_date=birth, source="idcard", gender="男",
                  nation="汉", address="重庆市江北区建新北路1号", authority="重庆市公安局江北区分局",
                  valid_from=date(2020, 1, 1), valid_to=date(2040, 1, 1))  # fmt: skip


@dataclass
class Kiosk:
    """A kiosk under test and its simulated devices."""

    link: HubLink
    hall: HallModel
    model: KioskModel
    window: KioskWindow
    id_reader: SimIdCardReader
    card_reader: SimSocialSecurityCardReader
    emulator: PrinterEmulator
    shots: Path

    def shoot(self, name: str) -> list[Path]:
        """Save the window at each kiosk screen size; return the files."""
        out: list[Path] = []
        dirs = [self.shots]
        if os.environ.get("YICHUANG_SHOTS"):
            dirs.append(Path(os.environ["YICHUANG_SHOTS"]))
        for w, h in SIZES:
            # Twice: the fonts follow the first resize, the minimum size follows the fonts.
            self.window.resize(w, h)
            self.window.resize(w, h)
            image = self.window.grab()
            if (image.width(), image.height()) != (w, h):
                hints = {s.value: p.minimumSizeHint() for s, p in self.window.pages.items()}
                raise AssertionError(
                    f"{name}: {image.width()}x{image.height()} at {w}x{h}: {hints}"
                )
            for d in dirs:
                d.mkdir(parents=True, exist_ok=True)
                path = d / f"kiosk-{name}-{w}x{h}.png"
                assert image.save(str(path)), path
                out.append(path)
        return out


MakeKiosk = Callable[..., Kiosk]


@pytest.fixture
def make_kiosk(
    qtbot: QtBot, emulator: PrinterEmulator, catalogue: Catalogue, tmp_path: Path
) -> Iterator[MakeKiosk]:
    made: list[Kiosk] = []

    def make(endpoint: str, *, idle_seconds: float = 60.0, wait_online: bool = True,
             printer_timeout: float = 1.0, **kw: float) -> Kiosk:  # fmt: skip
        i18n.set_language("zh")
        # offline_after leaves room for the screenshots, which hold up the event loop.
        link = HubLink(endpoint, "kiosk-1", timeout=0.5, retries=2, offline_after=3.0)
        hall = HallModel(link)
        id_reader = SimIdCardReader(reply_timeout=0.5)
        card_reader = SimSocialSecurityCardReader()
        printer = open_printer(emulator.url, timeout=printer_timeout)
        model = KioskModel(
            hall, catalogue, printer=PrinterDesk(printer), idle_seconds=idle_seconds,
            cards=CardDesk(id_reader, card_reader, scanner=SimScanner(), poll_seconds=0.2),
            health_every=3600,
            today=lambda: HALL_TIME.date(), **kw,
        )  # fmt: skip
        window = KioskWindow(model)
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        k = Kiosk(link, hall, model, window, id_reader, card_reader, emulator, tmp_path / "shots")
        made.append(k)
        model.start()
        link.start()
        if wait_online:
            qtbot.waitUntil(
                lambda: model.screen is Screen.HOME and bool(hall.queues()), timeout=5000
            )
        return k

    yield make
    for k in made:
        k.model.stop()
        k.link.stop()
    i18n.set_language("zh")
