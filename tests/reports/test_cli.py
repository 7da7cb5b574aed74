"""`hall report` end to end on a sample morning's database (engine + store + printer)."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, time
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
    # issue 22: the cover, the 好差评 report (2 tables and the reasons) and, for a month,
    # the clerks' monthly grades and annual picture join the 11 tables (was == 11); the
    # rectification chart joins the 3 charts (was == 3)
    assert len(list((tmp_path / "csv").glob("*.csv"))) == 11 + 1 + 3 + 2
    assert len(list((tmp_path / "charts").glob("*.png"))) == 4


def test_report_files_are_named_by_their_range(demo_db: Path, tmp_path: Path) -> None:
    from hall.reports.data import load

    last = load(demo_db).last_event
    assert last is not None
    day = last.date()
    assert main(["report", "--db", str(demo_db), "--out", str(tmp_path / "a")]) == 0
    [xlsx] = (tmp_path / "a").glob("*.xlsx")
    assert xlsx.name == f"report-{day:%Y-%m}.xlsx"  # no range: the month of the last event
    wb = load_workbook(xlsx)
    assert wb.sheetnames[0] == "封面" and "图表" in wb.sheetnames
    assert {"好差评月报-按窗口", "好差评月报-按工作人员", "差评原因"} <= set(wb.sheetnames)
    assert f"{day:%Y-%m}月度等次" in wb.sheetnames  # the month's grades in the same workbook
    cover = {r[0].value: r[1].value for r in wb["封面"].iter_rows(min_row=4, max_col=2)}
    assert cover["有数据的日期"] == datetime.combine(day, time()) and cover["有数据的天数"] == 1
    assert main(["report", "--db", str(demo_db), "--day", day.isoformat(),
                 "--out", str(tmp_path / "b")]) == 0  # fmt: skip
    assert [p.name for p in (tmp_path / "b").glob("*.xlsx")] == [f"report-{day}.xlsx"]
    wb = load_workbook(tmp_path / "b" / f"report-{day}.xlsx")
    assert not any("月度等次" in n for n in wb.sheetnames)  # a day is no assessment month
    start = day.replace(day=1)
    assert main(["report", "--db", str(demo_db), "--from", start.isoformat(), "--to",
                 day.isoformat(), "--out", str(tmp_path / "c")]) == 0  # fmt: skip
    name = f"report-{start}.xlsx" if start == day else f"report-{start}_{day}.xlsx"
    assert [p.name for p in (tmp_path / "c").glob("*.xlsx")] == [name]


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
    assert main(["report", "--db", str(demo_db), "--to", "2026-12-01"]) == 2
    assert "--to needs --from" in capsys.readouterr().err
    assert main(["report", "assess", "--db", str(demo_db), "--scheme", "nope"]) == 2
    assert "shipped schemes" in capsys.readouterr().err
