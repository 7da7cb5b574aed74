"""The assessment rules of the reform documents, each pinned with small hand-made months."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from hall.reports import rules as R
from hall.reports.scheme import SCHEMES, load_scheme

G, A, P, U = R.Grade.GOOD, R.Grade.AVERAGE, R.Grade.POOR, R.Grade.UNDETERMINED


def _rules(name: str) -> R.AnnualRules:
    rules = load_scheme(name).annual_rules()
    assert rules is not None
    return rules


DISTRICT = _rules("district")
VARIANT = _rules("district-variant")


def year(**months: R.Grade) -> dict[int, R.Grade]:
    """year(m3=P, m4=P) → {3: 差, 4: 差}; the other months are 一般."""
    out = dict.fromkeys(range(1, 13), A)
    out.update({int(k[1:]): g for k, g in months.items()})
    return out


# ---------------------------------------------------------------- quota


@pytest.mark.parametrize(
    ("n", "share", "rounding", "expected"),
    [
        (10, "0.30", "floor", 3),  # exact: 0.3 × 10 is 3, not 2.9999…
        (9, "0.30", "floor", 2),  # 2.7 → at most 2
        (3, "0.30", "floor", 0),  # 0.9 → nobody: "at most 30 %" taken literally
        (7, "0.20", "floor", 1),
        (5, "0.30", "round", 2),  # 1.5 half up
        (5, "0.20", "round", 1),
        (9, "0.30", "ceil", 3),
    ],
)
def test_quota_rounding(n: int, share: str, rounding: str, expected: int) -> None:
    assert R.quota(n, Fraction(share), rounding) == expected


def cands(*scores: float) -> list[R.Candidate]:
    return [R.Candidate(f"c{i}", (s,)) for i, s in enumerate(scores)]


def grades(gs: dict[str, R.Graded]) -> list[str]:
    return [gs[k].grade.value for k in sorted(gs)]


def test_monthly_good_goes_to_the_best_ranked_within_quota() -> None:
    gs = R.monthly_grades(cands(70, 95, 88, 91, 60, 85, 80, 75, 90, 65), Fraction("0.30"))
    assert [k for k, g in sorted(gs.items()) if g.grade is G] == ["c1", "c3", "c8"]
    assert sum(g.grade is A for g in gs.values()) == 7


def test_monthly_tie_across_the_quota_line_gives_none_of_them_good() -> None:
    # 7 clerks, 30 % → 2 places; c1 first, c2 and c3 tie for the second place
    gs = R.monthly_grades(cands(70, 95, 90, 90, 60, 65, 80), Fraction("0.30"))
    assert grades(gs) == ["一般", "好", "一般", "一般", "一般", "一般", "一般"]
    assert "并列" in gs["c2"].reason and "并列" in gs["c3"].reason


def test_monthly_tie_inside_the_quota_all_good() -> None:
    gs = R.monthly_grades(cands(90, 95, 90, 50, 60, 65, 80, 1, 2, 3), Fraction("0.30"))
    assert {k for k, g in gs.items() if g.grade is G} == {"c0", "c1", "c2"}


def test_monthly_tie_broken_by_the_next_key() -> None:
    cs = [R.Candidate("a", (90.0, 80.0)), R.Candidate("b", (90.0, 100.0)),
          R.Candidate("c", (50.0, 100.0))]  # fmt: skip
    gs = R.monthly_grades(cs, Fraction("0.34"))  # 1 place
    assert gs["b"].grade is G and gs["a"].grade is A


def test_undetermined_and_poor_count_in_the_quota_base_but_are_not_ranked() -> None:
    cs = [*cands(99, 90, 80, 70, 60, 50, 40, 30),
          R.Candidate("u1", (100.0,), undetermined=True),
          R.Candidate("p1", (100.0,), poor=True)]  # fmt: skip
    gs = R.monthly_grades(cs, Fraction("0.30"))  # N = 10 → 3
    assert gs["u1"].grade is U and gs["p1"].grade is P
    assert {k for k, g in gs.items() if g.grade is G} == {"c0", "c1", "c2"}


def test_a_clerk_under_investigation_is_suspended_not_graded() -> None:
    # [J] 第十八条(一) “…被立案调查尚未结案的，暂停月度考核，待结果出来后确定考核等次”
    cs = [*cands(90, 80, 70), R.Candidate("s1", (100.0,), suspended=True, poor=True)]
    gs = R.monthly_grades(cs, Fraction("0.30"))  # N = 4 → 1 place, and s1 is not ranked
    assert gs["s1"].grade is R.Grade.SUSPENDED and "立案调查" in gs["s1"].reason
    assert grades(gs) == ["好", "一般", "一般", "暂停"]
    # a suspended month counts as neither 好 nor 差, and breaks no 差 streak by itself
    assert annual(year(m3=P, m4=R.Grade.SUSPENDED, m5=P)) == "基本称职"


def test_quota_total_from_config_overrides_the_clerks_present() -> None:
    gs = R.monthly_grades(cands(90, 80, 70), Fraction("0.30"), quota_total=40)  # 12 places
    assert grades(gs) == ["好", "好", "好"]


def test_bonus_multipliers() -> None:
    s = load_scheme("district").monthly
    assert s is not None
    got = {g.value: R.bonus(g, s.bonus_base, s.multipliers) for g in R.Grade}
    # 暂停 (added with issue 22): nothing paid while the investigation runs
    assert got == {"好": 600.0, "一般": 300.0, "差": 0.0, "不确定": 240.0, "暂停": 0.0}


# ---------------------------------------------------------------- annual (district)


def annual(months: dict[int, R.Grade], rules: R.AnnualRules = DISTRICT, full: bool = True) -> str:
    return R.annual_grade(months, rules, full).grade


def test_poor_streak_across_months_is_incompetent_even_with_only_two_poor() -> None:
    a = R.annual_grade(year(m1=G, m2=G, m3=G, m4=G, m6=P, m7=P), DISTRICT, True)
    assert a.grade == "不称职" and a.poor == 2 and "连续2" in a.reason


def test_poor_months_not_adjacent_are_basically_competent() -> None:
    assert annual(year(m3=P, m5=P)) == "基本称职"


def test_an_undetermined_month_breaks_a_poor_streak() -> None:
    assert annual(year(m3=P, m4=U, m5=P)) == "基本称职"


def test_december_and_january_are_different_years() -> None:
    # (this asserted annual({12: A}) == "基本称职": one month is too little, issue 22)
    assert annual({10: A, 11: A, 12: A}) == "基本称职"
    assert annual(year(m1=P, m12=P)) == "基本称职"
    assert R.poor_streak({11: P, 12: P}) == 2


def test_three_poor_in_a_year_is_incompetent() -> None:
    assert annual(year(m1=P, m5=P, m9=P)) == "不称职"


@pytest.mark.parametrize(
    ("months", "district", "variant"),
    [
        (year(m1=G, m2=G, m3=G, m4=G), "优秀", "优秀"),
        (year(m1=G, m2=G, m3=G), "良好", "称职"),
        (year(m1=G, m2=G), "称职", "称职"),
        (year(m1=G), "基本称职", "基本称职"),
        (year(), "基本称职", "基本称职"),  # twelve 一般: literal reading (digest §4.3 item 3)
        (year(m1=G, m2=G, m3=G, m4=G, m5=G, m9=P), "基本称职", "基本称职"),
        (year(m1=G, m2=G, m3=G, m4=G, m5=U, m6=U), "优秀", "优秀"),  # 不确定 counts as neither
    ],
)
def test_annual_grade_ladder(months: dict[int, R.Grade], district: str, variant: str) -> None:
    assert annual(months, DISTRICT) == district
    assert annual(months, VARIANT) == variant


def test_clerk_who_joined_mid_year_is_not_excellent() -> None:
    months = {m: G for m in range(5, 13)}  # joined in May: eight 好
    assert not R.full_year_worked(date(2026, 5, 1), 2026)
    assert R.full_year_worked(date(2026, 1, 1), 2026) and R.full_year_worked(None, 2026)
    d = R.annual_grade(months, DISTRICT, full_year=False)
    assert d.grade == "良好" and "未满一年" in d.reason
    assert annual(months, VARIANT, full=False) == "称职"
    assert annual(months, DISTRICT, full=True) == "优秀"


def test_excellent_quota_ranks_and_gives_the_rest_the_next_grade() -> None:
    months = {f"c{i}": year(m1=G, m2=G, m3=G, m4=G) for i in range(6)}
    annuals = {k: R.annual_grade(m, DISTRICT, True) for k, m in months.items()}
    keys = {f"c{i}": (4.0, 90.0 - i) for i in range(6)}
    out = R.apply_excellent_quota(annuals, keys, DISTRICT, months, dict.fromkeys(months, True))
    assert [out[k].grade for k in sorted(out)] == ["优秀"] + ["良好"] * 5  # floor(0.2×6) = 1


def test_variant_has_no_excellent_quota() -> None:
    months = {f"c{i}": year(m1=G, m2=G, m3=G, m4=G) for i in range(3)}
    annuals = {k: R.annual_grade(m, VARIANT, True) for k, m in months.items()}
    out = R.apply_excellent_quota(annuals, {}, VARIANT, months, dict.fromkeys(months, True))
    assert {a.grade for a in out.values()} == {"优秀"}


def test_too_few_graded_months_give_no_annual_grade() -> None:
    # the district schemes ask for 3 months with a grade (a project choice)
    assert DISTRICT.min_months == 3 and VARIANT.min_months == 3
    one = R.annual_grade({11: A}, DISTRICT, True)
    assert one.grade == R.NOT_ENOUGH and "仅1个月" in one.reason
    assert annual({10: U, 11: A, 12: A}) == R.NOT_ENOUGH  # 不确定 is no record
    assert annual({10: G, 11: G, 12: A}) == "称职"
    # two adjacent 差 decide 不称职 however short the record
    assert annual({11: P, 12: P}) == "不称职"


def test_promotion_delay_of_poor_months_and_basic_competence() -> None:
    # [J] 附件2 第十三条 “对于月度考核确定为“差”的，延长半年晋升，年度考核确定为“基本称职”的，
    # 延长1年晋升”: two 差 months (0.5 each) and 基本称职 (1) → 2 years
    assert R.promotion_delay(2, "基本称职", DISTRICT, 0.5) == 2.0
    assert R.promotion_delay(0, "称职", DISTRICT, 0.5) == 0.0
    assert R.promotion_delay(1, "基本称职", VARIANT, 0.0) == 0.0  # [S] says nothing


def test_last_place_run_ends_this_month() -> None:
    # [S] 二(二)8(2) “连续考核末位…建议换岗任用”
    assert R.run_ending([(2026, 10), (2026, 11)], (2026, 11)) == 2
    assert R.run_ending([(2025, 12), (2026, 1)], (2026, 1)) == 2  # across the new year
    assert R.run_ending([(2026, 9), (2026, 11)], (2026, 11)) == 1
    assert R.run_ending([(2026, 10)], (2026, 11)) == 0


# ---------------------------------------------------------------- town score parts


def test_town_parts() -> None:
    assert R.volume_points(30, 20.0) == 100.0  # capped
    assert R.volume_points(10, 20.0) == 50.0
    assert R.volume_points(0, 0.0) == 100.0
    assert R.satisfaction_points({5: 3, 2: 1}) == 75.0
    assert R.satisfaction_points({}) == 100.0
    assert R.satisfaction_points({5: 1, 3: 1}, method="level_points") == 80.0
    w = {"volume": 0.5, "quantified": 0.3, "satisfaction": 0.2}
    assert R.weighted_score({"volume": 100, "quantified": 90, "satisfaction": 50}, w) == 87.0


def test_shipped_schemes_load() -> None:
    for s in SCHEMES:
        assert load_scheme(s).score.pass_mark == 80
    town = load_scheme("town")
    assert town.monthly is None and town.score.weights == {
        "volume": 0.5, "quantified": 0.3, "satisfaction": 0.2,
    }  # fmt: skip
