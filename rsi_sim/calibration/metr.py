"""Fits to METR's 50% time horizons: the doubling-time trend and hindcast checks.

Method (METR, Kwa et al. 2025, arXiv:2503.14499; METR "Time Horizon 1.1", 2026-01-29):
ordinary least squares of ``log2(p50 minutes)`` on release date in calendar days, over the
state-of-the-art models (``is_sota``) with a central p50 of at most 16 hours (960 minutes),
which METR's results file excludes from its headline fit. The doubling time is the reciprocal of
the slope. On the shipped TH1.1 vintage (2026-05-08) this gives 187.8 days over all models and
128.7 days from 2023 on, matching ``doubling_time_in_days`` in METR's file
(``metr_doubling_times.csv``).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rsi_sim.core.time import DAYS_PER_YEAR, DateLike, as_date, epoch_days, to_decimal_year
from rsi_sim.data import metr_time_horizons

__all__ = [
    "MAX_FIT_P50_MINUTES",
    "TimeHorizonTrend",
    "fit_time_horizon",
    "hindcast_table",
    "metr_doubling_time",
]

# METR's results file notes that its doubling times exclude points with central p50 > 16 h.
MAX_FIT_P50_MINUTES = 960.0


@dataclass(frozen=True)
class TimeHorizonTrend:
    """An exponential trend in the METR 50% time horizon, fitted by :func:`fit_time_horizon`.

    Attributes
    ----------
    doubling_time_days : float
        Days for the horizon to double.
    slope_log2_per_year : float
        Doublings per Julian year (365.25 days).
    intercept_log2_minutes : float
        ``log2`` of the fitted horizon in minutes at `reference_date`.
    reference_date : datetime.date
        Date the intercept refers to: the release of the newest model in the fit.
    n_models : int
        Number of models fitted.
    suite : str
        METR task suite.
    since : datetime.date or None
        Earliest release date admitted to the fit, if any.
    """

    doubling_time_days: float
    slope_log2_per_year: float
    intercept_log2_minutes: float
    reference_date: _dt.date
    n_models: int
    suite: str
    since: _dt.date | None = None

    def horizon_minutes(self, when: DateLike | float) -> float:
        """Fitted 50% time horizon in minutes at a date or decimal year.

        Parameters
        ----------
        when : datetime.date, str or float
            A date, an ISO date string, or a decimal year such as ``2025.5``.

        Returns
        -------
        float

        Examples
        --------
        >>> trend = fit_time_horizon()
        >>> round(trend.horizon_minutes(trend.reference_date) / 2**trend.intercept_log2_minutes, 12)
        1.0
        """
        days = epoch_days(when) - epoch_days(self.reference_date)
        return float(2.0 ** (self.intercept_log2_minutes + days / self.doubling_time_days))

    def horizon_hours(self, when: DateLike | float) -> float:
        """Fitted 50% time horizon in hours (see :meth:`horizon_minutes`)."""
        return self.horizon_minutes(when) / 60.0


def _fit_rows(since: DateLike | None, suite: str) -> pd.DataFrame:
    table = metr_time_horizons(suite)
    keep = table["is_sota"] & (table["p50_minutes"] <= MAX_FIT_P50_MINUTES)
    if since is not None:
        keep &= table["release_date"] >= pd.Timestamp(as_date(since))
    rows = table[keep]
    if len(rows) < 2 or rows["release_date"].nunique() < 2:
        raise ValueError(
            f"Too few state-of-the-art {suite} models released since {since} to fit a trend "
            f"(found {len(rows)})."
        )
    return rows


def fit_time_horizon(since: DateLike | None = None, suite: str = "TH1.1") -> TimeHorizonTrend:
    """Fit the exponential trend of METR 50% time horizons.

    OLS of ``log2(p50_minutes)`` on release date in days, over state-of-the-art models with
    p50 <= 960 minutes (METR's method; see the module docstring).

    Parameters
    ----------
    since : datetime.date or str, optional
        Keep only models released on or after this date.
    suite : {"TH1.1", "TH1.0"}
        METR task suite.

    Returns
    -------
    TimeHorizonTrend

    Examples
    --------
    >>> trend = fit_time_horizon(since="2023-01-01")
    >>> round(trend.doubling_time_days, 1), trend.n_models
    (128.7, 14)
    """
    rows = _fit_rows(since, suite)
    days = np.array([epoch_days(d.date()) for d in rows["release_date"]])
    log2_minutes = np.log2(rows["p50_minutes"].to_numpy(dtype=float))
    slope_per_day, intercept_at_epoch = np.polyfit(days, log2_minutes, 1)
    reference = rows["release_date"].max().date()
    return TimeHorizonTrend(
        doubling_time_days=float(1.0 / slope_per_day),
        slope_log2_per_year=float(slope_per_day * DAYS_PER_YEAR),
        intercept_log2_minutes=float(intercept_at_epoch + slope_per_day * epoch_days(reference)),
        reference_date=reference,
        n_models=len(rows),
        suite=suite,
        since=None if since is None else as_date(since),
    )


def metr_doubling_time(since: DateLike | None = None, suite: str = "TH1.1") -> float:
    """Doubling time in days of the METR 50% time horizon.

    Parameters
    ----------
    since : datetime.date or str, optional
        Keep only models released on or after this date.
    suite : {"TH1.1", "TH1.0"}
        METR task suite.

    Returns
    -------
    float
        Days. On the shipped TH1.1 vintage: 187.8 (all) and 128.7 (since 2023-01-01), as in
        METR's results file.

    Examples
    --------
    >>> round(metr_doubling_time(), 1)
    187.8
    """
    return fit_time_horizon(since=since, suite=suite).doubling_time_days


def hindcast_table(
    predict: Callable[[float], float],
    since: DateLike = "2023-01-01",
    suite: str = "TH1.1",
) -> pd.DataFrame:
    """Compare predicted 50% time horizons with METR's measurements of frontier models.

    Every state-of-the-art model of the suite released on or after `since` is included, also
    those above the 960-minute cut used for fitting: a hindcast should face all of them.

    Parameters
    ----------
    predict : callable
        Maps a decimal year (e.g. ``2024.5``) to a predicted p50 horizon in minutes.
    since : datetime.date or str
        Earliest release date.
    suite : {"TH1.1", "TH1.0"}
        METR task suite.

    Returns
    -------
    pandas.DataFrame
        Columns ``model``, ``release_date``, ``decimal_year``, ``p50_minutes``, ``ci95_low``,
        ``ci95_high``, ``predicted``, ``within_ci`` (True when the prediction lies in METR's
        95% bootstrap interval, ends included).

    Examples
    --------
    >>> trend = fit_time_horizon(since="2023-01-01")
    >>> table = hindcast_table(trend.horizon_minutes)
    >>> bool(table["within_ci"].mean() > 0.8)
    True
    """
    table = metr_time_horizons(suite)
    rows = table[table["is_sota"] & (table["release_date"] >= pd.Timestamp(as_date(since)))]
    decimal_years = [to_decimal_year(d.date()) for d in rows["release_date"]]
    predicted = np.array([float(predict(x)) for x in decimal_years])
    if not np.all(np.isfinite(predicted)):
        raise ValueError("predict returned a non-finite horizon for some release date.")
    out = pd.DataFrame(
        {
            "model": rows["model"].to_numpy(),
            "release_date": rows["release_date"].to_numpy(),
            "decimal_year": decimal_years,
            "p50_minutes": rows["p50_minutes"].to_numpy(),
            "ci95_low": rows["p50_ci95_low"].to_numpy(),
            "ci95_high": rows["p50_ci95_high"].to_numpy(),
            "predicted": predicted,
        }
    )
    out["within_ci"] = (out["predicted"] >= out["ci95_low"]) & (
        out["predicted"] <= out["ci95_high"]
    )
    return out
