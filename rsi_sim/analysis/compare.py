"""Comparing scenarios run with the same seed: one Dataset with a ``scenario`` dimension and a
table of what each policy buys (milestone delays) and costs (time paused, peak multiplier...)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from .. import io
from ..api import run
from ..core.errors import RsiSimError
from ..core.random import resolve_seed
from ..plugins import load_plugins
from ..scenario import Scenario, load_scenario
from ..tables import Column, TextTable
from .summary import first_to_reach, fmt_lead, fmt_year, lead_at


def compare(scenarios: Sequence[Any], seed: int | None = None, *,
            plugins: Sequence[str] | None = None) -> xr.Dataset:
    """Run each scenario with the same seed and combine the results along ``scenario``.

    Parameters
    ----------
    scenarios : scenario file paths or loaded :class:`~rsi_sim.scenario.Scenario` objects; the
        first is the reference that delays are measured against.
    seed : the seed of every run (default: the first scenario's ``seed``).
    plugins : modules (or ``.py`` files) defining your own components (:mod:`rsi_sim.plugins`).

    Returns
    -------
    xarray.Dataset
        The runs' variables with a leading ``scenario`` dimension (coordinate: scenario names).
        Milestones, policies and times are aligned on their union (NaN where a scenario lacks
        one); ``event`` and ``gen`` are padded. Scalars per scenario: ``time_paused``,
        ``peak_ai_rd_multiplier``, ``peak_alignment_drift``, ``mean_human_bottleneck_utilisation``
        and, over ``milestone``, ``milestone_delay`` (years after the first scenario).

    Examples
    --------
    >>> ds = compare(["scenarios/baseline.yaml", "scenarios/compute_cap.yaml"])
    >>> list(ds["scenario"].values)
    ['baseline', 'compute_cap']
    >>> bool(ds["milestone_delay"].sel(scenario="compute_cap", milestone="ASI") > 0)
    True
    """
    if not scenarios:
        raise RsiSimError("compare needs at least one scenario")
    load_plugins(plugins)
    loaded = [s if isinstance(s, Scenario) else load_scenario(s) for s in scenarios]
    names = [s.name for s in loaded]
    if len(set(names)) != len(names):
        dupes = sorted({n for n in names if names.count(n) > 1})
        raise RsiSimError(f"scenario names must differ to be compared; repeated: {', '.join(dupes)} "
                          "(give each file its own name:)")
    with_actors = [bool(s.spec.actors) for s in loaded]
    if any(with_actors) and not all(with_actors):
        lone = [s.name for s, w in zip(loaded, with_actors, strict=True) if not w]
        raise RsiSimError(f"scenarios with actors: compare only with other scenarios with actors:; "
                          f"{', '.join(lone)} has one developer (extend race.yaml instead)")
    seed = resolve_seed(seed, loaded[0].spec)
    runs = [_with_metrics(run(s, seed=seed)) for s in loaded]
    ds = _combine(runs, names)
    first = ds["milestone_year"].isel(scenario=0)
    ds["milestone_delay"] = (ds["milestone_year"] - first).assign_attrs(
        units="year", long_name=f"milestone date minus that of {names[0]} (NaN: not reached in one)")
    ds.attrs = {"rsi_sim_version": runs[0].attrs.get("rsi_sim_version", ""), "seed": int(seed),
                "reference_scenario": names[0], "scenarios": ", ".join(names)}
    return ds


def _with_metrics(ds: xr.Dataset) -> xr.Dataset:
    """Add the comparison's scalar metrics to one run."""

    # With several actors every metric is one per actor (reduced over time only).
    dims = ("actor",) if "actor" in ds.dims else ()
    shape = tuple(ds.sizes[d] for d in dims)

    def over_time(name: str, how: str) -> Any:
        if name not in ds:
            return np.full(shape, math.nan) if dims else math.nan
        reduced = getattr(ds[name], how)("time", skipna=True) if "time" in ds[name].dims \
            else ds[name]
        return reduced.values if dims else float(reduced)

    out = ds.copy()
    if "time_paused" not in out:
        out["time_paused"] = xr.Variable(dims, np.zeros(shape) if dims else 0.0, {
            "units": "year", "long_name": "years new training runs were paused by policy"})
    elif dims:  # an actor without policies has none: it paused for no time
        out["time_paused"] = out["time_paused"].fillna(0.0)
    out["peak_ai_rd_multiplier"] = xr.Variable(dims, over_time("ai_rd_multiplier", "max"), {
        "units": "1", "long_name": "highest AI R&D progress multiplier"})
    out["peak_alignment_drift"] = xr.Variable(dims, over_time("alignment_drift", "max"), {
        "units": "1", "long_name": "highest alignment drift (speculative index)"})
    out["mean_human_bottleneck_utilisation"] = xr.Variable(
        dims, over_time("human_bottleneck_utilisation", "mean"), {
            "units": "1", "long_name": "mean share of human judgment time spent directing AI"})
    if "milestone" not in out.dims:
        out = out.assign_coords(milestone=("milestone", np.array([], dtype=str)))
        out["milestone_year"] = xr.Variable("milestone", np.array([], dtype=float))
    return out


def _combine(runs: list[xr.Dataset], names: list[str]) -> xr.Dataset:
    prepared = []
    for ds in runs:
        ds = ds.assign_coords(event=("event", np.arange(ds.sizes.get("event", 0))))
        ds.attrs = {}
        prepared.append(ds)
    scenario_yaml = [r.attrs.get("scenario", "") for r in runs]
    ds = xr.concat(prepared, dim=pd.Index(names, name="scenario"), join="outer",
                   data_vars="all", coords="different", compat="equals", combine_attrs="drop",
                   fill_value=xr.core.dtypes.NA)
    # Padded text (events of shorter runs, absent milestones) is empty text, not NaN, so the
    # file writes as netCDF strings.
    for name in list(ds.variables):
        var = ds[name]
        if var.dtype == object:
            ds[name] = var.fillna("").astype(str)
    ds["scenario_yaml"] = xr.Variable("scenario", np.array(scenario_yaml, dtype=str), {
        "long_name": "the fully resolved scenario file"})
    return ds


def comparison_table(ds: xr.Dataset) -> pd.DataFrame:
    """One row per scenario: each milestone's decimal year and its delay against the first
    scenario, peak AI R&D multiplier, years paused, peak alignment drift, mean human bottleneck
    utilisation.

    >>> ds = compare(["scenarios/baseline.yaml"])
    >>> float(comparison_table(ds).loc["baseline", "SAR delay (years)"])
    0.0
    """
    if "actor" in ds.dims:
        return _actor_table(ds)
    rows: dict[str, dict[str, float]] = {}
    milestones = [str(m) for m in ds["milestone"].values] if "milestone" in ds.dims else []
    for sc in ds["scenario"].values:
        one = ds.sel(scenario=sc)
        row: dict[str, float] = {}
        for m in milestones:
            row[f"{m} (year)"] = float(one["milestone_year"].sel(milestone=m))
            row[f"{m} delay (years)"] = float(one["milestone_delay"].sel(milestone=m))
        row["peak AI R&D multiplier"] = float(one["peak_ai_rd_multiplier"])
        row["time paused (years)"] = float(one["time_paused"])
        row["peak alignment drift"] = float(one["peak_alignment_drift"])
        row["mean human bottleneck utilisation"] = float(one["mean_human_bottleneck_utilisation"])
        rows[str(sc)] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "scenario"
    return table


def lead_dates(ds: xr.Dataset, dates: Sequence[float] | None = None) -> list[float]:
    """The decimal years the lead is reported at: ``dates``, or the first of January of each of
    the five years after the start."""
    if dates:
        return [float(d) for d in dates]
    start = float(ds["time"].values[0])
    first = math.floor(start + 1e-9) + 1
    return [float(y) for y in range(first, first + 5) if y <= float(ds["time"].values[-1])]


def _actor_table(ds: xr.Dataset, dates: Sequence[float] | None = None) -> pd.DataFrame:
    """One row per (scenario, actor): milestone years and delays, the lead over each rival at
    the :func:`lead_dates`, and the costs."""
    milestones = [str(m) for m in ds["milestone"].values] if "milestone" in ds.dims else []
    actors = [str(a) for a in ds["actor"].values]
    rows = []
    for sc in ds["scenario"].values:
        one = ds.sel(scenario=sc)
        for actor in actors:
            mine = one.sel(actor=actor)
            row: dict[str, Any] = {"scenario": str(sc), "actor": actor}
            for m in milestones:
                row[f"{m} (year)"] = float(mine["milestone_year"].sel(milestone=m))
                row[f"{m} delay (years)"] = float(mine["milestone_delay"].sel(milestone=m))
            for rival in actors:
                if rival != actor and "lead_years" in one:
                    for d in lead_dates(ds, dates):
                        row[f"lead over {rival} on {fmt_year(d)} (years)"] = lead_at(one, actor, rival, d)
            row["peak AI R&D multiplier"] = float(mine["peak_ai_rd_multiplier"])
            row["time paused (years)"] = float(mine["time_paused"])
            row["peak alignment drift"] = float(mine["peak_alignment_drift"])
            row["mean human bottleneck utilisation"] = float(mine["mean_human_bottleneck_utilisation"])
            rows.append(row)
    return pd.DataFrame(rows).set_index(["scenario", "actor"])


def _actor_text_table(ds: xr.Dataset, dates: Sequence[float] | None = None) -> TextTable:
    """Scenarios as columns; per actor its milestone dates (with the delay against the first
    scenario), who is first to each milestone, the lead of the first actor at the dates, and
    the time each actor paused."""
    scenarios = [str(sc) for sc in ds["scenario"].values]
    actors = [str(a) for a in ds["actor"].values]
    first = scenarios[0]
    t = TextTable(f"Comparison (seed {ds.attrs['seed']}; delays against {first})",
                  [Column(""), *(Column(sc, "right", False) for sc in scenarios)],
                  key="comparison", split=True)
    milestones = [str(m) for m in ds["milestone"].values]
    for m in milestones:
        for actor in actors:
            cells = []
            for sc in scenarios:
                year = float(ds["milestone_year"].sel(scenario=sc, actor=actor, milestone=m))
                delay = float(ds["milestone_delay"].sel(scenario=sc, actor=actor, milestone=m))
                shown = fmt_year(year)
                if sc != first and year == year:
                    shown += f"\n{delay:+.2f} y" if delay == delay else "\n(first: not reached)"
                cells.append(shown)
            t.add_row(f"{m} {actor}", *cells)
        t.add_row(f"{m} first", *[first_to_reach(ds.sel(scenario=sc))[m][0] or "none"
                                  for sc in scenarios])
    leader = actors[0]
    for rival in actors[1:]:
        for d in lead_dates(ds, dates):
            t.add_row(f"lead of {leader} over {rival} on {fmt_year(d)} (years)",
                      *[fmt_lead(lead_at(ds.sel(scenario=sc), leader, rival, d)) for sc in scenarios])
    for actor in actors:
        t.add_row(f"time paused {actor} (years)",
                  *[f"{float(ds['time_paused'].sel(scenario=sc, actor=actor)):.2f}" for sc in scenarios])
    t.notes.append("lead of a over b: the years the one behind needs at its pace over the past year "
                   "to reach the other's level then; negative: a is behind (docs/actors.md).")
    return t


def comparison_text_table(ds: xr.Dataset, lead_at: Sequence[float] | None = None) -> TextTable:
    """The comparison as printed: scenarios as columns (several policies stay readable in 80
    columns), milestone dates with their delay against the first scenario, then the costs.
    With several actors: each actor's milestones, who is first, and the lead at the decimal
    years ``lead_at`` (default: the first of January of the five years after the start)."""
    if "actor" in ds.dims:
        return _actor_text_table(ds, lead_at)
    table = comparison_table(ds)
    first = str(ds["scenario"].values[0])
    t = TextTable(f"Comparison (seed {ds.attrs['seed']}; delays against {first})",
                  [Column(""), *(Column(str(sc), "right", False) for sc in table.index)],
                  key="comparison", split=True)
    for m in (str(m) for m in ds["milestone"].values):
        cells = []
        for sc, row in table.iterrows():
            year, delay = row[f"{m} (year)"], row[f"{m} delay (years)"]
            shown = fmt_year(year)
            if sc != first and year == year:
                shown += f"\n{delay:+.2f} y" if delay == delay else "\n(first: not reached)"
            cells.append(shown)
        t.add_row(m, *cells)
    for label, col, fmt in (("peak AI R&D multiplier", "peak AI R&D multiplier", "{:.4g}"),
                            ("time paused (years)", "time paused (years)", "{:.2f}"),
                            ("peak alignment drift", "peak alignment drift", "{:.3g}"),
                            ("human bottleneck utilisation (mean)",
                             "mean human bottleneck utilisation", "{:.3f}")):
        t.add_row(label, *[fmt.format(v) for v in table[col]])
    return t


def write_comparison(ds: xr.Dataset, directory: str | Path) -> tuple[Path, Path]:
    """Write ``DIR/comparison.nc`` and ``DIR/comparison.csv`` (the table), each atomically."""
    directory = Path(directory)
    nc, csv = directory / "comparison.nc", directory / "comparison.csv"
    io.write(ds, nc)
    io.check_output_path(csv)
    try:
        with io.atomic_path(csv) as tmp:
            comparison_table(ds).to_csv(tmp)
    except OSError as exc:
        raise io.OutputError(f"{csv}: could not be written ({exc.strerror or exc})") from None
    return nc, csv
