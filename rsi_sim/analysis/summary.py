"""A readable summary of one run, for the terminal."""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from ..core.time import from_decimal_year
from ..tables import Column, TextTable

#: Variables shown in the run summary when present, in this order (all of them for small models).
HEADLINE = ("effective_compute", "physical_compute", "software_level", "time_horizon_hours",
            "ai_rd_multiplier", "ai_copies", "judgment_gap", "ai_directed_share",
            "human_bottleneck_utilisation", "alignment_drift")


def fmt_year(x: float) -> str:
    """``2027.5`` → ``'2027-07-02'``; NaN → ``'not reached'``."""
    if x is None or not math.isfinite(float(x)):
        return "not reached"
    return from_decimal_year(float(x)).isoformat()


def summary_tables(ds: xr.Dataset) -> list[TextTable]:
    """Tables of one run: outcome, milestones, results, and the first and last values of the
    headline variables; notes point out what may surprise (milestones dated together, values
    outside a variable's stated validity range) and the next step.

    A run with several actors (an ``actor`` dimension) gives these tables for each actor, then
    who reaches each milestone first and the lead of each actor over the others."""
    if "actor" in ds.dims:
        tables = []
        for actor in ds["actor"].values:
            tables += summary_tables(one_actor(ds, str(actor)))
        return tables + race_tables(ds)
    start = float(ds.attrs.get("start_year", ds["time"].values[0]))
    name = ds.attrs.get("scenario_name", "run")
    outcome = TextTable(str(name), [Column("", wrap=False), Column("")], key="outcome",
                        header=False)
    outcome.add_row("period", f"{fmt_year(start)} → {fmt_year(float(ds['time'].values[-1]))}")
    outcome.add_row("seed", str(ds.attrs.get("seed", "")))
    if bool(ds["diverged"]):
        t = float(ds["divergence_time"])
        outcome.add_row("outcome", f"growth diverged after {t:.4g} years ({fmt_year(start + t)})",
                        style="bold red")
    else:
        outcome.add_row("outcome", f"stopped: {ds.attrs.get('stop_reason', '')}")
    for key in ("n_generations",):
        if key in ds:
            outcome.add_row(ds[key].attrs.get("long_name", key), f"{int(ds[key])}")
    tables = [outcome]
    if "milestone_year" in ds and ds.sizes.get("milestone", 0):
        ms = TextTable("Milestones", [Column("milestone", wrap=False), Column("condition"),
                                      Column("date", wrap=False)], key="milestones")
        for m in ds["milestone"].values:
            sel = ds.sel(milestone=m)
            ms.add_row(str(m), str(sel["milestone_condition"].values),
                       fmt_year(float(sel["milestone_year"])))
        ms.notes += _same_date_notes(ds)
        tables.append(ms)
    limits = _limits_table(ds)
    if limits is not None:
        tables.append(limits)
    results = _results_table(ds)
    if results is not None:
        tables.append(results)
    final = TextTable("Headline variables", [Column("variable"), Column("start", "right", False),
                                             Column("end of run", "right", False),
                                             Column("units", wrap=False)], key="variables")
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
    final.notes += _validity_notes(ds)
    tables.append(final)
    return tables


def one_actor(ds: xr.Dataset, actor: str) -> xr.Dataset:
    """The results of one actor of a race, as a one-actor run's (``scenario_name`` ``name/actor``)."""
    one = ds.sel(actor=actor).drop_vars(["lead_years", "catch_up_years", "rival", "stop_reason"],
                                        errors="ignore")
    one.attrs = {**ds.attrs, "scenario_name": f"{ds.attrs.get('scenario_name', 'run')}/{actor}",
                 "stop_reason": str(ds["stop_reason"].sel(actor=actor).values)}
    return one


def first_to_reach(ds: xr.Dataset) -> dict[str, tuple[str, float]]:
    """Milestone → (the actor that reaches it first, the year); ``("", NaN)`` if none does."""
    out = {}
    for m in ds["milestone"].values:
        years = ds["milestone_year"].sel(milestone=m)
        if not np.isfinite(years.values).any():
            out[str(m)] = ("", math.nan)
            continue
        i = int(np.nanargmin(years.values))
        out[str(m)] = (str(ds["actor"].values[i]), float(years.values[i]))
    return out


def lead_at(ds: xr.Dataset, actor: str, rival: str, year: float) -> float:
    """``lead_years(actor, rival)`` at the output point nearest ``year`` (NaN outside the run)."""
    times = ds["time"].values
    if not times[0] <= year <= times[-1] or "lead_years" not in ds:
        return math.nan
    return float(ds["lead_years"].sel(actor=actor, rival=rival).sel(time=year, method="nearest"))


def race_tables(ds: xr.Dataset) -> list[TextTable]:
    """Who reaches each milestone first, and the lead of the first actor over each other actor
    on the first of January of each year of the run."""
    actors = [str(a) for a in ds["actor"].values]
    first = TextTable("First to reach", [Column("milestone", wrap=False), Column("actor", wrap=False),
                                         Column("date", wrap=False),
                                         Column("ahead by", "right", False)], key="first")
    for m, (who, year) in first_to_reach(ds).items():
        others = [float(ds["milestone_year"].sel(actor=a, milestone=m)) for a in actors if a != who]
        gap = min(others, default=math.nan) - year if who else math.nan
        first.add_row(m, who or "none", fmt_year(year),
                      f"{gap:.2f} y" if math.isfinite(gap) else ("others: not reached" if who else ""))
    tables = [first]
    if "lead_years" in ds and len(actors) > 1:
        leader, rivals = actors[0], actors[1:]
        lead = TextTable(f"Lead of {leader} (years; negative: behind)",
                         [Column("date", wrap=False), *(Column(r, "right", False) for r in rivals)],
                         key="lead")
        times = ds["time"].values
        for year in range(int(math.ceil(times[0] + 0.5)), int(times[-1]) + 1):
            lead.add_row(f"{year}-01-01", *[fmt_lead(lead_at(ds, leader, r, float(year))) for r in rivals])
        lead.notes.append("lead_years(a, b): the years the one behind needs at its pace over the "
                          "past year to reach the other's level now (docs/actors.md).")
        tables.append(lead)
    return tables


def fmt_lead(x: float) -> str:
    """A lead in years as printed: signed, or ∞ when the follower is not growing."""
    if math.isnan(x):
        return "—"
    if math.isinf(x):
        return "∞ (follower not growing)" if x > 0 else "-∞ (follower not growing)"
    return f"{x:+.2f}"


def next_steps(path: object | None, written: object | None, *, actors: bool = False) -> str:
    """The line that follows a run summary: what to do next with these results (``actors``:
    the run had several actors, which compare with other races)."""
    results = str(written) if written is not None else "run.nc"
    first = "" if written is not None else f"write the results with -o {results}, then "
    policy = "unilateral_slowdown coordinated_slowdown" if actors else "managed_slowdown"
    return (f"Next: {first}draw them (rsi-sim plot {results} -o takeoff.png), compare a policy "
            f"(rsi-sim compare {path or 'baseline'} {policy}), or run it under "
            f"uncertainty (rsi-sim ensemble {path or 'baseline'} -o ens.zarr).")


def _same_date_notes(ds: xr.Dataset) -> list[str]:
    """Milestones reached at the same instant: capability moves in steps at each generation's
    release, so one release can cross several thresholds at once."""
    years = {}
    for m in ds["milestone"].values:
        y = float(ds["milestone_year"].sel(milestone=m))
        if math.isfinite(y):
            years.setdefault(round(y, 9), []).append(str(m))
    notes = []
    for y, names in years.items():
        if len(names) > 1:
            what = ("one generation's release: capability changes in steps at each release, so "
                    "one release can cross several thresholds" if "n_generations" in ds
                    else "one instant (one step of the model crossed both thresholds)")
            notes.append(f"Note: {', '.join(names)} are reached together on {fmt_year(y)}, at "
                         f"{what}.")
    return notes


def _validity_notes(ds: xr.Dataset) -> list[str]:
    """Variables whose recorded values leave their stated validity range (valid_min/valid_max):
    the formula is extrapolated there."""
    notes = []
    for name, var in ds.data_vars.items():
        if var.dims != ("time",) or not ({"valid_min", "valid_max"} & set(var.attrs)):
            continue
        vals = np.asarray(var.values, dtype=float)
        lo, hi = var.attrs.get("valid_min", -math.inf), var.attrs.get("valid_max", math.inf)
        with np.errstate(invalid="ignore"):
            outside = np.isfinite(vals) & ((vals < lo) | (vals > hi))
        if outside.any():
            first = float(ds["time"].values[np.argmax(outside)])
            notes.append(f"Warning: {name} leaves its stated validity range [{lo:g}, {hi:g}] from "
                         f"{fmt_year(first)}: values after that are extrapolated.")
    return notes


_KERNEL_SCALARS = {"diverged", "divergence_time"}
_SERIES_DIMS = {"time", "event", "milestone", "sample"}


def _results_table(ds: xr.Dataset) -> TextTable | None:
    """Scalar results of components (e.g. ``progress_in_one_year``, drawn inputs), and short
    labelled vectors such as ``phase_years`` over ``phase``, one row each."""
    table = TextTable("Results", [Column("result"), Column("value", "right", False),
                                  Column("units", wrap=False)], key="results")
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


def _limits_table(ds: xr.Dataset) -> TextTable | None:
    """Which limit binds physical compute over the run, and the resources at the end."""
    if "binding_compute_limit" not in ds:
        return None
    table = TextTable("Compute limits (binding_compute_limit)",
                      [Column("from", wrap=False), Column("to", wrap=False), Column("binding limit")],
                      key="compute_limits")
    for a, b, name in binding_spells(ds):
        table.add_row(fmt_year(a), fmt_year(b), name)
    if "spending_share_of_gwp" in ds:
        table.add_row("max spending share of GWP", "", f"{float(ds['spending_share_of_gwp'].max()):.4g}")
    if "power_draw" in ds:
        table.add_row("power draw at the end", "", f"{float(ds['power_draw'][-1]) / 1e9:.4g} GW")
    return table
