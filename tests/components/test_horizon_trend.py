"""The time-horizon trend: METR fit, closed-form milestones, kernel equals vectorised."""

from __future__ import annotations

import numpy as np
import pytest

from rsi_sim.components.horizon_trend import HorizonTrend
from rsi_sim.reference.time_horizon import time_to_horizon
from rsi_sim.scenario import load_scenario

SCENARIO = "scenarios/reference/time_horizon_extrapolation.yaml"


@pytest.mark.parametrize("form", ["exponential", "superexponential"])
def test_kernel_milestones_are_closed_form(form: str) -> None:
    """Threshold dates found by root-finding equal the closed-form inverse (1e-9 y)."""
    sc = load_scenario(SCENARIO, {"components.horizon_trend.form": form})
    ds = sc.build_model().run()
    milestones = {k: m.when for k, m in sc.spec.milestones.items()}
    vec = HorizonTrend.run_vectorized(sc.spec.components["horizon_trend"], [None],
                                      ds.attrs["start_year"], milestones,
                                      horizon=sc.spec.horizon_years())
    np.testing.assert_allclose(ds["milestone_year"].values, vec["milestone_year"].values[0],
                               rtol=0, atol=1e-9)
    assert float(ds["doubling_time_days"]) == pytest.approx(128.7, abs=0.05)  # REFERENCE B


def test_superexponential_is_earlier_and_bounded() -> None:
    """Each doubling 10% shorter: thresholds a doubling or more past h0 come earlier (within
    the first doubling the smooth superexponential curve is slightly slower, see
    rsi_sim.reference.time_horizon), and all come before t0 + T/d."""
    exp = load_scenario(SCENARIO).build_model().run()
    sup = load_scenario(SCENARIO, {"components.horizon_trend.form": "superexponential"}
                        ).build_model().run()
    later = ["work_week", "work_month", "work_year"]
    assert np.all(sup["milestone_year"].sel(milestone=later).values
                  < exp["milestone_year"].sel(milestone=later).values)
    assert np.all(sup["milestone_year"].values < float(sup["divergence_year"]))
    h0, t0 = float(sup["h0_hours"]), float(sup["t0_year"])
    t = float(sup["doubling_time_days"]) / 365.25
    assert float(sup["milestone_year"].sel(milestone="work_year")) == pytest.approx(
        float(time_to_horizon(2000.0, h0, t0, t, 0.1)), abs=1e-9)
