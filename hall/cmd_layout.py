"""`hall layout check FILE`: validate a layout and print a summary per floor."""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from hall.layout import Layout, LayoutError, WindowKind, default_layout_path, load_layout


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="layout_command", metavar="ACTION", required=True)
    c = sub.add_parser("check", help="validate a layout file and print a summary")
    c.add_argument("file", nargs="?", default=str(default_layout_path()))


def summary(layout: Layout) -> str:
    """A per-floor summary of windows, kinds and queues."""
    lines = [f"{layout.name} ({layout.name_en})  —  {layout.source}"]
    comprehensive = [
        w for w in layout.windows.values() if w.kind in (WindowKind.GENERAL, WindowKind.DOMAIN)
    ]
    other = [w for w in layout.windows.values() if w not in comprehensive]
    lines.append(
        f"{len(comprehensive)} comprehensive windows on {len(layout.floors)} floors"
        + (f", plus {len(other)} other ({', '.join(w.kind.label for w in other)})" if other else "")
    )
    for f in layout.floors:
        ws = layout.windows_on(f.id)
        kinds: Counter[str] = Counter()
        for w in ws:
            label = w.kind.label
            if w.kind is WindowKind.DOMAIN:
                home = next(iter(w.profile))
                label = f"{label}·{layout.queues[home].name}"
            kinds[label] += 1
        parts = ", ".join(f"{n} {k}" for k, n in kinds.items()) or "no windows"
        nums = ", ".join(str(w.number) for w in ws)
        lines.append(f"  {f.id} {f.name}: {len(ws)} windows — {parts}  [{nums}]")
    lines.append("queues:")
    for q in layout.queues.values():
        serving = [w.number for w in layout.windows.values() if q.id in w.profile]
        cap = q.daily_cap or "none"
        lines.append(
            f"  {q.id} {q.prefix}xxx {q.name} ({q.floor} {q.area}); served by windows "
            f"{serving}; daily cap {cap}"
        )
    sessions = ", ".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in layout.hours.sessions)
    lines.append(f"hours: {sessions}; tickets until {layout.hours.issue_until:%H:%M}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    try:
        layout = load_layout(args.file)
    except LayoutError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(summary(layout))
    return 0
