"""Sobol sensitivity indices of an ensemble metric to the uncertain parameters (SALib).

The design is Saltelli's extension of a scrambled Sobol sequence (``SALib.sample.sobol``) in the
unit cube, mapped through each parameter's distribution, so the indices are for the distributions
written in ``uncertainty:``. Sobol indices assume independent inputs: rank correlations of the
scenario are not applied here (the Dataset's attrs say so when there were some).

Metrics
-------
``milestone_year:NAME``
    the year milestone NAME is reached; a sample that never reaches it counts as reaching it at
    the end of the horizon (censored), so "later" and "never" rank together.
``divergence_time``
    years until growth diverges; no divergence counts as the full horizon.
``diverged``
    1 if growth diverged, else 0.
``final:VARIABLE`` / ``max:VARIABLE``
    the last finite value / the largest value of a recorded variable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import xarray as xr

from .._deps import require
from ..core.distributions import Uncertainty
from ..core.errors import RsiSimError
from ..core.random import salib_seed
from ..ensemble.evaluators import make_evaluator
from ..ensemble.run import execute, plan_ensemble
from ..ensemble.samplers import values_from_unit
from ..ensemble.store import MemoryStore
from ..plugins import load_plugins
from ..tables import Column, TextTable

#: A confidence half-width above this (on an index in [0, 1]) is too wide to read.
WIDE_INTERVAL = 0.2
#: Indices below this are "negligible": their order among themselves does not matter.
NEGLIGIBLE = 0.05
#: The default base sample count: with it the baseline's ranking is stable (its intervals do
#: not overlap), at N * (D + 2) model runs.
DEFAULT_SAMPLES = 256


def metric_values(ds: xr.Dataset, metric: str) -> np.ndarray:
    """One number per sample for ``metric`` (see the module docstring).

    >>> ds = xr.Dataset({"divergence_time": ("sample", [1.0, np.nan])}, attrs={"start_year": 2026.0, "end_year": 2036.0})
    >>> metric_values(ds, "divergence_time").tolist()
    [1.0, 10.0]
    """
    kind, _, arg = metric.partition(":")
    start, end = float(ds.attrs["start_year"]), float(ds.attrs["end_year"])
    if kind == "milestone_year" and arg:
        names = [str(m) for m in ds["milestone"].values]
        if arg not in names:
            raise RsiSimError(f"--metric {metric}: no milestone {arg!r}; the scenario has: "
                              f"{', '.join(names) or 'none'}")
        y = np.asarray(ds["milestone_year"].values[:, names.index(arg)], dtype=float)
        return np.where(np.isnan(y), end, y)
    if kind == "divergence_time" and not arg:
        y = np.asarray(ds["divergence_time"].values, dtype=float)
        return np.where(np.isnan(y), end - start, y)
    if kind == "diverged" and not arg:
        return np.asarray(ds["diverged"].values, dtype=float)
    if kind in ("final", "max") and arg:
        if arg not in ds or ds[arg].dims != ("sample", "time"):
            known = [n for n, v in ds.data_vars.items() if v.dims == ("sample", "time")]
            raise RsiSimError(f"--metric {metric}: no recorded variable {arg!r}; known: {', '.join(known)}")
        v = np.asarray(ds[arg].values, dtype=float)
        if kind == "max":
            with np.errstate(all="ignore"):
                return np.nanmax(np.where(np.isfinite(v), v, np.nan), axis=1)
        good = np.isfinite(v)
        last = np.where(good.any(axis=1), v.shape[1] - 1 - np.argmax(good[:, ::-1], axis=1), 0)
        return np.where(good.any(axis=1), v[np.arange(len(v)), last], np.nan)
    raise RsiSimError(f"unknown --metric {metric!r}; use milestone_year:NAME, divergence_time, "
                      "diverged, final:VARIABLE or max:VARIABLE")


def sensitivity(scenario: Any, metric: str, *, samples: int = DEFAULT_SAMPLES, seed: int | None = None,
                engine: str = "sequential", workers: int | None = None,
                scheduler: str | None = None, overrides: dict[str, Any] | list[str] | None = None,
                conf_level: float = 0.95,
                progress: Callable[[int, int], None] | None = None,
                plugins: Sequence[str] | None = None) -> xr.Dataset:
    """First-order and total Sobol indices of ``metric`` for each uncertain parameter.

    Parameters
    ----------
    scenario : a loaded scenario or a scenario file with an ``uncertainty:`` section.
    metric : see the module docstring, e.g. ``"milestone_year:SAR"``.
    samples : base sample count N (a power of two); the model runs ``N * (D + 2)`` times. The
        default, 256, gives the baseline a stable ranking; the table warns when intervals
        overlap.
    seed, engine, workers, scheduler, overrides, progress, plugins : as for
        :func:`rsi_sim.run_ensemble`.
    conf_level : confidence level of the bootstrap intervals.

    Returns
    -------
    xarray.Dataset
        dim ``parameter`` (ranked by total index), variables ``S1``, ``S1_conf``, ``ST``,
        ``ST_conf``.

    Examples
    --------
    >>> ds = sensitivity("scenarios/reference/jones_ensemble.yaml", "max:A", samples=2,
    ...                  overrides={"horizon": "3 months"})
    >>> sorted(ds["parameter"].values.tolist())
    ['components.jones.delta', 'components.jones.lam', 'components.jones.phi']
    """
    sobol_analyze = require("SALib.analyze.sobol", "sensitivity analysis")
    sobol_sample = require("SALib.sample.sobol", "sensitivity analysis")

    if samples < 1:
        raise RsiSimError(f"--samples must be at least 1; got {samples}")
    load_plugins(plugins)
    first = plan_ensemble(scenario, 1, seed=seed, sampler="sobol", overrides=overrides)
    unc = first.uncertainty
    free = [p for p in unc.parameters if p.dist.draws]
    if not free:
        raise RsiSimError("sensitivity needs a scenario with an uncertainty: section "
                          "(at least one parameter that is not fixed)")
    names = [p.path for p in free]
    problem = {"num_vars": len(free), "names": names, "bounds": [[0.0, 1.0]] * len(free)}
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib's power-of-two advice; documented above
        unit = sobol_sample.sample(problem, samples, calc_second_order=False, seed=salib_seed(first.seed))
    values = values_from_unit(Uncertainty(unc.parameters, ()), unit)
    plan = plan_ensemble(first.scenario, len(unit), seed=first.seed, sampler="sobol")
    store = MemoryStore(plan.layout)
    execute(plan, store, make_evaluator(engine, workers, scheduler),
            lambda a, b: values[a:b], progress)
    ds = store.dataset()
    failed = np.flatnonzero(ds["status"].values == 2)
    if len(failed):
        raise RsiSimError(f"{len(failed)} of {len(unit)} model runs failed, and Sobol indices need "
                          f"every run; first error (sample {failed[0]}): {ds['error'].values[failed[0]]}")
    y = metric_values(ds, metric)
    if not np.all(np.isfinite(y)):
        raise RsiSimError(f"the metric {metric} is not a finite number for every run")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        si = sobol_analyze.analyze(problem, y, calc_second_order=False, conf_level=conf_level,
                                   seed=salib_seed(first.seed))
    order = np.argsort(-np.nan_to_num(si["ST"], nan=-np.inf), kind="stable")
    attrs = {"metric": metric, "base_samples": samples, "model_runs": len(unit), "seed": first.seed,
             "conf_level": conf_level, "scenario_name": first.scenario.name,
             "method": "Saltelli sampling, Jansen/Saltelli estimators (SALib.analyze.sobol)"}
    if unc.correlations:
        attrs["note"] = "rank correlations of the scenario were not applied (Sobol indices assume independent inputs)"
    return xr.Dataset(
        {"S1": ("parameter", np.asarray(si["S1"])[order], {"long_name": "first-order Sobol index"}),
         "S1_conf": ("parameter", np.asarray(si["S1_conf"])[order], {"long_name": f"{conf_level:.0%} confidence half-width of S1"}),
         "ST": ("parameter", np.asarray(si["ST"])[order], {"long_name": "total Sobol index"}),
         "ST_conf": ("parameter", np.asarray(si["ST_conf"])[order], {"long_name": f"{conf_level:.0%} confidence half-width of ST"}),
         "distribution": ("parameter", np.array([free[i].dist.describe() for i in order], dtype=str))},
        coords={"parameter": np.array([names[i] for i in order], dtype=str)}, attrs=attrs)


def unreliable(ds: xr.Dataset) -> str:
    """Why the ranking of these indices cannot be trusted yet, or ``""``: the total-index
    intervals of two neighbours in the ranking overlap (among indices that matter), or an
    interval is wider than :data:`WIDE_INTERVAL`."""
    st, conf = ds["ST"].values, ds["ST_conf"].values
    names = [str(p).removeprefix("components.") for p in ds["parameter"].values]
    widest = float(np.nanmax(np.concatenate([ds["S1_conf"].values, conf])))
    if widest > WIDE_INTERVAL:
        return f"an interval is ±{widest:.2f} wide"
    for k in range(len(st) - 1):
        if st[k] >= NEGLIGIBLE and st[k] - conf[k] <= st[k + 1] + conf[k + 1]:
            return (f"the intervals of {names[k]} and {names[k + 1]} overlap, so their order is "
                    "not known")
    return ""


def sensitivity_table(ds: xr.Dataset) -> TextTable:
    """The indices ranked by total index, with their confidence intervals; a note when the
    intervals are too wide to rank on (with the sample count that would narrow them)."""
    level = float(ds.attrs.get("conf_level", 0.95))
    t = TextTable(f"Sobol indices of {ds.attrs.get('metric', '')} "
                  f"({ds.attrs.get('model_runs', '?')} runs; ± {level:.0%} interval)",
                  [Column("parameter", wrap=False), Column("first-order S1", "right", False),
                   Column("total ST", "right", False), Column("distribution", detail=True)],
                  key="sensitivity")
    for p in ds["parameter"].values:
        r = ds.sel(parameter=p)
        t.add_row(str(p).removeprefix("components."), f"{float(r.S1):.3f} ± {float(r.S1_conf):.3f}",
                  f"{float(r.ST):.3f} ± {float(r.ST_conf):.3f}", str(r["distribution"].values))
    why = unreliable(ds)
    if why:
        n = int(ds.attrs.get("base_samples", 0))
        t.notes.append(f"Warning: {why}; rerun with --samples {4 * n} or more (now {n}; four "
                       "times the samples halve the intervals).")
    return t


__all__ = ["metric_values", "sensitivity", "sensitivity_table"]
