"""Several models, one per actor, advanced in lockstep: the kernel of a scenario with ``actors:``.

Each actor is an ordinary :class:`~rsi_sim.core.model.Model` with its own components, SimPy
environment and integrator, so an actor that nothing touches runs exactly as it would alone
(pausing a SimPy run and resuming it processes the same events in the same order). The actors
meet at fixed times, every ``sync_step`` years: there the race calls its ``on_sync`` hooks
(interactions between actors, the lead of one over another), which read each model's
:meth:`~rsi_sim.core.model.Model.state` and change a model only inside its ``change()``.
Interactions therefore act at the meeting times, a documented discretisation (docs/actors.md).

No science here: what happens at a meeting is up to the hooks.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from .component import Component
from .errors import SimulationError
from .model import Model


class Interaction(Component):
    """A mechanism between actors (algorithmic diffusion, weight theft): declared parameters
    (:class:`~rsi_sim.core.Param`, validated, documented and described like a component's),
    acting at the race's meetings rather than inside one actor's model.

    Subclasses override :meth:`connect` (check the actors, start random streams),
    :meth:`sync` (act at a meeting, changing a model only inside its ``change()``) and
    :meth:`finish` (add results to the combined Dataset).
    """

    def connect(self, race: Race, rng: np.random.Generator) -> None:
        self.race, self.rng = race, rng

    def sync(self, race: Race, t: float) -> None:
        pass

    def finish(self, race: Race, ds: xr.Dataset) -> xr.Dataset:
        return ds


SyncHook = Callable[["Race", float], None]
FinishHook = Callable[["Race", xr.Dataset], xr.Dataset]


class Race:
    """Models by actor name, run together; results gain an ``actor`` dimension.

    Parameters
    ----------
    models : one built or unbuilt model per actor, all with the same start, horizon and
        output step.
    sync_step : years between meetings (used only if there are ``on_sync`` hooks).
    on_sync : called as ``hook(race, t)`` at ``t = 0`` and every ``sync_step`` years.
    on_finish : called as ``hook(race, ds)`` on the combined results; returns the Dataset.

    Examples
    --------
    >>> from rsi_sim.components.jones import JonesResearch
    >>> race = Race({a: Model([JonesResearch(delta=0.5, lam=0.5, phi=0.5, A0=1.0)], horizon=2.0)
    ...              for a in ("x", "y")})
    >>> ds = race.run()
    >>> [str(a) for a in ds["actor"].values], round(float(ds["A"].sel(actor="y", time=2028.0)), 4)
    (['x', 'y'], 2.7183)
    """

    def __init__(self, models: dict[str, Model], *, sync_step: float = 1 / 52,
                 on_sync: list[SyncHook] | None = None, on_finish: list[FinishHook] | None = None,
                 attrs: dict[str, Any] | None = None):
        if not models:
            raise SimulationError("a race needs at least one actor")
        self.models = dict(models)
        grids = {(m.start_year, m.horizon, m.output_step) for m in self.models.values()}
        if len(grids) != 1:
            raise SimulationError("the actors of a race must share start, horizon and output step")
        if not 0 < sync_step < math.inf:
            raise SimulationError(f"the race's sync step must be a positive duration, got {sync_step!r}")
        self.sync_step = float(sync_step)
        self.on_sync = list(on_sync or [])
        self.on_finish = list(on_finish or [])
        self.attrs = dict(attrs or {})
        first = next(iter(self.models.values()))
        self.start_year, self.horizon = first.start_year, first.horizon

    @property
    def actors(self) -> list[str]:
        return list(self.models)

    def bounds(self) -> dict[str, tuple[float, float]]:
        """The declared range of each variable and stock, over every actor's model (the same
        components declare the same ranges)."""
        out: dict[str, tuple[float, float]] = {}
        for m in self.models.values():
            out.update(m.bounds())
        return out

    def __getitem__(self, actor: str) -> Model:
        return self.models[actor]

    def run(self) -> xr.Dataset:
        """Run every actor to the horizon (each may stop earlier) and combine the results."""
        for m in self.models.values():
            m.begin()
        if self.on_sync:
            self._sync(0.0)
            n = int(math.ceil(self.horizon / self.sync_step - 1e-9))
            for k in range(1, n + 1):
                t = min(k * self.sync_step, self.horizon)
                for m in self.models.values():
                    m.advance(t)
                if all(m.finished for m in self.models.values()):
                    break
                self._sync(t)
        for m in self.models.values():
            m.advance(self.horizon)
        ds = combine_actors({a: m.results() for a, m in self.models.items()})
        for hook in self.on_finish:
            ds = hook(self, ds)
        ds.attrs.update(self.attrs)
        return ds

    def release(self) -> None:
        """Drop the finished actors' arrays now (:meth:`Model.release` for each)."""
        for m in self.models.values():
            m.release()

    def _sync(self, t: float) -> None:
        for hook in self.on_sync:
            hook(self, t)


def combine_actors(runs: dict[str, xr.Dataset]) -> xr.Dataset:
    """One Dataset from per-actor results, along a new leading ``actor`` dimension.

    Dimensions without coordinates (``event``, ``gen``) are numbered so runs of different
    lengths pad (NaN, or empty text); variables only some actors have are NaN for the others.
    ``attrs`` are the first actor's, with ``actor`` and ``stop_reason`` made per-actor
    variables.
    """
    names = list(runs)
    prepared = []
    for ds in runs.values():
        ds = ds.assign_coords({d: (d, np.arange(ds.sizes[d])) for d in ds.dims if d not in ds.coords})
        reason = ds.attrs.get("stop_reason", "")
        ds = ds.assign(stop_reason=xr.Variable((), reason, {"long_name": "why the actor's run ended"}))
        ds.attrs = {}
        prepared.append(ds)
    first = runs[names[0]]
    out = xr.concat(prepared, dim=pd.Index(names, name="actor"), join="outer", data_vars="all",
                    coords="different", compat="equals", combine_attrs="override",
                    fill_value=xr.core.dtypes.NA)
    for name in list(out.variables):
        var = out[name]
        if var.dtype == object:
            out[name] = var.fillna("").astype(str)
    # Numbered dims keep no coordinate (as in a one-actor run).
    out = out.drop_vars([d for d in ("event", "gen") if d in out.coords and d not in first.coords])
    out.attrs = {k: v for k, v in first.attrs.items() if k not in ("stop_reason", "actor")}
    return out
