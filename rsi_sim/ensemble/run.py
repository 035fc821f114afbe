"""``run_ensemble``: a scenario under uncertainty, run sample by sample on any engine.

Each sample is the scenario with its sampled parameter values given directly to the components
(no re-validation of the whole file per sample), run on its own random stream
(:func:`~rsi_sim.core.random.sample_seed`), and reduced to per-sample arrays. Samples are
grouped into batches (one task each, one Zarr chunk each); the batch size depends on the number
of samples and the scenario only, so stores are identical whatever the engine or worker count.

Vectorised path: when the scenario has a single component offering ``run_vectorized``
(:mod:`rsi_sim.components._vectorized`), no ``uncertainty:`` section (the component draws its
own inputs) and milestones (and stop condition) it can date in closed form, each batch is one
``run_vectorized`` call on the streams ``SeedSequence(seed, spawn_key=(i,))`` of its samples,
still dispatched through the evaluator. Sample ``i`` is bit-identical to the kernel run of
sample ``i``; the store then has no time variables and ``n_events`` is 0.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from .. import __version__, io
from ..core.distributions import Uncertainty, parse_uncertainty
from ..core.errors import RsiSimError, did_you_mean
from ..core.random import SEEDING_RULE, resolve_seed, seed_in_range
from ..plugins import load_plugins, worker_refs
from ..scenario import Scenario, load_scenario
from ..scenario.load import (
    apply_overrides,
    parse_override,
    uncertainty_components,
    validate_scenario,
)
from .batch import Batch, EnsembleJob, result_layout, vectorized_component
from .designs import GivenDesign
from .evaluators import Evaluator, make_evaluator
from .samplers import SAMPLERS, Design
from .store import (
    Layout,
    MemoryStore,
    ZarrStore,
    open_ensemble,
    remove_store,
)


def vectorized_batch_size(samples: int) -> int:
    """Samples per batch on the vectorised path: two batches (one per core of a small machine;
    a batch's cost is mostly per-doubling numpy passes, so fewer, larger batches are faster),
    at most 10,000 samples each.

    >>> vectorized_batch_size(10_000), vectorized_batch_size(5), vectorized_batch_size(10**6)
    (5000, 3, 10000)
    """
    return max(1, min(10_000, math.ceil(samples / 2)))


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
    #: the given designs (``run_ensemble(designs=...)``), else None
    given: GivenDesign | None = None

    @property
    def vectorized(self) -> bool:
        """Whether batches run through the component's ``run_vectorized``."""
        return self.job.vectorized is not None


def ensemble_scenario(scenario: Scenario | str | Path,
                      overrides: dict[str, Any] | list[str] | None = None) -> Scenario:
    """The scenario as an ensemble runs it: its ``ensemble.overrides`` applied, then the
    caller's ``overrides`` (which win, as do values given with ``--set`` when it was loaded).

    >>> s = ensemble_scenario("scenarios/reference/ai2027_takeoff.yaml")
    >>> s.spec.components["ladder"]["sampling"], s.spec.ensemble.overrides
    ('published', {})
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    user = dict(parse_override(o) for o in overrides) if isinstance(overrides, list | tuple) \
        else dict(overrides or {})
    own = scenario.spec.ensemble.overrides
    if not own:
        return scenario.with_overrides(user) if user else scenario
    data, locs = copy.deepcopy(scenario.data), dict(scenario.locations)
    data["ensemble"].pop("overrides", None)
    kept = {k: v for k, v in own.items()
            if k not in user and locs.get(tuple(k.split("."))) != ("--set", None)}
    apply_overrides(data, locs, kept)
    for k in kept:  # errors point at the ensemble.overrides entry
        locs[tuple(k.split("."))] = scenario.where("ensemble", "overrides", k)
    if user:
        apply_overrides(data, locs, user)
    return validate_scenario(data, locs, scenario.path, scenario.chain)


def plan_ensemble(scenario: Scenario | str | Path, samples: int | None = None, *,
                  seed: int | None = None, sampler: str | None = None,
                  batch_size: int | None = None,
                  overrides: dict[str, Any] | list[str] | None = None,
                  vectorized: bool | None = None, designs: Any = None) -> EnsemblePlan:
    """Resolve the scenario and the ensemble settings (defaults from its ``ensemble:`` section).

    ``vectorized``: ``None`` uses the vectorised path when the scenario allows it, ``False``
    runs every sample through the kernel (records time variables), ``True`` requires it.
    ``designs``: a DataFrame of parameter sets, one row per sample
    (:mod:`rsi_sim.ensemble.designs`), instead of the ``uncertainty:`` section.
    """
    scenario = ensemble_scenario(scenario, overrides)
    spec = scenario.spec
    given = None
    if designs is not None:
        if sampler is not None:
            raise RsiSimError(f"sampler={sampler!r} does not apply to an ensemble of given "
                              "designs (each row is one sample); leave it out")
        given = GivenDesign.from_frame(designs, uncertainty_components(scenario))
        if samples is not None and int(samples) != given.samples:
            raise RsiSimError(f"samples={samples} but designs has {given.samples} rows (one per "
                              "sample); leave samples out")
        samples, sampler = given.samples, GivenDesign.sampler
    samples = spec.ensemble.samples if samples is None else int(samples)
    sampler = sampler or spec.ensemble.sampler
    if sampler not in SAMPLERS and given is None:
        raise RsiSimError(f"unknown sampler {sampler!r}{did_you_mean(sampler, SAMPLERS)}; use "
                          f"one of {', '.join(SAMPLERS)}")
    seed = resolve_seed(seed, spec, ensemble=True)
    if not seed_in_range(seed):
        raise RsiSimError(f"the seed must be an integer from 0 to 2**63-1; got {seed}")
    uncertainty = (given.uncertainty if given is not None
                   else parse_uncertainty(spec.uncertainty, uncertainty_components(scenario)))
    vector = vectorized_component(scenario, uncertainty) if vectorized is not False else None
    if vectorized and vector is None:
        raise RsiSimError(f"{scenario.path}: this ensemble cannot run vectorised (that needs one "
                          "component with run_vectorized, no uncertainty: section, and milestones "
                          "of the form NAME >= NUMBER on its variables)")
    batch_size = int(batch_size or (vectorized_batch_size(samples) if vector
                                    else default_batch_size(samples)))
    text = scenario.to_yaml()
    scenario_key = hashlib.sha256(text.encode()).hexdigest()
    plugins, components = worker_refs(spec.components)
    # Workers cache what they prepared by this key: the same text with other classes, or with
    # given designs (whose parameters replace the uncertainty: section), is another job.
    given_paths = given.uncertainty.paths if given is not None else None
    key = hashlib.sha256((text + json.dumps([components, given_paths])).encode()).hexdigest()
    results, extra = result_layout(scenario)

    probe = scenario.build_model()
    if spec.actors:  # a race: each actor's variables and milestones, as <actor>.<name>
        first = next(iter(probe.models.values()))
        variables = tuple((f"{a}.{n}", unit, f"{long_name} ({a})")
                          for a, m in probe.models.items() for n, unit, long_name in m.recorded())
        time = first.start_year + first.output_times  # the output grid every sample shares
        milestones = tuple(f"{a}.{m}" for a in spec.actors for m in spec.milestones)
        probe = first
    else:
        variables = () if vector else tuple(probe.recorded())
        time = probe.start_year + probe.output_times  # the output grid every sample shares
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
        "scenario_sha256": scenario_key,
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
        "seeding": SEEDING_RULE,
        "evaluation": f"vectorized ({vector}.run_vectorized)" if vector else "kernel",
        "report": json.dumps([r.model_dump() for r in spec.ensemble.report]),
    }
    if components:  # users' own classes: a store is resumed only with the same ones
        attrs["components"] = json.dumps({c[0]: f"{c[1]}.{c[2]}" for c in components})
    if given is not None:
        attrs["design_sha256"] = given.sha256
    layout = Layout(samples, batch_size, time, milestones, tuple(params), variables, attrs,
                    tuple(results), tuple(extra.items()))
    shapes = tuple((r[0], tuple(len(extra[d]) for d in r[1][1:])) for r in results)
    job = EnsembleJob(text, key, int(seed), tuple(uncertainty.paths),
                      tuple(v[0] for v in variables), milestones, len(time), shapes, vector,
                      plugins, components, given.uncertainty if given is not None else None)
    return EnsemblePlan(scenario, uncertainty, samples, int(seed), sampler, batch_size, layout,
                        job, given)


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
                 progress: Callable[[int, int], None] | None = None,
                 vectorized: bool | None = None, designs: Any = None,
                 plugins: Sequence[str] | None = None) -> xr.Dataset:
    """Run a scenario as a seeded ensemble over its ``uncertainty:`` section, or over given
    parameter sets (``designs``).

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
    overrides : dotted-path overrides, applied after the scenario's ``ensemble.overrides``.
    progress : called as ``progress(done, total)`` after every batch.
    vectorized : ``None`` (default) runs batches through the component's ``run_vectorized``
        when the scenario allows it (see the module docstring), ``False`` forces the kernel
        (time variables recorded), ``True`` requires the vectorised path.
    designs : a pandas DataFrame, one row per sample, columns named by parameter path
        (``components.software.r``): run exactly these parameter sets instead of sampling the
        ``uncertainty:`` section (``samples`` and ``sampler`` then do not apply).
    plugins : modules (or ``.py`` files) defining your own components, imported here and in
        every worker (see :mod:`rsi_sim.plugins`).

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
    load_plugins(plugins)
    plan = plan_ensemble(scenario, samples, seed=seed, sampler=sampler, batch_size=batch_size,
                         overrides=overrides, vectorized=vectorized, designs=designs)
    evaluator = make_evaluator(engine, workers, scheduler)
    design = plan.given or Design(plan.uncertainty, plan.samples, plan.seed, plan.sampler)
    out_path = Path(output) if output is not None else None
    if out_path is not None and out_path.suffix == ".zarr":
        store: MemoryStore | ZarrStore = ZarrStore(out_path, plan.layout, resume=resume)
        try:
            execute(plan, store, evaluator, design.values, progress)
        except BaseException:
            # Nothing finished (workers that could not start, an error before the first batch):
            # a fresh store would only block the next run, so it goes. A store with finished
            # samples stays, to be resumed.
            if not resume and not store.written:
                remove_store(out_path)
            raise
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
