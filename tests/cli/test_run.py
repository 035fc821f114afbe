"""`rsi-sim run`, `validate`, `describe` and the output files."""

import math
import os

import numpy as np
import pandas as pd
import pytest
import xarray as xr

JONES = "scenarios/reference/jones.yaml"


def test_run_writes_a_labelled_netcdf(cli, tmp_path):
    out = tmp_path / "j.nc"
    result = cli("run", JONES, "-o", out)
    assert result.exit_code == 0, result.output
    assert "growth diverged" in result.output and "tenfold" in result.output
    ds = xr.open_dataset(out)
    assert ds["A"].attrs["units"] == "1" and ds["A"].attrs["long_name"]
    assert ds["time"].attrs["units"] == "year" and float(ds["time"][0]) == 2026.0
    assert bool(ds["diverged"]) and math.isclose(float(ds["divergence_time"]), 25.0, rel_tol=1e-3)
    assert list(ds["milestone"].values) == ["tenfold", "thousandfold"]
    assert ds["milestone_year"].dims == ("milestone",)
    assert "name: Jones" in ds.attrs["scenario"] and ds.attrs["seed"] == 0
    assert ds.attrs["rsi_sim_version"]
    assert "diverged" in list(ds["event_kind"].values)


def test_set_and_seed_are_applied_and_recorded(cli, tmp_path):
    out = tmp_path / "j.nc"
    result = cli("run", JONES, "--set", "components.jones.phi=0.5", "--seed", "11", "-o", out)
    assert result.exit_code == 0, result.output
    ds = xr.open_dataset(out)
    assert not bool(ds["diverged"]) and ds.attrs["seed"] == 11
    assert "phi: 0.5" in ds.attrs["scenario"]
    t = ds["time"].values - 2026
    np.testing.assert_allclose(ds["A"].values, np.exp(0.2 * t), rtol=1e-6)


def test_csv_output_is_tidy(cli, tmp_path):
    out = tmp_path / "j.csv"
    assert cli("run", JONES, "-o", out, "-q").exit_code == 0
    df = pd.read_csv(out)
    assert set(df.columns) == {"variable", "time", "milestone", "value", "units"}
    assert set(df["variable"]) >= {"A", "growth_rate", "milestone_year", "diverged"}


def test_same_scenario_and_seed_give_identical_files(cli, tmp_path):
    a, b = tmp_path / "a.nc", tmp_path / "b.nc"
    cli("run", JONES, "-o", a, "-q")
    cli("run", JONES, "-o", b, "-q")
    xr.testing.assert_identical(xr.open_dataset(a), xr.open_dataset(b))


def test_unwritable_output_fails_before_running_and_leaves_nothing(cli, tmp_path):
    bad_ext = cli("run", JONES, "-o", tmp_path / "x.xlsx")
    assert bad_ext.exit_code == 2 and "unknown output type" in bad_ext.output
    missing_dir = cli("run", JONES, "-o", tmp_path / "nope" / "x.nc")
    assert missing_dir.exit_code == 2 and "does not exist" in missing_dir.output
    assert os.listdir(tmp_path) == []


def test_a_failed_write_keeps_the_previous_file(tmp_path, monkeypatch):
    import rsi_sim
    from rsi_sim import io

    out = tmp_path / "j.nc"
    ds = rsi_sim.run(JONES)
    io.write(ds, out)
    before = out.read_bytes()

    def explode(self, path, **kw):
        with open(path, "wb") as f:
            f.write(b"partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(xr.Dataset, "to_netcdf", explode)
    with pytest.raises(io.OutputError, match="No space left"):
        io.write(ds, out)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["j.nc"]


def test_validate_and_describe(cli):
    ok = cli("validate", JONES)
    assert ok.exit_code == 0 and "ok" in ok.output
    desc = cli("describe", JONES)
    assert desc.exit_code == 0
    # parameters grouped under their component, each with its source
    assert "jones: Jones (1995) semi-endogenous growth" in desc.output
    for name in ("delta", "lam", "phi", "A0", "Jones (1995), illustrative"):
        assert name in desc.output
    assert "tenfold" in desc.output and "A >= 10" in desc.output  # milestones
    assert "growth_rate" in desc.output  # the names conditions may use


def test_describe_fits_80_columns_without_breaking_words(cli):
    """A pipe is 80 columns: every line fits, and no parameter name or value is cut."""
    desc = cli("describe", "baseline")
    assert desc.exit_code == 0
    lines = desc.output.splitlines()
    assert max(map(len, lines)) <= 80
    from rsi_sim.components import SHIPPED

    words = {w for line in lines for w in line.split()}
    for comp in ("compute", "software", "generations"):
        for name in SHIPPED[comp].params:
            assert name in words, name  # whole, on one line
    assert not any("…" in line for line in lines)


def test_describe_lists_policies(cli):
    desc = cli("describe", "managed_slowdown", "--format", "json")
    assert desc.exit_code == 0
    import json

    tables = {t["key"]: t for t in json.loads(desc.output)}
    policies = tables["policies"]["rows"]
    assert policies and all(p["action"] for p in policies)
    assert any("evaluation" in p["release"] for p in policies)
    assert "parameters.software" in tables and "names" in tables


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"], ["validate", "--help"], ["describe", "--help"]])
def test_help_is_useful(cli, args):
    result = cli(*args)
    assert result.exit_code == 0
    assert "scenario" in result.output.lower()
