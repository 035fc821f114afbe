"""The kernel: continuous stocks advanced between discrete events, as one SimPy process.

How continuous and discrete time meet
-------------------------------------
Each accepted step of an embedded Runge-Kutta pair (:mod:`rsi_sim.core.stepper`) becomes one
SimPy timeout, so other processes run between steps. A process that changes discrete state (a
generation is released, a policy pauses training) does so inside ``with model.change():``, which
first brings the continuous state to the current time with the step's dense output
(:meth:`Kernel.sync`), then restarts the integrator from there (:meth:`Kernel.restart`); the
right-hand side is therefore smooth within every step. At the end of each step the kernel asks
the watches (:mod:`rsi_sim.core.watches`) for the earliest crossing in it, stops the step there
and fires them; it hands every stretch it has integrated to the recorder
(:mod:`rsi_sim.core.recorder`).

Positive stocks are integrated as logarithms: exponential growth is then linear, so steps are
long when nothing accelerates, and a finite-time blow-up shows up as the step size collapsing, or
a log-stock passing :data:`LOG_LIMIT`, reported as divergence rather than as an overflow.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from .errors import SimulationError
from .recorder import Recorder
from .state import Declarations, State
from .stepper import METHODS, make_stepper
from .watches import Watches, first_root

#: A log-stock beyond e**690 (~1e300) counts as diverged: float64 overflows soon after.
LOG_LIMIT = 690.0


@dataclass(frozen=True)
class SolverOptions:
    """Integrator settings. ``max_step`` in years; tolerances apply to log-stocks as relative
    errors of the stock itself."""

    method: str = "RK45"
    rtol: float = 1e-7
    atol: float = 1e-9
    max_step: float = 0.25
    max_steps: int = 200_000


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


class Step:
    """The stepper's last accepted step (valid until it steps again)."""

    __slots__ = ("ta", "tb", "yb", "dense")

    def __init__(self, stepper):
        self.ta, self.tb, self.yb = stepper.t_old, stepper.t, np.array(stepper.y)
        self.dense = stepper.dense


class ClockStep:
    """A step of a model without stocks: only time advances."""

    __slots__ = ("ta", "tb", "yb")

    def __init__(self, ta: float, tb: float):
        self.ta, self.tb, self.yb = ta, tb, np.empty(0)

    @staticmethod
    def dense(t):
        return np.empty((0, *np.shape(t)))


class Kernel:
    """The continuous state of one model and the integrator process that advances it.

    ``y`` is the state vector at model time ``t`` (ln X for log-stocks); ``step`` the current
    integrator step (``None`` between steps). ``rates`` are the components whose ``rates`` the
    right-hand side asks, set by :meth:`build`. The kernel holds no reference to the model
    (only the running process holds the ``diverge`` it was started with), so a model that has
    run is freed as soon as nothing else refers to it, without waiting for the cycle collector.
    """

    def __init__(self, env: simpy.Environment, declared: Declarations, *, start_year: float,
                 horizon: float, solver: SolverOptions, watches: Watches, recorder: Recorder):
        self.env = env
        self.declared = declared
        self.start_year = start_year
        self.horizon = horizon
        self.solver = solver
        self.watches = watches
        self.recorder = recorder
        self.y = np.empty(0)
        self.t = 0.0
        self.step: Step | ClockStep | None = None
        self.process: simpy.Process | None = None
        self.rate_components: list[Any] = []
        self._stock_index: dict[str, int] = {}
        self._interrupt_pending = False
        self._restart_requested = False

    def build(self, rate_components: list[Any]) -> None:
        """Take the initial state from the declarations (their layout frozen)."""
        self.y = np.array(self.declared.initial, dtype=float)
        self.t = 0.0
        self._stock_index = self.declared.stock_index
        self.rate_components = rate_components

    def start(self, diverge: Callable[[str, float], None]) -> None:
        """Start the integrator process; it calls ``diverge(reason, remaining)`` when a stock
        blows up (``remaining``: :meth:`remaining_time`), which is expected to end the run."""
        self.process = self.env.process(self._integrate(diverge))

    def reset(self) -> None:
        """Forget any earlier process (before :meth:`start`)."""
        self.process = None
        self._interrupt_pending = False
        self._restart_requested = False
        self.step = None

    def release(self) -> None:
        """Drop the state, the step and the components (the model's
        :meth:`~rsi_sim.core.model.Model.release`)."""
        self.process = self.step = None
        self.y = np.empty(0)
        self.rate_components = []

    # ---- the state at a time ------------------------------------------------------------------
    def rhs(self, t: float, y: list) -> list:
        """The right-hand side: each stock's rate (growth rate of ln X for log-stocks)."""
        state = State(self.declared, t, y)
        dy = [0.0] * len(y)
        idx = self._stock_index
        for comp in self.rate_components:
            try:
                rates = comp.rates(state)
            except OverflowError:  # as in State: past float range is inf, and then divergence
                rates = {s.name: math.inf for s in self.declared.stocks if s.owner == comp.name}
            for name, rate in rates.items():
                dy[idx[name]] = float(rate)
        return dy

    def y_at(self, t: float) -> np.ndarray:
        """The state vector at ``t``: now, or inside the current step."""
        if t == self.t or not len(self.y):  # a model with no stocks has nothing to interpolate
            return self.y
        step = self.step
        if step is not None and step.ta <= t <= step.tb:
            return step.dense(t)
        raise SimulationError(f"internal: state requested at t={t} outside the current step")

    # ---- discrete changes -----------------------------------------------------------------------
    def sync(self) -> None:
        """Bring the state to now (recording the grid points passed on the way)."""
        now = self.env.now
        if now == self.t:
            return
        y = self.y_at(now)
        self.recorder.record_until(now, False, self.step, self.y)
        self.y, self.t = y, now

    def restart(self) -> None:
        """Restart the integrator from the current state (after a discrete change)."""
        proc = self.process
        if proc is None or not proc.is_alive or self._interrupt_pending:
            return
        if self.env.active_process is proc:
            self._restart_requested = True
        else:
            self._interrupt_pending = True
            proc.interrupt("state changed")

    # ---- the integrator process -----------------------------------------------------------------
    def _new_stepper(self):
        opts = self.solver
        if opts.method not in METHODS:
            raise SimulationError(f"unknown integrator method {opts.method!r}; use one of {list(METHODS)}")
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return make_stepper(opts.method, self.rhs, self.t, self.y.tolist(), self.horizon,
                                rtol=opts.rtol, atol=opts.atol, max_step=opts.max_step)

    def _integrate(self, diverge: Callable[[str, float], None]):
        env = self.env
        steps = 0
        if not len(self.y):
            yield from self._advance_clock()
            return
        first_crossing = self.watches.first_crossing
        record_until = self.recorder.record_until
        max_steps = self.solver.max_steps
        stepper = None
        while True:
            self.step = None
            if self.t >= self.horizon:
                yield env.timeout(self.horizon - env.now)
                return
            if stepper is None:
                stepper = self._new_stepper()
            else:  # after a discrete change: same step size, rates evaluated anew
                stepper.restart(self.t, self.y.tolist())
            try:
                while True:
                    ta = stepper.t
                    ok = stepper.step()
                    steps += 1
                    if steps > max_steps:
                        raise SimulationError(
                            f"the integrator took more than {max_steps} steps "
                            f"(at year {self.start_year + ta:.4f}); raise solver.max_steps or loosen rtol"
                        )
                    if not ok or not all(map(math.isfinite, stepper.y)):
                        diverge("growth diverged (the step size fell below floating-point resolution)",
                                     self.remaining_time(self.t, self.y))
                        return
                    step = self.step = Step(stepper)
                    self._check_floor(step)
                    hit = first_crossing(step, self._ceiling_crossing(step))
                    t_next = hit[0] if hit else step.tb
                    yield env.timeout(max(0.0, t_next - env.now))
                    y_next = step.yb if t_next == step.tb else step.dense(t_next)
                    record_until(t_next, False, self.step, self.y)
                    self.y, self.t = y_next, t_next
                    if hit:
                        if hit[2]:
                            diverge("a stock passed 1e300", self.remaining_time(t_next, y_next))
                            return
                        self.watches.fire(hit[1])
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
        while self.t < self.horizon:
            try:
                ta = self.t
                step = self.step = ClockStep(ta, min(ta + self.solver.max_step, self.horizon))
                hit = self.watches.first_crossing(step, None)
                t_next = hit[0] if hit else step.tb
                yield env.timeout(max(0.0, t_next - env.now))
                self.recorder.record_until(t_next, False, self.step, self.y)
                self.t = t_next
                self._restart_requested = False
                if hit:
                    self.watches.fire(hit[1])
            except simpy.Interrupt:  # a change: self.t is now (set by sync)
                self._interrupt_pending = False
        self.step = None

    # ---- floors, ceilings and divergence ----------------------------------------------------------
    def _ceiling_crossing(self, step: Step) -> float | None:
        """Where in the step the largest log-stock passes :data:`LOG_LIMIT` (``None`` if none)."""
        if not any(step.yb[i] > LOG_LIMIT for i in self.declared.log_index):
            return None
        mask = self.declared.log_mask

        def ceiling(t: float) -> float:
            return float(step.dense(t)[mask].max() - LOG_LIMIT)
        return first_root(ceiling, step.ta, step.tb)

    def _check_floor(self, step: Step) -> None:
        """A positive stock that shrinks below 1e-300 would be stored as 0 (float64 underflows
        soon after): stop with the stock's name rather than record a positive quantity as 0."""
        for s in self.declared.stocks:
            if s.log and step.yb[s.index] < -LOG_LIMIT:
                raise SimulationError(
                    f"{s.name} ({s.owner}) fell below 1e-300 by year {self.start_year + step.tb:.4f}: "
                    f"a positive quantity shrinking that far leaves floating-point range; check the "
                    f"growth rates that drive it")

    def remaining_time(self, t: float, y: np.ndarray) -> float:
        """Time left to the singularity, from the state ``(t, y)`` close to it: with the local
        growth rate g = d ln X/dt of the largest log-stock and its trend, ``g / (dg/dt)``.

        A power-law blow-up ``dX/dt ∝ X**k`` has ``dg/dt = (k-1) g**2``, so the estimate is exact
        for it (REFERENCE A.1) from any state; without it, returns close to 1 give a ceiling
        crossing well before the singularity (at k = 1.01, a relative error of 1e-3 in t*), and
        for k > 2 the rates leave float range before the stock does. ``dg/dt`` is a forward
        difference over ``1e-7 / g`` along the rates. Zero if g is not growing.
        """
        mask = self.declared.log_mask
        if not mask.any():
            return 0.0
        y = [float(v) for v in y]
        i = max(np.flatnonzero(mask).tolist(), key=lambda j: y[j])
        with np.errstate(all="ignore"):
            f = self.rhs(t, y)
            g1 = f[i]
            if not (math.isfinite(g1) and g1 > 0 and all(map(math.isfinite, f))):
                return 0.0
            h = 1e-7 / g1
            g2 = self.rhs(t + h, [a + h * b for a, b in zip(y, f, strict=False)])[i]
        slope = (g2 - g1) / h
        if not math.isfinite(slope) or slope <= 0:
            return 0.0
        return g1 / slope
