"""The rest of the hall in the demo: citizens at a second kiosk and clerks at other windows.

A background thread of plain `HubClient`s (each with its own device key), acting on
the hall's fast clock, playing the morning of demo.morning: the standard morning's
citizens come as its arrivals say (booked ones booked by the manager first, then checked
in at the kiosk near their slot), the heavy morning's walk-ins as a Poisson stream; some
are elderly (green channel from the birth date on the card); clerks call, serve for a
lognormal time, finish, mark the odd no-show, and citizens rate; in the standard morning
each window's B post takes over while its A clerk has a break. Tickets of the second
kiosk are printed by a simulated printer too. Deterministic per seed as far as the
thread timing allows. No Qt.
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
from typing import Any

from demo.morning import Arrival, Morning, citizen
from drivers.printer import open_printer
from hall.client import HubClient, HubUnavailable
from hall.core import errors as E
from hall.core.catalogue import Catalogue, load_catalogue
from hall.core.engine import Clock
from hall.core.layout import Layout
from hall.core.public import public_layout
from hall.wire.protocol import Card
from kiosk.tickets import ticket_print, ticket_view

log = logging.getLogger("demo.crowd")

IDLE_RETRY_SECONDS = 0.2  # wall time an idle window waits before it calls again
ABSENT_SHARE = 0.03  # called citizens who are not there: the clerk marks a no-show


@functools.cache
def _catalogue() -> Catalogue:
    return load_catalogue()


@dataclass
class Desk:
    """One crowd-run window: its client and when its clerk is done with the current citizen."""

    window: int
    client: HubClient
    pad: HubClient  # the window's evaluation pad: rates the ticket just finished
    busy_until: datetime | None = None
    serving: str | None = None
    next_try: float = 0.0  # monotonic: an idle window calls again from then
    break_at: tuple[datetime, datetime] | None = None  # the A clerk's break (B covers)
    on_break: bool = False


@dataclass
class Crowd:
    """Background citizens and clerks. `start()`, then `stop()`; counts in `stats`."""

    layout: Layout
    endpoint: str
    keys: Path
    clock: Clock
    morning: Morning
    tickets_dir: Path | None = None
    seed: int = 7
    stats: dict[str, int] = field(default_factory=lambda: {"issued": 0, "refused": 0, "served": 0,
                                                           "no_show": 0, "rated": 0, "booked": 0,
                                                           "checked_in": 0, "b_post_cover": 0})  # fmt: skip

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run_logged, name="demo-crowd", daemon=True)
        self.rng = random.Random(self.seed)
        self._booked: set[int] = set()  # indexes into morning.arrivals with a booking

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
        for w in self.morning.crowd_windows:
            manager.open_window(w)
            manager.sign_in(w, staff_no=f"{1000 + w}", name=f"窗口{w}办事员")
            desk = Desk(w, self._client(f"counter-{w}"), self._client(f"rating-{w}"))
            desk.break_at = self.morning.breaks.get(w)
            desks.append(desk)
        self._book(manager)
        last = self.clock()
        n = 0
        arrivals = self.morning.arrivals
        due = 0  # the next of `arrivals`
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
            for q, per_hour in self.morning.per_hour.items():
                for _ in range(self._poisson(per_hour / 60.0 * minutes)):
                    n += 1
                    card = citizen(self.rng, n) if self.rng.random() < 0.7 else None
                    self._walk_in(kiosk, printer, q, card)
            while due < len(arrivals) and arrivals[due].at <= now:
                self._arrive(kiosk, printer, due, arrivals[due])
                due += 1
            for d in desks:
                self._work(d, now)
        for c in everyone:
            c.close()

    def _book(self, manager: HubClient) -> None:
        """Before the morning: the bookings of the day's booked citizens (the manager books
        them, as the online channel would have). A slot already begun cannot be booked:
        that citizen comes as a walk-in."""
        now = self.clock()
        for i, a in enumerate(self.morning.arrivals):
            if a.slot is None or a.card is None or a.slot <= now:
                continue
            try:
                manager.book_appointment(a.card, a.queue, a.slot)
            except E.HallError as e:
                log.info("booking refused: %s", e)
                continue
            self._booked.add(i)
            self.stats["booked"] += 1

    def _poisson(self, mean: float) -> int:
        # Knuth's method: means here are small (a fraction of a citizen per tick).
        limit, k, p = math.exp(-mean), 0, 1.0
        while True:
            p *= self.rng.random()
            if p <= limit:
                return k
            k += 1

    def _arrive(self, kiosk: HubClient, printer: object, i: int, a: Arrival) -> None:
        """A citizen of the standard morning at kiosk-2: a booked one checks in."""
        if not a.comes:
            return
        if i in self._booked and a.card is not None:
            try:
                issued = kiosk.check_in(card=a.card, queue=a.queue)
            except E.HallError as e:
                log.info("kiosk-2 check-in refused (%s): a walk-in ticket then", e)
            else:
                self.stats["checked_in"] += 1
                self._print(printer, issued)
                return
        self._walk_in(kiosk, printer, a.queue, a.card)

    def _walk_in(self, kiosk: HubClient, printer: object, queue: str, card: Card | None) -> None:
        try:
            issued = kiosk.issue(queue, card=card)
        except E.HallError as e:
            self.stats["refused"] += 1
            log.info("kiosk-2 refused: %s", e)
            return
        self.stats["issued"] += 1
        self._print(printer, issued)

    def _print(self, printer: object, issued: dict[str, Any]) -> None:
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
                if self._hand_over(d, now) or time.monotonic() < d.next_try:
                    return
                got = c.call_next()["ticket"]
                if got is None:
                    d.next_try = time.monotonic() + IDLE_RETRY_SECONDS
                    return
                if self.rng.random() < ABSENT_SHARE:  # absent: the clerk moves on
                    c.no_show()
                    self.stats["no_show"] += 1
                    return
                c.start()
                d.serving = got["id"]
                item = self._item(got["queue"])  # the clerk records the service item (事项)
                if item is not None:
                    c.record_item(got["id"], item)
                svc = self.morning.draw_service(self.rng, got["queue"])
                d.busy_until = now + timedelta(minutes=svc)
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

    def _hand_over(self, d: Desk, now: datetime) -> bool:
        """Between two citizens: the B post takes the window once the A clerk's break is
        due (the A clerk finishes the citizen first), and gives it back BREAK_MINUTES later
        (顶岗补位). True if the window changed hands."""
        if d.break_at is None:
            return False
        c, w = d.client, d.window
        due, back = d.break_at
        if not d.on_break and now >= due:
            c.sign_in(staff_no=f"{3000 + w}", name=f"窗口{w}B岗", post="B")
            c.sign_out(post="A")
            d.on_break, d.break_at = True, (due, now + (back - due))
            self.stats["b_post_cover"] += 1
            return True
        if d.on_break and now >= back:
            c.sign_in(staff_no=f"{1000 + w}", name=f"窗口{w}办事员", post="A")
            c.sign_out(post="B")
            d.on_break, d.break_at = False, None
            return True
        return False
