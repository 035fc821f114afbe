"""Watches: SimPy events that fire when a condition on the state becomes true.

A watch holds a *margin*, a function of the state that is ``>= 0`` exactly when its condition
holds (:mod:`rsi_sim.core.conditions`). The kernel asks :meth:`Watches.first_crossing` after every
integrator step: a margin that holds at the end of the step is root-found on the step's dense
output, and the earliest crossing is where the kernel stops the step and fires. After a discrete
change the model asks :meth:`Watches.check_now`, since a change can make a condition true at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy
from scipy.optimize import brentq

from .conditions import Criterion, holds
from .errors import SimulationError
from .state import Declarations, State


@dataclass
class Watch:
    """One pending watch: the criterion (``None`` for a bare margin function), its margin, the
    SimPy event it succeeds and a label for messages."""

    criterion: Criterion | None
    margin: Callable[[State], Any]
    event: simpy.Event
    label: str


def first_root(f: Callable[[float], float], ta: float, tb: float) -> float:
    """The time in ``[ta, tb]`` where ``f`` (negative before, ``>= 0`` at ``tb``) reaches 0;
    ``ta`` if it holds there already."""
    if f(ta) >= 0:
        return ta
    return brentq(f, ta, tb, xtol=1e-12, rtol=1e-12)


class Watches:
    """The pending watches of one model, in the order they were asked for."""

    __slots__ = ("env", "declared", "pending")

    def __init__(self, env: simpy.Environment, declared: Declarations):
        self.env = env
        self.declared = declared
        self.pending: list[Watch] = []

    def add(self, condition: Criterion | Callable[[State], Any], label: str,
            state_now: Callable[[], State] | None) -> simpy.Event:
        """An event that fires when ``condition`` becomes true; at once if it holds in
        ``state_now()`` (``None`` before the model is built: checked when the run starts)."""
        if isinstance(condition, Criterion):
            names = self.declared.names()
            unknown = (condition.variables | condition.flags) - names
            if unknown:
                raise SimulationError(
                    f"condition {condition.text!r} refers to unknown name(s) {sorted(unknown)}; "
                    f"known: {', '.join(sorted(names))}"
                )
            margin, label = condition.margin, label or condition.text
        else:
            margin = condition
        w = Watch(condition if isinstance(condition, Criterion) else None, margin,
                  self.env.event(), label)
        if state_now is not None and holds(margin(state_now())):
            w.event.succeed(self.env.now)
        else:
            self.pending.append(w)
        return w.event

    def check_now(self, state_now: Callable[[], State]) -> None:
        """Fire every watch that holds in ``state_now()`` (after a discrete change)."""
        if not self.pending:
            return
        state = state_now()
        self.fire([w for w in self.pending if holds(w.margin(state))])

    def fire(self, fired: list[Watch]) -> None:
        for w in fired:
            self.pending.remove(w)
            if not w.event.triggered:
                w.event.succeed(self.env.now)

    def first_crossing(self, step, ceiling: float | None) -> tuple[float, list[Watch], bool] | None:
        """The earliest time in the integrator step ``step`` (``ta``, ``tb``, ``yb``,
        ``dense(t)``) where a watch becomes true or, at ``ceiling`` (``None`` if not in this
        step), a log-stock passes the divergence ceiling: (time, watches to fire, diverges)."""
        ta, tb = step.ta, step.tb
        candidates: list[tuple[float, Watch | None]] = [] if ceiling is None else [(ceiling, None)]
        if self.pending:
            declared = self.declared
            end = State(declared, tb, step.yb)
            for w in self.pending:
                if holds(w.margin(end)):
                    def margin(t: float, w: Watch = w) -> float:
                        m = w.margin(State(declared, t, step.dense(t)))
                        return m if type(m) is float else float(np.min(m))
                    candidates.append((first_root(margin, ta, tb), w))
        if not candidates:
            return None
        tc = min(t for t, _ in candidates)
        # Nudge to the side where the condition holds, so it is true when it fires.
        tol = 1e-12 * max(1.0, abs(tc))
        near = [w for t, w in candidates if t <= tc + tol]
        return min(tb, tc + tol), [w for w in near if w is not None], any(w is None for w in near)
