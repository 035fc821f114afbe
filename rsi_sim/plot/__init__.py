"""Figures of results: each function takes a results Dataset and returns a matplotlib Figure.

>>> import rsi_sim, rsi_sim.plot
>>> ds = rsi_sim.run("scenarios/baseline.yaml", overrides={"horizon": "2030-01-01"})
>>> rsi_sim.plot.default_kind(ds)
'takeoff'
>>> fig = rsi_sim.plot.plot(ds)          # the same as rsi_sim.plot.takeoff(ds)
>>> fig.axes[-1].get_xlabel()
'date'

Write a figure with `save` (`.png`, `.svg` or `.pdf`) or `fig.savefig(...)`.
"""

from __future__ import annotations

from collections.abc import Callable

import xarray as xr
from matplotlib.figure import Figure

from .figures import (
    bands,
    comparison,
    generations,
    judgment,
    lead,
    milestone_dates,
    sensitivity,
    takeoff,
)
from .style import FIGURE_TYPES, PlotError, save, to_datetime64

#: Figure kinds by the name ``rsi-sim plot --kind`` uses.
KINDS: dict[str, Callable[..., Figure]] = {
    "takeoff": takeoff,
    "bands": bands,
    "milestones": milestone_dates,
    "comparison": comparison,
    "judgment": judgment,
    "generations": generations,
    "sensitivity": sensitivity,
    "lead": lead,
}


def default_kind(ds: xr.Dataset) -> str:
    """The headline figure for these results, chosen from their dimensions.

    Sensitivity indices (dim `parameter`) → `sensitivity`; an ensemble (`sample`) →
    `bands`; a comparison (`scenario`) → `comparison`; one run → `takeoff`.
    """
    if "parameter" in ds.dims and ("ST" in ds or "S1" in ds):
        return "sensitivity"
    if "sample" in ds.dims:
        return "bands"
    if "scenario" in ds.dims:
        return "comparison"
    return "takeoff"


def plot(ds: xr.Dataset, kind: str | None = None, **options) -> Figure:
    """Draw figure `kind` (default: `default_kind`) of `ds`; `options` go to its function."""
    kind = kind or default_kind(ds)
    if kind not in KINDS:
        raise PlotError(f"The figure kind must be one of {', '.join(KINDS)}. Got {kind!r} instead.")
    return KINDS[kind](ds, **options)


__all__ = ["FIGURE_TYPES", "KINDS", "PlotError", "bands", "comparison", "default_kind", "generations",
           "judgment", "lead", "milestone_dates", "plot", "save", "sensitivity", "takeoff", "to_datetime64"]
