"""Baseline: hindcast against METR and Epoch, source-article checks, invariants."""

import math

import numpy as np
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rsi_sim.calibration import epoch_trends, hindcast_table

SETTINGS = settings(max_examples=10, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
SHORT = {"horizon": "2031-01-01"}
#: Release dates move by review timing: a more capable generation needs a longer review
#: (review_effort_elasticity), so "never later" holds up to this granularity (years).
TOL = 0.05


def model_horizon_minutes(model, ds):
    """Horizon at a decimal year: pre-start calibrated path, then the simulated deployed one."""
    cap = model["capability"]
    rel = ds["gen_release"].values
    hz = ds["gen_time_horizon_hours"].values

    def predict(year):
        if year < model.start_year:
            return 60 * cap.implied_horizon_hours(year)
        i = np.nanmax(np.where(rel <= year, np.arange(len(rel)), -1))
        return 60 * hz[int(i)]
    return predict


def test_hindcast_metr_frontier_since_2023(baseline_run):
    model, ds = baseline_run
    table = hindcast_table(model_horizon_minutes(model, ds), since="2023-01-01")
    misses = set(table.loc[~table["within_ci"], "model"])
    # No single exponential fits GPT-4 0314 and GPT-4o together; the generation released after
    # Mythos Preview's date (2026-04-07) arrives nine days later.
    assert misses <= {"GPT-4 0314", "Claude Mythos Preview (early)"}
    assert len(table) - len(misses) >= 13


def test_simulated_doubling_time_close_to_metr(baseline_run):
    _, ds = baseline_run
    rel, hz = ds["gen_release"].values, ds["gen_time_horizon_hours"].values
    keep = (rel >= 2026.0) & (rel < 2027.5)
    slope = np.polyfit(rel[keep], np.log2(hz[keep]), 1)[0]
    doubling_days = 365.25 / slope
    assert 80 <= doubling_days <= 130  # METR TH1.1: 104.7 d (2024+), 128.7 d (2023+)


def test_compute_and_software_growth_match_epoch(baseline_run):
    model, ds = baseline_run
    e = epoch_trends()
    p = ds["physical_compute"]
    growth = float(p.sel(time=2027.0) / p.sel(time=2026.0))
    assert growth == pytest.approx(e.training_compute_growth.value, rel=0.01)
    sw = model["software"]
    assert math.exp(math.log(sw.historical_growth)) == pytest.approx(e.algorithmic_progress.value, rel=0.01)
    # at the start software grows at the historical rate times the AI multiplier
    s0 = ds.isel(time=0)
    assert float(s0["software_growth_rate"]) == pytest.approx(
        math.log(e.algorithmic_progress.value) * float(s0["ai_rd_multiplier"]), rel=0.01)


def test_source_article_checks(baseline_run):
    _, ds = baseline_run
    # ~16 h frontier horizon in early 2026; 8-16 h at the start
    assert 7 <= float(ds["time_horizon_hours"].sel(time=2026.0)) <= 16
    assert 12 <= float(ds["time_horizon_hours"].sel(time=2026.5, method="nearest")) <= 24
    # code output per engineer ~8x in 2026 (model: 3x in Q1, 6x from the April generation)
    q2 = float(ds["code_output_multiple"].sel(time=2026.5, method="nearest"))
    assert 4 <= q2 <= 12
    # judgment gap open through 2026; AI R&D multiplier modest (Anthropic ~1.5x)
    y26 = ds.sel(time=slice(2026.0, 2026.99))
    assert bool((y26["judgment_gap"] > 0).all())
    assert 1.2 <= float(ds["ai_rd_multiplier"][0]) <= 2.0


def test_all_outputs_present(baseline_run):
    _, ds = baseline_run
    for name in ("physical_compute", "training_compute", "software_level", "effective_compute",
                 "time_horizon_hours", "coding_automation_fraction", "ai_rd_multiplier",
                 "code_output_multiple", "human_researchers_judgment", "human_researchers_engineering",
                 "human_researchers_oversight", "ai_copies", "ai_judgment", "required_human_share", "research_quality",
                 "judgment_gap", "ai_directed_share", "human_bottleneck_utilisation",
                 "alignment_drift", "research_input", "generation"):
        assert name in ds and ds[name].attrs["units"], name
        assert np.all(np.isfinite(ds[name].values)), name


def _milestones(baseline, overrides):
    ds = baseline.with_overrides({**SHORT, **overrides}).build_model().run()
    return ds, {m: float(ds["milestone_year"].sel(milestone=m)) for m in ds["milestone"].values}


def _not_later(a, b):
    return (math.isnan(b) or a <= b + TOL) if not math.isnan(a) else math.isnan(b)


@SETTINGS
@given(factor=st.floats(1.0, 4.0))
def test_more_compute_never_delays(baseline, factor):
    """More of every resource compute is made of (chips, the money to run them, power, chip
    supply): physical compute is the least of them, so more chips alone may only stand idle."""
    _, base = _milestones(baseline, {})
    more_ds, more = _milestones(baseline, {
        "components.compute.initial_h100e": 1.5e6 * factor,
        "components.compute.initial_spending": 4e10 * factor,
        "components.compute.initial_power_gw": 2.0 * factor,
        "components.compute.power_ceiling_gw": 100.0 * factor,
        "components.compute.initial_chip_production": 2.5e7 * factor})
    assert all(_not_later(more[m], base[m]) for m in base)
    assert float(more_ds["physical_compute"][0]) == pytest.approx(1.5e6 * factor)


@SETTINGS
@given(factor=st.floats(1.0, 4.0))
def test_more_power_never_delays(baseline, factor):
    _, base = _milestones(baseline, {})
    _, more = _milestones(baseline, {"components.compute.initial_power_gw": 2.0 * factor,
                                     "components.compute.power_growth": 2.2 * factor ** 0.25})
    assert all(_not_later(more[m], base[m]) for m in base)


@SETTINGS
@given(r=st.floats(0.5, 1.2))
def test_higher_r_never_delays(baseline, r):
    _, low = _milestones(baseline, {"components.software.r": r})
    _, high = _milestones(baseline, {"components.software.r": r * 1.5})
    assert all(_not_later(high[m], low[m]) for m in low)


@SETTINGS
@given(taste=st.floats(-4.0, 0.0))
def test_worse_ai_taste_never_speeds_takeoff(baseline, taste):
    _, narrow = _milestones(baseline, {"components.judgment.initial_taste_sd": taste})
    ds, wide = _milestones(baseline, {"components.judgment.initial_taste_sd": taste - 1.0})
    assert all(_not_later(narrow[m], wide[m]) for m in narrow)
    # no stock goes negative
    for var in ("physical_compute", "software_level", "cumulative_research", "ai_copies",
                "human_researchers_judgment", "research_input"):
        assert float(ds[var].min()) >= 0


def test_identical_output_for_identical_seed(baseline):
    a = baseline.with_overrides(SHORT).build_model(seed=7).run()
    b = baseline.with_overrides(SHORT).build_model(seed=7).run()
    xr.testing.assert_identical(a, b)




def test_hindcast_epoch_record_setting_runs_2020_2025(baseline_run):
    """The pre-start path of the frontier run (a run released at y started training
    training_duration earlier) against Epoch's record-setting runs 2020-2025: within 3x.
    Jurassic-1-Jumbo (2021-08, 3.7e23 FLOP, no confidence given) is a record only because the
    previous one (AlphaGo Zero, 2017) stood for four years; it sits 4.8x below any single
    exponential through the later records and is the one miss."""
    from rsi_sim.calibration import frontier_compute_hindcast

    model, ds = baseline_run
    comp, gens = model["compute"], model["generations"]
    tc0 = float(ds["training_compute"][0])

    def predict(year):
        return tc0 * math.exp(comp.pre_start_growth * (year - gens.training_duration - model.start_year))

    table = frontier_compute_hindcast(predict, since="2020-01-01", until="2026-01-01")
    assert len(table) == 8
    misses = set(table.loc[~table["within_3x"], "model"])
    assert misses <= {"Jurassic-1-Jumbo"}, table
    assert table.loc[table["model"] == "Grok-3", "within_3x"].item()


def test_physical_and_economic_plausibility_to_2045(baseline_run):
    """REFERENCE F: spending within its GWP share, compute within the power path, staff in the
    tens of thousands at most, hiring growth declining to the long-run rate."""
    model, ds = baseline_run
    comp, lab = model["compute"], model["labour"]
    assert float(ds["time"][-1]) == 2045.0
    assert np.all(ds["spending_share_of_gwp"] <= comp.spending_share_ceiling * (1 + 1e-9))
    assert np.all(ds["power_draw"] <= ds["power_available"] * (1 + 1e-9))
    # the sourced power path without any cap, as H100e: P never above it
    t = ds["time"].values - 2026.0
    path = np.minimum(2e9 * 2.2 ** t, 100e9) / (700 / 1.28 ** t)
    assert np.all(ds["physical_compute"].values <= path * (1 + 1e-9))
    assert float(ds["physical_compute"][-1]) < 1e11  # REFERENCE F orientation
    eng = ds["human_researchers_engineering"]
    assert float(eng.max()) < 100_000
    assert np.all(np.diff(eng.values) >= 0)
    assert lab.role_growth("engineering", 19.0) < 1.15
    assert lab.role_growth("engineering", 19.0) > lab.long_run_growth


def test_2030_frontier_run_against_epoch_feasibility(baseline_run):
    """Sevilla et al. 2024: ~2e29 FLOP feasible by 2030 (power binding first, then chips). The
    baseline's 2030 run is within 3x of it, and the limit binding then is named."""
    _, ds = baseline_run
    run_2030 = float(ds["training_compute"].sel(time=2030.0))
    assert 2e29 / 3 <= run_2030 <= 2e29 * 3
    meanings = ds["binding_compute_limit"].attrs["flag_meanings"].split()
    limit = meanings[int(ds["binding_compute_limit"].sel(time=2030.0))]
    assert limit in ("money", "power", "chips")
    # the resources were not infinite: every limit binds at some time in the run
    assert set(ds["binding_compute_limit"].values.astype(int)) >= {0, 1, 2}
