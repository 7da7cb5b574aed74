"""`hall demo`: the whole hall on one machine with simulated devices.

A hub with a fresh database and freshly generated keys (CURVE, as in a real hall),
and the real apps, each with its own device key and its own link to the hub: the
ticket kiosk (simulated ID-card reader, social-security card reader and printer),
the counters of windows 5 and 9, the 2F display board with its (simulated) voice,
window 9's evaluation pad and the manager console. The hall clock runs fast.

- `hall demo`: one window a person can follow (the hall on one tab, the manager
  console on the other). With `--auto` scripted citizens and clerks keep it busy.
- `hall demo --headless --out DIR`: no screen. Plays a scripted morning at high
  speed through the real hub and apps (offscreen), then writes to DIR a summary,
  every printed ticket as PNG, a screenshot of every app, and the hall report.

The morning (`--crowd`, demo.morning): `standard`, a hall run as it should be (every
window staffed, A posts with B posts covering breaks, the standard scenario's normal
day), or `heavy`, the short-staffed, overloaded morning the demo used to play. The hub's
rebalancing advisor runs as the layout has it and the duty manager takes its proposals.
The summary says how the hall was staffed, what came, the offered load and the waits.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import time
from argparse import Namespace
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from demo.morning import CROWDS, VISIBLE_WINDOWS, Morning
from hall.core import events as EV

_D = TypeVar("_D", bound=EV.Data)

log = logging.getLogger("demo")

PAD_WINDOW = 9


def add_arguments(p: argparse.ArgumentParser) -> None:
    from hall.core.layout import demo_layout_path

    p.add_argument(
        "--layout",
        default=str(demo_layout_path()),
        help="hall layout: a built-in name (hall layout list) or a TOML file "
        "(default: jiangbei-demo, the Jiangbei hall with simulated devices)",
    )
    p.add_argument(
        "--headless", action="store_true", help="no screen: a scripted morning, files out"
    )
    p.add_argument(
        "--out", default="out/demo", help="folder for the database, tickets, screenshots"
    )
    p.add_argument("--auto", action="store_true", help="scripted citizens and clerks (GUI mode)")
    p.add_argument("--speed", type=float, default=None,
                   help="hall minutes per real minute (default 20 with a screen, 60 headless)")  # fmt: skip
    p.add_argument("--minutes", type=float, default=150.0,
                   help="headless: hall minutes to play from opening (default 150: 9:00–11:30)")  # fmt: skip
    p.add_argument("--seed", type=int, default=7, help="random seed of the scripted day")
    p.add_argument("--summary-only", action="store_true",
                   help="headless: the summary and the database only (no screenshots, no hall "
                        "report), e.g. to compare mornings quickly")  # fmt: skip
    p.add_argument("--crowd", choices=CROWDS, default="standard",
                   help="the morning: standard (every window staffed, A posts with B posts "
                        "covering breaks, the standard scenario's normal day; the default) or "
                        "heavy (12 of 31 windows for a busy morning: overloaded on purpose)")  # fmt: skip
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the apps")
    p.add_argument("--web", default="127.0.0.1:8080", metavar="HOST:PORT",
                   help="where the web gateway (hall web) serves; port 0: any free one "
                        "(headless always takes any free one)")  # fmt: skip


def run(args: argparse.Namespace) -> int:
    if args.headless:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from hall.core.layout import LayoutError, load_layout

    try:
        layout = load_layout(args.layout)
    except LayoutError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    speed = args.speed or (60.0 if args.headless else 20.0)
    return _run(args, layout, Path(args.out), speed)


class Apps:
    """The apps of the demo, each wired exactly as its own `hall <app>` command wires it."""

    def __init__(self, endpoint: str, keys: Path, out: Path, lang: str) -> None:
        from counter.app import build as build_counter
        from display.app import DisplayApp
        from kiosk.app import build as build_kiosk
        from manager.model import ConsoleModel
        from manager.view import ConsoleWindow
        from rating.model import PadModel
        from rating.view import PadView
        from ui.hublink import HubLink
        from ui.model import HallModel

        self.links: list[HubLink] = []

        def connect(
            device: str, streams: tuple[str, ...] = ("board",)
        ) -> tuple[HubLink, HallModel]:
            link = HubLink(endpoint, device, keys=keys, streams=streams)
            self.links.append(link)
            return link, HallModel(link)

        link, hall = connect("kiosk-1")
        kiosk_args = Namespace(
            printer=f"sim://printer?out={out / 'tickets'}", id_reader="sim://idcard",
            card_reader="sim://sscard", idle_seconds=60.0, catalogue=None, device="kiosk-1",
            lang=lang,
        )  # fmt: skip
        self.kiosk = build_kiosk(link, hall, kiosk_args)
        self.kiosk_model: Any = self.kiosk.model  # type: ignore[attr-defined]
        self.counters: list[Any] = []
        for w in VISIBLE_WINDOWS:
            link, hall = connect(f"counter-{w}", ("board", "staff"))
            self.counters.append(build_counter(link, hall, Namespace(window=w, lang=lang)))
        link, hall = connect("display-2F")
        self.display = DisplayApp(hall, "2F", "sim://voice")
        link, hall = connect(f"rating-{PAD_WINDOW}")
        self.pad_model = PadModel(hall, link, PAD_WINDOW, ask_timeout=20.0)
        self.pad = PadView(self.pad_model)
        self.pad_model.setParent(self.pad)
        link, hall = connect("manager-1", ("board", "staff"))
        self.manager = ConsoleWindow(ConsoleModel(hall))

    def widgets(self) -> dict[str, Any]:
        """Each app's top widget by a file-friendly name, with the size it is designed for."""
        out: dict[str, Any] = {"kiosk-1": (self.kiosk, (1280, 800))}
        for w, c in zip(VISIBLE_WINDOWS, self.counters, strict=True):
            out[f"counter-{w}"] = (c, (1280, 800))
        out["display-2F"] = (self.display.view, (1920, 1080))
        out[f"rating-{PAD_WINDOW}"] = (self.pad, (1280, 800))
        out["manager-1"] = (self.manager, (1920, 1080))
        return out

    def start(self) -> None:
        for link in self.links:
            link.start()

    def stop(self) -> None:
        self.kiosk_model.stop()
        self.display.close()
        for link in self.links:
            link.stop()


def _run(args: argparse.Namespace, layout: Any, out: Path, speed: float) -> int:
    from PyQt6.QtCore import QTimer

    from demo.crowd import Crowd
    from demo.hall import start_hall
    from demo.morning import morning
    from demo.script import Clerk, DemoScript
    from ui import app as ui_app

    ui_app.install_safety_net()
    qt = ui_app.application(lang=args.lang)
    out.mkdir(parents=True, exist_ok=True)
    for sub in ("tickets", "screenshots"):
        (out / sub).mkdir(exist_ok=True)
        for old in (out / sub).glob("*.png"):
            old.unlink()
    hall = start_hall(layout, out, speed=speed)
    print(f"hall demo: hub on {hall.endpoint}, database {hall.db}, keys {hall.keys}, "
          f"clock {hall.clock():%Y-%m-%d %H:%M} ×{speed:g}")  # fmt: skip
    web = _start_web(hall, "127.0.0.1:0" if args.headless else args.web)
    apps = Apps(hall.endpoint, hall.keys, out, args.lang)
    apps.start()
    opening = datetime.combine(hall.clock().date(), layout.hours.sessions[0][0])
    # With a screen the demo runs until it is closed: the whole day's citizens then.
    whole_day = (datetime.combine(opening.date(), layout.hours.issue_until) - opening).seconds / 60
    plan = morning(args.crowd, layout, opening, args.minutes if args.headless else whole_day,
                   args.seed)  # fmt: skip
    crowd = Crowd(layout, hall.endpoint, hall.keys, hall.clock, plan,
                  tickets_dir=out / "tickets", seed=args.seed)  # fmt: skip
    clerks = [Clerk(c.model, f"{2000 + w}", name)
              for w, c, name in zip(VISIBLE_WINDOWS, apps.counters, ("陈晓燕", "刘建国"), strict=True)]  # fmt: skip
    # The standard morning plans the kiosk's citizens and the service times on screen too;
    # the heavy one keeps the script's own (a citizen every 4 minutes or so).
    planned = plan.crowd == "standard"
    on_screen = [(a.at, a.queue, a.green) for a in plan.on_screen] if planned else None
    script = DemoScript(hall.clock, apps.kiosk_model, clerks, apps.pad_model,
                        console=apps.manager.model, arrivals=on_screen,
                        service=plan.draw_service if planned else None,
                        seed=args.seed)  # fmt: skip
    rc = 0
    try:
        if args.headless:
            for widget, (w, h) in apps.widgets().values():
                widget.resize(w, h)
                widget.show()
            _wait(qt, lambda: all(link.online for link in apps.links), 15.0)
            crowd.start()
            script.start()
            seconds = args.minutes / speed * 60.0
            print(f"playing {args.minutes:g} hall minutes in {seconds:.0f} s …")
            _wait(qt, lambda: False, seconds)
            script.stop()
            crowd.stop()
            ended = hall.clock()
            _wait(qt, lambda: False, 1.5)  # last events reach the apps
            alerts = [a.kind for a in apps.manager.model.alerts()]
            shots = []
            if not args.summary_only:
                shots = _screenshots(apps, out / "screenshots")
                shots += _web_screenshots(web, hall, out / "screenshots")
            rc = _finish(hall, out, plan, ended, crowd.stats, script.counts, alerts, shots,
                         report=not args.summary_only)  # fmt: skip
        else:
            window = _hall_window(apps)
            window.show()
            if args.auto:
                QTimer.singleShot(1500, crowd.start)
                QTimer.singleShot(1500, script.start)
            else:
                # By hand: the clerks still sign in and open their windows for the visitor.
                ready = QTimer(window)
                ready.timeout.connect(script.ready_clerks)
                ready.start(700)
            rc = qt.exec()
    finally:
        script.stop()
        crowd.stop()
        apps.stop()
        if web is not None:
            web.stop()
        hall.stop()
    return rc


def _start_web(hall: Any, listen: str) -> Any:
    """The web gateway (`hall web`) with its own key, web-1; None if it cannot listen."""
    from hall.web.server import WebServer

    host, _, port = listen.rpartition(":")
    try:
        web = WebServer(hall.endpoint, keys=hall.keys, device="web-1", host=host or "127.0.0.1",
                        port=int(port or 0)).start()  # fmt: skip
    except (RuntimeError, ValueError, OSError) as e:
        print(f"hall demo: the web gateway could not start on {listen} ({e}); going on without")
        return None
    print(f"hall demo: web gateway on {web.url} (tickets /t/…, boards {web.url}/board/2F, "
          f"booking {web.url}/book)")  # fmt: skip
    return web


CHROMIUM = "/usr/bin/chromium"


def _web_screenshots(web: Any, hall: Any, folder: Path) -> list[str]:
    """A phone's ticket page (a ticket still waiting, else the latest) and the 2F board in
    a browser, taken with headless Chromium when it is installed."""
    if web is None or not Path(CHROMIUM).exists():
        log.info("no web screenshots: %s", "no gateway" if web is None else "no chromium")
        return []
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        log.info("no web screenshots: Playwright is not installed")
        return []
    tickets = sorted(hall.hub.engine.tickets.values(), key=lambda t: t.issued_at)
    waiting = [t for t in tickets if t.state.value == "waiting"]
    pick = (waiting or tickets)[-1:] if tickets else []
    pages = [("/board/2F", "web-board-2F", (1280, 720), False)]
    if pick and pick[0].token:
        pages.insert(0, (f"/t/{pick[0].token}", "web-ticket", (390, 844), True))
    names = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            for path, name, (w, h), mobile in pages:
                page = browser.new_page(viewport={"width": w, "height": h}, is_mobile=mobile)
                page.goto(web.url + path)
                page.wait_for_timeout(500)  # the first SSE message
                page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
                names.append(f"{name}.png")
                page.close()
        finally:
            browser.close()
    return names


def _wait(qt: Any, done: Any, seconds: float) -> None:
    """Run the Qt event loop until `done()` or `seconds` pass."""
    end = time.monotonic() + seconds
    while time.monotonic() < end and not done():
        qt.processEvents()
        time.sleep(0.01)


class _FitView:
    """Makes a QGraphicsView keep its whole scene in view as the window is resized."""

    @staticmethod
    def make(scene: Any) -> Any:
        from PyQt6.QtCore import Qt
        from PyQt6.QtGui import QPainter
        from PyQt6.QtWidgets import QGraphicsView

        class View(QGraphicsView):
            def fit(self) -> None:
                self.fitInView(scene.itemsBoundingRect(), Qt.AspectRatioMode.KeepAspectRatio)

            def resizeEvent(self, event: Any) -> None:
                super().resizeEvent(event)
                self.fit()

        view = View(scene)
        # Apps settle their sizes once they have the hall's layout: fit again then.
        scene.sceneRectChanged.connect(lambda _r: view.fit())
        view.setRenderHints(
            QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform
        )
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        return view


def _hall_window(apps: Apps) -> Any:
    """One window a person can follow. Each app keeps the size it is designed for (so it
    looks as it would on its own screen) and the hall tab shows them all, scaled to fit;
    they stay live and touchable. The manager console has the second tab."""
    from PyQt6.QtGui import QFont
    from PyQt6.QtWidgets import QGraphicsScene, QTabWidget

    from ui import theme

    scene = QGraphicsScene()
    gap, title_h = 60, 70
    spots = [
        ("取号机 kiosk-1（一楼入口）", apps.kiosk, 0, 0, (1280, 800)),
        ("二楼显示屏 display-2F", apps.display.view, 1280 + gap, 0, (1920, 1080)),
    ]
    row2 = 1080 + title_h + gap
    for i, (w, c) in enumerate(zip(VISIBLE_WINDOWS, apps.counters, strict=True)):
        spots.append((f"{w}号窗口 counter-{w}", c, i * (1280 + gap), row2, (1280, 800)))
    spots.append((f"{PAD_WINDOW}号窗口评价器 rating-{PAD_WINDOW}", apps.pad, 2 * (1280 + gap), row2,
                  (1280, 800)))  # fmt: skip
    for title, widget, x, y, (w, h) in spots:
        widget.resize(w, h)
        label = scene.addSimpleText(title, theme.font(36, bold=True))
        assert label is not None
        label.setPos(x, y)
        proxy = scene.addWidget(widget)
        assert proxy is not None
        proxy.setPos(x, y + title_h)
    tabs = QTabWidget()
    tabs.setWindowTitle("一窗 Yichuang — 演示大厅 demo hall")
    tabs.setFont(QFont(theme.cjk_family(), 14))
    tabs.addTab(_FitView.make(scene), "大厅 Hall")
    tabs.addTab(apps.manager, "管理 Manager")
    tabs.resize(1900, 1050)
    return tabs


def _screenshots(apps: Apps, folder: Path) -> list[str]:
    names = []
    for name, (widget, _size) in apps.widgets().items():
        path = folder / f"{name}.png"
        widget.grab().save(str(path))
        names.append(path.name)
    # The manager console's other tabs too: follow-ups and today's figures.
    tabs = getattr(apps.manager, "tabs", None)
    if tabs is not None:
        for i in range(tabs.count()):
            tabs.setCurrentIndex(i)
            path = folder / f"manager-1-tab{i + 1}.png"
            apps.manager.grab().save(str(path))
            names.append(path.name)
    return names


def _finish(
    hall: Any,
    out: Path,
    plan: Morning,
    ended: datetime,
    crowd: dict[str, int],
    script: dict[str, int],
    alerts: list[str],
    shots: list[str],
    *,
    report: bool = True,
) -> int:
    """Stop the hub, then summarise the morning from the engine and write the hall report."""
    hall.stop()
    eng = hall.hub.engine
    tickets = list(eng.tickets.values())
    waits = sorted((t.called_at - t.issued_at).total_seconds() / 60 for t in tickets if t.called_at)
    still = [(ended - t.issued_at).total_seconds() / 60 for t in tickets
             if t.state.value == "waiting"]  # fmt: skip
    by_queue: dict[str, int] = {}
    for t in tickets:
        by_queue[t.queue] = by_queue.get(t.queue, 0) + 1
    ratings: dict[int, int] = {}
    for rating in _event_data(hall.db, EV.RatingGiven):
        ratings[rating.level] = ratings.get(rating.level, 0) + 1
    moves: dict[str, int] = {}  # serving-profile changes by who made them
    for move in _event_data(hall.db, EV.WindowProfileChanged):
        by = move.by or "?"
        moves[by] = moves.get(by, 0) + 1
    kinds: dict[str, int] = {}
    for kind in alerts:
        kinds[kind] = kinds.get(kind, 0) + 1
    layout = hall.layout
    opening = datetime.combine(ended.date(), layout.hours.sessions[0][0])
    played = max((ended - opening).total_seconds() / 60, 1.0)  # hall minutes
    load = offered_load(plan, by_queue, played)
    summary = {
        "hall": layout.name,
        "crowd": plan.crowd,
        "morning": plan.title,
        "clock_end": eng.clock().isoformat(timespec="minutes"),
        **load,
        **staffing(layout, plan, crowd.get("b_post_cover", 0)),
        "tickets_issued": len(tickets),
        "tickets_by_queue": by_queue,
        "called": len(waits),
        "finished": sum(t.state.value == "finished" for t in tickets),
        "no_show": sum(t.state.value == "no_show" for t in tickets),
        "still_waiting": len(still),
        "mean_wait_min": round(statistics.fmean(waits), 1) if waits else None,
        "p90_wait_min": _quantile(waits, 0.90),
        "p95_wait_min": _quantile(waits, 0.95),
        "max_wait_min": round(max(waits), 1) if waits else None,
        "longest_still_waiting_min": round(max(still), 1) if still else None,
        "alerts_at_end": len(alerts),
        "alerts_by_kind": kinds,
        "advisor": {
            "on": layout.advisor.enabled,
            "every_hall_minutes": layout.advisor.every_minutes,
            "proposals": len(_event_data(hall.db, EV.AdvisorProposal)),
            "taken_by_the_duty_manager": script.get("proposals_taken", 0),
        },
        "ratings_by_level": {str(k): v for k, v in sorted(ratings.items(), reverse=True)},
        "follow_up_cases": len(eng.cases),
        "profile_changes_by": moves,
        "by_the_apps_on_screen": script,
        "by_the_crowd": crowd,
        "printed_tickets": len(list((out / "tickets").glob("*.png"))),
        "screenshots": shots,
        "database": str(hall.db),
    }
    summary["verdict"] = verdict(summary)
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), "utf-8")
    lines = [*headline(summary), ""]
    lines += [
        f"{k:>26}: {'-' if v is None else v}" for k, v in summary.items() if k != "screenshots"
    ]
    (out / "summary.txt").write_text("\n".join(lines) + "\n", "utf-8")
    print("\n".join(lines))
    if report:
        _report(hall, out)
    ok = summary["tickets_issued"] and summary["finished"] and summary["printed_tickets"]
    return 0 if ok else 1


def _quantile(xs: list[float], q: float) -> float | None:
    """The q-quantile of sorted `xs` (the nearest rank below), rounded to 0.1."""
    return round(xs[int(q * (len(xs) - 1))], 1) if xs else None


LOAD_HOW = ("Σ over queues of (tickets issued an hour × mean service minutes) ÷ 60 ÷ staffed "
            "windows; tickets an hour = tickets issued ÷ hall hours played")  # fmt: skip


def offered_load(plan: Morning, by_queue: dict[str, int], minutes: float) -> dict[str, Any]:
    """Arrivals an hour and the offered load of the morning: the share of the staffed
    windows' time the citizens who came need (1: every clerk busy all the time)."""
    hours = minutes / 60
    work = sum(n / hours * plan.service_mean(q) for q, n in by_queue.items())  # minutes an hour
    arrivals = sum(by_queue.values()) / hours
    return {
        "hall_minutes_played": round(minutes),
        "arrivals_per_hour": round(arrivals, 1),
        "mean_service_min": round(work / arrivals, 1) if arrivals else None,
        "offered_load": round(work / 60 / len(plan.windows), 2) if plan.windows else None,
        "offered_load_how": LOAD_HOW,
    }


def staffing(layout: Any, plan: Morning, covered: int) -> dict[str, Any]:
    """How the hall was staffed: windows of the total, per floor, and the posts."""
    floors = {}
    for f in layout.floors:
        on = [n for n, w in layout.windows.items() if w.floor == f.id]
        floors[f.id] = f"{sum(n in plan.windows for n in on)}/{len(on)}"
    if plan.breaks:
        posts = (f"A posts (主岗) all morning; B posts (B岗) covered {covered} A clerks' "
                 "15-minute breaks, so no window closed")  # fmt: skip
    else:
        posts = "A posts (主岗) only, no breaks"
    return {
        "staffed_windows": len(plan.windows),
        "windows_total": len(layout.windows),
        "staffed_by_floor": floors,
        "posts": posts,
    }


def verdict(s: dict[str, Any]) -> str:
    """One sentence on the hall's state, in Chinese and English."""
    staffed = f"{s['staffed_windows']} of {s['windows_total']} windows"
    load, per_hour = s["offered_load"], s["arrivals_per_hour"]
    if s["crowd"] == "heavy":
        return (f"人手不足、超负荷运行（有意演示）: this hall is SHORT-STAFFED AND OVERLOADED ON "
                f"PURPOSE (--crowd heavy): {staffed} staffed for {per_hour:g} arrivals an hour, "
                f"offered load {load:g} — the queues and the waits grow all morning")  # fmt: skip
    if load is not None and load < 1:
        return (f"人员配齐、运行平稳: a well-run hall, {staffed} staffed for {per_hour:g} arrivals "
                f"an hour, offered load {load:g} < 1")  # fmt: skip
    return (f"超负荷: more came than the staffed windows can serve ({staffed} for {per_hour:g} "
            f"arrivals an hour, offered load {load})")  # fmt: skip


def headline(s: dict[str, Any]) -> list[str]:
    """The summary's first lines: what hall, how staffed, what came, how long it waited."""
    floors = ", ".join(f"{f} {x}" for f, x in s["staffed_by_floor"].items())
    adv = s["advisor"]
    oldest = ""
    if s["longest_still_waiting_min"] is not None:
        oldest = f" (longest {s['longest_still_waiting_min']} min so far)"
    return [
        f"hall demo: {s['hall']} — {s['morning']}, {s['hall_minutes_played']} hall minutes",
        s["verdict"],
        f"staffed: {s['staffed_windows']} of {s['windows_total']} windows ({floors}); {s['posts']}",
        f"arrivals: {s['arrivals_per_hour']:g} an hour ({s['tickets_issued']} tickets in "
        f"{s['hall_minutes_played']} hall minutes)",
        f"offered load: {s['offered_load']} (mean service {s['mean_service_min']} min; "
        f"{s['offered_load_how']})",
        f"waits: mean {s['mean_wait_min']} min, p95 {s['p95_wait_min']} min, longest "
        f"{s['max_wait_min']} min; still waiting at the end: {s['still_waiting']}{oldest}",
        f"alerts on the manager console at the end: {s['alerts_at_end']} {s['alerts_by_kind']}",
        f"advisor: {'on' if adv['on'] else 'off'} (every {adv['every_hall_minutes']:g} hall "
        f"minutes): {adv['proposals']} proposals, {adv['taken_by_the_duty_manager']} taken by "
        "the duty manager",
    ]


def _event_data(db: Path, kind: type[_D]) -> list[_D]:
    """The data of every saved event of one kind, in order."""
    import sqlite3

    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
        rows = c.execute("SELECT data FROM events WHERE type = ? ORDER BY id", [kind.TYPE])
        return [msgspec.json.decode(r[0], type=kind) for r in rows.fetchall()]


def _report(hall: Any, out: Path) -> None:
    """The hall report of the morning (tables, workbook, charts) into out/report."""
    from hall.cli import main as hall_main

    rc = hall_main(["report", "--db", str(hall.db), "--layout", hall.layout.source,
                    "--out", str(out / "report"), "--rows", "8"])  # fmt: skip
    if rc != 0:
        log.warning("hall report exited %s", rc)
