"""Sobol indices via SALib: the dominant parameter ranks first; metrics are read correctly."""

import numpy as np
import pytest
import xarray as xr

from rsi_sim import sensitivity
from rsi_sim.analysis.sensitivity import metric_values
from rsi_sim.core.errors import RsiSimError

SCENARIO = "scenarios/reference/jones_ensemble.yaml"


def test_delta_dominates_early_growth():
    # Over a short horizon ln A(t) ~ delta * t: delta explains nearly all of A's variance.
    ds = sensitivity(SCENARIO, "final:A", samples=16, overrides={"horizon": "6 months"})
    assert ds["parameter"].values[0] == "components.jones.delta"
    assert float(ds["ST"].sel(parameter="components.jones.delta")) > 0.8
    assert float(ds["ST"].sel(parameter="components.jones.lam")) < 0.1
    assert set(ds.data_vars) >= {"S1", "S1_conf", "ST", "ST_conf"}
    assert ds.attrs["model_runs"] == 16 * 5


def test_unknown_metric_or_milestone_is_a_user_error():
    with pytest.raises(RsiSimError, match="no milestone 'SAR'"):
        sensitivity(SCENARIO, "milestone_year:SAR", samples=1, overrides={"horizon": "1 month"})
    with pytest.raises(RsiSimError, match="unknown --metric"):
        sensitivity(SCENARIO, "median", samples=1, overrides={"horizon": "1 month"})


def test_metrics_censor_at_the_horizon():
    ds = xr.Dataset(
        {"milestone_year": (("sample", "milestone"), [[2030.0], [np.nan]]),
         "A": (("sample", "time"), [[1.0, 2.0, np.nan], [1.0, 5.0, 7.0]])},
        coords={"milestone": ["SAR"]}, attrs={"start_year": 2026.0, "end_year": 2040.0})
    assert metric_values(ds, "milestone_year:SAR").tolist() == [2030.0, 2040.0]
    assert metric_values(ds, "final:A").tolist() == [2.0, 7.0]
    assert metric_values(ds, "max:A").tolist() == [2.0, 7.0]


def test_indices_are_written_to_csv(cli, tmp_path):
    """`--output` names .csv as a choice; it used to fail with an internal error."""
    import pandas as pd

    out = tmp_path / "s.csv"
    res = cli("sensitivity", SCENARIO, "--samples", "2", "--metric", "final:A", "-q",
              "--set", "horizon=1 month", "-o", out)
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out)
    assert set(table["parameter"]) == {"components.jones.phi", "components.jones.delta",
                                       "components.jones.lam"}
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(table.columns)


def test_the_table_warns_when_the_ranking_is_not_reliable():
    from rsi_sim.analysis.sensitivity import DEFAULT_SAMPLES, sensitivity_table, unreliable

    def indices(st, conf):
        n = len(st)
        return xr.Dataset({"S1": ("parameter", st), "S1_conf": ("parameter", [0.01] * n),
                           "ST": ("parameter", st), "ST_conf": ("parameter", conf),
                           "distribution": ("parameter", ["uniform(0, 1)"] * n)},
                          coords={"parameter": [f"components.x.p{i}" for i in range(n)]},
                          attrs={"base_samples": 64, "metric": "m", "model_runs": 448})

    overlapping = indices([0.6, 0.47, 0.02], [0.1, 0.1, 0.01])
    assert "x.p0 and x.p1 overlap" in unreliable(overlapping)
    note = sensitivity_table(overlapping).notes[0]
    assert "rerun with --samples 256 or more (now 64" in note
    assert unreliable(indices([0.6, 0.3, 0.02, 0.01], [0.14, 0.08, 0.01, 0.02])) == ""
    assert "±0.30" in unreliable(indices([0.6, 0.1], [0.3, 0.01]))
    assert DEFAULT_SAMPLES == 256
