"""`hall bench kiosk` as a user runs it: a real hub process, the reader on a pty, the emulator."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.clirun import hall

LINE = re.compile(r"^\s*(.+?)\s+p50\s+([0-9.]+)\s+p99\s+([0-9.]+)\s+max\s+([0-9.]+) ms$")


@pytest.mark.skipif(shutil.which("socat") is None, reason="needs socat")
def test_bench_kiosk_prints_the_whole_and_its_parts(tmp_path: Path) -> None:
    run = hall("bench", "kiosk", "--tickets", "12", "--dir", str(tmp_path), timeout=120)
    assert run.returncode == 0, run.stderr
    assert "12 tickets" in run.stdout and "12 cut at the emulator" in run.stdout
    figures = {}
    for line in run.stdout.splitlines():
        m = LINE.match(line)
        if m:
            figures[m.group(1)] = [float(x) for x in m.groups()[1:]]
    assert list(figures) == ["tap -> ticket", "read (find/select/read)", "hub round trip",
                             "render (layout+ESC/POS)", "print (to GS r answer)"]  # fmt: skip
    whole = figures.pop("tap -> ticket")
    # The parts add up to the whole (p50s: within rounding of the slowest part's spread).
    assert sum(p[0] for p in figures.values()) <= whole[2] + 1
    # 115200 baud: the 1,295-byte read reply alone takes over 100 ms on the wire.
    assert figures["read (find/select/read)"][0] >= 100
    assert "target p99 <= 300 ms:" in run.stdout
    assert not list(tmp_path.iterdir())  # nothing left behind without --keep
