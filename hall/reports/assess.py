"""A month's clerk assessment from the database plus the manager's CSV files.

Reads: services finished and ratings given per clerk in the month, the days each
clerk signed in; the manager's quantified scores (``--quantified``); earlier
months' grades (``--grades-history``). The rules themselves are in `rules`.

CSV formats (UTF-8, header row; Chinese or English column names):
- quantified: ``工号|staff_no`` and either ``量化得分|score`` or deduction columns
  (any other numeric column, e.g. 考勤,纪律,服务规范,仪容仪表,考试: score = 100 − Σ);
  optional ``姓名|name``, ``入职日期|joined`` (YYYY-MM-DD), ``立案调查|investigation``
  (是: under investigation, the month's assessment is suspended), ``考试次数|exams``
  (tests taken this month) and ``文明服务之星|star`` (是).
- grades history: ``工号|staff_no``, ``月份|month`` (YYYY-MM), ``等次|grade``
  (好/一般/差/不确定/暂停); optional ``月度得分|score`` and ``入职日期|joined``.
"""

from __future__ import annotations

import calendar
import csv
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

from hall.core.layout import Hours
from hall.reports import rules as R
from hall.reports.data import HallData, ReportError
from hall.reports.scheme import Scheme
from hall.reports.stats import View

_ALIASES = {
    "工号": "staff_no", "姓名": "name", "量化得分": "score", "月度得分": "score",
    "入职日期": "joined", "月份": "month", "等次": "grade", "立案调查": "investigation",
    "考试次数": "exams", "文明服务之星": "star",
}  # fmt: skip
_TEXT = {"staff_no", "name", "joined", "month", "grade", "score", "investigation", "exams", "star"}
_YES = {"是", "yes", "y", "1", "true", "√"}


def _read_csv(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        raise ReportError(f"{path}: cannot read ({e.strerror})") from e
    out = []
    for r in rows:
        out.append(
            {_ALIASES.get(k.strip(), k.strip()): (v or "").strip() for k, v in r.items() if k}
        )
    if rows and "staff_no" not in out[0]:
        raise ReportError(f"{path}: needs a 工号 (staff_no) column")
    return out


def _date(path: Path, s: str) -> date | None:
    if not s:
        return None
    try:
        return date.fromisoformat(s)
    except ValueError as e:
        raise ReportError(f"{path}: 入职日期 {s!r} is not a date like 2026-03-01") from e


@dataclass
class ManagerInput:
    """What the manager fills in: quantified scores, earlier grades, join dates."""

    quantified: dict[str, float] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    joined: dict[str, date] = field(default_factory=dict)
    history: dict[str, dict[tuple[int, int], tuple[R.Grade, float | None]]] = field(
        default_factory=dict
    )
    investigated: set[str] = field(default_factory=set)  # 立案调查尚未结案 this month
    exams: dict[str, int] = field(default_factory=dict)  # tests taken this month
    stars: set[str] = field(default_factory=set)  # 文明服务之星 this month


def read_manager_input(quantified: Path | None, history: Path | None) -> ManagerInput:
    m = ManagerInput()
    for r in _read_csv(quantified) if quantified else []:
        no = r["staff_no"]
        try:
            if r.get("score"):
                m.quantified[no] = float(r["score"])
            else:
                m.quantified[no] = 100.0 - sum(
                    float(v) for k, v in r.items() if k not in _TEXT and v
                )
        except ValueError as e:
            raise ReportError(f"{quantified}: 工号 {no}: numbers expected ({e})") from e
        if r.get("name"):
            m.names[no] = r["name"]
        if j := _date(quantified, r.get("joined", "")):  # type: ignore[arg-type]
            m.joined[no] = j
        if r.get("investigation", "").lower() in _YES:
            m.investigated.add(no)
        if r.get("star", "").lower() in _YES:
            m.stars.add(no)
        if r.get("exams"):
            try:
                m.exams[no] = int(r["exams"])
            except ValueError as e:
                raise ReportError(f"{quantified}: 工号 {no}: 考试次数 is a whole number") from e
    for r in _read_csv(history) if history else []:
        no = r["staff_no"]
        try:
            y, mo = (int(x) for x in r["month"].split("-"))
            g = R.Grade(r["grade"])
            score = float(r["score"]) if r.get("score") else None
        except (KeyError, ValueError) as e:
            raise ReportError(
                f"{history}: 工号 {no}: need 月份 YYYY-MM and 等次 好/一般/差/不确定/暂停"
            ) from e
        m.history.setdefault(no, {})[(y, mo)] = (g, score)
        if j := _date(history, r.get("joined", "")):  # type: ignore[arg-type]
            m.joined[no] = j
    return m


def working_days(hours: Hours, year: int, month: int) -> int:
    last = calendar.monthrange(year, month)[1]
    return sum(hours.is_working_day(date(year, month, d)) for d in range(1, last + 1))


@dataclass
class ClerkMonth:
    staff_no: str
    name: str
    duty_days: int
    served: int
    levels: dict[int, int]
    volume: float = 0.0
    quantified: float = 0.0
    quantified_given: bool = True
    satisfaction: float = 0.0
    score: float = 0.0


def assess(
    data: HallData, hours: Hours, scheme: Scheme, year: int, month: int, mi: ManagerInput
) -> list[View]:
    """The month's assessment views (and the year-to-date annual grades, if the scheme has them)."""
    in_month = lambda d: (d.year, d.month) == (year, month)  # noqa: E731
    staff = {s.clerk for s in data.services if s.clerk and in_month(s.finished_at)}
    staff |= {no for no, days in data.duty_days.items() if any(in_month(d) for d in days)}
    staff |= set(mi.quantified)
    sc = scheme.score
    clerks = []
    for no in sorted(staff):
        levels: dict[int, int] = {}
        for r in data.ratings:
            if r.clerk == no and in_month(r.at):
                levels[r.level] = levels.get(r.level, 0) + 1
        clerks.append(ClerkMonth(
            no, mi.names.get(no) or data.clerk_names.get(no, ""),
            sum(in_month(d) for d in data.duty_days.get(no, ())),
            sum(s.clerk == no and in_month(s.finished_at) for s in data.services), levels,
        ))  # fmt: skip
    mean = sum(c.served for c in clerks) / len(clerks) if clerks else 0.0
    pts = {int(k): v for k, v in sc.level_points.items()}
    for c in clerks:
        c.volume = R.volume_points(c.served, mean, sc.volume_cap)
        c.quantified_given = c.staff_no in mi.quantified
        c.quantified = mi.quantified.get(c.staff_no, sc.quantified_missing)
        c.satisfaction = R.satisfaction_points(
            c.levels, method=sc.satisfaction, level_points=pts, no_ratings=sc.no_ratings_points
        )
        parts = {"volume": c.volume, "quantified": c.quantified, "satisfaction": c.satisfaction}
        c.score = R.weighted_score(parts, sc.weights)
    label = f"{year}-{month:02d}"
    heads = ["工号", "姓名", "在岗天数", "办结", "评价数", "差评", "业务量分", "量化分",
             "满意度分", "月度得分"]  # fmt: skip
    base = [[c.staff_no, c.name, c.duty_days, c.served, sum(c.levels.values()),
             c.levels.get(1, 0) + c.levels.get(2, 0), round(c.volume, 1),
             round(c.quantified, 1), round(c.satisfaction, 1), c.score] for c in clerks]  # fmt: skip
    missing = [c.staff_no for c in clerks if not c.quantified_given]
    note = (f"{scheme.name}（{scheme.source}）；得分 = "
            + " + ".join(f"{w:g}×{k}" for k, w in sc.weights.items())
            + (f"；量化分缺失按 {sc.quantified_missing:g} 计：{'、'.join(missing)}" if missing else ""))  # fmt: skip
    if scheme.monthly is None:
        rows = [[*b, "及格" if c.score >= sc.pass_mark else "不及格"]
                for b, c in zip(base, clerks, strict=True)]  # fmt: skip
        town_heads = []
        if sc.exams_per_month:
            town_heads.append(f"考试次数(≥{sc.exams_per_month})")
            for out, c in zip(rows, clerks, strict=True):
                n = mi.exams.get(c.staff_no)
                out.append(
                    "未录入" if n is None else n if n >= sc.exams_per_month else f"{n}，不足"
                )
            note += f"；考试：每月不少于{sc.exams_per_month}次（[T] 三(四)6）"
        if sc.service_star:
            town_heads.append("文明服务之星")
            for out, c in zip(rows, clerks, strict=True):
                out.append("★" if c.staff_no in mi.stars else "")
        return [View("assess_month", f"{label}月度考核",
                     [*heads, f"结论(≥{sc.pass_mark:g})", *town_heads], rows, note)]  # fmt: skip
    mc = scheme.monthly
    wd = working_days(hours, year, month)
    cands = [R.Candidate(c.staff_no, (c.score, c.satisfaction, float(c.served)),
                         undetermined=c.duty_days < mc.undetermined_below_duty_share * wd,
                         poor=c.score < mc.poor_below,
                         suspended=c.staff_no in mi.investigated) for c in clerks]  # fmt: skip
    graded = R.monthly_grades(cands, Fraction(mc.good_share), rounding=mc.quota_rounding,
                              quota_total=mc.quota_total or None)  # fmt: skip
    rows = []
    streaks = _last_place_streaks(clerks, graded, mi, year, month)
    for b, c in zip(base, clerks, strict=True):
        g = graded[c.staff_no]
        pay = (R.bonus(g.grade, mc.bonus_base, mc.multipliers)
               if mc.bonus_base and g.grade is not R.Grade.SUSPENDED else None)  # fmt: skip
        after = (mc.poor_consequence if g.grade is R.Grade.POOR
                 else "待调查结果确定等次" if g.grade is R.Grade.SUSPENDED else "")  # fmt: skip
        if mc.last_place_months and streaks.get(c.staff_no, 0) >= mc.last_place_months:
            after = "；".join(
                x for x in (after, f"连续{streaks[c.staff_no]}个月考核末位，建议换岗任用") if x
            )
        rows.append([*b, g.grade.value, g.reason, pay, after])
    note += f"；本月工作日 {wd} 天；好等次比例 ≤ {mc.good_share}"
    views = [View("assess_month", f"{label}月度等次",
                  [*heads, "等次", "说明", "考核奖(元)", "后果与建议"], rows, note)]  # fmt: skip
    rules = scheme.annual_rules()
    if rules is not None and scheme.annual is not None:
        views.append(_annual(clerks, graded, mi, rules, scheme.annual.quota_total, year, month,
                             mc.poor_promotion_delay))  # fmt: skip
    return views


def _last_place_streaks(
    clerks: list[ClerkMonth], graded: dict[str, R.Graded], mi: ManagerInput, year: int, month: int
) -> dict[str, int]:
    """Each clerk's run of adjacent months last in the ranking, up to this month: this
    month's lowest score among the graded (好/一般/差), earlier months' from the history's
    scores (months with at least two scored clerks). Ties are all last."""
    lasts: dict[str, list[tuple[int, int]]] = {}
    scored: dict[tuple[int, int], dict[str, float]] = {}
    for no, hist in mi.history.items():
        for ym, (_, score) in hist.items():
            if score is not None and ym < (year, month):
                scored.setdefault(ym, {})[no] = score
    scored[(year, month)] = {c.staff_no: c.score for c in clerks
                             if graded[c.staff_no].grade in (R.Grade.GOOD, R.Grade.AVERAGE, R.Grade.POOR)}  # fmt: skip
    for ym, scores in scored.items():
        if len(scores) >= 2:
            low = min(scores.values())
            for no, sc in scores.items():
                if sc == low:
                    lasts.setdefault(no, []).append(ym)
    # only a run that reaches this month matters ("连续…末位" now)
    return {no: R.run_ending(ms, (year, month)) for no, ms in lasts.items()}


def _annual(
    clerks: list[ClerkMonth],
    graded: dict[str, R.Graded],
    mi: ManagerInput,
    rules: R.AnnualRules,
    quota_total: int,
    year: int,
    month: int,
    poor_delay: float = 0.0,
) -> View:
    months: dict[str, dict[int, R.Grade]] = {}
    scores: dict[str, list[float]] = {}
    staff = {c.staff_no for c in clerks} | set(mi.history)
    this = {c.staff_no: c.score for c in clerks}
    for no in staff:
        hist = {m: gs for (y, m), gs in mi.history.get(no, {}).items() if y == year and m <= month}
        months[no] = {m: g for m, (g, _) in hist.items()}
        scores[no] = [s for m, (_, s) in hist.items() if s is not None and m != month]
        if no in graded:
            months[no][month] = graded[no].grade
            scores[no].append(this[no])
    full = {no: R.full_year_worked(mi.joined.get(no), year) for no in staff}
    annuals = {no: R.annual_grade(months[no], rules, full[no]) for no in staff}
    keys = {no: (float(annuals[no].good), sum(scores[no]) / len(scores[no]) if scores[no] else 0.0)
            for no in staff}  # fmt: skip
    annuals = R.apply_excellent_quota(annuals, keys, rules, months, full, quota_total or None)
    bonus = {g.name: g.bonus_months for g in rules.grades}
    names = {c.staff_no: c.name for c in clerks} | mi.names
    rows: list[list[Any]] = []
    for no in sorted(staff):
        a = annuals[no]
        seq = "".join(months[no].get(m, R.Grade.UNDETERMINED).value[0] if m in months[no] else "·"
                      for m in range(1, month + 1))  # fmt: skip
        rows.append([no, names.get(no, ""), seq, a.good, a.poor,
                     mi.joined[no].isoformat() if no in mi.joined else "", a.grade,
                     bonus.get(a.grade) if a.grade != R.NOT_ENOUGH else None, a.reason,
                     R.promotion_delay(a.poor, a.grade, rules, poor_delay)])  # fmt: skip
    delays = "".join(f"，{g.name}另加{g.promotion_delay:g}年" for g in rules.grades
                     if g.promotion_delay)  # fmt: skip
    return View("assess_year", f"{year}年度等次(截至{month}月)",
                ["工号", "姓名", "各月等次", "好", "差", "入职日期", "可评等次", "考核奖(月)", "依据",
                 "晋升延后(年)"],
                rows, note="可评等次为规则允许的最高等次，主任可下调不可上调；"
                "各月等次：好/一(一般)/差/不(不确定)/暂(暂停)，· 为无记录；"
                f"少于{rules.min_months}个月有等次的不评（记录不足）；晋升延后：每个差月"
                f"{poor_delay:g}年{delays}（[J] 附件2 第十三条）")  # fmt: skip
