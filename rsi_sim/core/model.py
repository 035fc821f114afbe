"""The kernel: one SimPy environment, one random generator, components, an adaptive integrator for
continuous stocks, threshold watches fired at interpolated times, and a recorder.

How continuous and discrete time meet
-------------------------------------
The integrator is one SimPy process. Each accepted step of an embedded Runge-Kutta pair
(scipy's ``RK45``/``DOP853`` steppers) becomes one SimPy timeout, so other processes run between
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

import contextlib
import json
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy
import xarray as xr
from scipy.integrate import DOP853, RK45
from scipy.optimize import brentq

from .component import Component
from .conditions import Condition
from .errors import SimulationError

#: A log-stock beyond e**690 (~1e300) counts as diverged: float64 overflows soon after.
LOG_LIMIT = 690.0
#: Most points on the output grid of one run: bounds the memory a run can ask for.
MAX_OUTPUT_POINTS = 1_000_000
_SOLVERS = {"RK45": RK45, "DOP853": DOP853}


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


@dataclass
class Watch:
    condition: Condition | None
    margin: Callable[[State], Any]
    event: simpy.Event
    label: str


@dataclass
class Event:
    """One logged discrete event."""

    t: float
    kind: str
    source: str
    attrs: dict[str, Any] = field(default_factory=dict)


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
        values: dict[str, Any] = {"t": t}
        with np.errstate(over="ignore"):  # past ln X = 709 X is inf: the divergence watch's job
            for stock in model.stocks:
                v = y[stock.index]
                values[stock.name] = np.exp(v) if stock.log else v
        self._values = values

    def __getitem__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            pass
        var = self._model.variables.get(name)
        if var is None:
            flag = self._model.flags.get(name)
            if flag is not None:
                return flag
            raise KeyError(name)
        value = var.fn(self)
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
                     owner: str = "", record: bool = True) -> None:
        """Declare a variable computed from the state (recorded on the output grid)."""
        self._check_new_name(name)
        self.variables[name] = Variable(name, fn, unit, long_name, owner, record)

    def set_flag(self, name: str, value: bool = True) -> None:
        """A boolean fact usable in conditions (e.g. a milestone reached)."""
        self.flags[name] = bool(value)

    def _check_new_name(self, name: str) -> None:
        if name in self._stock_by_name or name in self.variables or name in ("t", "date"):
            raise SimulationError(f"the name {name!r} is declared twice")

    def names(self) -> set[str]:
        """Every name a condition may refer to."""
        return set(self._stock_by_name) | set(self.variables) | set(self.flags)

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
        if self._built and np.all(margin(self.state()) >= 0):
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
        yield
        self._restart_integrator()
        self._check_watches_now()

    def stop(self, reason: str) -> None:
        """End the run now."""
        if self._stop_event.triggered:
            return
        self._sync()
        self._record_until(self.env.now, inclusive=True)
        self.stop_reason = reason
        self._stop_event.succeed()

    # ---- continuous state ------------------------------------------------------------------
    def _rhs(self, t: float, y: np.ndarray) -> np.ndarray:
        state = State(self, t, y)
        dy = np.zeros_like(y)
        idx = self._stock_by_name
        for comp in self._rate_components:
            for name, rate in comp.rates(state).items():
                dy[idx[name].index] = rate
        return dy

    def _y_at(self, t: float) -> np.ndarray:
        if t == self._t:
            return self._y
        if self._dense is not None and self._dense[0] <= t <= self._dense[1]:
            return self._dense[2](t)
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
        fired = [w for w in self._watches if np.all(w.margin(state) >= 0)]
        self._fire(fired)

    def _fire(self, fired: list[Watch]) -> None:
        for w in fired:
            self._watches.remove(w)
            if not w.event.triggered:
                w.event.succeed(self.env.now)

    def _first_crossing(self, ta: float, tb: float, dense) -> tuple[float, list[Watch]] | None:
        if not self._watches:
            return None
        end = State(self, tb, dense(tb))
        crossing = [w for w in self._watches if np.all(w.margin(end) >= 0)]
        if not crossing:
            return None

        def at(w: Watch, t: float) -> float:
            return float(w.margin(State(self, t, dense(t))))

        times = []
        for w in crossing:
            if at(w, ta) >= 0:
                times.append(ta)
            else:
                times.append(brentq(lambda t, w=w: at(w, t), ta, tb, xtol=1e-12, rtol=1e-12))
        tc = min(times)
        # Nudge to the side where the condition holds, so it is true when it fires.
        tol = 1e-12 * max(1.0, abs(tc))
        fire = [w for w, t in zip(crossing, times, strict=True) if t <= tc + tol]
        return min(tb, tc + tol), fire

    def _new_solver(self):
        opts = self.solver_options
        try:
            cls = _SOLVERS[opts.method]
        except KeyError:
            raise SimulationError(f"unknown integrator method {opts.method!r}; use one of {list(_SOLVERS)}") from None
        atol = np.where(self._log_mask, opts.atol, opts.atol)
        return cls(self._rhs, self._t, self._y, self.horizon, rtol=opts.rtol, atol=atol,
                   max_step=opts.max_step, vectorized=False)

    def _integrate(self):
        env = self.env
        steps = 0
        # The log-stock ceiling is a watch like any other, so divergence is located precisely.
        if self._log_mask.any():
            mask = self._log_mask
            ceiling = Watch(None, lambda s: self._max_log(s, mask) - LOG_LIMIT, env.event(), "divergence")
            self._watches.append(ceiling)
            ceiling.event.callbacks.append(lambda _e: self._diverge("a stock exceeded 1e300"))
        while True:
            self._dense = None
            if self._t >= self.horizon or not len(self._y):
                yield env.timeout(self.horizon - env.now)
                return
            solver = self._new_solver()
            try:
                while True:
                    ta = solver.t
                    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                        message = solver.step()
                    steps += 1
                    if steps > self.solver_options.max_steps:
                        raise SimulationError(
                            f"the integrator took more than {self.solver_options.max_steps} steps "
                            f"(at year {self.year(ta):.4f}); raise solver.max_steps or loosen rtol"
                        )
                    if solver.status == "failed" or not np.all(np.isfinite(solver.y)):
                        self._y_fail = (ta, message)
                        self._diverge(f"growth diverged ({message or 'non-finite state'})")
                        return
                    tb = solver.t
                    dense = solver.dense_output()
                    self._dense = (ta, tb, dense)
                    hit = self._first_crossing(ta, tb, dense)
                    t_next = hit[0] if hit else tb
                    yield env.timeout(max(0.0, t_next - env.now))
                    y_next = dense(t_next) if t_next != tb else solver.y.copy()
                    self._record_until(t_next, inclusive=False)
                    self._y, self._t = y_next, t_next
                    if hit:
                        self._fire(hit[1])
                        break
                    if self._restart_requested:
                        self._restart_requested = False
                        break
                    if solver.status == "finished":
                        return
            except simpy.Interrupt:
                self._interrupt_pending = False

    @staticmethod
    def _max_log(state: State, mask: np.ndarray):
        vals = [np.log(state[s.name]) for s in state._model.stocks if s.log]
        return np.maximum.reduce(vals) if len(vals) > 1 else vals[0]

    def _diverge(self, reason: str) -> None:
        if self._stop_event.triggered:
            return
        self.diverged = True
        self.divergence_time = self.env.now
        self.log("diverged", "kernel", reason=reason)
        self.stop("diverged")

    # ---- recording ----------------------------------------------------------------------------
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
        self._next_grid = 0
        self._series = {name: np.full(len(self._grid), np.nan) for name, _, _ in self.recorded()}

    def _record_until(self, t_end: float, inclusive: bool) -> None:
        i0 = self._next_grid
        side = "right" if inclusive else "left"
        i1 = int(np.searchsorted(self._grid, t_end + (1e-12 if inclusive else -1e-12), side=side))
        if i1 <= i0:
            return
        times = self._grid[i0:i1]
        if self._dense is not None and self._dense[0] - 1e-12 <= times[0]:
            y = self._dense[2](np.clip(times, self._dense[0], self._dense[1]))
        else:
            y = np.repeat(self._y[:, None], len(times), axis=1)
        state = State(self, times, y)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for name in self._series:
                self._series[name][i0:i1] = np.broadcast_to(state[name], times.shape)
        self._next_grid = i1

    # ---- running ------------------------------------------------------------------------------
    def run(self) -> xr.Dataset:
        """Run to the horizon (or an earlier stop) and return the results."""
        self.build()
        env = self.env
        self._stop_event = env.event()
        self._integrator = None
        self._interrupt_pending = False
        self._restart_requested = False
        self._dense = None
        self._start_recorder()
        for comp in self.components.values():
            comp.start()
        if self.stop_when is not None:
            ev = self.watch(self.stop_when)
            ev.callbacks.append(lambda _e: self.stop(f"stop condition: {self.stop_when.text}"))
        horizon = env.timeout(self.horizon)
        horizon.callbacks.append(lambda _e: self.stop("horizon"))
        self._integrator = env.process(self._integrate())
        env.run(until=self._stop_event)
        return self.results()

    def results(self) -> xr.Dataset:
        time = self.start_year + self._grid
        data = {}
        for name, unit, long_name in self.recorded():
            data[name] = xr.Variable("time", self._series[name], {"units": unit, "long_name": long_name})
        ds = xr.Dataset(data, coords={"time": ("time", time, {"units": "year", "long_name": "decimal year"})})
        ds["diverged"] = xr.Variable((), self.diverged, {"long_name": "growth diverged (finite-time blow-up)"})
        ds["divergence_time"] = xr.Variable((), self.divergence_time, {
            "units": "year", "long_name": "time of divergence, years since start (NaN if none)"})
        ev = self.events
        ds["event_time"] = xr.Variable("event", np.array([self.year(e.t) for e in ev], dtype=float),
                                       {"units": "year", "long_name": "decimal year of the event"})
        ds["event_kind"] = xr.Variable("event", np.array([e.kind for e in ev], dtype=str),
                                       {"long_name": "what happened"})
        ds["event_source"] = xr.Variable("event", np.array([e.source for e in ev], dtype=str),
                                         {"long_name": "component or policy that logged it"})
        ds["event_detail"] = xr.Variable("event", np.array(
            [json.dumps(e.attrs, sort_keys=True, default=_jsonable) for e in ev], dtype=str),
            {"long_name": "event attributes (JSON)"})
        for comp in self.components.values():
            ds = comp.finish(ds)
        ds.attrs.update(self.attrs)
        ds.attrs["stop_reason"] = self.stop_reason
        ds.attrs["start_year"] = self.start_year
        return ds


def _jsonable(x: Any) -> Any:
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    return str(x)
