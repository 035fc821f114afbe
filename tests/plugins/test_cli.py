"""``--plugin`` on the command line: the worked example of docs/components.md, run through
every command and engine."""

from pathlib import Path

import pytest
import xarray as xr

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
PLUGIN = EXAMPLES / "feedback.py"
SCENARIO = EXAMPLES / "feedback.yaml"


def test_without_the_plugin_the_error_says_how_to_register(cli):
    result = cli("run", SCENARIO)
    assert result.exit_code == 2
    assert "feedback.yaml, line 7: components.feedback: unknown component 'feedback'" in result.output
    assert "--plugin MODULE" in result.output


def test_run_validate_describe_with_the_plugin(cli, tmp_path):
    result = cli("run", SCENARIO, "--plugin", PLUGIN, "-o", tmp_path / "f.nc",
                 "--set", "components.feedback.returns=0.5")
    assert result.exit_code == 0, result.output
    ds = xr.open_dataset(tmp_path / "f.nc")
    assert "returns: 0.5" in ds.attrs["scenario"] and "ai_share" in ds
    assert {"ai_majority", "tenfold"} == set(ds["milestone"].values)
    assert cli("validate", SCENARIO, "--plugin", PLUGIN).exit_code == 0
    described = cli("describe", SCENARIO, "--plugin", PLUGIN)
    assert described.exit_code == 0 and "compute_growth" in described.output
    assert "feedback: A component of your own" in described.output


@pytest.mark.parametrize("engine", ["processes", "dask"])
def test_ensemble_with_the_plugin_is_identical_on_every_engine(cli, tmp_path, engine):
    if engine == "dask":
        pytest.importorskip("distributed")
    common = ("ensemble", SCENARIO, "--plugin", PLUGIN, "--samples", "6", "--batch-size", "2",
              "-q")
    seq = cli(*common, "-o", tmp_path / "seq.zarr")
    assert seq.exit_code == 0, seq.output
    other = cli(*common, "--engine", engine, "--workers", "2", "-o", tmp_path / "other.zarr")
    assert other.exit_code == 0, other.output
    a, b = xr.open_zarr(tmp_path / "seq.zarr").load(), xr.open_zarr(tmp_path / "other.zarr").load()
    assert (a["status"].values == 1).all(), a["error"].values
    xr.testing.assert_identical(a, b)


def test_sensitivity_and_compare_take_plugins(cli, tmp_path):
    result = cli("sensitivity", SCENARIO, "--plugin", PLUGIN, "--metric", "milestone_year:tenfold",
                 "--samples", "8", "-q", "-o", tmp_path / "s.nc")
    assert result.exit_code == 0, result.output
    ds = xr.open_dataset(tmp_path / "s.nc")
    assert set(ds["parameter"].values) == {"components.feedback.returns",
                                           "components.feedback.compute_growth"}
    other = tmp_path / "other.yaml"
    other.write_text(SCENARIO.read_text().replace("name: Software feedback loop", "name: Slower")
                     .replace("returns: 0.8", "returns: 0.5"))
    result = cli("compare", SCENARIO, other, "--plugin", PLUGIN)
    assert result.exit_code == 0, result.output
    assert "Slower" in result.output
