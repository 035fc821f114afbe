"""Time-horizon extrapolation: exponential and superexponential (shared/REFERENCE.md C.3).

Exponential (METR, Kwa et al. 2025): the 50% time horizon doubles every ``T``::

    h(t) = h0 2^((t − t0)/T)

Superexponential (AI 2027 timelines forecast, ``timelines/forecasting_timelines.py`` of
``uvafan/timelines-takeoff-ai-2027``): each doubling takes ``(1 − d)`` times as long as the one
before, the first taking ``T``. The time for ``n`` doublings is the geometric sum::

    T + T(1−d) + ... + T(1−d)^(n−1) = T (1 − (1−d)^n) / d   →   T/d as n → ∞

so every horizon is reached before ``t0 + T/d``. We use the sum's closed form for any real
``n``: exact at whole doublings; in between, ``log2 h`` follows the smooth curve through them
(so just after ``t0`` the growth rate is slightly below ``1/T``, ``d/(−T ln(1−d))`` doublings per
unit time, and above it at the end of the first doubling). ``d = 0`` is the exponential case;
``d < 0`` (each doubling slower) is allowed and never reaches a bound.

All functions broadcast like numpy ufuncs.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "time_for_doublings",
    "doublings_in_time",
    "time_to_horizon",
    "horizon_at",
    "superexponential_limit",
]


def _log1p_neg_ratio(y: NDArray[np.float64]) -> NDArray[np.float64]:
    """``ln(1 − y) / (−y)``, equal to 1 at ``y = 0`` and accurate for tiny ``y``."""
    tiny = np.abs(y) < 1e-8
    safe = np.where(tiny, 0.5, y)
    with np.errstate(divide="ignore", invalid="ignore"):
        exact = np.log1p(-safe) / -safe
    return np.where(tiny, 1.0 + y / 2.0, exact)


def _expm1_ratio(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """``(e^x − 1) / x``, equal to 1 at ``x = 0`` and accurate for tiny ``x``."""
    tiny = np.abs(x) < 1e-8
    safe = np.where(tiny, 1.0, x)
    with np.errstate(over="ignore"):
        exact = np.expm1(safe) / safe
    return np.where(tiny, 1.0 + x / 2.0, exact)


def time_for_doublings(
    doublings: ArrayLike, doubling_time: ArrayLike, decay: ArrayLike = 0.0
) -> NDArray[np.float64]:
    """Time for ``n`` doublings when each takes ``(1 − d)`` times the previous one.

    ``T (1 − (1−d)^n) / d`` (REFERENCE C.3). Written as ``T n φ(n ln(1−d)) g(d)`` with
    ``φ(x) = (e^x − 1)/x`` and ``g(d) = ln(1−d)/(−d)``, both 1 at 0, so it stays accurate for
    any small ``d`` and is exactly ``T n`` at ``d = 0``.

    Parameters
    ----------
    doublings : array_like
        Number of doublings ``n`` (real; negative means going back in time).
    doubling_time : array_like
        Duration ``T`` of the first doubling, > 0.
    decay : array_like, default 0
        ``d < 1``; 0 gives exponential growth.

    Returns
    -------
    numpy.ndarray
        Elapsed time, in the unit of ``doubling_time``.

    Examples
    --------
    >>> round(float(time_for_doublings(3, 1.0, 0.5)), 12)  # 1 + 0.5 + 0.25
    1.75
    >>> float(time_for_doublings(3, 2.0))
    6.0
    """
    n, t, d = np.broadcast_arrays(
        *(np.asarray(x, dtype=float) for x in (doublings, doubling_time, decay))
    )
    g = _log1p_neg_ratio(d)
    with np.errstate(over="ignore", invalid="ignore"):
        return t * n * _expm1_ratio(-n * d * g) * g


def doublings_in_time(
    elapsed: ArrayLike, doubling_time: ArrayLike, decay: ArrayLike = 0.0
) -> NDArray[np.float64]:
    """Number of doublings completed after ``elapsed`` time (inverse of :func:`time_for_doublings`).

    ``n = ln(1 − d τ/T) / ln(1 − d)``, i.e. ``(τ/T) g(d τ/T) / g(d)`` with
    ``g(y) = ln(1−y)/(−y)``; ``inf`` once ``τ >= T/d`` (superexponential, ``d > 0``), and
    ``-inf`` once ``τ <= T/d`` before ``t0`` when ``d < 0`` (the horizon is then 0).

    Parameters
    ----------
    elapsed : array_like
        Time since ``t0`` (may be negative).
    doubling_time : array_like
        ``T`` > 0.
    decay : array_like, default 0
        ``d < 1``.

    Returns
    -------
    numpy.ndarray
        Doublings ``n``, possibly ``inf``.

    Examples
    --------
    >>> float(doublings_in_time(1.75, 1.0, 0.5))
    3.0
    >>> float(doublings_in_time(2.0, 1.0, 0.5))
    inf
    """
    tau, t, d = np.broadcast_arrays(
        *(np.asarray(x, dtype=float) for x in (elapsed, doubling_time, decay))
    )
    y = d * tau / t
    with np.errstate(over="ignore", invalid="ignore"):
        n = (tau / t) * _log1p_neg_ratio(np.minimum(y, 1.0)) / _log1p_neg_ratio(d)
    # y >= 1 only when d and tau share a sign: forward (d > 0) the horizon has blown up;
    # backward with d < 0 each earlier doubling is shorter, so it has shrunk to 0 (n = -inf).
    return np.where(y < 1.0, n, np.copysign(np.inf, tau))


def time_to_horizon(
    horizon: ArrayLike,
    h0: ArrayLike,
    t0: ArrayLike,
    doubling_time: ArrayLike,
    decay: ArrayLike = 0.0,
) -> NDArray[np.float64]:
    """Date at which the time horizon reaches ``horizon``.

    ``t0 + time_for_doublings(log2(horizon/h0), T, d)``; exponential:
    ``t0 + T log2(h/h0)``.

    Parameters
    ----------
    horizon : array_like
        Threshold horizon (same unit as ``h0``), > 0.
    h0 : array_like
        Horizon at ``t0``, > 0.
    t0 : array_like
        Reference date (e.g. decimal year).
    doubling_time : array_like
        Doubling time at ``t0`` (same unit as ``t0``).
    decay : array_like, default 0
        Superexponential decay ``d`` of successive doubling times.

    Returns
    -------
    numpy.ndarray
        Date of the threshold crossing.

    Examples
    --------
    >>> float(time_to_horizon(16.0, 1.0, 2025.0, 0.5))  # 4 doublings of half a year
    2027.0
    >>> float(time_to_horizon(1e12, 1.0, 2025.0, 0.5, decay=0.1)) < 2025.0 + 0.5 / 0.1
    True
    """
    n = np.log2(np.asarray(horizon, dtype=float) / np.asarray(h0, dtype=float))
    return np.asarray(t0, dtype=float) + time_for_doublings(n, doubling_time, decay)


def horizon_at(
    time: ArrayLike,
    h0: ArrayLike,
    t0: ArrayLike,
    doubling_time: ArrayLike,
    decay: ArrayLike = 0.0,
) -> NDArray[np.float64]:
    """Time horizon at date ``time``: ``h0 2^n(t − t0)``; exponential ``h0 2^((t − t0)/T)``.

    Superexponential horizons are ``inf`` from ``t0 + T/d`` on.

    Parameters
    ----------
    time : array_like
        Date(s).
    h0, t0, doubling_time, decay : array_like
        As in :func:`time_to_horizon`.

    Returns
    -------
    numpy.ndarray
        Horizon, in the unit of ``h0``.

    Examples
    --------
    >>> float(horizon_at(2026.0, 1.0, 2025.0, 0.5))
    4.0
    >>> float(horizon_at(2025.0 + 1.75, 1.0, 2025.0, 1.0, decay=0.5))
    8.0
    """
    elapsed = np.asarray(time, dtype=float) - np.asarray(t0, dtype=float)
    with np.errstate(over="ignore"):
        return np.asarray(h0, dtype=float) * np.exp2(
            doublings_in_time(elapsed, doubling_time, decay)
        )


def superexponential_limit(
    t0: ArrayLike, doubling_time: ArrayLike, decay: ArrayLike
) -> NDArray[np.float64]:
    """Date by which a superexponential horizon diverges: ``t0 + T/d`` (``inf`` for ``d <= 0``).

    Examples
    --------
    >>> float(superexponential_limit(2025.0, 0.5, 0.1))
    2030.0
    """
    t0_, t, d = np.broadcast_arrays(
        *(np.asarray(x, dtype=float) for x in (t0, doubling_time, decay))
    )
    safe_d = np.where(d > 0, d, 1.0)
    return np.where(d > 0, t0_ + t / safe_d, np.inf)
