"""`hall report`: statistics, rating follow-ups and clerk assessments from a hall database.

    hall report --db hall.db [--day D | --month YYYY-MM | --from D --to D] [--out DIR]
    hall report assess --month 2026-11 [--scheme town|district|district-variant|FILE.toml]
                [--quantified FILE.csv] [--grades-history FILE.csv]

The database is opened read-only. Without a range, the month of the last event. With
--out, every view is written as CSV, all of them into one Excel workbook named by its
range (report-2026-12.xlsx, report-2026-12-07.xlsx, report-2026-12-01_2026-12-15.xlsx),
with a cover sheet saying which days have data and the charts embedded; the PNG charts
are kept beside it. A month's statistics workbook also carries the monthly 好差评 report
and the clerks' monthly grades and running annual picture (--scheme).
"""

from __future__ import annotations

import argparse
import calendar
import sys
from datetime import date
from pathlib import Path

from hall.core.layout import Layout, LayoutError, default_layout_path, load_layout
from hall.reports.data import HallData, ReportError, load
from hall.reports.scheme import SCHEMES
from hall.reports.stats import Period, Stats, View


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", nargs="?", choices=["stats", "assess"], default="stats",
                   help="stats (default) or assess: clerk assessment of a month")  # fmt: skip
    p.add_argument("--db", default="out/demo/hall.db", help="the hall database (read-only)")
    p.add_argument("--layout", default=str(default_layout_path()),
                   help="the hall's layout (names, floors, working days): a built-in name or a TOML file")  # fmt: skip
    when = p.add_mutually_exclusive_group()
    when.add_argument("--day", help="one day, YYYY-MM-DD")
    when.add_argument("--month", help="one month, YYYY-MM")
    when.add_argument("--from", dest="start", help="first day of a range, YYYY-MM-DD")
    p.add_argument("--to", dest="end", help="last day of a range (with --from)")
    p.add_argument("--as-of", help="follow-up states as of this day (default: last day logged)")
    p.add_argument("--out", help="folder for CSV files, the workbook and the charts")
    p.add_argument("--scheme", default="district",
                   help=f"assessment scheme: {', '.join(SCHEMES)} or a TOML file")  # fmt: skip
    p.add_argument("--quantified", type=Path, help="the manager's quantified scores (CSV)")
    p.add_argument("--grades-history", type=Path, help="earlier months' grades (CSV)")
    p.add_argument("--rows", type=int, default=40, help="rows shown per table in the terminal")


def _day(s: str, what: str) -> date:
    try:
        return date.fromisoformat(s)
    except ValueError as e:
        raise ReportError(f"{what}: a date like 2026-11-26, got {s!r}") from e


def _month(s: str) -> tuple[int, int]:
    try:
        y, m = (int(x) for x in s.split("-"))
        date(y, m, 1)
    except ValueError as e:
        raise ReportError(f"--month: a month like 2026-11, got {s!r}") from e
    return y, m


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except (ReportError, LayoutError) as e:
        print(f"hall report: {e}", file=sys.stderr)
        return 2


def _period(args: argparse.Namespace, last: date) -> Period:
    """The range asked for: --day, --month, --from [--to], or the month of the last event."""
    if args.end and not args.start:
        raise ReportError("--to needs --from (or use --day / --month)")
    if args.month:
        y, m = _month(args.month)
        period = Period(date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1]))
    elif args.day:
        d = _day(args.day, "--day")
        period = Period(d, d)
    elif args.start:
        period = Period(_day(args.start, "--from"), _day(args.end or args.start, "--to"))
    else:  # the month of the last event
        period = Period(last.replace(day=1),
                        last.replace(day=calendar.monthrange(last.year, last.month)[1]))  # fmt: skip
    if period.end < period.start:
        raise ReportError("--to is before --from")
    return period


def _run(args: argparse.Namespace) -> int:
    from hall.reports.output import terminal_table, write_csv, write_workbook

    layout = load_layout(args.layout)
    data = load(args.db)
    last = data.last_event.date() if data.last_event else date.today()
    period = _period(args, last)
    as_of = _day(args.as_of, "--as-of") if args.as_of else min(max(last, period.start), period.end)
    title = f"{layout.name} {period.label}"
    out = Path(args.out) if args.out else None
    charts: list[Path] = []
    if args.action == "assess":
        y, m = period.start.year, period.start.month
        views = _assessment(args, data, layout, y, m)
        name = f"assessment-{y}-{m:02d}"
    else:
        from hall.reports.cover import cover

        stats = Stats(data, layout, period, as_of, _item_names())
        views = [cover(stats, args.db), *stats.all_views(), *stats.report_views()]
        if period.is_month:
            views += _assessment(args, data, layout, period.start.year, period.start.month)
        name = f"report-{period.name}"
        if out is not None:
            from hall.reports.charts import write_charts

            charts = write_charts(stats, out / "charts", layout.name)
    if warning := layout.hours.calendar_warning(period.start, period.end):
        print(f"hall report: note: {warning}", file=sys.stderr)
    print(f"{title}（数据库 {args.db}，只读）\n")
    for v in views:
        print(terminal_table(v, args.rows), end="\n\n")
    if out is not None:
        files = write_csv(views, out / "csv")
        files.append(write_workbook(views, out / f"{name}.xlsx", title, images=charts))
        print("written:")
        for f in [*files, *charts]:
            print(f"  {f}")
    return 0


def _assessment(
    args: argparse.Namespace, data: HallData, layout: Layout, y: int, m: int
) -> list[View]:
    from hall.reports.assess import assess, read_manager_input
    from hall.reports.scheme import load_scheme

    scheme = load_scheme(args.scheme)
    mi = read_manager_input(args.quantified, args.grades_history)
    return assess(data, layout.hours, scheme, y, m, mi)


def _item_names() -> dict[str, str]:
    try:
        from hall.core.catalogue import load_catalogue

        return {i.code: i.name for i in load_catalogue()}
    except Exception:  # the catalogue is a nicety here: codes alone still make a report
        return {}
