"""Assessment schemes from TOML (config/assessment-*.toml), validated with msgspec."""

from __future__ import annotations

import tomllib
from fractions import Fraction
from pathlib import Path
from typing import Annotated

import msgspec

from hall.core.shape import convert
from hall.core.shipped import config_dir
from hall.reports.data import ReportError
from hall.reports.rules import AnnualGradeRule, AnnualRules

CONFIG = config_dir()
SCHEMES = ("town", "district", "district-variant")


class ScoreConfig(msgspec.Struct, forbid_unknown_fields=True):
    weights: dict[str, float]  # volume / quantified / satisfaction
    pass_mark: float = 80.0
    base: float = 100.0
    volume_cap: float = 100.0
    satisfaction: str = "share_not_bad"  # or "level_points"
    level_points: dict[str, float] = msgspec.field(
        default_factory=lambda: {"5": 100, "4": 80, "3": 60, "2": 40, "1": 20}
    )
    no_ratings_points: float = 100.0
    quantified_missing: float = 100.0  # a clerk missing from the manager's CSV
    # [T] 三(四)6 “镇公共服务办政务服务组负责进行每月不少于两次的考试”: the tests the manager
    # enters (column 考试次数); fewer than this in a month is flagged. 0: not checked.
    exams_per_month: int = 0
    # [T] 三(四)5 “每月、季度、年终评选月度、季度、年度“文明服务之星”，作为年终评优的重要参考
    # 依据”: shown when the manager enters it (column 文明服务之星).
    service_star: bool = False


class MonthlyConfig(msgspec.Struct, forbid_unknown_fields=True):
    good_share: str  # "0.30", exact (a Fraction), so 30 % of 10 is 3, not 2.9999
    quota_rounding: str = "floor"
    quota_total: int = 0  # 0: the clerks assessed this month
    poor_below: float = 60.0
    undetermined_below_duty_share: float = 0.5
    bonus_base: float = 0.0
    multipliers: dict[str, float] = msgspec.field(default_factory=dict)
    poor_consequence: str = ""  # what a 差 month brings besides the bonus
    poor_promotion_delay: float = 0.0  # years of promotion put off per 差 month
    last_place_months: int = 0  # ranked last this many adjacent months → suggest a new post


class GradeConfig(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    min_good: int = 0
    max_poor: int = 0
    bonus_months: float = 0.0
    full_year: bool = False
    promotion_delay: float = 0.0


class AnnualConfig(msgspec.Struct, forbid_unknown_fields=True):
    grades: list[GradeConfig]
    incompetent: str = "不称职"
    consecutive_poor: int = 2
    poor_in_year: int = 3
    excellent_share: str = ""  # "" = no quota
    quota_total: int = 0
    # fewer graded months (好/一般/差) in the year: 记录不足, no annual grade. A hall's choice:
    # no sentence of the five documents sets a minimum period (docs/reform-rules.md §4.3,
    # ambiguity 10); 0 grades from any record. At most 12, the months of a year.
    min_months: Annotated[int, msgspec.Meta(ge=0, le=12)] = 0


class Scheme(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    source: str
    score: ScoreConfig
    monthly: MonthlyConfig | None = None  # None: score only (the town scheme)
    annual: AnnualConfig | None = None

    def annual_rules(self) -> AnnualRules | None:
        if self.annual is None:
            return None
        a = self.annual
        return AnnualRules(
            tuple(AnnualGradeRule(g.name, g.min_good, g.max_poor, g.bonus_months, g.full_year,
                                  g.promotion_delay) for g in a.grades),
            a.incompetent, a.consecutive_poor, a.poor_in_year,
            Fraction(a.excellent_share) if a.excellent_share else None, a.min_months,
        )  # fmt: skip


def load_scheme(name_or_path: str) -> Scheme:
    """A shipped scheme by name (town, district, district-variant) or a TOML file."""
    p = (
        CONFIG / f"assessment-{name_or_path}.toml"
        if name_or_path in SCHEMES
        else Path(name_or_path)
    )
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
        s = convert(data, Scheme)
        if s.monthly is not None:
            Fraction(s.monthly.good_share)
        if s.annual is not None and s.annual.excellent_share:
            Fraction(s.annual.excellent_share)
    except OSError as e:
        raise ReportError(f"{p}: cannot read the scheme ({e.strerror}); "
                          f"shipped schemes: {', '.join(SCHEMES)}") from e  # fmt: skip
    except (tomllib.TOMLDecodeError, ValueError) as e:  # ShapeError is a ValueError
        raise ReportError(f"{p}: not a valid assessment scheme: {e}") from e
    if set(s.score.weights) - {"volume", "quantified", "satisfaction"}:
        raise ReportError(f"{p}: score.weights: keys volume, quantified, satisfaction")
    return s
