"""`hall report` end to end on a sample morning's database (engine + store + printer)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from hall.cli import main
from hall.core.layout import default_layout_path, load_layout
from tests.sample_morning import scripted_morning


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    assert scripted_morning(load_layout(default_layout_path()), out, seed=7, n_tickets=40) == 0
    return out / "hall.db"


def test_report_stats_end_to_end(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["report", "--db", str(demo_db), "--out", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "== 按队列 ==" in text and "== 差评整改 ==" in text
    [xlsx] = tmp_path.glob("report-*.xlsx")
    assert "按工作人员" in load_workbook(xlsx).sheetnames
    assert len(list((tmp_path / "csv").glob("*.csv"))) == 11
    assert len(list((tmp_path / "charts").glob("*.png"))) == 3


@pytest.mark.parametrize("scheme", ["town", "district", "district-variant"])
def test_report_assess_end_to_end(demo_db: Path, tmp_path: Path, scheme: str) -> None:
    from hall.reports.data import load

    month = f"{load(demo_db).last_event:%Y-%m}"
    argv = ["report", "assess", "--db", str(demo_db), "--month", month, "--scheme", scheme,
            "--out", str(tmp_path)]  # fmt: skip
    assert main(argv) == 0
    wb = load_workbook(next(tmp_path.glob("assessment-*.xlsx")))
    assert len(wb.sheetnames) == (1 if scheme == "town" else 2)


def test_report_as_a_process_with_a_bad_db(tmp_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "hall", "report", "--db", str(tmp_path / "none.db")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert r.returncode == 2
    assert "no such database" in r.stderr and "Traceback" not in r.stderr


def test_report_refuses_bad_arguments(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--db", str(demo_db), "--month", "2026-13"]) == 2
    assert "--month" in capsys.readouterr().err
    assert main(["report", "assess", "--db", str(demo_db), "--scheme", "nope"]) == 2
    assert "shipped schemes" in capsys.readouterr().err
