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

The parameters are declared once, as the ``Param`` declarations of
:class:`rsi_sim.components.milestone_ladder.MilestoneLadder` (default, unit, source); the
functions here take them as keyword arguments without defaults. The lognormals are the
distribution registry's (:mod:`rsi_sim.core.distributions`, ``lognormal`` with an 80%
``interval``). The draws come from each sample's seeded stream (:mod:`rsi_sim.core.random`)
through the component, so a forecast is an ensemble of the reference scenario:
``rsi-sim ensemble scenarios/reference/ai2027_takeoff.yaml``.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtri

from rsi_sim.core.distributions import REGISTRY, Distribution
from rsi_sim.reference.ladder import phase_time

__all__ = [
    "MILESTONES",
    "lognormal_80ci",
    "median_takeoff_scores",
    "takeoff_parameters_from_scores",
    "takeoff_scores_from_uniforms",
    "takeoff_milestones",
]

MILESTONES: tuple[str, ...] = ("SC", "SAR", "SIAR", "ASI")


def lognormal_80ci(lower: float, upper: float) -> Distribution:
    """The registry's lognormal whose 10th and 90th percentiles are ``lower`` and ``upper``.

    ``ln X ~ N(mu, sigma)`` with ``mu`` the mean of the log bounds and
    ``sigma = (ln upper − ln lower) / (2 z_0.9)`` (published ``get_lognormal_from_80_ci``).
    Built without the ``uncertainty:`` reader's checks, as the published code does: a reversed
    or empty interval gives a mirrored or constant distribution, not an error.

    Examples
    --------
    >>> lognormal_80ci(1.5, 10.0).at_normal_score(ndtri([0.1, 0.5, 0.9])).round(4).tolist()
    [1.5, 3.873, 10.0]
    """
    return REGISTRY["lognormal"].from_interval(lower, upper, level=0.8)


def takeoff_scores_from_uniforms(u: ArrayLike) -> dict[str, NDArray[np.float64]]:
    """The raw draws of one AI 2027 sample set from 4 uniforms per sample, by inverse CDF.

    Columns: two copula scores (``ndtri``), the jumps exponent's uniform, the zero-gap uniform.
    The milestone-ladder component takes the uniforms from each sample's seed
    (:mod:`rsi_sim.core.random`).

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
    >>> median_takeoff_scores()["normal"].tolist()
    [[0.0, 0.0]]
    """
    return {"normal": np.zeros((n, 2)), "jumps_u": np.full(n, 0.5), "zero_u": np.full(n, 0.5)}


def takeoff_parameters_from_scores(
    scores: dict[str, NDArray[np.float64]],
    *,
    p_zero_sc_to_sar: float,
    sc_to_sar_80ci: tuple[float, float],
    amr_to_sar_80ci: tuple[float, float],
    amr_sc_correlation: float,
    sar_to_siar_jumps_80ci: tuple[float, float],
    stock_at_amr: float,
    sar_to_siar_exponent: float,
) -> xr.Dataset:
    """The human-only gaps implied by raw draws (deterministic, elementwise).

    Parameters
    ----------
    scores : dict
        ``normal`` (n, 2), ``jumps_u`` (n,), ``zero_u`` (n,), as from
        :func:`takeoff_scores_from_uniforms` or :func:`median_takeoff_scores`.
    p_zero_sc_to_sar, sc_to_sar_80ci, amr_to_sar_80ci, amr_sc_correlation,
    sar_to_siar_jumps_80ci, stock_at_amr, sar_to_siar_exponent
        The parameters of :class:`~rsi_sim.components.milestone_ladder.MilestoneLadder`
        (``MilestoneLadder.reference_arguments`` gives them from its values).

    Returns
    -------
    xarray.Dataset
        Variables over ``sample`` (human-only years unless stated): ``sc_to_sar_gap``,
        ``sar_to_siar_gap``, ``siar_to_asi_gap``, ``amr_to_sar_gap``, ``sar_to_siar_jumps``,
        ``sc_to_sar_is_zero``.

    Examples
    --------
    >>> ds = takeoff_parameters_from_scores(median_takeoff_scores(), p_zero_sc_to_sar=0.15,
    ...     sc_to_sar_80ci=(1.5, 10.0), amr_to_sar_80ci=(1.0, 25.0), amr_sc_correlation=0.8,
    ...     sar_to_siar_jumps_80ci=(0.3, 7.5), stock_at_amr=10.0, sar_to_siar_exponent=2.0)
    >>> round(float(ds["sc_to_sar_gap"][0]), 3), round(float(ds["amr_to_sar_gap"][0]), 3)
    (3.873, 5.0)
    >>> round(float(ds["sar_to_siar_gap"][0]), 2)  # x (x/10)^2 - x with x = 15
    18.75
    """
    z = np.asarray(scores["normal"], dtype=float)
    n = z.shape[0]
    # The published copula: a correlation of the two normal scores (not a rank correlation, so
    # not the ensemble's ``correlations:``), written as the published code combines them.
    rho = float(amr_sc_correlation)
    z_amr = z[:, 0]
    z_sc = rho * z_amr + np.sqrt(1.0 - rho * rho) * z[:, 1]
    jumps_u = np.asarray(scores["jumps_u"], dtype=float)
    zero_u = np.asarray(scores["zero_u"], dtype=float)

    # Normal scores go straight in (the published code's normal -> uniform -> lognormal round
    # trip would lose the tails to rounding); the jumps exponent's uniform through ndtri.
    amr_to_sar = lognormal_80ci(*amr_to_sar_80ci).at_normal_score(z_amr)
    sc_is_zero = zero_u < p_zero_sc_to_sar  # published: nonzero iff random() >= p_zero
    sc_to_sar = np.where(sc_is_zero, 0.0, lognormal_80ci(*sc_to_sar_80ci).at_normal_score(z_sc))
    jumps = lognormal_80ci(*sar_to_siar_jumps_80ci).at_normal_score(ndtri(jumps_u))

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
    sc_year: float,
    speedups: tuple[float, float, float, float],
    max_phase_years: float | None,
) -> xr.Dataset:
    """Milestone dates from per-sample human-only gaps (deterministic; no randomness).

    Each phase takes ``phase_time(G, v_A, v_B)`` calendar years (REFERENCE A.3), capped at
    ``max_phase_years`` as in the published code; milestone dates accumulate from ``sc_year``.

    Parameters
    ----------
    gaps : xarray.Dataset
        Has ``sc_to_sar_gap``, ``sar_to_siar_gap``, ``siar_to_asi_gap`` over ``sample``, e.g.
        from :func:`takeoff_parameters_from_scores`.
    sc_year : float
        Decimal year of SC (the scenario's start).
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
    >>> takeoff_milestones(gaps, sc_year=2027.0, speedups=(5.0, 25.0, 250.0, 2000.0),
    ...                    max_phase_years=1000.0)["milestone_year"].values.tolist()
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
