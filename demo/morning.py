"""The morning the demo plays (`hall demo --crowd`): who staffs which window, who walks in,
and how long a service takes. No Qt, no sockets.

- `standard` (the default): a hall run as it should be. Every window of the layout is
  staffed all morning: each by its A post (主岗), and the B post (B岗, 顶岗补位制 / AB岗制
  of the reform documents: "A岗为主要工作人员，如有特殊情况，B岗作为替补上岗") takes the
  window over for the A clerk's 15-minute break, one window after another, so no window
  ever closes. Citizens come as the routing benchmark's standard scenario has them on a
  normal day (config/scenario-standard.toml, read by hall.sim's own reader and drawn by
  its `generate_day`): walk-ins by the hour's rate, elderly citizens (绿色通道), and booked
  citizens who check in around their slot (some never come); service times are the
  scenario's lognormals. The hall clock runs fast; the arrivals keep the hall's own times.
- `heavy`: the overloaded morning the demo used to play, kept on purpose: 12 windows
  staffed while a busy morning's walk-ins come (about 1.8 times what 12 clerks can serve),
  so queues, long waits and alerts are there to see.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import numpy as np

from hall.core.idnumber import make_id_number
from hall.core.layout import Layout
from hall.sim.simulate import (
    KIND_APPOINTMENT,
    KIND_GREEN,
    generate_day,
    load_scenario,
    standard_scenario_path,
)
from hall.wire.protocol import Card

CROWDS = ("standard", "heavy")
VISIBLE_WINDOWS = (5, 9)  # 2F: a no-distinction window and a market-supervision window
HEAVY_CROWD_WINDOWS = (1, 2, 6, 10, 11, 12, 20, 22, 26, 31)  # the heavy morning's others
# heavy: walk-ins per hall hour by queue (a busy morning, BENCHMARK.md's shares) and the
# service time, lognormal(ln(minutes) − 0.3, 0.7), as the demo always drew them
HEAVY_PER_HOUR = {"G": 48.0, "M": 30.0, "T": 8.0, "E": 9.0}
HEAVY_SERVICE_MINUTES = {"G": 10.0, "M": 15.0, "T": 12.0, "E": 20.0, "O": 3.0}
# standard: a share of the walk-ins takes its ticket at the kiosk on screen (kiosk-1, which
# shows each ticket for 8 s of wall time), the others at the crowd's kiosk-2
ON_SCREEN_SHARE = 0.05
BREAK_MINUTES = 15.0  # an A clerk's break, covered by the B post
FIRST_BREAK_AFTER = 20.0  # minutes after opening; the breaks follow one another from then
WALK_IN_CARD_SHARE = 0.7  # walk-ins who tap a card (the others take a ticket without one)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华"


def citizen(rng: random.Random, n: int, *, elderly: bool | None = None) -> Card:
    """A made-up citizen with a valid ID number; elderly (over 70) one time in eight
    unless told."""
    if elderly is None:
        elderly = rng.random() < 0.125
    year = rng.randint(1940, 1952) if elderly else rng.randint(1960, 2004)
    born = f"{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    idn = make_id_number(f"500105{born}{n % 1000:03d}")
    name = (
        rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
    )
    return Card(id_number=idn, name=name)


@dataclass(frozen=True)
class Arrival:
    """A citizen of the standard morning: when they come, for which queue, with which card
    (None: no card), and for a booked citizen the slot (booked before the day starts;
    `comes` False: a booking nobody comes for)."""

    at: datetime
    queue: str
    card: Card | None
    green: bool = False
    slot: datetime | None = None
    comes: bool = True


@dataclass(frozen=True)
class Morning:
    """What `hall demo` plays. `windows` are all the staffed ones (the two on screen
    included); the crowd thread runs `crowd_windows`."""

    crowd: str  # "standard" or "heavy"
    title: str
    windows: tuple[int, ...]
    crowd_windows: tuple[int, ...]
    service: dict[str, tuple[float, float]]  # queue -> lognormal (mu, sigma) of minutes
    arrivals: tuple[Arrival, ...] = ()  # the crowd's kiosk-2, in time order (standard)
    on_screen: tuple[Arrival, ...] = ()  # kiosk-1's citizens (standard)
    per_hour: dict[str, float] = field(default_factory=dict)  # heavy: Poisson walk-ins
    breaks: dict[int, tuple[datetime, datetime]] = field(default_factory=dict)  # A's break

    def service_mean(self, queue: str) -> float:
        """The mean service minutes of `queue` (the lognormal's mean)."""
        mu, sigma = self.service.get(queue, (math.log(10.0), 0.5))
        return math.exp(mu + sigma * sigma / 2)

    def draw_service(self, rng: random.Random, queue: str) -> float:
        mu, sigma = self.service.get(queue, (math.log(10.0), 0.5))
        return rng.lognormvariate(mu, sigma)


def morning(crowd: str, layout: Layout, opening: datetime, minutes: float, seed: int) -> Morning:
    """The morning of `crowd` ("standard" or "heavy") from `opening` for `minutes`."""
    if crowd == "heavy":
        return heavy_morning(layout)
    if crowd == "standard":
        return standard_morning(layout, opening, minutes, seed)
    raise ValueError(f"crowd {crowd!r}: one of {', '.join(CROWDS)}")


def heavy_morning(layout: Layout) -> Morning:
    windows = tuple(w for w in (*VISIBLE_WINDOWS, *HEAVY_CROWD_WINDOWS) if w in layout.windows)
    service = {q: (math.log(m) - 0.3, 0.7) for q, m in HEAVY_SERVICE_MINUTES.items()}
    return Morning(
        crowd="heavy",
        title="繁忙上午、人手不足 heavy: a busy morning, short-staffed on purpose",
        windows=windows,
        crowd_windows=tuple(w for w in windows if w not in VISIBLE_WINDOWS),
        service=service,
        per_hour={q: r for q, r in HEAVY_PER_HOUR.items() if q in layout.queues},
    )


def standard_morning(layout: Layout, opening: datetime, minutes: float, seed: int) -> Morning:
    """Every window staffed (A posts, B posts covering staggered breaks) and the standard
    scenario's normal day from `opening` for `minutes` (a little more, so the crowd never
    runs dry before the demo stops)."""
    sc = load_scenario(standard_scenario_path())
    day = opening.date()
    citizens = generate_day(sc, sc.day_types["normal"], np.random.default_rng([seed, 21]))
    rng = random.Random(seed)
    until = opening + timedelta(minutes=minutes + 10)
    crowd: list[Arrival] = []
    on_screen: list[Arrival] = []
    for n, c in enumerate(citizens):
        q = sc.queues[c.queue].id
        at = _at(day, c.arrive)
        if q not in layout.queues or at > until:
            continue
        if c.kind == KIND_APPOINTMENT:
            booked = citizen(rng, n, elderly=False)
            crowd.append(Arrival(at, q, booked, slot=_at(day, c.slot), comes=c.comes))
            continue
        green = c.kind == KIND_GREEN
        card: Card | None = citizen(rng, n, elderly=True) if green else None
        if card is None and rng.random() < WALK_IN_CARD_SHARE:
            card = citizen(rng, n, elderly=False)
        a = Arrival(at, q, card, green=green)
        (on_screen if rng.random() < ON_SCREEN_SHARE else crowd).append(a)
    windows = tuple(sorted(layout.windows))
    crowd_windows = tuple(w for w in windows if w not in VISIBLE_WINDOWS)
    # One A clerk's break after another, from FIRST_BREAK_AFTER on, spread over the morning.
    span = max(minutes - FIRST_BREAK_AFTER - BREAK_MINUTES, 1.0)
    breaks = {}
    for i, w in enumerate(crowd_windows):
        start = opening + timedelta(minutes=FIRST_BREAK_AFTER + span * i / len(crowd_windows))
        breaks[w] = (start, start + timedelta(minutes=BREAK_MINUTES))
    return Morning(
        crowd="standard",
        title=f"{sc.name_zh}（平常日） standard scenario, a normal day",
        windows=windows,
        crowd_windows=crowd_windows,
        service=_service(layout, {q.id: q.lognormal for q in sc.queues}),
        arrivals=tuple(sorted(crowd, key=lambda a: a.at)),
        on_screen=tuple(sorted(on_screen, key=lambda a: a.at)),
        breaks=breaks,
    )


def _service(
    layout: Layout, scenario: dict[str, tuple[float, float]]
) -> dict[str, tuple[float, float]]:
    """The scenario's service lognormals; a queue it has no figures for (the output window's
    O) its layout mean with a coefficient of variation of 0.8."""
    out = dict(scenario)
    s2 = math.log1p(0.8**2)
    for q in layout.queues.values():
        out.setdefault(q.id, (math.log(q.service_minutes) - s2 / 2, math.sqrt(s2)))
    return out


def _at(day: date, minutes: float) -> datetime:
    return datetime.combine(day, time()) + timedelta(minutes=minutes)
