"""The hub relearns its past days once a day beside its loop: a ping is answered while
90 busy days are being read (they take seconds), and the new days are taken when read."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from hall.client import HubClient
from hall.core.layout import Layout
from hall.server.store import Store, read_history
from tests.hub.busy_history import fill_history
from tests.hubs import HALL_TIME, start_hub


def test_the_daily_relearning_never_stalls_the_hub(
    layout: Layout, items: dict[str, str], tmp_path: Path
) -> None:
    db = tmp_path / "hall.db"
    now = [HALL_TIME]
    hub = start_hub(layout, items, db, clock=lambda: now[0], housekeep_every=0.2)
    try:
        assert hub.engine.history.days == 0
        # meanwhile the past days fill up (as if the hall had run for weeks)
        tomorrow = HALL_TIME + timedelta(days=1)
        n = fill_history(db, layout, tomorrow.date(), days=20, per_day=1500)
        began = time.monotonic()
        reference = read_history(db, tomorrow.date())
        read_seconds = time.monotonic() - began
        assert reference.days == 20 and read_seconds > 0.3, read_seconds  # worth a thread
        with HubClient(hub.endpoint, device="manager-1", timeout=2.0, retries=1) as c:
            c.ping()
            now[0] = tomorrow  # midnight passed: the next housekeeping relearns
            deadline = time.monotonic() + 10
            while not hub.history_loading:
                assert time.monotonic() < deadline, "the relearning never started"
                time.sleep(0.01)
            pings = []
            while hub.history_loading:
                t0 = time.monotonic()
                c.ping()  # answered now, not once the days are read
                pings.append(time.monotonic() - t0)
                time.sleep(0.02)
            assert pings, "the relearning ended before a ping was sent"
            assert max(pings) < max(0.25, read_seconds / 3), (max(pings), read_seconds)
            deadline = time.monotonic() + 5
            while hub.engine.history.days != 20:  # taken by the loop at its next turn
                assert time.monotonic() < deadline, hub.engine.history.days
                c.ping()
        h = hub.engine.history
        assert h.arrivals_per_day() == reference.arrivals_per_day()
        assert h.factors == reference.factors
        print(
            f"{n} tickets: read in {read_seconds:.2f} s; {len(pings)} pings meanwhile, "
            f"slowest {max(pings) * 1000:.0f} ms"
        )
    finally:
        hub.stop()
    # the same days as the store's own reading (the hub's start uses that one)
    store = Store(db)
    try:
        assert store.history(tomorrow.date()).arrivals_per_day() == reference.arrivals_per_day()
    finally:
        store.close()
