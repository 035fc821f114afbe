"""The kernel: one SimPy environment, one random generator, components, an adaptive integrator for
continuous stocks, threshold watches fired at interpolated times, and a recorder.

How continuous and discrete time meet
-------------------------------------
The integrator is one SimPy process. Each accepted step of an embedded Runge-Kutta pair
(:mod:`rsi_sim.core.stepper`) becomes one SimPy timeout, so other processes run between
steps. A process that changes discrete state (a generation is released, a policy pauses
training) does so inside ``with model.change():``, which first brings the continuous state to the
current time with the step's dense output, then restarts the integrator from there; the
right-hand side is therefore smooth within every step. Watches (conditions on state) are checked
at the end of each step and after each change; a crossing inside a step is located by
root-finding on the dense output and fired at that time.

Positive stocks are integrated as logarithms: exponential growth is then linear, so steps are
long when nothing accelerates, and a finite-time blow-up shows up as the step size collapsing
(reported as divergence) rather than as an overflow.
"""

from __future__ import annotations

import bisect
import contextlib
import json
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy
import xarray as xr
from scipy.optimize import brentq

from .component import Component
from .conditions import Condition, holds
from .errors import SimulationError
from .stepper import METHODS, make_stepper

#: A log-stock beyond e**690 (~1e300) counts as diverged: float64 overflows soon after.
LOG_LIMIT = 690.0
#: Most points on the output grid of one run: bounds the memory a run can ask for.
MAX_OUTPUT_POINTS = 1_000_000
#: Up to this many pending output points are evaluated one by one on floats, more as arrays.
SCALAR_FLUSH_POINTS = 3


@dataclass(frozen=True)
class SolverOptions:
    """Integrator settings. ``max_step`` in years; tolerances apply to log-stocks as relative
    errors of the stock itself."""

    method: str = "RK45"
    rtol: float = 1e-7
    atol: float = 1e-9
    max_step: float = 0.25
    max_steps: int = 200_000


def check_output_grid(horizon: float, output_step: float) -> None:
    """Refuse, before any work, an output grid that could not be afforded.

    Raises
    ------
    SimulationError
        if ``output_step`` is not a positive finite number of years or the grid over ``horizon``
        would have more than :data:`MAX_OUTPUT_POINTS` points.
    """
    if not 0 < output_step < math.inf:
        raise SimulationError(f"the output step must be a positive duration, got {output_step!r} years")
    if horizon / output_step + 1 > MAX_OUTPUT_POINTS:
        raise SimulationError(
            f"an output step of {output_step:.3g} years over {horizon:.4g} years gives "
            f"{horizon / output_step:.3g} output points; at most {MAX_OUTPUT_POINTS:,} are allowed "
            "(use a longer output step or a shorter horizon)")


def check_step_budget(horizon: float, solver: SolverOptions) -> None:
    """Refuse, before any work, a run that cannot reach ``horizon`` within its step budget.

    Raises
    ------
    SimulationError
        if ``solver.max_step`` is not a positive finite number of years, or more than
        ``solver.max_steps`` steps of at most ``solver.max_step`` are needed to reach ``horizon``.
    """
    if not 0 < solver.max_step < math.inf:
        raise SimulationError(f"the longest integrator step must be a positive duration, got "
                              f"{solver.max_step!r} years")
    if horizon / solver.max_step > solver.max_steps:
        raise SimulationError(
            f"with steps of at most {solver.max_step:.3g} years the integrator needs at least "
            f"{horizon / solver.max_step:.3g} steps to reach the horizon, more than its budget of "
            f"{solver.max_steps:,} (raise solver.max_step or solver.max_steps)")


@dataclass
class Stock:
    name: str
    index: int
    log: bool
    unit: str
    long_name: str
    owner: str


@dataclass
class Variable:
    name: str
    fn: Callable[[State], Any]
    unit: str
    long_name: str
    owner: str
    record: bool = True
    bounds: tuple[float, float] = (-math.inf, math.inf)


@dataclass
class Watch:
    condition: Condition | None
    margin: Callable[[State], Any]
    event: simpy.Event
    label: str


class _Step:
    """The stepper's last accepted step (valid until it steps again)."""

    __slots__ = ("ta", "tb", "yb", "dense")

    def __init__(self, stepper):
        self.ta, self.tb, self.yb = stepper.t_old, stepper.t, np.array(stepper.y)
        self.dense = stepper.dense


class _ClockStep:
    """A step of a model without stocks: only time advances."""

    __slots__ = ("ta", "tb", "yb")

    def __init__(self, ta: float, tb: float):
        self.ta, self.tb, self.yb = ta, tb, np.empty(0)

    @staticmethod
    def dense(t):
        return np.empty((0, *np.shape(t)))


@dataclass
class Event:
    """One logged discrete event."""

    t: float
    kind: str
    source: str
    attrs: dict[str, Any] = field(default_factory=dict)


_MISSING = object()


class State:
    """The model state at time ``t``: stocks by name, and variables computed on demand (cached).

    ``t`` and the stock values may be scalars (inside the integrator) or arrays (the recorder
    evaluates a whole stretch of the output grid at once), so variable functions are written with
    numpy operations that broadcast.
    """

    __slots__ = ("t", "_values", "_model")

    def __init__(self, model: Model, t: Any, y: np.ndarray):
        self.t = t
        self._model = model
        if isinstance(y, list) or y.ndim == 1:
            # Scalars as Python floats: component formulas run several times faster on them.
            x = list(y) if isinstance(y, list) else y.tolist()
            for i in model._log_index:
                x[i] = math.exp(x[i]) if x[i] < 709.0 else math.inf
        else:
            x = y.copy()
            mask = model._log_mask
            with np.errstate(over="ignore"):
                x[mask] = np.exp(y[mask])
        values = dict(zip(model._stock_names, x, strict=True))
        values["t"] = t
        self._values = values

    def __getitem__(self, name: str) -> Any:
        value = self._values.get(name, _MISSING)
        if value is not _MISSING:
            return value
        var = self._model.variables.get(name)
        if var is None:
            flag = self._model.flags.get(name)
            if flag is not None:
                return flag
            raise KeyError(name)
        try:
            value = var.fn(self)
        except OverflowError:
            # Python floats raise where numpy gives inf; inf is what the integrator and the
            # divergence checks expect of a quantity past float range.
            value = math.inf
        self._values[name] = value
        return value

    def __contains__(self, name: str) -> bool:
        m = self._model
        return name in self._values or name in m.variables or name in m.flags


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

    def __init__(self, components: Iterable[Component], *, start_year: float = 2026.0,
                 horizon: float = 20.0, seed: int | np.random.SeedSequence | None = 0,
                 output_step: float = 1 / 12, solver: SolverOptions | None = None,
                 stop_when: Condition | None = None, attrs: dict[str, Any] | None = None):
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
        self.components: dict[str, Component] = {}
        for comp in components:
            if comp.name in self.components:
                raise SimulationError(f"two components are named {comp.name!r}")
            self.components[comp.name] = comp
        self.stocks: list[Stock] = []
        self._stock_by_name: dict[str, Stock] = {}
        self._initial: list[float] = []
        self.variables: dict[str, Variable] = {}
        self.flags: dict[str, bool] = {}
        self.events: list[Event] = []
        self._watches: list[Watch] = []
        #: Incremented after every :meth:`change`: components may cache values derived from
        #: discrete state (constant between changes) under this key.
        self.version = 0
        self.diverged = False
        self.divergence_time = math.nan
        self.stop_reason = ""
        self._built = False

    # ---- wiring -------------------------------------------------------------------------
    def __getitem__(self, name: str) -> Component:
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
        self._check_new_name(name)
        if log and not initial > 0:
            raise SimulationError(f"stock {name!r} is positive by declaration but starts at {initial!r}")
        stock = Stock(name, len(self.stocks), log, unit, long_name, owner)
        self.stocks.append(stock)
        self._stock_by_name[name] = stock
        self._initial.append(math.log(initial) if log else float(initial))

    def add_variable(self, name: str, fn: Callable[[State], Any], *, unit: str, long_name: str,
                     owner: str = "", record: bool = True,
                     bounds: tuple[float, float] = (-math.inf, math.inf)) -> None:
        """Declare a variable computed from the state (recorded on the output grid).
        ``bounds``: the range it can take, used to reject conditions that can never hold."""
        self._check_new_name(name)
        self.variables[name] = Variable(name, fn, unit, long_name, owner, record, tuple(bounds))

    def set_initial(self, name: str, value: float) -> None:
        """Set a stock's initial value from a component's ``start()`` (when it depends on other
        components' state at the start, e.g. a stock on a balanced growth path)."""
        stock = self._stock_by_name[name]
        if getattr(self, "_integrator", None) is not None or self.env.now != 0:
            raise SimulationError(f"the initial value of {name!r} can only be set before the run starts")
        if stock.log and not value > 0:
            raise SimulationError(f"stock {name!r} is positive by declaration but starts at {value!r}")
        y0 = math.log(value) if stock.log else float(value)
        self._initial[stock.index] = y0
        if self._built:
            self._y[stock.index] = y0

    def set_stock(self, name: str, value: float) -> None:
        """Set a stock to ``value`` now: a discrete jump of continuous state (algorithms copied
        from another developer). Only inside :meth:`change`, which brings the state to now
        first and restarts the integrator from the new value after."""
        stock = self._stock_by_name[name]
        if not self._built or self._t != self.env.now:
            raise SimulationError(f"{name!r} can only be set inside model.change()")
        if stock.log and not value > 0:
            raise SimulationError(f"stock {name!r} is positive by declaration, set to {value!r}")
        y = self._y.copy()  # the step's arrays may share memory with the current state
        y[stock.index] = math.log(value) if stock.log else float(value)
        self._y = y

    def set_flag(self, name: str, value: bool = True) -> None:
        """A boolean fact usable in conditions (e.g. a milestone reached)."""
        self.flags[name] = bool(value)

    def _check_new_name(self, name: str) -> None:
        if name in self._stock_by_name or name in self.variables or name in ("t", "date"):
            raise SimulationError(f"the name {name!r} is declared twice")

    def names(self) -> set[str]:
        """Every name a condition may refer to."""
        return set(self._stock_by_name) | set(self.variables) | set(self.flags)

    def bounds(self) -> dict[str, tuple[float, float]]:
        """The declared range of each variable and stock (positive stocks: ``(0, inf)``)."""
        out = {s.name: (0.0, math.inf) for s in self.stocks if s.log}
        out.update({v.name: v.bounds for v in self.variables.values()})
        return out

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
        self._y = np.array(self._initial, dtype=float)
        self._t = 0.0
        self._log_mask = np.array([s.log for s in self.stocks], dtype=bool)
        self._stock_names = [s.name for s in self.stocks]
        self._log_index = [s.index for s in self.stocks if s.log]
        self._stock_index = {s.name: s.index for s in self.stocks}
        self._rate_components = [c for c in self.components.values()
                                 if type(c).rates is not Component.rates]
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
        self.events.append(Event(self.env.now, kind, source, attrs))

    def state(self) -> State:
        """The state now (interpolated within the current integrator step)."""
        return State(self, self.env.now, self._y_at(self.env.now))

    def watch(self, condition: Condition | Callable[[State], Any], label: str = "") -> simpy.Event:
        """An event that fires when ``condition`` becomes true (at the interpolated time).

        If it is already true, it fires now.
        """
        if isinstance(condition, Condition):
            unknown = (condition.variables | condition.flags) - self.names()
            if unknown:
                raise SimulationError(
                    f"condition {condition.text!r} refers to unknown name(s) {sorted(unknown)}; "
                    f"known: {', '.join(sorted(self.names()))}"
                )
            margin, label = condition.margin, label or condition.text
        else:
            margin = condition
        w = Watch(condition if isinstance(condition, Condition) else None, margin,
                  self.env.event(), label)
        if self._built and holds(margin(self.state())):
            w.event.succeed(self.env.now)
        else:
            self._watches.append(w)
        return w.event

    @contextlib.contextmanager
    def change(self) -> Iterator[None]:
        """Wrap every change of discrete state that affects rates or variables.

        >>> # with model.change(): self.level = new_level
        """
        self._sync()
        self._flush()
        yield
        self.version += 1
        self._restart_integrator()
        self._check_watches_now()

    def stop(self, reason: str) -> None:
        """End the run now."""
        if self._stop_event.triggered:
            return
        self._sync()
        self._record_until(self.env.now, inclusive=True)
        self._flush()
        self.stop_reason = reason
        self._stop_event.succeed()

    # ---- continuous state ------------------------------------------------------------------
    def _rhs(self, t: float, y: list) -> list:
        state = State(self, t, y)
        dy = [0.0] * len(y)
        idx = self._stock_index
        for comp in self._rate_components:
            try:
                rates = comp.rates(state)
            except OverflowError:  # as in State: past float range is inf, and then divergence
                rates = {s.name: math.inf for s in self.stocks if s.owner == comp.name}
            for name, rate in rates.items():
                dy[idx[name]] = float(rate)
        return dy

    def _y_at(self, t: float) -> np.ndarray:
        if t == self._t or not len(self._y):  # a model with no stocks has nothing to interpolate
            return self._y
        step = self._step
        if step is not None and step.ta <= t <= step.tb:
            return step.dense(t)
        raise SimulationError(f"internal: state requested at t={t} outside the current step")

    def _sync(self) -> None:
        now = self.env.now
        if now == self._t:
            return
        y = self._y_at(now)
        self._record_until(now, inclusive=False)
        self._y, self._t = y, now

    def _restart_integrator(self) -> None:
        proc = self._integrator
        if proc is None or not proc.is_alive or self._interrupt_pending:
            return
        if self.env.active_process is proc:
            self._restart_requested = True
        else:
            self._interrupt_pending = True
            proc.interrupt("state changed")

    def _check_watches_now(self) -> None:
        if not self._watches:
            return
        state = self.state()
        fired = [w for w in self._watches if holds(w.margin(state))]
        self._fire(fired)

    def _fire(self, fired: list[Watch]) -> None:
        for w in fired:
            self._watches.remove(w)
            if not w.event.triggered:
                w.event.succeed(self.env.now)

    def _first_crossing(self, step: _Step) -> tuple[float, list[Watch], bool] | None:
        """The earliest time in the step where a watch becomes true or a log-stock passes the
        divergence ceiling: (time, watches to fire, diverges)."""
        ta, tb = step.ta, step.tb
        candidates: list[tuple[float, Watch | None]] = []
        mask = self._log_mask
        if any(step.yb[i] > LOG_LIMIT for i in self._log_index):
            def ceiling(t: float) -> float:
                return float(step.dense(t)[mask].max() - LOG_LIMIT)
            candidates.append((self._root(ceiling, ta, tb), None))
        if self._watches:
            end = State(self, tb, step.yb)
            for w in self._watches:
                if holds(w.margin(end)):
                    def margin(t: float, w: Watch = w) -> float:
                        m = w.margin(State(self, t, step.dense(t)))
                        return m if type(m) is float else float(np.min(m))
                    candidates.append((self._root(margin, ta, tb), w))
        if not candidates:
            return None
        tc = min(t for t, _ in candidates)
        # Nudge to the side where the condition holds, so it is true when it fires.
        tol = 1e-12 * max(1.0, abs(tc))
        near = [w for t, w in candidates if t <= tc + tol]
        return min(tb, tc + tol), [w for w in near if w is not None], any(w is None for w in near)

    def _check_floor(self, step: _Step) -> None:
        """A positive stock that shrinks below 1e-300 would be stored as 0 (float64 underflows
        soon after): stop with the stock's name rather than record a positive quantity as 0."""
        for s in self.stocks:
            if s.log and step.yb[s.index] < -LOG_LIMIT:
                raise SimulationError(
                    f"{s.name} ({s.owner}) fell below 1e-300 by year {self.year(step.tb):.4f}: a positive "
                    f"quantity shrinking that far leaves floating-point range; check the growth "
                    f"rates that drive it")

    @staticmethod
    def _root(f: Callable[[float], float], ta: float, tb: float) -> float:
        if f(ta) >= 0:
            return ta
        return brentq(f, ta, tb, xtol=1e-12, rtol=1e-12)

    def _new_stepper(self):
        opts = self.solver_options
        if opts.method not in METHODS:
            raise SimulationError(f"unknown integrator method {opts.method!r}; use one of {list(METHODS)}")
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return make_stepper(opts.method, self._rhs, self._t, self._y.tolist(), self.horizon,
                                rtol=opts.rtol, atol=opts.atol, max_step=opts.max_step)

    def _integrate(self):
        env = self.env
        steps = 0
        if not len(self._y):
            yield from self._advance_clock()
            return
        stepper = None
        while True:
            self._step = None
            if self._t >= self.horizon:
                yield env.timeout(self.horizon - env.now)
                return
            if stepper is None:
                stepper = self._stepper = self._new_stepper()
            else:  # after a discrete change: same step size, rates evaluated anew
                stepper.restart(self._t, self._y.tolist())
            try:
                while True:
                    ta = stepper.t
                    ok = stepper.step()
                    steps += 1
                    if steps > self.solver_options.max_steps:
                        raise SimulationError(
                            f"the integrator took more than {self.solver_options.max_steps} steps "
                            f"(at year {self.year(ta):.4f}); raise solver.max_steps or loosen rtol"
                        )
                    if not ok or not all(map(math.isfinite, stepper.y)):
                        self.diverge("growth diverged (the step size fell below floating-point resolution)",
                                     self._remaining_time(self._t, self._y))
                        return
                    step = self._step = _Step(stepper)
                    self._check_floor(step)
                    hit = self._first_crossing(step)
                    t_next = hit[0] if hit else step.tb
                    yield env.timeout(max(0.0, t_next - env.now))
                    y_next = step.yb if t_next == step.tb else step.dense(t_next)
                    self._record_until(t_next, inclusive=False)
                    self._y, self._t = y_next, t_next
                    if hit:
                        if hit[2]:
                            self.diverge("a stock passed 1e300", self._remaining_time(t_next, y_next))
                            return
                        self._fire(hit[1])
                        break
                    if self._restart_requested:
                        self._restart_requested = False
                        break
                    if t_next >= self.horizon:
                        return
            except simpy.Interrupt:
                self._interrupt_pending = False

    def _advance_clock(self):
        """A model without stocks still steps its clock (at most ``max_step`` at a time), so a
        watch on a variable that depends on time alone (a closed form in ``t``) is located by
        root-finding between steps, as with stocks."""
        env = self.env
        while self._t < self.horizon:
            try:
                ta = self._t
                step = self._step = _ClockStep(ta, min(ta + self.solver_options.max_step, self.horizon))
                hit = self._first_crossing(step)
                t_next = hit[0] if hit else step.tb
                yield env.timeout(max(0.0, t_next - env.now))
                self._record_until(t_next, inclusive=False)
                self._t = t_next
                self._restart_requested = False
                if hit:
                    self._fire(hit[1])
            except simpy.Interrupt:  # a change: self._t is now (set by _sync)
                self._interrupt_pending = False
        self._step = None

    def diverge(self, reason: str, remaining: float = 0.0) -> None:
        """Flag divergence now and end the run; ``remaining`` extrapolates to the singularity
        (see below). The integrator calls it when a stock blows up; a component whose closed
        form blows up (a superexponential trend) calls it at the singularity."""
        if self._stop_event.triggered:
            return
        self.diverged = True
        self.divergence_time = self.env.now + remaining
        self.log("diverged", "kernel", reason=reason, stopped_at=self.year(),
                 extrapolated_years=remaining)
        self.stop("diverged")

    def _remaining_time(self, t: float, y: np.ndarray) -> float:
        """Time left to the singularity, from the state ``(t, y)`` close to it: with the local
        growth rate g = d ln X/dt of the largest log-stock and its trend, ``g / (dg/dt)``.

        A power-law blow-up ``dX/dt ∝ X**k`` has ``dg/dt = (k-1) g**2``, so the estimate is exact
        for it (REFERENCE A.1) from any state; without it, returns close to 1 give a ceiling
        crossing well before the singularity (at k = 1.01, a relative error of 1e-3 in t*), and
        for k > 2 the rates leave float range before the stock does. ``dg/dt`` is a forward
        difference over ``1e-7 / g`` along the rates. Zero if g is not growing.
        """
        mask = self._log_mask
        if not mask.any():
            return 0.0
        y = [float(v) for v in y]
        i = max(np.flatnonzero(mask).tolist(), key=lambda j: y[j])
        with np.errstate(all="ignore"):
            f = self._rhs(t, y)
            g1 = f[i]
            if not (math.isfinite(g1) and g1 > 0 and all(map(math.isfinite, f))):
                return 0.0
            h = 1e-7 / g1
            g2 = self._rhs(t + h, [a + h * b for a, b in zip(y, f, strict=False)])[i]
        slope = (g2 - g1) / h
        if not math.isfinite(slope) or slope <= 0:
            return 0.0
        return g1 / slope

    # ---- recording ----------------------------------------------------------------------------
    @property
    def output_times(self) -> np.ndarray:
        """Model times (years since start) of the output grid."""
        return self._grid

    def recorded_series(self, name: str) -> np.ndarray:
        """The values of a recorded stock or variable on the output grid (NaN where not yet
        reached); for components' ``outputs()``."""
        return self._series[name]

    def recorded(self) -> list[tuple[str, str, str]]:
        """(name, unit, long_name) of everything recorded on the output grid."""
        out = [(s.name, s.unit, s.long_name) for s in self.stocks]
        out += [(v.name, v.unit, v.long_name) for v in self.variables.values() if v.record]
        return out

    def _start_recorder(self) -> None:
        n = int(math.floor(self.horizon / self.output_step + 1e-9)) + 1
        self._grid = np.arange(n) * self.output_step
        if self._grid[-1] < self.horizon - 1e-9:
            self._grid = np.append(self._grid, self.horizon)
        self._grid_list = self._grid.tolist()
        self._next_grid = 0
        self._series = {name: np.full(len(self._grid), np.nan) for name, _, _ in self.recorded()}
        self._pending: list[tuple[int, Any]] = []  # (grid index, stocks there)

    def _record_until(self, t_end: float, inclusive: bool) -> None:
        """Take the stocks at the grid points up to ``t_end`` from the current step.

        Variables are evaluated later, in one pass per stretch of constant discrete state
        (:meth:`_flush`), because that is where the recorder's time goes.
        """
        i0 = self._next_grid
        grid = self._grid_list
        if inclusive:
            i1 = bisect.bisect_right(grid, t_end + 1e-12, lo=i0)
        else:
            i1 = bisect.bisect_left(grid, t_end - 1e-12, lo=i0)
        if i1 <= i0:
            return
        step = self._step
        times = grid[i0:i1]
        if step is None or times[0] < step.ta - 1e-12:
            ys = [self._y] * len(times)
        elif len(times) == 1:
            ys = [step.dense(min(max(times[0], step.ta), step.tb))]
        else:  # one call for the stretch (scipy's dense output costs ~40 µs a call)
            ys = list(step.dense(np.clip(np.array(times), step.ta, step.tb)).T)
        self._pending.extend(zip(range(i0, i1), ys, strict=True))
        self._next_grid = i1

    def _flush(self) -> None:
        """Evaluate every recorded variable at the pending grid points (discrete state is the
        same for all of them: a flush precedes every change).

        A few points are evaluated one by one on Python floats (the formulas' fast paths); a
        longer stretch in one vectorised pass. Both give the same numbers to rounding.
        """
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        series = self._series
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            if len(pending) <= SCALAR_FLUSH_POINTS:
                try:
                    values = []
                    for i, y in pending:
                        state = State(self, self._grid_list[i], y)
                        values.append([state[name] for name in series])
                except ArithmeticError:  # e.g. a float x / 0 that numpy would make inf
                    pass
                else:
                    for (i, _), row in zip(pending, values, strict=False):
                        for arr, v in zip(series.values(), row, strict=False):
                            arr[i] = v
                    return
            i0, i1 = pending[0][0], pending[-1][0] + 1
            state = State(self, self._grid[i0:i1], np.column_stack([p[1] for p in pending]))
            for name, arr in series.items():
                arr[i0:i1] = state[name]

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
        self._integrator = None
        self._interrupt_pending = False
        self._restart_requested = False
        self._step = None
        self._start_recorder()
        for comp in self.components.values():
            comp.start()
        if self.stop_when is not None:
            ev = self.watch(self.stop_when)
            ev.callbacks.append(lambda _e: self.stop(f"stop condition: {self.stop_when.text}"))
        horizon = env.timeout(self.horizon)
        horizon.callbacks.append(lambda _e: self.stop("horizon"))
        self._integrator = env.process(self._integrate())

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

    def results(self) -> xr.Dataset:
        time = self.start_year + self._grid
        ev = self.events
        bounds = self.bounds()
        data = {name: ("time", self._series[name], {"units": unit, "long_name": long_name,
                                                    **_valid_range(*bounds.get(name, (-math.inf, math.inf)))})
                for name, unit, long_name in self.recorded()}
        data.update({
            "diverged": ((), self.diverged, {"long_name": "growth diverged (finite-time blow-up)"}),
            "divergence_time": ((), self.divergence_time, {
                "units": "year", "long_name": "time of divergence, years since start (NaN if none)"}),
            "event_time": ("event", np.array([self.year(e.t) for e in ev], dtype=float),
                           {"units": "year", "long_name": "decimal year of the event"}),
            "event_kind": ("event", np.array([e.kind for e in ev], dtype=str), {"long_name": "what happened"}),
            "event_source": ("event", np.array([e.source for e in ev], dtype=str),
                             {"long_name": "component or policy that logged it"}),
            "event_detail": ("event", np.array([_EVENT_JSON.encode(e.attrs) for e in ev], dtype=str),
                             {"long_name": "event attributes (JSON)"}),
        })
        coords = {"time": ("time", time, {"units": "year", "long_name": "decimal year"})}
        for comp in self.components.values():
            for name, var in comp.outputs().items():
                if name in data or name in coords:
                    raise SimulationError(f"component {comp.name!r} outputs {name!r}, which exists already")
                (coords if (var[0] == (name,) or var[0] == name) else data)[name] = var
        # One constructor call: every later assignment would be an xarray merge.
        ds = xr.Dataset(data, coords=coords)
        for comp in self.components.values():
            ds = comp.finish(ds)
        ds.attrs.update(self.attrs)
        ds.attrs["stop_reason"] = self.stop_reason
        ds.attrs["start_year"] = self.start_year
        return ds


def _valid_range(lo: float, hi: float) -> dict[str, float]:
    """CF ``valid_min``/``valid_max`` attributes of a declared range (finite ends only)."""
    return {k: float(v) for k, v in (("valid_min", lo), ("valid_max", hi)) if math.isfinite(v)}


def _jsonable(x: Any) -> Any:
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    return str(x)


#: One encoder for every event's attributes (``json.dumps`` with options builds one per call).
_EVENT_JSON = json.JSONEncoder(sort_keys=True, default=_jsonable)
