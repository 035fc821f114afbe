"""Summaries of an ensemble: milestone-date percentiles and probabilities, divergence, failures.

Percentiles are over the samples that ran without error. A sample that never reaches a milestone
(``milestone_year`` NaN) counts as reaching it after the horizon (+inf), so a percentile can read
"after 2100"; percentiles are sample values (the inverted-CDF definition), never interpolated
across that boundary. Dates print as months ("Jul 2027"), as the publications write them.

Reported results: a scenario's ``ensemble.report`` (stored in the ensemble's ``report`` attr)
lists per-sample results such as ``{metric: progress_in_one_year, at_least: [3, 10]}``; the
summary gives their 10th/50th/90th percentiles and ``P(metric >= x)`` for each ``x``, over the
samples with a value (NaN, e.g. "no divergence", is left out and counted).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

import numpy as np
import xarray as xr

from ..core.time import from_decimal_year
from ..tables import Column, TextTable
from .summary import fmt_year

QUANTILES = (0.1, 0.5, 0.9)


def default_years(start: float, end: float, count: int = 2) -> list[float]:
    """A few round years inside the run for the 'reached by' columns.

    >>> default_years(2026.0, 2056.0)
    [2030.0, 2035.0]
    """
    first = 5 * math.floor(start / 5) + 5
    return [float(y) for y in range(first, int(end) + 1, 5)][:count]


def milestone_summary(ds: xr.Dataset, by_years: Sequence[float] | None = None) -> xr.Dataset:
    """Milestone percentiles and probabilities over an ensemble.

    Parameters
    ----------
    ds : an ensemble Dataset (from :func:`rsi_sim.run_ensemble` or :func:`rsi_sim.ensemble.open_ensemble`).
    by_years : decimal years for the ``p_by_year`` columns (default: :func:`default_years`).

    Returns
    -------
    xarray.Dataset
        ``year_quantile (milestone, quantile)`` (inf: not reached by the horizon),
        ``p_by_horizon (milestone)``, ``p_by_year (milestone, year)``; attrs count the samples
        that succeeded, failed and have not run.

    Examples
    --------
    >>> import rsi_sim
    >>> ens = rsi_sim.run_ensemble("scenarios/reference/jones_ensemble.yaml", samples=2,
    ...                            overrides={"horizon": "1 y"})
    >>> float(milestone_summary(ens)["p_by_horizon"].sel(milestone="tenfold"))
    0.0
    """
    status = np.asarray(ds["status"].values)
    ok = status == 1
    years = np.asarray(ds["milestone_year"].values, dtype=float)[ok]
    years = np.where(np.isnan(years), np.inf, years)
    start, end = float(ds.attrs.get("start_year", ds["time"].values[0])), float(ds.attrs.get("end_year", ds["time"].values[-1]))
    by_years = list(by_years) if by_years else default_years(start, end)
    n_ms = years.shape[1] if years.ndim == 2 else 0
    if ok.any():
        q = np.quantile(years, QUANTILES, axis=0, method="inverted_cdf").T if n_ms else np.empty((0, 3))
        p_h = np.isfinite(years).mean(axis=0)
        p_y = np.stack([(years <= y).mean(axis=0) for y in by_years], axis=-1) if by_years else np.empty((n_ms, 0))
    else:
        q = np.full((n_ms, len(QUANTILES)), np.nan)
        p_h = np.full(n_ms, np.nan)
        p_y = np.full((n_ms, len(by_years)), np.nan)
    return xr.Dataset(
        {"year_quantile": (("milestone", "quantile"), q, {"units": "year", "long_name": "milestone date percentile (inf: after the horizon)"}),
         "p_by_horizon": ("milestone", p_h, {"long_name": "probability the milestone is reached by the horizon"}),
         "p_by_year": (("milestone", "year"), p_y, {"long_name": "probability the milestone is reached by the year"})},
        coords={"milestone": [str(m) for m in ds["milestone"].values], "quantile": list(QUANTILES),
                "year": by_years},
        attrs={"samples_ok": int(ok.sum()), "samples_failed": int((status == 2).sum()),
               "samples_not_run": int((status == 0).sum()), "start_year": start, "end_year": end,
               "diverged_share": float(np.asarray(ds["diverged"].values)[ok].mean()) if ok.any() else math.nan},
    )


def _date(x: float, end: float) -> str:
    """Month label of a decimal year; after the horizon: "after <last year>" for a horizon on
    1 January, else "after <month>".

    >>> _date(2027.55, 2101.0), _date(math.inf, 2101.0), _date(math.inf, 2031.5)
    ('Jul 2027', 'after 2100', 'after Jul 2031')
    """
    if not math.isfinite(x):
        if x < 0:
            return "—"
        if end == math.floor(end):
            return f"after {int(end) - 1}"
        return f"after {from_decimal_year(end).strftime('%b %Y')}"
    return from_decimal_year(x).strftime("%b %Y")


def report_summary(ds: xr.Dataset, report: Sequence[dict] | None = None) -> list[dict]:
    """Percentiles and threshold probabilities of the reported per-sample results.

    Parameters
    ----------
    ds : an ensemble Dataset.
    report : entries ``{"metric": NAME, "at_least": [x, ...]}`` (default: the ``report`` attr
        written from the scenario's ``ensemble.report``).

    Returns
    -------
    list of dict
        One per metric and label of an extra dimension (``phase_years[SC-SAR]``): ``label``,
        ``quantiles`` (10th, 50th, 90th), ``at_least`` ``{x: probability}``, ``missing``
        (samples with NaN).

    Examples
    --------
    >>> ds = xr.Dataset({"m": ("sample", [1.0, 4.0, 12.0, 3.0]), "status": ("sample", [1] * 4)})
    >>> report_summary(ds, [{"metric": "m", "at_least": [3, 10]}])[0]["at_least"]
    {3.0: 0.75, 10.0: 0.25}
    """
    if report is None:
        report = json.loads(ds.attrs.get("report", "[]") or "[]")
    ok = np.asarray(ds["status"].values) == 1
    out = []
    for entry in report:
        name = entry["metric"]
        if name not in ds:
            out.append({"label": name, "error": "not in the results"})
            continue
        var = ds[name]
        values = np.asarray(var.values, dtype=float)[ok]
        extra = var.dims[1:]
        rows = values.reshape(len(values), -1) if values.size else np.empty((0, max(1, int(np.prod(values.shape[1:])))))
        labels = ([name] if not extra else
                  [f"{name}[{v}]" for v in np.asarray(ds[extra[0]].values).ravel()])
        for label, col in zip(labels, rows.T, strict=True):
            have = col[~np.isnan(col)]
            q = (np.quantile(have, QUANTILES, method="inverted_cdf") if have.size
                 else np.full(len(QUANTILES), np.nan))
            probs = {float(x): (float(np.mean(have >= x)) if have.size else math.nan)
                     for x in entry.get("at_least", [])}
            out.append({"label": label, "quantiles": [float(v) for v in q], "at_least": probs,
                        "missing": int(col.size - have.size)})
    return out


def _number(x: float) -> str:
    return "—" if not math.isfinite(x) else f"{x:.3g}"


def ensemble_tables(ds: xr.Dataset, by_years: Sequence[float] | None = None,
                    max_errors: int = 3) -> list[TextTable]:
    """Tables of an ensemble: outcome counts, milestones, reported results, failed samples."""
    s = milestone_summary(ds, by_years)
    a = s.attrs
    name = ds.attrs.get("scenario_name", "ensemble")
    outcome = TextTable(f"{name} — ensemble", [Column("", wrap=False), Column("")],
                        key="outcome", header=False)
    outcome.add_row("samples", f"{a['samples_ok']:,} ok, {a['samples_failed']:,} failed"
                    + (f", {a['samples_not_run']:,} not run" if a["samples_not_run"] else ""))
    outcome.add_row("seed, sampler", f"{ds.attrs.get('seed', '')}, {ds.attrs.get('sampler', '')}")
    outcome.add_row("period", f"{fmt_year(a['start_year'])} → {fmt_year(a['end_year'])}")
    if math.isfinite(a["diverged_share"]):
        outcome.add_row("growth diverged", f"{100 * a['diverged_share']:.1f}% of samples")
    tables = [outcome]
    if s.sizes["milestone"]:
        # Long milestone names wrap rather than squeezing the date columns out of 80 columns.
        cols = [Column("milestone"), *(Column(q, "right", False) for q in ("p10", "p50", "p90")),
                Column(f"by {a['end_year']:g}", "right", False),
                *(Column(f"by {y:g}", "right", False) for y in s["year"].values)]
        ms = TextTable("Milestones: date percentiles, and probability reached by a year", cols,
                       key="milestones")
        for m in s["milestone"].values:
            row = s.sel(milestone=m)
            q = [_date(float(v), a["end_year"]) for v in row["year_quantile"].values]
            ps = [f"{100 * float(v):.1f}%" if math.isfinite(float(v)) else "—"
                  for v in [row["p_by_horizon"].values, *row["p_by_year"].values]]
            ms.add_row(str(m), *q, *ps)
        tables.append(ms)
    reported = report_summary(ds)
    if reported:
        rt = TextTable("Results: percentiles, and probability of at least a value",
                       [Column("result", wrap=False),
                        *(Column(q, "right", False) for q in ("p10", "p50", "p90")),
                        Column("P(≥ x)")], key="results")
        for r in reported:
            if "error" in r:
                rt.add_row(r["label"], "—", "—", "—", r["error"])
                continue
            probs = "  ".join(f"≥{x:g}: {100 * p:.1f}%" for x, p in r["at_least"].items())
            if r["missing"]:
                probs += f"  ({r['missing']:,} NaN)"
            rt.add_row(r["label"], *(_number(v) for v in r["quantiles"]), probs)
        tables.append(rt)
    if a["samples_failed"]:
        failed = np.flatnonzero(np.asarray(ds["status"].values) == 2)
        et = TextTable(f"Failed samples ({len(failed):,}; first {min(max_errors, len(failed))})",
                       [Column("sample", "right", False), Column("parameters"), Column("error")],
                       key="failed")
        params = [c for c in ds.coords if ds[c].dims == ("sample",) and c != "sample"]
        for i in failed[:max_errors]:
            values = ", ".join(f"{p.split('.', 1)[-1]}={float(ds[p].values[i]):.4g}" for p in params)
            et.add_row(str(int(i)), values, str(ds["error"].values[i]))
        tables.append(et)
    return tables
