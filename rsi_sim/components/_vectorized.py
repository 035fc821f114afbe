"""Shared pieces of the vectorised path of reference components (``run_vectorized``).

The protocol (implemented by :class:`~rsi_sim.components.milestone_ladder.MilestoneLadder`,
:class:`~rsi_sim.components.software_doublings.SoftwareDoublings` and
:class:`~rsi_sim.components.horizon_trend.HorizonTrend`)::

    Component.run_vectorized(values, seeds, start_year, milestones, horizon=inf) -> xr.Dataset

``values`` are the component's parameter values (missing ones take their defaults), ``seeds``
one ``numpy.random.SeedSequence`` per sample, or a :class:`~rsi_sim.core.random.SampleSeeds` (the same streams,
without building 10,000 Python objects), ``start_year`` the decimal year of ``t = 0``, ``milestones`` the scenario's ``{name: condition text}``, ``horizon`` the run length in
years. The result has dim ``sample`` and holds what the per-sample path stores:
``milestone_year(sample, milestone)`` (NaN: not reached within the horizon), the component's
scalar metrics and its drawn inputs. A milestone condition that has no closed form (anything but
one ``NAME >= NUMBER`` or ``NAME > NUMBER`` on a variable the component can invert) raises
:class:`NotImplementedError`: callers fall back to running samples through the kernel.

Random inputs: one draw rule for both paths
-------------------------------------------
A component draws its random inputs as ``k`` uniforms from its own child of the run's stream,
then turns them into inputs by inverse CDFs: :func:`rsi_sim.core.random.model_uniforms` in a
kernel run, :func:`rsi_sim.core.random.stream_uniforms` for every sample at once (the rule and
its fast path live in :mod:`rsi_sim.core.random`), so sample ``i`` is bit-identical on both
paths and no per-sample ``Generator`` is ever created.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import xarray as xr

_THRESHOLD = re.compile(
    r"^\s*(?P<name>[A-Za-z_][A-Za-z0-9_.]*)\s*(?P<op>>=|>)\s*"
    r"(?P<num>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$"
)


def parse_threshold(condition: Any) -> tuple[str, bool, float]:
    """``"ladder_stage >= 1"`` → ``("ladder_stage", False, 1.0)`` (the bool: strict ``>``).

    >>> parse_threshold("ai_rd_multiplier > 25")
    ('ai_rd_multiplier', True, 25.0)
    """
    text = getattr(condition, "text", condition)
    m = _THRESHOLD.match(str(text))
    if not m:
        raise NotImplementedError(
            f"the vectorised path handles milestones of the form 'NAME >= NUMBER' only; "
            f"got {text!r} (run the samples through the kernel instead)")
    return m["name"], m["op"] == ">", float(m["num"])


def unsupported(name: str, owner: str) -> NotImplementedError:
    return NotImplementedError(f"{owner}.run_vectorized cannot invert a milestone on {name!r}")


def milestone_dataset(years: Mapping[str, np.ndarray], conditions: Mapping[str, Any],
                      start_year: float, horizon: float, n: int) -> xr.Dataset:
    """``milestone_year(sample, milestone)`` for ``n`` samples, NaN beyond the horizon."""
    names = list(years)
    table = np.stack([np.asarray(years[k], dtype=float) for k in names], axis=1) if names \
        else np.empty((n, 0))
    with np.errstate(invalid="ignore"):
        table = np.where(table <= start_year + horizon, table, np.nan)
    return xr.Dataset(
        {
            "milestone_year": (("sample", "milestone"), table, {
                "units": "year",
                "long_name": "decimal year the milestone was first reached (NaN: not reached)"}),
            "milestone_condition": ("milestone", np.array(
                [str(getattr(conditions[k], "text", conditions[k])) for k in names], dtype=str),
                {"long_name": "milestone condition"}),
        },
        coords={"sample": np.arange(n), "milestone": np.array(names, dtype=str)},
    )
