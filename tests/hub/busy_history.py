"""A hall database with many busy past days: what the hub learns its history from.

``fill_history(db, layout, today, days=90, per_day=1500)`` writes `per_day` finished
tickets for each of the `days` days before `today` (issued 9:00–17:00 over the layout's
queues, each with its wait, service and a few history entries, as the engine leaves
them), through the store's own `save`. ``python -m tests.hub.busy_history DB`` makes one
for a measurement.
"""

from __future__ import annotations

import random
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

from hall.core.engine.base import Changes, Outcome
from hall.core.layout import Layout, load_layout
from hall.core.model import Ticket, TicketState
from hall.server.store import Store


def busy_day(layout: Layout, day: date, per_day: int, rng: random.Random) -> list[Ticket]:
    queues = list(layout.queues.values())
    out = []
    seq: dict[str, int] = {}
    opening = datetime.combine(day, datetime.min.time()).replace(hour=9)
    for i in range(per_day):
        q = queues[i % len(queues)]
        seq[q.id] = n = seq.get(q.id, 0) + 1
        issued = opening + timedelta(seconds=rng.uniform(0, 8 * 3600))
        called = issued + timedelta(minutes=rng.uniform(0.5, 30))
        started = called + timedelta(seconds=rng.uniform(10, 90))
        finished = started + timedelta(minutes=rng.uniform(4, 20))
        window = rng.randint(1, 30)
        number = f"{q.prefix}{n:03d}"
        est = rng.uniform(1, 25)
        steps = [("issued", issued), ("called", called), ("started", started),
                 ("finished", finished)]  # fmt: skip
        out.append(Ticket(
            id=f"{day:%Y%m%d}-{number}", number=number, queue=q.id, day=day, issued_at=issued,
            enqueued_at=issued, state=TicketState.FINISHED, window=window, called_at=called,
            started_at=started, finished_at=finished, clerk=f"S{window:03d}",
            estimate_low=est * 0.7, estimate_high=est * 1.4, estimate=est,
            person_hash=f"{rng.getrandbits(128):032x}", id_masked="5001**********1234",
            name_masked="张*", token=f"{rng.getrandbits(96):024x}",
            history=[{"at": at.isoformat(), "what": what, "window": window} for what, at in steps],
        ))  # fmt: skip
    return out


def fill_history(db: Path, layout: Layout, today: date, *, days: int = 90,
                 per_day: int = 1500, seed: int = 1) -> int:  # fmt: skip
    """Write the busy days; returns the number of tickets written."""
    rng = random.Random(seed)
    store = Store(db)
    n = 0
    try:
        for back in range(days, 0, -1):
            tickets = busy_day(layout, today - timedelta(days=back), per_day, rng)
            with store.transaction():
                store.save(Outcome({}, [], Changes(tickets={t.id: t for t in tickets})))
            n += len(tickets)
    finally:
        store.close()
    return n


if __name__ == "__main__":
    target = Path(sys.argv[1])
    layout = load_layout(Path(sys.argv[2]) if len(sys.argv) > 2 else Path("config/jiangbei.toml"))
    today = date.fromisoformat(sys.argv[3]) if len(sys.argv) > 3 else date.today()
    print(f"{fill_history(target, layout, today)} tickets in {target}")
