"""`hall simulate`: determinism, a tiny run with every metric, the very routing and estimator
objects the hub uses, and the metric helpers on hand-made data. Fast: a few days only."""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import re
from datetime import datetime

import numpy as np
import pytest

from hall.cli import simulate as cmd_simulate
from hall.core import routing
from hall.core.engine import Engine, default_estimator
from hall.sim.metrics import bootstrap_quantile_h, ci, gap_capture, jain, percentile, summarize
from hall.sim.simulate import (
    KIND_APPOINTMENT,
    KIND_NORMAL,
    VARIANTS,
    Citizen,
    RunSpec,
    ScenarioError,
    SimClock,
    generate_day,
    load_scenario,
    make_engine,
    run,
    run_day,
    simulate_day,
    standard_scenario_path,
    variant_layout,
)


@pytest.fixture(scope="module")
def sc():
    return load_scenario(standard_scenario_path())


def _same(a, b) -> bool:
    return (
        all(
            np.array_equal(getattr(a, k), getattr(b, k), equal_nan=True)
            for k in ("queue", "cls", "issued", "called", "estimate", "baseline", "busy")
        )
        and a.end == b.end
    )


# ---------------------------------------------------------------- helpers on hand-made data


def test_jain_index():
    assert jain([3, 3, 3, 3]) == pytest.approx(1.0)
    assert jain([1, 0, 0, 0]) == pytest.approx(0.25)
    assert jain([1, 2, 3]) == pytest.approx(36 / (3 * 14))
    assert jain([0, 0]) == 1.0


def test_percentile_and_ci():
    xs = list(range(1, 101))  # 1..100
    assert percentile(xs, 50) == pytest.approx(50.5)
    assert percentile(xs, 95) == pytest.approx(95.05)
    assert percentile([7.0], 95) == 7.0
    assert math.isnan(percentile([], 95))
    m, h = ci([1.0, 2.0, 3.0, 4.0])
    assert m == pytest.approx(2.5)
    assert h == pytest.approx(1.96 * np.std([1, 2, 3, 4], ddof=1) / 2)


def test_bootstrap_of_the_pooled_p95_over_whole_days():
    same = [np.arange(100.0) for _ in range(30)]
    assert bootstrap_quantile_h(same, 0.95) == 0.0  # every resample is the same pool
    assert math.isnan(bootstrap_quantile_h(same[:1], 0.95))
    rng = np.random.default_rng(3)
    days = [rng.exponential(scale, 200) for scale in rng.uniform(1, 10, 60)]
    h = bootstrap_quantile_h(days, 0.95, resamples=300)
    # the same by brute force: resample days, pool them, take the 95th percentile
    brute = []
    for _ in range(300):
        pick = rng.integers(0, len(days), len(days))
        brute.append(np.percentile(np.concatenate([days[i] for i in pick]), 95))
    assert h > 0 and abs(h - 1.96 * np.std(brute, ddof=1)) < 0.25 * h
    assert bootstrap_quantile_h(days, 0.95) == bootstrap_quantile_h(days, 0.95)  # seeded


def test_gap_capture():
    assert gap_capture(3.0, 1.0, 3.0) == 0.0
    assert gap_capture(3.0, 1.0, 1.0) == 1.0
    assert gap_capture(3.0, 1.0, 2.0) == pytest.approx(0.5)


# ---------------------------------------------------------------- the scenario


def test_scenario_arrivals_normalised(sc):
    # BENCHMARK.md (clarified): time-weighted, each multiplier divided by 462/450, so a
    # normal day brings exactly the table's walk-ins on average
    assert [x for _, _, x in sc.periods] == pytest.approx(
        [x * 450 / 462 for x in [1.3, 1.5, 1.1, 0.5, 0.8, 1.2, 1.0, 0.6]]
    )
    total = sum((b - a) * x for a, b, x in sc.periods)
    assert total / (sc.issue_until - sc.issue_from) == pytest.approx(1.0)
    g = sc.queues[0]
    mu, sigma = g.lognormal  # parameterised by the MEAN, not the median
    assert math.exp(mu + sigma**2 / 2) == pytest.approx(g.service_mean)
    assert 31 not in sc.windows  # the output window gets no arrivals


def test_pooled_layout_lets_every_window_serve_every_queue(sc):
    lay = variant_layout(sc, VARIANTS["pooled"])
    for n in sc.windows:
        assert set(lay.windows[n].profile) == set(sc.queue_ids)
        assert next(iter(lay.windows[n].profile)) == next(iter(sc.layout.windows[n].profile))
    assert variant_layout(sc, VARIANTS["dedicated"]) is sc.layout


def test_the_late40_row_is_the_layout_without_its_late_rule(sc):
    assert variant_layout(sc, VARIANTS["default+advisor"]).priority.late_wait_minutes == 8
    lay = variant_layout(sc, VARIANTS["default+advisor+late40"])
    assert lay.priority.late_wait_minutes == lay.priority.max_wait_minutes == 40
    assert lay.windows == sc.layout.windows  # all else as the layout


# ---------------------------------------------------------------- the same code as the hub


@pytest.mark.parametrize("name", ["dedicated", "pooled", "pooled-fcfs", "default"])
def test_simulation_uses_the_hubs_routing_and_estimator(sc, name):
    v = VARIANTS[name]
    eng = make_engine(sc, v, SimClock(sc.day))
    assert eng.policy is routing.POLICIES[v.policy]
    hub_like = Engine(sc.layout, lambda: datetime(2026, 11, 26, 9))  # as hall.server.hub builds it
    assert eng.estimator is hub_like.estimator is default_estimator
    if name == "default":
        assert eng.policy is hub_like.policy


def test_simulation_calls_the_policy_in_the_registry(sc, monkeypatch):
    calls = []
    real = routing.POLICIES["dedicated"]

    def spy(w, heads, now):
        calls.append(w.number)
        return real(w, heads, now)

    monkeypatch.setitem(routing.POLICIES, "dedicated", spy)
    citizens = generate_day(sc, 0.2, np.random.default_rng(3))
    seen = []
    res = simulate_day(sc, VARIANTS["dedicated"], citizens, on_engine=seen.append)
    assert seen[0].policy is spy
    assert len(calls) >= len(res.called)


# ---------------------------------------------------------------- determinism and a tiny run


def test_deterministic_per_seed(sc):
    a = run_day(sc, VARIANTS["default"], "busy", 4, seed=11)
    b = run_day(sc, VARIANTS["default"], "busy", 4, seed=11)
    c = run_day(sc, VARIANTS["default"], "busy", 4, seed=12)
    assert _same(a, b)
    assert not _same(a, c)


def test_every_policy_sees_the_same_citizens(sc):
    a = run_day(sc, VARIANTS["dedicated"], "normal", 0, seed=5)
    b = run_day(sc, VARIANTS["pooled"], "normal", 0, seed=5)
    assert sorted(a.issued.tolist()) == sorted(b.issued.tolist())
    assert not np.isnan(a.called).any() and not np.isnan(b.called).any()


def test_tiny_run_reports_every_metric(sc):
    spec = RunSpec(str(standard_scenario_path()), ("dedicated", "pooled"), ("normal",), 2, seed=2)
    out = run(spec)
    m = summarize(sc, out[("normal", "pooled")])
    assert m["days"] == 2
    for key in ("mean", "p95", "daily_max", "within_20", "jain", "util_cv", "overtime"):
        assert not math.isnan(m[key][0]), key
    for key in ("p50", "p90"):
        assert not math.isnan(m[key])
    assert set(m["queues"]) == {"G", "M", "T", "E"}
    assert set(m["classes"]) == {"normal", "appointment", "green"}
    for est in ("estimate", "baseline"):
        assert {"mae", "rmse", "bias"} <= set(m[est])
        assert m[est]["mae"] >= 0
    assert 0 <= m["estimate"]["coverage"] <= 1
    # the estimate and the baseline, each on walk-ins and on appointments alone
    for kind in ("walk_in", "appointment"):
        for est in ("estimate", "baseline"):
            assert m["by_kind"][kind][est]["mae"] >= 0, (kind, est)
    n_appt = m["classes"]["appointment"]["per_day"] * m["days"]
    assert 0 < n_appt < m["tickets_per_day"] * m["days"]
    assert 600 < m["tickets_per_day"] < 1000


def test_cli_json(capsys):
    p = argparse.ArgumentParser()
    cmd_simulate.add_arguments(p)
    args = p.parse_args(["--days", "1", "--policies", "dedicated,pooled,default", "--json",
                         "--jobs", "1", "--day-type", "busy"])  # fmt: skip
    assert cmd_simulate.run(args) == 0
    doc = json.loads(capsys.readouterr().out)
    rows = doc["results"]["busy"]
    assert set(rows) == {"dedicated", "pooled", "default"}
    assert rows["pooled"]["mean"][0] <= rows["dedicated"]["mean"][0]


def test_cli_table_checks_the_reference(capsys):
    p = argparse.ArgumentParser()
    cmd_simulate.add_arguments(p)
    args = p.parse_args(["--days", "1", "--policies", "dedicated,pooled,pooled-fcfs",
                         "--jobs", "1", "--day-type", "normal"])  # fmt: skip
    assert cmd_simulate.run(args) == 0
    out = capsys.readouterr().out
    assert "reference normal dedicated" in out and "reference normal pooled " in out
    # `pooled` keeps the priority classes (as clarified); plain FCFS is not checked
    assert "reference normal pooled-fcfs" not in out
    assert "reference normal pooled     0.45 / 3.1 / 6.3" in out


def test_periods_normalisation_keeps_the_listed_multipliers():
    sc2 = load_scenario(standard_scenario_path(), ["arrivals.normalise=periods"])
    assert [x for _, _, x in sc2.periods] == [1.3, 1.5, 1.1, 0.5, 0.8, 1.2, 1.0, 0.6]
    total = sum((b - a) * x for a, b, x in sc2.periods)
    assert total / (sc2.issue_until - sc2.issue_from) == pytest.approx(462 / 450)


def test_each_day_has_exactly_the_tables_bookings_in_random_slots(sc):
    # BENCHMARK.md (clarified): exactly 89 G bookings a normal day, round(89 × 1.15) = 102
    # on a busy one; slots uniform and independent, so some slots get several and over
    # many days every slot is used; 15 % never come
    rng = np.random.default_rng(3)
    for factor, booked in ((1.0, 89), (1.15, 102)):
        came, slots = [], []
        for _ in range(100):
            day = [c for c in generate_day(sc, factor, rng)
                   if c.queue == 0 and c.kind == KIND_APPOINTMENT]  # fmt: skip
            assert len(day) == booked  # the no-comes are booked too
            came.append(sum(c.comes for c in day))
            slots.extend(c.slot for c in day)
        share = np.mean(came) / booked
        assert abs(share - 0.85) < 3 * math.sqrt(0.85 * 0.15 / (100 * booked))
        assert max(came) <= booked
        counts = np.unique(slots, return_counts=True)[1]
        assert len(counts) == 30  # every 15-minute slot 09:00–16:15 used
        assert counts.std() > 0  # not spread evenly
    even = load_scenario(
        standard_scenario_path(),
        ["appointments.slot_draw=even", "appointments.booking_count=poisson"],
    )
    assert not even.slots_random and not even.booking_exact
    with pytest.raises(ScenarioError, match=re.escape('"random" or "even"')):
        load_scenario(standard_scenario_path(), ["appointments.slot_draw=clustered"])


def test_set_overrides_edit_the_scenario_before_validation(tmp_path):
    base = load_scenario(standard_scenario_path())
    sc = load_scenario(
        standard_scenario_path(),
        ["arrivals.normalise=periods", "day_types.busy=1.2", "queues.G.walk_ins=320",
         'appointments.scale_with_day_type=false'],
    )  # fmt: skip
    assert base.appointments_scale
    assert sc.day_types["busy"] == 1.2 and not sc.appointments_scale
    assert next(q for q in sc.queues if q.id == "G").walk_ins == 320
    assert sc.periods != base.periods and "with arrivals.normalise=periods" in sc.source
    for bad, says in [
        ("queues.X.walk_ins=1", "one of G, M, T, E"),
        ("nonsense", "key=value"),
        ("arrivals.normalise=weird", '"time" or "periods"'),
        ("scenario.issue_from.x=1", "a table at scenario.issue_from"),
        ("queues.G.walk_ins=lots", "queues"),  # a string where a number belongs
    ]:
        with pytest.raises(ScenarioError, match=re.escape(says)):
            load_scenario(standard_scenario_path(), [bad])


def test_cli_set_runs_the_edited_scenario_and_refuses_a_wrong_key(capsys):
    args = ["--days", "2", "--policies", "pooled", "--day-type", "busy", "--json", "--jobs", "1"]
    p = argparse.ArgumentParser()
    cmd_simulate.add_arguments(p)
    assert cmd_simulate.run(p.parse_args(args)) == 0
    plain = json.loads(capsys.readouterr().out)
    assert cmd_simulate.run(p.parse_args([*args, "--set", "day_types.busy=1.5"])) == 0
    more = json.loads(capsys.readouterr().out)
    assert more["set"] == ["day_types.busy=1.5"]
    busy = more["results"]["busy"]["pooled"]["tickets_per_day"]
    assert busy > 1.2 * plain["results"]["busy"]["pooled"]["tickets_per_day"]
    assert cmd_simulate.run(p.parse_args([*args, "--set", "queues.Z.walk_ins=1"])) == 2
    err = capsys.readouterr().err
    assert "queues.Z.walk_ins" in err and "Traceback" not in err


def test_appointments_counted_as_arrivals_are_booked_with_the_no_comes_added():
    # the standard scenario counts bookings (the table's 89, of whom 15 % stay away);
    # reading D counts the citizens who come
    lit = load_scenario(standard_scenario_path())
    assert lit.no_come == 0.15 and next(q for q in lit.queues if q.id == "G").appointments == 89
    sc = load_scenario(standard_scenario_path(), ["appointments.counts=arrivals"])
    assert next(q for q in sc.queues if q.id == "G").appointments == pytest.approx(89 / 0.85)
    # on average 89 of them come: 300 days of generated citizens, appointments of G
    rng = np.random.default_rng(5)
    came = [
        sum(
            1
            for c in generate_day(sc, 1.0, rng)
            if c.queue == 0 and c.kind == KIND_APPOINTMENT and c.comes
        )
        for _ in range(300)
    ]
    assert abs(np.mean(came) - 89) < 3 * math.sqrt(89 / 300)
    for bad, says in [
        ("appointments.counts=people", '"bookings" or "arrivals"'),
        ("appointments.no_come=1", "a share from 0 to below 1"),
    ]:
        with pytest.raises(ScenarioError, match=re.escape(says)):
            load_scenario(standard_scenario_path(), [bad])


def _row(m: dict) -> dict:
    """A table row with the given mean / p95 / daily max and every other figure plain."""
    one = (1.0, 0.1)
    fig = {"mae": 1.0, "bias": 0.0, "coverage": 0.9}
    return {
        "p50": 1.0, "p90": 1.0, "within_20": one, "jain": one, "util_cv": one,
        "overtime": one, "estimate": fig, "baseline": fig, "moves": 0.0, "queues": {},
        "by_kind": {k: {"estimate": fig, "baseline": fig} for k in ("walk_in", "appointment")},
        "classes": {c: {"mean": 1.0, "p95": 2.0} for c in cmd_simulate.CLASSES}, **m,
    }  # fmt: skip


def test_reference_check_allows_the_printed_digits_and_says_so():
    w = cmd_simulate._within
    assert w(6.0, (5.9, 0.2), 1.0) == "in"
    assert w(6.0, (6.8, 0.4), 1.0) == "rounded"  # 6 stands for [5.5, 6.5): meets [6.4, 7.2]
    assert w(6.0, (7.2, 0.4), 1.0) == "out"
    assert w(2.69, (2.40, 0.15), 0.01) == "out"
    refs = {"normal": {"pooled": (0.47, 3.2, 6.0)}}
    m = {"mean": (0.47, 0.05), "p95": (3.3, 0.4), "daily_max": (6.8, 0.4)}
    res = {"normal": {"pooled": _row(m)}}
    out = cmd_simulate.table("s", res, refs, 300)
    assert "✓ within CI, daily max only as rounded" in out
    m["p95"] = (2.5, 0.3)
    out = cmd_simulate.table("s", {"normal": {"pooled": _row(m)}}, refs, 300)
    line = next(x for x in out.splitlines() if x.startswith("  reference normal pooled"))
    assert "✗ OUTSIDE CI: p95  (z " in line


def test_agreement_z_counts_both_estimates_noise_and_the_rounding():
    z = cmd_simulate.agreement_z
    # 300 days each: the difference's standard error is √2 × ours
    assert z(2.69, (2.89, 0.196), 300) == pytest.approx(0.2 / (0.1 * math.sqrt(2)))
    # four times the days: ours is half as noisy, the reference's stays
    assert z(2.69, (2.89, 0.098), 1200) == pytest.approx(0.2 / math.hypot(0.05, 0.1))
    assert z(6.0, (6.4, 0.196), 300, 1.0) == 0.0  # 6 stands for [5.5, 6.5)
    assert math.isnan(z(1.0, (1.0, math.nan), 300))


def test_mae_gain_is_the_share_below_the_baseline():
    from hall.sim.metrics import mae_gain

    by_kind = {"walk_in": {"estimate": {"mae": 0.8}, "baseline": {"mae": 1.0}},
               "appointment": {"estimate": {"mae": 1.0}, "baseline": {"mae": 0.0}}}  # fmt: skip
    assert mae_gain(by_kind, "walk_in") == pytest.approx(0.2)
    assert math.isnan(mae_gain(by_kind, "appointment"))


def test_targets_are_printed_met_or_not_met():
    row = _row({"mean": (2.3, 0.1), "p95": (12.0, 1.0), "daily_max": (15.0, 1.0)})
    row["by_kind"]["walk_in"] = {"estimate": {"mae": 0.9}, "baseline": {"mae": 1.0}}
    targets = {"busy": {"default+advisor": {
        "mean": ("<=", 2.2), "p95": ("<=", 13.0), "walk_in_mae_gain": (">=", 0.2)}}}  # fmt: skip
    lines = cmd_simulate.target_lines({"busy": {"default+advisor": row}}, targets)
    assert len(lines) == 3
    assert "2.30 ≤ 2.2" in lines[0] and lines[0].endswith("NOT MET")
    assert "12.00 ≤ 13" in lines[1] and lines[1].endswith(" met")
    assert "10 % ≥ 20 %" in lines[2] and lines[2].endswith("NOT MET")
    assert cmd_simulate.target_lines({"normal": {"default+advisor": row}}, targets) == []


def test_the_standard_scenario_carries_the_issues_targets(sc):
    t = sc.targets
    assert t["busy"]["default+advisor"]["mean"] == ("<=", 2.2)
    assert t["busy"]["default+advisor"]["jain"] == (">=", 0.96)
    assert t["normal"]["default+advisor"]["mean"] == ("<=", 0.6)
    assert t["busy"]["default"]["mean"] == ("<=", 3.5)
    with pytest.raises(ScenarioError, match="one of mean"):
        load_scenario(standard_scenario_path(), ['targets.busy.default.speed=["<=", 1]'])


# ---------------------------------------------------------------- walking between floors


def _walk_day(windows: str, walk: float, citizens: list, far_after: float | None = None) -> tuple:
    sc = load_scenario(
        standard_scenario_path(),
        [f"scenario.windows={windows}", f"scenario.walk_minutes_between_floors={walk}"],
    )
    if far_after is not None:  # the layout's [priority] other_floor_wait_minutes
        p = dataclasses.replace(sc.layout.priority, other_floor_wait_minutes=far_after)
        sc = dataclasses.replace(sc, layout=dataclasses.replace(sc.layout, priority=p))
    seen: list[Engine] = []
    res = simulate_day(sc, VARIANTS["default"], citizens, on_engine=seen.append)
    return res, seen[0]


def _started(eng: Engine) -> list[float]:
    midnight = datetime(2026, 11, 26)
    return [(t.started_at - midnight).total_seconds() / 60 for t in eng.tickets.values()]


def test_a_citizen_called_to_another_floor_walks_and_the_window_waits():
    # G waits on 1F; window 5 is on 2F (1 floor away), window 22 on 3F (2 floors away)
    cit = [Citizen(540.0, 0, KIND_NORMAL, 10.0, False), Citizen(541.0, 0, KIND_NORMAL, 10.0, False),
           Citizen(545.0, 0, KIND_NORMAL, 5.0, False)]  # fmt: skip
    res, eng = _walk_day("[5, 22]", 2, cit)
    # the wait ends at the call: 540 at 5, 541 at 22, and the third when 5 comes free
    assert res.called.tolist() == [540, 541, 552]  # 5: called 540, walk 2, serve 10 -> 552
    assert _started(eng) == [542, 545, 554]  # service starts when the citizen is there
    assert res.busy.tolist() == [2 + 10 + 2 + 5, 4 + 10]  # the walk counts as busy time
    assert res.end == 559
    # no walk (BENCHMARK.md's scenario): the window calls the next at once
    res, eng = _walk_day("[5, 22]", 0, cit)
    assert res.called.tolist() == [540, 541, 550] and _started(eng) == [540, 541, 550]
    assert res.busy.tolist() == [15, 10]


def test_an_absent_citizen_from_another_floor_costs_the_walk_and_the_lost_minute():
    cit = [Citizen(540.0, 0, KIND_NORMAL, 10.0, True), Citizen(540.5, 0, KIND_NORMAL, 10.0, False)]
    res, _ = _walk_day("[5, 22]", 2, cit)
    # window 5 waits 2 (walk) + 1 (the scenario's lost minute); window 22 takes the second
    assert res.called.tolist() == [540, 540.5]
    assert res.busy.tolist() == [3, 4 + 10]


def test_a_first_floor_window_calls_a_2nd_floor_ticket_once_it_has_waited_5_minutes():
    # window 5 (2F) takes the first market citizen; the second waits until window 1 (1F, its
    # `other_floors` M, in a hall that sets other_floor_wait_minutes = 5) calls it at 541 + 5
    cit = [Citizen(540.0, 1, KIND_NORMAL, 30.0, False), Citizen(541.0, 1, KIND_NORMAL, 10.0, False)]
    # the jiangbei layout as shipped (0 minutes): at once
    res, eng = _walk_day("[1, 5, 22]", 2, cit)
    assert res.called.tolist() == [540, 541] and _started(eng) == [540, 543]
    res, eng = _walk_day("[1, 5, 22]", 2, cit, far_after=5.0)
    assert res.called.tolist() == [540, 546]
    assert [t.window for t in eng.tickets.values()] == [5, 1]
    assert _started(eng) == [540, 548]  # 1F window, 2F citizen: a 2-minute walk
    assert res.busy.tolist() == [2 + 10, 30, 0]
