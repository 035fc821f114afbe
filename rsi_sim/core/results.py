"""The results of one run as one ``xarray.Dataset``.

The recorder's series on the ``time`` grid (with units, long names and the declared ranges as CF
``valid_min``/``valid_max``), divergence, the log of discrete events on the ``event`` dimension,
then each component's ``outputs()`` in the same constructor call and its ``finish(ds)`` after.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import xarray as xr

from .errors import SimulationError
from .state import LoggedEvent


def build_results(*, start_year: float, grid: np.ndarray, series: dict[str, np.ndarray],
                  recorded: list[tuple[str, str, str]], bounds: dict[str, tuple[float, float]],
                  diverged: bool, divergence_time: float, events: list[LoggedEvent],
                  components: Iterable[Any], attrs: dict[str, Any],
                  stop_reason: str) -> xr.Dataset:
    """The Dataset of a run: ``series`` of the ``recorded`` (name, unit, long_name) on model
    times ``grid``, the ``events`` and the ``components``' ``outputs()`` and ``finish(ds)``."""
    time = start_year + grid
    ev = events
    data = {name: ("time", series[name], {"units": unit, "long_name": long_name,
                                          **valid_range(*bounds.get(name, (-math.inf, math.inf)))})
            for name, unit, long_name in recorded}
    data.update({
        "diverged": ((), diverged, {"long_name": "growth diverged (finite-time blow-up)"}),
        "divergence_time": ((), divergence_time, {
            "units": "year", "long_name": "time of divergence, years since start (NaN if none)"}),
        "event_time": ("event", np.array([start_year + e.t for e in ev], dtype=float),
                       {"units": "year", "long_name": "decimal year of the event"}),
        "event_kind": ("event", np.array([e.kind for e in ev], dtype=str), {"long_name": "what happened"}),
        "event_source": ("event", np.array([e.source for e in ev], dtype=str),
                         {"long_name": "component or policy that logged it"}),
        "event_detail": ("event", np.array([_EVENT_JSON.encode(e.attrs) for e in ev], dtype=str),
                         {"long_name": "event attributes (JSON)"}),
    })
    coords = {"time": ("time", time, {"units": "year", "long_name": "decimal year"})}
    components = list(components)
    for comp in components:
        for name, var in comp.outputs().items():
            if name in data or name in coords:
                raise SimulationError(f"component {comp.name!r} outputs {name!r}, which exists already")
            (coords if (var[0] == (name,) or var[0] == name) else data)[name] = var
    # One constructor call: every later assignment would be an xarray merge.
    ds = xr.Dataset(data, coords=coords)
    for comp in components:
        ds = comp.finish(ds)
    ds.attrs.update(attrs)
    ds.attrs["stop_reason"] = stop_reason
    ds.attrs["start_year"] = start_year
    return ds


def valid_range(lo: float, hi: float) -> dict[str, float]:
    """CF ``valid_min``/``valid_max`` attributes of a declared range (finite ends only).

    >>> valid_range(0.0, math.inf)
    {'valid_min': 0.0}
    """
    return {k: float(v) for k, v in (("valid_min", lo), ("valid_max", hi)) if math.isfinite(v)}


def _jsonable(x: Any) -> Any:
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    return str(x)


#: One encoder for every event's attributes (``json.dumps`` with options builds one per call).
_EVENT_JSON = json.JSONEncoder(sort_keys=True, default=_jsonable)
