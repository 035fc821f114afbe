"""AI 2027 takeoff forecast (AI Futures Project, 2025), vectorised across samples.

Re-expresses the sampling scheme and phase dynamics of ``takeoff/forecasting_takeoff.py`` with
``takeoff/params.yaml`` (repository ``uvafan/timelines-takeoff-ai-2027``, the version with
``"SC to SAR": [0.15, 1.5, 10]`` and ``n_sims: 5000``) in our own code:

1. SC is pinned at 2027-03-31 (``starting_time``); no wall clock.
2. Human-only gap SC→SAR: 15% chance of zero, else lognormal with 80% interval 1.5–10 years.
3. An auxiliary "AMR→SAR" human-only gap, lognormal with 80% interval 1–25 years, whose
   normal score is correlated 0.8 with the SC→SAR normal score (Gaussian copula).
   The zero/non-zero draw of SC→SAR is independent of both.
4. SAR→SIAR human-only gap from a research-stock argument: with stock ``x = 10 + AMR→SAR`` at
   SAR, ``gap = x (x/10)^2 − x`` (the published ``x·2^(2·log2(x/10)) − x``).
5. SIAR→ASI: with ``s = 10 + AMR→SAR`` and ``x = s + SAR→SIAR``,
   ``gap = x (x/s)^j − x`` where ``j`` ("SAR→SIAR equivalent jumps") is lognormal with 80%
   interval 0.3–7.5, independent of everything else.
6. Progress multipliers at SC, SAR, SIAR, ASI: 5, 25, 250, 2000; within each phase the multiplier
   rises geometrically in progress (:mod:`rsi_sim.reference.ladder`). The published code steps
   each phase in whole days and caps a phase at 1000 years; we use the closed form and keep the
   cap.

The published yaml also lists ``SAR to SIAR``, ``SIAR to ASI`` and ``ASI to WS`` lognormals
("currently unused") and draws a 4-variable Gaussian copula (correlation 0.7) for them: those
draws never reach a milestone date, so they are not reproduced here.

Shared REFERENCE.md C.1 gives the published figures this must reproduce.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtri

from rsi_sim.reference.ladder import phase_time

__all__ = [
    "MILESTONES",
    "PARAMETERS",
    "lognormal_from_80ci",
    "median_takeoff_scores",
    "sample_takeoff_parameters",
    "takeoff_parameters_from_scores",
    "takeoff_scores",
    "takeoff_scores_from_uniforms",
    "takeoff_milestones",
    "sample_takeoff",
]

MILESTONES: tuple[str, ...] = ("SC", "SAR", "SIAR", "ASI")

_SOURCE = "uvafan/timelines-takeoff-ai-2027 takeoff/"
# One declaration per parameter: default, unit, source. Defaults are the published values.
PARAMETERS: dict[str, dict[str, Any]] = {
    "sc_year": {
        # 2027-03-31 as the published code turns dates into years: year + day_of_year/365.
        "default": 2027 + 90 / 365,
        "unit": "decimal year",
        "source": _SOURCE + "params.yaml starting_time 'March 31 2027'",
        "description": "date of the superhuman coder (SC), pinned",
    },
    "p_zero_sc_to_sar": {
        "default": 0.15,
        "unit": "probability",
        "source": _SOURCE + "params.yaml times['SC to SAR'][0]",
        "description": "chance that SC->SAR needs no further human-only progress",
    },
    "sc_to_sar_80ci": {
        "default": (1.5, 10.0),
        "unit": "human-only years",
        "source": _SOURCE + "params.yaml times['SC to SAR'][1:]",
        "description": "80% interval of the lognormal SC->SAR gap when non-zero",
    },
    "amr_to_sar_80ci": {
        "default": (1.0, 25.0),
        "unit": "human-only years",
        "source": _SOURCE + "forecasting_takeoff.py get_milestone_samples (amr_to_sar_dist)",
        "description": "80% interval of the lognormal AMR->SAR gap (drives later gaps)",
    },
    "amr_sc_correlation": {
        "default": 0.8,
        "unit": "correlation of normal scores",
        "source": _SOURCE + "forecasting_takeoff.py amr_sar_sc_sar_correlation",
        "description": "Gaussian-copula correlation between AMR->SAR and SC->SAR",
    },
    "sar_to_siar_jumps_80ci": {
        "default": (0.3, 7.5),
        "unit": "dimensionless exponent",
        "source": _SOURCE + "forecasting_takeoff.py sar_to_siar_equiv_jumps_dist",
        "description": "80% interval of the lognormal 'SAR->SIAR equivalent jumps' exponent",
    },
    "stock_at_amr": {
        "default": 10.0,
        "unit": "human-only years",
        "source": _SOURCE + "forecasting_takeoff.py ('x = 10 + amr_to_sar')",
        "description": "research stock at AMR; research stock at SAR = this + AMR->SAR",
    },
    "sar_to_siar_exponent": {
        "default": 2.0,
        "unit": "dimensionless exponent",
        "source": _SOURCE + "forecasting_takeoff.py ('x * 2**(2*log2(x/10)) - x')",
        "description": "SAR->SIAR gap = x (x/stock_at_amr)^exponent - x",
    },
    "speedups": {
        "default": (5.0, 25.0, 250.0, 2000.0),
        "unit": "AI R&D progress multiplier",
        "source": _SOURCE + "params.yaml speedups SC, SAR, SIAR, ASI",
        "description": "progress multipliers at SC, SAR, SIAR, ASI",
    },
    "max_phase_years": {
        "default": 1000.0,
        "unit": "calendar years",
        "source": _SOURCE + "forecasting_takeoff.py MAX_CALENDAR_DAYS = 365*1000",
        "description": "cap on the calendar time of one phase (None: no cap)",
    },
}


def _default(name: str) -> Any:
    return PARAMETERS[name]["default"]


def lognormal_from_80ci(lower: float, upper: float, uniform: ArrayLike) -> NDArray[np.float64]:
    """Quantile function of the lognormal whose 10th and 90th percentiles are ``lower``, ``upper``.

    ``ln X ~ N(mu, sigma)`` with ``mu`` the mean of the log bounds and
    ``sigma = (ln upper − ln lower) / (2 z_0.9)`` (published ``get_lognormal_from_80_ci``).

    Parameters
    ----------
    lower, upper : float
        10th and 90th percentiles, ``0 < lower < upper``.
    uniform : array_like
        Probabilities in (0, 1) at which to evaluate the quantile function.

    Returns
    -------
    numpy.ndarray
        Quantiles, same shape as ``uniform``.

    Examples
    --------
    >>> lognormal_from_80ci(1.5, 10.0, [0.1, 0.5, 0.9]).round(4).tolist()
    [1.5, 3.873, 10.0]
    """
    return _lognormal_from_normal(lower, upper, ndtri(np.asarray(uniform, dtype=float)))


def _lognormal_from_normal(lower: float, upper: float, z: ArrayLike) -> NDArray[np.float64]:
    # Same distribution as lognormal_from_80ci, fed with a standard-normal score directly:
    # the published code maps normal -> uniform (norm.cdf) -> lognormal (ppf); skipping the
    # round trip avoids losing the tails to rounding.
    log_lo, log_hi = np.log(lower), np.log(upper)
    sigma = (log_hi - log_lo) / (2.0 * ndtri(0.9))
    return np.exp(0.5 * (log_lo + log_hi) + sigma * np.asarray(z, dtype=float))


def takeoff_scores(n: int, rng: np.random.Generator) -> dict[str, NDArray[np.float64]]:
    """The raw random draws of one AI 2027 takeoff sample set, before any transformation.

    In this order: ``normal`` = ``standard_normal((n, 2))`` (copula scores), ``jumps_u`` =
    ``random(n)`` (jumps exponent), ``zero_u`` = ``random(n)`` (zero SC->SAR gap). Drawing
    ``n = 1`` from each of many streams and concatenating gives exactly what
    :func:`sample_takeoff_parameters` gives stream by stream.

    Examples
    --------
    >>> sorted(takeoff_scores(2, np.random.default_rng(0)))
    ['jumps_u', 'normal', 'zero_u']
    """
    z = rng.standard_normal((n, 2))
    jumps_u = rng.random(n)
    zero_u = rng.random(n)
    return {"normal": z, "jumps_u": jumps_u, "zero_u": zero_u}


def takeoff_scores_from_uniforms(u: ArrayLike) -> dict[str, NDArray[np.float64]]:
    """The raw draws of :func:`takeoff_scores` from 4 uniforms per sample, by inverse CDF.

    Columns: two copula scores (``ndtri``), the jumps exponent's uniform, the zero-gap uniform.
    Same distribution as :func:`takeoff_scores`; used by the milestone-ladder component, whose
    uniforms come from each sample's seed (:mod:`rsi_sim.core.random`).

    Examples
    --------
    >>> s = takeoff_scores_from_uniforms([[0.5, 0.5, 0.25, 0.75]])
    >>> s["normal"].tolist(), s["jumps_u"].tolist()
    ([[0.0, 0.0]], [0.25])
    """
    u = np.atleast_2d(np.asarray(u, dtype=float))
    return {"normal": ndtri(u[:, :2]), "jumps_u": u[:, 2].copy(), "zero_u": u[:, 3].copy()}


def median_takeoff_scores(n: int = 1) -> dict[str, NDArray[np.float64]]:
    """Scores at the median of every input: normal scores 0, uniforms 0.5 (no zero gap).

    Examples
    --------
    >>> ds = takeoff_parameters_from_scores(median_takeoff_scores())
    >>> round(float(ds["sc_to_sar_gap"][0]), 3), round(float(ds["amr_to_sar_gap"][0]), 3)
    (3.873, 5.0)
    """
    return {"normal": np.zeros((n, 2)), "jumps_u": np.full(n, 0.5), "zero_u": np.full(n, 0.5)}


def sample_takeoff_parameters(
    n: int,
    rng: np.random.Generator,
    **params: Any,
) -> xr.Dataset:
    """Draw the per-sample human-only gaps of the AI 2027 takeoff forecast.

    :func:`takeoff_scores` then :func:`takeoff_parameters_from_scores`. The random draws are, in
    this order, ``standard_normal((n, 2))`` (copula scores), ``random(n)`` (jumps exponent) and
    ``random(n)`` (zero SC->SAR gap): a caller that wants per-sample streams can call this with
    ``n=1`` per stream.

    Parameters
    ----------
    n : int
        Number of samples.
    rng : numpy.random.Generator
        Source of randomness (no global state is used).
    **params
        Keyword parameters of :func:`takeoff_parameters_from_scores`; defaults are the
        published values.

    Returns
    -------
    xarray.Dataset
        Variables over ``sample`` (human-only years unless stated): ``sc_to_sar_gap``,
        ``sar_to_siar_gap``, ``siar_to_asi_gap``, ``amr_to_sar_gap``, ``sar_to_siar_jumps``,
        ``sc_to_sar_is_zero``.

    Examples
    --------
    >>> ds = sample_takeoff_parameters(3, np.random.default_rng(0))
    >>> ds.sizes["sample"]
    3
    """
    return takeoff_parameters_from_scores(takeoff_scores(n, rng), **params)


def takeoff_parameters_from_scores(
    scores: dict[str, NDArray[np.float64]],
    *,
    p_zero_sc_to_sar: float = _default("p_zero_sc_to_sar"),
    sc_to_sar_80ci: tuple[float, float] = _default("sc_to_sar_80ci"),
    amr_to_sar_80ci: tuple[float, float] = _default("amr_to_sar_80ci"),
    amr_sc_correlation: float = _default("amr_sc_correlation"),
    sar_to_siar_jumps_80ci: tuple[float, float] = _default("sar_to_siar_jumps_80ci"),
    stock_at_amr: float = _default("stock_at_amr"),
    sar_to_siar_exponent: float = _default("sar_to_siar_exponent"),
) -> xr.Dataset:
    """The human-only gaps implied by raw draws (deterministic, elementwise).

    Parameters
    ----------
    scores : dict
        ``normal`` (n, 2), ``jumps_u`` (n,), ``zero_u`` (n,), as from :func:`takeoff_scores`.
    p_zero_sc_to_sar, sc_to_sar_80ci, amr_to_sar_80ci, amr_sc_correlation,
    sar_to_siar_jumps_80ci, stock_at_amr, sar_to_siar_exponent
        See :data:`PARAMETERS`; defaults are the published values.

    Returns
    -------
    xarray.Dataset
        As :func:`sample_takeoff_parameters`.

    Examples
    --------
    >>> ds = takeoff_parameters_from_scores(median_takeoff_scores())
    >>> round(float(ds["sar_to_siar_gap"][0]), 2)  # x (x/10)^2 - x with x = 15
    18.75
    """
    z = np.asarray(scores["normal"], dtype=float)
    n = z.shape[0]
    rho = float(amr_sc_correlation)
    z_amr = z[:, 0]
    z_sc = rho * z_amr + np.sqrt(1.0 - rho * rho) * z[:, 1]
    jumps_u = np.asarray(scores["jumps_u"], dtype=float)
    zero_u = np.asarray(scores["zero_u"], dtype=float)

    amr_to_sar = _lognormal_from_normal(*amr_to_sar_80ci, z_amr)
    sc_is_zero = zero_u < p_zero_sc_to_sar  # published: nonzero iff random() >= p_zero
    sc_to_sar = np.where(sc_is_zero, 0.0, _lognormal_from_normal(*sc_to_sar_80ci, z_sc))
    jumps = lognormal_from_80ci(*sar_to_siar_jumps_80ci, jumps_u)

    # Research-stock argument of the published code: reaching SIAR (and then ASI) needs the stock
    # to grow by a power of the ratio by which it grew up to SAR; gaps are the stock increments.
    # In the far tail (~1e-5 of samples) the ASI stock overflows to inf; the published code
    # overflows the same way and its phase then runs into the 1000-year cap, as ours does.
    with np.errstate(over="ignore", invalid="ignore"):
        stock_sar = stock_at_amr + amr_to_sar
        stock_siar = stock_sar * (stock_sar / stock_at_amr) ** sar_to_siar_exponent
        sar_to_siar = stock_siar - stock_sar
        stock_asi = stock_siar * (stock_siar / stock_sar) ** jumps
        siar_to_asi = stock_asi - stock_siar

    years = {"units": "human-only years"}
    return xr.Dataset(
        {
            "sc_to_sar_gap": ("sample", sc_to_sar, years),
            "sar_to_siar_gap": ("sample", sar_to_siar, years),
            "siar_to_asi_gap": ("sample", siar_to_asi, years),
            "amr_to_sar_gap": ("sample", amr_to_sar, years),
            "sar_to_siar_jumps": ("sample", jumps, {"units": "1"}),
            "sc_to_sar_is_zero": ("sample", sc_is_zero),
        },
        coords={"sample": np.arange(n)},
    )


def takeoff_milestones(
    gaps: xr.Dataset,
    *,
    sc_year: float = _default("sc_year"),
    speedups: tuple[float, float, float, float] = _default("speedups"),
    max_phase_years: float | None = _default("max_phase_years"),
) -> xr.Dataset:
    """Milestone dates from per-sample human-only gaps (deterministic; no randomness).

    Each phase takes ``phase_time(G, v_A, v_B)`` calendar years (REFERENCE A.3), capped at
    ``max_phase_years`` as in the published code; milestone dates accumulate from ``sc_year``.

    Parameters
    ----------
    gaps : xarray.Dataset
        Has ``sc_to_sar_gap``, ``sar_to_siar_gap``, ``siar_to_asi_gap`` over ``sample``, e.g.
        from :func:`sample_takeoff_parameters`.
    sc_year : float
        Decimal year of SC.
    speedups : tuple of 4 floats
        Progress multipliers at SC, SAR, SIAR, ASI.
    max_phase_years : float or None
        Cap on each phase's calendar time; ``None`` for no cap.

    Returns
    -------
    xarray.Dataset
        ``gaps`` plus ``milestone_year`` (sample, milestone) and ``phase_years``
        (sample, phase) with phase coordinate ``['SC-SAR', 'SAR-SIAR', 'SIAR-ASI']``.

    Examples
    --------
    >>> gaps = xr.Dataset({k: ("sample", [v]) for k, v in
    ...     [("sc_to_sar_gap", 0.0), ("sar_to_siar_gap", 0.0), ("siar_to_asi_gap", 0.0)]})
    >>> takeoff_milestones(gaps, sc_year=2027.0)["milestone_year"].values.tolist()
    [[2027.0, 2027.0, 2027.0, 2027.0]]
    """
    v = np.asarray(speedups, dtype=float)
    human = np.stack(
        [
            np.asarray(gaps[k].values, dtype=float)
            for k in ("sc_to_sar_gap", "sar_to_siar_gap", "siar_to_asi_gap")
        ],
        axis=-1,
    )
    calendar = phase_time(human, v[:-1], v[1:])
    if max_phase_years is not None:
        calendar = np.minimum(calendar, max_phase_years)
    years = np.concatenate(
        [
            np.full(calendar.shape[:-1] + (1,), float(sc_year)),
            sc_year + np.cumsum(calendar, axis=-1),
        ],
        axis=-1,
    )
    out = gaps.copy()
    out["milestone_year"] = (("sample", "milestone"), years, {"units": "decimal year"})
    out["phase_years"] = (("sample", "phase"), calendar, {"units": "calendar years (365 days)"})
    return out.assign_coords(milestone=list(MILESTONES), phase=["SC-SAR", "SAR-SIAR", "SIAR-ASI"])


def sample_takeoff(
    n: int,
    rng: np.random.Generator,
    *,
    sc_year: float = _default("sc_year"),
    speedups: tuple[float, float, float, float] = _default("speedups"),
    max_phase_years: float | None = _default("max_phase_years"),
    **gap_params: Any,
) -> xr.Dataset:
    """Sample the AI 2027 takeoff forecast: SC → SAR → SIAR → ASI milestone years.

    :func:`sample_takeoff_parameters` then :func:`takeoff_milestones`. With the published
    defaults and 5,000 samples the medians are SAR Jul 2027, SIAR Nov 2027, ASI Mar/Apr 2028
    (shared/REFERENCE.md C.1).

    Parameters
    ----------
    n : int
        Number of samples.
    rng : numpy.random.Generator
        Source of randomness.
    sc_year, speedups, max_phase_years
        See :func:`takeoff_milestones`.
    **gap_params
        Keyword parameters of :func:`sample_takeoff_parameters`.

    Returns
    -------
    xarray.Dataset
        ``milestone_year`` over (sample, milestone), milestone ``['SC', 'SAR', 'SIAR', 'ASI']``,
        ``phase_years`` and the per-sample drawn gaps.

    Examples
    --------
    >>> ds = sample_takeoff(1000, np.random.default_rng(1))
    >>> bool(ds["milestone_year"].sel(milestone="SC")[0] == PARAMETERS["sc_year"]["default"])
    True
    >>> bool((ds["milestone_year"].diff("milestone") >= 0).all())
    True
    """
    gaps = sample_takeoff_parameters(n, rng, **gap_params)
    return takeoff_milestones(
        gaps, sc_year=sc_year, speedups=speedups, max_phase_years=max_phase_years
    )
