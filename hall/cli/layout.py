"""`hall layout check LAYOUT`: validate a layout and print a summary per floor;
`hall layout list`: the layouts the package ships, by name."""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from hall.core.layout import Layout, LayoutError, WindowKind, default_layout_path, load_layout
from hall.core.shipped import builtin_layouts


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="layout_command", metavar="ACTION", required=True)
    c = sub.add_parser("check", help="validate a layout and print a summary")
    c.add_argument("file", nargs="?", default=str(default_layout_path()), metavar="LAYOUT",
                   help="a built-in layout's name (see `list`) or a TOML file; default jiangbei")  # fmt: skip
    sub.add_parser("list", help="the built-in layouts, by name")


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


def _devices(layout: Layout) -> str:
    """What a layout's devices are: simulators for a demo, real ones (to fill in) else."""
    return "模拟设备 simulated devices" if layout.simulators else "真实设备 real devices"


def list_layouts() -> str:
    """One line per built-in layout: name, hall, windows, file."""
    lines = []
    shipped = builtin_layouts()
    width = max(map(len, shipped), default=0)
    for name, path in shipped.items():
        layout = load_layout(path)
        lines.append(f"{name:<{width}}  {layout.name} ({layout.name_en}), "
                     f"{len(layout.windows)} windows on {len(layout.floors)} "
                     f"floor{'' if len(layout.floors) == 1 else 's'}, {_devices(layout)}  "
                     f"{path}")  # fmt: skip
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    if args.layout_command == "list":
        print(list_layouts())
        return 0
    try:
        layout = load_layout(args.file)
    except LayoutError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(summary(layout))
    for w in layout.warnings():
        print(f"warning: {w}", file=sys.stderr)
    return 0
