"""Milestone-ladder mathematics of the AI 2027 takeoff forecast.

Between two milestones A and B the AI R&D progress multiplier ``v`` rises geometrically in
*progress* (not in calendar time) from ``v_A`` to ``v_B`` over a phase that needs ``G``
human-only years of progress::

    v(p) = v_A (v_B / v_A) ** (p / G),        0 <= p <= G
    dp/dt = v(p)

Integrating ``dt = dp / v(p)`` gives the calendar time of the phase in closed form::

    T = G (1/v_A - 1/v_B) / ln(v_B / v_A)

Source: AI Futures Project (2025), takeoff supplement of AI 2027, code
``uvafan/timelines-takeoff-ai-2027``, ``takeoff/forecasting_takeoff.py``
(``run_phase_simulation``: speed-up ``start * (end/start) ** (progress/gap)``, stepped in days);
shared/REFERENCE.md A.3.

All functions are numpy ufunc-style: scalars or arrays of any broadcastable shapes, so one sample
and ten thousand go through the same code.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["progress_multiplier", "phase_time", "progress_at_time"]


def _log_ratio(v_a: NDArray[np.float64], v_b: NDArray[np.float64]) -> NDArray[np.float64]:
    # ln(v_B/v_A) computed as a difference of logs keeps precision when the ratio is huge.
    return np.log(v_b) - np.log(v_a)


def progress_multiplier(
    progress: ArrayLike, gap: ArrayLike, v_start: ArrayLike, v_end: ArrayLike
) -> NDArray[np.float64]:
    """AI R&D progress multiplier after ``progress`` human-only years into a phase.

    ``v(p) = v_A (v_B/v_A)^(p/G)`` (REFERENCE A.3; AI 2027 takeoff code, ``run_phase_simulation``).
    A phase of zero length (``G == 0``) is taken to run at ``v_B`` throughout.

    Parameters
    ----------
    progress : array_like
        Progress made in the phase, in human-only years (``0 <= p <= G``).
    gap : array_like
        Human-only years the phase needs, ``G >= 0``.
    v_start, v_end : array_like
        Progress multipliers at the start (``v_A``) and the end (``v_B``) of the phase, > 0.

    Returns
    -------
    numpy.ndarray
        The multiplier ``v(p)``, broadcast over the inputs.

    Examples
    --------
    >>> round(float(progress_multiplier(0.5, 1.0, 5.0, 25.0)), 6)  # geometric mean halfway
    11.18034
    """
    p, g, va, vb = np.broadcast_arrays(
        *(np.asarray(x, dtype=float) for x in (progress, gap, v_start, v_end))
    )
    safe_g = np.where(g > 0, g, 1.0)
    fraction = np.where(g > 0, p / safe_g, 1.0)
    return np.exp(np.log(va) + fraction * _log_ratio(va, vb))


def phase_time(gap: ArrayLike, v_start: ArrayLike, v_end: ArrayLike) -> NDArray[np.float64]:
    """Calendar time of a ladder phase, in the time unit of ``gap``.

    ``T = G (1/v_A − 1/v_B) / ln(v_B/v_A)`` (REFERENCE A.3), written as
    ``G (1 − e^(−L)) / (v_A L)`` with ``L = ln(v_B/v_A)`` so that it stays accurate as
    ``v_B → v_A``, where it tends to ``G / v_A``. ``G == 0`` gives ``0``.

    Parameters
    ----------
    gap : array_like
        Human-only time the phase needs, ``G >= 0`` (any unit; the result has the same unit).
    v_start, v_end : array_like
        Multipliers at the two ends of the phase, > 0. ``v_end < v_start`` (slowing down) is
        allowed: the integral is the same formula.

    Returns
    -------
    numpy.ndarray
        Calendar time of the phase, broadcast over the inputs.

    Examples
    --------
    >>> round(float(phase_time(1.0, 5.0, 25.0)), 6)  # SC -> SAR with a one-year gap
    0.099414
    >>> phase_time([0.0, 2.0], 4.0, 4.0).tolist()
    [0.0, 0.5]
    """
    g, va, vb = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (gap, v_start, v_end)))
    log_ratio = _log_ratio(va, vb)
    nonzero = log_ratio != 0
    safe = np.where(nonzero, log_ratio, 1.0)
    # (1 - exp(-L)) / L -> 1 as L -> 0; -expm1 keeps full precision for small L.
    shape = np.where(nonzero, -np.expm1(-safe) / safe, 1.0)
    return np.where(g == 0, 0.0, g * shape / va)


def progress_at_time(
    time: ArrayLike, gap: ArrayLike, v_start: ArrayLike, v_end: ArrayLike
) -> NDArray[np.float64]:
    """Progress made after ``time`` calendar time in a phase (inverse of :func:`phase_time`).

    Solving ``dp/dt = v_A e^(L p/G)`` with ``p(0) = 0`` gives
    ``p(t) = −(G/L) ln(1 − v_A L t / G)``; the result is clipped to ``[0, G]`` (the phase ends
    at ``p = G``, reached at ``t = T``).

    Parameters
    ----------
    time : array_like
        Calendar time since the phase began, ``>= 0``.
    gap, v_start, v_end : array_like
        As in :func:`phase_time`.

    Returns
    -------
    numpy.ndarray
        Progress in human-only time units, in ``[0, G]``.

    Examples
    --------
    >>> t = phase_time(3.0, 25.0, 250.0)
    >>> round(float(progress_at_time(t, 3.0, 25.0, 250.0)), 9)
    3.0
    """
    t, g, va, vb = np.broadcast_arrays(
        *(np.asarray(x, dtype=float) for x in (time, gap, v_start, v_end))
    )
    log_ratio = _log_ratio(va, vb)
    safe_g = np.where(g > 0, g, 1.0)
    k = log_ratio / safe_g  # d ln v / dp
    nonzero = k != 0
    safe_k = np.where(nonzero, k, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        # -log1p(-va k t) / k, and va t where the multiplier is constant.
        p = np.where(nonzero, -np.log1p(-np.minimum(va * safe_k * t, 1.0)) / safe_k, va * t)
    p = np.where(np.isnan(p), np.inf, p)
    return np.where(g > 0, np.clip(p, 0.0, g), 0.0)
