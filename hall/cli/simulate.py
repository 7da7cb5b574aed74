"""`hall simulate`: the routing benchmark (BENCHMARK.md) — one table, optional JSON and charts."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

from hall.sim import simulate as sim
from hall.sim.metrics import CLASSES, TARGET_METRICS, check_target, gap_capture, summarize
from hall.sim.simulate import (
    VARIANTS,
    RunSpec,
    ScenarioError,
    load_scenario,
    standard_scenario_path,
)

CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scenario", default=str(standard_scenario_path()), help="scenario TOML")
    p.add_argument("--days", type=int, default=None, help="days per policy (default: scenario's)")
    p.add_argument("--seed", type=int, default=1, help="random seed (the same seed, the same days)")
    p.add_argument(
        "--policies",
        default="dedicated,pooled,default",
        help=f"comma-separated, from: {', '.join(VARIANTS)}",
    )
    p.add_argument("--day-type", default="normal,busy", help="comma-separated day types")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="edit the scenario for this run, e.g. arrivals.normalise=periods, "
        "day_types.busy=1.2, queues.G.walk_ins=320 (repeatable)",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of the table")
    p.add_argument("--plot", metavar="DIR", help="write PNG charts to DIR")
    p.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="worker processes")


def _f(x: float, nd: int = 2) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{nd}f}"


def _pm(v: tuple[float, float], nd: int = 2) -> str:
    return f"{_f(v[0], nd)}±{_f(v[1], nd)}"


# BENCHMARK.md prints its reference figures to these units (mean 2.69, p95 15.1, daily
# maximum 53): a printed 53 stands for anything in [52.5, 53.5).
REFERENCE_UNITS = (0.01, 0.1, 1.0)


def _within(ref: float, v: tuple[float, float], unit: float = 0.0) -> str:
    """Where the reference lies: "in" our interval v = (estimate, half-width); "rounded"
    when only the range its printed digits stand for (ref ± unit/2) meets it; else "out"."""
    est, half = v
    if abs(ref - est) <= half:
        return "in"
    if abs(ref - est) <= half + unit / 2:
        return "rounded"
    return "out"


def _moves(m: dict[str, Any]) -> str:
    """Advisor moves a day: "plan+after opening", or "0" without the advisor."""
    plan, day = m.get("opening_moves", 0.0), m["moves"]
    return f"{plan:.1f}+{day:.1f}" if plan or day else "0"


def _eb(m: dict[str, Any], kind: str) -> str:
    """ "estimate/baseline" MAE on one kind of ticket."""
    k = m["by_kind"][kind]
    return f"{_f(k['estimate']['mae'])}/{_f(k['baseline']['mae'])}"


REFERENCE_DAYS = 300  # BENCHMARK.md's figures are 300-day estimates


def agreement_z(ref: float, v: tuple[float, float], days: int, unit: float = 0.0) -> float:
    """How many standard errors of the difference separate two estimates of one figure: ours
    v = (estimate, 95 % half-width) over `days` days, and the reference's, taken to be as
    noisy as ours would be over its 300 days. The reference's rounding (± unit/2) is given
    to it. Below 1.96 the two agree as two runs of one model do 95 % of the time."""
    est, half = v
    if not half or math.isnan(half) or days <= 0:
        return math.nan
    se = half / 1.96
    se_ref = se * math.sqrt(days / REFERENCE_DAYS)
    return max(0.0, abs(est - ref) - unit / 2) / math.hypot(se, se_ref)


def target_lines(res: dict[str, dict[str, dict[str, Any]]], targets: Any) -> list[str]:
    """One line per target of the scenario whose row was run: the value, the bound and
    whether it is met."""
    out = []
    for dt, rows in targets.items():
        for variant, figs in rows.items():
            m = res.get(dt, {}).get(variant)
            if m is None:
                continue
            for metric, (op, bound) in figs.items():
                value, ok = check_target(m, metric, op, bound)
                label = TARGET_METRICS[metric][0]
                if metric.endswith("_gain"):
                    shown = f"{100 * value:.0f} % {'≥' if op == '>=' else '≤'} {100 * bound:.0f} %"
                else:
                    nd = 3 if metric == "jain" else 2
                    shown = f"{_f(value, nd)} {'≥' if op == '>=' else '≤'} {bound:g}"
                out.append(
                    f"  {dt:6} {variant:15} {label:31} {shown:>16}  {'met' if ok else 'NOT MET'}"
                )
    return out


def table(
    sc_name: str,
    res: dict[str, dict[str, dict[str, Any]]],
    refs: Any,
    days: int,
    targets: Any = None,
) -> str:
    """The readable table: one row per day type and policy."""
    pw = max([15, *(len(name) for rows in res.values() for name in rows)])  # policy column
    head = (
        f"{'day':6} {'policy':{pw}} {'mean':>11} {'p50':>5} {'p90':>5} {'p95':>10} "
        f"{'daily max':>11} {'≤20min':>6} {'Jain':>5} {'utilCV':>6} {'overtime':>8} "
        f"{'est MAE':>7} {'bias':>5} {'base MAE':>8} {'walk-in e/b':>11} {'appt e/b':>9} "
        f"{'cover':>5} {'gap':>5} {'moves':>9}"
    )
    lines = [f"hall simulate — {sc_name}, {days} days per row; waits in minutes, ±95 % CI", head]
    lines.append("-" * len(head))
    notes: list[str] = []
    for dt, rows in res.items():
        ded, poo = rows.get("dedicated"), rows.get("pooled")
        for name, m in rows.items():
            gap = (
                gap_capture(ded["mean"][0], poo["mean"][0], m["mean"][0])
                if ded is not None and poo is not None
                else math.nan
            )
            lines.append(
                f"{dt:6} {name:{pw}} {_pm(m['mean']):>11} {_f(m['p50'], 1):>5} "
                f"{_f(m['p90'], 1):>5} {_pm(m['p95'], 1):>10} {_pm(m['daily_max'], 1):>11} "
                f"{100 * m['within_20'][0]:>5.1f}% {_f(m['jain'][0], 3):>5} "
                f"{_f(m['util_cv'][0], 3):>6} {_f(m['overtime'][0], 1):>8} "
                f"{_f(m['estimate']['mae']):>7} {_f(m['estimate']['bias'], 1):>5} "
                f"{_f(m['baseline']['mae']):>8} {_eb(m, 'walk_in'):>11} {_eb(m, 'appointment'):>9} "
                f"{100 * m['estimate']['coverage']:>4.0f}% "
                f"{_f(gap):>5} {_moves(m):>9}"
            )
            ref = (refs.get(dt) or {}).get(name)
            label = name
            if ref:
                got = (m["mean"], m["p95"], m["daily_max"])
                fits = [_within(r, g, u) for r, g, u in zip(ref, got, REFERENCE_UNITS, strict=True)]
                names = ("mean", "p95", "daily max")
                out = [k for k, f in zip(names, fits, strict=True) if f == "out"]
                rounded = [k for k, f in zip(names, fits, strict=True) if f == "rounded"]
                if out:
                    mark = "✗ OUTSIDE CI: " + ", ".join(out)
                elif rounded:
                    mark = "✓ within CI, " + ", ".join(rounded) + " only as rounded"
                else:
                    mark = "✓ within CI"
                zs = " / ".join(
                    _f(agreement_z(r, g, m.get("days", days), u), 1)
                    for r, g, u in zip(ref, got, REFERENCE_UNITS, strict=True)
                )
                notes.append(
                    f"  reference {dt:6} {label:10} {ref[0]:.2f} / {ref[1]:.1f} / {ref[2]:g}"
                    f"  vs  {m['mean'][0]:.2f} / {m['p95'][0]:.1f} / {m['daily_max'][0]:.0f}"
                    f"  {mark}  (z {zs})"
                )
    lines.append("")
    lines.append("per queue (mean/p95) and per class (mean/p95):")
    for dt, rows in res.items():
        for name, m in rows.items():
            qs = "  ".join(
                f"{q} {_f(v['mean'], 1)}/{_f(v['p95'], 0)}" for q, v in m["queues"].items()
            )
            cs = "  ".join(
                f"{c[:5]} {_f(m['classes'][c]['mean'], 1)}/{_f(m['classes'][c]['p95'], 0)}"
                for c in CLASSES
            )
            lines.append(f"  {dt:6} {name:{pw}} {qs}   |  {cs}")
    if notes:
        lines.append("")
        lines.append("reference figures (BENCHMARK.md: mean / p95 / mean daily max):")
        lines.extend(notes)
        lines.append(
            '  ("only as rounded": outside our interval, but the reference\'s printed digits'
            " (0.01 / 0.1 / 1 min) stand for a range that meets it;"
        )
        lines.append(
            "   z: the difference in standard errors of two estimates, the reference's as noisy"
            " over its 300 days as ours; below 1.96 they agree as two runs of one model do)"
        )
    met = target_lines(res, targets or {})
    if met:
        lines.append("")
        lines.append("targets (the scenario's [targets]):")
        lines.extend(met)
    lines.append("")
    lines.append(
        "est MAE/bias: the engine's printed estimate vs the real wait; base MAE: the baseline "
        "(0 if a window of the queue is idle, else (waiting+1)/(windows×rate)) on the same"
    )
    lines.append(
        "tickets; walk-in e/b, appt e/b: estimate/baseline MAE on walk-ins (green channel "
        "included) and on appointments; cover: waits inside the printed range;"
    )
    lines.append(
        "gap: (W_dedicated − W) / (W_dedicated − W_pooled); utilCV: CV of window "
        "utilisation; overtime: minutes past closing; moves: window profile changes per day, "
    )
    lines.append("the advisor's plan before opening + its moves after opening.")
    return "\n".join(lines)


def plot(out_dir: Path, sc: Any, raw: dict[tuple[str, str], list[Any]], res: Any) -> list[Path]:
    """Three PNGs: wait distribution per policy, mean wait by hour, window utilisation."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib import font_manager

    if CJK_FONT.exists():
        font_manager.fontManager.addfont(str(CJK_FONT))
        name = font_manager.FontProperties(fname=str(CJK_FONT)).get_name()
        plt.rcParams["font.sans-serif"] = [name, "DejaVu Sans"]
        plt.rcParams["axes.unicode_minus"] = False
    out_dir.mkdir(parents=True, exist_ok=True)
    day_types = list(res)
    written = []

    fig, axes = plt.subplots(1, len(day_types), figsize=(6 * len(day_types), 4), squeeze=False)
    for ax, dt in zip(axes[0], day_types, strict=True):
        for name in res[dt]:
            w = np.concatenate([d.wait[~np.isnan(d.wait)] for d in raw[(dt, name)]])
            xs = np.sort(w)
            ax.plot(xs, 1 - np.arange(len(xs)) / len(xs), label=name)
        ax.set_yscale("log")
        ax.set_xlim(0, 80)
        ax.set_ylim(1e-4, 1)
        ax.set_title(f"等待时间分布 wait distribution — {dt}")
        ax.set_xlabel("等待（分钟） wait (min)")
        ax.set_ylabel("P(等待 > x)")
        ax.legend()
        ax.grid(alpha=0.3)
    fig.tight_layout()
    written.append(out_dir / "wait_distribution.png")
    fig.savefig(written[-1], dpi=110)
    plt.close(fig)

    fig, axes = plt.subplots(1, len(day_types), figsize=(6 * len(day_types), 4), squeeze=False)
    for ax, dt in zip(axes[0], day_types, strict=True):
        for name, m in res[dt].items():
            hs = list(m["by_hour"])
            ax.plot([int(h) for h in hs], [m["by_hour"][h] for h in hs], marker="o", label=name)
        ax.set_title(f"按取号时段的平均等待 mean wait by hour — {dt}")
        ax.set_xlabel("取号时段 hour of issue")
        ax.set_ylabel("平均等待（分钟） mean wait (min)")
        ax.legend()
        ax.grid(alpha=0.3)
    fig.tight_layout()
    written.append(out_dir / "waits_by_hour.png")
    fig.savefig(written[-1], dpi=110)
    plt.close(fig)

    fig, axes = plt.subplots(len(day_types), 1, figsize=(12, 3.5 * len(day_types)), squeeze=False)
    for ax, dt in zip(axes[:, 0], day_types, strict=True):
        names = list(res[dt])
        width = 0.8 / max(len(names), 1)
        for i, name in enumerate(names):
            u = res[dt][name]["util_by_window"]
            xs = np.arange(len(u)) + i * width
            ax.bar(xs, [100 * v for v in u.values()], width=width, label=name)
        ax.set_xticks(np.arange(len(sc.windows)) + 0.4 - width / 2)
        ax.set_xticklabels([str(n) for n in sc.windows], fontsize=8)
        ax.set_title(f"窗口利用率 window utilisation — {dt}")
        ax.set_xlabel("窗口 window")
        ax.set_ylabel("%")
        ax.set_ylim(0, 100)  # the legend sits above the bars (a busy hall's are near 80 %)
        ax.legend(ncol=len(names), loc="upper center", fontsize=8)
        ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    written.append(out_dir / "window_utilisation.png")
    fig.savefig(written[-1], dpi=110)
    plt.close(fig)
    return written


def _jsonable(x: Any) -> Any:
    if isinstance(x, float) and math.isnan(x):
        return None
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_jsonable(v) for v in x]
    return x


def run(args: argparse.Namespace) -> int:
    try:
        sc = load_scenario(args.scenario, args.set)
    except ScenarioError as e:
        print(f"hall simulate: {e}", file=sys.stderr)
        return 2
    variants = tuple(v.strip() for v in args.policies.split(",") if v.strip())
    for v in variants:
        if v not in VARIANTS:
            print(f"hall simulate: unknown policy {v!r}; known: {', '.join(VARIANTS)}",
                  file=sys.stderr)  # fmt: skip
            return 2
    day_types = tuple(d.strip() for d in args.day_type.split(",") if d.strip())
    for d in day_types:
        if d not in sc.day_types:
            print(f"hall simulate: unknown day type {d!r}; the scenario has: "
                  f"{', '.join(sc.day_types)}", file=sys.stderr)  # fmt: skip
            return 2
    days = args.days if args.days is not None else sc.days
    spec = RunSpec(args.scenario, variants, day_types, days, args.seed,
                   overrides=tuple(args.set))  # fmt: skip
    t0 = time.perf_counter()
    raw = sim.run(spec, jobs=max(1, args.jobs))
    elapsed = time.perf_counter() - t0
    res: dict[str, dict[str, dict[str, Any]]] = {
        dt: {v: summarize(sc, raw[(dt, v)]) for v in variants} for dt in day_types
    }
    if args.json:
        doc = {
            "scenario": sc.source, "set": list(args.set), "days": days, "seed": args.seed,
            "seconds": round(elapsed, 1), "results": res,
            "reference": sc.reference,
        }  # fmt: skip
        print(json.dumps(_jsonable(doc), ensure_ascii=False, indent=1))
    else:
        name = sc.name_zh + (f" [--set {' '.join(args.set)}]" if args.set else "")
        print(table(name, res, sc.reference, days, sc.targets))
        n = days * len(variants) * len(day_types)
        print(f"\n{n} simulated days in {elapsed:.0f} s with {args.jobs} job(s), seed {args.seed}.")
    if args.plot:
        for p in plot(Path(args.plot), sc, raw, res):
            print(f"wrote {p}", file=sys.stderr)
    return 0
