"""Clerk assessment rules of the reform documents, as pure functions (no I/O).

Town scheme [T 三(四)7]: monthly score = weighted volume, quantified and satisfaction
points; base 100, pass mark 80. District scheme [J 附件2 第十八条] and its variant
[S 二(二)8]: monthly grade 好/一般/差 with a quota on 好, annual grade from the
year's monthly grades. See docs/reform-rules.md §4–5 for the readings chosen.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction


class Grade(enum.StrEnum):
    """A month's grade."""

    GOOD = "好"
    AVERAGE = "一般"
    POOR = "差"
    UNDETERMINED = "不确定"
    # [J] 第十八条(一) “若因涉嫌违法违纪违规被立案调查尚未结案的，暂停月度考核，待结果出来后
    # 确定考核等次”; [S] 二(二)8(1) “因涉嫌违法违纪被立案调查尚未结案的，暂停月度考核，根据调查
    # 处理结果确定考核等次”. Counts as neither 好 nor 差 until the manager enters the grade.
    SUSPENDED = "暂停"


# ---------------------------------------------------------------- monthly score


def volume_points(served: int, mean_served: float, cap: float = 100.0) -> float:
    """V = min(cap, 100 × own ÷ mean); 100 when nobody served anything."""
    if mean_served <= 0:
        return cap
    return min(cap, 100.0 * served / mean_served)


def satisfaction_points(
    levels: Mapping[int, int],
    *,
    method: str = "share_not_bad",
    level_points: Mapping[int, float] | None = None,
    no_ratings: float = 100.0,
) -> float:
    """S from a clerk's rating counts per level (5 … 1).

    ``share_not_bad``: 100 × (1 − bad ÷ rated), bad = levels 1–2.
    ``level_points``: mean of the points of each rating's level."""
    rated = sum(levels.values())
    if rated == 0:
        return no_ratings
    if method == "share_not_bad":
        bad = levels.get(1, 0) + levels.get(2, 0)
        return 100.0 * (1 - bad / rated)
    if method == "level_points":
        pts = level_points or {5: 100, 4: 80, 3: 60, 2: 40, 1: 20}
        return sum(pts[lv] * n for lv, n in levels.items()) / rated
    raise ValueError(f"unknown satisfaction method {method!r}")


def weighted_score(parts: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """Σ weight × part points, rounded to 0.01 (weights 0.5/0.3/0.2 give at most 100)."""
    return round(sum(weights[k] * parts[k] for k in weights), 2)


# ---------------------------------------------------------------- monthly grades


def quota(n: int, share: Fraction, rounding: str = "floor") -> int:
    """How many may get the capped grade: floor(share × n) by default ("at most")."""
    x = share * n
    if rounding == "floor":
        return math.floor(x)
    if rounding == "ceil":
        return math.ceil(x)
    if rounding == "round":
        return math.floor(x + Fraction(1, 2))  # half up, not banker's
    raise ValueError(f"unknown quota rounding {rounding!r}")


@dataclass(frozen=True)
class Candidate:
    """A clerk in a month's ranking. `rank_key` is compared descending (score first)."""

    staff_no: str
    rank_key: tuple[float, ...]
    undetermined: bool = False  # on duty too little: 不确定等次
    poor: bool = False  # failed the month (below the poor line): 差
    suspended: bool = False  # under investigation (立案调查尚未结案): no grade this month


@dataclass(frozen=True)
class Graded:
    grade: Grade
    reason: str


def monthly_grades(
    candidates: Sequence[Candidate],
    share: Fraction,
    *,
    rounding: str = "floor",
    quota_total: int | None = None,
) -> dict[str, Graded]:
    """好 to the best-ranked at most quota(N) clerks (N = all clerks of the month unless
    `quota_total` is given); 差 and 不确定 as flagged; 一般 for the rest.

    Clerks tied on the whole rank key across the quota line all get 一般 (the quota is
    "at most", and the documents give no tie rule): the reason says so, for the manager."""
    n = quota_total if quota_total is not None else len(candidates)
    limit = quota(n, share, rounding)
    out: dict[str, Graded] = {}
    ranked = []
    for c in candidates:
        if c.suspended:
            out[c.staff_no] = Graded(
                Grade.SUSPENDED, "立案调查尚未结案，暂停月度考核，待结果确定等次"
            )
        elif c.undetermined:
            out[c.staff_no] = Graded(Grade.UNDETERMINED, "在岗不足，不确定等次")
        elif c.poor:
            out[c.staff_no] = Graded(Grade.POOR, "月度得分低于差等线")
        else:
            ranked.append(c)
    ranked.sort(key=lambda c: c.rank_key, reverse=True)
    for i, c in enumerate(ranked):
        tied = [d for d in ranked if d.rank_key == c.rank_key]
        first = ranked.index(tied[0])
        if first + len(tied) <= limit:
            out[c.staff_no] = Graded(Grade.GOOD, f"排名第{i + 1}，好等次名额{limit}人")
        elif first < limit:
            out[c.staff_no] = Graded(
                Grade.AVERAGE, f"与{len(tied) - 1}人并列，超出好等次名额{limit}人，待裁定"
            )
        else:
            out[c.staff_no] = Graded(Grade.AVERAGE, f"排名第{i + 1}，好等次名额{limit}人")
    return out


def bonus(grade: Grade, base: float, multipliers: Mapping[str, float]) -> float:
    """The month's bonus: base × the grade's multiplier (好 2, 一般 1, 差 0, 不确定 0.8)."""
    return round(base * multipliers.get(grade.value, 0.0), 2)


# ---------------------------------------------------------------- annual grade


@dataclass(frozen=True)
class AnnualGradeRule:
    """A grade reached with at least `min_good` 好 and at most `max_poor` 差."""

    name: str
    min_good: int
    max_poor: int
    bonus_months: float = 0.0
    full_year: bool = False  # only for a clerk who worked the whole year
    promotion_delay: float = 0.0  # years promotion is put off ([J] 第十三条: 基本称职 1)


@dataclass(frozen=True)
class AnnualRules:
    grades: tuple[AnnualGradeRule, ...]  # best first
    incompetent: str = "不称职"
    consecutive_poor: int = 2  # this many calendar-adjacent 差 months → incompetent
    poor_in_year: int = 3  # this many 差 months → incompetent
    excellent_share: Fraction | None = None  # quota of the first grade (None: none)
    # Fewer months with a grade (好/一般/差) than this: no annual grade, "记录不足" (a
    # project choice, NOT IN THE DOCUMENTS: one month of 一般 is no ground for 基本称职).
    min_months: int = 0


NOT_ENOUGH = "记录不足"


def poor_streak(months: Mapping[int, Grade]) -> int:
    """The longest run of 差 in calendar-adjacent months (1–12) of one year."""
    best = run = 0
    for m in range(1, 13):
        run = run + 1 if months.get(m) is Grade.POOR else 0
        best = max(best, run)
    return best


@dataclass(frozen=True)
class Annual:
    grade: str
    good: int
    poor: int
    reason: str


def annual_grade(months: Mapping[int, Grade], rules: AnnualRules, full_year: bool) -> Annual:
    """The highest annual grade the rules allow (the manager may lower it).

    不称职 is checked first: two adjacent 差 months also satisfy "差 ≤ 2"."""
    good = sum(g is Grade.GOOD for g in months.values())
    poor = sum(g is Grade.POOR for g in months.values())
    streak = poor_streak(months)
    if streak >= rules.consecutive_poor:
        return Annual(rules.incompetent, good, poor, f"连续{streak}个月为差")
    if poor >= rules.poor_in_year:
        return Annual(rules.incompetent, good, poor, f"一年内{poor}个月为差")
    graded = sum(g in (Grade.GOOD, Grade.AVERAGE, Grade.POOR) for g in months.values())
    if graded < rules.min_months:
        return Annual(NOT_ENOUGH, good, poor,
                      f"仅{graded}个月有等次，至少需{rules.min_months}个月，暂不评定")  # fmt: skip
    capped = ""
    for g in rules.grades:
        if good >= g.min_good and poor <= g.max_poor:
            if g.full_year and not full_year:
                capped = f"（当年工作未满一年，不评{g.name}）"
                continue
            return Annual(g.name, good, poor, f"好{good}次、差{poor}次{capped}")
    return Annual(rules.incompetent, good, poor, f"好{good}次、差{poor}次，不满足任何等次")


def next_grade(a: Annual, rules: AnnualRules, months: Mapping[int, Grade], full_year: bool) -> str:
    """The grade below `a.grade` the clerk also qualifies for (quota overflow)."""
    names = [g.name for g in rules.grades]
    below = rules.grades[names.index(a.grade) + 1 :]
    for g in below:
        if a.good >= g.min_good and a.poor <= g.max_poor and (full_year or not g.full_year):
            return g.name
    return rules.incompetent


def apply_excellent_quota(
    annuals: Mapping[str, Annual],
    rank_keys: Mapping[str, tuple[float, ...]],
    rules: AnnualRules,
    months: Mapping[str, Mapping[int, Grade]],
    full_year: Mapping[str, bool],
    quota_total: int | None = None,
) -> dict[str, Annual]:
    """Cap the first grade (优秀) at quota(N); the rest get the next grade they qualify for.
    Ties across the line all drop (as for the monthly quota)."""
    out = dict(annuals)
    if rules.excellent_share is None:
        return out
    top = rules.grades[0].name  # (记录不足 is never the top grade: it passes through)
    limit = quota(quota_total if quota_total is not None else len(annuals), rules.excellent_share)
    elig = sorted((s for s, a in annuals.items() if a.grade == top),
                  key=lambda s: rank_keys.get(s, ()), reverse=True)  # fmt: skip
    for i, s in enumerate(elig):
        tied = [t for t in elig if rank_keys.get(t, ()) == rank_keys.get(s, ())]
        if elig.index(tied[0]) + len(tied) <= limit:
            continue
        a = annuals[s]
        why = "并列超出" if elig.index(tied[0]) < limit else f"排名第{i + 1}，超出"
        out[s] = Annual(next_grade(a, rules, months[s], full_year[s]), a.good, a.poor,
                        f"{a.reason}；{why}{top}名额{limit}人")  # fmt: skip
    return out


def full_year_worked(joined: date | None, year: int) -> bool:
    """Worked the whole year: joined on or before 1 January (unknown: assumed yes)."""
    return joined is None or joined <= date(year, 1, 1)


# ---------------------------------------------------------------- consequences


def promotion_delay(poor_months: int, annual: str, rules: AnnualRules, per_poor: float) -> float:
    """Years a clerk's promotion is put off, [J] 附件2 第十三条: “对于月度考核确定为“差”的，
    延长半年晋升，年度考核确定为“基本称职”的，延长1年晋升。” Each 差 month adds `per_poor`
    (docs/reform-rules.md §4.3 item 9: per month, not once), plus the annual grade's own."""
    own = next((g.promotion_delay for g in rules.grades if g.name == annual), 0.0)
    return poor_months * per_poor + own


def run_ending(months: Sequence[tuple[int, int]], last: tuple[int, int]) -> int:
    """How many calendar-adjacent months (year, month) of `months` end at `last` (0 if
    `last` is not one of them): [S] 二(二)8(2) “连续考核末位” counts such a run."""
    have, n, (y, m) = set(months), 0, last
    while (y, m) in have:
        n += 1
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return n
