"""`hall bench web` runs end to end on a small scale and reports what it measured."""

from __future__ import annotations

import re
from pathlib import Path

from tests.clirun import hall


def test_bench_web_small(tmp_path: Path) -> None:
    run = hall("bench", "web", "--phones", "40", "--calls", "4", "--interval", "0.8",
               "--dir", str(tmp_path), timeout=180)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "SSE streams open at the gateway: 40" in run.stdout
    m = re.search(r"p99 +([\d.]+) ms .*\((\d+) phone updates, (\d+) missed\)", run.stdout)
    assert m is not None, run.stdout
    p99, updates, missed = float(m[1]), int(m[2]), int(m[3])
    assert updates >= 4 * 10 and missed == 0  # 20 phones per queue, most told at each call
    assert 0 < p99 < 800
    assert "gateway CPU" in run.stdout
    assert list(tmp_path.iterdir()) == []  # cleaned up
