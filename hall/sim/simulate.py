"""The routing benchmark's simulation (`hall simulate`, BENCHMARK.md).

A deterministic (per seed) discrete-event simulation of whole days that drives the REAL
engine (`hall.core.engine.Engine`: issue → call_next → start → finish / no_show) with a simulated
clock, the real routing functions (`hall.core.routing.POLICIES`, resolved by the engine itself
from the policy name, exactly as the hub does) and the real wait estimator (the engine's
default, the one the hub uses unless told otherwise).

One fresh Engine per simulated day. Clerks call next whenever their window is free: after a
finish or a no-show the window calls at once; an idle window is woken when a ticket of a
queue in its profile is issued (longest-idle window first). A window that found nothing
stays idle until then — nothing else can give it work, since routing only looks at the
queues of its profile (and a ticket taken by one idle window leaves the others as empty as
before, so one successful call per arrival is enough).

Arrivals are generated from the scenario before the day is run and depend only on
(seed, day type, day index): every policy sees the very same citizens, with the same
service times and the same absences (common random numbers), so differences between
policies are routing, not luck.

Variants (what a row of the table runs) pair a routing policy with the windows' profiles:
- `dedicated`, `default`: the layout as it is (skills and default profiles).
- `pooled`: a derived layout in which every staffed window has every scenario queue as its
  skills and its profile (weight 1 each, the window's own home queue listed first), so the
  pooling reference really lets every window serve every ticket, served first come first
  served within the priority classes (green, appointment, walk-in) as `dedicated` is
  (BENCHMARK.md, clarified); `pooled-fcfs` the same layout in plain arrival order.
- `default+skills`: the product routing with each window's profile widened to its whole
  skills, each queue weighted by its scarcity (see `variant_layout`): what a manager gets
  by letting every window help as far as its clerks can, without any rebalancing. (A
  static stand-in for the rebalancing advisor.)
- `default+advisor`: the product routing on the layout's own profiles, with the rebalancing
  advisor run the hub's way: `hall.core.advisor.run_once(engine, memory, config_for(layout))`,
  the very call of hall.server.advising.AdvisorRunner, every `every_minutes` of the
  simulated clock, each proposal applied at once through `Engine.set_profile` (as a hall
  with `[advisor] auto_apply = true`). It never sees the scenario: its forecast is what the
  engine's history learned from the days simulated before (`engine.history`, as the hub's
  from its store), scaled by what the day so far brought.
- `default+advisor+late40`: the same with the layout's `[priority] late_wait_minutes = 40`,
  the 40-minute cap (what a hall gets that does not set it): the classes keep their
  priority until the cap. The Jiangbei layouts set 8 (hall.core.routing: from 8 minutes a
  ticket goes first at any free window able to serve it, whatever its class, the green
  channel's minutes counting at its rate); this row shows what that trades.

Floors: a citizen called to a window on another floor than their queue's waiting area walks
over (the layout's `[hall] walk_minutes_between_floors` per floor, or the scenario's
`[scenario] walk_minutes_between_floors`, 0 in the standard scenario as in BENCHMARK.md).
Their wait ends at the call, as always; the window is busy from the call: the walk, then the
service (an absent citizen: the walk, then the lost minutes), and the engine's `start` comes
when the citizen arrives. A window with `other_floors` (hall.core.routing) is woken when a
ticket of such a queue has waited the layout's `other_floor_wait_minutes` — a clerk with
nothing to do calls again, as at the counter.

The estimate printed on tickets and the advisor learn their constants (bookings that never
come, how early booked citizens come, service times by queue and hour, the calibration of
the estimate) from the previous simulated days of the same row (hall.core.history): each
row is one run of consecutive days, its first day knowing only the priors.
"""

from __future__ import annotations

import heapq
import math
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import msgspec
import numpy as np

from hall.core import advisor as adv
from hall.core.engine import Engine, Estimator, PersonRef
from hall.core.forecast import baseline_estimate
from hall.core.history import History
from hall.core.layout import Layout, Window, load_layout
from hall.core.shape import ShapeError, convert
from hall.core.shipped import config_file

# ---------------------------------------------------------------- the scenario file


class ScenarioError(ValueError):
    """A scenario file is wrong. The message names the file, the key and what was expected."""

    def __init__(self, source: str, key: str, expected: str) -> None:
        super().__init__(f"{source}: {key}: {expected}")


class _RawMeta(msgspec.Struct, forbid_unknown_fields=True):
    layout: str
    date: str
    windows: str | list[int]
    name: str = "scenario"
    name_zh: str = ""
    issue_from: str = "09:00"
    issue_until: str = "16:30"
    close: str = "17:00"
    days: int = 300
    # the citizens' walk to a window on another floor, minutes per floor (the layout's
    # [hall] walk_minutes_between_floors); unset: the layout's
    walk_minutes_between_floors: float | None = None


class _RawArrivals(msgspec.Struct, forbid_unknown_fields=True):
    periods: list[tuple[str, str, float]]
    green_share: float = 0.0
    normalise: str = "time"  # "time": time-weighted mean multiplier 1; "periods": plain mean


class _RawAppointments(msgspec.Struct, forbid_unknown_fields=True):
    slot_minutes: int = 15
    first_slot: str = "09:00"
    last_slot: str = "16:15"
    arrival_offset_mean: float = 0.0
    arrival_offset_sd: float = 0.0
    no_come: float = 0.0
    scale_with_day_type: bool = True  # a busy day's factor applies to bookings too
    # What the queues' `appointments` figures count: "bookings" (all booked citizens, of
    # whom `no_come` stay away) or "arrivals" (the booked citizens who come; the bookings
    # are then that / (1 - no_come)). See docs/benchmark/reference.md, reading D.
    counts: str = "bookings"
    # How many bookings a day has and where their slots fall (BENCHMARK.md, clarified):
    # "exact" the table's figure (times a scaled day type's factor, rounded) or "poisson"
    # around it; slots drawn "random"ly (uniform, independent: they may cluster) or spread
    # "even"ly over the day.
    booking_count: str = "exact"
    slot_draw: str = "random"


class _RawNoShow(msgspec.Struct, forbid_unknown_fields=True):
    share: float = 0.0
    lost_minutes: float = 1.0


class _RawQueue(msgspec.Struct, forbid_unknown_fields=True):
    id: str
    walk_ins: float
    service_mean: float
    service_cv: float
    appointments: float = 0.0


class _RawScenario(msgspec.Struct, forbid_unknown_fields=True):
    scenario: _RawMeta
    arrivals: _RawArrivals
    queues: list[_RawQueue]
    appointments: _RawAppointments = msgspec.field(default_factory=_RawAppointments)
    no_show: _RawNoShow = msgspec.field(default_factory=_RawNoShow)
    day_types: dict[str, float] = msgspec.field(default_factory=lambda: {"normal": 1.0})
    reference: dict[str, dict[str, tuple[float, float, float]]] = msgspec.field(
        default_factory=dict
    )
    # day type -> variant -> metric -> (">=" or "<=", bound): targets the table checks
    targets: dict[str, dict[str, dict[str, tuple[str, float]]]] = msgspec.field(
        default_factory=dict
    )


@dataclass(frozen=True)
class QueueScenario:
    id: str
    walk_ins: float  # per normal day
    appointments: float  # booked per normal day
    service_mean: float
    service_cv: float

    @property
    def lognormal(self) -> tuple[float, float]:
        """(mu, sigma) of the lognormal with this MEAN (not median) and coefficient of
        variation: sigma² = ln(1 + cv²), mu = ln(mean) − sigma²/2."""
        s2 = math.log1p(self.service_cv**2)
        return math.log(self.service_mean) - s2 / 2, math.sqrt(s2)


@dataclass(frozen=True)
class Scenario:
    source: str
    name: str
    name_zh: str
    layout: Layout
    day: date
    windows: tuple[int, ...]
    issue_from: float  # minutes after midnight
    issue_until: float
    close: float
    days: int
    periods: tuple[tuple[float, float, float], ...]  # (start, end, normalised multiplier)
    green_share: float
    slots: tuple[float, ...]  # appointment slot starts, minutes after midnight
    offset_mean: float
    offset_sd: float
    no_come: float
    appointments_scale: bool  # day-type factor applies to bookings
    booking_exact: bool  # exactly the (scaled, rounded) figure of bookings a day, else Poisson
    slots_random: bool  # each booking's slot drawn uniformly, else spread evenly
    absent_share: float
    absent_minutes: float
    day_types: Mapping[str, float]
    queues: tuple[QueueScenario, ...]
    # day type -> variant -> (mean, p95, mean daily max) minutes from elsewhere, to check
    reference: Mapping[str, Mapping[str, tuple[float, float, float]]] = field(default_factory=dict)
    # day type -> variant -> metric -> (">=" or "<=", bound): see hall.sim.metrics.TARGET_METRICS
    targets: Mapping[str, Mapping[str, Mapping[str, tuple[str, float]]]] = field(
        default_factory=dict
    )

    @property
    def queue_ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.queues)


def _minutes(src: str, key: str, s: str) -> float:
    m = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", s)
    if not m:
        raise ScenarioError(src, key, f"a time like 09:00, got {s!r}")
    return int(m.group(1)) * 60.0 + int(m.group(2))


def _share(src: str, key: str, x: float) -> float:
    if not 0.0 <= x < 1.0:
        raise ScenarioError(src, key, f"a share from 0 to below 1, got {x}")
    return x


def apply_overrides(src: str, data: dict[str, Any], overrides: Sequence[str]) -> None:
    """`key.path=value` edits of a scenario's TOML data (`hall simulate --set`): the value
    is read as TOML (1.05, "periods", false, [1, 2]) and, failing that, as a string. A
    queue is addressed by its id: `queues.G.walk_ins=320`."""
    for item in overrides:
        key, eq, text = item.partition("=")
        key = key.strip()
        if not eq or not key:
            raise ScenarioError(src, "--set", f"key=value, got {item!r}")
        try:
            value = tomllib.loads(f"v = {text.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            value = text.strip()
        parts = key.split(".")
        node: Any = data
        for i, part in enumerate(parts[:-1]):
            if isinstance(node, list):  # queues: by id
                found = [x for x in node if isinstance(x, dict) and x.get("id") == part]
                if not found:
                    ids = ", ".join(str(x.get("id")) for x in node if isinstance(x, dict))
                    raise ScenarioError(src, key, f"one of {ids} at {'.'.join(parts[: i + 1])}")
                node = found[0]
            elif isinstance(node, dict):
                node = node.setdefault(part, {})
            else:
                raise ScenarioError(src, key, f"a table at {'.'.join(parts[: i + 1])}")
        if not isinstance(node, dict):
            raise ScenarioError(src, key, f"a table at {'.'.join(parts[:-1])}")
        node[parts[-1]] = value


def load_scenario(path: str | Path, overrides: Sequence[str] = ()) -> Scenario:
    """Read and validate a scenario file (and the layout it names), with `overrides`
    (see `apply_overrides`) applied before validation."""
    p = Path(path)
    raw, src = _read_raw_scenario(p, overrides)
    meta = raw.scenario
    layout = load_layout(p.parent / meta.layout)
    if meta.walk_minutes_between_floors is not None:
        if not 0 <= meta.walk_minutes_between_floors <= 60:
            raise ScenarioError(src, "scenario.walk_minutes_between_floors", "minutes from 0 to 60")
        layout = replace(layout, walk_minutes_between_floors=meta.walk_minutes_between_floors)
    day = _scenario_day(meta, layout, src)
    windows = _staffed_windows(meta, layout, src)
    issue_from = _minutes(src, "scenario.issue_from", meta.issue_from)
    issue_until = _minutes(src, "scenario.issue_until", meta.issue_until)
    close = _minutes(src, "scenario.close", meta.close)
    if not issue_from < issue_until <= close:
        raise ScenarioError(src, "scenario", "issue_from < issue_until <= close")
    norm = _arrival_periods(raw.arrivals, issue_from, issue_until, src)
    ap = raw.appointments
    slots = _appointment_slots(ap, issue_from, issue_until, src)
    no_come = _share(src, "appointments.no_come", ap.no_come)  # below 1
    queues = _queue_scenarios(raw, layout, windows, _booked_per_listed(ap, no_come, src), src)
    for name, f in raw.day_types.items():
        if f <= 0:
            raise ScenarioError(src, f"day_types.{name}", "a positive factor")
    return Scenario(
        source=src, name=meta.name, name_zh=meta.name_zh or meta.name, layout=layout, day=day,
        windows=windows, issue_from=issue_from, issue_until=issue_until, close=close,
        days=meta.days, periods=norm,
        green_share=_share(src, "arrivals.green_share", raw.arrivals.green_share), slots=slots,
        offset_mean=ap.arrival_offset_mean, offset_sd=ap.arrival_offset_sd,
        no_come=no_come,
        appointments_scale=ap.scale_with_day_type,
        booking_exact=_choice(src, "appointments.booking_count", ap.booking_count,
                              ("exact", "poisson")) == "exact",
        slots_random=_choice(src, "appointments.slot_draw", ap.slot_draw,
                             ("random", "even")) == "random",
        absent_share=_share(src, "no_show.share", raw.no_show.share),
        absent_minutes=raw.no_show.lost_minutes, day_types=dict(raw.day_types),
        queues=tuple(queues), reference=raw.reference, targets=_targets(raw.targets, src),
    )  # fmt: skip


def _read_raw_scenario(p: Path, overrides: Sequence[str]) -> tuple[_RawScenario, str]:
    """The file's TOML with the overrides applied, in its raw shape; and the name errors
    give it (the path, plus the overrides if any)."""
    src = str(p)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except OSError as e:
        raise ScenarioError(src, "(file)", f"a readable file ({e.strerror})") from e
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(src, "(file)", f"valid TOML ({e})") from e
    apply_overrides(src, data, overrides)
    if overrides:
        src = f"{src} with {' '.join(overrides)}"
    try:
        return convert(data, _RawScenario), src
    except ShapeError as e:
        raise ScenarioError(src, e.path, e.expected) from e


def _scenario_day(meta: _RawMeta, layout: Layout, src: str) -> date:
    """The simulated date: a working day of the layout."""
    try:
        day = date.fromisoformat(meta.date)
    except ValueError as e:
        raise ScenarioError(
            src, "scenario.date", f"a date like 2026-11-26, got {meta.date!r}"
        ) from e
    if not layout.hours.is_working_day(day):
        raise ScenarioError(src, "scenario.date", f"a working day of the layout, got {day}")
    return day


def _staffed_windows(meta: _RawMeta, layout: Layout, src: str) -> tuple[int, ...]:
    """The staffed windows, a list or a range like "1-30", all of them the layout's."""
    if isinstance(meta.windows, list):
        windows = tuple(meta.windows)
    else:
        m = re.fullmatch(r"(\d+)\s*-\s*(\d+)", meta.windows)
        if not m:
            raise ScenarioError(
                src, "scenario.windows", f'a range like "1-30", got {meta.windows!r}'
            )
        windows = tuple(range(int(m.group(1)), int(m.group(2)) + 1))
    for n in windows:
        if n not in layout.windows:
            raise ScenarioError(src, "scenario.windows", f"windows of the layout, got {n}")
    return windows


def _arrival_periods(
    arr: _RawArrivals, issue_from: float, issue_until: float, src: str
) -> tuple[tuple[float, float, float], ...]:
    """The arrival periods in minutes, their multipliers normalised as `normalise` says."""
    periods = []
    for i, (a, b, mult) in enumerate(arr.periods):
        key = f"arrivals.periods[{i}]"
        s, end = _minutes(src, key, a), _minutes(src, key, b)
        if s >= end or mult < 0 or s < issue_from or end > issue_until:
            raise ScenarioError(src, key, "start < end within the issuing hours, multiplier ≥ 0")
        periods.append((s, end, mult))
    total = sum(b - a for a, b, _ in periods)
    # "time": the time-weighted mean is 1, so a day brings `walk_ins` people on average.
    mean_mult = sum((b - a) * x for a, b, x in periods) / total
    if arr.normalise == "periods":
        # The plain mean of the listed multipliers is 1 (it already is for the standard
        # eight; the last period lasting half an hour, a day brings 462/450 = 2.7 % more
        # than `walk_ins`): the standard scenario's reading of BENCHMARK.md, under which
        # our rows agree with the reference figures (docs/benchmark/reference.md).
        mean_mult = sum(x for _, _, x in periods) / len(periods)
    elif arr.normalise != "time":
        raise ScenarioError(src, "arrivals.normalise", '"time" or "periods"')
    if mean_mult <= 0:
        raise ScenarioError(src, "arrivals.periods", "some positive multiplier")
    return tuple((a, b, x / mean_mult) for a, b, x in periods)


def _appointment_slots(
    ap: _RawAppointments, issue_from: float, issue_until: float, src: str
) -> tuple[float, ...]:
    """The appointment slots' starts, in minutes, all within the issuing hours."""
    first = _minutes(src, "appointments.first_slot", ap.first_slot)
    last = _minutes(src, "appointments.last_slot", ap.last_slot)
    if ap.slot_minutes <= 0 or first > last or first < issue_from or last >= issue_until:
        raise ScenarioError(src, "appointments", "slots within the issuing hours")
    return tuple(np.arange(first, last + 1e-9, ap.slot_minutes).tolist())


def _targets(
    raw: dict[str, dict[str, dict[str, tuple[str, float]]]], src: str
) -> dict[str, dict[str, dict[str, tuple[str, float]]]]:
    from hall.sim.metrics import TARGET_METRICS

    for dt, rows in raw.items():
        for variant, figs in rows.items():
            for metric, (op, _bound) in figs.items():
                key = f"targets.{dt}.{variant}.{metric}"
                if metric not in TARGET_METRICS:
                    raise ScenarioError(src, key, f"one of {', '.join(TARGET_METRICS)}")
                if op not in ("<=", ">="):
                    raise ScenarioError(src, key, '["<=", bound] or [">=", bound]')
    return raw


def _choice(src: str, key: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ScenarioError(src, key, " or ".join(f'"{a}"' for a in allowed))
    return value


def _booked_per_listed(ap: _RawAppointments, no_come: float, src: str) -> float:
    """Bookings per listed appointment: 1 when the figures count bookings, more when they
    count the booked citizens who come."""
    if ap.counts == "bookings":
        return 1.0
    if ap.counts == "arrivals":
        return 1 / (1 - no_come)
    raise ScenarioError(src, "appointments.counts", '"bookings" or "arrivals"')


def _queue_scenarios(
    raw: _RawScenario,
    layout: Layout,
    windows: tuple[int, ...],
    booked_per_listed: float,
    src: str,
) -> list[QueueScenario]:
    """The scenario's queues: the layout's, served by some staffed window, with sane rates;
    their appointments counted as bookings."""
    queues = []
    for i, q in enumerate(raw.queues):
        key = f"queues[{i}]"
        if q.id not in layout.queues:
            raise ScenarioError(src, key + ".id", f"a queue of the layout, got {q.id!r}")
        if q.walk_ins < 0 or q.appointments < 0 or q.service_mean <= 0 or q.service_cv <= 0:
            raise ScenarioError(src, key, "non-negative rates, positive service mean and CV")
        served = any(q.id in layout.windows[n].skills for n in windows)
        if not served:
            raise ScenarioError(src, key + ".id", f"a queue some staffed window can serve: {q.id}")
        booked = q.appointments * booked_per_listed  # QueueScenario counts bookings
        queues.append(QueueScenario(q.id, q.walk_ins, booked, q.service_mean, q.service_cv))
    if not queues:
        raise ScenarioError(src, "queues", "at least one queue")
    return queues


def standard_scenario_path() -> Path:
    """The shipped scenario-standard.toml (config/ in a clone)."""
    return config_file("scenario-standard.toml")


# ---------------------------------------------------------------- variants


@dataclass(frozen=True)
class Variant:
    """A row of the benchmark: a routing policy (a key of hall.core.routing.POLICIES) and how
    the windows' profiles are set up."""

    name: str
    policy: str
    profiles: str  # "layout", "pooled" or "skills"
    advisor: bool = False  # run the rebalancing advisor and apply its proposals
    late_wait_minutes: float | None = None  # the layout's [priority] late_wait_minutes, if set


VARIANTS: dict[str, Variant] = {
    "dedicated": Variant("dedicated", "dedicated", "layout"),
    "pooled": Variant("pooled", "pooled_classes", "pooled"),
    "pooled-fcfs": Variant("pooled-fcfs", "pooled", "pooled"),
    "default": Variant("default", "default", "layout"),
    "default+skills": Variant("default+skills", "default", "skills"),
    "default+advisor": Variant("default+advisor", "default", "layout", advisor=True),
    "default+advisor+late40": Variant(
        "default+advisor+late40", "default", "layout", advisor=True, late_wait_minutes=40.0
    ),
}


def variant_layout(sc: Scenario, variant: Variant) -> Layout:
    """The layout a variant runs on (see the module docstring)."""
    if variant.late_wait_minutes is not None:
        late = replace(sc.layout.priority, late_wait_minutes=variant.late_wait_minutes)
        sc = replace(sc, layout=replace(sc.layout, priority=late))
    if variant.profiles == "layout":
        return sc.layout
    qs = sc.queue_ids
    able = {q: sum(q in sc.layout.windows[k].skills for k in sc.windows) for q in qs}
    windows: dict[int, Window] = {}
    for n, w in sc.layout.windows.items():
        home = next(iter(w.profile))
        if variant.profiles == "pooled" and n in sc.windows:
            order = [home, *(q for q in qs if q != home)] if home in qs else list(qs)
            skills = tuple(dict.fromkeys([*order, *w.skills]))
            windows[n] = replace(w, skills=skills, profile=dict.fromkeys(order, 1.0))
        elif variant.profiles == "skills" and n in sc.windows:
            # The whole skills, home queue first, each queue weighted by its scarcity: a queue
            # that few staffed windows can serve gets a higher weight wherever it can be
            # served (weight = (staffed windows / windows able to serve it) ** 1.5; the
            # exponent was chosen on the standard scenario for Jain's index).
            order = [home, *(q for q in w.skills if q != home)]
            prof = {q: (len(sc.windows) / able[q]) ** 1.5 if able.get(q) else 1.0 for q in order}
            windows[n] = replace(w, profile=prof)
        else:
            windows[n] = w
    return replace(sc.layout, windows=windows)


# ---------------------------------------------------------------- one day

KIND_NORMAL, KIND_APPOINTMENT, KIND_GREEN = 0, 1, 2
CLASSES = ("normal", "appointment", "green")
_ELDERLY = date(1940, 1, 1)  # a birth date that makes the engine's green channel apply


@dataclass(slots=True)
class Citizen:
    arrive: float  # minutes after midnight
    queue: int  # index into the scenario's queues
    kind: int
    service: float  # minutes at the window, if present
    absent: bool  # absent when called
    slot: float = 0.0  # appointments: the booked slot
    comes: bool = True  # appointments: False for a booking nobody comes for


def day_seed(seed: int, day_type: str, day_index: int) -> list[int]:
    """The random stream of one simulated day: independent of the policy."""
    return [seed, sum(map(ord, day_type)), day_index]


def generate_day(sc: Scenario, factor: float, rng: np.random.Generator) -> list[Citizen]:
    """The citizens of one day, sorted by arrival time: those who come, and the bookings
    nobody comes for (`comes` False: booked in the engine, never checked in)."""
    out: list[Citizen] = []
    span = sc.issue_until - sc.issue_from
    latest = sc.issue_until - 1e-3
    early = sc.layout.priority.appointment_early_minutes
    for qi, q in enumerate(sc.queues):
        mu, sigma = q.lognormal
        # walk-ins: a Poisson count per period, uniform within it
        rate = q.walk_ins * factor / span  # per minute, before the period multiplier
        for s, e, mult in sc.periods:
            n = int(rng.poisson(rate * mult * (e - s)))
            times = rng.uniform(s, e, n)
            green = rng.random(n) < sc.green_share
            service = rng.lognormal(mu, sigma, n)
            absent = rng.random(n) < sc.absent_share
            for i in range(n):
                kind = KIND_GREEN if green[i] else KIND_NORMAL
                out.append(Citizen(float(times[i]), qi, kind, float(service[i]), bool(absent[i])))
        # appointments: a day's bookings, each in a slot, arrive around it, some never come
        expected = q.appointments * (factor if sc.appointments_scale else 1.0)
        booked = round(expected) if sc.booking_exact else int(rng.poisson(expected))
        nslots = len(sc.slots)
        if sc.slots_random:
            slot_of = rng.integers(0, nslots, booked)
        else:
            slot_of = np.arange(booked) * nslots // max(booked, 1)
        comes = rng.random(booked) >= sc.no_come
        offsets = rng.normal(sc.offset_mean, sc.offset_sd, booked)
        service = rng.lognormal(mu, sigma, booked)
        absent = rng.random(booked) < sc.absent_share
        for j in range(booked):
            slot = sc.slots[int(slot_of[j])]
            # The hall opens at issue_from: an early bird waits at the door; and the kiosk
            # accepts an appointment from `appointment_early_minutes` before its slot (a
            # 5-sigma early bird, about once per 300 days, waits until then).
            earliest = max(sc.issue_from, slot - early)
            t = min(max(slot + float(offsets[j]), earliest), latest)
            out.append(
                Citizen(t, qi, KIND_APPOINTMENT, float(service[j]), bool(absent[j]), slot=slot,
                        comes=bool(comes[j]))
            )  # fmt: skip
    out.sort(key=lambda c: (c.arrive, c.queue, c.kind))
    return out


@dataclass
class DayResult:
    """Per ticket (arrays in issue order) and per window figures of one simulated day."""

    queue: np.ndarray  # int8, index into scenario queues
    cls: np.ndarray  # int8, index into CLASSES (the class the engine gave the ticket)
    issued: np.ndarray  # float32 minutes after midnight
    called: np.ndarray  # float32 minutes after midnight
    estimate: np.ndarray  # float32 minutes: the engine's estimator (printed on the ticket)
    est_low: np.ndarray
    est_high: np.ndarray
    baseline: np.ndarray  # float32 minutes: hall.core.forecast.baseline_estimate, same moment
    busy: np.ndarray  # float32 minutes per staffed window (serving or waiting for an absentee)
    end: float  # when the last window finished, minutes after midnight
    moves: int = 0  # profile changes by the rebalancing advisor after opening
    opening_moves: int = 0  # ... and before it (the day's plan)

    @property
    def wait(self) -> np.ndarray:
        return self.called - self.issued


class SimClock:
    """The engine's clock: a settable number of minutes after the day's midnight."""

    __slots__ = ("midnight", "t")

    def __init__(self, day: date) -> None:
        self.midnight = datetime.combine(day, time())
        self.t = 0.0

    def __call__(self) -> datetime:
        return self.midnight + timedelta(minutes=self.t)


def make_engine(
    sc: Scenario, variant: Variant, clock: SimClock, estimator: Estimator | None = None
) -> Engine:
    """A fresh engine for one day, as the hub would build it: the policy by name (the engine
    resolves it in hall.core.routing.POLICIES), the default estimator unless told otherwise."""
    layout = variant_layout(sc, variant)
    if estimator is None:
        return Engine(layout, clock, policy=variant.policy)
    return Engine(layout, clock, policy=variant.policy, estimator=estimator)


_ARRIVE, _NO_SHOW, _FINISH, _ADVISE, _START, _WAKE = 0, 1, 2, 3, 4, 5


def simulate_day(
    sc: Scenario,
    variant: Variant,
    citizens: list[Citizen],
    estimator: Estimator | None = None,
    on_engine: Callable[[Engine], None] | None = None,
    history: History | None = None,
) -> DayResult:
    """Run one day through a fresh engine that knows `history` (the days simulated before:
    what the hub would have learned from its store), then add the day to it; return what
    happened to every ticket. The advisor runs with the hub's settings for the layout."""
    clock = SimClock(sc.day)
    eng = make_engine(sc, variant, clock, estimator)
    if history is not None:
        eng.history = history
    if on_engine is not None:
        on_engine(eng)
    day = _Day(sc, eng, clock, citizens, adv.config_for(eng.layout))
    day.prepare()
    out = day.run(advise=variant.advisor)
    if history is not None:
        history.learn(eng.tickets.values(), eng.appointments.values())
    return out


class _TicketLog:
    """The per-ticket arrays of one day, one row per ticket in issue order (sized for every
    citizen; a day's result keeps the rows that were issued)."""

    def __init__(self, n: int) -> None:
        self.queue = np.zeros(n, np.int8)
        self.cls = np.zeros(n, np.int8)
        self.issued = np.full(n, np.nan, np.float32)
        self.called = np.full(n, np.nan, np.float32)
        self.estimate = np.zeros(n, np.float32)
        self.est_low = np.zeros(n, np.float32)
        self.est_high = np.zeros(n, np.float32)
        self.baseline = np.zeros(n, np.float32)

    def issue(self, row: int, queue: int, cls: int, t: float, ticket: dict[str, Any]) -> None:
        """Row `row` was issued at `t` with the engine's ticket (its class and estimate)."""
        self.queue[row], self.cls[row], self.issued[row] = queue, cls, t
        self.estimate[row], self.est_low[row], self.est_high[row] = (
            ticket["estimate"],
            ticket["estimate_low"],
            ticket["estimate_high"],
        )


class _Day:
    """One simulated day in progress: the engine and its clock, the event heap (arrivals,
    windows coming free, advisor rounds), the idle windows and the tickets so far.

    Heap entries are (minutes, kind, sequence, subject): the subject is a citizen's index
    for an arrival, a window number otherwise; the sequence keeps equal times in order."""

    def __init__(
        self,
        sc: Scenario,
        eng: Engine,
        clock: SimClock,
        citizens: list[Citizen],
        cfg: adv.AdvisorConfig,
    ) -> None:
        self.sc, self.eng, self.clock, self.citizens, self.cfg = sc, eng, clock, citizens, cfg
        self.qids = sc.queue_ids
        self.persons: dict[int, PersonRef] = {}
        self.log = _TicketLog(len(citizens))
        self.busy = dict.fromkeys(sc.windows, 0.0)
        self.cls_index = {c: i for i, c in enumerate(CLASSES)}
        self.by_id: dict[str, int] = {}  # ticket id -> row
        self.rows: list[int] = []  # row -> citizen index
        self.heap: list[tuple[float, int, int, int]] = [
            (c.arrive, _ARRIVE, i, i) for i, c in enumerate(citizens) if c.comes
        ]
        heapq.heapify(self.heap)
        self.seq = len(citizens)
        self.idle: dict[int, float] = dict.fromkeys(sc.windows, sc.issue_from)  # since when
        self.end = sc.issue_from
        self.memory = adv.Memory()
        lay = eng.layout
        # walk time per (window, queue): the citizen crosses floors to a window elsewhere
        self.walk = {
            (n, q): lay.walk_minutes(lay.windows[n].floor, lay.queues[q].floor)
            for n in sc.windows for q in self.qids
        }  # fmt: skip
        self.walking: dict[int, float] = {}  # window -> service minutes once the citizen is there
        # queue -> the staffed windows that may call it from another floor, and from when
        self.far = {q: [n for n in sc.windows if q in lay.windows[n].other_floors]
                    for q in self.qids}  # fmt: skip
        self.far_after = lay.priority.other_floor_wait_minutes
        self.moves = 0  # after opening
        self.opening_moves = 0  # the plan before it

    def prepare(self) -> None:
        """Before opening: book the appointments, open the windows, sign the clerks in."""
        sc, eng, clock = self.sc, self.eng, self.clock
        clock.t = sc.issue_from - 60
        for i, c in enumerate(self.citizens):
            if c.kind == KIND_APPOINTMENT:
                self.persons[i] = PersonRef(f"ap{i}")
                eng.book_appointment(
                    person=self.persons[i],
                    queue=self.qids[c.queue],
                    slot=clock.midnight + timedelta(minutes=c.slot),
                )
            elif c.kind == KIND_GREEN:
                self.persons[i] = PersonRef(f"gr{i}", birth_date=_ELDERLY)
        for n in sc.windows:
            eng.open_window(window=n)
            eng.sign_in(window=n, post="A", staff_no=f"S{n:03d}", name=f"窗口{n}")
        self.windows = eng.windows  # live: the advisor changes their profiles

    def run(self, *, advise: bool) -> DayResult:
        """Play the events in time order until none is left (with advisor rounds from the
        opening on if `advise`); return the day's figures."""
        heap = self.heap
        if advise:  # the first round before opening: the day's plan
            heapq.heappush(heap, (self.sc.issue_from - self.cfg.every_minutes, _ADVISE, -1, 0))
        while heap:
            t, kind, _, x = heapq.heappop(heap)
            self.clock.t = t
            if kind == _ADVISE:
                self.advise(t)
            elif kind == _ARRIVE:
                self.arrive(x, t)
            elif kind == _START:
                self.start(x, t)
            elif kind == _WAKE:
                self.wake_far(self.qids[x], t)
            else:
                self.window_free(x, t, finished=kind == _FINISH)
        return self.result()

    def advise(self, t: float) -> None:
        """An advisor round: apply its proposals, let an idle window with a new profile call
        at once, and plan the next round while the day has more to happen."""
        eng = self.eng
        props = adv.run_once(eng, self.memory, self.cfg)  # as the hub's AdvisorRunner calls it
        for p in props:
            eng.set_profile(window=p.window, profile=p.profile, by="advisor", reason=p.reason)
        adv.apply_memory(self.memory, props, self.clock())
        if t < self.sc.issue_from:
            self.opening_moves += len(props)
        else:
            self.moves += len(props)
        for p in props:  # an idle window may find work in its new profile at once
            if p.window in self.idle:
                got = eng.call_next(window=p.window).value["ticket"]
                if got is not None:
                    del self.idle[p.window]
                    self.serve(p.window, got, t)
        if self.heap:  # more to happen today: look again later
            self.seq += 1
            heapq.heappush(self.heap, (t + self.cfg.every_minutes, _ADVISE, self.seq, 0))

    def arrive(self, x: int, t: float) -> None:
        """Citizen `x` takes a ticket (recorded with its printed estimate and the simple
        baseline of the same moment); the longest-idle window that may take it calls."""
        eng, c = self.eng, self.citizens[x]
        q = self.qids[c.queue]
        base = baseline_estimate(eng, q)
        if c.kind == KIND_APPOINTMENT:
            out = eng.issue(queue=q, person=self.persons[x], channel="appointment")
        else:
            out = eng.issue(queue=q, person=self.persons.get(x))
        tk = out.value["ticket"]
        row = len(self.rows)
        self.rows.append(x)
        self.by_id[tk["id"]] = row
        self.log.issue(row, c.queue, self.cls_index[tk["priority"]], t, tk)
        self.log.baseline[row] = base.minutes
        self.wake_idle_window(q, t)
        if self.far[q] and math.isfinite(self.far_after):  # other floors may help it later
            self.seq += 1
            heapq.heappush(self.heap, (t + self.far_after, _WAKE, self.seq, c.queue))

    def wake_far(self, q: str, t: float) -> None:
        """A ticket of `q` may now be called from another floor (it has waited the layout's
        `other_floor_wait_minutes`): the longest-idle window that may help it so calls next
        (the routing decides what; one success is enough, as in `wake_idle_window`)."""
        for _since, n in sorted((self.idle[n], n) for n in self.far[q] if n in self.idle):
            got = self.eng.call_next(window=n).value["ticket"]
            if got is not None:
                del self.idle[n]
                self.serve(n, got, t)
                break

    def wake_idle_window(self, q: str, t: float) -> None:
        """The longest-idle window with queue `q` in its profile calls next, else the
        longest-idle one that may help it (a neighbour: the routing decides); one success
        is enough: a ticket taken leaves the other idle windows as empty as before."""
        idle, nb = self.idle, self.eng.neighbours
        cand = sorted(
            (q not in self.windows[n].profile, s, n)
            for n, s in idle.items()
            if q in self.windows[n].profile or q in nb[n]
        )
        for _helper, _since, n in cand:
            got = self.eng.call_next(window=n).value["ticket"]
            if got is not None:
                del idle[n]
                self.serve(n, got, t)
                break

    def window_free(self, n: int, t: float, *, finished: bool) -> None:
        """Window `n` finished its ticket (or gave up on an absentee) and calls the next;
        with nothing to call it goes idle."""
        if finished:
            self.eng.finish(window=n)
        else:
            self.eng.no_show(window=n)
        self.end = max(self.end, t)
        got = self.eng.call_next(window=n).value["ticket"]
        if got is not None:
            self.serve(n, got, t)
        else:
            self.idle[n] = t

    def serve(self, n: int, ticket: dict[str, Any], t: float) -> None:
        """Window `n` called `ticket` at `t`: the citizen is served (or is absent and the
        window waits for them in vain); plan when the window comes free."""
        row = self.by_id[ticket["id"]]
        self.log.called[row] = t
        c = self.citizens[self.rows[row]]
        walk = self.walk[(n, ticket["queue"])]
        self.seq += 1
        self.busy[n] += walk  # the window waits while the citizen comes from another floor
        if c.absent:
            heapq.heappush(self.heap, (t + walk + self.sc.absent_minutes, _NO_SHOW, self.seq, n))
            self.busy[n] += self.sc.absent_minutes
        elif walk:
            self.walking[n] = c.service
            heapq.heappush(self.heap, (t + walk, _START, self.seq, n))
        else:
            self.start(n, t, c.service)

    def start(self, n: int, t: float, service: float | None = None) -> None:
        """The citizen is at window `n`: service starts; plan when it ends."""
        if service is None:
            service = self.walking.pop(n)
        self.eng.start(window=n)
        self.seq += 1
        heapq.heappush(self.heap, (t + service, _FINISH, self.seq, n))
        self.busy[n] += service

    def result(self) -> DayResult:
        """The day's figures, trimmed to the tickets issued."""
        k, log = len(self.rows), self.log
        return DayResult(
            queue=log.queue[:k], cls=log.cls[:k], issued=log.issued[:k], called=log.called[:k],
            estimate=log.estimate[:k], est_low=log.est_low[:k], est_high=log.est_high[:k],
            baseline=log.baseline[:k],
            busy=np.array([self.busy[n] for n in self.sc.windows], np.float32),
            end=self.end, moves=self.moves, opening_moves=self.opening_moves,
        )  # fmt: skip


def run_day(
    sc: Scenario,
    variant: Variant,
    day_type: str,
    day_index: int,
    seed: int,
    history: History | None = None,
) -> DayResult:
    """One simulated day of one variant (deterministic in its arguments and the history)."""
    rng = np.random.default_rng(day_seed(seed, day_type, day_index))
    citizens = generate_day(sc, sc.day_types[day_type], rng)
    return simulate_day(sc, variant, citizens, history=history)


@dataclass
class RunSpec:
    """What `run` simulates; picklable for worker processes."""

    scenario: str
    variants: tuple[str, ...]
    day_types: tuple[str, ...]
    days: int
    seed: int = 1
    extra: dict[str, Any] = field(default_factory=dict)
    overrides: tuple[str, ...] = ()  # `--set key=value` edits of the scenario


_WORKER_SC: dict[tuple[str, tuple[str, ...]], Scenario] = {}


def _scenario(path: str, overrides: tuple[str, ...] = ()) -> Scenario:
    sc = _WORKER_SC.get((path, overrides))
    if sc is None:
        sc = _WORKER_SC[(path, overrides)] = load_scenario(path, overrides)
    return sc


def _run_chunk(args: tuple[str, tuple[str, ...], str, str, int, int, int]) -> list[DayResult]:
    """Days first..last-1 of one variant and day type, in order, each learning from those
    before it (the hall's history starts empty on day `first`)."""
    path, overrides, variant, day_type, first, last, seed = args
    sc = _scenario(path, overrides)
    history = History()
    return [run_day(sc, VARIANTS[variant], day_type, i, seed, history) for i in range(first, last)]


def run(spec: RunSpec, jobs: int = 1) -> dict[tuple[str, str], list[DayResult]]:
    """Simulate every (day type, variant) for `spec.days` days; results in day order. Each
    (day type, variant) is one run of consecutive days: a hall that learns from its own past
    days (the first day knows only the priors), as the hub does from its store."""
    tasks = [
        (spec.scenario, spec.overrides, v, dt, 0, spec.days, spec.seed)
        for dt in spec.day_types
        for v in spec.variants
    ]
    if jobs > 1:
        import multiprocessing as mp

        with mp.get_context("fork").Pool(jobs) as pool:
            parts = pool.map(_run_chunk, tasks, chunksize=1)
    else:
        parts = [_run_chunk(t) for t in tasks]
    out: dict[tuple[str, str], list[DayResult]] = {}
    for t, days in zip(tasks, parts, strict=True):
        out.setdefault((t[3], t[2]), []).extend(days)
    return out
