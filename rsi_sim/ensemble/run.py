"""``run_ensemble``: a scenario under uncertainty, run sample by sample on any engine.

Each sample is the scenario with its sampled parameter values given directly to the components
(no re-validation of the whole file per sample), run on its own random stream
(:func:`~rsi_sim.ensemble.samplers.sample_seed`), and reduced to per-sample arrays. Samples are
grouped into batches (one task each, one Zarr chunk each); the batch size depends on the number
of samples only, so stores are identical whatever the engine or worker count.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from .. import __version__
from ..core.errors import RsiSimError
from ..scenario import Scenario, load_scenario
from .distributions import Uncertainty, parse_uncertainty
from .evaluators import Evaluator, make_evaluator
from .samplers import SAMPLERS, Design, sample_seed
from .store import STATUS_FAILED, STATUS_OK, Layout, MemoryStore, ZarrStore, open_ensemble

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
        from ..components import REGISTRY
        from ..scenario import parse_scenario_text
        from ..scenario.load import uncertainty_components

        self.job = job
        self.scenario = parse_scenario_text(job.scenario_yaml, "<ensemble scenario>")
        self.uncertainty = parse_uncertainty(self.scenario.spec.uncertainty,
                                             uncertainty_components(self.scenario))
        if tuple(self.uncertainty.paths) != job.paths:
            raise RsiSimError("internal: the worker read different uncertain parameters")
        self.registry = REGISTRY
        self.base = self.scenario.component_values()

    def run(self, i: int, row: np.ndarray) -> tuple[Any, xr.Dataset]:
        values = {c: dict(v) for c, v in self.base.items()}
        for p, x in zip(self.uncertainty.parameters, row, strict=True):
            values[p.component][p.name] = p.decode(x)
        touched = {p.component for p in self.uncertainty.parameters}
        parts = {c: self.registry[c](**values[c]) for c in touched}
        from ..scenario.build import build_model

        model = build_model(self.scenario, seed=sample_seed(self.job.seed, i), components=parts)
        return model, model.run()


def _release(model: Any) -> None:
    """Drop a finished model's arrays now: a model and its SimPy processes form reference cycles
    that only the cyclic garbage collector frees, which would let finished runs pile up."""
    if model is not None:
        for comp in list(getattr(model, "components", {}).values()):
            comp.__dict__.clear()
        model.__dict__.clear()


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
    for j, path in enumerate(job.paths):
        out[path] = batch.values[:, j].copy()
    for k in range(n):
        model = None
        try:
            model, ds = prep.run(batch.start + k, batch.values[k])
            for name in job.variables:
                out[name][k] = ds[name].values
            if m:
                out["milestone_year"][k] = ds["milestone_year"].sel(milestone=list(job.milestones)).values
            out["diverged"][k] = bool(ds["diverged"])
            out["divergence_time"][k] = float(ds["divergence_time"])
            out["n_events"][k] = ds.sizes.get("event", 0)
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


def default_batch_size(samples: int) -> int:
    """Samples per task and per Zarr chunk: about 64 tasks, 1 to 100 samples each.

    >>> default_batch_size(1000), default_batch_size(10), default_batch_size(100_000)
    (16, 1, 100)
    """
    return max(1, min(100, math.ceil(samples / 64)))


@dataclass
class EnsemblePlan:
    """Everything decided before running: resolved scenario, design, layout, job."""

    scenario: Scenario
    uncertainty: Uncertainty
    samples: int
    seed: int
    sampler: str
    batch_size: int
    layout: Layout
    job: EnsembleJob


def plan_ensemble(scenario: Scenario | str | Path, samples: int | None = None, *,
                  seed: int | None = None, sampler: str | None = None,
                  batch_size: int | None = None,
                  overrides: dict[str, Any] | list[str] | None = None) -> EnsemblePlan:
    """Resolve the scenario and the ensemble settings (defaults from its ``ensemble:`` section)."""
    from ..scenario.load import uncertainty_components

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, overrides)
    elif overrides:
        scenario = scenario.with_overrides(overrides)
    spec = scenario.spec
    samples = spec.ensemble.samples if samples is None else int(samples)
    sampler = sampler or spec.ensemble.sampler
    if sampler not in SAMPLERS:
        raise RsiSimError(f"unknown sampler {sampler!r}; use one of {', '.join(SAMPLERS)}")
    if seed is None:
        seed = spec.ensemble.seed if spec.ensemble.seed is not None else spec.seed
    if not 0 <= int(seed) < 2**63:
        raise RsiSimError(f"the seed must be an integer from 0 to 2**63-1; got {seed}")
    batch_size = int(batch_size or default_batch_size(samples))
    uncertainty = parse_uncertainty(spec.uncertainty, uncertainty_components(scenario))
    text = scenario.to_yaml()
    key = hashlib.sha256(text.encode()).hexdigest()

    probe = scenario.build_model()
    probe._start_recorder()  # the output grid every sample shares
    variables = tuple(probe.recorded())
    time = probe.start_year + probe._grid
    milestones = tuple(spec.milestones)
    params = []
    for p in uncertainty.parameters:
        attrs = {"units": p.param.unit, "long_name": p.param.doc or p.path,
                 "distribution": p.dist.describe()}
        if not p.dist.numeric:
            attrs["choices"] = json.dumps(list(p.dist.values))
            attrs["long_name"] += " (index into choices)"
        params.append((p.path, attrs))
    attrs = {
        "title": f"rsi_sim ensemble: {spec.name}",
        "scenario_name": spec.name,
        "scenario": text,
        "scenario_sha256": key,
        "seed": int(seed),
        "sampler": sampler,
        "samples": samples,
        "batch_size": batch_size,
        "parameters": json.dumps(uncertainty.paths),
        "correlations": json.dumps([list(c) for c in uncertainty.correlations]),
        "start_year": float(probe.start_year),
        "end_year": float(probe.start_year + probe.horizon),
        "start_date": spec.start.isoformat(),
        "rsi_sim_version": __version__,
        "seeding": "sample i runs on numpy.random.SeedSequence(seed, spawn_key=(i,))",
    }
    layout = Layout(samples, batch_size, time, milestones, tuple(params), variables, attrs)
    job = EnsembleJob(text, key, int(seed), tuple(uncertainty.paths),
                      tuple(v[0] for v in variables), milestones, len(time))
    return EnsemblePlan(scenario, uncertainty, samples, int(seed), sampler, batch_size, layout, job)


def execute(plan: EnsemblePlan, store: MemoryStore | ZarrStore, evaluator: Evaluator,
            values: Callable[[int, int], np.ndarray],
            progress: Callable[[int, int], None] | None = None) -> None:
    """Run every batch the store does not have yet, writing each as it finishes."""
    done = store.done()
    b, n = plan.batch_size, plan.samples
    todo = [k for k in range(math.ceil(n / b)) if not done[k * b:(k + 1) * b].all()]
    finished = int(done.sum()) - sum(int(done[k * b:(k + 1) * b].sum()) for k in todo)
    del done
    if progress:
        progress(finished, n)

    def batches() -> Iterator[Batch]:
        for k in todo:
            start, stop = k * b, min(n, (k + 1) * b)
            yield Batch(k, start, values(start, stop))

    with evaluator:
        for result in evaluator.map(plan.job, batches()):
            start = result.pop("_start")
            store.write(start, result)
            finished += len(result["status"])
            if progress:
                progress(finished, n)
    store.close()


def run_ensemble(scenario: Scenario | str | Path, samples: int | None = None, *,
                 seed: int | None = None, sampler: str | None = None,
                 engine: str = "sequential", workers: int | None = None,
                 scheduler: str | None = None, output: str | Path | None = None,
                 resume: bool = False, batch_size: int | None = None,
                 overrides: dict[str, Any] | list[str] | None = None,
                 progress: Callable[[int, int], None] | None = None) -> xr.Dataset:
    """Run a scenario as a seeded ensemble over its ``uncertainty:`` section.

    Parameters
    ----------
    scenario : a loaded scenario or the path of a scenario file.
    samples : number of samples (default: ``ensemble.samples`` of the scenario).
    seed : ensemble seed (default: ``ensemble.seed``, else the scenario's ``seed``).
    sampler : ``"mc"``, ``"lhs"`` or ``"sobol"`` (default: ``ensemble.sampler``).
    engine : ``"sequential"``, ``"processes"`` or ``"dask"``; results are identical for all.
    workers : processes or local Dask workers (default: CPU count).
    scheduler : address of a running Dask scheduler (implies ``engine="dask"``).
    output : ``.zarr`` (streamed as samples finish, resumable) or ``.nc`` (written at the end;
        small ensembles); ``None`` keeps results in memory.
    resume : continue an interrupted ``.zarr`` store, running only unfinished samples.
    batch_size : samples per task and per chunk (default from ``samples`` only).
    overrides : dotted-path overrides applied to the scenario first.
    progress : called as ``progress(done, total)`` after every batch.

    Returns
    -------
    xarray.Dataset
        dims ``sample``, ``time``, ``milestone``; see :mod:`rsi_sim.ensemble.store`. For a
        ``.zarr`` output the Dataset reads lazily from the store.

    Examples
    --------
    >>> ds = run_ensemble("scenarios/reference/jones_ensemble.yaml", samples=3,
    ...                   overrides={"horizon": "2 y"})
    >>> ds.sizes["sample"], [int(s) for s in ds["status"]]
    (3, [1, 1, 1])
    """
    from .. import io

    plan = plan_ensemble(scenario, samples, seed=seed, sampler=sampler, batch_size=batch_size,
                         overrides=overrides)
    evaluator = make_evaluator(engine, workers, scheduler)
    design = Design(plan.uncertainty, plan.samples, plan.seed, plan.sampler)
    out_path = Path(output) if output is not None else None
    if out_path is not None and out_path.suffix == ".zarr":
        store: MemoryStore | ZarrStore = ZarrStore(out_path, plan.layout, resume=resume)
        execute(plan, store, evaluator, design.values, progress)
        return open_ensemble(out_path)
    if resume:
        raise RsiSimError("--resume needs a .zarr output store")
    if out_path is not None:
        io.check_output_path(out_path, (".nc", ".zarr"))
    store = MemoryStore(plan.layout)
    execute(plan, store, evaluator, design.values, progress)
    ds = store.dataset()
    if out_path is not None:
        io.write(ds, out_path)
    return ds
