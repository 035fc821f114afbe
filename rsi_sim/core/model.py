"""``Model``: a simulation, as a thin façade over the kernel's parts.

A model owns one SimPy environment, one random generator and its components, and these parts,
each in its own file:

- :mod:`rsi_sim.core.state`: what the components declare (stocks, variables, flags) and the
  :class:`~rsi_sim.core.state.State` they read;
- :mod:`rsi_sim.core.kernel`: the integrator process that advances the stocks between discrete
  events, and ``change()``'s synchronisation and restart;
- :mod:`rsi_sim.core.watches`: conditions on the state fired at interpolated times;
- :mod:`rsi_sim.core.recorder`: the output grid and the series on it;
- :mod:`rsi_sim.core.results`: the results Dataset.

Components talk to the model only through the methods here; the parts talk to each other
through the arguments the model gives them (docs/architecture.md).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

import numpy as np
import simpy
import xarray as xr

from .conditions import Criterion
from .errors import SimulationError
from .kernel import Kernel, SolverOptions, check_step_budget
from .recorder import Recorder, check_output_grid
from .results import build_results
from .state import Declarations, LoggedEvent, State
from .watches import Watches


class Part(Protocol):
    """What a model asks of each of its components, in the order of their life cycle.

    :class:`rsi_sim.core.component.Component` provides it (with parameter declarations and
    defaults for every hook); the kernel names only this protocol, so that ``component.py`` can
    name :class:`Model` in its annotations without an import circle.
    """

    name: str
    needs: tuple[str, ...]
    #: Whether ``rates`` gives any rate (the integrator asks only these parts).
    has_rates: bool

    def build(self, model: Model) -> None: ...

    def start(self) -> None: ...

    def rates(self, state: State) -> dict[str, Any]: ...

    def outputs(self) -> dict[str, tuple]: ...

    def finish(self, ds: xr.Dataset) -> xr.Dataset: ...


class Model:
    """A simulation: components wired together, run once, giving an ``xarray.Dataset``.

    Parameters
    ----------
    components : the parts; each is looked up by its ``name``.
    start_year : decimal year of ``t = 0``.
    horizon : years to simulate.
    seed : seed or ``numpy.random.SeedSequence`` of the model's one random generator.
    output_step : spacing of the output grid, in years.
    solver : integrator settings.
    stop_when : a condition that ends the run early (e.g. ASI reached).

    Examples
    --------
    >>> from rsi_sim.components.jones import JonesResearch
    >>> ds = Model([JonesResearch(delta=0.5, lam=0.5, phi=0.5, A0=1.0)], horizon=2.0).run()
    >>> round(float(ds["A"].sel(time=2028.0)), 4)  # closed form: e**(0.5*2)
    2.7183
    """

    def __init__(self, components: Iterable[Part], *, start_year: float = 2026.0,
                 horizon: float = 20.0, seed: int | np.random.SeedSequence | None = 0,
                 output_step: float = 1 / 12, solver: SolverOptions | None = None,
                 stop_when: Criterion | None = None, attrs: dict[str, Any] | None = None):
        if not 0 < horizon < math.inf:
            raise SimulationError(f"the horizon must be a positive duration, got {horizon!r} years")
        check_output_grid(horizon, output_step)
        check_step_budget(horizon, solver or SolverOptions())
        self.env = simpy.Environment()
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.start_year = float(start_year)
        self.horizon = float(horizon)
        self.output_step = float(output_step)
        self.solver_options = solver or SolverOptions()
        self.stop_when = stop_when
        self.attrs = dict(attrs or {})
        self.components: dict[str, Part] = {}
        for comp in components:
            if comp.name in self.components:
                raise SimulationError(f"two components are named {comp.name!r}")
            self.components[comp.name] = comp
        #: The parts (see the module's docstring).
        self.declared = Declarations()
        self.watches = Watches(self.env, self.declared)
        self.recorder = Recorder(self.declared, self.horizon, self.output_step)
        self.kernel = Kernel(self.env, self.declared, start_year=self.start_year,
                             horizon=self.horizon, solver=self.solver_options,
                             watches=self.watches, recorder=self.recorder)
        self.stocks = self.declared.stocks
        self.variables = self.declared.variables
        self.flags = self.declared.flags
        self.events: list[LoggedEvent] = []
        #: Incremented after every :meth:`change`: components may cache values derived from
        #: discrete state (constant between changes) under this key.
        self.version = 0
        self.diverged = False
        self.divergence_time = math.nan
        self.stop_reason = ""
        self._built = False

    # ---- wiring -------------------------------------------------------------------------
    def __getitem__(self, name: str) -> Part:
        try:
            return self.components[name]
        except KeyError:
            raise SimulationError(
                f"no component named {name!r} in this model (it has: {', '.join(self.components)})"
            ) from None

    def __contains__(self, name: str) -> bool:
        return name in self.components

    def add_stock(self, name: str, initial: float, *, unit: str, long_name: str,
                  log: bool = True, owner: str = "") -> None:
        """Declare a continuous stock. ``log=True`` (positive stocks): integrated as ln X, and the
        owner's ``rates`` gives its growth rate."""
        self.declared.add_stock(name, initial, unit=unit, long_name=long_name, log=log, owner=owner)

    def add_variable(self, name: str, fn: Callable[[State], Any], *, unit: str, long_name: str,
                     owner: str = "", record: bool = True,
                     bounds: tuple[float, float] = (-math.inf, math.inf)) -> None:
        """Declare a variable computed from the state (recorded on the output grid).
        ``bounds``: the range it can take, used to reject conditions that can never hold."""
        self.declared.add_variable(name, fn, unit=unit, long_name=long_name, owner=owner,
                                   record=record, bounds=bounds)

    def set_initial(self, name: str, value: float) -> None:
        """Set a stock's initial value from a component's ``start()`` (when it depends on other
        components' state at the start, e.g. a stock on a balanced growth path)."""
        stock = self.declared.stock_by_name[name]
        if self.kernel.process is not None or self.env.now != 0:
            raise SimulationError(f"the initial value of {name!r} can only be set before the run starts")
        if stock.log and not value > 0:
            raise SimulationError(f"stock {name!r} is positive by declaration but starts at {value!r}")
        y0 = math.log(value) if stock.log else float(value)
        self.declared.initial[stock.index] = y0
        if self._built:
            self.kernel.y[stock.index] = y0

    def set_stock(self, name: str, value: float) -> None:
        """Set a stock to ``value`` now: a discrete jump of continuous state (algorithms copied
        from another developer). Only inside :meth:`change`, which brings the state to now
        first and restarts the integrator from the new value after."""
        stock = self.declared.stock_by_name[name]
        kernel = self.kernel
        if not self._built or kernel.t != self.env.now:
            raise SimulationError(f"{name!r} can only be set inside model.change()")
        if stock.log and not value > 0:
            raise SimulationError(f"stock {name!r} is positive by declaration, set to {value!r}")
        y = kernel.y.copy()  # the step's arrays may share memory with the current state
        y[stock.index] = math.log(value) if stock.log else float(value)
        kernel.y = y

    def set_flag(self, name: str, value: bool = True) -> None:
        """A boolean fact usable in conditions (e.g. a milestone reached)."""
        self.flags[name] = bool(value)

    def names(self) -> set[str]:
        """Every name a condition may refer to."""
        return self.declared.names()

    def bounds(self) -> dict[str, tuple[float, float]]:
        """The declared range of each variable and stock (positive stocks: ``(0, inf)``)."""
        return self.declared.bounds()

    @property
    def built(self) -> bool:
        """True once every component has built: the state exists from then on."""
        return self._built

    def build(self) -> None:
        if self._built:
            return
        for comp in self.components.values():
            for need in comp.needs:
                if need not in self.components:
                    raise SimulationError(
                        f"component {comp.name!r} needs {need!r}, which this model does not have"
                    )
        for comp in self.components.values():
            comp.build(self)
        self.declared.freeze()
        self.kernel.build([c for c in self.components.values() if c.has_rates])
        self._built = True

    # ---- events, watches and changes ------------------------------------------------------
    @property
    def now(self) -> float:
        """Model time, years since start."""
        return self.env.now

    def year(self, t: float | None = None) -> float:
        """Decimal year of model time ``t`` (default: now)."""
        return self.start_year + (self.env.now if t is None else t)

    def log(self, kind: str, source: str, **attrs: Any) -> None:
        """Log a discrete event at the current time."""
        self.events.append(LoggedEvent(self.env.now, kind, source, attrs))

    def state(self) -> State:
        """The state now (interpolated within the current integrator step)."""
        return State(self.declared, self.env.now, self.kernel.y_at(self.env.now))

    def watch(self, condition: Criterion | Callable[[State], Any], label: str = "") -> simpy.Event:
        """An event that fires when ``condition`` becomes true (at the interpolated time).

        If it is already true, it fires now.
        """
        return self.watches.add(condition, label, self.state if self._built else None)

    @contextlib.contextmanager
    def change(self) -> Iterator[None]:
        """Wrap every change of discrete state that affects rates or variables.

        >>> # with model.change(): self.level = new_level
        """
        self.kernel.sync()
        self.recorder.flush()
        yield
        self.version += 1
        self.kernel.restart()
        self.watches.check_now(self.state)

    def stop(self, reason: str) -> None:
        """End the run now."""
        if self._stop_event.triggered:
            return
        kernel = self.kernel
        kernel.sync()
        self.recorder.record_until(self.env.now, True, kernel.step, kernel.y)
        self.recorder.flush()
        self.stop_reason = reason
        self._stop_event.succeed()

    def diverge(self, reason: str, remaining: float = 0.0) -> None:
        """Flag divergence now and end the run; ``remaining`` extrapolates to the singularity
        (:meth:`rsi_sim.core.kernel.Kernel.remaining_time`). The kernel calls it when a stock
        blows up; a component whose closed form blows up (a superexponential trend) calls it
        at the singularity."""
        if self._stop_event.triggered:
            return
        self.diverged = True
        self.divergence_time = self.env.now + remaining
        self.log("diverged", "kernel", reason=reason, stopped_at=self.year(),
                 extrapolated_years=remaining)
        self.stop("diverged")

    # ---- recording ----------------------------------------------------------------------------
    @property
    def output_times(self) -> np.ndarray:
        """Model times (years since start) of the output grid: fixed by the horizon and the
        output step, so known before the run and shared by every run with the same two."""
        return self.recorder.grid

    def recorded_series(self, name: str) -> np.ndarray:
        """The values of a recorded stock or variable on the output grid (NaN where not yet
        reached); for components' ``outputs()``."""
        return self.recorder.series[name]

    def recorded(self) -> list[tuple[str, str, str]]:
        """(name, unit, long_name) of everything recorded on the output grid."""
        return self.declared.recorded()

    # ---- running ------------------------------------------------------------------------------
    def run(self) -> xr.Dataset:
        """Run to the horizon (or an earlier stop) and return the results."""
        self.begin()
        # Formulas follow numpy's semantics past float range (inf, NaN): no warnings for them.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            self.env.run(until=self._stop_event)
        return self.results()

    def begin(self) -> None:
        """Build, start the components' processes, the integrator and the horizon; the run then
        proceeds with :meth:`advance` (or all at once in :meth:`run`)."""
        self.build()
        env = self.env
        self._stop_event = env.event()
        self._stop_hooked = False
        self.kernel.reset()
        self.recorder.start()
        for comp in self.components.values():
            comp.start()
        if self.stop_when is not None:
            ev = self.watch(self.stop_when)
            ev.callbacks.append(lambda _e: self.stop(f"stop condition: {self.stop_when.text}"))
        horizon = env.timeout(self.horizon)
        horizon.callbacks.append(lambda _e: self.stop("horizon"))
        self.kernel.start(self.diverge)

    @property
    def finished(self) -> bool:
        """True once the run has stopped (horizon, stop condition or divergence)."""
        return self._stop_event.triggered

    def advance(self, until: float) -> None:
        """Run on to model time ``until`` (or an earlier stop), after :meth:`begin`.

        Several models advanced in turn to the same times (several actors, rsi_sim.race) meet
        at those times; pausing there changes nothing: SimPy processes the same events in the
        same order whether the run is one call or many.
        """
        if self.finished or until <= self.env.now:
            return
        if not self._stop_hooked:  # a stop ends the env.run below, as it ends run()'s
            self._stop_event.callbacks.append(simpy.core.StopSimulation.callback)
            self._stop_hooked = True
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            self.env.run(until=min(until, self.horizon))
            if not self.finished and self.env.now >= self.horizon:
                # the horizon's own timeout is due at this instant: let it stop the run
                self.env.run(until=self._stop_event)

    def release(self) -> None:
        """Drop a finished run's arrays now, before the model itself is dropped.

        A run that stops (at the horizon, a stop condition or divergence) leaves its integrator
        process suspended, in reference cycles (process, environment, kernel) that only Python's
        cycle collector frees; an ensemble that drops one model per sample calls this so that
        finished runs do not pile up until it does. The model and its components cannot be used
        afterwards.
        """
        self.kernel.release()
        self.recorder.release()
        self.watches.pending.clear()
        for comp in self.components.values():
            comp.__dict__.clear()
        self.__dict__.clear()

    def results(self) -> xr.Dataset:
        """The run's results: the recorded series, divergence, the event log and the
        components' outputs (:func:`rsi_sim.core.results.build_results`)."""
        return build_results(
            start_year=self.start_year, grid=self.recorder.grid, series=self.recorder.series,
            recorded=self.recorded(), bounds=self.bounds(), diverged=self.diverged,
            divergence_time=self.divergence_time, events=self.events,
            components=self.components.values(), attrs=self.attrs, stop_reason=self.stop_reason)
