"""`rsi-sim plot` and `rsi-sim run --plot`: the files written open as images."""

from __future__ import annotations

import matplotlib.image
import pytest

BASELINE = "scenarios/baseline.yaml"
SHORT = ("--set", "horizon=2030-01-01")


def opens(path) -> bool:
    image = matplotlib.image.imread(path)
    return image.ndim == 3 and image.shape[0] > 200 and image[..., :3].std() > 0.01


def test_run_writes_the_takeoff_figure(cli, tmp_path):
    fig, nc = tmp_path / "takeoff.png", tmp_path / "run.nc"
    result = cli("run", BASELINE, *SHORT, "-o", nc, "--plot", fig)
    assert result.exit_code == 0, result.output
    assert "takeoff figure" in result.output and opens(fig) and nc.exists()


def test_run_checks_the_figure_path_before_running(cli, tmp_path):
    result = cli("run", BASELINE, "--plot", tmp_path / "takeoff.gif")
    assert result.exit_code == 2 and "unknown output type" in result.output
    result = cli("run", BASELINE, "--plot", tmp_path / "missing" / "takeoff.png")
    assert result.exit_code == 2 and "does not exist" in result.output


@pytest.fixture(scope="module")
def results_nc(tmp_path_factory, run):
    path = tmp_path_factory.mktemp("results") / "run.nc"
    from rsi_sim import io

    io.write(run, path)
    return path


@pytest.mark.parametrize("kind", [None, "judgment", "generations"])
def test_plot_a_run(cli, tmp_path, results_nc, kind):
    fig = tmp_path / "fig.png"
    result = cli("plot", results_nc, "-o", fig, *(("--kind", kind) if kind else ()))
    assert result.exit_code == 0, result.output
    assert f"({kind or 'takeoff'} figure)" in result.output and opens(fig)


@pytest.mark.parametrize("suffix, magic", [(".svg", b"<?xml"), (".pdf", b"%PDF")])
def test_plot_vector_formats(cli, tmp_path, results_nc, suffix, magic):
    fig = tmp_path / f"fig{suffix}"
    assert cli("plot", results_nc, "--kind", "judgment", "-o", fig, "-q").exit_code == 0
    assert fig.read_bytes().startswith(magic)


def test_plot_picks_the_figure_from_the_dimensions(cli, tmp_path, comparison, ensemble):
    for name, ds, kind in (("cmp", comparison, "comparison"), ("ens", ensemble, "bands")):
        nc, fig = tmp_path / f"{name}.nc", tmp_path / f"{name}.png"
        ds.to_netcdf(nc)
        result = cli("plot", nc, "-o", fig)
        assert result.exit_code == 0, result.output
        assert f"({kind} figure)" in result.output and opens(fig)
    result = cli("plot", tmp_path / "ens.nc", "--kind", "milestones", "-o", tmp_path / "ms.png")
    assert result.exit_code == 0, result.output and opens(tmp_path / "ms.png")


def test_plot_errors_are_one_paragraph(cli, tmp_path, results_nc):
    wrong = cli("plot", results_nc, "--kind", "bands", "-o", tmp_path / "f.png")
    assert wrong.exit_code == 2 and "needs the dimension(s) 'sample'" in wrong.output
    unknown = cli("plot", results_nc, "--kind", "pie", "-o", tmp_path / "f.png")
    assert unknown.exit_code == 2 and "--kind must be one of" in unknown.output
    missing = cli("plot", tmp_path / "nope.nc", "-o", tmp_path / "f.png")
    assert missing.exit_code == 2 and "no such results file" in missing.output
    bad_ext = cli("plot", results_nc, "-o", tmp_path / "f.bmp")
    assert bad_ext.exit_code == 2 and "unknown output type" in bad_ext.output
    assert not (tmp_path / "f.png").exists()


def test_figure_types_agree():
    from rsi_sim import cli, plot

    assert cli.FIGURE_TYPES == plot.FIGURE_TYPES and set(cli.FIGURE_KINDS) == set(plot.KINDS)
