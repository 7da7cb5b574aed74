"""The rebalancing advisor (issue 7): which window should help which queue, and when.

Pure: no I/O, no clock of its own, no zmq, no Qt. Every few minutes the hub (and `hall
simulate`, on its simulated clock) builds a `HallState` from the engine with `observe` and
calls `advise`, which returns `Proposal`s: move a window's serving profile to another mix of
queues, always within the window's skills from the layout. Applying one goes through
`Engine.set_profile`, which takes effect at the window's next call (a clerk always finishes
the current citizen first).

How it decides, per queue q (horizon H minutes, `AdvisorConfig`):
- load ρ_q = (forecast arrivals in H + the people waiting) × service minutes / (H × the open
  windows whose home queue is q): the share of its own windows' time q needs;
- q *needs help* when ρ_q ≥ `help_above` or its longest wait ≥ `wait_trigger`; once helped it
  *keeps* help until ρ_q < `release_below` and nobody waits (hysteresis on the load), and
  within `hold_minutes` of the day's last ticket it keeps it till closing;
- helpers are chosen among the windows able to serve q (skills), least loaded home queue
  first, as many as q's excess needs (`helper_share` of a window each); a helping window's
  profile is its home queue plus the helped queues, each weighted by its scarcity
  ((open windows / windows able to serve it) ** `scarcity_exponent`);
- a window moves at most once per `hold_minutes`; a proposal never leaves a queue with
  waiting citizens and no open window serving it;
- calm (issue 23): before the hall opens it proposes the day's plan, for the forecast's
  busiest period (the forecast is learned from the hall's past days, hall.core.history);
  after opening a window moves only to take on a queue when that saves at least
  `move_cost` minutes of waiting, or to go back to its own queue when that is hot —
  never for a re-weighting, never just because a helped queue went quiet (routing serves
  a window's own queue first anyway, and an idle window helps its floor's neighbouring
  queues without any move: hall.core.routing).
Deterministic: same state, same proposals (windows and queues are visited in sorted order).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hall.core.engine import Engine
    from hall.core.layout import Layout


@dataclass(frozen=True)
class AdvisorConfig:
    every_minutes: float = 5.0  # how often the advisor runs
    hold_minutes: float = 30.0  # a window moves at most once per this
    horizon_minutes: float = 30.0  # look-ahead of the load forecast
    help_above: float = 0.5  # a queue needs help from this load (share of its own windows)
    release_below: float = 0.15  # ... and keeps it until its load falls below this
    wait_trigger: float = 10.0  # or when its longest wait reaches this (minutes)
    helper_share: float = 0.1  # how much of a window one helper is counted as giving
    scarcity_exponent: float = 0.5
    min_weight_change: float = 0.25  # relative change of a weight worth a move
    # After opening, a move must save at least this many minutes of waiting (people expected
    # over the horizon × the rough wait it takes off them, net of what the window's home
    # queue loses): the manager's cost of approving one.
    move_cost: float = 30.0


@dataclass(frozen=True)
class QueueView:
    queue: str
    name: str
    waiting: int
    longest_wait: float  # minutes
    arrivals_per_hour: float  # forecast over the horizon
    service_minutes: float  # learned today, or the layout's figure
    name_en: str = ""


@dataclass(frozen=True)
class WindowView:
    number: int
    home: str  # the queue of its default profile (first listed)
    skills: tuple[str, ...]
    profile: Mapping[str, float]
    open: bool  # open with a clerk signed in
    last_moved: datetime | None = None


@dataclass(frozen=True)
class HallState:
    now: datetime
    queues: Mapping[str, QueueView]
    windows: Mapping[int, WindowView]
    issue_until: datetime | None = None  # today's last ticket (the layout's hours)
    opens: datetime | None = None  # today's opening: before it, the advisor plans the day


@dataclass(frozen=True)
class Proposal:
    id: str
    window: int
    profile: dict[str, float]
    reason: str  # one Chinese sentence for the manager
    effect: dict[str, tuple[float, float]]  # queue -> (wait now, wait after) minutes, rough
    reason_en: str = ""  # its English twin

    def to_data(self) -> dict[str, object]:
        """The `advisor.proposal` event's data."""
        return {
            "id": self.id, "window": self.window, "profile": dict(self.profile),
            "reason": self.reason, "reason_en": self.reason_en,
            "effect": {q: [round(a, 1), round(b, 1)] for q, (a, b) in self.effect.items()},
        }  # fmt: skip


@dataclass
class Forecast:
    """Expected arrivals: a profile by period (start, end minutes after midnight, multiplier
    with a time-weighted mean of 1 over the issuing hours) and per queue the people expected
    per day. Scaled by what the day so far brought (a ratio estimator shrunk toward 1)."""

    periods: Sequence[tuple[float, float, float]]
    per_day: Mapping[str, float]
    shrink: float = 20.0  # pseudo-arrivals of the prior

    def _expected(self, queue: str, a: float, b: float) -> float:
        span = sum(e - s for s, e, _ in self.periods) or 1.0
        rate = self.per_day.get(queue, 0.0) / span
        return sum(rate * m * max(0.0, min(b, e) - max(a, s)) for s, e, m in self.periods)

    def peak_per_hour(self, queue: str) -> float:
        """People per hour in the busiest period of the day."""
        span = sum(e - s for s, e, _ in self.periods) or 1.0
        rate = self.per_day.get(queue, 0.0) / span
        return max((rate * m * 60.0 for _s, _e, m in self.periods), default=0.0)

    def per_hour(self, queue: str, now_min: float, horizon: float, seen: int) -> float:
        start = self.periods[0][0] if self.periods else now_min
        so_far = self._expected(queue, start, now_min)
        ratio = (seen + self.shrink) / (so_far + self.shrink)
        return ratio * self._expected(queue, now_min, now_min + horizon) * 60.0 / horizon


@dataclass
class Memory:
    """What the caller keeps between runs: when each window last moved, proposal numbers."""

    last_moved: dict[int, datetime] = field(default_factory=dict)
    counter: int = 0


def observe(
    engine: Engine,
    memory: Memory,
    forecast: Forecast | None = None,
    horizon_minutes: float = 30.0,
) -> HallState:
    """The advisor's view of an engine (read only). Arrival forecast: `forecast` when given,
    else the one learned from the hall's past days (`history_forecast`: a profile by hour
    scaled by the day so far), else (a new hall) the rate of the last hour."""
    from hall.core.model import WindowState

    now = engine.clock()
    if forecast is None:
        forecast = history_forecast(engine)
    midnight = datetime.combine(now.date(), datetime.min.time())
    now_min = (now - midnight).total_seconds() / 60.0
    seen: dict[str, int] = {}
    recent: dict[str, int] = {}
    first: datetime | None = None
    hour_ago = now - timedelta(hours=1)
    for t in engine.tickets.values():
        if t.day != now.date():
            continue
        seen[t.queue] = seen.get(t.queue, 0) + 1
        if t.issued_at >= hour_ago:
            recent[t.queue] = recent.get(t.queue, 0) + 1
        if first is None or t.issued_at < first:
            first = t.issued_at
    span = 60.0 if first is None else min(60.0, max(15.0, (now - first).total_seconds() / 60))
    opens = datetime.combine(now.date(), engine.layout.hours.sessions[0][0])
    queues = {}
    for qid, q in engine.layout.queues.items():
        waiting = engine.waiting(qid)
        longest = (now - waiting[0].enqueued_at).total_seconds() / 60 if waiting else 0.0
        if forecast is not None and now < opens:  # the opening plan: for the day's peak
            rate = forecast.peak_per_hour(qid)
        elif forecast is not None:
            rate = forecast.per_hour(qid, now_min, horizon_minutes, seen.get(qid, 0))
        else:
            rate = recent.get(qid, 0) * 60.0 / span
        load = engine.queue_load(qid)
        queues[qid] = QueueView(qid, q.name, len(waiting), max(longest, 0.0), rate,
                                load.service_minutes, q.name_en)  # fmt: skip
    windows = {}
    for n, w in engine.windows.items():
        lw = engine.layout.windows[n]
        windows[n] = WindowView(
            n, next(iter(lw.profile)), tuple(lw.skills), dict(w.profile),
            w.state is WindowState.OPEN and w.active_post is not None, memory.last_moved.get(n),
        )  # fmt: skip
    issue_until = datetime.combine(now.date(), engine.layout.hours.issue_until)
    return HallState(now, queues, windows, issue_until, opens)


def _load(q: QueueView, home_windows: int, horizon: float) -> float:
    work = (q.arrivals_per_hour * horizon / 60.0 + q.waiting) * q.service_minutes
    if work <= 0:
        return 0.0
    return work / (horizon * home_windows) if home_windows else math.inf


def _servers(profiles: Mapping[int, Mapping[str, float]], opened: set[int], q: str) -> float:
    return sum(p[q] / sum(p.values()) for n, p in profiles.items() if n in opened and q in p)


def _wait(q: QueueView, servers: float) -> float:
    """A rough wait for a new arrival: (waiting + 1) × service / servers."""
    if servers <= 0:
        return math.inf if q.waiting else q.service_minutes
    return (q.waiting + 1) * q.service_minutes / servers


def _differs(a: Mapping[str, float], b: Mapping[str, float], tol: float) -> bool:
    if set(a) != set(b):
        return True
    sa, sb = sum(a.values()), sum(b.values())
    return any(abs(a[q] / sa - b[q] / sb) > tol * (b[q] / sb) for q in a)


def advise(state: HallState, cfg: AdvisorConfig, seq: int = 0) -> list[Proposal]:
    """The proposals for this moment (see the module docstring). `seq` numbers their ids."""
    pic = _picture(state, cfg)
    hold = timedelta(minutes=cfg.hold_minutes)
    # Within a hold time of the last ticket a helper stays till closing: released, it could
    # not come back before the day ends, and the queues it helps only drain from then on.
    ending = state.issue_until is not None and state.now + hold >= state.issue_until
    need = {q: _helpers_needed(q, state.queues[q], pic, cfg, ending) for q in pic.qids}
    target = _choose_helpers(pic, need)
    return _proposals(state, cfg, pic, target, seq)


@dataclass(frozen=True)
class _Picture:
    """The figures `advise` works from, derived once from a HallState: the windows (sorted)
    and the open ones, per queue its open home windows, its load and its scarcity weight,
    per window its current profile."""

    wins: dict[int, WindowView]
    opened: set[int]
    qids: list[str]
    home_n: dict[str, int]
    load: dict[str, float]
    weight: dict[str, float]
    current: dict[int, dict[str, float]]


def _picture(state: HallState, cfg: AdvisorConfig) -> _Picture:
    """Load and scarcity per queue over the horizon, counted on the open windows."""
    wins = dict(sorted(state.windows.items()))
    opened = {n for n, w in wins.items() if w.open}
    qids = sorted(state.queues)
    home_n = {q: sum(1 for n in opened if wins[n].home == q) for q in qids}
    able = {q: sum(1 for n in opened if q in wins[n].skills) for q in qids}
    load = {q: _load(state.queues[q], home_n[q], cfg.horizon_minutes) for q in qids}
    weight = {q: (len(opened) / able[q]) ** cfg.scarcity_exponent if able[q] else 1.0 for q in qids}
    current = {n: dict(w.profile) for n, w in wins.items()}
    return _Picture(wins, opened, qids, home_n, load, weight, current)


def _helpers_needed(q: str, v: QueueView, pic: _Picture, cfg: AdvisorConfig, ending: bool) -> int:
    """How many helpers queue `q` needs: none unless it is hot (load or longest wait) or
    keeps the help it has (hysteresis); enough for its excess load; every present helper
    while the day is `ending`."""
    opened, load = pic.opened, pic.load
    helping = [n for n in opened if pic.wins[n].home != q and q in pic.current[n]]
    hot = load[q] >= cfg.help_above or v.longest_wait >= cfg.wait_trigger
    keep = bool(helping) and (load[q] >= cfg.release_below or v.waiting > 0 or ending)
    if not (hot or keep):
        return 0
    base = pic.home_n[q] if pic.home_n[q] else 1
    excess = min(max(0.0, load[q] - cfg.release_below) * base, float(len(opened)))
    if v.longest_wait >= cfg.wait_trigger:
        excess = max(excess, 1.0)
    need = max(1, math.ceil(excess / cfg.helper_share)) if hot or excess > 0 else 0
    if keep and not hot:
        need = min(max(need, 1), len(helping))
    if ending:
        need = max(need, len(helping))  # every helper stays till closing
    return need


def _choose_helpers(pic: _Picture, need: Mapping[str, int]) -> dict[int, dict[str, float]]:
    """Each open window's target profile: its home queue, plus the queues it is chosen to
    help — windows already helping first (stability), then the least loaded home."""
    wins, current = pic.wins, pic.current
    target: dict[int, dict[str, float]] = {}
    for n in pic.opened:
        home = wins[n].home
        target[n] = {home: pic.weight[home]}
    for q in pic.qids:
        if not need[q]:
            continue
        cand = [n for n in pic.opened if wins[n].home != q and q in wins[n].skills]
        cand.sort(key=lambda n: (q not in current[n], pic.load[wins[n].home], n))
        for n in cand[: need[q]]:
            # Its own queue keeps its scarcity weight: routing still favours it (accumulated
            # priority), so a helper takes the other queue's people only when they waited
            # comparatively longer.
            target[n][q] = pic.weight[q]
    return target


def _proposals(
    state: HallState,
    cfg: AdvisorConfig,
    pic: _Picture,
    target: Mapping[int, dict[str, float]],
    seq: int,
) -> list[Proposal]:
    """Proposals for the windows whose target differs enough from their profile and that
    may move (hold time), least loaded home first, never stranding a queue; each proposal
    is counted in the profiles the next one is judged against. Before opening this is the
    day's plan; after it, only moves worth their cost (`_worth_it`)."""
    hold = timedelta(minutes=cfg.hold_minutes)
    wins, current, opened = pic.wins, pic.current, pic.opened
    planning = state.opens is not None and state.now < state.opens
    profiles = dict(current)
    out: list[Proposal] = []
    for n in sorted(opened, key=lambda n: (pic.load[wins[n].home], n)):
        w = wins[n]
        new = target[n]
        if not _differs(new, current[n], cfg.min_weight_change):
            continue
        if w.last_moved is not None and state.now - w.last_moved < hold:
            continue
        if not planning and not _worth_it(state, cfg, pic, profiles, n, new):
            continue
        trial = {**profiles, n: new}
        stranded = [
            q for q in current[n]
            if q not in new and state.queues[q].waiting > 0 and _servers(trial, opened, q) <= 0
        ]  # fmt: skip
        if stranded:
            continue
        effect = _effect(state, pic, profiles, trial, sorted(set(new) | set(current[n])))
        profiles = trial
        reason = _reason(state, w, current[n], new, cfg.horizon_minutes)
        reason_en = _reason_en(state, w, current[n], new, cfg.horizon_minutes)
        out.append(Proposal(f"adv-{state.now:%Y%m%d-%H%M}-{seq}-{n}", n, new, reason, effect,
                            reason_en))  # fmt: skip
    return out


def _worth_it(
    state: HallState,
    cfg: AdvisorConfig,
    pic: _Picture,
    profiles: Mapping[int, Mapping[str, float]],
    n: int,
    new: Mapping[str, float],
) -> bool:
    """Whether moving window `n` to `new` during the day is worth a manager's approval.
    Only a window that takes on another queue moves, and only when that saves at least
    `move_cost` minutes of waiting over the horizon (the people expected there, waiting or
    coming, times the rough wait it takes off each, less what its home queue loses). A
    helper is not sent home while its own queue copes (routing already serves its own
    queue first), nor re-weighted: weights alone are not worth a move."""
    old = pic.current[n]
    home = pic.wins[n].home
    added = [q for q in new if q not in old]
    if not added:
        # dropping help (or re-weighting): only to bring the window back to a hot home queue
        return pic.load[home] >= cfg.help_above and any(q not in new for q in old)
    trial = {**profiles, n: new}
    saved = 0.0
    for q in {*added, home}:
        v = state.queues[q]
        before = _wait(v, _servers(profiles, pic.opened, q))
        after = _wait(v, _servers(trial, pic.opened, q))
        people = v.waiting + v.arrivals_per_hour * cfg.horizon_minutes / 60.0
        if math.isfinite(before) and math.isfinite(after):
            saved += (before - after) * people
        elif not math.isfinite(before):
            saved += math.inf
    return saved >= cfg.move_cost


def _effect(
    state: HallState,
    pic: _Picture,
    before: Mapping[int, Mapping[str, float]],
    after: Mapping[int, Mapping[str, float]],
    queues: Sequence[str],
) -> dict[str, tuple[float, float]]:
    """The rough wait of each of `queues` (the known ones) with the profiles before and
    after a move."""
    wait_before = {q: _wait(state.queues[q], _servers(before, pic.opened, q)) for q in pic.qids}
    wait_after = {q: _wait(state.queues[q], _servers(after, pic.opened, q)) for q in pic.qids}
    return {q: (wait_before[q], wait_after[q]) for q in queues if q in state.queues}


def _reason(
    state: HallState,
    w: WindowView,
    old: Mapping[str, float],
    new: Mapping[str, float],
    horizon: float = 30.0,
) -> str:
    """One sentence for the manager: what the queues look like now and in the next
    `horizon` minutes (a proposal may come from the forecast before anyone waits)."""
    added = [q for q in new if q not in old]
    dropped = [q for q in old if q not in new]
    parts = []
    ahead = f"{horizon:g}分钟"
    if added:
        for q in added:
            v = state.queues[q]
            coming = round(v.arrivals_per_hour * horizon / 60.0)
            parts.append(f"{v.name}等候{v.waiting}人，最长{round(v.longest_wait)}分钟，"
                         f"预计未来{ahead}再到约{coming}人")  # fmt: skip
        names = "、".join(state.queues[q].name for q in added)
        return "；".join(parts) + f"；建议{w.number}号窗口兼办{names}"
    if dropped:
        names = "、".join(state.queues[q].name for q in dropped)
        home = state.queues[w.home].name if w.home in state.queues else w.home
        return (
            f"{names}已无人等候，预计未来{ahead}负荷较低；建议{w.number}号窗口停办{names}，"
            f"专办{home}"
        )
    return f"各队列负荷变化；建议调整{w.number}号窗口的叫号权重"


def _reason_en(
    state: HallState,
    w: WindowView,
    old: Mapping[str, float],
    new: Mapping[str, float],
    horizon: float = 30.0,
) -> str:
    """`_reason` in English."""
    added = [q for q in new if q not in old]
    dropped = [q for q in old if q not in new]

    def name(q: str) -> str:
        v = state.queues.get(q)
        return (v.name_en or q) if v is not None else q

    if added:
        parts = []
        for q in added:
            v = state.queues[q]
            coming = round(v.arrivals_per_hour * horizon / 60.0)
            parts.append(f"{name(q)}: {v.waiting} waiting, longest {round(v.longest_wait)} min, "
                         f"about {coming} more expected in {horizon:g} min")  # fmt: skip
        names = ", ".join(name(q) for q in added)
        return "; ".join(parts) + f"; window {w.number} should also serve {names}"
    if dropped:
        names = ", ".join(name(q) for q in dropped)
        return (
            f"Nobody waits for {names} and little is expected in {horizon:g} min; window "
            f"{w.number} should stop serving {names} and serve {name(w.home)} only"
        )
    return f"The queues' load changed; window {w.number}'s weights should change"


def apply_memory(memory: Memory, proposals: Sequence[Proposal], now: datetime) -> None:
    """Record that these proposals were applied now (for the hold time)."""
    for p in proposals:
        memory.last_moved[p.window] = now


def history_forecast(engine: Engine) -> Forecast | None:
    """The arrival forecast learned from the hall's past days (engine.history), or None
    before the first one."""
    from hall.core.history import profile_periods

    if not engine.history.days:
        return None
    day = engine.clock().date()
    hours = engine.layout.hours
    periods, per_day = profile_periods(
        engine.history,
        list(engine.layout.queues),
        datetime.combine(day, hours.sessions[0][0]),
        datetime.combine(day, hours.issue_until),
    )
    return Forecast(periods, per_day)


def config_for(layout: Layout) -> AdvisorConfig:
    """The advisor's settings for a hall: the layout's `[advisor]`, the rest as tuned here.
    What the hub's runner and `hall simulate` both use."""
    return AdvisorConfig(every_minutes=layout.advisor.every_minutes)


def run_once(
    engine: Engine,
    memory: Memory,
    cfg: AdvisorConfig,
    forecast: Forecast | None = None,
) -> list[Proposal]:
    """observe → advise, numbering the proposals: what the hub and `hall simulate` call."""
    memory.counter += 1
    state = observe(engine, memory, forecast, cfg.horizon_minutes)
    return advise(state, cfg, memory.counter)
