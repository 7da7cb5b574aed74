"""PNG charts a hall manager pastes into a monthly report (matplotlib, CJK font)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hall.reports.stats import Stats

CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    if CJK_FONT.is_file():
        font_manager.fontManager.addfont(str(CJK_FONT))
        name = font_manager.FontProperties(fname=str(CJK_FONT)).get_name()
        plt.rcParams["font.family"] = [name, "sans-serif"]
    plt.rcParams["axes.unicode_minus"] = False
    return plt


def _opening_hours(stats: Stats) -> list[int]:
    """Every hour the hall is open (from the sessions), plus any hour with a ticket."""
    hs = {h for a, b in stats.layout.hours.sessions
          for h in range(a.hour, b.hour + (1 if b.minute else 0))}  # fmt: skip
    return sorted(hs | {t.issued_at.hour for t in stats.tickets})


def hour_rows(stats: Stats) -> list[list[Any]]:
    """`by_hour` rows for every opening hour (an hour without tickets as zeros)."""
    have = {int(r[0][:2]): r for r in stats.by_hour().rows}
    return [have.get(h, [f"{h:02d}:00-{h + 1:02d}:00", 0, 0, None, None, None, None])
            for h in _opening_hours(stats)]  # fmt: skip


def hour_notes(rows: list[list[Any]]) -> list[str]:
    """Why an hour has no wait point: 无取号 (no ticket) or 未叫号 (none called yet)."""
    return ["" if r[3] is not None else "未叫号" if r[1] else "无取号" for r in rows]


def window_ratings(stats: Stats) -> list[tuple[int, int, int]]:
    """(window, ratings, services finished) for every window of the layout and any rated."""
    wins = set(stats.layout.windows) | {r.window for r in stats.ratings if r.window is not None}
    return [(w, sum(r.window == w for r in stats.ratings), sum(s.window == w for s in stats.services))
            for w in sorted(wins)]  # fmt: skip


def write_charts(stats: Stats, folder: Path, hall_name: str = "") -> list[Path]:
    """arrivals_waits_by_hour.png, wait_by_queue.png, ratings_by_window.png,
    rectification_by_window.png."""
    plt = _pyplot()
    folder.mkdir(parents=True, exist_ok=True)
    sub = f"{hall_name}  {stats.period.label}".strip()
    out = []

    # 1. arrivals (bars) and mean/P90 wait (lines) by hour of issue
    hours = hour_rows(stats)
    fig, ax = plt.subplots(figsize=(9, 5), dpi=120)
    labels = [r[0][:5] for r in hours]
    xs = list(range(len(labels)))
    ax.bar(xs, [r[1] for r in hours], color="#5B9BD5", label="取号数")
    ax.set_xticks(xs, labels)
    ax.set_xlabel("取号时段")
    ax.set_ylabel("取号数（张）")
    ax2 = ax.twinx()
    # An hour whose tickets were not called yet has no wait: a gap, not a false zero.
    gap = float("nan")
    ax2.plot(xs, [gap if r[3] is None else r[3] for r in hours], "o-", color="#ED7D31",
             label="平均等候")  # fmt: skip
    ax2.plot(xs, [gap if r[5] is None else r[5] for r in hours], "s--", color="#A5A5A5",
             label="等候P90")  # fmt: skip
    ax2.set_ylabel("等候时间（分钟）")
    ax2.set_ylim(bottom=0)
    # An hour without a wait point says why: no ticket, or tickets not called yet.
    for x, note in enumerate(hour_notes(hours)):
        if note:
            ax.annotate(note, (x, 0), xytext=(0, 6),
                        textcoords="offset points", ha="center", fontsize=8, color="#7F7F7F",
                        rotation=90)  # fmt: skip
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="upper right")
    ax.set_title(f"各时段取号量与等候时间\n{sub}")
    fig.tight_layout()
    out.append(_save(fig, folder / "arrivals_waits_by_hour.png", plt))

    # 2. wait distribution per queue (box plot)
    qs = [q for q in stats.layout.queues if any(t.queue == q for t in stats.tickets)]
    qs += sorted({t.queue for t in stats.tickets} - set(qs))
    data = [[w for t in stats.tickets if t.queue == q and (w := t.wait_minutes) is not None]
            for q in qs]  # fmt: skip
    keep = [(q, d) for q, d in zip(qs, data, strict=True) if d]
    fig, ax = plt.subplots(figsize=(9, 5), dpi=120)
    if keep:
        box = ax.boxplot([d for _, d in keep], showmeans=True)
        ax.legend([box["medians"][0], box["means"][0]], ["中位数", "平均"], loc="upper left")
        ax.set_xticks(range(1, len(keep) + 1),
                      [f"{stats.queue_name(q)}\n({len(d)}人)" for q, d in keep])  # fmt: skip
    else:
        ax.text(0.5, 0.5, "本期无叫号数据", ha="center", va="center", transform=ax.transAxes)
    ax.set_ylabel("等候时间（分钟，取号至叫号）")
    ax.set_title(f"各队列等候时间分布\n{sub}")
    fig.tight_layout()
    out.append(_save(fig, folder / "wait_by_queue.png", plt))

    # 3. ratings per window, stacked by level
    from hall.core.model import RATING_LABELS, RatingLevel

    # every window of the layout: one that served and got no rating shows as such
    wins = sorted(
        set(stats.layout.windows) | {r.window for r in stats.ratings if r.window is not None}
    )
    served = {w: sum(s.window == w for s in stats.services) for w in wins}
    colors = {5: "#70AD47", 4: "#A9D18E", 3: "#FFD966", 2: "#F4B183", 1: "#C00000"}
    fig, ax = plt.subplots(figsize=(max(6.0, 0.6 * len(wins) + 3), 5), dpi=120)
    bottom = [0] * len(wins)
    for lv in RatingLevel:
        vals = [sum(r.window == w and r.level == lv for r in stats.ratings) for w in wins]
        ax.bar([f"{w}号" for w in wins], vals, bottom=bottom, color=colors[int(lv)],
               label=RATING_LABELS[lv])  # fmt: skip
        bottom = [a + b for a, b in zip(bottom, vals, strict=True)]
    for i, w in enumerate(wins):  # rated / served above each bar
        ax.annotate(f"{bottom[i]}/{served[w]}", (i, bottom[i]), xytext=(0, 3),
                    textcoords="offset points", ha="center", fontsize=7)  # fmt: skip
    if not stats.ratings:
        ax.text(0.5, 0.5, "本期无评价", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("窗口（柱上数字：评价数/办结数）")
    ax.set_ylabel("评价数")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title(f"各窗口好差评\n{sub}")
    fig.tight_layout()
    out.append(_save(fig, folder / "ratings_by_window.png", plt))
    out.append(_rectification_chart(stats, folder, sub, plt))
    return out


RECTIFY_PARTS = (
    ("按时整改", "#70AD47"),
    ("逾期后整改", "#FFC000"),
    ("逾期未整改", "#C00000"),
    ("未到期", "#BDD7EE"),
)


def rectification_parts(stats: Stats) -> dict[int, list[int]]:
    """Per window with bad ratings: [on time, rectified late, overdue unrectified, not due]."""
    out: dict[int, list[int]] = {}
    for s in stats.statuses():
        part = (0 if s.rectified_at is not None and not s.rectify_late
                else 1 if s.rectified_at is not None
                else 2 if s.due else 3)  # fmt: skip
        out.setdefault(s.case.window, [0, 0, 0, 0])[part] += 1
    return dict(sorted(out.items()))


def _rectification_chart(stats: Stats, folder: Path, sub: str, plt) -> Path:
    """Bad-rating cases per window by how their rectification stands (整改率 of those due)."""
    parts = rectification_parts(stats)
    wins = list(parts)
    fig, ax = plt.subplots(figsize=(max(6.0, 0.6 * len(wins) + 3), 5), dpi=120)
    bottom = [0] * len(wins)
    for k, (label, color) in enumerate(RECTIFY_PARTS):
        vals = [parts[w][k] for w in wins]
        ax.bar([f"{w}号" for w in wins], vals, bottom=bottom, color=color, label=label)
        bottom = [a + b for a, b in zip(bottom, vals, strict=True)]
    for i, w in enumerate(wins):
        due = sum(parts[w][:3])
        rate = f"{100 * sum(parts[w][:2]) / due:.0f}%" if due else "未到期"
        ax.annotate(rate, (i, bottom[i]), xytext=(0, 3), textcoords="offset points",
                    ha="center", fontsize=8)  # fmt: skip
    if not wins:
        ax.text(0.5, 0.5, "本期无差评", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("窗口（柱上：整改率 = 已整改 ÷ 已到期）")
    ax.set_ylabel("差评数")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title(f"各窗口差评整改情况（截至 {stats.as_of.isoformat()}）\n{sub}")
    fig.tight_layout()
    return _save(fig, folder / "rectification_by_window.png", plt)


def _save(fig, path: Path, plt) -> Path:
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return path
