"""Write views: a terminal table, one CSV per view, one Excel workbook (a sheet per view)."""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from hall.reports.stats import View


def _cell(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.1f}"
    return str(v)


def display_width(s: str) -> int:
    """Columns a string takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, width: int, right: bool) -> str:
    fill = " " * (width - display_width(s))
    return fill + s if right else s + fill


def terminal_table(view: View, max_rows: int = 60) -> str:
    """A plain aligned table with the view's title; numbers right-aligned."""
    rows = [[_cell(v) for v in r] for r in view.rows[:max_rows]]
    widths = [display_width(h) for h in view.headers]
    for r in rows:
        widths = [max(w, display_width(c)) for w, c in zip(widths, r, strict=True)]
    numeric = [all(isinstance(r[i], int | float) or r[i] is None for r in view.rows) and view.rows
               for i in range(len(view.headers))]  # fmt: skip
    lines = [f"== {view.title} =="]
    lines.append(
        "  ".join(
            _pad(h, w, bool(n)) for h, w, n in zip(view.headers, widths, numeric, strict=True)
        )
    )
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        lines.append(
            "  ".join(_pad(c, w, bool(n)) for c, w, n in zip(r, widths, numeric, strict=True))
        )
    if not view.rows:
        lines.append("(无数据)")
    if len(view.rows) > max_rows:
        lines.append(f"… 另有 {len(view.rows) - max_rows} 行，见 CSV/Excel")
    if view.note:
        lines.append(f"注：{view.note}")
    return "\n".join(lines)


def write_csv(views: Sequence[View], folder: Path) -> list[Path]:
    """One UTF-8 (with BOM, so Excel reads Chinese) CSV per view: ``<key>.csv``."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for v in views:
        p = folder / f"{v.key}.csv"
        with p.open("w", newline="", encoding="utf-8-sig") as f:
            w = csv.writer(f)
            w.writerow(v.headers)
            w.writerows([["" if c is None else c for c in r] for r in v.rows])
        out.append(p)
    return out


_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MINUTE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")


def excel_value(v: Any, percent: bool) -> tuple[Any, str | None]:
    """A view's value as an Excel cell value and its number format: ISO dates become real
    dates, percentages (a "(%)" column or row) fractions shown as 0.0 %."""
    if isinstance(v, datetime):
        return v, "yyyy-mm-dd hh:mm"
    if isinstance(v, date):
        return v, "yyyy-mm-dd"
    if isinstance(v, str) and _DAY.match(v):
        return date.fromisoformat(v), "yyyy-mm-dd"
    if isinstance(v, str) and _MINUTE.match(v):
        return datetime.fromisoformat(v), "yyyy-mm-dd hh:mm"
    if percent and isinstance(v, int | float) and not isinstance(v, bool):
        return v / 100, "0.0%"
    return v, None


def write_workbook(
    views: Sequence[View], path: Path, title: str = "", images: Sequence[Path] = ()
) -> Path:
    """An .xlsx with one sheet per view (sheet named by the view's Chinese title): bold
    frozen headers, real dates, percentages formatted, widths to fit; `images` (PNG
    charts) embedded on a sheet 图表, one under the other."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    wb.remove(wb.active)
    head_font = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    for v in views:
        ws = wb.create_sheet(v.title[:31])
        start = 1
        if title:
            ws.cell(1, 1, f"{title} · {v.title}").font = Font(bold=True, size=12)
            start = 3
        for j, h in enumerate(v.headers, 1):
            c = ws.cell(start, j, h)
            c.font, c.fill = head_font, head_fill
            c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for i, r in enumerate(v.rows, start + 1):
            row_pct = bool(r) and isinstance(r[0], str) and "(%)" in r[0]
            for j, val in enumerate(r, 1):
                value, fmt = excel_value(val, "(%)" in v.headers[j - 1] or (row_pct and j > 1))
                c = ws.cell(i, j, value)
                if fmt:
                    c.number_format = fmt
        if v.note:
            ws.cell(start + len(v.rows) + 2, 1, f"注：{v.note}")
        for j, h in enumerate(v.headers, 1):
            width = max([display_width(h)] + [display_width(_cell(r[j - 1])) for r in v.rows])
            ws.column_dimensions[ws.cell(start, j).column_letter].width = min(60, max(width, 8) + 2)
        ws.freeze_panes = ws.cell(start + 1, 2 if len(v.headers) > 4 else 1)
    if images:
        _embed(wb.create_sheet("图表"), images, title)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _embed(ws: Any, images: Sequence[Path], title: str) -> None:
    """The PNG charts one under the other, each scaled to about 720 px wide."""
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Font

    ws.cell(1, 1, f"{title} · 图表" if title else "图表").font = Font(bold=True, size=12)
    row = 3
    for p in images:
        img = Image(str(p))
        scale = min(1.0, 720 / img.width)
        img.width, img.height = int(img.width * scale), int(img.height * scale)
        ws.cell(row, 1, p.stem)
        ws.add_image(img, f"A{row + 1}")
        row += int(img.height / 20) + 4  # default rows are 20 px high
