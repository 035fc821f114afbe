"""Davidson & Houlden software intelligence explosion: the doubling model of
:mod:`rsi_sim.reference.forethought` against an independent scalar statement and brute force.

The published figures (REFERENCE C.2: P(≥ 3 years of progress within a year) = 55.8% and
P(≥ 10 years) = 16.6%, within max(3 pp, 4 SE)) are checked where users get them, through the
ensemble of the reference scenario: ``tests/reference/test_reference_scenarios.py``. Here the
draws come from the same public path (``run_ensemble`` on the scenario file).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr

from rsi_sim import run_ensemble
from rsi_sim.components.software_doublings import INPUTS, SoftwareDoublings
from rsi_sim.reference.forethought import doubling_times, run_sie, window_doublings

SIE = "scenarios/reference/forethought_sie.yaml"
SEED = 2025
#: The published defaults, from the component's parameter declarations.
OPTIONS = SoftwareDoublings.reference_options(SoftwareDoublings().values)


def published_draws(n: int, seed: int) -> xr.Dataset:
    """``n`` draws of (f, r, L, p) from the published distributions: the reference scenario's
    ensemble, sample by sample on its seeded streams."""
    return run_ensemble(SIE, n, seed=seed)[list(INPUTS)]


def run(draws: xr.Dataset, **options) -> xr.Dataset:
    return run_sie(draws, **{**OPTIONS, **options})


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
        growth = math.log(2.0) / 5.0 * doubling  # past float range, compute is inf (as numpy)
        compute *= math.exp(growth) if growth < 709.0 else math.inf
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
    draws = published_draws(300, SEED + 1)
    out = run(draws, **options)
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
    draws = published_draws(400, SEED + 2)
    many = run(draws)
    for i in range(0, 400, 9):
        one = run(draws.isel(sample=[i]))
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
    gaps = np.diff(run(draws, constant_r=True)["doubling_time_months"].values[:, :6], axis=1)
    assert np.all(np.diff(gaps[0]) > 0) and np.all(np.diff(gaps[1]) < 0)


def test_options_move_results_as_published() -> None:
    """Gradual boost slows the explosion; constant r speeds it up (same draws)."""
    draws = published_draws(2000, SEED + 3)
    base = float((run(draws)["progress_in_one_year"] >= 3).mean())
    assert float((run(draws, gradual_boost=True)["progress_in_one_year"] >= 3).mean()) < base
    assert float((run(draws, constant_r=True)["progress_in_one_year"] >= 3).mean()) > base


def test_window_statistic_equals_brute_force() -> None:
    """The two-pointer sweep gives the published test's answer, row by row, at any window."""
    draws = published_draws(60, SEED + 4)
    options = {k: v for k, v in OPTIONS.items() if k != "window_months"}
    times, steps = doubling_times(draws, **{**options, "gradual_boost": True})
    for window in (0.5, 3.0, 12.0, 40.0):
        best, _ = window_doublings(times, steps, window)
        for row in range(len(steps)):
            t = times[row]
            brute = max(d for i in range(steps[row] + 1) for d in range(steps[row] - i + 1)
                        if t[i + d] - t[i] < window)
            assert best[row] == brute, (row, window)
        one = [int(window_doublings(times[r:r + 1], steps[r:r + 1], window)[0][0]) for r in range(5)]
        assert one == best[:5].tolist()  # a sample's result does not depend on its batch
