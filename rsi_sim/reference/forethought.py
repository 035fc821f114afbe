"""Software intelligence explosion model of Davidson & Houlden (2025), vectorised across samples.

"How quick and big would a software intelligence explosion be?" (Forethought, 2025); simulator
code in repository ``thoulden/Accelerated_AI_Progress`` (``multiple_sims.py``:
``sample_parameters_batch``, ``dynamic_system_with_lambda``,
``calculate_summary_statistics_binary``). Re-expressed here in our own code.

The model steps from one software doubling to the next (an event-driven scheme, not a clock):

- Software starts at 1 and can grow to a ceiling ``2^((4/s) L)``: ``L`` years of progress at the
  recent pace, software contributing a share ``s`` of AI progress and doubling 4 times a year
  (so ``4/s`` doublings are one "year of progress").
- Before AI automates AI research the software doubling time is 3 months; deployment speeds
  the first doubling up by ``f``: it takes ``3/f`` months.
- Returns to software R&D ``r`` fall linearly in doublings, from ``r0`` to 0 at the ceiling
  (``k = r0 / log2(ceiling)`` per doubling), unless ``constant_r``.
- After each doubling the doubling time is multiplied by ``2^(p (1/r − 1))`` (``p`` the
  parallelism penalty): ``r > 1`` shortens successive doublings, ``r < 1`` lengthens them.
- Options: ``gradual_boost`` (the speed-up ramps from 0.1 to ``f`` over five years while compute
  doubles every 5 months up to 4096×; the first doubling then takes ``3/1.1`` months),
  ``retraining_cost`` (exponent ``x/(x+1)`` in place of ``x = p (1/r − 1)``).
- A run stops at the ceiling, when ``r`` reaches 0, or after 48 months.

The headline statistic: the most doublings completed inside any window shorter than 12 months,
expressed in years of progress at recent rates (``doublings / (4/s)``). With the published
defaults and 10,000 samples the published code gives P(≥ 3 years) = 55.8% and
P(≥ 10 years) = 16.6% (shared/REFERENCE.md C.2).

The parameters are declared once, as the ``Param`` declarations of
:class:`rsi_sim.components.software_doublings.SoftwareDoublings` (default, unit, source); the
functions here take them as keyword arguments without defaults. The input distributions are the
registry's (:mod:`rsi_sim.core.distributions`: ``log-uniform`` and ``uniform``), fed with each
sample's seeded uniforms (:mod:`rsi_sim.core.random`) by the component, so a forecast is an
ensemble of the reference scenario: ``rsi-sim ensemble scenarios/reference/forethought_sie.yaml``.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from rsi_sim.core.distributions import Distribution

__all__ = [
    "doubling_times",
    "median_sie_parameters",
    "run_sie",
    "sie_inputs_from_uniforms",
    "sie_parameters_dataset",
    "window_doublings",
]

# Fixed constants of the published code (not exposed in its interface either).
_BASELINE_DOUBLING_MONTHS = 3.0  # software doubling time before deployment (implied 4/yr)
_DOUBLINGS_PER_YEAR_OF_SOFTWARE = 4.0  # "software_doubles_per_year"
_COMPUTE_DOUBLING_MONTHS = 5.0  # gradual boost: compute doubles every 5 months ...
_COMPUTE_MAX = 4096.0  # ... for 12 doublings, when the speed-up reaches f
_RAMP_MONTHS = 5 * 12  # gradual boost: f0 -> f exponentially over five years
_GRADUAL_F0 = 0.1  # gradual boost: initial speed-up, and first doubling 3/(1 + 0.1) months


def sie_inputs_from_uniforms(
    u: NDArray[np.float64],
    *,
    initial_speedup_range: tuple[float, float],
    returns_range: tuple[float, float],
    parallelism_range: tuple[float, float],
    limit_years_range: tuple[float, float],
) -> tuple[NDArray[np.float64], ...]:
    """``(f, r, limit_years, p)`` from 4 uniforms per sample (columns in that order), by the
    inverse CDFs of the published distributions: log-uniform f, r and p, uniform limit years
    (the registry's ``log-uniform`` and ``uniform``, built without the ``uncertainty:``
    reader's checks, as the published code accepts any bounds).

    Parameters
    ----------
    u : numpy.ndarray
        (sample, 4) uniforms in [0, 1).
    initial_speedup_range, returns_range, parallelism_range, limit_years_range
        Bounds of each distribution: the parameters of
        :class:`~rsi_sim.components.software_doublings.SoftwareDoublings`
        (``SoftwareDoublings.reference_ranges`` gives them from its values).

    Examples
    --------
    >>> ranges = dict(initial_speedup_range=(2.0, 32.0), returns_range=(0.4, 3.6),
    ...               parallelism_range=(0.15, 0.6), limit_years_range=(6.0, 16.0))
    >>> [round(float(a[0]), 6) for a in sie_inputs_from_uniforms(np.full((1, 4), 0.5), **ranges)]
    [8.0, 1.2, 11.0, 0.3]
    """
    u = np.atleast_2d(np.asarray(u, dtype=float))

    def draw(kind: str, col: NDArray[np.float64], bounds: tuple[float, float]) -> NDArray[np.float64]:
        return Distribution(kind, tuple(bounds)).ppf(col)

    f = draw("log-uniform", u[:, 0], initial_speedup_range)
    r = draw("log-uniform", u[:, 1], returns_range)
    limit = draw("uniform", u[:, 2], limit_years_range)
    p = draw("log-uniform", u[:, 3], parallelism_range)
    return f, r, limit, p


def median_sie_parameters(
    *,
    initial_speedup_range: tuple[float, float],
    returns_range: tuple[float, float],
    parallelism_range: tuple[float, float],
    limit_years_range: tuple[float, float],
) -> xr.Dataset:
    """One sample at the median of every input distribution (log-uniform: geometric mean).

    Examples
    --------
    >>> ds = median_sie_parameters(initial_speedup_range=(2.0, 32.0), returns_range=(0.4, 3.6),
    ...                            parallelism_range=(0.15, 0.6), limit_years_range=(6.0, 16.0))
    >>> [round(float(ds[k][0]), 6) for k in ("initial_speedup", "returns", "limit_years",
    ...                                       "parallelism")]
    [8.0, 1.2, 11.0, 0.3]
    """

    def geometric(bounds: tuple[float, float]) -> NDArray[np.float64]:
        return np.array([np.sqrt(bounds[0] * bounds[1])])

    limit = np.array([0.5 * (limit_years_range[0] + limit_years_range[1])])
    return sie_parameters_dataset(
        geometric(initial_speedup_range), geometric(returns_range), limit,
        geometric(parallelism_range),
    )


def sie_parameters_dataset(
    f: NDArray[np.float64],
    r: NDArray[np.float64],
    limit: NDArray[np.float64],
    p: NDArray[np.float64],
) -> xr.Dataset:
    """Per-sample inputs as the Dataset :func:`run_sie` reads.

    Examples
    --------
    >>> sie_parameters_dataset(*([np.ones(2)] * 4)).sizes["sample"]
    2
    """
    n = len(f)
    return xr.Dataset(
        {
            "initial_speedup": ("sample", f, {"units": "1"}),
            "returns": ("sample", r, {"units": "1"}),
            "limit_years": ("sample", limit, {"units": "years of progress"}),
            "parallelism": ("sample", p, {"units": "1"}),
        },
        coords={"sample": np.arange(n)},
    )


def _doubling_times(
    f_max: NDArray[np.float64],
    r0: NDArray[np.float64],
    limit_years: NDArray[np.float64],
    p: NDArray[np.float64],
    *,
    software_share: float,
    gradual_boost: bool,
    retraining_cost: bool,
    constant_r: bool,
    max_months: float,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Times (months) at which each sample completes its 0th, 1st, ... doubling; NaN after the end.

    All samples advance one doubling per loop pass (masked once finished), so the loop runs at
    most ``ceil(max log2 ceiling)`` times, whatever the number of samples.
    """
    n = f_max.shape[0]
    # Elementwise in the same order as the published code, so one sample or many give the same bits.
    with np.errstate(over="ignore"):
        ceiling = (2.0 ** (_DOUBLINGS_PER_YEAR_OF_SOFTWARE / software_share)) ** limit_years
    # A ceiling past float range (more than 1024 doublings away) is inf: count doublings to it
    # instead, (4/s) L of them, as the ceiling's log2 would be.
    finite_ceiling = np.isfinite(ceiling)
    total_doublings = np.where(finite_ceiling, np.log(ceiling) / np.log(2.0),
                               limit_years * (_DOUBLINGS_PER_YEAR_OF_SOFTWARE / software_share))
    k = np.zeros(n) if constant_r else r0 / total_doublings
    if gradual_boost:
        f0 = np.full(n, _GRADUAL_F0)
        doubling_time = np.full(n, _BASELINE_DOUBLING_MONTHS / (1.0 + _GRADUAL_F0))
    else:
        f0 = f_max.copy()
        doubling_time = _BASELINE_DOUBLING_MONTHS / f_max
    ramp_rate = np.log(f_max / f0) / _RAMP_MONTHS
    compute_rate = np.log(2.0) / _COMPUTE_DOUBLING_MONTHS

    # The loop can stop no later than the doubling that reaches the ceiling.
    max_steps = int(np.ceil(np.max(total_doublings, initial=0.0))) + 1
    times = np.full((n, max_steps + 1), np.nan)
    times[:, 0] = 0.0
    t = np.zeros(n)
    size = np.ones(n)
    r = r0.astype(float).copy()
    f = f0.copy()
    compute = np.ones(n)
    steps = np.zeros(n, dtype=np.int64)
    # Finished samples keep being computed (then masked); their inf doubling times overflow.
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(1, max_steps + 1):
            below = np.where(finite_ceiling, size < ceiling, steps < total_doublings)
            active = (t < max_months) & below & (r > 0)
            if not active.any():
                break
            f_old = f
            t = np.where(active, t + doubling_time, t)
            size = np.where(active, size * 2.0, size)
            # Compute grows over the doubling just finished (the pre-update doubling time).
            compute = np.where(active, compute * np.exp(compute_rate * doubling_time), compute)
            f = np.where(
                active, np.where(compute < _COMPUTE_MAX, f0 * np.exp(t * ramp_rate), f_max), f
            )
            r = np.where(active, r - k, r)
            times[:, step] = np.where(active, t, np.nan)
            steps += active
            accelerate = active & (r > 0)
            safe_r = np.where(accelerate, r, 1.0)
            x = p * (1.0 / safe_r - 1.0)
            exponent = x / np.abs(x + 1.0) if retraining_cost else x
            # 2^exponent overflows to inf when r is a hair above 0: that doubling then never
            # ends, as in the published code.
            factor = 2.0**exponent / ((1.0 + f) / (1.0 + f_old))
            doubling_time = np.where(accelerate, doubling_time * factor, doubling_time)
    return times, steps


def _most_doublings_within(
    times: NDArray[np.float64], steps: NDArray[np.int64], window: float
) -> NDArray[np.int64]:
    """Largest ``d`` with ``times[i + d] - times[i] < window`` for some ``i`` (published test).

    Times increase along a row, so for each start ``i`` the test holds exactly for the ends
    ``j <= j(i)``, the answer is ``max_i j(i) − i``, and ``j(i)`` never moves back as ``i``
    grows: a two-pointer sweep over ``i``, vectorised across samples, in which each pass checks
    only the rows whose end pointer moved in the pass before. Every comparison is the published
    test itself, row by row, so a sample's result never depends on the rest of its batch.
    """
    n, width = times.shape
    last = np.minimum(np.asarray(steps, dtype=np.int64), width - 1)
    j = np.zeros(n, dtype=np.int64)
    best = np.zeros(n, dtype=np.int64)
    with np.errstate(invalid="ignore"):
        for i in range(int(last.max(initial=0)) + 1):
            np.maximum(j, i, out=j)
            t_i = times[:, i]
            moving = np.flatnonzero((i <= last) & (j < last))
            while moving.size:
                nxt = j[moving] + 1
                ok = times[moving, nxt] - t_i[moving] < window
                moving = moving[ok]
                j[moving] = nxt[ok]
                moving = moving[j[moving] < last[moving]]
            best = np.where(i <= last, np.maximum(best, j - i), best)
    return best


def doubling_times(
    draws: xr.Dataset,
    *,
    software_share: float,
    gradual_boost: bool,
    retraining_cost: bool,
    constant_r: bool,
    max_months: float,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Months at which each sample completes doublings 0, 1, ... (NaN after), and their count.

    Examples
    --------
    >>> draws = median_sie_parameters(initial_speedup_range=(2.0, 32.0), returns_range=(0.4, 3.6),
    ...                               parallelism_range=(0.15, 0.6), limit_years_range=(6.0, 16.0))
    >>> times, steps = doubling_times(draws, software_share=0.5, gradual_boost=False,
    ...                               retraining_cost=False, constant_r=False, max_months=48.0)
    >>> float(times[0, 1]), int(steps[0])  # first doubling in 3/f months, f = 8
    (0.375, 53)
    """
    return _doubling_times(
        np.asarray(draws["initial_speedup"].values, dtype=float),
        np.asarray(draws["returns"].values, dtype=float),
        np.asarray(draws["limit_years"].values, dtype=float),
        np.asarray(draws["parallelism"].values, dtype=float),
        software_share=software_share,
        gradual_boost=gradual_boost,
        retraining_cost=retraining_cost,
        constant_r=constant_r,
        max_months=max_months,
    )


def window_doublings(
    times: NDArray[np.float64], steps: NDArray[np.int64], window_months: float
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Doublings inside the best window and inside the first window after deployment.

    Parameters
    ----------
    times : numpy.ndarray
        (sample, doubling) months at which doublings 0, 1, ... completed; NaN after the last.
    steps : numpy.ndarray
        Doublings completed per sample.
    window_months : float
        Window length.

    Returns
    -------
    (best, first) : tuple of numpy.ndarray
        ``best``: most doublings with ``times[i + d] − times[i] < window`` for some ``i`` (the
        published statistic); ``first``: doublings completed strictly before ``window_months``.

    Examples
    --------
    >>> t = np.array([[0.0, 5.0, 9.0, 14.0, 16.0, np.nan]])
    >>> [a.tolist() for a in window_doublings(t, np.array([4]), 12.0)]
    [[3], [2]]
    """
    best = _most_doublings_within(times, steps, window_months)
    # From deployment only: doublings completed strictly before the window closes.
    with np.errstate(invalid="ignore"):
        first = np.sum(times[:, 1:] < window_months, axis=1)
    return best, first


def run_sie(
    draws: xr.Dataset,
    *,
    software_share: float,
    gradual_boost: bool,
    retraining_cost: bool,
    constant_r: bool,
    max_months: float,
    window_months: float,
) -> xr.Dataset:
    """Run the software intelligence explosion for given per-sample parameters (deterministic).

    Parameters
    ----------
    draws : xarray.Dataset
        ``initial_speedup``, ``returns``, ``limit_years``, ``parallelism`` over ``sample``.
    software_share, gradual_boost, retraining_cost, constant_r, max_months, window_months
        The parameters of :class:`~rsi_sim.components.software_doublings.SoftwareDoublings`
        (``SoftwareDoublings.reference_options`` gives them from its values).

    Returns
    -------
    xarray.Dataset
        ``draws`` plus ``progress_in_one_year`` (the published statistic: most years of progress
        at recent rates inside any window shorter than ``window_months``),
        ``progress_in_first_year`` (the same, counted from deployment only),
        ``doublings_in_one_year``, ``doublings`` (completed) and ``doubling_time_months``
        (sample, doubling): when each doubling completed.

    Examples
    --------
    >>> draws = xr.Dataset({"initial_speedup": ("sample", [8.0]), "returns": ("sample", [1.2]),
    ...                     "limit_years": ("sample", [11.0]), "parallelism": ("sample", [0.3])})
    >>> out = run_sie(draws, software_share=0.5, gradual_boost=False, retraining_cost=False,
    ...               constant_r=False, max_months=48.0, window_months=12.0)
    >>> float(out["progress_in_one_year"][0])  # 34 doublings inside a year
    4.25
    """
    times, steps = _doubling_times(
        np.asarray(draws["initial_speedup"].values, dtype=float),
        np.asarray(draws["returns"].values, dtype=float),
        np.asarray(draws["limit_years"].values, dtype=float),
        np.asarray(draws["parallelism"].values, dtype=float),
        software_share=software_share,
        gradual_boost=gradual_boost,
        retraining_cost=retraining_cost,
        constant_r=constant_r,
        max_months=max_months,
    )
    per_year = _DOUBLINGS_PER_YEAR_OF_SOFTWARE / software_share  # doublings in a year of progress
    best, first = window_doublings(times, steps, window_months)
    out = draws.copy()
    out["progress_in_one_year"] = (
        "sample",
        best / per_year,
        {"units": "years of progress at recent rates"},
    )
    out["progress_in_first_year"] = (
        "sample",
        first / per_year,
        {"units": "years of progress at recent rates"},
    )
    out["doublings_in_one_year"] = ("sample", best)
    out["doublings"] = ("sample", steps)
    out["doubling_time_months"] = (
        ("sample", "doubling"),
        times,
        {"units": "months since deployment"},
    )
    return out.assign_coords(doubling=np.arange(times.shape[1]))
