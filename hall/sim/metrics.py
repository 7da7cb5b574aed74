"""The routing benchmark's metrics (BENCHMARK.md), computed from simulated days.

Conventions:
- A ticket's wait is from issue (check-in) to its first call, in minutes; every called
  ticket counts, absentees included (they waited too).
- Whole-run figures (p50/p90/p95, per-queue and per-class, estimate errors) pool every
  ticket of every day. Figures "± h" are a 95 % confidence interval over days:
  h = 1.96·sd/√n of the daily values; for the pooled p95, 1.96·sd of the p95 over
  bootstrap resamples of whole days (days are the independent units); for Jain's index,
  of the daily indexes (an approximation of the pooled figure's uncertainty).
- Utilisation: minutes a window spent serving (or waiting for an absentee) over the
  opening day (issue start to close), or to the last finish when that is later.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from hall.sim.simulate import DayResult, Scenario

CLASSES = ("normal", "appointment", "green")
APPOINTMENT = CLASSES.index("appointment")


def ci(values: Sequence[float] | np.ndarray) -> tuple[float, float]:
    """(mean, half-width of the 95 % confidence interval): mean ± 1.96·sd/√n."""
    a = np.asarray(values, dtype=float)
    a = a[~np.isnan(a)]
    if len(a) == 0:
        return math.nan, math.nan
    if len(a) == 1:
        return float(a[0]), math.nan
    return float(a.mean()), float(1.96 * a.std(ddof=1) / math.sqrt(len(a)))


def percentile(values: Sequence[float] | np.ndarray, p: float) -> float:
    """The p-th percentile (0–100), linear interpolation between order statistics."""
    a = np.asarray(values, dtype=float)
    if len(a) == 0:
        return math.nan
    return float(np.percentile(a, p))


def jain(values: Sequence[float] | np.ndarray) -> float:
    """Jain's fairness index (Σx)² / (n·Σx²): 1 when all equal, 1/n when one takes all.
    All zero counts as perfectly fair."""
    a = np.asarray(values, dtype=float)
    if len(a) == 0:
        return math.nan
    sq = float((a * a).sum())
    if sq == 0:
        return 1.0
    return float(a.sum() ** 2 / (len(a) * sq))


def _errors(pred: np.ndarray, actual: np.ndarray) -> dict[str, float]:
    e = pred.astype(float) - actual.astype(float)
    if len(e) == 0:
        return {"mae": math.nan, "rmse": math.nan, "bias": math.nan}
    return {
        "mae": float(np.abs(e).mean()),
        "rmse": float(math.sqrt((e * e).mean())),
        "bias": float(e.mean()),
    }


def bootstrap_quantile_h(
    per_day: Sequence[np.ndarray], q: float, resamples: int = 200, seed: int = 0
) -> float:
    """Half-width (1.96·sd) of the pooled q-quantile (0–1) over bootstrap resamples of whole
    days. Each resample weighs every day by how often it was drawn, so the pooled values
    are sorted once and each resample costs one cumulative sum."""
    n = len(per_day)
    if n < 2:
        return math.nan
    values = np.concatenate(per_day)
    if len(values) == 0:
        return math.nan
    day_of = np.repeat(np.arange(n), [len(w) for w in per_day])
    order = np.argsort(values, kind="stable")
    values, day_of = values[order], day_of[order]
    rng = np.random.default_rng(seed)
    out = np.empty(resamples)
    for i in range(resamples):
        counts = np.bincount(rng.integers(0, n, n), minlength=n)
        cum = np.cumsum(counts[day_of])
        k = int(np.searchsorted(cum, q * cum[-1]))
        out[i] = values[min(k, len(values) - 1)]
    return float(1.96 * out.std(ddof=1))


def summarize(sc: Scenario, days: Sequence[DayResult]) -> dict[str, Any]:
    """Every metric of BENCHMARK.md for one (variant, day type) over its days."""
    nq = len(sc.queues)
    waits, queues, classes, hours = [], [], [], []
    est, low, high, base = [], [], [], []
    d_mean, d_max, d_w20, d_jain, d_ucv, d_over, d_moves = ([] for _ in range(7))
    util: list[np.ndarray] = []
    d_plan: list[float] = []
    for d in days:
        ok = ~np.isnan(d.called)
        w = (d.called - d.issued)[ok]
        q = d.queue[ok]
        waits.append(w)
        queues.append(q)
        classes.append(d.cls[ok])
        hours.append(np.floor(d.issued[ok] / 60.0).astype(np.int16))
        est.append(d.estimate[ok])
        low.append(d.est_low[ok])
        high.append(d.est_high[ok])
        base.append(d.baseline[ok])
        if len(w):
            d_mean.append(float(w.mean()))
            d_max.append(float(w.max()))
            d_w20.append(float((w <= 20).mean()))
            per_q = [float(w[q == i].mean()) for i in range(nq) if (q == i).any()]
            d_jain.append(jain(per_q))
        span = max(sc.close, d.end) - sc.issue_from
        u = d.busy / span
        util.append(u)
        d_ucv.append(float(u.std() / u.mean()) if u.mean() > 0 else 0.0)
        d_over.append(max(0.0, d.end - sc.close))
        d_moves.append(float(d.moves))
        d_plan.append(float(d.opening_moves))
    W = np.concatenate(waits) if waits else np.zeros(0)
    Q = np.concatenate(queues) if queues else np.zeros(0, np.int8)
    C = np.concatenate(classes) if classes else np.zeros(0, np.int8)
    H = np.concatenate(hours) if hours else np.zeros(0, np.int16)
    EST, LOW, HIGH, BASE = (np.concatenate(x) if x else np.zeros(0) for x in (est, low, high, base))

    def group(mask: np.ndarray) -> dict[str, float]:
        w = W[mask]
        n_days = max(len(days), 1)
        return {
            "mean": float(w.mean()) if len(w) else math.nan,
            "p95": percentile(w, 95),
            "per_day": len(w) / n_days,
        }

    per_queue = {q.id: group(np.equal(Q, i)) for i, q in enumerate(sc.queues)}
    per_class = {c: group(np.equal(C, i)) for i, c in enumerate(CLASSES)}
    qmeans = [v["mean"] for v in per_queue.values() if not math.isnan(v["mean"])]
    first_hour = int(sc.issue_from // 60)
    last_hour = math.ceil(sc.issue_until / 60)
    by_hour = {
        f"{h:02d}": float(W[np.equal(H, h)].mean()) if np.equal(H, h).any() else math.nan
        for h in range(first_hour, last_hour)
    }
    covered = float(((W >= LOW) & (W <= HIGH)).mean()) if len(W) else math.nan
    return {
        "days": len(days),
        "tickets_per_day": len(W) / max(len(days), 1),
        "mean": ci(d_mean),
        "p50": percentile(W, 50),
        "p90": percentile(W, 90),
        "p95": (percentile(W, 95), bootstrap_quantile_h(waits, 0.95)),
        "daily_max": ci(d_max),
        "within_20": (float((W <= 20).mean()) if len(W) else math.nan, ci(d_w20)[1]),
        "queues": per_queue,
        "classes": per_class,
        "jain": (jain(qmeans), ci(d_jain)[1]),
        "util_cv": ci(d_ucv),
        "overtime": ci(d_over),
        "moves": ci(d_moves)[0],  # per day after opening
        "opening_moves": ci(d_plan)[0],  # per day before opening (the plan)
        "estimate": {**_errors(EST, W), "coverage": covered},
        "baseline": _errors(BASE, W),
        # the printed estimate and the strong baseline on the same tickets, by kind: walk-ins
        # (normal and green channel) and appointments
        "by_kind": {
            kind: {"estimate": _errors(EST[m], W[m]), "baseline": _errors(BASE[m], W[m])}
            for kind, m in (
                ("walk_in", ~np.equal(C, APPOINTMENT)),
                ("appointment", np.equal(C, APPOINTMENT)),
            )
        },
        "by_hour": by_hour,
        "util_by_window": {
            n: float(x) for n, x in zip(sc.windows, np.mean(util, axis=0), strict=True)
        }
        if util
        else {},
    }


def mae_gain(by_kind: dict[str, dict[str, dict[str, float]]], kind: str) -> float:
    """How much smaller the printed estimate's MAE is than the baseline's on `kind`'s
    tickets (0.2 = 20 % below); NaN without tickets."""
    est, base = by_kind[kind]["estimate"]["mae"], by_kind[kind]["baseline"]["mae"]
    if math.isnan(est) or math.isnan(base) or base == 0:
        return math.nan
    return 1.0 - est / base


#: what a scenario's [targets] may bound: metric -> (label, its value in a summary)
TARGET_METRICS: dict[str, tuple[str, Callable[[dict[str, Any]], float]]] = {
    "mean": ("mean", lambda m: m["mean"][0]),
    "p95": ("p95", lambda m: m["p95"][0]),
    "daily_max": ("mean daily max", lambda m: m["daily_max"][0]),
    "jain": ("Jain", lambda m: m["jain"][0]),
    "moves": ("moves after opening", lambda m: m["moves"]),
    "walk_in_mae_gain": ("walk-in MAE below baseline", lambda m: mae_gain(m["by_kind"], "walk_in")),
    "appointment_mae_gain": (
        "appointment MAE below baseline",
        lambda m: mae_gain(m["by_kind"], "appointment"),
    ),
}


def check_target(m: dict[str, Any], metric: str, op: str, bound: float) -> tuple[float, bool]:
    """(the row's value, whether it meets `op bound`); NaN never meets."""
    value = TARGET_METRICS[metric][1](m)
    if math.isnan(value):
        return value, False
    return value, value <= bound if op == "<=" else value >= bound


def gap_capture(w_dedicated: float, w_pooled: float, w_policy: float) -> float:
    """(W_dedicated − W_policy) / (W_dedicated − W_pooled): 0 = no better than dedicated
    windows, 1 = as good as full pooling."""
    gap = w_dedicated - w_pooled
    if gap == 0 or math.isnan(gap):
        return math.nan
    return (w_dedicated - w_policy) / gap
