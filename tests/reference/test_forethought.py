"""Davidson & Houlden software intelligence explosion against the published code (REFERENCE C.2).

Tolerances. The published code, with its default settings and 10,000 samples, gives
P(≥ 3 years of progress within a year) = 55.8% and P(≥ 10 years) = 16.6%; REFERENCE C.2 allows
3 percentage points. Both figures are Monte Carlo estimates: ours from n samples and theirs
from 10,000 are independent binomial proportions, so their difference has standard error
``sqrt(p (1 - p) (1/n + 1/10000))``. We accept ``|ours - published| <= max(3 pp, 4 SE)``:
at the published count (``--full``, n = 10,000) that is the 3 pp of REFERENCE C.2; at the CI
count (n = 2,000) it is 4.9 pp and 3.3 pp, which a correct model exceeds with probability
below 1e-4 whatever the seed. (With 400,000 samples this implementation gives 56.5% and 16.8%.)
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr

from rsi_sim.reference.forethought import run_sie, sample_sie_parameters, simulate_sie

SEED = 2025
CI_SAMPLES = 2_000
PUBLISHED_SAMPLES = 10_000
PUBLISHED = {3.0: 0.558, 10.0: 0.166}


@pytest.fixture(scope="module")
def sie(request: pytest.FixtureRequest) -> xr.Dataset:
    n = PUBLISHED_SAMPLES if request.config.getoption("--full") else CI_SAMPLES
    return simulate_sie(n, np.random.default_rng(SEED))


@pytest.mark.parametrize("years", sorted(PUBLISHED))
def test_published_probabilities(sie: xr.Dataset, years: float) -> None:
    """P(progress in one year >= 3 and >= 10 years) within max(3 pp, 4 SE) of the code's figure."""
    p = PUBLISHED[years]
    n = sie.sizes["sample"]
    ours = float((sie["progress_in_one_year"] >= years).mean())
    tolerance = max(0.03, 4 * math.sqrt(p * (1 - p) * (1 / n + 1 / PUBLISHED_SAMPLES)))
    assert abs(ours - p) <= tolerance, (ours, p, tolerance)


def _scalar_doubling_times(
    f: float,
    r0: float,
    limit: float,
    p: float,
    *,
    share: float = 0.5,
    gradual: bool = False,
    retraining: bool = False,
    constant_r: bool = False,
    max_months: float = 48.0,
) -> list[float]:
    """One sample, one doubling per pass: an independent, plain-Python statement of the model."""
    ceiling = (2.0 ** (4.0 / share)) ** limit
    k = 0.0 if constant_r else r0 / (math.log(ceiling) / math.log(2.0))
    f0 = 0.1 if gradual else f
    doubling = 3.0 / 1.1 if gradual else 3.0 / f
    t, size, r, fv, compute = 0.0, 1.0, r0, f0, 1.0
    times = [0.0]
    while t < max_months and size < ceiling and r > 0:
        f_old = fv
        t += doubling
        size *= 2.0
        compute *= math.exp(math.log(2.0) / 5.0 * doubling) if math.isfinite(doubling) else math.inf
        fv = f0 * math.exp(t * math.log(f / f0) / 60.0) if compute < 4096.0 else f
        r -= k
        times.append(t)
        if r > 0:
            x = p * (1.0 / r - 1.0)
            exponent = x / abs(x + 1.0) if retraining else x
            try:
                doubling *= 2.0**exponent / ((1.0 + fv) / (1.0 + f_old))
            except OverflowError:
                doubling = math.inf
    return times


@pytest.mark.parametrize(
    "options",
    [{}, {"gradual_boost": True}, {"retraining_cost": True}, {"constant_r": True}],
    ids=["default", "gradual_boost", "retraining_cost", "constant_r"],
)
def test_vectorised_matches_scalar_statement(options: dict[str, bool]) -> None:
    """Masked vectorised stepping equals one-sample-at-a-time stepping, for every option."""
    draws = sample_sie_parameters(300, np.random.default_rng(SEED + 1))
    out = run_sie(draws, **options)
    names = {
        "gradual_boost": "gradual",
        "retraining_cost": "retraining",
        "constant_r": "constant_r",
    }
    scalar_options = {names[k]: v for k, v in options.items()}
    for i in range(0, 300, 3):
        expected = _scalar_doubling_times(
            float(draws["initial_speedup"][i]),
            float(draws["returns"][i]),
            float(draws["limit_years"][i]),
            float(draws["parallelism"][i]),
            **scalar_options,
        )
        got = out["doubling_time_months"].values[i]
        assert int(out["doublings"][i]) == len(expected) - 1
        np.testing.assert_allclose(got[: len(expected)], expected, rtol=1e-12)
        assert np.all(np.isnan(got[len(expected) :]))
        # The window statistic by brute force over all windows.
        times = np.asarray(expected)
        best = max(
            (
                j - i0
                for i0 in range(times.size)
                for j in range(i0, times.size)
                if times[j] - times[i0] < 12.0
            ),
        )
        assert int(out["doublings_in_one_year"][i]) == best


def test_single_sample_equals_vectorised() -> None:
    """The same draws give bit-identical results one sample at a time and all at once."""
    draws = sample_sie_parameters(400, np.random.default_rng(SEED + 2))
    many = run_sie(draws)
    for i in range(0, 400, 9):
        one = run_sie(draws.isel(sample=[i]))
        width = one.sizes["doubling"]
        assert np.array_equal(
            one["doubling_time_months"].values[0],
            many["doubling_time_months"].values[i, :width],
            equal_nan=True,
        )
        assert one["progress_in_one_year"].item() == many["progress_in_one_year"].values[i]


def test_returns_above_one_explode_below_one_fizzle() -> None:
    """REFERENCE A.2 in this model: doubling times shrink for r > 1 and grow for r < 1."""
    draws = xr.Dataset(
        {
            "initial_speedup": ("sample", [8.0, 8.0]),
            "returns": ("sample", [0.7, 2.0]),
            "limit_years": ("sample", [11.0, 11.0]),
            "parallelism": ("sample", [0.3, 0.3]),
        }
    )
    gaps = np.diff(run_sie(draws, constant_r=True)["doubling_time_months"].values[:, :6], axis=1)
    assert np.all(np.diff(gaps[0]) > 0) and np.all(np.diff(gaps[1]) < 0)


def test_options_move_results_as_published() -> None:
    """Gradual boost slows the explosion; constant r speeds it up (same draws)."""
    draws = sample_sie_parameters(2000, np.random.default_rng(SEED + 3))
    base = float((run_sie(draws)["progress_in_one_year"] >= 3).mean())
    assert float((run_sie(draws, gradual_boost=True)["progress_in_one_year"] >= 3).mean()) < base
    assert float((run_sie(draws, constant_r=True)["progress_in_one_year"] >= 3).mean()) > base


def test_window_statistic_equals_brute_force() -> None:
    """The two-pointer sweep gives the published test's answer, row by row, at any window."""
    from rsi_sim.reference.forethought import doubling_times, window_doublings

    draws = sample_sie_parameters(60, np.random.default_rng(SEED + 4))
    times, steps = doubling_times(draws, gradual_boost=True)
    for window in (0.5, 3.0, 12.0, 40.0):
        best, _ = window_doublings(times, steps, window)
        for row in range(len(steps)):
            t = times[row]
            brute = max(d for i in range(steps[row] + 1) for d in range(steps[row] - i + 1)
                        if t[i + d] - t[i] < window)
            assert best[row] == brute, (row, window)
        one = [int(window_doublings(times[r:r + 1], steps[r:r + 1], window)[0][0]) for r in range(5)]
        assert one == best[:5].tolist()  # a sample's result does not depend on its batch
