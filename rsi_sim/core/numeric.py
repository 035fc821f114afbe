"""Element-wise helpers for component formulas that run on Python floats (inside the
integrator, many thousands of times per run) and on numpy arrays (the recorder). numpy's ufuncs
cost microseconds on a scalar; these take the plain-Python path for floats."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def minimum(a: Any, b: Any) -> Any:
    """``np.minimum`` with a fast path for two floats.

    >>> minimum(1.0, 2.0), minimum(np.array([1.0, 3.0]), 2.0).tolist()
    (1.0, [1.0, 2.0])
    """
    if type(a) is float and type(b) is float:
        if a != a or b != b:  # NaN propagates, as in numpy
            return math.nan
        return a if a < b else b
    return np.minimum(a, b)


def maximum(a: Any, b: Any) -> Any:
    """``np.maximum`` with a fast path for two floats."""
    if type(a) is float and type(b) is float:
        if a != a or b != b:
            return math.nan
        return a if a > b else b
    return np.maximum(a, b)


def clip(x: Any, lo: float, hi: float) -> Any:
    """``np.clip`` with a fast path for a float."""
    if type(x) is float:
        return x if lo <= x <= hi or x != x else (lo if x < lo else hi)
    return np.clip(x, lo, hi)


def log(x: Any) -> Any:
    """``np.log`` with a fast path for a positive float.

    >>> log(1.0), float(log(np.float64(0.0)))
    (0.0, -inf)
    """
    if type(x) is float and 0.0 < x < math.inf:
        return math.log(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(x)


def exp(x: Any) -> Any:
    """``np.exp`` with a fast path for a float (overflow gives ``inf``, as numpy does).

    >>> exp(0.0), exp(1000.0)
    (1.0, inf)
    """
    if type(x) is float:
        try:
            return math.exp(x)
        except OverflowError:
            return math.inf
    with np.errstate(over="ignore"):
        return np.exp(x)


def divide(a: Any, b: Any) -> Any:
    """``a / b`` as numpy divides: for two floats, ``x / 0`` is ``±inf`` and ``0 / 0`` is NaN
    instead of :class:`ZeroDivisionError`.

    A share that rounds to 1 (``1 - f == 0`` for a fraction ``f`` that is only close to 1) then
    gives the limit ``inf``, which the ``minimum`` it usually feeds turns into the other branch.

    >>> divide(1.0, 0.0), divide(-2.0, 0.0), divide(6.0, 3.0)
    (inf, -inf, 2.0)
    """
    if isinstance(b, float) and b == 0.0 and isinstance(a, float):  # numpy float64 included
        if a != a or a == 0.0:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def series_value(series: dict[float, float], year: float) -> float:
    """The value of a year-keyed series in force at ``year``: the entry of the latest listed year
    at or before it (the first entry before the first year).

    >>> series_value({2026.0: 2.6, 2029.0: 2.0}, 2028.5), series_value({2026.0: 2.6}, 2020.0)
    (2.6, 2.6)
    """
    value = next(iter(series.values()))
    for y, v in series.items():
        if y > year:
            break
        value = v
    return value
