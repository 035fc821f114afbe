"""The Python entry points: load a scenario, run it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from . import __version__
from .core.random import resolve_seed
from .plugins import load_plugins
from .scenario import Scenario, load_scenario


def run(scenario: Scenario | str | Path, seed: int | np.random.SeedSequence | None = None, *,
        overrides: dict[str, Any] | None = None, components: dict[str, Any] | None = None,
        plugins: Sequence[str] | None = None) -> xr.Dataset:
    """Run one scenario and return its results.

    Parameters
    ----------
    scenario
        a loaded `Scenario` or the path of a scenario file.
    seed
        overrides the scenario's `seed`.
    overrides
        dotted-path parameter overrides, e.g. `{"components.jones.phi": 0.3}`.
    components
        replacement component classes or instances by name (your own subclass).
    plugins
        modules (or `.py` files) defining your own components, imported before the
        scenario is read (`rsi_sim.plugins`).

    Returns
    -------
    xarray.Dataset
        Dims `time` (decimal years), `milestone`, `event`; scalar metrics `diverged` and
        `divergence_time`; `attrs` hold the resolved scenario, seed and package version.

    Examples
    --------
    >>> import rsi_sim
    >>> ds = rsi_sim.run("scenarios/reference/jones.yaml", overrides={"components.jones.phi": 0.5})
    >>> bool(ds["diverged"])
    False
    """
    load_plugins(plugins)
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if overrides:
        scenario = scenario.with_overrides(overrides)
    seed = resolve_seed(seed, scenario.spec)
    model = scenario.build_model(seed=seed, components=components)
    ds = model.run()
    ds.attrs["seed"] = int(seed) if not isinstance(seed, np.random.SeedSequence) else str(seed.entropy)
    ds.attrs["rsi_sim_version"] = __version__
    return ds
