"""What every figure shares: dates on the time axis, labels with units, scenario names, saving.

Figures are built on `matplotlib.figure.Figure` directly, never through `pyplot`: a
library call then leaves no global figure behind and needs no GUI backend.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from pathlib import Path

import matplotlib.dates as mdates
import matplotlib.ticker as mticker
import numpy as np
import seaborn as sns
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..core.errors import RsiSimError
from ..io import OutputError, atomic_path, check_output_path

#: File types a figure can be written to, chosen by extension.
FIGURE_TYPES = (".png", ".svg", ".pdf")

#: Short axis labels with units for the variables figures show most; others fall back to
#: ``name (units)`` from the Dataset's attributes.
LABELS = {
    "effective_compute": "effective training compute\n(FLOP at start-date software)",
    "training_compute": "training compute (FLOP)",
    "physical_compute": "physical compute (H100e)",
    "software_level": "software efficiency S (× start)",
    "time_horizon_hours": "50% time horizon (hours)",
    "ai_rd_multiplier": "AI R&D progress multiplier\n(× humans alone)",
    "judgment_gap": "judgment gap (doublings)",
    "human_bottleneck_utilisation": "share of human judgment time",
    "ai_directed_share": "share of research labour",
    "alignment_drift": "alignment drift (speculative index)",
    "ai_copies": "AI copies on R&D",
}

#: Marker shapes given to milestones in order; the colour stays the scenario's.
MILESTONE_MARKERS = ("o", "s", "D", "^", "v", "P", "X", "*", "h", "<", ">")


class PlotError(RsiSimError):
    """A figure cannot be drawn from the results given (a missing dimension or variable)."""


def to_datetime64(years: np.ndarray | float) -> np.ndarray:
    """Decimal years as `datetime64[s]`, by the same rule as `rsi_sim.core.time.to_decimal_year`.

    >>> str(to_datetime64([2024.5])[0])
    '2024-07-02T00:00:00'
    """
    y = np.atleast_1d(np.asarray(years, dtype=float))
    out = np.full(y.shape, np.datetime64("NaT"), dtype="datetime64[s]")
    ok = np.isfinite(y)
    whole = np.floor(y[ok]).astype(np.int64)
    start = (whole - 1970).astype("datetime64[Y]").astype("datetime64[s]")
    length = ((whole - 1969).astype("datetime64[Y]").astype("datetime64[s]") - start).astype(float)
    out[ok] = start + np.round((y[ok] - whole) * length).astype("timedelta64[s]")
    return out


def label(ds: xr.Dataset, name: str) -> str:
    """Axis label with units for variable `name`.

    >>> label(xr.Dataset({"x_rate": ((), 1.0, {"units": "1/year"})}), "x_rate")
    'x rate (1/year)'
    """
    if name in LABELS:
        return LABELS[name]
    units = ds[name].attrs.get("units", "") if name in ds else ""
    text = name.replace("_", " ")
    return f"{text} ({units})" if units not in ("", "1") else text


def require(ds: xr.Dataset, figure: str, *, dims: tuple[str, ...] = (), variables: tuple[str, ...] = ()) -> None:
    """Raise `PlotError` naming what `figure` needs and what `ds` has."""
    missing_dims = [d for d in dims if d not in ds.dims]
    missing_vars = [v for v in variables if v not in ds]
    if missing_dims or missing_vars:
        need = []
        if missing_dims:
            need.append("the dimension(s) " + ", ".join(repr(d) for d in missing_dims))
        if missing_vars:
            need.append("the variable(s) " + ", ".join(repr(v) for v in missing_vars))
        has = ", ".join(f"{d}={n}" for d, n in ds.sizes.items()) or "none"
        raise PlotError(f"The '{figure}' figure needs {' and '.join(need)}; these results have "
                        f"dimensions {has}.")


def scenario_names(ds: xr.Dataset) -> list[str]:
    """Legend names: one per `scenario` entry, else the run's `scenario_name`."""
    if "scenario" in ds.dims:
        if "scenario_name" in ds and ds["scenario_name"].dims == ("scenario",):
            return [str(v) for v in ds["scenario_name"].values]
        if "scenario" in ds.coords:
            return [str(v) for v in ds["scenario"].values]
        return [f"scenario {i}" for i in range(ds.sizes["scenario"])]
    return [str(ds.attrs.get("scenario_name", "run"))]


def by_scenario(ds: xr.Dataset) -> Iterator[tuple[str, xr.Dataset]]:
    """`(name, results)` for each scenario of `ds` (just one without a `scenario` dim)."""
    names = scenario_names(ds)
    if "scenario" in ds.dims:
        for i, name in enumerate(names):
            yield name, ds.isel(scenario=i)
    else:
        yield names[0], ds


def median_over_samples(da: xr.DataArray) -> xr.DataArray:
    """The sample median of `da` (NaN-aware), or `da` itself without a `sample` dim."""
    if "sample" not in da.dims:
        return da
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns after divergence
        return da.median("sample", skipna=True)


def new_figure(nrows: int = 1, ncols: int = 1, *, size: tuple[float, float] = (8.0, 5.0),
               sharex: bool | str = False, sharey: bool | str = False) -> tuple[Figure, np.ndarray]:
    """A seaborn-styled figure and its axes (always a 2-D array)."""
    with sns.axes_style("whitegrid"), sns.plotting_context("notebook", font_scale=0.85):
        fig = Figure(figsize=size, layout="constrained")
        axes = fig.subplots(nrows, ncols, sharex=sharex, sharey=sharey, squeeze=False)
    return fig, axes


def date_axis(ax: Axes, label_text: str = "date") -> None:
    """Date ticks on the x axis: whole years over long spans (cheap to lay out), else concise dates."""
    lo, hi = ax.get_xlim()
    years = (hi - lo) / 365.25
    if years >= 4:
        ax.xaxis.set_major_locator(mdates.YearLocator(max(1, int(np.ceil(years / 10)))))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    else:
        locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_xlabel(label_text)


def log_axis(ax: Axes) -> None:
    """A log y axis without minor ticks: over many decades they cost most of the drawing time
    and the whitegrid style does not show them."""
    ax.set_yscale("log")
    ax.yaxis.set_minor_locator(mticker.NullLocator())


def spans(time: np.ndarray, mask: np.ndarray) -> list[tuple[float, float]]:
    """Intervals `(start, end)` of `time` where `mask` holds; each ends at the next grid point.

    >>> spans(np.array([0.0, 1, 2, 3, 4]), np.array([False, True, True, False, True]))
    [(1.0, 3.0), (4.0, 4.0)]
    """
    mask = np.asarray(mask, dtype=bool)
    out = []
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    for lo, hi in zip(edges[::2], edges[1::2], strict=True):
        end = time[hi] if hi < len(time) else time[-1]
        out.append((float(time[lo]), float(end)))
    return out


def save(fig: Figure, path: str | Path, *, dpi: int = 150) -> Path:
    """Write `fig` to `path` (`.png`, `.svg` or `.pdf`, by extension), atomically.

    Raises `rsi_sim.io.OutputError` for an unknown extension or an unwritable path.
    """
    path = check_output_path(path, FIGURE_TYPES)
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=path.suffix[1:], dpi=dpi)
    except OSError as exc:
        raise OutputError(f"{path}: could not be written ({exc.strerror or exc})") from None
    return path


@contextlib.contextmanager
def quiet_nan() -> Iterator[None]:
    """Silence numpy's warnings about all-NaN slices (samples that never reach a value)."""
    with warnings.catch_warnings(), np.errstate(invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        yield
