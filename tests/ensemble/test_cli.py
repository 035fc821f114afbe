"""The ensemble and sensitivity commands."""

from typer.testing import CliRunner

from rsi_sim.cli import app

from .conftest import JONES_ENSEMBLE

runner = CliRunner()


def test_ensemble_command_prints_the_summary_and_writes_zarr(tmp_path):
    out = tmp_path / "e.zarr"
    args = ["ensemble", JONES_ENSEMBLE, "--samples", "6", "--set", "horizon=12 y", "-o", str(out), "--by", "2030"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "Milestones" in res.output and "by 2030" in res.output and "tenfold" in res.output
    again = runner.invoke(app, [*args, "--seed", "9", "--resume"])
    assert again.exit_code == 2 and "cannot resume" in again.output


def test_sensitivity_command_prints_a_ranked_table():
    res = runner.invoke(app, ["sensitivity", JONES_ENSEMBLE, "--samples", "2", "--metric", "final:A",
                              "--set", "horizon=3 months", "-q"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["sensitivity", JONES_ENSEMBLE, "--samples", "2", "--metric", "final:A",
                              "--set", "horizon=3 months"])
    assert res.exit_code == 0 and "jones.delta" in res.output and "total ST" in res.output


def test_bad_engine_is_a_user_error():
    res = runner.invoke(app, ["ensemble", JONES_ENSEMBLE, "-n", "2", "--engine", "mpi", "-q"])
    assert res.exit_code == 2 and "unknown engine" in res.output
