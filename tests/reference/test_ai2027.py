"""AI 2027 takeoff forecast: the sampling scheme and the ladder mathematics of
:mod:`rsi_sim.reference.ai2027`.

The published figures (REFERENCE C.1: milestone medians within 2 months, 10th/90th percentiles
within 4 months, the tails and the SC→SAR durations) are checked where users get them, through
the ensemble of the reference scenario: ``tests/reference/test_reference_scenarios.py``. Here the
draws come from the same public path (``run_ensemble`` on the scenario file), so the scheme is
tested on the seeded streams the forecast uses.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from scipy.special import ndtri

from rsi_sim import run_ensemble
from rsi_sim.components.milestone_ladder import MilestoneLadder
from rsi_sim.reference.ai2027 import lognormal_80ci, takeoff_milestones

AI2027 = "scenarios/reference/ai2027_takeoff.yaml"
SEED = 20270331
GAP_ARGS, LADDER_ARGS = MilestoneLadder.reference_arguments(MilestoneLadder().values)


def test_sampling_scheme() -> None:
    """15% zero SC→SAR gaps; lognormal 80% intervals; 0.8 copula correlation (binomial 4σ)."""
    n = 40_000
    gaps = run_ensemble(AI2027, n, seed=SEED + 1)
    zero = gaps["sc_to_sar_is_zero"].values.astype(bool)
    assert abs(zero.mean() - 0.15) < 4 * np.sqrt(0.15 * 0.85 / n)
    assert np.all(gaps["sc_to_sar_gap"].values[zero] == 0)
    sc = gaps["sc_to_sar_gap"].values[~zero]
    for value, q in ((1.5, 0.1), (10.0, 0.9)):
        assert abs((sc < value).mean() - q) < 4 * np.sqrt(q * (1 - q) / sc.size)
    amr = gaps["amr_to_sar_gap"].values
    for value, q in ((1.0, 0.1), (25.0, 0.9)):
        assert abs((amr < value).mean() - q) < 4 * np.sqrt(q * (1 - q) / n)
    assert abs(np.corrcoef(np.log(amr[~zero]), np.log(sc))[0, 1] - 0.8) < 0.01
    # Derived gaps follow the published research-stock formulas.
    x = 10.0 + gaps["amr_to_sar_gap"].values
    assert np.allclose(gaps["sar_to_siar_gap"], x * (x / 10.0) ** 2 - x)


def test_lognormal_80ci_is_the_registrys_lognormal() -> None:
    """The published lognormal-from-80%-interval is the registry's lognormal with an interval."""
    from rsi_sim.core.distributions import parse_distribution

    d = lognormal_80ci(1.0, 25.0)
    assert d == parse_distribution({"dist": "lognormal", "interval": [1.0, 25.0], "level": 0.8})
    u = np.array([0.1, 0.3, 0.5, 0.9])
    assert np.allclose(d.at_normal_score(ndtri(u)), d.ppf(u), rtol=1e-14)
    assert np.allclose(d.ppf(np.array([0.1, 0.9])), [1.0, 25.0])


def test_single_sample_equals_vectorised() -> None:
    """The same draws give bit-identical dates one sample at a time and all at once."""
    gaps = run_ensemble(AI2027, 500, seed=SEED + 2)[["sc_to_sar_gap", "sar_to_siar_gap",
                                                     "siar_to_asi_gap"]]
    many = takeoff_milestones(gaps, sc_year=2027.0, **LADDER_ARGS)["milestone_year"].values
    for i in range(0, 500, 7):
        one = takeoff_milestones(gaps.isel(sample=[i]), sc_year=2027.0, **LADDER_ARGS)
        assert np.array_equal(one["milestone_year"].values[0], many[i])


def test_deterministic_and_pinned() -> None:
    """Same seed, same dataset; SC is the pinned start date; milestones in order; the cap."""
    a = run_ensemble(AI2027, 300, seed=SEED)
    b = run_ensemble(AI2027, 300, seed=SEED)
    xr.testing.assert_identical(a, b)
    assert np.all(a["milestone_year"].sel(milestone="SC") == a.attrs["start_year"])
    years = a["milestone_year"].fillna(1e300)  # NaN: after the horizon, so later
    assert np.all(years.diff("milestone") >= 0)
    assert float(a["phase_years"].max()) <= LADDER_ARGS["max_phase_years"] == 1000.0
