"""The assessment rules added for issue 22, on the conftest's November day (window 1:
clerk 0101 served 3, rated 5 and 1; window 9: clerk 0901 served 1, rated 2).

With every clerk counted (undetermined_below_duty_share = 0) and no quantified CSV
(Q = 100): mean served 2, so
    0101: V = min(100, 150) = 100, S = 100 × (1 − 1/2) = 50 → 0.5×100 + 0.3×100 + 0.2×50 = 90
    0901: V = 50, S = 0 → 25 + 30 + 0 = 55 < 60 → 差
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hall.core.layout import Layout
from hall.reports.assess import ManagerInput, assess, read_manager_input
from hall.reports.data import load
from hall.reports.scheme import CONFIG, load_scheme
from hall.reports.stats import View


def row(view: View, key: Any) -> dict[str, Any]:
    r = next(r for r in view.rows if r[0] == key)
    return dict(zip(view.headers, r, strict=True))


def everyone_counted(name: str, tmp: Path) -> Path:
    """A shipped scheme with the 不确定 rule off (the test day has one day on duty)."""
    text = (CONFIG / f"assessment-{name}.toml").read_text("utf-8")
    p = tmp / f"{name}.toml"
    p.write_text(text.replace("undetermined_below_duty_share = 0.5", "undetermined_below_duty_share = 0"), "utf-8")  # fmt: skip
    return p


def test_poor_month_consequences_and_promotion_delay(
    hall_db: Path, layout: Layout, tmp_path: Path
) -> None:
    h = tmp_path / "h.csv"
    h.write_text("工号,月份,等次,月度得分\n0901,2026-09,一般,75\n0901,2026-10,一般,70\n", "utf-8")
    scheme = load_scheme(str(everyone_counted("district", tmp_path)))
    month, yr = assess(load(hall_db), layout.hours, scheme, 2026, 11, read_manager_input(None, h))
    a, b = row(month, "0101"), row(month, "0901")
    assert (a["月度得分"], b["月度得分"]) == (90.0, 55.0)
    assert (b["等次"], b["考核奖(元)"]) == ("差", 0.0)
    assert "通报批评" in b["后果与建议"] and "晋升延长半年" in b["后果与建议"]
    assert a["后果与建议"] == ""
    # 0901: 一般, 一般, 差 → 基本称职; 0.5 year for the 差 month + 1 year for 基本称职
    y = row(yr, "0901")
    assert (y["各月等次"], y["可评等次"], y["晋升延后(年)"]) == ("········一一差", "基本称职", 1.5)
    # 0101: one month only → no grade, no bonus
    y = row(yr, "0101")
    assert (y["可评等次"], y["考核奖(月)"], y["晋升延后(年)"]) == ("记录不足", None, 0.0)


def test_investigation_suspends_the_month(hall_db: Path, layout: Layout, tmp_path: Path) -> None:
    q = tmp_path / "q.csv"
    q.write_text("工号,量化得分,立案调查\n0101,100,\n0901,100,是\n", "utf-8")
    mi = read_manager_input(q, None)
    assert mi.investigated == {"0901"}
    scheme = load_scheme(str(everyone_counted("district", tmp_path)))
    month, yr = assess(load(hall_db), layout.hours, scheme, 2026, 11, mi)
    b = row(month, "0901")
    # 55 would be 差; suspended instead, no bonus paid until the grade is set
    assert (b["等次"], b["考核奖(元)"], b["后果与建议"]) == ("暂停", None, "待调查结果确定等次")
    assert row(yr, "0901")["各月等次"][-1] == "暂"


def test_last_place_two_months_running_suggests_a_new_post(
    hall_db: Path, layout: Layout, tmp_path: Path
) -> None:
    h = tmp_path / "h.csv"
    h.write_text("工号,月份,等次,月度得分\n0101,2026-10,一般,80\n0901,2026-10,一般,70\n"
                 "0101,2026-09,一般,60\n0901,2026-09,一般,75\n", "utf-8")  # fmt: skip
    scheme = load_scheme(str(everyone_counted("district-variant", tmp_path)))
    month, _ = assess(load(hall_db), layout.hours, scheme, 2026, 11, read_manager_input(None, h))
    # 0901 last in October (70 < 80) and November (55 < 90): two months running
    assert "连续2个月考核末位，建议换岗任用" in row(month, "0901")["后果与建议"]
    assert row(month, "0101")["后果与建议"] == ""  # last in September only
    # the district scheme ([J]) has no such rule
    district = load_scheme(str(everyone_counted("district", tmp_path)))
    month, _ = assess(load(hall_db), layout.hours, district, 2026, 11, read_manager_input(None, h))
    assert "换岗" not in row(month, "0901")["后果与建议"]


def test_town_tests_and_service_star(hall_db: Path, layout: Layout, tmp_path: Path) -> None:
    q = tmp_path / "q.csv"
    q.write_text("工号,量化得分,考勤,考试次数,文明服务之星\n0101,90,,2,是\n0901,,5,1,\n", "utf-8")
    mi = read_manager_input(q, None)
    # 考试次数 is a count, not a deduction: 0901's Q is 100 − 5
    assert mi.quantified == {"0101": 90.0, "0901": 95.0} and mi.exams == {"0101": 2, "0901": 1}
    [v] = assess(load(hall_db), layout.hours, load_scheme("town"), 2026, 11, mi)
    a, b = row(v, "0101"), row(v, "0901")
    assert (a["考试次数(≥2)"], a["文明服务之星"]) == (2, "★")
    assert (b["考试次数(≥2)"], b["文明服务之星"]) == ("1，不足", "")
    [v] = assess(load(hall_db), layout.hours, load_scheme("town"), 2026, 11, ManagerInput())
    assert row(v, "0101")["考试次数(≥2)"] == "未录入"
