"""SimPrinter: the same interface as the real printer, tickets drawn to PNG."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from drivers.base import ConfigError, HealthState
from drivers.printer import PaperOut, PrinterOffline, TicketPrint, open_printer
from drivers.printer.sim import SimPrinter, TicketRenderer

from .conftest import make_ticket


def ink_columns(image: Image.Image) -> tuple[int, int]:
    """Leftmost and rightmost column with any black dot."""
    box = Image.eval(image.convert("L"), lambda v: 255 - v).getbbox()
    assert box is not None, "the ticket is blank"
    return box[0], box[2]


@pytest.mark.parametrize(("width", "dots"), [(58, 384), (80, 576)])
def test_png_of_the_paper_width(tmp_path: Path, ticket: TicketPrint, width: int, dots: int) -> None:
    printer = open_printer(f"sim://printer?out={tmp_path}&width={width}")
    assert isinstance(printer, SimPrinter)
    printer.print_ticket(ticket)
    assert printer.printed == [ticket]
    [path] = printer.files
    assert path.parent == tmp_path and path.suffix == ".png"
    with Image.open(path) as image:
        assert image.width == dots
        assert 600 < image.height < 1400
        left, right = ink_columns(image)
        assert 0 <= left < right <= dots
        # Thermal paper: pure black and white, and a good share of ink.
        hist = image.convert("L").histogram()
        assert hist[0] + hist[255] == image.width * image.height
        assert 0.03 < hist[0] / (image.width * image.height) < 0.4


def test_each_ticket_gets_its_own_file(tmp_path: Path) -> None:
    printer = SimPrinter(tmp_path)
    printer.print_ticket(make_ticket())
    printer.print_ticket(make_ticket())  # same number and time: a reprint
    SimPrinter(tmp_path).print_ticket(make_ticket())  # another printer, same folder
    assert len(list(tmp_path.glob("*.png"))) == 3


def test_without_out_dir_keeps_images_in_memory(ticket: TicketPrint) -> None:
    printer = SimPrinter()
    printer.print_ticket(ticket)
    assert printer.files == [] and len(printer.images) == 1


def test_number_is_the_biggest_thing_on_the_ticket(ticket: TicketPrint) -> None:
    """The 5× number row is the tallest run of inked rows (and centred)."""
    image = SimPrinter().render(ticket).convert("L")
    # Squeeze each row to one pixel: anything below white had ink.
    rows = [v < 255 for v in image.resize((1, image.height), Image.Resampling.BOX).tobytes()]
    runs, run = [], 0
    for inked in rows:
        run = run + 1 if inked else 0
        runs.append(run)
    assert max(runs) >= 100  # 5 × 24 dots, less the glyph's own margins
    end = runs.index(max(runs))
    band = image.crop((0, end - max(runs) + 1, image.width, end + 1))
    left, right = ink_columns(band)
    assert abs((left + right) / 2 - image.width / 2) < 12


@pytest.mark.parametrize(
    ("state", "health", "error"),
    [
        ("ok", HealthState.OK, None),
        ("low", HealthState.DEGRADED, None),
        ("out", HealthState.OFFLINE, PaperOut),
        ("offline", HealthState.OFFLINE, PrinterOffline),
    ],
)
def test_states(ticket: TicketPrint, state: str, health: HealthState, error: type | None) -> None:
    printer = open_printer(f"sim://printer?paper={state}")
    assert printer.status().state is health
    if error is None:
        printer.print_ticket(ticket)
        return
    with pytest.raises(error):
        printer.print_ticket(ticket)
    assert isinstance(printer, SimPrinter) and printer.printed == []


def test_paper_can_run_out_during_a_demo(ticket: TicketPrint) -> None:
    printer = SimPrinter()
    printer.print_ticket(ticket)
    printer.set_state("out")
    with pytest.raises(PaperOut) as info:
        printer.print_ticket(ticket)
    assert "缺纸" in info.value.user_message
    printer.set_state("ok")
    printer.print_ticket(ticket)
    assert len(printer.printed) == 2


def test_bad_state_and_missing_font_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="paper state"):
        open_printer("sim://printer?paper=jammed")
    with pytest.raises(ConfigError, match="font"):
        TicketRenderer(SimPrinter().paper, font_path="/nonexistent/font.ttc")


def test_a_simulated_printer_says_so_never_ok() -> None:
    """issue 18: a kiosk on sim://printer showed "printer OK" while writing PNGs."""
    printer = SimPrinter()
    h = printer.status()
    assert h.state is HealthState.OK and h.code == "sim" and "模拟" in h.reason
    assert "正常" not in h.reason
    printer.set_state("low")
    assert printer.status().state is HealthState.DEGRADED  # its faults as a real one's
