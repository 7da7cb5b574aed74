"""The minimum record for an annual grade (`[annual] min_months`): a hall's choice, not a
rule of the five documents (docs/reform-rules.md §4.3 item 10). The shipped district
schemes say 3; a hall may say otherwise in its scheme, within 0–12."""

from __future__ import annotations

from pathlib import Path

import pytest

from hall.reports import rules as R
from hall.reports.data import ReportError
from hall.reports.scheme import CONFIG, load_scheme

G, A, P, U = R.Grade.GOOD, R.Grade.AVERAGE, R.Grade.POOR, R.Grade.UNDETERMINED


def scheme_with(tmp_path: Path, value: str, base: str = "district") -> Path:
    """The shipped scheme `base` with `min_months = value`, as a hall would edit it."""
    text = (CONFIG / f"assessment-{base}.toml").read_text("utf-8")
    assert text.count("\nmin_months = 3\n") == 1
    path = tmp_path / f"assessment-{base}-{value}.toml"
    path.write_text(text.replace("\nmin_months = 3\n", f"\nmin_months = {value}\n"), "utf-8")
    return path


def annual(name_or_path: str | Path) -> R.AnnualRules:
    rules = load_scheme(str(name_or_path)).annual_rules()
    assert rules is not None
    return rules


@pytest.mark.parametrize("base", ["district", "district-variant"])
def test_the_shipped_schemes_say_three_and_mark_it_a_hall_choice(base: str) -> None:
    assert annual(base).min_months == 3
    text = (CONFIG / f"assessment-{base}.toml").read_text("utf-8")
    assert "A HALL CHOICE, NOT IN THE DOCUMENTS" in text


def test_the_hall_sets_the_minimum_in_its_scheme(tmp_path: Path) -> None:
    # a clerk who joined in October: 好 in October and November, 一般 in December
    months = {10: G, 11: G, 12: A}
    two = {11: G, 12: G}
    shipped = annual("district")
    assert R.annual_grade(months, shipped, full_year=False).grade == "称职"  # 好 ≥ 2, no 差
    short = R.annual_grade(two, shipped, full_year=False)
    assert (short.grade, short.reason) == (R.NOT_ENOUGH, "仅2个月有等次，至少需3个月，暂不评定")

    one = annual(scheme_with(tmp_path, "1"))
    assert R.annual_grade(two, one, full_year=False).grade == "称职"
    assert R.annual_grade({12: A}, one, full_year=False).grade == "基本称职"
    none = annual(scheme_with(tmp_path, "0"))
    assert R.annual_grade({}, none, full_year=False).grade == "基本称职"  # the literal reading
    six = annual(scheme_with(tmp_path, "6"))
    assert R.annual_grade(months, six, full_year=False).grade == R.NOT_ENOUGH
    # 不确定 months are no record; two adjacent 差 decide 不称职 however short the record
    assert R.annual_grade({7: U, 8: U, 9: U, 10: G, 11: G}, six, True).grade == R.NOT_ENOUGH
    assert R.annual_grade({11: P, 12: P}, six, full_year=False).grade == "不称职"


@pytest.mark.parametrize("value", ["-1", "13", '"three"', "2.5"])
def test_a_minimum_outside_a_year_is_refused(tmp_path: Path, value: str) -> None:
    path = scheme_with(tmp_path, value)
    with pytest.raises(ReportError) as e:
        load_scheme(str(path))
    assert str(path) in str(e.value) and "annual.min_months" in str(e.value)
