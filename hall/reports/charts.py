"""PNG charts a hall manager pastes into a monthly report (matplotlib, CJK font)."""

from __future__ import annotations

from pathlib import Path

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


def write_charts(stats: Stats, folder: Path, hall_name: str = "") -> list[Path]:
    """arrivals_waits_by_hour.png, wait_by_queue.png, ratings_by_window.png."""
    plt = _pyplot()
    folder.mkdir(parents=True, exist_ok=True)
    sub = f"{hall_name}  {stats.period.label}".strip()
    out = []

    # 1. arrivals (bars) and mean/P90 wait (lines) by hour of issue
    hours = stats.by_hour().rows
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

    wins = sorted({r.window for r in stats.ratings if r.window is not None})
    colors = {5: "#70AD47", 4: "#A9D18E", 3: "#FFD966", 2: "#F4B183", 1: "#C00000"}
    fig, ax = plt.subplots(figsize=(max(6.0, 0.6 * len(wins) + 3), 5), dpi=120)
    bottom = [0] * len(wins)
    for lv in RatingLevel:
        vals = [sum(r.window == w and r.level == lv for r in stats.ratings) for w in wins]
        ax.bar([f"{w}号" for w in wins], vals, bottom=bottom, color=colors[int(lv)],
               label=RATING_LABELS[lv])  # fmt: skip
        bottom = [a + b for a, b in zip(bottom, vals, strict=True)]
    if not wins:
        ax.text(0.5, 0.5, "本期无评价", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("窗口")
    ax.set_ylabel("评价数")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title(f"各窗口好差评\n{sub}")
    fig.tight_layout()
    out.append(_save(fig, folder / "ratings_by_window.png", plt))
    return out


def _save(fig, path: Path, plt) -> Path:
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return path
