"""The simulated ticket printer: draws each ticket to a PNG exactly as the paper would show it.

It renders the same operation list the ESC/POS encoder sends (see
``layout.py``), at the paper's dot width (384 or 576 dots, 203 dpi), with a
printer's character cells: 12×24 dots for ASCII, 24×24 for hanzi, times
the magnification. The image is 1-bit, like thermal paper.
"""

from __future__ import annotations

import re
import threading
from dataclasses import replace
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

from drivers.base import ConfigError, Health, HealthState
from drivers.printer import escpos as proto
from drivers.printer.charset import DEFAULT_CHARSET, printable
from drivers.printer.layout import PAPER_80, QR, Cut, Feed, Op, Paper, Text, char_columns
from drivers.printer.layout import layout_ticket as _layout
from drivers.printer.printer import TicketPrinter, refuse_unless_printable
from drivers.printer.ticket import TicketPrint

# (path, face index): the Simplified Chinese face of each collection.
CJK_FONTS = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
)
CELL = 24  # dots: height of a character cell, width of a hanzi cell
LINE_GAP = 6  # dots between printed lines (ESC/POS default spacing is about 30 dots)
FEED = CELL + LINE_GAP
TOP_MARGIN = 24
CUT_FEED = 6  # lines fed before the cut (ESC d 6)
STATES = ("ok", "low", "out", "offline", "cover_open", "cutter_error")


def find_cjk_font(path: str | None = None) -> tuple[str, int]:
    """The font file to draw Chinese with; ConfigError naming what to install if there is none."""
    if path:
        if not Path(path).is_file():
            raise ConfigError(f"sim printer: font {path!r} does not exist")
        return path, 0
    for candidate, index in CJK_FONTS:
        if Path(candidate).is_file():
            return candidate, index
    raise ConfigError(
        "sim printer: no Chinese font found (looked for "
        + ", ".join(p for p, _ in CJK_FONTS)
        + "); install one: apt-get install fonts-wqy-microhei"
    )


def _qr_matrix(payload: str) -> list[list[bool]]:
    # Error level M and the smallest version that fits: what GS ( k asks the printer for.
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(payload.encode("utf-8"))
    code.make(fit=True)
    return code.get_matrix()


def _height(ops: list[Op]) -> int:
    """Dots of paper the operations use, up to and including the cut."""
    y = TOP_MARGIN
    for op in ops:
        match op:
            case Text():
                y += CELL * op.scale + LINE_GAP
            case QR():
                y += len(_qr_matrix(op.payload)) * op.module_dots + LINE_GAP
            case Feed():
                y += FEED * op.lines
            case Cut():
                return y + FEED * CUT_FEED
    return y


class TicketRenderer:
    """Draws operation lists to 1-bit images at a paper's width."""

    def __init__(self, paper: Paper, font_path: str | None = None) -> None:
        self.paper = paper
        self._font_file, self._font_index = find_cjk_font(font_path)
        self._fonts: dict[int, ImageFont.FreeTypeFont] = {}
        self._glyphs: dict[tuple[str, int, bool], Image.Image] = {}  # tickets repeat characters

    def _font(self, size: int) -> ImageFont.FreeTypeFont:
        if size not in self._fonts:
            self._fonts[size] = ImageFont.truetype(self._font_file, size, index=self._font_index)
        return self._fonts[size]

    def _glyph(self, ch: str, scale: int, bold: bool) -> Image.Image:
        """One character cell, like the printer's: the glyph at its place in the cell.

        Full-width punctuation keeps its position (a "，" sits low and left);
        a half-width glyph wider than its 12-dot cell is squeezed, as the
        printer's narrow font A would draw it.
        """
        w, h = char_columns(ch) * CELL // 2 * scale, CELL * scale
        font = self._font(round(h * 0.92))
        ascent, descent = font.getmetrics()
        baseline = (h - (ascent + descent)) // 2 + ascent
        strikes = max(2, scale) if bold else 1  # bold = double strike shifted by a dot
        advance = round(font.getlength(ch)) + strikes - 1
        scratch = Image.new("L", (max(w, advance), h), 0)
        draw = ImageDraw.Draw(scratch)
        for dx in range(strikes):
            draw.text(((scratch.width - advance) // 2 + dx, baseline), ch, font=font, fill=255,
                      anchor="ls")  # fmt: skip
        if scratch.width > w:
            scratch = scratch.resize((w, h), Image.Resampling.LANCZOS)
        return scratch

    def _text(self, page: Image.Image, y: int, op: Text) -> int:
        cells = []
        for ch in op.text:
            key = (ch, op.scale, op.bold)
            if key not in self._glyphs:
                self._glyphs[key] = self._glyph(*key)
            cells.append(self._glyphs[key])
        width = sum(c.width for c in cells)
        x = {"left": 0, "center": (page.width - width) // 2, "right": page.width - width}[op.align]
        for cell in cells:
            page.paste(255, (x, y), cell)  # ink where the glyph is
            x += cell.width
        return y + CELL * op.scale + LINE_GAP

    def _qr(self, page: Image.Image, y: int, op: QR) -> int:
        matrix = _qr_matrix(op.payload)
        m = op.module_dots
        x0 = (page.width - len(matrix) * m) // 2
        draw = ImageDraw.Draw(page)
        for r, row in enumerate(matrix):
            for c, dark in enumerate(row):
                if dark:
                    draw.rectangle(
                        (x0 + c * m, y + r * m, x0 + c * m + m - 1, y + r * m + m - 1), 255
                    )
        return y + len(matrix) * m + LINE_GAP

    def render(self, ops: list[Op]) -> Image.Image:
        """The printed ticket, black on white, ``paper.dots`` wide, ending at the cut."""
        page = Image.new("L", (self.paper.dots, _height(ops)), 0)  # ink = 255 while drawing
        y = TOP_MARGIN
        for op in ops:
            match op:
                case Text():
                    y = self._text(page, y, op)
                case QR():
                    y = self._qr(page, y, op)
                case Feed():
                    y += FEED * op.lines
                case Cut():
                    y += FEED * CUT_FEED
                    break
        # Thermal paper has no grey: threshold, then black ink on white paper.
        return page.point(lambda v: 0 if v >= 128 else 255).convert("1")


class SimPrinter(TicketPrinter):
    """A printer in-process: ``sim://printer?out=DIR&width=80&paper=ok|low|out|offline|…``.

    Every ticket is rendered to PNG (saved in ``out`` when given) and kept
    in ``printed``; ``set_state`` lets a demo run out of paper.
    """

    def __init__(
        self, out: str | Path | None = None, *, paper: Paper = PAPER_80, state: str = "ok",
        font_path: str | None = None, charset: str = DEFAULT_CHARSET,
    ) -> None:  # fmt: skip
        self.paper = paper
        self.charset = charset
        self.out = Path(out) if out else None
        self.renderer = TicketRenderer(paper, font_path)
        self.printed: list[TicketPrint] = []
        self.images: list[Image.Image] = []
        self.files: list[Path] = []
        self._lock = threading.Lock()
        self.set_state(state)

    def set_state(self, state: str) -> None:
        """Paper "ok", "low", "out"; or a fault: "offline", "cover_open", "cutter_error"."""
        if state not in STATES:
            raise ConfigError(f"sim printer: paper state must be one of {', '.join(STATES)}")
        self.state = state

    def status(self) -> Health:
        """Health as the real driver would decode it for this state."""
        paper = {"low": proto.PaperState.LOW, "out": proto.PaperState.OUT}
        faults = {"cover_open": {proto.Fault.COVER_OPEN}, "cutter_error": {proto.Fault.CUTTER}}
        online = self.state not in ("offline", *faults)
        health = proto.health_of(
            online, paper.get(self.state, proto.PaperState.OK), faults.get(self.state, set())
        )
        if health.state is HealthState.OK:  # working, but never "正常": no paper comes out
            return Health(HealthState.OK, "模拟打印机（不出纸）", "sim")
        return health

    def render(self, ticket: TicketPrint) -> Image.Image:
        """The ticket as it would come out of the printer (nothing is recorded)."""
        # Only what the real printer's font holds, so the picture shows what paper would.
        ops = [
            replace(op, text=printable(op.text, self.charset)) if isinstance(op, Text) else op
            for op in _layout(ticket, self.paper)
        ]
        return self.renderer.render(ops)

    def print_ticket(self, ticket: TicketPrint) -> None:
        """Render and keep the ticket; refuse like the real printer when offline or out of paper."""
        refuse_unless_printable(self.status(), require_status=True)
        image = self.render(ticket)
        with self._lock:
            self.printed.append(ticket)
            self.images.append(image)
            if self.out is not None:
                self.out.mkdir(parents=True, exist_ok=True)
                safe = re.sub(r"[^0-9A-Za-z_-]", "_", ticket.number)
                stem = f"ticket-{ticket.issued_at:%Y%m%d-%H%M%S}-{safe}"
                path = self.out / f"{stem}.png"
                n = 1
                while path.exists():  # a reprint, or another sim printer sharing the folder
                    n += 1
                    path = self.out / f"{stem}-{n}.png"
                image.save(path)
                self.files.append(path)
