import math

import pytest

from rsi_sim.calibration import epoch_trends, fit_time_horizon
from rsi_sim.components.capability import log2_horizon_slope


def test_defaults_follow_from_the_data(baseline):
    trend = fit_time_horizon(since="2024-01-01")
    model = baseline.build_model()  # the values the baseline runs with (its defaults)
    cap, compute = model["capability"], model["compute"]
    assert cap.anchor_horizon_hours == pytest.approx(trend.horizon_hours(2026.0), abs=0.01)
    e = epoch_trends()
    b = log2_horizon_slope(trend.doubling_time_days,
                           e.training_compute_growth.value * e.algorithmic_progress.value)
    assert cap.doublings_per_oom == pytest.approx(b, abs=0.01)
    assert compute.spending_growth * compute.price_performance_growth == pytest.approx(
        e.training_compute_growth.value, rel=2e-3)


def test_horizon_mapping_by_hand(baseline):
    m = baseline.build_model()
    cap = m["capability"]
    e0 = cap.effective_compute_anchor
    assert float(cap.horizon_hours(e0)) == pytest.approx(7.5)
    # tenfold effective compute -> 3.21 doublings
    assert float(cap.horizon_hours(10 * e0)) == pytest.approx(7.5 * 2 ** 3.21)
    # automation: logistic in ln E (Kwa 2026), f0 at the anchor, one log-odd per `width` nats
    assert cap.automation_of(0.0) == pytest.approx(0.714)
    logit = math.log(0.714 / 0.286) + math.log(10.0) / 0.862
    assert float(cap.automation_of(math.log(10.0))) == pytest.approx(1 / (1 + math.exp(-logit)))
    # the same law as the old fit in horizon units, f = 1/(1 + (3.5 h/h)**1.2), below the cap
    x = math.log(3.0)
    h = float(cap.horizon_of(x))
    assert float(cap.automation_of(x)) == pytest.approx(1 / (1 + (3.5 / h) ** 1.2), abs=2e-3)
    # the horizon saturates at its cap and is flagged as extrapolated beyond METR's 16 h
    assert float(cap.horizon_of(50.0)) == cap.horizon_cap_hours
    # pre-start path doubles every 104.7 days
    h1, h0 = cap.implied_horizon_hours(2025.0), cap.implied_horizon_hours(2026.0)
    assert math.log2(h0 / h1) == pytest.approx(365.25 / 104.7, rel=3e-3)
