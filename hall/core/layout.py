"""Hall layouts: TOML files validated into typed, frozen objects.

A layout is the one source of truth for a hall: floors, queues, windows
(their skills and default serving profiles), opening hours, working days,
priority rules, limits and devices. Every error names the file, the key and
what was expected (STYLE.md section 9).
"""

from __future__ import annotations

import enum
import math
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any

import msgspec

from hall.core.calendar import HallCalendar
from hall.core.shape import ShapeError, convert
from hall.core.shipped import builtin_layouts, config_file, layout_file, names_a_layout

CATCH_ALL = "*"  # a queue whose domains include "*" takes every item no other queue takes
# A serving profile's weights: the share of a window's calls each queue gets. A weight
# 10,000 times another gives that queue all but 0.01 % of the calls — anything beyond says
# nothing more, and a weight like 1e-300 made the wait estimate overflow (issue 3 audit).
PROFILE_WEIGHT_MIN, PROFILE_WEIGHT_MAX = 0.01, 100.0


class LayoutError(ValueError):
    """A layout file is wrong. The message names the file, the key and what was expected
    (or, when the file cannot be read at all, the file and why)."""

    def __init__(self, source: str, key: str, expected: str, *, message: str = "") -> None:
        super().__init__(message or f"{source}: {key}: {expected}")
        self.source = source
        self.key = key
        self.expected = expected


class WindowKind(enum.StrEnum):
    """Kinds of window in a reformed hall."""

    GENERAL = "general"  # 无差别综合窗口
    DOMAIN = "domain"  # 分领域综合窗口
    OUTPUT = "output"  # 出件窗口
    COMPLAINT = "complaint"  # 办不成事反映窗口
    KEY_ENTERPRISE = "key_enterprise"  # 重点企业服务窗口
    TEMPORARY = "temporary"  # 临时应急窗口

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    WindowKind.GENERAL: "无差别综合窗口",
    WindowKind.DOMAIN: "分领域综合窗口",
    WindowKind.OUTPUT: "出件窗口",
    WindowKind.COMPLAINT: "办不成事反映窗口",
    WindowKind.KEY_ENTERPRISE: "重点企业服务窗口",
    WindowKind.TEMPORARY: "临时窗口",
}

# ---- raw TOML shape (msgspec rejects unknown keys and wrong types, naming the path) ----


class _RawHall(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    name_en: str = ""
    notice: str = ""
    notice_en: str = ""
    min_comprehensive_share: float = 0.0  # warn below this share of comprehensive windows
    # a citizen called to a window on another floor than their queue's waiting area walks
    # this long per floor of difference (floors in the file's order); the window waits
    walk_minutes_between_floors: float = 0.0


class _RawHours(msgspec.Struct, forbid_unknown_fields=True):
    sessions: list[tuple[str, str]]
    issue_until: str | None = None
    working_days: list[str] = msgspec.field(
        default_factory=lambda: ["mon", "tue", "wed", "thu", "fri"]
    )
    # Local changes on top of the official calendar (the State Council's holidays and
    # make-up workdays come from the `chinese-calendar` package: hall/core/calendar.py).
    holidays: list[str] = msgspec.field(default_factory=list)
    extra_working_days: list[str] = msgspec.field(default_factory=list)
    official_calendar: bool = True


class _RawFloor(msgspec.Struct, forbid_unknown_fields=True):
    id: str
    name: str
    name_en: str = ""


class _RawQueue(msgspec.Struct, forbid_unknown_fields=True):
    id: str
    name: str
    prefix: str
    floor: str
    area: str
    name_en: str = ""
    area_en: str = ""
    domains: list[str] = msgspec.field(default_factory=list)
    daily_cap: int = 0
    service_minutes: float = 10.0
    booking_per_slot: int = 0  # online bookings per 15-minute slot (hall web); 0: none


class _RawWindow(msgspec.Struct, forbid_unknown_fields=True):
    floor: str
    kind: str
    skills: list[str]
    profile: dict[str, float]
    number: int | None = None
    numbers: str | list[int] | None = None
    name: str = ""
    # queues waiting on another floor this window may call, only under the hall's
    # [priority] other_floor_wait_minutes rule (hall.core.routing); never in its profile
    other_floors: list[str] = msgspec.field(default_factory=list)


class _RawPriority(msgspec.Struct, forbid_unknown_fields=True):
    green_channel_age: int = 70
    appointment_early_minutes: int = 30
    appointment_late_minutes: int = 15
    rates: dict[str, float] = msgspec.field(
        default_factory=lambda: {"normal": 1.0, "appointment": 3.0, "green": 4.0}
    )
    max_wait_minutes: float = 40.0
    # from this wait on, a ticket is called by any free window able to take it, before the
    # classes' accumulated priority (hall.core.routing); unset: max_wait_minutes
    late_wait_minutes: float | None = None
    # a window with nobody waiting in its profile's or its floor's neighbouring queues calls
    # a ticket of its `other_floors` queues that has waited this long; unset: never
    other_floor_wait_minutes: float | None = None


class _RawLimits(msgspec.Struct, forbid_unknown_fields=True):
    active_per_person_per_queue: int = 1
    tickets_per_person_per_day: int = 5
    allow_without_card: bool = True


class _RawNoShow(msgspec.Struct, forbid_unknown_fields=True):
    recalls_before_auto: int = 2
    checkin_again_minutes: int = 30


class _RawFollowUp(msgspec.Struct, forbid_unknown_fields=True):
    contact_days: int = 1
    rectify_days: int = 4
    complex_days: int = 13


class _RawKiosk(msgspec.Struct, forbid_unknown_fields=True):
    id: str
    floor: str
    printer: str = "sim://printer"
    id_reader: str = "sim://idcard"
    card_reader: str = "sim://sscard"
    paper_width: int = 80
    guide: bool = False  # spoken guidance on from the start (else one tap on the kiosk)
    guide_voice: str = ""  # its voice URL; "" = the hall's `voice`


class _RawDevices(msgspec.Struct, forbid_unknown_fields=True):
    kiosks: list[_RawKiosk] = msgspec.field(default_factory=list)
    managers: list[str] = msgspec.field(default_factory=lambda: ["manager-1"])
    desks: list[str] = msgspec.field(default_factory=lambda: ["desk-1"])  # one per entrance
    voice: str = "sim://voice"
    # a demo or test hall: its sim:// devices are meant (`hall devices check` passes them)
    simulators: bool = False


class _RawAdvisor(msgspec.Struct, forbid_unknown_fields=True):
    enabled: bool = True  # the hub runs the rebalancing advisor and publishes proposals
    auto_apply: bool = False  # ... and applies them itself (by="advisor")
    every_minutes: float = 5.0


class _RawWeb(msgspec.Struct, forbid_unknown_fields=True):
    # where citizens reach the web gateway (hall web): the ticket's QR is {public_url}/t/{token}
    public_url: str = ""
    booking_days: int = 7  # online bookings up to this many days ahead


class _RawLayout(msgspec.Struct, forbid_unknown_fields=True):
    hall: _RawHall
    hours: _RawHours
    floors: list[_RawFloor]
    queues: list[_RawQueue]
    windows: list[_RawWindow]
    priority: _RawPriority = msgspec.field(default_factory=_RawPriority)
    limits: _RawLimits = msgspec.field(default_factory=_RawLimits)
    no_show: _RawNoShow = msgspec.field(default_factory=_RawNoShow)
    follow_up: _RawFollowUp = msgspec.field(default_factory=_RawFollowUp)
    devices: _RawDevices = msgspec.field(default_factory=_RawDevices)
    advisor: _RawAdvisor = msgspec.field(default_factory=_RawAdvisor)
    web: _RawWeb = msgspec.field(default_factory=_RawWeb)


# ---- the typed layout the rest of the system uses ----


@dataclass(frozen=True)
class Floor:
    id: str
    name: str
    name_en: str


@dataclass(frozen=True)
class Queue:
    """A queue of tickets: one number prefix, one waiting area."""

    id: str
    name: str
    name_en: str
    prefix: str
    floor: str
    area: str
    area_en: str
    domains: tuple[str, ...]
    daily_cap: int  # 0 = no cap
    service_minutes: float  # planning figure until the day's own rates are learned
    booking_per_slot: int = 0  # online bookings per 15-minute slot; 0 = not bookable online


@dataclass(frozen=True)
class Window:
    """A counter window: the number citizens see, what its clerks can serve (skills), and
    the default serving profile (a subset of skills with weights)."""

    number: int
    floor: str
    kind: WindowKind
    skills: tuple[str, ...]
    profile: Mapping[str, float]
    name: str = ""
    # queues waiting on other floors it may call under [priority] other_floor_wait_minutes
    other_floors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hours:
    sessions: tuple[tuple[time, time], ...]
    issue_until: time
    working_weekdays: frozenset[int]  # 0 = Monday
    holidays: frozenset[date]  # local closures, on top of the official calendar
    extra_working_days: frozenset[date]  # local openings, on top of the official calendar
    official_calendar: bool = True  # the State Council's holidays and 调休 (chinese-calendar)
    calendar: HallCalendar = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        cal = HallCalendar(
            self.working_weekdays, self.holidays, self.extra_working_days, self.official_calendar
        )
        object.__setattr__(self, "calendar", cal)

    def is_working_day(self, day: date) -> bool:
        return self.calendar.is_working_day(day)

    def is_open(self, day: date, at: time) -> bool:
        return self.is_working_day(day) and any(a <= at < b for a, b in self.sessions)

    def issuing(self, day: date, at: time) -> bool:
        """Tickets may be issued: open, and before the last issue time."""
        return self.is_open(day, at) and at < self.issue_until

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (the day itself does not count)."""
        return self.calendar.add_working_days(start, n)

    def calendar_warning(self, *days: date) -> str:
        """One sentence when a day is past the official calendar's known years, else ""."""
        return self.calendar.warning(days)


@dataclass(frozen=True)
class Priority:
    green_channel_age: int
    appointment_early_minutes: int
    appointment_late_minutes: int
    rates: Mapping[str, float]
    max_wait_minutes: float
    late_wait_minutes: float = 40.0  # aging across skills (hall.core.routing)
    other_floor_wait_minutes: float = math.inf  # help to other floors (hall.core.routing)


@dataclass(frozen=True)
class Limits:
    active_per_person_per_queue: int
    tickets_per_person_per_day: int
    allow_without_card: bool


@dataclass(frozen=True)
class NoShowRules:
    recalls_before_auto: int
    checkin_again_minutes: int


@dataclass(frozen=True)
class FollowUpRules:
    contact_days: int
    rectify_days: int
    complex_days: int


@dataclass(frozen=True)
class Kiosk:
    id: str
    floor: str
    printer: str
    id_reader: str
    card_reader: str
    paper_width: int
    guide: bool = False
    guide_voice: str = ""


@dataclass(frozen=True)
class AdvisorSettings:
    """[advisor]: the rebalancing advisor in the hub (proposals only unless auto_apply)."""

    enabled: bool = True
    auto_apply: bool = False
    every_minutes: float = 5.0


@dataclass(frozen=True)
class WebSettings:
    """[web]: the web gateway as citizens reach it."""

    public_url: str = ""  # "https://q.example.gov.cn": the ticket's QR is {public_url}/t/{token}
    booking_days: int = 7  # online bookings from today up to this many days ahead


@dataclass(frozen=True)
class Layout:
    """A whole hall. Build it with `load_layout` or `parse_layout`."""

    source: str
    name: str
    name_en: str
    notice: str
    notice_en: str
    hours: Hours
    floors: tuple[Floor, ...]
    queues: Mapping[str, Queue]
    windows: Mapping[int, Window]
    priority: Priority
    limits: Limits
    no_show: NoShowRules
    follow_up: FollowUpRules
    kiosks: tuple[Kiosk, ...]
    managers: tuple[str, ...]
    voice: str
    _domain_queue: Mapping[str, str] = field(default_factory=dict, repr=False)
    advisor: AdvisorSettings = field(default_factory=AdvisorSettings)
    min_comprehensive_share: float = 0.0
    #: a demo or test hall ([devices] simulators = true): sim:// devices are meant; in a
    #: hall's own layout they are a mistake, and `hall devices check` fails on them
    simulators: bool = False
    web: WebSettings = field(default_factory=WebSettings)
    desks: tuple[str, ...] = ("desk-1",)  # the service desks (服务台), one per entrance
    walk_minutes_between_floors: float = 0.0  # [hall]: see walk_minutes

    def comprehensive_share(self) -> float:
        """综合窗口 (no-distinction and domain windows) ÷ all windows."""
        comp = sum(w.kind in (WindowKind.GENERAL, WindowKind.DOMAIN) for w in self.windows.values())
        return comp / len(self.windows)

    def warnings(self) -> list[str]:
        """What is valid but against the hall's own rules (`hall layout check` prints them).

        [D] 三(四) “按照“应进必进”原则，确保综合窗口占比不低于90%”: with
        ``[hall] min_comprehensive_share = 0.9`` a layout with fewer comprehensive windows
        is flagged (a warning: the hall may be mid-way through the reform)."""
        out = []
        share = self.comprehensive_share()
        if share < self.min_comprehensive_share:
            comp = round(share * len(self.windows))
            out.append(
                f"综合窗口占比 {share:.1%}（{comp}/{len(self.windows)}），低于要求的 "
                f"{self.min_comprehensive_share:.0%} (comprehensive windows {share:.1%} of all, "
                f"below hall.min_comprehensive_share {self.min_comprehensive_share:g})"
            )
        return out

    def queue_for_domain(self, domain: str) -> str:
        """The queue that takes items of `domain` (the catch-all queue when none is named)."""
        q = self._domain_queue.get(domain) or self._domain_queue.get(CATCH_ALL)
        if q is None:
            raise KeyError(f"no queue takes items of domain {domain!r}")
        return q

    def calendar_warning(self, today: date) -> str:
        """One sentence when a bad rating given `today` would have a deadline past the
        official calendar's known years (the hub logs it, the manager console shows it)."""
        h = self.hours
        return h.calendar_warning(today, h.add_working_days(today, self.follow_up.complex_days))

    def walk_minutes(self, window_floor: str, waiting_floor: str) -> float:
        """Minutes a citizen waiting on `waiting_floor` takes to reach a window on
        `window_floor`: `[hall] walk_minutes_between_floors` per floor between them (floors
        in the layout's order); 0 on the same floor."""
        if window_floor == waiting_floor or not self.walk_minutes_between_floors:
            return 0.0
        ids = [f.id for f in self.floors]
        apart = abs(ids.index(window_floor) - ids.index(waiting_floor))
        return self.walk_minutes_between_floors * apart

    def windows_on(self, floor: str) -> list[Window]:
        return [w for w in self.windows.values() if w.floor == floor]

    def floor(self, floor_id: str) -> Floor:
        return next(f for f in self.floors if f.id == floor_id)


_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def _time(src: str, key: str, s: str) -> time:
    m = _TIME.match(s)
    if not m:
        raise LayoutError(src, key, f"a time like 09:00, got {s!r}")
    return time(int(m.group(1)), int(m.group(2)))


def _date(src: str, key: str, s: str) -> date:
    try:
        return date.fromisoformat(s)
    except ValueError as e:
        raise LayoutError(src, key, f"a date like 2026-10-01, got {s!r}") from e


def _numbers(src: str, key: str, w: _RawWindow) -> list[int]:
    if (w.number is None) == (w.numbers is None):
        raise LayoutError(src, key, 'exactly one of `number` or `numbers` (e.g. "5-15")')
    if w.number is not None:
        return [w.number]
    if isinstance(w.numbers, list):
        return list(w.numbers)
    m = re.match(r"^(\d+)\s*-\s*(\d+)$", str(w.numbers))
    if not m or int(m.group(1)) > int(m.group(2)):
        raise LayoutError(src, key + ".numbers", f'a range like "5-15", got {w.numbers!r}')
    return list(range(int(m.group(1)), int(m.group(2)) + 1))


def _unique(src: str, key: str, values: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    for v in values:
        if v in seen:
            raise LayoutError(src, key, f"{what} {v!r} appears twice")
        seen.add(v)


def parse_layout(text: str, source: str = "<layout>") -> Layout:
    """Validate TOML text into a Layout; raise LayoutError naming the key on any problem."""
    try:
        data: Any = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise LayoutError(source, "(file)", f"valid TOML ({e})") from e
    try:
        raw = convert(data, _RawLayout)
    except ShapeError as e:
        raise LayoutError(source, e.path, e.expected) from e
    return _build(raw, source)


def _build(raw: _RawLayout, src: str) -> Layout:
    """The typed Layout of a raw one, checked part by part in the file's order (floors,
    queues, windows, hours, priority, devices, no-show, advisor), so the first error the
    reader sees is the first in the file."""
    floors = _build_floors(raw.floors, src)
    floor_ids = {f.id for f in floors}
    queues, domain_queue = _build_queues(raw.queues, floor_ids, src)
    windows = _build_windows(raw.windows, floor_ids, queues, src)
    _check_every_queue_served(queues, windows, src)
    hours = _build_hours(raw.hours, src)
    p = raw.priority
    _check_priority_rates(p, src)
    kiosks = _build_kiosks(raw.devices.kiosks, floor_ids, src)
    nr, fu, ad = raw.no_show, raw.follow_up, raw.advisor
    _check_no_show_and_advisor(nr, ad, src)
    return Layout(
        source=src,
        name=raw.hall.name,
        name_en=raw.hall.name_en or raw.hall.name,
        notice=raw.hall.notice,
        notice_en=raw.hall.notice_en,
        hours=hours,
        floors=floors,
        queues=queues,
        windows=dict(sorted(windows.items())),
        priority=Priority(
            p.green_channel_age,
            p.appointment_early_minutes,
            p.appointment_late_minutes,
            dict(p.rates),
            p.max_wait_minutes,
            p.max_wait_minutes if p.late_wait_minutes is None else p.late_wait_minutes,
            math.inf if p.other_floor_wait_minutes is None else p.other_floor_wait_minutes,
        ),
        limits=Limits(
            raw.limits.active_per_person_per_queue,
            raw.limits.tickets_per_person_per_day,
            raw.limits.allow_without_card,
        ),
        no_show=NoShowRules(nr.recalls_before_auto, nr.checkin_again_minutes),
        follow_up=FollowUpRules(fu.contact_days, fu.rectify_days, fu.complex_days),
        kiosks=kiosks,
        managers=tuple(raw.devices.managers),
        desks=tuple(raw.devices.desks),
        voice=raw.devices.voice,
        _domain_queue=domain_queue,
        advisor=AdvisorSettings(ad.enabled, ad.auto_apply, float(ad.every_minutes)),
        min_comprehensive_share=_share(raw.hall.min_comprehensive_share, src),
        walk_minutes_between_floors=_walk(raw.hall.walk_minutes_between_floors, src),
        simulators=raw.devices.simulators,
        web=WebSettings(_public_url(raw.web.public_url, src), _booking_days(raw.web, src)),
    )


def _walk(x: float, src: str) -> float:
    if not 0 <= x <= 60:
        raise LayoutError(src, "hall.walk_minutes_between_floors", f"minutes from 0 to 60, got {x}")
    return x


def _share(x: float, src: str) -> float:
    if not 0 <= x <= 1:
        raise LayoutError(src, "hall.min_comprehensive_share", f"a share from 0 to 1, got {x}")
    return x


def _booking_per_slot(n: int, key: str, src: str) -> int:
    if not 0 <= n <= 1000:
        raise LayoutError(src, key, f"0 to 1000 bookings per slot, got {n}")
    return n


def public_url_error(url: str) -> str | None:
    """Why `url` cannot be the web gateway's public address (None: it can)."""
    if url and (not url.startswith(("https://", "http://")) or any(c in url for c in " ?#")):
        return f"an http(s):// address without spaces, query or fragment, got {url!r}"
    return None


def _booking_days(web: _RawWeb, src: str) -> int:
    if not 1 <= web.booking_days <= 90:
        raise LayoutError(src, "web.booking_days", f"1 to 90 days, got {web.booking_days}")
    return web.booking_days


def _public_url(url: str, src: str) -> str:
    why = public_url_error(url)
    if why is not None:
        raise LayoutError(src, "web.public_url", why)
    return url.rstrip("/")


def _check_no_show_and_advisor(nr: _RawNoShow, ad: _RawAdvisor, src: str) -> None:
    """No-show counts are not negative; the advisor runs every 1 to 60 minutes."""
    if nr.recalls_before_auto < 0 or nr.checkin_again_minutes < 0:
        raise LayoutError(src, "no_show", "non-negative numbers")
    if not 1 <= ad.every_minutes <= 60:
        raise LayoutError(src, "advisor.every_minutes", f"1 to 60 minutes, got {ad.every_minutes}")


def _build_floors(raw: list[_RawFloor], src: str) -> tuple[Floor, ...]:
    """The floors: at least one, ids unique; an English name defaults to the id."""
    floors = tuple(Floor(f.id, f.name, f.name_en or f.id) for f in raw)
    if not floors:
        raise LayoutError(src, "floors", "at least one floor")
    _unique(src, "floors", (f.id for f in floors), "floor id")
    return floors


def _build_queues(
    raw: list[_RawQueue], floor_ids: set[str], src: str
) -> tuple[dict[str, Queue], dict[str, str]]:
    """The queues by id, and which queue takes each domain (one of them the catch-all)."""
    queues: dict[str, Queue] = {}
    domain_queue: dict[str, str] = {}
    _unique(src, "queues", (q.id for q in raw), "queue id")
    _unique(src, "queues", (q.prefix for q in raw), "ticket prefix")
    for i, q in enumerate(raw):
        key = f"queues[{i}]"
        _check_queue(q, key, floor_ids, src)
        for d in q.domains:
            if d in domain_queue:
                raise LayoutError(
                    src,
                    key + ".domains",
                    f"domain {d!r} is already taken by queue {domain_queue[d]}",
                )
            domain_queue[d] = q.id
        queues[q.id] = Queue(
            q.id,
            q.name,
            q.name_en or q.id,
            q.prefix,
            q.floor,
            q.area,
            q.area_en or q.area,
            tuple(q.domains),
            q.daily_cap,
            q.service_minutes,
            _booking_per_slot(q.booking_per_slot, f"queues.{q.id}.booking_per_slot", src),
        )
    if not queues:
        raise LayoutError(src, "queues", "at least one queue")
    if CATCH_ALL not in domain_queue:
        raise LayoutError(src, "queues", 'one queue with domains = ["*"] (takes any item)')
    return queues, domain_queue


def _check_queue(q: _RawQueue, key: str, floor_ids: set[str], src: str) -> None:
    """One queue's own fields: a known floor, a one-letter prefix, a cap and a service time
    in range."""
    if q.floor not in floor_ids:
        raise LayoutError(src, key + ".floor", f"one of {sorted(floor_ids)}, got {q.floor!r}")
    if not re.fullmatch(r"[A-Z]", q.prefix):
        raise LayoutError(src, key + ".prefix", f"one capital letter, got {q.prefix!r}")
    if q.daily_cap < 0 or q.daily_cap > 999:
        raise LayoutError(src, key + ".daily_cap", "0 (no cap) to 999 (three-digit numbers)")
    if q.service_minutes <= 0:
        raise LayoutError(src, key + ".service_minutes", "a positive number of minutes")


def _build_windows(
    raw: list[_RawWindow], floor_ids: set[str], queues: Mapping[str, Queue], src: str
) -> dict[int, Window]:
    """The windows by number (one raw entry may stand for a range of numbers)."""
    windows: dict[int, Window] = {}
    for i, w in enumerate(raw):
        key = f"windows[{i}]"
        if w.floor not in floor_ids:
            raise LayoutError(src, key + ".floor", f"one of {sorted(floor_ids)}, got {w.floor!r}")
        kind = _window_kind(w, key, src)
        _check_skills_and_profile(w, key, queues, src)
        _check_other_floors(w, key, queues, src)
        for n in _numbers(src, key, w):
            if n <= 0:
                raise LayoutError(src, key + ".number", f"a positive window number, got {n}")
            if n in windows:
                raise LayoutError(src, key + ".number", f"window number {n} appears twice")
            windows[n] = Window(n, w.floor, kind, tuple(w.skills), dict(w.profile), w.name,
                                tuple(w.other_floors))  # fmt: skip
    if not windows:
        raise LayoutError(src, "windows", "at least one window")
    return windows


def _window_kind(w: _RawWindow, key: str, src: str) -> WindowKind:
    """The window's kind, or an error listing the kinds there are."""
    try:
        return WindowKind(w.kind)
    except ValueError as e:
        kinds = ", ".join(k.value for k in WindowKind)
        raise LayoutError(src, key + ".kind", f"one of {kinds}, got {w.kind!r}") from e


def _check_skills_and_profile(
    w: _RawWindow, key: str, queues: Mapping[str, Queue], src: str
) -> None:
    """Skills name known queues; the profile weighs some of those skills, within range."""
    for s in w.skills:
        if s not in queues:
            raise LayoutError(src, key + ".skills", f"queue ids from {sorted(queues)}, got {s!r}")
    if not w.profile:
        raise LayoutError(src, key + ".profile", "at least one queue with a weight")
    for qid, weight in w.profile.items():
        if qid not in w.skills:
            raise LayoutError(
                src, key + ".profile", f"queues from this window's skills, got {qid!r}"
            )
        if not PROFILE_WEIGHT_MIN <= weight <= PROFILE_WEIGHT_MAX:
            raise LayoutError(
                src, key + ".profile",
                f"weights from {PROFILE_WEIGHT_MIN:g} to {PROFILE_WEIGHT_MAX:g}, "
                f"got {qid} = {weight}",
            )  # fmt: skip


def _check_other_floors(w: _RawWindow, key: str, queues: Mapping[str, Queue], src: str) -> None:
    """`other_floors` names known queues that wait on another floor than the window's and
    are not among its skills (a skill is called the usual way, not under the rule)."""
    for q in w.other_floors:
        if q not in queues or queues[q].floor == w.floor or q in w.skills:
            raise LayoutError(
                src, key + ".other_floors",
                f"queues waiting on another floor, not in skills, from {sorted(queues)}; got {q!r}",
            )  # fmt: skip


def _check_every_queue_served(
    queues: Mapping[str, Queue], windows: Mapping[int, Window], src: str
) -> None:
    """Every queue is in some window's profile (else its tickets would wait forever)."""
    served = {q for w in windows.values() for q in w.profile}
    for qid in queues:
        if qid not in served:
            raise LayoutError(src, f"queues.{qid}", "a queue that some window's profile serves")


def _build_hours(h: _RawHours, src: str) -> Hours:
    """Opening hours: sessions in order, known day names, dates; issuing ends with the
    last session unless `issue_until` says otherwise."""
    sessions = tuple(
        (_time(src, f"hours.sessions[{i}]", a), _time(src, f"hours.sessions[{i}]", b))
        for i, (a, b) in enumerate(h.sessions)
    )
    if not sessions:
        raise LayoutError(src, "hours.sessions", 'at least one session like ["09:00", "17:00"]')
    for i, (a, b) in enumerate(sessions):
        if a >= b or (i and sessions[i - 1][1] > a):
            raise LayoutError(src, f"hours.sessions[{i}]", "sessions in order, each start < end")
    if not h.working_days:
        raise LayoutError(src, "hours.working_days", 'at least one day, e.g. ["mon", "tue"]')
    for d in h.working_days:
        if d not in _WEEKDAYS:
            raise LayoutError(
                src, "hours.working_days", f"day names from {list(_WEEKDAYS)}, got {d!r}"
            )
    return Hours(
        sessions=sessions,
        issue_until=_time(src, "hours.issue_until", h.issue_until) if h.issue_until else sessions[-1][1],
        working_weekdays=frozenset(_WEEKDAYS[d] for d in h.working_days),
        holidays=frozenset(_date(src, "hours.holidays", d) for d in h.holidays),
        extra_working_days=frozenset(_date(src, "hours.extra_working_days", d) for d in h.extra_working_days),
        official_calendar=h.official_calendar,
    )  # fmt: skip


def _check_priority_rates(p: _RawPriority, src: str) -> None:
    """Each ticket class has a positive calling rate."""
    for cls in ("normal", "appointment", "green"):
        if p.rates.get(cls, 0) <= 0:
            raise LayoutError(src, "priority.rates", f"a positive rate for class {cls!r}")
    if p.other_floor_wait_minutes is not None and not p.other_floor_wait_minutes >= 0:
        raise LayoutError(src, "priority.other_floor_wait_minutes", "minutes, 0 or more")
    if p.late_wait_minutes is not None and not 0 < p.late_wait_minutes <= p.max_wait_minutes:
        raise LayoutError(
            src, "priority.late_wait_minutes", "minutes above 0, at most max_wait_minutes"
        )


def _build_kiosks(raw: list[_RawKiosk], floor_ids: set[str], src: str) -> tuple[Kiosk, ...]:
    """The kiosks: on known floors, 58 or 80 mm paper, ids unique."""
    kiosks = tuple(
        Kiosk(
            k.id,
            k.floor,
            k.printer,
            k.id_reader,
            k.card_reader,
            k.paper_width,
            k.guide,
            k.guide_voice,
        )
        for k in raw
    )
    for i, k in enumerate(kiosks):
        if k.floor not in floor_ids:
            raise LayoutError(src, f"devices.kiosks[{i}].floor", f"one of {sorted(floor_ids)}")
        if k.paper_width not in (58, 80):
            raise LayoutError(src, f"devices.kiosks[{i}].paper_width", "58 or 80 (mm)")
    _unique(src, "devices.kiosks", (k.id for k in kiosks), "kiosk id")
    return kiosks


def load_layout(path: str | Path) -> Layout:
    """Read and validate a layout file, or a built-in layout by name (`jiangbei`)."""
    p = layout_file(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise LayoutError(str(p), "(file)", "a readable file",
                          message=_unreadable(path, p, e)) from e  # fmt: skip
    except UnicodeDecodeError as e:
        raise LayoutError(str(p), "(file)", "UTF-8 text",
                          message=f"cannot read the layout {p} (not UTF-8 text)") from e  # fmt: skip
    return parse_layout(text, str(p))


def _unreadable(asked: str | Path, p: Path, e: OSError) -> str:
    """Why a layout could not be read, in our words (the system's only for the rare rest)."""
    if isinstance(e, FileNotFoundError) and names_a_layout(asked):
        names = ", ".join(sorted(builtin_layouts()))
        return f"no layout {asked}: neither a built-in one ({names}: `hall layout list`) nor a file"
    why = {
        FileNotFoundError: "there is no such file",
        IsADirectoryError: "it is a folder, not a layout file",
        PermissionError: "no permission to read it",
    }.get(type(e), e.strerror or "the system would not open it")
    return f"cannot read the layout {p}: {why}"


def default_layout_path() -> Path:
    """The shipped jiangbei.toml (config/ in a clone): the production template, whose
    devices are real ones, to be filled in."""
    return config_file("jiangbei.toml")


def demo_layout_path() -> Path:
    """The shipped jiangbei-demo.toml: the same hall with simulated devices (`hall demo`,
    the tests)."""
    return config_file("jiangbei-demo.toml")
