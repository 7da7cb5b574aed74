"""The rest of the hall in the demo: citizens at a second kiosk and clerks at other windows.

A background thread of plain `HubClient`s (each with its own device key), acting on
the hall's fast clock: walk-ins arrive as a Poisson stream shaped like BENCHMARK.md's
morning, some are elderly (green channel from the birth date on the card), clerks
call, serve for a lognormal time, finish, mark the odd no-show, and citizens rate.
Tickets of the second kiosk are printed by a simulated printer too. Deterministic
per seed as far as the thread timing allows. No Qt.
"""

from __future__ import annotations

import functools
import logging
import math
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from drivers.printer import open_printer
from hall.client import HubClient, HubUnavailable
from hall.core import errors as E
from hall.core.catalogue import Catalogue, load_catalogue
from hall.core.engine import Clock
from hall.core.idnumber import make_id_number
from hall.core.layout import Layout
from hall.core.public import public_layout
from hall.wire.protocol import Card
from kiosk.tickets import ticket_print, ticket_view

log = logging.getLogger("demo.crowd")

# walk-ins per hall hour by queue (a busy morning, BENCHMARK.md's shares)
ARRIVALS_PER_HOUR = {"G": 48.0, "M": 30.0, "T": 8.0, "E": 9.0}
SERVICE_MINUTES = {"G": 10.0, "M": 15.0, "T": 12.0, "E": 20.0, "O": 3.0}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华"


@functools.cache
def _catalogue() -> Catalogue:
    return load_catalogue()


def citizen(rng: random.Random, n: int) -> Card:
    """A made-up citizen with a valid ID number; one in eight is over 70."""
    year = rng.randint(1940, 1952) if rng.random() < 0.125 else rng.randint(1960, 2004)
    born = f"{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    idn = make_id_number(f"500105{born}{n % 1000:03d}")
    name = (
        rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
    )
    return Card(id_number=idn, name=name)


@dataclass
class Desk:
    """One crowd-run window: its client and when its clerk is done with the current citizen."""

    window: int
    client: HubClient
    pad: HubClient  # the window's evaluation pad: rates the ticket just finished
    busy_until: datetime | None = None
    serving: str | None = None


@dataclass
class Crowd:
    """Background citizens and clerks. `start()`, then `stop()`; counts in `stats`."""

    layout: Layout
    endpoint: str
    keys: Path
    clock: Clock
    windows: list[int]
    tickets_dir: Path | None = None
    seed: int = 7
    stats: dict[str, int] = field(default_factory=lambda: {"issued": 0, "refused": 0, "served": 0,
                                                           "no_show": 0, "rated": 0})  # fmt: skip

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run_logged, name="demo-crowd", daemon=True)
        self.rng = random.Random(self.seed)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(15)

    def _run_logged(self) -> None:
        try:
            self._run()
        except HubUnavailable as e:
            log.warning("crowd stopped: %s", e)
        except Exception:
            log.exception("crowd stopped by a bug")

    def _client(self, device: str) -> HubClient:
        return HubClient(self.endpoint, device=device, keys=self.keys, timeout=3.0)

    def _run(self) -> None:
        kiosk = self._client("kiosk-2")
        printer = (
            open_printer(f"sim://printer?out={self.tickets_dir}") if self.tickets_dir else None
        )
        manager = self._client("manager-1")
        desks = []
        for w in self.windows:
            manager.open_window(w)
            manager.sign_in(w, staff_no=f"{1000 + w}", name=f"窗口{w}办事员")
            desks.append(Desk(w, self._client(f"counter-{w}"), self._client(f"rating-{w}")))
        last = self.clock()
        n = 0
        everyone = [kiosk, manager, *(d.client for d in desks), *(d.pad for d in desks)]
        next_ping = 0.0
        while not self._stop.wait(0.05):
            if time.monotonic() >= next_ping:  # devices say they are alive, as real ones do
                next_ping = time.monotonic() + 2.0
                for c in everyone:
                    c.ping()
            now = self.clock()
            minutes = (now - last).total_seconds() / 60.0
            last = now
            for q, per_hour in ARRIVALS_PER_HOUR.items():
                for _ in range(self._poisson(per_hour / 60.0 * minutes)):
                    n += 1
                    self._arrive(kiosk, printer, q, n)
            for d in desks:
                self._work(d, now)
        for c in everyone:
            c.close()

    def _poisson(self, mean: float) -> int:
        # Knuth's method: means here are small (a fraction of a citizen per tick).
        limit, k, p = math.exp(-mean), 0, 1.0
        while True:
            p *= self.rng.random()
            if p <= limit:
                return k
            k += 1

    def _arrive(self, kiosk: HubClient, printer: object, queue: str, n: int) -> None:
        card = citizen(self.rng, n) if self.rng.random() < 0.7 else None
        try:
            issued = kiosk.issue(queue, card=card)
        except E.HallError as e:
            self.stats["refused"] += 1
            log.info("kiosk-2 refused: %s", e)
            return
        self.stats["issued"] += 1
        if printer is not None:
            public = public_layout(self.layout)
            printer.print_ticket(ticket_print(public, ticket_view(public, issued)))  # type: ignore[attr-defined]

    def _item(self, queue: str) -> str | None:
        """One of the first items of `queue` in the catalogue; None for one without items
        and, as at a real counter, now and then (1 in 20) when the clerk forgets."""
        codes = [i.code for i in _catalogue() if self.layout.queue_for_domain(i.domain) == queue]
        if not codes or self.rng.random() < 0.05:
            return None
        return self.rng.choice(codes[:8])

    def _work(self, d: Desk, now: datetime) -> None:
        c = d.client
        try:
            if d.serving is None:
                got = c.call_next()["ticket"]
                if got is None:
                    return
                if self.rng.random() < 0.03:  # absent: the clerk loses a minute and moves on
                    c.no_show()
                    self.stats["no_show"] += 1
                    return
                c.start()
                d.serving = got["id"]
                item = self._item(got["queue"])  # the clerk records the service item (事项)
                if item is not None:
                    c.record_item(got["id"], item)
                svc = SERVICE_MINUTES.get(got["queue"], 10.0)
                d.busy_until = now + timedelta(
                    minutes=self.rng.lognormvariate(math.log(svc) - 0.3, 0.7)
                )
            elif d.busy_until is not None and now >= d.busy_until:
                c.finish()
                self.stats["served"] += 1
                if self.rng.random() < 0.6:
                    level = self.rng.choices([5, 4, 3, 2, 1], [72, 18, 6, 3, 1])[0]
                    reasons = [self.rng.choice(["态度", "效率", "材料要求"])] if level <= 2 else []
                    d.pad.rate(level, reasons=reasons)
                    self.stats["rated"] += 1
                d.serving, d.busy_until = None, None
        except E.HallError as e:
            log.info("window %d: %s", d.window, e)
