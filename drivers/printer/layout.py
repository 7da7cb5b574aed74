"""Ticket layout: a TicketPrint and a paper width in, a list of print operations out.

Pure and shared: the ESC/POS encoder (``escpos.py``) and the PNG renderer of
the simulated printer (``sim.py``) both consume the same list, so the PNG
shows exactly what the paper will.

Widths are counted the way a thermal printer in Chinese mode counts them:
an ASCII character takes one half-width column (12×24 dots in font A), any
other character is sent as a two-byte GB18030 code and printed full-width
(24×24 dots), i.e. two columns. This is why ``char_columns`` looks at the
code point rather than at Unicode's East Asian Width: "–" or "·" are
"ambiguous" to Unicode but always full-width on the printer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from drivers.printer.ticket import TicketPrint

Align = Literal["left", "center", "right"]

# A closing mark may not start a line (the usual Chinese line-breaking rule).
_NO_LINE_START = set("，。、：；！？）》」』】,.:;!?)")


@dataclass(frozen=True)
class Paper:
    """A paper roll: printable width in half-width columns and in dots (203 dpi)."""

    mm: int
    columns: int
    dots: int

    @property
    def column_dots(self) -> int:
        """Dots per half-width column (12 for font A)."""
        return self.dots // self.columns


PAPER_58 = Paper(mm=58, columns=32, dots=384)
PAPER_80 = Paper(mm=80, columns=48, dots=576)


def paper_for_width(mm: int) -> Paper:
    """The paper for a roll width in millimetres (58 or 80)."""
    for p in (PAPER_58, PAPER_80):
        if p.mm == mm:
            return p
    raise ValueError(f"paper width must be 58 or 80 (mm), got {mm}")


@dataclass(frozen=True)
class Text:
    """One printed line; it must already fit (``text_columns(text) * scale <= columns``)."""

    text: str
    align: Align = "center"
    scale: int = 1  # character magnification, 1..8 in both directions
    bold: bool = False


@dataclass(frozen=True)
class QR:
    """A QR code (model 2, error level M) of ``module_dots`` dots per module."""

    payload: str
    module_dots: int = 6


@dataclass(frozen=True)
class Feed:
    """Blank lines."""

    lines: int = 1


@dataclass(frozen=True)
class Cut:
    """Feed the ticket past the cutter and cut it."""


Op = Text | QR | Feed | Cut


def char_columns(ch: str) -> int:
    """Half-width columns one character takes on the printer."""
    return 1 if ord(ch) < 0x80 else 2


def text_columns(text: str) -> int:
    """Half-width columns a string takes on the printer."""
    return sum(char_columns(c) for c in text)


def _clean(text: str) -> str:
    # A stray newline or control byte inside a field would be sent raw to the
    # printer and break the layout (or be taken as a command).
    return "".join(c if c.isprintable() else " " for c in text).strip()


def _tokens(text: str) -> list[str]:
    """Split into unbreakable pieces: ASCII words, single spaces, single other characters."""
    out: list[str] = []
    for ch in text:
        if (
            out
            and ch.isascii()
            and not ch.isspace()
            and out[-1].isascii()
            and not out[-1].isspace()
        ):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def wrap(text: str, columns: int) -> list[str]:
    """Break text into lines of at most ``columns``; words stay whole where they fit."""
    if columns < 2:
        raise ValueError("need at least 2 columns to wrap")
    lines: list[str] = []
    line = ""
    for tok in _tokens(_clean(text)):
        while text_columns(tok) > columns:  # a word longer than a line: split it anywhere
            cut = len(tok)
            while text_columns(tok[:cut]) > columns - text_columns(line):
                cut -= 1
            if cut == 0:
                lines.append(line)
                line = ""
                continue
            lines.append(line + tok[:cut])
            line, tok = "", tok[cut:]
        if text_columns(line + tok) <= columns:
            line += tok
            continue
        if tok in _NO_LINE_START and len(line) > 1:
            # Carry the previous character down with the closing mark.
            lines.append(line[:-1])
            line = line[-1] + tok
        else:
            lines.append(line)
            line = "" if tok.isspace() else tok
    lines.append(line)
    return [ln.rstrip() for ln in lines if ln.strip()]


def fit_scale(text: str, columns: int, largest: int) -> int:
    """The largest magnification (at most ``largest``) at which ``text`` fits on one line."""
    width = max(text_columns(text), 1)
    return max(1, min(largest, columns // width))


def paragraph(
    text: str, paper: Paper, *, largest: int = 1, align: Align = "center", bold: bool = False
) -> list[Text]:
    """Lines for a piece of text: one big line if it fits, else wrapped at normal size."""
    text = _clean(text)
    if not text:
        return []
    scale = fit_scale(text, paper.columns, largest)
    if text_columns(text) * scale <= paper.columns:
        return [Text(text, align, scale, bold)]
    return [Text(line, align, 1, bold) for line in wrap(text, paper.columns)]


def layout_ticket(t: TicketPrint, paper: Paper) -> list[Op]:
    """The print operations for one ticket on the given paper."""
    ops: list[Op] = []
    ops += paragraph(t.hall_name, paper, largest=2, bold=True)
    ops.append(Text("-" * paper.columns))
    ops.append(Text("您的号码"))
    number = _clean(t.number)
    # The number is what the citizen looks for: as big as the paper allows, up to 5×.
    ops.append(
        Text(
            number,
            "center",
            fit_scale(number, paper.columns, 5 if paper.mm == 80 else 4),
            bold=True,
        )
    )
    if t.english_number_label:
        ops += paragraph(t.english_number_label, paper)
    ops.append(Feed(1))
    ops += paragraph("·".join(x for x in (t.queue_name, t.item_name) if x), paper)
    ahead = f"您前面还有 {t.people_ahead} 人等候" if t.people_ahead else "您前面暂无等候"
    ops += paragraph(ahead, paper)
    if t.wait_text:
        ops += paragraph(f"预计等候：{t.wait_text}", paper)
    ops += paragraph(t.floor_area_text, paper, largest=2, bold=True)
    ops.append(Feed(1))
    ops.append(QR(t.qr_payload, module_dots=7 if paper.mm == 80 else 5))
    ops.append(Feed(1))
    ops += paragraph(f"取号时间：{t.issued_at:%Y-%m-%d %H:%M}", paper)
    ops += paragraph(t.note, paper)
    for line in t.english_lines:
        ops += paragraph(line, paper)
    ops.append(Cut())
    return ops
