"""Reference scenarios as whole ensembles in one vectorised pass, and the statistics the
publications report (here, not in :mod:`rsi_sim.reference`, which holds only the models' maths
and so depends on nothing above the kernel).

:func:`reference_ensemble` runs a reference scenario (one component with a ``run_vectorized``
classmethod, see :mod:`rsi_sim.components._vectorized`) for many samples at once; sample ``i``
uses the stream ``SeedSequence(seed).spawn(samples)[i]``, as the ensemble engine does, so each
sample equals ``rsi-sim run`` of that scenario with that stream. :func:`published_summary`
prints what the publication reports.

The ensemble engine takes the same path on its own (``rsi-sim ensemble
scenarios/reference/ai2027_takeoff.yaml``: the file's ``ensemble:`` section picks the published
scheme and sample count); this module remains a one-call helper and prints the publication's
own phrasing::

    python -m rsi_sim.ensemble.reference scenarios/reference/ai2027_takeoff.yaml --samples 5000
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ..components import REGISTRY
from ..core.errors import ScenarioError
from ..core.random import SampleSeeds, resolve_seed
from ..core.time import from_decimal_year, to_decimal_year
from ..scenario import Scenario, load_scenario

__all__ = [
    "milestone_percentiles",
    "month_label",
    "probability_at_least",
    "published_summary",
    "reference_ensemble",
]

#: Years of progress the Forethought publication asks about (REFERENCE C.2).
SIE_THRESHOLDS = (3.0, 10.0)


def reference_ensemble(scenario: Scenario | str | Path, samples: int, seed: int | None = None, *,
                       sampling: str | None = "published",
                       overrides: dict[str, Any] | list[str] | None = None) -> xr.Dataset:
    """Run a reference scenario for ``samples`` samples through its vectorised path.

    Parameters
    ----------
    scenario : a loaded scenario or the path of a file under ``scenarios/reference/``.
    samples : number of samples.
    seed : ensemble seed (default: the scenario's ``seed``).
    sampling : sets the component's ``sampling`` parameter (``"published"``: every sample a
        draw of the published scheme; ``None``: keep the file's value).
    overrides : dotted-path overrides, as for :func:`rsi_sim.run`.

    Returns
    -------
    xarray.Dataset
        Over ``sample``: ``milestone_year(sample, milestone)`` (NaN: after the horizon), the
        component's scalar results and drawn inputs; ``attrs`` say scenario, seed, samples.

    Examples
    --------
    >>> ds = reference_ensemble("scenarios/reference/forethought_sie.yaml", 200, seed=1)
    >>> ds.sizes["sample"], sorted(probability_at_least(ds, (3.0,)))
    (200, [3.0])
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, overrides)
    elif overrides:
        scenario = scenario.with_overrides(overrides)
    spec = scenario.spec
    vectorised = [n for n in spec.components if hasattr(REGISTRY[n], "run_vectorized")]
    if len(spec.components) != 1 or not vectorised:
        raise ScenarioError("reference_ensemble runs scenarios with exactly one component that "
                            f"has a vectorised path; {scenario.path} has "
                            f"{', '.join(spec.components)}", file=scenario.path)
    name = vectorised[0]
    cls = REGISTRY[name]
    values = dict(spec.components[name])
    if sampling is not None and "sampling" in cls.params:
        values["sampling"] = sampling
    seed = int(resolve_seed(seed, spec))
    start = to_decimal_year(spec.start)
    milestones = {k: m.when for k, m in spec.milestones.items()}
    ds = cls.run_vectorized(values, SampleSeeds(seed, 0, samples), start, milestones,
                            horizon=spec.horizon_years())
    ds.attrs.update(scenario_name=spec.name, seed=seed, samples=int(samples),
                    sampling=str(values.get("sampling", "")), start_year=start,
                    end_year=start + spec.horizon_years(), component=name)
    return ds


def month_label(year: float, end_year: float = math.inf) -> str:
    """``2027.5`` → ``'Jul 2027'``; ``inf`` or beyond ``end_year`` → ``'after <end year>'``.

    >>> month_label(2027.55), month_label(math.inf, 2101.0)
    ('Jul 2027', 'after 2100')
    """
    if not math.isfinite(year) or year > end_year:
        return f"after {math.floor(end_year) - 1}" if math.isfinite(end_year) else "never"
    return from_decimal_year(year).strftime("%b %Y")


def milestone_percentiles(ds: xr.Dataset, q: Sequence[float] = (0.1, 0.5, 0.9)) -> xr.DataArray:
    """Percentiles of ``milestone_year`` with "not reached" (NaN) counted as after the horizon.

    NaN is replaced by ``+inf`` before numpy's default (linear) percentiles, as the
    publications do, so any percentile that touches an unreached sample is ``inf``.

    Examples
    --------
    >>> ds = xr.Dataset({"milestone_year": (("sample", "milestone"),
    ...                  [[2027.0], [2028.0], [np.nan]])}, coords={"milestone": ["X"]})
    >>> milestone_percentiles(ds, [0.5, 0.9]).values.ravel().tolist()
    [2028.0, inf]
    """
    # A huge finite stand-in for +inf keeps numpy's interpolation free of 0 * inf; any
    # percentile that interpolates towards it lies in the unreached tail and becomes inf.
    stand_in = 1e300
    years = ds["milestone_year"].fillna(stand_in).values
    out = np.quantile(years, list(q), axis=0)
    out = np.where(out > 1e6, np.inf, out)
    return xr.DataArray(out, dims=("quantile", "milestone"),
                        coords={"quantile": list(q), "milestone": ds["milestone"].values},
                        attrs={"units": "year", "long_name": "milestone date percentiles"})


def probability_at_least(ds: xr.Dataset, thresholds: Sequence[float] = SIE_THRESHOLDS,
                         statistic: str = "progress_in_one_year") -> dict[float, float]:
    """Share of samples whose ``statistic`` is at least each threshold.

    >>> ds = xr.Dataset({"progress_in_one_year": ("sample", [1.0, 3.0, 12.0, 4.0])})
    >>> probability_at_least(ds)
    {3.0: 0.75, 10.0: 0.25}
    """
    values = ds[statistic].values
    return {float(t): float(np.mean(values >= t)) for t in thresholds}


def published_summary(ds: xr.Dataset) -> str:
    """The statistics the publication reports, as text.

    AI 2027: median (10th–90th percentile) month of each milestone and the SC→SAR duration.
    Forethought: P(≥ 3 y) and P(≥ 10 y) of progress within a year, for both statistics.
    Time horizon: the date of each threshold.
    """
    end = float(ds.attrs.get("end_year", math.inf))
    lines = [f"{ds.attrs.get('scenario_name', '')}: {ds.sizes.get('sample', 1)} samples, "
             f"seed {ds.attrs.get('seed', '')}, sampling {ds.attrs.get('sampling', '') or '-'}"]
    if "progress_in_one_year" in ds:
        for stat, what in (("progress_in_one_year", "any 12-month window (published statistic)"),
                           ("progress_in_first_year", "first 12 months after deployment")):
            probs = probability_at_least(ds, SIE_THRESHOLDS, stat)
            text = ", ".join(f"P(>= {t:g} y) = {p:.1%}" for t, p in probs.items())
            lines.append(f"  progress in {what}: {text}")
    if "milestone_year" in ds and ds.sizes.get("milestone", 0):
        pct = milestone_percentiles(ds)
        for m in ds["milestone"].values:
            p10, p50, p90 = (float(pct.sel(milestone=m, quantile=q)) for q in (0.1, 0.5, 0.9))
            if p10 == p90:  # no uncertainty (e.g. the time-horizon trend)
                lines.append(f"  {m}: {month_label(p50, end)}")
            else:
                lines.append(f"  {m}: {month_label(p50, end)} "
                             f"({month_label(p10, end)} – {month_label(p90, end)})")
    if "phase_years" in ds:
        sc_sar = ds["phase_years"].sel(phase="SC-SAR").values
        lines.append(f"  SC→SAR: median {np.quantile(sc_sar, 0.5):.2f} y, "
                     f"90th percentile {np.quantile(sc_sar, 0.9):.2f} y")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m rsi_sim.ensemble.reference FILE --samples N [--seed S] [--set K=V] [-o out.nc]``."""
    parser = argparse.ArgumentParser(prog="python -m rsi_sim.ensemble.reference",
                                     description=main.__doc__)
    parser.add_argument("scenario")
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("-o", "--output", default=None, help="write the per-sample results (.nc)")
    args = parser.parse_args(argv)
    ds = reference_ensemble(args.scenario, args.samples, args.seed, overrides=args.sets or None)
    print(published_summary(ds))
    if args.output:
        ds.to_netcdf(args.output)
        print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
