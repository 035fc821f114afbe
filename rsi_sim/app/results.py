"""What the page draws and tables, computed from results Datasets (no web framework here).

Times go to the page as milliseconds since 1970 (what a browser's date axis counts), by the
calendar rule of :func:`rsi_sim.plot.to_datetime64`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import xarray as xr

from ..analysis.summary import fmt_year
from ..plot.figures import TAKEOFF_VARIABLES
from ..plot.style import label, quiet_nan, spans, to_datetime64

#: Central interval of the ensemble band.
BAND_QUANTILES = (0.1, 0.9)


def to_ms(years: np.ndarray | float) -> np.ndarray:
    """Decimal years as float milliseconds since 1970-01-01 (NaN stays NaN).

    >>> to_ms([1970.0, 1971.0]).tolist()
    [0.0, 31536000000.0]
    """
    dates = to_datetime64(years).astype("datetime64[ms]")
    out = dates.astype("int64").astype(float)
    out[np.isnat(dates)] = np.nan
    return out


def takeoff_variables(ds: xr.Dataset) -> list[str]:
    """The variables the page draws, one panel each: those of a takeoff figure, or (for a model
    without them) its first time variables that are positive, up to three."""
    found = [v for v in TAKEOFF_VARIABLES if v in ds]
    if found:
        return found
    names = []
    for name, var in ds.data_vars.items():
        if var.dims == ("time",) and var.dtype.kind == "f":
            values = var.values[np.isfinite(var.values)]
            if values.size and (values > 0).all():
                names.append(str(name))
    return names[:3]


def axis_label(ds: xr.Dataset, name: str) -> str:
    """The figures' axis label, first line only (a web panel is short)."""
    return label(ds, name).split("\n")[0]


def positive(values: np.ndarray) -> np.ndarray:
    """Values for a log axis: NaN where not positive (a gap, not a line to zero)."""
    values = np.asarray(values, dtype=float).copy()
    with np.errstate(invalid="ignore"):
        values[~(values > 0)] = np.nan
    return values


def curves(ds: xr.Dataset, variables: Sequence[str]) -> dict[str, np.ndarray]:
    """Columns ``x`` and one per variable, for the page's line glyphs."""
    data = {"x": to_ms(ds["time"].values)}
    for name in variables:
        data[name] = positive(ds[name].values) if name in ds else np.full(ds.sizes["time"], np.nan)
    return data


def paused_periods(ds: xr.Dataset) -> list[tuple[float, float]]:
    """``(start, end)`` decimal years when new training runs were paused by a policy: from the
    event log (exact times), else from the recorded ``training_paused`` variable."""
    end = float(ds["time"].values[-1])
    if "event_kind" in ds and "event_time" in ds:
        kinds = [str(k) for k in ds["event_kind"].values]
        times = np.asarray(ds["event_time"].values, dtype=float)
        out, since = [], None
        for kind, t in zip(kinds, times, strict=True):
            if kind == "training_paused" and since is None:
                since = float(t)
            elif kind == "training_resumed" and since is not None:
                out.append((since, float(t)))
                since = None
        if since is not None:
            out.append((since, end))
        if out or "training_paused" in kinds:
            return out
    if "training_paused" in ds:
        return spans(ds["time"].values, ds["training_paused"].values > 0.5)
    return []


def milestone_points(ds: xr.Dataset, variables: Sequence[str]) -> dict[str, list]:
    """Each reached milestone on every curve, at its date: columns ``x``, ``name``, ``date``
    and one per variable (the curve's value at that date)."""
    data: dict[str, list] = {"x": [], "name": [], "date": [], **{v: [] for v in variables}}
    if "milestone_year" not in ds:
        return data
    t = np.asarray(ds["time"].values, dtype=float)
    for name, year in zip(ds["milestone"].values, ds["milestone_year"].values, strict=True):
        year = float(year)
        if not (math.isfinite(year) and t[0] <= year <= t[-1]):
            continue
        data["x"].append(float(to_ms(year)[0]))
        data["name"].append(str(name))
        data["date"].append(fmt_year(year))
        for v in variables:
            y = positive(ds[v].values) if v in ds else np.full(t.size, np.nan)
            good = np.isfinite(y)
            value = float(np.exp(np.interp(year, t[good], np.log(y[good])))) if good.sum() >= 2 else math.nan
            data[v].append(value)
    return data


def band(ens: xr.Dataset, variables: Sequence[str],
         quantiles: tuple[float, float] = BAND_QUANTILES) -> dict[str, np.ndarray]:
    """The ensemble's central interval over time: columns ``x``, ``<var>_lo``, ``<var>_hi``."""
    data = {"x": to_ms(ens["time"].values)}
    for name in variables:
        if name not in ens:
            data[f"{name}_lo"] = data[f"{name}_hi"] = np.full(ens.sizes["time"], np.nan)
            continue
        with quiet_nan():
            q = np.nanquantile(ens[name].transpose("sample", "time").values, quantiles, axis=0)
        data[f"{name}_lo"], data[f"{name}_hi"] = positive(q[0]), positive(q[1])
    return data


@dataclass(frozen=True)
class MilestoneRow:
    """One line of the milestone table."""

    name: str
    description: str
    date: str
    parent_date: str | None = None    #: the compare view's parent, when shown
    delay: str | None = None          #: ``+0.54 y`` against the parent
    ensemble: str | None = None       #: the band's median date and reach share


def _delay(year: float, parent: float) -> str:
    if math.isfinite(year) and math.isfinite(parent):
        return f"{year - parent:+.2f} y"
    if math.isfinite(parent):
        return "not reached"
    if math.isfinite(year):
        return "(parent: not reached)"
    return ""


def _years(ds: xr.Dataset | None) -> dict[str, float]:
    if ds is None or "milestone_year" not in ds:
        return {}
    return {str(m): float(y) for m, y in zip(ds["milestone"].values, ds["milestone_year"].values, strict=True)}


def _ensemble_text(years: np.ndarray) -> str:
    years = np.asarray(years, dtype=float)
    reached = years[np.isfinite(years)]
    if reached.size == 0:
        return f"not reached (0 of {years.size})"
    return f"{fmt_year(float(np.median(reached)))} ({reached.size} of {years.size} reach it)"


def milestone_rows(shown: xr.Dataset, parent: xr.Dataset | None = None, ens: xr.Dataset | None = None,
                   descriptions: dict[str, str] | None = None) -> list[MilestoneRow]:
    """The milestone table: each milestone's date, and with a parent its date there and the
    delay; with an ensemble the median date among samples that reach it."""
    years, before = _years(shown), _years(parent)
    rows = []
    for name, year in years.items():
        row = MilestoneRow(name, (descriptions or {}).get(name, ""), fmt_year(year))
        if parent is not None:
            p = before.get(name, math.nan)
            row = MilestoneRow(row.name, row.description, row.date, fmt_year(p), _delay(year, p))
        if ens is not None and "milestone_year" in ens and name in ens["milestone"].values:
            text = _ensemble_text(ens["milestone_year"].sel(milestone=name).values)
            row = MilestoneRow(row.name, row.description, row.date, row.parent_date, row.delay, text)
        rows.append(row)
    return rows


def time_paused(ds: xr.Dataset) -> float:
    """Years new training runs were paused by policy."""
    return sum(hi - lo for lo, hi in paused_periods(ds))
