"""A readable summary of one run, for the terminal."""

from __future__ import annotations

import math

import numpy as np
import xarray as xr
from rich.table import Table

from ..core.time import from_decimal_year

#: Variables shown in the run summary when present, in this order (all of them for small models).
HEADLINE = ("effective_compute", "physical_compute", "software_level", "time_horizon_hours",
            "ai_rd_multiplier", "ai_copies", "judgment_gap", "ai_directed_share",
            "human_bottleneck_utilisation", "alignment_drift")


def fmt_year(x: float) -> str:
    """``2027.5`` → ``'2027-07-02'``; NaN → ``'not reached'``."""
    if x is None or not math.isfinite(float(x)):
        return "not reached"
    return from_decimal_year(float(x)).isoformat()


def summary_tables(ds: xr.Dataset) -> list[Table]:
    """Rich tables: run outcome, milestones, and the final values of headline variables."""
    start = float(ds.attrs.get("start_year", ds["time"].values[0]))
    name = ds.attrs.get("scenario_name", "run")
    outcome = Table(title=f"{name}", show_header=False, title_justify="left")
    outcome.add_row("period", f"{fmt_year(start)} → {fmt_year(float(ds['time'].values[-1]))}")
    outcome.add_row("seed", str(ds.attrs.get("seed", "")))
    if bool(ds["diverged"]):
        t = float(ds["divergence_time"])
        outcome.add_row("outcome", f"[bold red]growth diverged[/] after {t:.4g} years ({fmt_year(start + t)})")
    else:
        outcome.add_row("outcome", f"stopped: {ds.attrs.get('stop_reason', '')}")
    for key in ("n_generations",):
        if key in ds:
            outcome.add_row(ds[key].attrs.get("long_name", key), f"{int(ds[key])}")
    tables = [outcome]
    if "milestone_year" in ds and ds.sizes.get("milestone", 0):
        ms = Table(title="Milestones", title_justify="left")
        ms.add_column("milestone")
        ms.add_column("condition")
        ms.add_column("date")
        for m in ds["milestone"].values:
            sel = ds.sel(milestone=m)
            ms.add_row(str(m), str(sel["milestone_condition"].values), fmt_year(float(sel["milestone_year"])))
        tables.append(ms)
    limits = _limits_table(ds)
    if limits is not None:
        tables.append(limits)
    results = _results_table(ds)
    if results is not None:
        tables.append(results)
    final = Table(title="Headline variables", title_justify="left")
    final.add_column("variable")
    final.add_column("start", justify="right")
    final.add_column("end of run", justify="right")
    final.add_column("units")
    series = [v for v in ds.data_vars.values() if v.dims == ("time",)]
    if any(v.name in HEADLINE for v in series):
        series = [ds[n] for n in HEADLINE if n in ds]
    for var in series:
        vals = var.values
        good = np.isfinite(vals)
        if not good.any():
            continue
        final.add_row(var.attrs.get("long_name", var.name), f"{vals[good][0]:.4g}",
                      f"{vals[good][-1]:.4g}", var.attrs.get("units", ""))
    tables.append(final)
    return tables


_KERNEL_SCALARS = {"diverged", "divergence_time"}
_SERIES_DIMS = {"time", "event", "milestone", "sample"}


def _results_table(ds: xr.Dataset) -> Table | None:
    """Scalar results of components (e.g. ``progress_in_one_year``, drawn inputs), and short
    labelled vectors such as ``phase_years`` over ``phase``, one row each."""
    table = Table(title="Results", title_justify="left")
    table.add_column("result")
    table.add_column("value", justify="right")
    table.add_column("units")
    rows = 0
    for name, var in ds.data_vars.items():
        if name in _KERNEL_SCALARS or var.dtype.kind not in "biuf":
            continue
        label = var.attrs.get("long_name", str(name))
        units = var.attrs.get("units", "")
        if var.ndim == 0:
            value = var.values.item()
            text = str(value) if isinstance(value, bool) else f"{value:.4g}"
            table.add_row(label, text, units)
            rows += 1
        elif var.ndim == 1 and var.dims[0] not in _SERIES_DIMS and var.size <= 12:
            for key, value in zip(ds[var.dims[0]].values, var.values, strict=True):
                table.add_row(f"{label}: {key}", f"{value:.4g}", units)
                rows += 1
    return table if rows else None


def binding_spells(ds: xr.Dataset) -> list[tuple[float, float, str]]:
    """Spells of the limit that sets physical compute: ``(from_year, to_year, limit)``.

    Reads ``binding_compute_limit`` and its ``flag_meanings``; a spell shorter than a quarter
    (the stair steps between tranches) is merged into the one before it.
    """
    var = ds["binding_compute_limit"]
    names = str(var.attrs.get("flag_meanings", "")).split()
    years, codes = ds["time"].values, var.values
    spells: list[list] = []
    for y, c in zip(years, codes, strict=True):
        if not np.isfinite(c):
            continue
        name = names[int(c)] if 0 <= int(c) < len(names) else str(int(c))
        if spells and spells[-1][2] == name:
            spells[-1][1] = y
        else:
            spells.append([y, y, name])
    merged: list[list] = []
    for s in spells:
        if merged and (s[1] - s[0] < 0.25 or merged[-1][2] == s[2]):
            merged[-1][1] = s[1]
        else:
            merged.append(s)
    return [(float(a), float(b), n) for a, b, n in merged]


def _limits_table(ds: xr.Dataset) -> Table | None:
    """Which limit binds physical compute over the run, and the resources at the end."""
    if "binding_compute_limit" not in ds:
        return None
    table = Table(title="Compute limits (binding_compute_limit)", title_justify="left")
    table.add_column("from")
    table.add_column("to")
    table.add_column("binding limit")
    for a, b, name in binding_spells(ds):
        table.add_row(fmt_year(a), fmt_year(b), name)
    if "spending_share_of_gwp" in ds:
        table.add_row("max spending share of GWP", "", f"{float(ds['spending_share_of_gwp'].max()):.4g}")
    if "power_draw" in ds:
        table.add_row("power draw at the end", "", f"{float(ds['power_draw'][-1]) / 1e9:.4g} GW")
    return table
