"""Real runs of the baseline, stacked into the shapes other parts of rsi_sim produce.

Comparisons (``scenario`` dim), ensembles (``sample`` dim) and sensitivity indices
(``parameter`` dim) are built here from real runs with different parameters, so the figures are
tested on real model output without depending on the compare, ensemble or sensitivity code.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import xarray as xr  # noqa: E402

import rsi_sim  # noqa: E402

HORIZON = {"horizon": "2033-01-01"}  # past every baseline milestone, short enough to be quick
RETURNS = (0.9, 1.2, 1.6)  # software.r: three ensemble "samples"


@pytest.fixture(scope="session")
def scenario():
    return rsi_sim.load_scenario("scenarios/baseline.yaml", HORIZON)


@pytest.fixture(scope="session")
def run(scenario) -> xr.Dataset:
    """One baseline run."""
    return rsi_sim.run(scenario)


@pytest.fixture(scope="session")
def runs(scenario, run) -> list[xr.Dataset]:
    """Baseline runs with different returns to software R&D (the middle one is the baseline)."""
    return [run if r == 1.2 else rsi_sim.run(scenario, overrides={"components.software.r": r})
            for r in RETURNS]


def _time_only(ds: xr.Dataset) -> xr.Dataset:
    # the event log and generation table differ in length between runs
    return ds.drop_dims(["event", "gen"])


@pytest.fixture(scope="session")
def ensemble(runs) -> xr.Dataset:
    """An ensemble-shaped Dataset: time variables over (sample, time), milestone_year over
    (sample, milestone), the sampled parameter over sample."""
    ds = xr.concat([_time_only(d) for d in runs], dim="sample", data_vars="all",
                   combine_attrs="override")
    ds["components.software.r"] = ("sample", np.array(RETURNS), {"units": "1"})
    return ds


@pytest.fixture(scope="session")
def comparison(runs) -> xr.Dataset:
    """A comparison-shaped Dataset: two scenarios named on the ``scenario`` coordinate, with
    ``training_paused`` over (scenario, time) marking a pause while 5 <= multiplier < 25 in the
    second (as a pause policy would)."""
    names = ["baseline", "pause at SC"]
    ds = xr.concat([_time_only(runs[1]), _time_only(runs[2])], dim=pd.Index(names, name="scenario"),
                   data_vars="all", combine_attrs="override")
    m = ds["ai_rd_multiplier"]
    active = (m >= 5) & (m < 25) & (ds["scenario"] == names[1])
    ds["training_paused"] = active.astype(float).transpose("scenario", "time")
    ds["time_paused"] = ("scenario", [0.0, float(active.sum()) / 12], {"units": "year"})
    return ds


@pytest.fixture(scope="session")
def indices(scenario, run) -> xr.Dataset:
    """Sensitivity-shaped indices over ``parameter`` from one-at-a-time runs: each parameter's
    share of the squared change in the SAR date (a stand-in for Sobol indices, same layout)."""
    base = float(run["milestone_year"].sel(milestone="SAR"))
    changes = {"components.software.r": 1.5, "components.judgment.initial_taste_sd": -3.0,
               "components.compute.spending_growth": 2.5}
    shifts = []
    for path, value in changes.items():
        ds = rsi_sim.run(scenario, overrides={path: value})
        shifts.append((float(ds["milestone_year"].sel(milestone="SAR")) - base) ** 2)
    st = np.array(shifts) / sum(shifts)
    return xr.Dataset({"S1": ("parameter", 0.8 * st), "ST": ("parameter", st),
                       "ST_conf": ("parameter", 0.1 * st), "S1_conf": ("parameter", 0.1 * st)},
                      coords={"parameter": list(changes)}, attrs={"metric": "SAR date"})
