"""Figures from a real database (see conftest.py for the hand-computable day)."""

from __future__ import annotations

import csv
import sqlite3
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from hall.core.layout import Layout
from hall.reports.assess import ManagerInput, assess, read_manager_input
from hall.reports.charts import write_charts
from hall.reports.data import ReportError, fold, load
from hall.reports.followup import case_status
from hall.reports.output import terminal_table, write_csv, write_workbook
from hall.reports.scheme import load_scheme
from hall.reports.stats import Period, Stats, View, percentile

NOV = Period(date(2026, 11, 1), date(2026, 11, 30))


def stats(db: Path, layout: Layout, as_of: date = date(2026, 12, 3)) -> Stats:
    return Stats(load(db), layout, NOV, as_of)


def row(view: View, key: Any) -> dict[str, Any]:
    r = next(r for r in view.rows if r[0] == key)
    return dict(zip(view.headers, r, strict=True))


def test_percentile_is_nearest_rank() -> None:
    assert percentile([6, 1, 19], 50) == 6
    assert percentile([10, 18], 50) == 10
    assert percentile([10, 18], 90) == 18
    assert percentile([], 50) is None


def test_overview(hall_db: Path, layout: Layout) -> None:
    ov = {r[0]: r[1] for r in stats(hall_db, layout).overview().rows}
    assert ov["取号数"] == 5 and ov["已叫号"] == 5 and ov["办结数"] == 4
    assert ov["过号(未到)"] == 1 and ov["转移"] == 1 and ov["挂起(暂离)"] == 0
    assert ov["平均等候(分)"] == 10.8  # (10 + 18 + 6 + 19 + 1) / 5
    assert ov["平均办理(分)"] == 9.8  # (10 + 15 + 8 + 6) / 4 = 9.75
    assert ov["评价数"] == 3 and ov["评价率(%)"] == 75.0
    assert ov["满意率(%)"] == 33.3 and ov["差评数"] == 2
    # 整改率 of the cases due (issue 22; this asserted 50.0, rectified ÷ all cases): on
    # 3 Dec B001 is rectified, A002 is complex and due only on 15 Dec, so 1 of 1
    assert ov["差评整改率(%)"] == 100.0 and ov["逾期差评"] == 0


def test_per_queue(hall_db: Path, layout: Layout) -> None:
    v = stats(hall_db, layout).by_queue()
    g, m = row(v, "G"), row(v, "M")
    assert (g["取号"], g["过号"], g["转移"]) == (2, 0, 0)
    assert [g[f"等候{h}(分)"] for h in ("均值", "中位数", "P90", "最大")] == [14.0, 10, 18, 18]
    # G served A001, A002 and the transferred B003: 10, 8, 6 minutes
    assert [g[f"办理{h}(分)"] for h in ("均值", "中位数", "P90", "最大")] == [8.0, 8, 10, 10]
    assert (g["评价数"], g["评价率(%)"], g["满意率(%)"], g["差评"]) == (2, 66.7, 50.0, 1)
    assert (m["取号"], m["过号"], m["转移"]) == (3, 1, 1)
    assert [m[f"等候{h}(分)"] for h in ("均值", "中位数", "P90", "最大")] == [8.7, 6, 19, 19]
    assert (m["办结"], m["办理均值(分)"], m["满意率(%)"]) == (1, 15.0, 0.0)


def test_per_window_and_clerk(hall_db: Path, layout: Layout) -> None:
    s = stats(hall_db, layout)
    w1, w9 = row(s.by_window(), 1), row(s.by_window(), 9)
    assert (w1["首次叫号"], w1["等候均值(分)"], w1["办结"], w1["办理均值(分)"]) == (2, 14.0, 3, 8.0)
    assert (w9["首次叫号"], w9["等候最大(分)"], w9["办结"], w9["评价数"]) == (3, 19, 1, 1)
    c = row(s.by_clerk(), "0101")
    assert (c["姓名"], c["办结"], c["评价数"], c["差评"]) == ("张三", 3, 2, 1)
    assert row(s.by_clerk(), "0901")["姓名"] == "李四"


def test_per_hour_floor_item_and_levels(hall_db: Path, layout: Layout) -> None:
    s = stats(hall_db, layout)
    assert [r[:3] for r in s.by_hour().rows] == [["09:00-10:00", 4, 3], ["10:00-11:00", 1, 1]]
    fl = {r[0]: r[2:4] for r in s.by_floor().rows}
    assert fl == {"1F": [2, 3], "2F": [3, 1], "3F": [0, 0]}
    assert s.by_item().rows == [["(未选事项)", "", 5]]
    assert [r[2] for r in s.ratings_by_level().rows] == [1, 0, 0, 1, 1]


def test_follow_up_list_as_of(hall_db: Path, layout: Layout) -> None:
    v = stats(hall_db, layout, as_of=date(2026, 12, 3)).follow_ups()
    b, a = row(v, "FU-20261126-B001"), row(v, "FU-20261126-A002")
    assert (b["联系期限(1日)"], b["整改期限(4日)"], b["复杂期限(13日)"]) == (
        "2026-11-27", "2026-12-02", "2026-12-15",
    )  # fmt: skip
    assert (b["状态"], b["逾期"], b["联系"], b["整改"]) == ("已办结", "", "", "")
    assert "11-27 10:00 联系(manager-1) 电话" in b["处理记录"]
    assert (a["状态"], a["复杂"], a["联系"], a["整改"]) == ("已联系", "是", "迟", "")
    assert "认定复杂(manager-2)" in a["处理记录"]
    # Saturday 28 Nov: A002 not contacted by its due day → overdue
    early = row(stats(hall_db, layout, as_of=date(2026, 11, 28)).follow_ups(), "FU-20261126-A002")
    assert (early["状态"], early["逾期"]) == ("逾期", "是")
    # 16 Dec: the complex deadline (15 Dec) passed without rectification
    late = stats(hall_db, layout, as_of=date(2026, 12, 16))
    assert row(late.follow_ups(), "FU-20261126-A002")["状态"] == "逾期"
    assert late.rectification().rows == [["2026-11", 2, 2, 1, 1, 1, 50.0, 50.0]]


def test_case_status_rules(hall_db: Path) -> None:
    c = load(hall_db).cases["FU-20261126-B001"]
    assert case_status(c, date(2026, 11, 26)).status == "open"
    assert case_status(c, date(2026, 11, 27)).status == "contacted"
    assert case_status(c, date(2026, 11, 30)).state == "rectified"
    s = case_status(c, date(2026, 12, 1))
    assert s.state == "closed" and not s.overdue and not s.rectify_late


def test_device_downtime_from_events(layout: Layout) -> None:
    t = datetime(2026, 11, 26, 10, 0)
    h = fold([
        ("device.offline", t, {"device": "kiosk-1"}),
        ("device.online", t.replace(minute=30), {"device": "kiosk-1"}),
        ("device.offline", t.replace(hour=16), {"device": "counter-9"}),
    ])  # fmt: skip
    v = Stats(h, layout, Period(t.date(), t.date()), t.date()).downtime()
    assert v.rows == [["counter-9", 1, 480.0, "是"], ["kiosk-1", 1, 30.0, ""]]
    assert "没有设备" in Stats(fold([]), layout, NOV, date(2026, 11, 30)).downtime().note


def test_database_is_opened_read_only(hall_db: Path, tmp_path: Path) -> None:
    before = hall_db.stat().st_mtime_ns
    load(hall_db)
    assert hall_db.stat().st_mtime_ns == before
    with pytest.raises(ReportError, match="no such database"):
        load(tmp_path / "missing.db")
    sqlite3.connect(tmp_path / "other.db").execute("CREATE TABLE x (y)").connection.commit()
    with pytest.raises(ReportError, match="not a readable hall database"):
        load(tmp_path / "other.db")


def test_outputs(hall_db: Path, layout: Layout, tmp_path: Path) -> None:
    s = stats(hall_db, layout)
    views = s.all_views()
    files = write_csv(views, tmp_path / "csv")
    assert len(files) == len(views) == 11
    with (tmp_path / "csv" / "queues.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert rows[0]["队列"] == "G" and rows[0]["取号"] == "2"
    xlsx = write_workbook(views, tmp_path / "r.xlsx", "江北区政务服务中心")
    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["概况", "按队列", "按事项", "按时段", "按楼层", "按窗口", "按工作人员",
                             "评价等级", "差评整改", "差评整改率", "设备离线"]  # fmt: skip
    ws = wb["按队列"]
    assert ws.cell(3, 1).value == "队列" and ws.cell(4, 4).value == 2
    assert ws.column_dimensions["B"].width >= 8
    pngs = write_charts(s, tmp_path / "charts", layout.name)
    # (issue 22 added the rectification chart to the three)
    assert [p.name for p in pngs] == [
        "arrivals_waits_by_hour.png", "wait_by_queue.png", "ratings_by_window.png",
        "rectification_by_window.png",
    ]  # fmt: skip
    for p in pngs:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 10_000
    table = terminal_table(s.by_queue())
    assert table.splitlines()[0] == "== 按队列 ==" and "市场监管" in table


def test_town_assessment_from_the_database(hall_db: Path, layout: Layout, tmp_path: Path) -> None:
    q = tmp_path / "q.csv"
    q.write_text("工号,姓名,量化得分,考勤,纪律\n0101,张三,90,,\n0901,李四,,5,10\n", "utf-8")
    mi = read_manager_input(q, None)
    assert mi.quantified == {"0101": 90.0, "0901": 85.0}
    [v] = assess(load(hall_db), layout.hours, load_scheme("town"), 2026, 11, mi)
    a, b = row(v, "0101"), row(v, "0901")
    # mean served (3 + 1) / 2 = 2: V 100 and 50; S 100×(1−1/2) = 50 and 0
    assert (a["业务量分"], a["量化分"], a["满意度分"], a["月度得分"]) == (100.0, 90.0, 50.0, 87.0)
    assert (b["业务量分"], b["量化分"], b["满意度分"], b["月度得分"]) == (50.0, 85.0, 0.0, 50.5)
    assert (a["结论(≥80)"], b["结论(≥80)"]) == ("及格", "不及格")


def test_district_assessment_with_history(hall_db: Path, layout: Layout, tmp_path: Path) -> None:
    h = tmp_path / "h.csv"
    lines = ["工号,月份,等次,月度得分,入职日期"]
    lines += [f"0101,2026-{m:02d},好,95," for m in (1, 2, 3, 4)]
    lines += ["0901,2026-06,差,50,2026-03-01", "0901,2026-07,差,55,"]
    h.write_text("\n".join(lines) + "\n", "utf-8")
    views = assess(load(hall_db), layout.hours, load_scheme("district"), 2026, 11,
                   read_manager_input(None, h))  # fmt: skip
    month, yr = views
    # one day on duty out of 21 working days: 不确定, ×0.8 of 300
    assert row(month, "0101")["等次"] == "不确定" and row(month, "0101")["考核奖(元)"] == 240.0
    a, b = row(yr, "0101"), row(yr, "0901")
    assert a["各月等次"] == "好好好好······不"
    # 优秀-eligible, but floor(0.2 × 2 clerks) = 0 places → the next grade, 良好
    assert (a["好"], a["可评等次"], a["考核奖(月)"]) == (4, "良好", 1.5)
    assert "名额0人" in a["依据"]
    assert (b["差"], b["可评等次"], b["入职日期"]) == (2, "不称职", "2026-03-01")
    empty = assess(load(hall_db), layout.hours, load_scheme("district"), 2026, 11, ManagerInput())
    assert len(empty) == 2


def test_chart_data_every_window_every_hour_and_rectification(
    hall_db: Path, layout: Layout
) -> None:
    from hall.reports.charts import hour_notes, hour_rows, rectification_parts, window_ratings

    s = stats(hall_db, layout)
    wr = {w: (n, served) for w, n, served in window_ratings(s)}
    assert set(wr) == set(layout.windows)  # every window, rated or not
    assert (wr[1], wr[9], wr[2]) == ((2, 3), (1, 1), (0, 0))
    rows = hour_rows(s)  # Jiangbei opens 09:00–17:00: eight hours, tickets in two
    assert [r[0][:5] for r in rows] == [f"{h:02d}:00" for h in range(9, 17)]
    assert hour_notes(rows) == ["", ""] + ["无取号"] * 6
    assert hour_notes([["14:00-15:00", 3, 0, None, None, None, None]]) == ["未叫号"]
    # [on time, rectified late, overdue unrectified, not yet due] per window
    assert rectification_parts(s) == {1: [0, 0, 0, 1], 9: [1, 0, 0, 0]}  # 3 Dec
    late = stats(hall_db, layout, as_of=date(2026, 12, 16))
    assert rectification_parts(late) == {1: [0, 0, 1, 0], 9: [1, 0, 0, 0]}


def test_workbook_dates_percentages_and_images(
    hall_db: Path, layout: Layout, tmp_path: Path
) -> None:
    s = stats(hall_db, layout)
    pngs = write_charts(s, tmp_path / "charts", layout.name)
    xlsx = write_workbook([s.overview(), s.follow_ups(), s.rating_report("window")],
                          tmp_path / "r.xlsx", "江北", images=pngs)  # fmt: skip
    wb = load_workbook(xlsx)
    ov = {ws_row[0].value: ws_row[1] for ws_row in wb["概况"].iter_rows(min_row=4)}
    assert ov["评价率(%)"].value == 0.75 and ov["评价率(%)"].number_format == "0.0%"
    assert ov["取号数"].number_format == "General"
    fu = wb["差评整改"]
    heads = [c.value for c in fu[3]]
    due = fu.cell(4, heads.index("联系期限(1日)") + 1)
    assert (
        due.is_date
        and due.value == datetime(2026, 11, 26 + 1)
        and due.number_format == "yyyy-mm-dd"
    )
    opened = fu.cell(4, heads.index("差评时间") + 1)
    assert opened.is_date and opened.value.hour == 9
    assert wb["好差评月报-按窗口"].freeze_panes == "B4"
    assert len(wb["图表"]._images) == 4
