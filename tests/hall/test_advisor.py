"""The rebalancing advisor (hall.core.advisor) on hand-made states, in the simulator and in the
hub: hysteresis, never strands a queue, only within skills, deterministic, same function."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import msgspec
import pytest

from hall.client import HubClient
from hall.core import advisor as adv
from hall.core.layout import AdvisorSettings, Layout, parse_layout
from hall.sim import simulate as sim
from hall.wire.follower import StateFollower
from tests.hubs import start_hub

NOW = datetime(2026, 11, 26, 10, 0)
CFG = adv.AdvisorConfig()


def _q(q: str, waiting: int = 0, longest: float = 0.0, per_hour: float = 0.0, svc: float = 10.0):
    return adv.QueueView(q, {"G": "综合受理", "M": "市场监管", "T": "交通运输"}[q], waiting,
                         longest, per_hour, svc)  # fmt: skip


def _w(n: int, home: str, skills: tuple[str, ...], profile=None, moved=None):
    return adv.WindowView(n, home, skills, profile or {home: 1.0}, True, moved)


def _state(queues, windows, now=NOW) -> adv.HallState:
    return adv.HallState(now, {q.queue: q for q in queues}, {w.number: w for w in windows})


def _busy_m():
    """M swamped, G quiet: windows 1-2 (G, may help M), 3 (G only), 4-5 (M)."""
    return _state(
        [_q("G", 0, 0, 6), _q("M", 12, 18, 30, 15), _q("T", 0, 0, 0)],
        [_w(1, "G", ("G", "M")), _w(2, "G", ("G", "M", "T")), _w(3, "G", ("G",)),
         _w(4, "M", ("M", "G")), _w(5, "M", ("M", "G"))],
    )  # fmt: skip


def test_a_swamped_queue_gets_help_within_skills_with_a_reason():
    props = adv.advise(_busy_m(), CFG)
    helped = {p.window: p for p in props if "M" in p.profile}
    assert set(helped) == {1, 2}  # window 3 cannot serve M: never proposed
    for p in props:
        assert set(p.profile) <= set(_busy_m().windows[p.window].skills)
    p = helped[1]
    assert p.profile["G"] > 0  # keeps its home queue
    # M: 30 arrivals an hour → about 15 more in the next 30 minutes (the forecast's share)
    assert "市场监管等候12人，最长18分钟，预计未来30分钟再到约15人" in p.reason
    assert p.reason.endswith("；建议1号窗口兼办市场监管")
    assert p.reason_en.endswith("window 1 should also serve M")  # no name_en in this view
    assert "12 waiting, longest 18 min" in p.reason_en
    before, after = p.effect["M"]
    assert after < before  # predicted: M's wait goes down
    assert p.to_data()["window"] == 1 and p.to_data()["effect"]["M"][1] == round(after, 1)


def test_hysteresis_a_window_moves_at_most_once_per_30_minutes():
    st = _busy_m()
    recent = replace(st.windows[1], last_moved=NOW - timedelta(minutes=10))
    old = replace(st.windows[2], last_moved=NOW - timedelta(minutes=31))
    st = replace(st, windows={**st.windows, 1: recent, 2: old})
    got = {p.window for p in adv.advise(st, CFG)}
    assert 1 not in got and 2 in got


def test_release_has_hysteresis_and_never_strands_a_queue():
    # Window 1 helps M; M's load is between release_below and help_above: it keeps help.
    helping = {"G": 1.0, "M": 1.0}  # the advisor's weights: both queues equally scarce here
    mid = _state(
        [_q("G", 0, 0, 1), _q("M", 0, 0, 0.4 * 60 / 15, 15), _q("T")],  # M's load 0.4
        [_w(1, "G", ("G", "M"), helping), _w(4, "M", ("M", "G"))],
    )
    assert adv.advise(mid, CFG) == []
    # M quiet and nobody waiting, G coping: the helper stays (issue 23: a calm advisor; its
    # own queue is served first anyway, and sending it home is a move not worth its cost).
    quiet = replace(mid, queues={**mid.queues, "M": _q("M", 0, 0, 0.5, 15)})
    assert adv.advise(quiet, CFG) == []
    # ... until its own queue needs it: then window 1 goes back to its home queue.
    home_hot = replace(quiet, queues={**quiet.queues, "G": _q("G", 2, 3, 4)},
                       windows={**quiet.windows, 4: _w(4, "M", ("M",))})  # fmt: skip
    (p,) = adv.advise(home_hot, CFG)
    assert p.window == 1 and p.profile == {"G": CFG_G(home_hot)} and "停办市场监管" in p.reason
    assert "stop serving M and serve G only" in p.reason_en
    # The same within half an hour of the last ticket: the helper stays till closing.
    last = NOW + timedelta(minutes=25)
    assert adv.advise(replace(home_hot, issue_until=last), CFG) == []
    assert len(adv.advise(replace(home_hot, issue_until=last + timedelta(minutes=10)), CFG)) == 1
    # Only helpers serve T (its home window is closed) and people wait: never dropped.
    t_only = _state(
        [_q("G", 0, 0, 0), _q("M"), _q("T", 2, 3, 0)],
        [_w(2, "G", ("G", "T"), {"G": 1.0, "T": 3.0})],
    )
    assert all("T" in p.profile for p in adv.advise(t_only, CFG) if p.window == 2)


def CFG_G(st: adv.HallState) -> float:
    opened = [w for w in st.windows.values() if w.open]
    return (len(opened) / sum("G" in w.skills for w in opened)) ** CFG.scarcity_exponent


def test_least_loaded_home_helps_first():
    st = _state(
        [_q("G", 0, 0, 2), _q("M", 6, 12, 60, 15), _q("T", 3, 2, 20, 12)],
        [_w(1, "T", ("T", "M")), _w(2, "G", ("G", "M")), _w(3, "M", ("M",))],
    )
    cfg = replace(CFG, helper_share=10.0)  # one helper is enough for M
    props = adv.advise(st, cfg)
    assert [p.window for p in props if "M" in p.profile and p.window != 3] == [2]


def test_deterministic():
    a = adv.advise(_busy_m(), CFG, seq=3)
    b = adv.advise(_busy_m(), CFG, seq=3)
    assert a == b and a and all(p.id.startswith("adv-20261126-1000-3-") for p in a)


def test_forecast_scales_the_profile_by_the_day_so_far():
    fc = adv.Forecast([(540.0, 600.0, 2.0), (600.0, 660.0, 0.0)], {"G": 60.0}, shrink=0.0)
    # 60 a day over two hours, all in the first: 60/h expected 9-10; twice as many seen.
    assert fc.per_hour("G", 570.0, 30.0, 30) == pytest.approx(60.0)
    assert fc.per_hour("G", 570.0, 30.0, 60) == pytest.approx(120.0)


# ---------------------------------------------------------------- the simulator


@pytest.fixture(scope="module")
def sc():
    return sim.load_scenario(sim.standard_scenario_path())


def test_simulator_calls_the_advisor_with_exactly_the_hubs_arguments(sc, layout, monkeypatch):
    from hall.server.advising import AdvisorRunner

    seen: list[tuple] = []
    real = adv.run_once

    def spy(*a, **kw):
        seen.append((a, kw))
        return real(*a, **kw)

    monkeypatch.setattr(adv, "run_once", spy)
    rng = sim.np.random.default_rng(sim.day_seed(1, "busy", 0))
    citizens = sim.generate_day(sc, 1.15, rng)[:60]
    sim.simulate_day(sc, sim.VARIANTS["default+advisor"], citizens)
    assert seen
    for a, kw in seen:
        # run_once(engine, memory, config): no forecast of the scenario's, the hub's config
        assert len(a) == 3 and not kw
        assert a[2] == adv.config_for(sc.layout) == AdvisorRunner(sc.layout).config
    assert AdvisorRunner(layout).config == adv.config_for(layout)


def test_advisor_forecast_is_learned_from_the_days_before(sc):
    h = sim.History()
    eng = sim.make_engine(sc, sim.VARIANTS["default"], sim.SimClock(sc.day))
    assert adv.history_forecast(eng) is None  # a new hall: the last hour's rate
    for i in range(3):
        sim.run_day(sc, sim.VARIANTS["default"], "normal", i, 1, h)
    eng.history = h
    fc = adv.history_forecast(eng)
    assert fc is not None
    # about the table's people a day per queue (walk-ins and the bookings that come)
    assert 302 + 89 * 0.85 - 60 < fc.per_day["G"] < 302 + 89 * 0.85 + 60
    span = sum(e - s for s, e, _ in fc.periods)
    assert sum((e - s) * m for s, e, m in fc.periods) / span == pytest.approx(1.0)
    mult = {int(s // 60): m for s, _e, m in fc.periods}
    assert mult[10] > mult[12]  # the learned profile: the 10 o'clock peak, the lunch dip


def test_simulated_busy_days_with_the_advisor_move_windows(sc):
    # no history, so no plan before opening: what moves it makes, it makes during the day (on
    # some busy days none is worth its cost: 0, 4 and 1 moves on these three)
    days = [sim.run_day(sc, sim.VARIANTS["default+advisor"], "busy", i, 1) for i in range(3)]
    assert sum(d.moves for d in days) > 0 and all(d.opening_moves == 0 for d in days)
    again = sim.run_day(sc, sim.VARIANTS["default+advisor"], "busy", 0, 1)
    assert again.moves == days[0].moves and (again.called == days[0].called).all()


def test_hub_and_simulator_call_the_same_advisor_functions(sc, layout, items, tmp_path,
                                                           monkeypatch):  # fmt: skip
    calls: list[str] = []
    real_observe, real_advise = adv.observe, adv.advise

    def spy_observe(engine, *a, **kw):
        calls.append(type(engine.clock).__name__)
        return real_observe(engine, *a, **kw)

    def spy_advise(*a, **kw):
        calls.append("advise")
        return real_advise(*a, **kw)

    monkeypatch.setattr(adv, "observe", spy_observe)
    monkeypatch.setattr(adv, "advise", spy_advise)
    rng = sim.np.random.default_rng(sim.day_seed(1, "busy", 0))
    citizens = sim.generate_day(sc, 1.15, rng)[:40]
    sim.simulate_day(sc, sim.VARIANTS["default+advisor"], citizens)
    assert "SimClock" in calls and "advise" in calls
    calls.clear()
    hub = start_hub(layout, items, tmp_path / "h.db", advise_every=3600.0)
    try:
        hub.advise()
    finally:
        hub.stop()
    assert calls and calls[0] != "SimClock" and "advise" in calls
    assert sim.adv is adv  # the simulator's advisor module is the hub's


# ---------------------------------------------------------------- the hub


def _auto_layout(layout: Layout, auto: bool) -> Layout:
    return replace(layout, advisor=AdvisorSettings(True, auto, 5.0))


@pytest.mark.parametrize("auto", [False, True])
def test_hub_publishes_proposals_and_auto_applies(layout, items, tmp_path, auto):
    hub = start_hub(layout=_auto_layout(layout, auto), items=items, db=tmp_path / "a.db",
                    advise_every=0.3)  # fmt: skip
    mgr = HubClient(hub.endpoint, device="manager-1")
    try:
        for n in (5, 9, 10):  # general window 5 may help M; 9, 10 are M windows
            mgr.open_window(n)
            mgr.sign_in(n, staff_no=f"S{n:03d}", name=f"办事员{n}")
        f = StateFollower(("board", "staff"))
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not f.synced:  # subscribed before it happens
            mgr.pump(f, timeout=0.2)
        for _ in range(12):
            mgr.issue(queue="M")
        seen: list = []
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline and not any(
            e.type == "advisor.proposal" and e.data.window == 5 for e in seen
        ):
            seen += mgr.pump(f, timeout=0.3)
        props = [e for e in seen if e.type == "advisor.proposal" and e.data.window == 5]
        assert props, [e.type for e in seen]
        d = msgspec.structs.asdict(props[0].data)
        assert set(d) >= {"id", "window", "profile", "reason", "effect"}
        assert "M" in d["profile"] and "5号窗口兼办市场监管" in d["reason"]
        if auto:
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline and "M" not in hub.engine.windows[5].profile:
                mgr.pump(f, timeout=0.2)
            assert "M" in hub.engine.windows[5].profile
        else:
            assert hub.engine.windows[5].profile == {"G": 1.0}
    finally:
        mgr.close()
        hub.stop()


def test_a_managers_move_starts_the_advisors_hold(layout, items, tmp_path):
    """Window 5 was just moved by the manager: the advisor asks window 6 to help instead."""
    hub = start_hub(layout=_auto_layout(layout, False), items=items, db=tmp_path / "h.db",
                    advise_every=0.3)  # fmt: skip
    mgr = HubClient(hub.endpoint, device="manager-1")
    try:
        for n in (5, 6, 9, 10):  # general windows 5, 6 may help M; 9, 10 are M windows
            mgr.open_window(n)
            mgr.sign_in(n, staff_no=f"S{n:03d}", name=f"办事员{n}")
        mgr.set_profile(5, {"G": 1.0}, reason="上午只办综合")
        f = StateFollower(("board", "staff"))
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not f.synced:
            mgr.pump(f, timeout=0.2)
        for _ in range(16):
            mgr.issue(queue="M")
        seen: list = []
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline and not any(e.type == "advisor.proposal" for e in seen):
            seen += mgr.pump(f, timeout=0.3)
        for _ in range(4):  # a few more advisor runs
            seen += mgr.pump(f, timeout=0.3)
        windows = {e.data.window for e in seen if e.type == "advisor.proposal"}
        assert windows == {6}, windows
        assert hub.advisor.memory.last_moved.keys() == {5}
    finally:
        mgr.close()
        hub.stop()


def test_layout_advisor_key_is_validated(layout):
    text = Path(layout.source).read_text(encoding="utf-8")
    assert layout.advisor == AdvisorSettings(True, False, 5.0)
    got = parse_layout(text + "\n[advisor]\nauto_apply = true\nevery_minutes = 2\n")
    assert got.advisor == AdvisorSettings(True, True, 2.0)
    with pytest.raises(ValueError, match=r"advisor\.every_minutes"):
        parse_layout(text + "\n[advisor]\nevery_minutes = 0\n")


def test_hub_learns_the_estimates_constants_from_the_stores_past_days(layout, items, tmp_path):
    from hall.core.engine import Engine, PersonRef
    from hall.server.store import Store

    # yesterday (Wednesday): 10 G bookings at 10:00, 6 came, checked in 10 minutes early
    db = tmp_path / "h.db"
    store = Store(db)
    wed = datetime(2026, 11, 25, 8, 0)
    now = [wed]
    eng = Engine(layout, lambda: now[0], items=items)
    store.apply(eng.housekeep())
    for i in range(10):
        store.apply(eng.book_appointment(person=PersonRef(f"p{i}"), queue="G",
                                         slot=datetime(2026, 11, 25, 10, 0)))  # fmt: skip
    now[0] = datetime(2026, 11, 25, 9, 50)
    for i in range(6):
        store.apply(eng.issue(queue="G", person=PersonRef(f"p{i}"), channel="appointment"))
    assert store.history(wed.date()).days == 0  # nothing before that day
    store.close()
    hub = start_hub(layout, items, db)  # the hub's clock: Thursday 09:30
    try:
        h = hub.engine.history
        assert h.days == 1
        assert h.early_minutes("G") > 0 and h.no_come("G") > 0.1  # 40 % stayed away
        assert h.arrivals_per_day()[("G", 9)] == 6
    finally:
        hub.stop()


# ---------------------------------------------------------------- a calm advisor (issue 23)


def test_before_opening_the_advisor_plans_the_day_from_the_forecasts_peak():
    fc = adv.Forecast([(540.0, 600.0, 0.5), (600.0, 660.0, 1.5)], {"M": 120.0})
    assert fc.peak_per_hour("M") == pytest.approx(90.0)  # 60 an hour on average, ×1.5
    st = _state(
        [_q("G", 0, 0, 0), _q("M", 0, 0, fc.peak_per_hour("M"), 15), _q("T")],
        [_w(1, "G", ("G", "M")), _w(4, "M", ("M", "G"))],
        now=NOW.replace(hour=8, minute=55),
    )
    opening = replace(st, opens=NOW.replace(hour=9, minute=0))
    (p,) = adv.advise(opening, CFG)  # nobody waits yet: the plan for M's peak
    assert p.window == 1 and "M" in p.profile


def test_after_opening_a_move_must_be_worth_its_cost():
    # M slightly busy: one more helper would save a few minutes of waiting only
    st = _state(
        [_q("G", 0, 0, 1), _q("M", 1, 2, 12, 15), _q("T")],
        [_w(1, "G", ("G", "M")), _w(4, "M", ("M", "G")), _w(5, "M", ("M", "G"))],
    )
    st = replace(st, opens=NOW.replace(hour=9))
    cheap = replace(CFG, help_above=0.1, move_cost=0.0)
    dear = replace(cheap, move_cost=1000.0)
    assert [p.window for p in adv.advise(st, cheap)] == [1]
    assert adv.advise(st, dear) == []
    # re-weighting alone is never worth a move after opening
    same_queues = replace(
        st, windows={**st.windows, 1: _w(1, "G", ("G", "M"), {"G": 5.0, "M": 0.1})}
    )
    assert all(p.window != 1 for p in adv.advise(same_queues, cheap))


def test_simulated_days_plan_before_opening_and_move_little_after(sc):
    h = sim.History()
    days = [sim.run_day(sc, sim.VARIANTS["default+advisor"], "busy", i, 1, h) for i in range(3)]
    assert days[0].opening_moves == 0  # a new hall: no forecast to plan from yet
    assert all(d.opening_moves > 0 for d in days[1:])  # learned from the days before
    assert all(d.moves <= 8 for d in days)
