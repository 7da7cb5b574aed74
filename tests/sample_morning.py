"""A sample hall morning without sockets or screens (a test fixture): the real engine, the real SQLite store
and the simulated ticket printer, seeded. Tests and `hall report` examples use its database;
`hall demo` (demo/) plays the whole hall with the hub and the apps."""

from __future__ import annotations

import json
import random
import statistics
from datetime import date, datetime, timedelta
from pathlib import Path

from hall.core.engine import Engine, PersonRef
from hall.core.errors import HallError
from hall.core.layout import Layout
from hall.core.model import TicketState
from hall.core.public import public_layout
from hall.server.store import Store
from kiosk.tickets import ticket_print, ticket_view


def _next_working_day(layout: Layout, start: date) -> date:
    d = start
    while not layout.hours.is_working_day(d):
        d += timedelta(days=1)
    return d


def scripted_morning(layout: Layout, out: Path, seed: int, n_tickets: int) -> int:
    """Run a scripted morning; write summary.json, hall.db and tickets/*.png to `out`."""
    from drivers.printer import open_printer

    out.mkdir(parents=True, exist_ok=True)
    tickets_dir = out / "tickets"
    tickets_dir.mkdir(exist_ok=True)
    for old in tickets_dir.glob("*.png"):
        old.unlink()
    db = out / "hall.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    rng = random.Random(seed)
    day = _next_working_day(layout, date.today())
    clock_now = [datetime.combine(day, layout.hours.sessions[0][0])]
    engine = Engine(layout, lambda: clock_now[0])
    store = Store(db)
    printer = open_printer(f"sim://printer?out={tickets_dir}")
    store.apply(engine.housekeep())
    staffed = [1, 2, 5, 9, 10, 11, 20, 22, 26]
    for i, w in enumerate(staffed):
        store.apply(
            engine.sign_in(window=w, post="A", staff_no=f"{1000 + w}", name=f"工作人员{i + 1}")
        )
        store.apply(engine.open_window(window=w))
    queues = [q for q in layout.queues if q != "O"]
    busy: dict[int, datetime] = {}
    printed = refused = 0
    for i in range(n_tickets):
        clock_now[0] += timedelta(minutes=rng.expovariate(1 / 1.5))
        person = PersonRef(f"demo{i}", birth_date=date(1950 if i % 9 == 0 else 1985, 5, 1))
        try:
            o = engine.issue(queue=rng.choice(queues), person=person)
        except HallError as e:
            refused += 1
            print(f"refused: {e}")
            continue
        store.apply(o)
        public = public_layout(layout)
        printer.print_ticket(ticket_print(public, ticket_view(public, o.value)))
        printed += 1
        for w in staffed:
            ws = engine.windows[w]
            if ws.current and clock_now[0] >= busy.get(w, clock_now[0]):
                store.apply(engine.finish(window=w))
                if rng.random() < 0.7:
                    last = engine.windows[w].last_finished or ""
                    level = rng.choices([5, 4, 3, 2, 1], [70, 20, 6, 3, 1])[0]
                    reasons = ["效率"] if level <= 2 else []
                    store.apply(engine.rate(ticket=last, level=level, reasons=reasons))
            if not engine.windows[w].current:
                called = engine.call_next(window=w)
                store.apply(called)
                if called.value["ticket"]:
                    store.apply(engine.start(window=w))
                    busy[w] = clock_now[0] + timedelta(minutes=rng.lognormvariate(2.2, 0.5))
    all_t = list(engine.tickets.values())
    waits = [
        (t.called_at - t.issued_at).total_seconds() / 60 for t in all_t if t.called_at is not None
    ]
    summary = {
        "hall": layout.name,
        "day": day.isoformat(),
        "tickets_issued": len(all_t),
        "refused": refused,
        "printed": printed,
        "called": len(waits),
        "finished": sum(t.state is TicketState.FINISHED for t in all_t),
        "mean_wait_min": round(statistics.fmean(waits), 1) if waits else None,
        "max_wait_min": round(max(waits), 1) if waits else None,
        "ratings": sum(t.rated for t in all_t),
        "follow_up_cases": len(engine.cases),
        "database": str(db),
        "tickets_folder": str(tickets_dir),
    }
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), "utf-8")
    for k, v in summary.items():
        print(f"{k:>16}: {v}")
    store.close()
    return 0
