"""Headline input trends from Epoch AI that the baseline scenario's defaults cite.

Three growth rates drive the compute and software components:

- training compute of frontier runs, fitted here by OLS of ``log10 FLOP`` on date over the
  record-setting runs of ``epoch_frontier_training_compute.csv`` (Epoch AI "Notable AI Models",
  CC-BY 4.0, snapshot 2025-02-24), next to Epoch's published 4-5x/yr;
- algorithmic progress in language-model pretraining, ~3x/yr (halving time 8 months;
  Ho et al. 2024, arXiv:2403.05812);
- ML hardware price-performance, ~1.3-1.4x/yr (Epoch "Machine Learning Hardware"; Hobbhahn,
  Heim & Aydos 2023).

The published figures are read from ``epoch_trends.csv``, so the numbers and their source
strings stay with the data they come from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rsi_sim.core.time import DAYS_PER_YEAR, DateLike, as_date, epoch_days, to_decimal_year
from rsi_sim.data import load_table

__all__ = [
    "EpochTrends",
    "TrendFigure",
    "epoch_trends",
    "fit_training_compute_growth",
]

RECORD_SETTING = "record-setting (largest ever at release)"
RUNNING_TOP_10 = "running top-10 by compute at release (2017+)"

# Row names in epoch_trends.csv ("quantity" column) for the published figures used below.
_FRONTIER_COMPUTE = "Training compute growth, frontier models"
_ALGORITHMIC = "Algorithmic progress, LM pretraining (compute-equivalent)"
_PRICE_PERFORMANCE = "ML hardware price-performance (FLOP/s per $)"


@dataclass(frozen=True)
class TrendFigure:
    """One growth rate with its range and source.

    Attributes
    ----------
    value : float
        Central estimate, in `unit`.
    low, high : float
        Range given by the source (equal to `value` when it gives none).
    unit : str
        ``"x/year"`` for growth factors.
    source : str
        Citation, verbatim from the shipped table where the figure is read from it.
    """

    value: float
    low: float
    high: float
    unit: str
    source: str

    @property
    def doubling_time_years(self) -> float:
        """Years for the quantity to double at the central growth factor."""
        return float(np.log(2.0) / np.log(self.value))


@dataclass(frozen=True)
class EpochTrends:
    """The Epoch AI trends the baseline cites (see :func:`epoch_trends`).

    Attributes
    ----------
    training_compute_growth : TrendFigure
        Fitted here on the record-setting runs of the shipped Epoch snapshot.
    training_compute_growth_published : TrendFigure
        Epoch's published 4-5x/yr for frontier models (Sevilla & Roldan 2024).
    algorithmic_progress : TrendFigure
        Growth of compute-equivalent software efficiency in LM pretraining.
    algorithmic_halving_months : TrendFigure
        Months to halve the compute needed for a given performance (unit ``"months"``).
    hardware_price_performance : TrendFigure
        Growth of ML hardware FLOP/s per dollar.
    """

    training_compute_growth: TrendFigure
    training_compute_growth_published: TrendFigure
    algorithmic_progress: TrendFigure
    algorithmic_halving_months: TrendFigure
    hardware_price_performance: TrendFigure


def fit_training_compute_growth(
    series: str = RECORD_SETTING, since: DateLike | None = None
) -> float:
    """Growth factor per year of training compute, by OLS of log10 FLOP on date.

    Parameters
    ----------
    series : str
        Which runs of ``epoch_frontier_training_compute.csv`` to fit: the record-setting runs
        (default; 2013-2025) or the running top-10 at release (2017+).
    since : datetime.date or str, optional
        Keep runs published on or after this date.

    Returns
    -------
    float
        Multiplicative growth per Julian year.

    Examples
    --------
    >>> round(fit_training_compute_growth(), 2)
    4.31
    >>> round(fit_training_compute_growth(RUNNING_TOP_10, since="2018-01-01"), 2)
    4.85
    """
    table = load_table("epoch_frontier_training_compute")
    series_names = sorted(table["series"].unique())
    if series not in series_names:
        raise ValueError(f"Unknown series {series!r}; the table has {series_names}.")
    rows = table[table["series"] == series]
    dates = pd.to_datetime(rows["Publication date"], format="%Y-%m-%d")
    if since is not None:
        keep = dates >= pd.Timestamp(as_date(since))
        rows, dates = rows[keep], dates[keep]
    if dates.nunique() < 2:
        raise ValueError(f"Too few runs in {series!r} since {since} to fit a trend.")
    days = np.array([epoch_days(d.date()) for d in dates])
    slope_per_day, _ = np.polyfit(days, np.log10(rows["Training compute (FLOP)"].to_numpy()), 1)
    return float(10.0 ** (slope_per_day * DAYS_PER_YEAR))


def frontier_compute_hindcast(predict, since: DateLike = "2020-01-01",
                              until: DateLike = "2026-01-01") -> pd.DataFrame:
    """Epoch's record-setting training runs against a model's frontier run on their dates.

    Parameters
    ----------
    predict : callable
        Decimal year -> the model's frontier training compute (FLOP) of a run at that date.
    since, until : date or str
        Runs published in ``[since, until)``.

    Returns
    -------
    pandas.DataFrame
        ``model``, ``year``, ``flop`` (Epoch), ``predicted``, ``ratio`` (predicted / Epoch) and
        ``within_3x``.

    Examples
    --------
    >>> t = frontier_compute_hindcast(lambda y: 4.64e26 * 4.31 ** (y - 2025.13))
    >>> len(t), sorted(t.loc[~t["within_3x"], "model"])
    (8, ['GPT-4 Turbo', 'Jurassic-1-Jumbo', 'Minerva (540B)'])
    """
    table = load_table("epoch_frontier_training_compute")
    rows = table[table["series"] == RECORD_SETTING]
    dates = pd.to_datetime(rows["Publication date"], format="%Y-%m-%d")
    keep = (dates >= pd.Timestamp(as_date(since))) & (dates < pd.Timestamp(as_date(until)))
    rows, dates = rows[keep], dates[keep]
    years = np.array([to_decimal_year(d.date()) for d in dates])
    flop = rows["Training compute (FLOP)"].to_numpy(dtype=float)
    predicted = np.array([float(predict(y)) for y in years])
    ratio = predicted / flop
    return pd.DataFrame({"model": rows["Model"].to_numpy(), "year": years, "flop": flop,
                         "predicted": predicted, "ratio": ratio,
                         "within_3x": (ratio >= 1 / 3) & (ratio <= 3)})


def _row(table: pd.DataFrame, quantity: str) -> pd.Series:
    match = table[table["quantity"] == quantity]
    if len(match) != 1:
        raise LookupError(f"epoch_trends.csv has {len(match)} rows named {quantity!r}; expected 1.")
    return match.iloc[0]


def _numbers(text: str) -> list[float]:
    return [float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)]


def epoch_trends() -> EpochTrends:
    """Headline compute, algorithm and hardware trends, with sources.

    Returns
    -------
    EpochTrends
        Figures read from ``epoch_trends.csv`` and fitted from
        ``epoch_frontier_training_compute.csv``.

    Examples
    --------
    >>> trends = epoch_trends()
    >>> round(trends.algorithmic_halving_months.value), round(trends.algorithmic_progress.value, 1)
    (8, 2.8)
    >>> round(trends.hardware_price_performance.value, 2)
    1.35
    """
    table = load_table("epoch_trends")
    frontier = load_table("epoch_frontier_training_compute")
    records = frontier[frontier["series"] == RECORD_SETTING]
    years = records["Publication date"].str[:4]

    fitted = fit_training_compute_growth()
    training = TrendFigure(
        value=fitted,
        low=fitted,
        high=fitted,
        unit="x/year",
        source=(
            f"OLS of log10 FLOP on date over the {len(records)} record-setting runs "
            f"({years.min()}-{years.max()}) in epoch_frontier_training_compute.csv; "
            f"data: {records['source'].iloc[0]}"
        ),
    )

    row = _row(table, _FRONTIER_COMPUTE)
    low, high = _numbers(row["value"])  # "4-5"
    published = TrendFigure(
        value=float(np.sqrt(low * high)),  # geometric midpoint of a range of growth factors
        low=low,
        high=high,
        unit="x/year",
        source=row["source"],
    )

    row = _row(table, _ALGORITHMIC)
    halving = _numbers(row["value"])[0]  # "halving time 8 months (~2.8x/yr)"
    ci_low, ci_high = _numbers(row["uncertainty"])[-2:]  # "95% CI 5-14 months"
    halving_months = TrendFigure(
        value=halving, low=ci_low, high=ci_high, unit="months", source=row["source"]
    )
    # Halving the compute needed every h months multiplies effective compute by 2**(12/h) a
    # year; a shorter halving time is the faster (high) end.
    algorithmic = TrendFigure(
        value=2.0 ** (12.0 / halving),
        low=2.0 ** (12.0 / ci_high),
        high=2.0 ** (12.0 / ci_low),
        unit="x/year",
        source=row["source"],
    )

    row = _row(table, _PRICE_PERFORMANCE)
    # "~30% cheaper per year ... (~1.3-1.4x/yr; doubling ~2.1-2.6 yr)": take the x/yr range.
    range_text = re.search(r"(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)x/yr", row["value"])
    if range_text is None:
        raise LookupError(f"No x/yr range in epoch_trends.csv row {_PRICE_PERFORMANCE!r}.")
    low, high = float(range_text.group(1)), float(range_text.group(2))
    price_performance = TrendFigure(
        value=float(np.sqrt(low * high)), low=low, high=high, unit="x/year", source=row["source"]
    )

    return EpochTrends(
        training_compute_growth=training,
        training_compute_growth_published=published,
        algorithmic_progress=algorithmic,
        algorithmic_halving_months=halving_months,
        hardware_price_performance=price_performance,
    )
