"""The demo's scripted citizens and clerks at the apps on screen, through the apps' models.

Each tick looks at what each app shows and does what a person in front of it would:
a citizen taps an ID card at the kiosk and picks a service (sometimes by searching
"yyzz"), a clerk at window 5 or 9 calls, starts, serves for a while on the hall's
clock, finishes (now and then transfers or marks a no-show), and the citizen at
window 9 rates on the pad, and the duty manager at the console takes the rebalancing
advisor's proposals every quarter of an hour (全部采纳). Everything goes through the same
model methods the buttons call, so the apps are exercised for real.
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from PyQt6.QtCore import QObject, QTimer

from counter.model import CounterModel
from drivers.base import Person
from hall.core.engine import Clock
from hall.core.idnumber import make_id_number
from kiosk.model import KioskModel, Screen
from manager.model import ConsoleModel
from rating.model import PadModel, Page

SERVICE_MINUTES = {"G": 10.0, "M": 15.0, "T": 12.0, "E": 20.0, "O": 3.0}


def card_person(rng: random.Random, n: int, elderly: bool | None = None) -> Person:
    if elderly is None:
        elderly = rng.random() < 0.15
    born = date(rng.randint(1938, 1952) if elderly else rng.randint(1962, 2003), rng.randint(1, 12),
                rng.randint(1, 28))  # fmt: skip
    idn = make_id_number(f"500105{born:%Y%m%d}{n % 1000:03d}")
    name = (
        rng.choice("王李张刘陈杨黄赵吴周")
        + rng.choice("伟芳敏静丽强磊军洋勇")
        + rng.choice("华明英")
    )
    return Person(id_number=idn, name=name, birth_date=born, source="idcard", gender="男",
                  nation="汉", address="重庆市江北区建新北路1号", authority="重庆市公安局江北区分局",
                  valid_from=date(2021, 3, 1), valid_to=date(2041, 3, 1))  # fmt: skip


@dataclass
class Clerk:
    model: CounterModel
    staff_no: str
    name: str
    busy_until: datetime | None = None


class DemoScript(QObject):
    """Drives the on-screen apps every `tick_ms` of wall time."""

    def __init__(
        self,
        clock: Clock,
        kiosk: KioskModel,
        clerks: list[Clerk],
        pad: PadModel | None,
        *,
        console: ConsoleModel | None = None,
        arrivals: Sequence[tuple[datetime, str, bool]] | None = None,
        service: Callable[[random.Random, str], float] | None = None,
        seed: int = 7,
        every_minutes: float = 4.0,
        review_minutes: float = 15.0,
        tick_ms: int = 250,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.clock, self.kiosk, self.clerks, self.pad = clock, kiosk, clerks, pad
        self.console, self.review = console, timedelta(minutes=review_minutes)
        self.next_review: datetime | None = None
        self.rng = random.Random(seed)
        self.every = every_minutes
        self.next_citizen: datetime | None = None
        # The kiosk's citizens (when, which queue, elderly) if the morning plans them; else
        # one every `every_minutes` on average. Service minutes by queue from `service`.
        self.arrivals = deque(arrivals) if arrivals is not None else None
        self.service = service
        self._tap_ticks = 0
        self.n = 0
        self.counts: dict[str, int] = {"kiosk": 0, "called": 0, "finished": 0, "rated": 0,
                                       "proposals_taken": 0}  # fmt: skip
        self._want: dict[str, Any] = {}
        self.timer = QTimer(self)
        self.timer.setInterval(tick_ms)
        self.timer.timeout.connect(self.tick)

    def start(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def ready_clerks(self) -> None:
        """Sign the clerks in and open their windows (the demo by hand starts so)."""
        now = self.clock()
        for c in self.clerks:
            if not c.model.signed_in or c.model.window_state().get("state") == "closed":
                self._clerk(c, now)

    def tick(self) -> None:
        now = self.clock()
        for c in self.clerks:
            self._clerk(c, now)
        self._pad()
        self._kiosk(now)
        self._duty_manager(now)

    # ------------------------------------------------------------ the kiosk

    def _kiosk(self, now: datetime) -> None:
        if self.arrivals is not None:
            self._planned_kiosk(now)
            return
        k = self.kiosk
        if self.next_citizen is None:
            self.next_citizen = now
        if k.screen is Screen.HOME and k.person is None and now >= self.next_citizen:
            reader = k.cards.id_reader
            if reader is None or self.kiosk.layout is None:
                return
            self.n += 1
            reader.tap(card_person(self.rng, self.n))
            self._want["kiosk"] = self.rng.choices(
                ["G", "M", "T", "E", "search"], [40, 30, 8, 9, 13]
            )[0]
            self.next_citizen = now + timedelta(minutes=self.rng.expovariate(1 / self.every))
        elif k.screen is Screen.HOME and k.person is not None and "kiosk" in self._want:
            self._choose(self._want.pop("kiosk"))

    def _choose(self, want: str) -> None:
        """The citizen with a card on the kiosk picks a queue or searches for an item."""
        k = self.kiosk
        if want == "search":
            k.open_search()
            k.search("yyzz")
            if k.results:
                k.choose_item(k.results[0].code)
                self.counts["kiosk"] += 1
            else:
                k.go_home()
        else:
            k.choose_queue(want)
            self.counts["kiosk"] += 1

    def _planned_kiosk(self, now: datetime) -> None:
        """The morning's next citizen for this kiosk, once the kiosk is free (a citizen
        who finds it busy waits for it): a tap of the ID card, then the queue (a market
        supervision citizen sometimes searches "yyzz" for the business licence)."""
        k, plan = self.kiosk, self.arrivals
        assert plan is not None
        if k.screen is not Screen.HOME:
            return
        if k.person is None and "kiosk" in self._want:
            # the card is read on the reader's next poll; one never read is given up
            self._tap_ticks += 1
            if self._tap_ticks > 20:
                self._want.pop("kiosk")
            return
        if k.person is None:
            reader = k.cards.id_reader
            if not plan or plan[0][0] > now or reader is None or k.layout is None:
                return
            _at, queue, elderly = plan.popleft()
            self.n += 1
            reader.tap(card_person(self.rng, self.n, elderly))
            self._tap_ticks = 0
            search = queue == "M" and self.rng.random() < 0.3
            self._want["kiosk"] = "search" if search else queue
        elif k.person is not None and "kiosk" in self._want:
            self._choose(self._want.pop("kiosk"))

    # ------------------------------------------------------------ the clerks

    def _clerk(self, c: Clerk, now: datetime) -> None:
        m = c.model
        if m.busy or not m.online:
            return
        if not m.signed_in:
            m.sign_in("A", c.staff_no, c.name)
            return
        state = m.window_state().get("state")
        if state == "closed":
            m.press("open")
            return
        cur = m.current()
        if cur is None:
            waiting = any(r.get("waiting") for r in m.queue_rows())
            if waiting and m.enabled("call_next") and m.press("call_next"):
                self.counts["called"] += 1
            return
        if cur.get("state") == "called":
            if self.rng.random() < 0.04:
                m.press("no_show")
                return
            m.press("start")
            queue = str(cur.get("queue"))
            if self.service is not None:
                minutes = self.service(self.rng, queue)
            else:
                mean = SERVICE_MINUTES.get(queue, 10.0)
                minutes = self.rng.lognormvariate(math.log(mean) - 0.3, 0.7)
            c.busy_until = now + timedelta(minutes=minutes)
            return
        if cur.get("state") == "serving" and c.busy_until is not None and now >= c.busy_until:
            items = m.queue_items(str(cur.get("queue")))[:8]  # the item first (F11), then finish
            if not cur.get("item") and items and m.record_item(self.rng.choice(items).code):
                return
            c.busy_until = None
            m.press("finish")
            self.counts["finished"] += 1

    # ------------------------------------------------------------ the console

    def _duty_manager(self, now: datetime) -> None:
        """Looks at the console every `review_minutes` and takes what the advisor proposes."""
        if self.console is None:
            return
        if self.next_review is None:
            self.next_review = now + self.review
        if now >= self.next_review:
            self.next_review = now + self.review
            self.counts["proposals_taken"] += self.console.take_proposals()

    # ------------------------------------------------------------ the pad

    def _pad(self) -> None:
        p = self.pad
        if p is None:
            return
        if p.page is Page.ASK:
            if "pad" not in self._want:
                self._want["pad"] = self.rng.choices([5, 4, 3, 2, 1, 0], [60, 17, 5, 3, 1, 14])[0]
                return  # the citizen reads the question first (one tick)
            level = self._want.pop("pad")
            if level == 0:
                return  # walks away: the pad's timeout leaves the ticket unrated
            p.choose(level)
            if level >= 3:
                self.counts["rated"] += 1
        elif p.page is Page.REASONS:
            p.toggle_reason(self.rng.choice(["态度", "效率", "材料要求"]))
            p.confirm()
            self.counts["rated"] += 1
