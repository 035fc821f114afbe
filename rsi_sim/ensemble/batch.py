"""One batch of an ensemble, as a worker runs it: the job every worker receives once, the
batch (which samples, their parameter values), and :func:`evaluate_batch`, which runs the
samples on the kernel or through a component's ``run_vectorized`` and reduces them to
per-sample arrays.

Evaluators (:mod:`rsi_sim.ensemble.evaluators`) send jobs and batches here; planning and
writing the store is :mod:`rsi_sim.ensemble.run`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from ..components import REGISTRY
from ..core.distributions import Uncertainty, parse_uncertainty
from ..core.errors import RsiSimError
from ..core.random import SampleSeeds, sample_seed
from ..core.time import to_decimal_year
from ..plugins import restore
from ..scenario import Scenario, parse_scenario_text
from ..scenario.build import build_model
from ..scenario.load import uncertainty_components
from .store import STATUS_FAILED, STATUS_OK

#: Largest error text kept per failed sample.
MAX_ERROR_CHARS = 2000


@dataclass(frozen=True)
class EnsembleJob:
    """What a worker needs to run any sample of an ensemble: sent to each worker once."""

    scenario_yaml: str
    key: str
    seed: int
    paths: tuple[str, ...]
    variables: tuple[str, ...]
    milestones: tuple[str, ...]
    n_time: int
    #: per-sample results: (name, shape of one sample's value)
    results: tuple[tuple[str, tuple[int, ...]], ...] = ()
    #: the component evaluated by run_vectorized, or None (kernel path)
    vectorized: str | None = None
    #: plugins the worker imports, and where the scenario's users' own classes live
    #: (:func:`rsi_sim.plugins.worker_refs`)
    plugins: tuple[str, ...] = ()
    components: tuple[tuple[str, str, str, str], ...] = ()
    #: the parameters of given designs (run_ensemble(designs=...)), else None: the worker
    #: reads them from the scenario's uncertainty: section
    given: Uncertainty | None = None


@dataclass(frozen=True)
class Batch:
    """Samples ``start .. start + len(values) - 1`` with their parameter values ``(n, P)``."""

    index: int
    start: int
    values: np.ndarray


BatchResult = dict[str, Any]


class _Prepared:
    """A job made ready to run in a worker (scenario parsed once per worker process)."""

    def __init__(self, job: EnsembleJob):
        self.job = job
        restore(job.plugins, job.components)  # the parent's classes, before the scenario is read
        self.scenario = parse_scenario_text(job.scenario_yaml, "<ensemble scenario>")
        self.uncertainty = job.given if job.given is not None else parse_uncertainty(
            self.scenario.spec.uncertainty, uncertainty_components(self.scenario))
        if tuple(self.uncertainty.paths) != job.paths:
            raise RsiSimError("internal: the worker read different uncertain parameters")
        self.registry = REGISTRY
        self.base = self.scenario.component_values()

    # The cache is keyed by the scenario text: the seed and the rest of the job come with each
    # call, so two ensembles of one scenario with different seeds never share streams.
    def run(self, seed: int, i: int, row: np.ndarray) -> tuple[Any, xr.Dataset]:
        if self.scenario.spec.actors:
            # Each value goes where its path says (a base component, one actor's, an
            # interaction's): the scenario is validated again with them, as --set would.
            overrides = {p.path: p.decode(x) for p, x in
                         zip(self.uncertainty.parameters, row, strict=True) if p.component}
            scenario = self.scenario.with_overrides(overrides) if overrides else self.scenario
            race = build_model(scenario, seed=sample_seed(seed, i))
            return race, race.run()
        values = {c: dict(v) for c, v in self.base.items()}
        for p, x in zip(self.uncertainty.parameters, row, strict=True):
            if p.component:  # auxiliary draws (for formulas) set no parameter
                values[p.component][p.name] = p.decode(x)
        touched = {p.component for p in self.uncertainty.parameters if p.component}
        parts = {c: self.registry[c](**values[c]) for c in touched}
        model = build_model(self.scenario, seed=sample_seed(seed, i), components=parts)
        return model, model.run()

    def run_vectorized(self, job: EnsembleJob, start: int, n: int) -> xr.Dataset:
        return vectorized_batch(self.scenario, job.vectorized, SampleSeeds(job.seed, start, start + n))


def _vector_inputs(scenario: Scenario, name: str) -> tuple[type, dict[str, Any], dict[str, str], str | None]:
    """(class, values, milestone conditions, stop condition) of a vectorised evaluation."""
    spec = scenario.spec
    milestones = {k: m.when for k, m in spec.milestones.items()}
    stop = spec.stop
    if stop is not None and stop.strip() in milestones:  # 'stop: ASI' stops at that milestone
        stop = milestones[stop.strip()]
    return REGISTRY[name], dict(spec.components[name]), milestones, stop


def vectorized_batch(scenario: Scenario, name: str, seeds: Any) -> xr.Dataset:
    """``run_vectorized`` of component ``name`` for the samples of ``seeds``; milestones after
    the stop condition are NaN, as a kernel run that stopped never reaches them."""
    cls, values, milestones, stop = _vector_inputs(scenario, name)
    spec = scenario.spec
    conditions = dict(milestones)
    if stop is not None:
        conditions["__stop__"] = stop
    ds = cls.run_vectorized(values, seeds, to_decimal_year(spec.start), conditions,
                            horizon=spec.horizon_years())
    if stop is not None:
        stop_year = ds["milestone_year"].sel(milestone="__stop__")
        ds = ds.drop_sel(milestone="__stop__")
        ds["milestone_year"] = ds["milestone_year"].where(
            ~(ds["milestone_year"] > stop_year))
    return ds


def vectorized_component(scenario: Scenario, uncertainty: Uncertainty) -> str | None:
    """The component a scenario's ensemble can run through ``run_vectorized``, else None."""

    names = list(scenario.spec.components)
    if (scenario.spec.actors or len(names) != 1 or uncertainty.parameters
            or not hasattr(REGISTRY[names[0]], "run_vectorized")):
        return None
    try:
        vectorized_batch(scenario, names[0], SampleSeeds(0, 0, 1))
    except NotImplementedError:
        return None
    return names[0]


def result_layout(scenario: Scenario) -> tuple[list[tuple[str, tuple[str, ...], str, dict]], dict[str, np.ndarray]]:
    """Per-sample results of the scenario's components that have a vectorised path (their drawn
    inputs and statistics), read off a one-sample probe."""
    results, coords = [], {}
    seen = {"milestone_year", "milestone_condition"}
    if scenario.spec.actors:  # kernel scalars of each actor, as <actor>.<result>
        for actor in scenario.spec.actors:
            for name in scenario.spec.actor_components(actor):
                for key, attrs in REGISTRY[name].sample_results.items():
                    results.append((f"{actor}.{key}", ("sample",), "f8",
                                    {**attrs, "long_name": f"{attrs.get('long_name', key)} ({actor})"}))
        return results, coords
    for name, values in scenario.spec.components.items():
        cls = REGISTRY[name]
        if not hasattr(cls, "run_vectorized"):
            for key, attrs in cls.sample_results.items():  # scalars of a kernel component
                if key not in seen:
                    seen.add(key)
                    results.append((key, ("sample",), "f8", dict(attrs)))
            continue
        probe = cls.run_vectorized(dict(values), SampleSeeds(0, 0, 1), to_decimal_year(scenario.spec.start), {})
        for key, var in probe.data_vars.items():
            if key in seen or not var.dims or var.dims[0] != "sample":
                continue
            seen.add(key)
            for d in var.dims[1:]:
                coords[d] = np.asarray(probe[d].values)
            dtype = {"b": "bool", "i": "i8", "u": "i8"}.get(var.dtype.kind, "f8")
            results.append((key, var.dims, dtype, dict(var.attrs)))
    return results, coords


def recorded_series(ds: xr.Dataset, name: str) -> np.ndarray:
    """The time series of a recorded variable in a run's results.

    A component's ``finish`` may gather its recorded variables ``NAME.KEY`` into one variable
    ``NAME`` with an extra dimension labelled by ``KEY`` (the policies' ``policy_active.<policy>``
    become ``policy_active (time, policy)``); the ensemble keeps them one variable each.
    """
    if "actor" in ds.dims:  # a race: <actor>.<variable>
        actor, _, rest = name.partition(".")
        return recorded_series(ds.sel(actor=actor), rest)
    if name in ds.data_vars:
        return ds[name].values
    base, _, key = name.partition(".")
    var = ds.data_vars.get(base) if key else None
    if var is not None and var.dims[:1] == ("time",) and var.ndim == 2:
        dim = var.dims[1]
        if key in ds[dim].values:
            return var.sel({dim: key}).values
    raise KeyError(f"internal: the run's results have no variable {name!r}")


def milestone_years(ds: xr.Dataset, milestones: tuple[str, ...]) -> np.ndarray:
    """The run's milestone dates in the order of ``milestones`` (a race's as ``<actor>.<m>``)."""
    years = ds["milestone_year"]
    if "actor" not in ds.dims:
        return years.sel(milestone=list(milestones)).values
    return np.array([float(years.sel(actor=a, milestone=m))
                     for a, _, m in (x.partition(".") for x in milestones)])


def sample_result(ds: xr.Dataset, name: str) -> Any:
    """A per-sample result of a run (a race's as ``<actor>.<result>``)."""
    if "actor" in ds.dims:
        actor, _, rest = name.partition(".")
        return ds[rest].sel(actor=actor).values
    return ds[name].values


def _release(model: Any) -> None:
    """Drop a finished model's arrays now: a model and its SimPy processes form reference cycles
    that only the cyclic garbage collector frees, which would let finished runs pile up."""
    if model is not None:  # a Model or a Race
        model.release()


_PREPARED: dict[str, _Prepared] = {}


def _prepared(job: EnsembleJob) -> _Prepared:
    prep = _PREPARED.get(job.key)
    if prep is None:
        if len(_PREPARED) >= 4:
            _PREPARED.pop(next(iter(_PREPARED)))
        prep = _PREPARED[job.key] = _Prepared(job)
    return prep


def evaluate_batch(job: EnsembleJob, batch: Batch) -> BatchResult:
    """Run the samples of one batch; a sample that raises is recorded as failed, not fatal."""
    prep = _prepared(job)
    n, t, m = len(batch.values), job.n_time, len(job.milestones)
    out: BatchResult = {name: np.full((n, t), np.nan) for name in job.variables}
    out.update(milestone_year=np.full((n, m), np.nan), diverged=np.zeros(n, bool),
               divergence_time=np.full(n, np.nan), n_events=np.zeros(n, np.int64),
               error=np.full(n, "", dtype=object), status=np.full(n, STATUS_OK, np.int8))
    for name, shape in job.results:
        out[name] = np.full((n, *shape), np.nan)
    for j, path in enumerate(job.paths):
        out[path] = batch.values[:, j].copy()
    if job.vectorized is not None:
        try:
            ds = prep.run_vectorized(job, batch.start, n)
        except Exception:  # noqa: BLE001 - the kernel then records each sample's own error
            ds = None
        if ds is not None:
            if m:
                out["milestone_year"] = ds["milestone_year"].sel(milestone=list(job.milestones)).values
            for name, _ in job.results:
                out[name] = ds[name].values
            out["_start"] = batch.start
            return out
    for k in range(n):
        model = None
        try:
            model, ds = prep.run(job.seed, batch.start + k, batch.values[k])
            for name in job.variables:
                out[name][k] = recorded_series(ds, name)
            if m:
                out["milestone_year"][k] = milestone_years(ds, job.milestones)
            out["diverged"][k] = bool(ds["diverged"].any())
            out["divergence_time"][k] = float(ds["divergence_time"].min())
            out["n_events"][k] = ds.sizes.get("event", 0)
            for name, _ in job.results:
                out[name][k] = sample_result(ds, name)
        except Exception as exc:  # a failing sample is data, not a crash
            for name in job.variables:
                out[name][k] = np.nan
            out["milestone_year"][k] = np.nan
            out["status"][k] = STATUS_FAILED
            out["error"][k] = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS]
        finally:
            ds = None
            _release(model)
    out["_start"] = batch.start
    return out


