"""The recorder: every stock and recorded variable on the output grid.

The kernel hands over each stretch of time it has integrated (:meth:`Recorder.record_until`, with
the step's dense output); the recorder keeps the stocks at the grid points in it and evaluates
the variables later, in one pass per stretch of constant discrete state (:meth:`Recorder.flush`,
which the model calls before every change), because that is where the recorder's time goes.
"""

from __future__ import annotations

import bisect
import math
from typing import Any

import numpy as np

from .errors import SimulationError
from .state import Declarations, State

#: Most points on the output grid of one run: bounds the memory a run can ask for.
MAX_OUTPUT_POINTS = 1_000_000
#: Up to this many pending output points are evaluated one by one on floats, more as arrays.
SCALAR_FLUSH_POINTS = 3


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


def output_grid(horizon: float, output_step: float) -> np.ndarray:
    """Model times (years since start) of the output grid: every ``output_step`` from 0, and
    the horizon itself. Every run of the same horizon and step shares it.

    >>> output_grid(1.0, 0.4).tolist()
    [0.0, 0.4, 0.8, 1.0]
    """
    n = int(math.floor(horizon / output_step + 1e-9)) + 1
    grid = np.arange(n) * output_step
    if grid[-1] < horizon - 1e-9:
        grid = np.append(grid, horizon)
    return grid


class Recorder:
    """The output grid of one run and the series recorded on it.

    ``grid`` is fixed at construction; :meth:`start` (when the run begins, after every
    declaration) makes a NaN-filled series for each stock and recorded variable.
    """

    __slots__ = ("declared", "grid", "series", "_grid_list", "_next", "_pending")

    def __init__(self, declared: Declarations, horizon: float, output_step: float):
        self.declared = declared
        self.grid = output_grid(horizon, output_step)
        self._grid_list = self.grid.tolist()
        self.series: dict[str, np.ndarray] = {}
        self._next = 0
        self._pending: list[tuple[int, Any]] = []  # (grid index, stocks there)

    def start(self) -> None:
        self._next = 0
        self.series = {name: np.full(len(self.grid), np.nan) for name, _, _ in self.declared.recorded()}
        self._pending = []

    def release(self) -> None:
        """Drop the grid and the series (the model's :meth:`~rsi_sim.core.model.Model.release`)."""
        self.grid = np.empty(0)
        self.series, self._grid_list, self._pending = {}, [], []

    def record_until(self, t_end: float, inclusive: bool, step, y: np.ndarray) -> None:
        """Take the stocks at the grid points up to ``t_end`` from the integrator step ``step``
        (``ta``, ``tb``, ``dense(t)``), or from ``y`` where there is none."""
        i0 = self._next
        grid = self._grid_list
        if inclusive:
            i1 = bisect.bisect_right(grid, t_end + 1e-12, lo=i0)
        else:
            i1 = bisect.bisect_left(grid, t_end - 1e-12, lo=i0)
        if i1 <= i0:
            return
        times = grid[i0:i1]
        if step is None or times[0] < step.ta - 1e-12:
            ys = [y] * len(times)
        elif len(times) == 1:
            ys = [step.dense(min(max(times[0], step.ta), step.tb))]
        else:  # one call for the stretch (scipy's dense output costs ~40 µs a call)
            ys = list(step.dense(np.clip(np.array(times), step.ta, step.tb)).T)
        self._pending.extend(zip(range(i0, i1), ys, strict=True))
        self._next = i1

    def flush(self) -> None:
        """Evaluate every recorded variable at the pending grid points (discrete state is the
        same for all of them: a flush precedes every change).

        A few points are evaluated one by one on Python floats (the formulas' fast paths); a
        longer stretch in one vectorised pass. Both give the same numbers to rounding.
        """
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        series = self.series
        declared = self.declared
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            if len(pending) <= SCALAR_FLUSH_POINTS:
                try:
                    values = []
                    for i, y in pending:
                        state = State(declared, self._grid_list[i], y)
                        values.append([state[name] for name in series])
                except ArithmeticError:  # e.g. a float x / 0 that numpy would make inf
                    pass
                else:
                    for (i, _), row in zip(pending, values, strict=False):
                        for arr, v in zip(series.values(), row, strict=False):
                            arr[i] = v
                    return
            i0, i1 = pending[0][0], pending[-1][0] + 1
            state = State(declared, self.grid[i0:i1], np.column_stack([p[1] for p in pending]))
            for name, arr in series.items():
                arr[i0:i1] = state[name]
