import math

import pytest

from rsi_sim.calibration import epoch_trends, fit_time_horizon
from rsi_sim.components.capability import log2_horizon_slope


def test_defaults_follow_from_the_data(baseline):
    trend = fit_time_horizon(since="2024-01-01")
    comp = baseline.spec.components
    assert comp["capability"]["anchor_horizon_hours"] == pytest.approx(trend.horizon_hours(2026.0), abs=0.01)
    e = epoch_trends()
    b = log2_horizon_slope(trend.doubling_time_days,
                           e.training_compute_growth.value * e.algorithmic_progress.value)
    assert comp["capability"]["doublings_per_oom"] == pytest.approx(b, abs=0.01)
    assert comp["compute"]["spending_growth"] * comp["compute"]["price_performance_growth"] == pytest.approx(
        e.training_compute_growth.value, rel=2e-3)


def test_horizon_mapping_by_hand(baseline):
    m = baseline.build_model()
    cap = m["capability"]
    e0 = cap.effective_compute_anchor
    assert float(cap.horizon_hours(e0)) == pytest.approx(7.5)
    # tenfold effective compute -> 3.21 doublings
    assert float(cap.horizon_hours(10 * e0)) == pytest.approx(7.5 * 2 ** 3.21)
    # automation: f = 1/(1 + (3.5/h)**1.2)
    assert float(cap.automation_fraction(7.0)) == pytest.approx(1 / (1 + 0.5 ** 1.2))
    # pre-start path doubles every 104.7 days
    h1, h0 = cap.implied_horizon_hours(2025.0), cap.implied_horizon_hours(2026.0)
    assert math.log2(h0 / h1) == pytest.approx(365.25 / 104.7, rel=3e-3)
