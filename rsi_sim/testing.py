"""Hypothesis strategies for tests of rsi_sim and of models built on it (xarray's idea).

``parameters(component_cls)`` draws valid parameter values from each :class:`~rsi_sim.core.Param`
declaration, leaning on the declared bounds (where models break); ``scenarios()`` draws whole
valid scenarios as plain data ready for :func:`yaml.safe_dump` or
:func:`rsi_sim.scenario.load.parse_scenario_text`.

Requires ``hypothesis`` (installed with the ``test`` extra).

Examples
--------
>>> from hypothesis import given, settings
>>> from rsi_sim.components import JonesResearch
>>> @settings(max_examples=5, database=None)
... @given(parameters(JonesResearch))
... def test_bounds_are_respected(values):
...     comp = JonesResearch(**values)
...     assert 1e-6 <= comp.delta <= 100
>>> test_bounds_are_respected()
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import math
import signal
from collections.abc import Iterator
from typing import Any

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("rsi_sim.testing needs hypothesis: pip install 'rsi_sim[test]'") from exc

from .components import REGISTRY
from .core import Component, Param

__all__ = ["parameter_values", "parameters", "scenarios"]


def parameter_values(param: Param) -> st.SearchStrategy[Any]:
    """Valid values of one parameter: its bounds, its default, and values in between.

    Ranges spanning more than three decades of positive values are drawn log-uniformly, so
    ``(1e-12, 1e12)`` is explored at every scale rather than almost always near ``1e12``.
    """
    if param.kind is bool:
        return st.booleans()
    if param.kind is str:
        return st.sampled_from(param.choices) if param.choices else st.just(param.default)
    if param.kind is dict:  # none, or a series of one to five years with values in bounds
        item = parameter_values(Param(0.0 if param.bounds[0] is None else param.bounds[0],
                                      unit=param.unit, bounds=param.bounds))
        series = st.dictionaries(st.integers(1990, 2200), item, min_size=1, max_size=5)
        return st.just(None) | series
    lo, hi = param.bounds
    if param.kind is int:
        lo_i = int(math.ceil(lo)) if lo is not None else int(param.default) - 1000
        hi_i = int(math.floor(hi)) if hi is not None else int(param.default) + 1000
        return st.sampled_from(sorted({lo_i, hi_i, int(param.default)})) | st.integers(lo_i, hi_i)
    default = float(param.default)
    spread = 10 * abs(default) + 1
    lo_f = float(lo) if lo is not None else default - spread
    hi_f = float(hi) if hi is not None else default + spread
    edges = st.sampled_from(sorted({lo_f, hi_f, default}))
    if lo_f > 0 and hi_f / lo_f > 1e3:
        inside = st.floats(math.log10(lo_f), math.log10(hi_f)).map(
            lambda e: min(max(10.0**e, lo_f), hi_f))
    else:
        inside = st.floats(lo_f, hi_f, allow_nan=False, allow_infinity=False)
    return edges | inside


def parameters(component_cls: type[Component], *,
               fixed: dict[str, Any] | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """Dictionaries of valid values for every declared parameter of ``component_cls``.

    Parameters
    ----------
    component_cls : a :class:`~rsi_sim.core.Component` subclass.
    fixed : values to hold fixed instead of drawing them.
    """
    fixed = dict(fixed or {})
    return st.fixed_dictionaries({
        name: st.just(fixed[name]) if name in fixed else parameter_values(param)
        for name, param in component_cls.params.items()
    })


def _with_needs(names: list[str], registry: dict[str, type[Component]]) -> list[str]:
    """``names`` plus, transitively, every component they need (from ``registry``)."""
    out: list[str] = []
    todo = list(names)
    while todo:
        name = todo.pop(0)
        if name in out or name not in registry:
            continue
        out.append(name)
        todo.extend(registry[name].needs)
    return out


@st.composite
def scenarios(draw, components: list[str] | None = None, *,
              max_horizon_years: float = 174.0) -> dict[str, Any]:
    """Valid scenarios as plain data (the shape of a scenario file).

    Parameters
    ----------
    components : component names to include (default: one or more drawn from
        :data:`rsi_sim.components.REGISTRY`); the components they need are added with their
        parameters drawn too.
    max_horizon_years : longest horizon drawn (default: 2026 to 2200).
    """
    if components is None:
        components = draw(st.lists(st.sampled_from(sorted(REGISTRY)), min_size=1, unique=True))
    names = _with_needs(list(components), REGISTRY)
    start = draw(st.dates(_dt.date(2000, 1, 1), _dt.date(2100, 12, 31)))
    horizon = draw(st.floats(0.25, max_horizon_years))
    step_months = draw(st.sampled_from([1, 3, 6, 12]))
    return {
        "name": draw(st.text(st.characters(codec="utf-8", categories=("L", "N", "Zs")),
                             min_size=1, max_size=30).filter(str.strip)),
        "start": start.isoformat(),
        "horizon": f"{horizon:.6g} y",
        "seed": draw(st.integers(0, 2**63 - 1)),
        "outputs": {"step": f"{step_months} months"},
        "components": {name: draw(parameters(REGISTRY[name])) for name in names},
    }


class TimeLimitExceeded(BaseException):
    """A block ran past its :func:`time_limit` (a BaseException, so code under test that
    catches ``Exception`` cannot swallow it)."""


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Raise :class:`TimeLimitExceeded` if the block runs longer than ``seconds`` (main thread,
    POSIX: SIGALRM). For tests that must never hang.

    >>> with time_limit(5):
    ...     pass
    """
    def alarm(signum, frame):
        raise TimeLimitExceeded(f"took more than {seconds} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
