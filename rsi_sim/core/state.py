"""What a model declares and what its state is at a time.

:class:`Declarations` holds the stocks, variables and flags the components declare in ``build``
(one namespace: a name is declared once); :class:`State` is the model state at time ``t``, built
on those declarations by the integrator, the watches and the recorder, and read by components'
``rates`` and variable functions; :class:`LoggedEvent` is one entry of the model's log of
discrete events. This module imports nothing else of the kernel, so
:mod:`rsi_sim.core.component` can name :class:`State` without an import circle.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import SimulationError


@dataclass
class Stock:
    """A continuous stock: its place in the state vector, and whether it is integrated as ln X."""

    name: str
    index: int
    log: bool
    unit: str
    long_name: str
    owner: str


@dataclass
class Variable:
    """A quantity computed from the state (``fn(state)``), recorded on the output grid if
    ``record``; ``bounds`` is the range it can take."""

    name: str
    fn: Callable[[State], Any]
    unit: str
    long_name: str
    owner: str
    record: bool = True
    bounds: tuple[float, float] = (-math.inf, math.inf)


@dataclass
class LoggedEvent:
    """One logged discrete event (a row of the results' ``event`` dimension)."""

    t: float
    kind: str
    source: str
    attrs: dict[str, Any] = field(default_factory=dict)


class Declarations:
    """The stocks, variables and flags of one model, and the layout of its state vector.

    ``stocks``, ``variables`` and ``flags`` are the lists and dicts the model shows as
    ``model.stocks``, ``model.variables`` and ``model.flags``. :meth:`freeze` fixes the layout
    once every component has built (``log_mask``, ``log_index``, ``stock_names``,
    ``stock_index``), which :class:`State` reads on every evaluation.
    """

    __slots__ = ("stocks", "stock_by_name", "initial", "variables", "flags",
                 "log_mask", "log_index", "stock_names", "stock_index")

    def __init__(self) -> None:
        self.stocks: list[Stock] = []
        self.stock_by_name: dict[str, Stock] = {}
        #: Initial values as the integrator holds them (ln X for log-stocks).
        self.initial: list[float] = []
        self.variables: dict[str, Variable] = {}
        self.flags: dict[str, bool] = {}
        self.freeze()

    def add_stock(self, name: str, initial: float, *, unit: str, long_name: str, log: bool,
                  owner: str) -> None:
        self.check_new_name(name)
        if log and not initial > 0:
            raise SimulationError(f"stock {name!r} is positive by declaration but starts at {initial!r}")
        stock = Stock(name, len(self.stocks), log, unit, long_name, owner)
        self.stocks.append(stock)
        self.stock_by_name[name] = stock
        self.initial.append(math.log(initial) if log else float(initial))

    def add_variable(self, name: str, fn: Callable[[State], Any], *, unit: str, long_name: str,
                     owner: str, record: bool, bounds: tuple[float, float]) -> None:
        self.check_new_name(name)
        self.variables[name] = Variable(name, fn, unit, long_name, owner, record, tuple(bounds))

    def check_new_name(self, name: str) -> None:
        if name in self.stock_by_name or name in self.variables or name in ("t", "date"):
            raise SimulationError(f"the name {name!r} is declared twice")

    def freeze(self) -> None:
        """Fix the state vector's layout (after every component's ``build``)."""
        self.log_mask = np.array([s.log for s in self.stocks], dtype=bool)
        self.stock_names = [s.name for s in self.stocks]
        self.log_index = [s.index for s in self.stocks if s.log]
        self.stock_index = {s.name: s.index for s in self.stocks}

    def names(self) -> set[str]:
        """Every name a condition may refer to."""
        return set(self.stock_by_name) | set(self.variables) | set(self.flags)

    def bounds(self) -> dict[str, tuple[float, float]]:
        """The declared range of each variable and stock (positive stocks: ``(0, inf)``)."""
        out = {s.name: (0.0, math.inf) for s in self.stocks if s.log}
        out.update({v.name: v.bounds for v in self.variables.values()})
        return out

    def recorded(self) -> list[tuple[str, str, str]]:
        """(name, unit, long_name) of everything recorded on the output grid."""
        out = [(s.name, s.unit, s.long_name) for s in self.stocks]
        out += [(v.name, v.unit, v.long_name) for v in self.variables.values() if v.record]
        return out


_MISSING = object()


class State:
    """The model state at time ``t``: stocks by name, and variables computed on demand (cached).

    ``t`` and the stock values may be scalars (inside the integrator) or arrays (the recorder
    evaluates a whole stretch of the output grid at once), so variable functions are written with
    numpy operations that broadcast. ``y`` is the integrator's vector (ln X for log-stocks).
    """

    __slots__ = ("t", "_values", "_declared")

    def __init__(self, declared: Declarations, t: Any, y: np.ndarray | list):
        self.t = t
        self._declared = declared
        if isinstance(y, list) or y.ndim == 1:
            # Scalars as Python floats: component formulas run several times faster on them.
            x = list(y) if isinstance(y, list) else y.tolist()
            for i in declared.log_index:
                x[i] = math.exp(x[i]) if x[i] < 709.0 else math.inf
        else:
            x = y.copy()
            mask = declared.log_mask
            with np.errstate(over="ignore"):
                x[mask] = np.exp(y[mask])
        values = dict(zip(declared.stock_names, x, strict=True))
        values["t"] = t
        self._values = values

    def __getitem__(self, name: str) -> Any:
        value = self._values.get(name, _MISSING)
        if value is not _MISSING:
            return value
        var = self._declared.variables.get(name)
        if var is None:
            flag = self._declared.flags.get(name)
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
        d = self._declared
        return name in self._values or name in d.variables or name in d.flags
