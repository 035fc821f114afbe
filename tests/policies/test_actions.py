"""Each action in isolation against a hand-computed expectation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rsi_sim import run
from rsi_sim.components import Compute, Labour
from rsi_sim.core import Model
from rsi_sim.core.time import to_decimal_year
from rsi_sim.policies import Policies, Policy, PolicySpec

from .conftest import events, scenario_with, starts

G = 3.19 * 1.35  # compute growth factor per year (an exogenous path: continuous, no tranches)
P0, FLOP = 1.5e6, 1.25e22


def policy(name: str, start: float = 2026.0, **spec) -> Policy:
    """A policy with ``trigger`` a condition; dates as model time from ``start``."""
    return Policy.from_spec(name, PolicySpec.model_validate(spec),
                            lambda d: to_decimal_year(d) - start)


def test_trigger_fires_at_the_interpolated_crossing_time():
    # hand: P(t) = P0 G**t crosses 2 P0 at t* = ln 2 / ln G
    p = policy("cap", trigger="physical_compute >= 3e6",
               action={"kind": "cap_inference_share", "share": 0.1})
    ds = Model([Compute(growth_series={2026: G}), Policies([p])], horizon=1.0).run()
    (t, detail), = events(ds, "policy_triggered")
    assert t - 2026.0 == pytest.approx(math.log(2) / math.log(G), abs=1e-9)
    assert detail["state"]["physical_compute"] == pytest.approx(3e6, rel=1e-9)
    # the cap binds from then on: inference = min(0.4, 0.1) P
    after = ds.sel(time=2027.0)
    assert float(after["inference_compute"]) == pytest.approx(0.1 * P0 * G * FLOP, rel=1e-6)
    before = ds.sel(time=2026.0)
    assert float(before["inference_compute"]) == pytest.approx(0.4 * P0 * FLOP, rel=1e-9)
    active = ds["policy_active"].sel(policy="cap").values
    times = ds["time"].values
    assert np.all(active[times < t] == 0) and np.all(active[times > t] == 1)


def test_training_growth_cap_anchors_at_the_rate_when_triggered():
    # hand: from t0 (2026-07-01) the training rate is 0.3 P0 G**t0 * 1.5**(t - t0)
    p = policy("growth", trigger="date >= 2026-07-01", action={"kind": "cap_training_growth", "per_year": 1.5})
    ds = Model([Compute(growth_series={2026: G}), Policies([p])], horizon=2.0).run()
    t0 = to_decimal_year("2026-07-01") - 2026.0
    anchor = 0.3 * P0 * FLOP * G**t0
    assert float(ds["training_compute_rate"].sel(time=2028.0)) == pytest.approx(anchor * 1.5 ** (2 - t0), rel=1e-6)
    assert float(ds["training_compute_rate"].sel(time=2026.25)) == pytest.approx(0.3 * P0 * FLOP * G**0.25, rel=1e-6)


def test_oversight_multipliers_of_two_policies_multiply_and_lift():
    a = policy("triple", trigger="date >= 2026-03-01", action={"kind": "raise_oversight_staffing", "factor": 3},
               release={"after": "1 year"})
    b = policy("double", trigger="date >= 2026-04-01", action={"kind": "raise_oversight_staffing", "factor": 2})
    # Compute gives the model a stock: date watches are found between integrator steps.
    ds = Model([Compute(), Labour(talent_pool=1e10), Policies([a, b])], horizon=2.0).run()
    staff = ds["human_researchers_oversight"]
    # hand: 150 until the first cohort (75) arrives at t = 0.5; 6x while both are active
    assert float(staff.sel(time=2026.0 + 4 / 12)) == pytest.approx(150 * 6)
    assert float(staff.sel(time=2026.0 + 1 / 12)) == pytest.approx(150)
    # after the triple lifts (2027-03-01) only the doubling is left: (225) * 2
    assert float(staff.sel(time=2027.0 + 4 / 12)) == pytest.approx(225 * 2)


def test_slow_hiring_scales_cohorts_decided_while_active():
    p = policy("slow", trigger="date >= 2026-06-01", action={"kind": "slow_hiring", "factor": 0.25})
    ds = Model([Compute(), Labour(talent_pool=1e10), Policies([p])], horizon=1.6).run()
    cohorts = events(ds, "hiring_cohort")
    # hand: the t = 0 cohort, decided before the policy, is 1500 * 0.5 = 750 engineers; the one
    # decided at t = 1 is (1500 + 750) * (g(1) - 1) * 0.25 with the growth declined one year
    # towards 1.1 (half-life 3 years), logged to 0.1
    g1 = math.exp(math.log(1.1) + (math.log(1.5) - math.log(1.1)) * 2 ** (-1 / 3))
    assert cohorts[0][1]["engineering"] == pytest.approx(750.0, abs=0.06)
    assert cohorts[1][1]["engineering"] == pytest.approx(2250 * (g1 - 1) * 0.25, abs=0.06)


def test_pause_of_d_years_shifts_later_generations(plain_run):
    # hand: a pause [X, X + D] lets the run in progress (ending at e) finish; every later run
    # starts X + D - e later, and so does every milestone on the generation index.
    X, D = 2027.05, 1.0
    base = starts(plain_run)
    j = int(np.searchsorted(base, X, side="right") - 1)  # run in progress at X
    e = base[j] + 0.3
    ds = run(scenario_with({"pause": {"trigger": "date >= 2027-01-19", "action": "pause_training",
                                      "release": {"after": "1 year"}}}))
    (t_on, _), = events(ds, "policy_triggered")
    (t_off, detail), = events(ds, "policy_released")
    assert t_on == pytest.approx(X, abs=2e-3)  # 2027-01-19 is 2027.0493
    X = t_on
    shift = X + D - e
    assert t_off - t_on == pytest.approx(D, abs=1e-9)
    assert detail["reason"] == "after 1 years"
    new = starts(ds)
    np.testing.assert_allclose(new[: j + 1], base[: j + 1], atol=1e-9)
    np.testing.assert_allclose(new[j + 1: j + 5], base[j + 1: j + 5] + shift, atol=1e-9)
    before = float(plain_run["milestone_year"].sel(milestone="gen8"))
    after = float(ds["milestone_year"].sel(milestone="gen8"))
    assert before > X and after - before == pytest.approx(shift, abs=1e-9)
    assert float(ds["time_paused"]) == pytest.approx(D, abs=1e-9)


def test_overlapping_pauses_are_reference_counted():
    ds = run(scenario_with({
        "first": {"trigger": "date >= 2027-01-01", "action": "pause_training", "release": {"after": "1 year"}},
        "second": {"trigger": "date >= 2027-07-01", "action": "pause_training", "release": {"after": "1 year"}},
    }))
    paused = events(ds, "training_paused")
    resumed = events(ds, "training_resumed")
    assert len(paused) == 1 and len(resumed) == 1  # training resumes only when the last lifts
    (t1, _), = [e for e in events(ds, "policy_triggered") if e[1]["policy"] == "first"]
    (t2, _), = [e for e in events(ds, "policy_triggered") if e[1]["policy"] == "second"]
    assert resumed[0][0] == pytest.approx(t2 + 1.0, abs=1e-9)
    assert float(ds["time_paused"]) == pytest.approx(t2 + 1.0 - t1, abs=1e-9)
    assert not np.any((starts(ds) > t1) & (starts(ds) < t2 + 1.0))


def test_caps_take_the_minimum_and_training_compute_is_capped():
    ds = run(scenario_with({
        "loose": {"trigger": "date >= 2026-06-01", "action": {"kind": "cap_training_compute", "flop": 1e28}},
        "tight": {"trigger": "date >= 2026-06-01", "action": {"kind": "cap_training_compute", "flop": 4e27}},
    }))
    (t, _), _ = events(ds, "policy_triggered")
    tc = ds["gen_training_compute"].values
    later = starts(ds) > t
    assert np.all(tc[later] <= 4e27 * (1 + 1e-12))
    assert np.isclose(tc[later], 4e27, rtol=1e-12).sum() >= 3  # the uncapped runs are larger


def test_lengthen_review_multiplies_review_durations():
    ds = run(scenario_with({"longer": {"trigger": "date >= 2027-01-01",
                                       "action": {"kind": "lengthen_review", "factor": 2.5}}}))
    (t, _), = events(ds, "policy_triggered")
    dur = ds["gen_review_duration"].values
    start = ds["gen_review_start"].values
    ok = np.isfinite(dur) & (ds["gen"].values > 0)
    # hand: reviews are min_review_duration (1 month) with no effort, 2.5 months once lengthened
    np.testing.assert_allclose(dur[ok & (start < t)], 1 / 12, rtol=1e-12)
    np.testing.assert_allclose(dur[ok & (start > t)], 2.5 / 12, rtol=1e-12)


def test_required_human_direction_bounds_the_ai_directed_share():
    ds = run(scenario_with({"hitl": {"trigger": "judgment_gap <= 0",
                                     "action": {"kind": "require_human_direction", "share": 0.6}}}))
    (t, _), = events(ds, "policy_triggered")
    share = ds["ai_directed_share"].where(ds["time"] > t + 1e-9).dropna("time")
    assert share.size and float(share.max()) <= 0.4 + 1e-9


def test_safety_evaluation_takes_effort_over_oversight_hours():
    # hand: at 2026-03 the oversight staff is 150 (the first cohort arrives at t = 0.5), so
    # 150,000 person-hours take 150000 / (150 * 2000) = 0.5 years
    ds = run(scenario_with({"evaluate": {"trigger": "date >= 2026-03-01", "action": "pause_training",
                                         "release": {"evaluation": {"effort": "150000 hours"}}}}))
    (t0, d0), = events(ds, "safety_evaluation_started")
    (t1, _), = events(ds, "safety_evaluation_passed")
    assert d0["years"] == pytest.approx(0.5)
    assert t1 - t0 == pytest.approx(0.5, abs=1e-9)
    (t_off, rel), = events(ds, "policy_released")
    assert t_off == t1 and rel["reason"] == "safety evaluation passed"


def test_repeat_on_an_event_trigger_fires_at_each_release():
    ds = run(scenario_with({"pause_after_release": {
        "trigger": "generation_released and time_horizon_hours >= 40", "action": "pause_training",
        "release": {"after": "2 months"}, "repeat": True}}, horizon="2029-01-01"))
    triggered = [t for t, _ in events(ds, "policy_triggered")]
    released = {round(t, 9) for t, _ in events(ds, "generation_released")}
    assert len(triggered) >= 3
    assert all(round(t, 9) in released for t in triggered)
    assert int(ds["policy_triggers"].sel(policy="pause_after_release")) == len(triggered)


def test_power_chip_and_spending_caps_bind_on_their_levers():
    """cap_power lowers the power available at once (chips stand idle); cap_chip_supply limits
    tranches ordered after it; cap_compute_spending lowers what money can run."""
    ample = {"initial_power_gw": 1e5, "power_ceiling_gw": 1e5, "initial_chip_production": 1e15,
             "slowdown_year": 2100.0}
    p = policy("grid", trigger="date >= 2027-01-01", action={"kind": "cap_power", "gw": "1 GW"})
    ds = Model([Compute(**ample), Policies([p])], horizon=2.0).run()
    after = ds.sel(time=slice(2027.0, None))
    # hand: 1 GW / (700 W / 1.28**t) H100e; before the cap money binds (P0 G**t on arrivals)
    assert float(after["power_available"].min()) == pytest.approx(1e9)
    assert float(ds["physical_compute"].sel(time=2027.5)) == pytest.approx(1e9 / (700 / 1.28 ** 1.5), rel=1e-9)
    assert set(after["binding_compute_limit"].values) == {1.0}

    p = policy("chips", trigger="date >= 2026-01-01", action={"kind": "cap_chip_supply", "h100e_per_year": 4e5})
    ds = Model([Compute(**ample), Policies([p])], horizon=2.0).run()
    # hand: orders from t = 0 carry 4e5 * 0.25 each; the four ordered before the start (arriving
    # in the first year) are on the trend: P0 G; then 1e5 per quarter
    assert float(ds["installed_compute"].sel(time=2027.0)) == pytest.approx(P0 * G, rel=1e-9)
    assert float(ds["installed_compute"].sel(time=2027.75)) == pytest.approx(P0 * G + 3e5, rel=1e-9)
    assert float(ds["binding_compute_limit"].sel(time=2027.5)) == 2.0

    p = policy("money", trigger="date >= 2027-01-01",
               action={"kind": "cap_compute_spending", "usd_per_year": 5e10})
    ds = Model([Compute(**ample), Policies([p])], horizon=2.0).run()
    after = ds.sel(time=slice(2027.0, None))
    assert float(after["compute_spending"].max()) == pytest.approx(5e10, rel=1e-9)
    assert float(ds["physical_compute"].sel(time=2027.5)) == pytest.approx(5e10 / (4e10 / P0 / 1.35 ** 1.5), rel=1e-9)
