"""Blockers a new user met in the first hour (issue 15): every command the README shows works
on the README's install, a missing optional package gives exit 2 and the right install line
(printed as written, not eaten as markup), and a script without a __main__ guard is refused up
front by the processes engine, leaving no store behind."""

import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
JONES_ENSEMBLE = ROOT / "scenarios" / "reference" / "jones_ensemble.yaml"


def test_zarr_and_salib_are_core_dependencies_and_dask_an_extra():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    core = {d.split(">")[0].split("[")[0].strip().lower() for d in project["dependencies"]}
    assert {"zarr", "salib"} <= core
    assert "dask" not in core and "distributed" not in core
    assert any(d.startswith("dask[distributed]") for d in project["optional-dependencies"]["dask"])


@pytest.fixture
def without(monkeypatch):
    """Make a package unimportable, as if it were not installed."""

    def hide(*names):
        for name in names:
            for mod in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
                monkeypatch.delitem(sys.modules, mod)
            monkeypatch.setitem(sys.modules, name, None)

    return hide


def test_missing_dask_gives_exit_2_and_the_extra_in_brackets(cli, without, tmp_path):
    without("distributed")
    result = cli("ensemble", JONES_ENSEMBLE, "--engine", "dask", "--samples", "2", "-q",
                 "--set", "horizon=1 y", "-o", tmp_path / "e.zarr")
    assert result.exit_code == 2, result.output
    assert "pip install 'rsi_sim[dask]'" in result.output
    assert "internal error" not in result.output
    assert not (tmp_path / "e.zarr").exists()


def test_missing_zarr_gives_exit_2_and_the_install_line(cli, without, tmp_path):
    without("zarr")
    result = cli("ensemble", JONES_ENSEMBLE, "--samples", "2", "-q", "--set", "horizon=1 y",
                 "-o", tmp_path / "e.zarr")
    assert result.exit_code == 2, result.output
    assert "needs the Python package 'zarr', which is not installed: pip install zarr" in result.output
    assert list(tmp_path.iterdir()) == []


def test_missing_salib_gives_exit_2_and_the_install_line(cli, without):
    without("SALib")
    result = cli("sensitivity", JONES_ENSEMBLE, "--metric", "diverged", "--samples", "2", "-q")
    assert result.exit_code == 2, result.output
    assert "pip install SALib" in result.output


def test_user_text_in_messages_is_never_markup(cli, tmp_path):
    """A path holding brackets, as an install line does, is printed as it is."""
    bad = tmp_path / "[bold]x[/bold]"
    result = cli("run", bad / "s.yaml")
    assert result.exit_code == 2
    assert "[bold]x[/bold]" in result.output


SCRIPT = """\
import rsi_sim

{indent}ds = rsi_sim.run_ensemble({scenario!r}, samples=4, engine="processes", workers=2,
{indent}                          overrides={{"horizon": "2 y"}}, output="jones.zarr")
{indent}print("statuses", ds["status"].values.tolist())
"""


def _script(tmp_path, guarded: bool) -> subprocess.CompletedProcess:
    body = SCRIPT.format(indent="    " if guarded else "", scenario=str(JONES_ENSEMBLE))
    if guarded:
        body = body.replace("import rsi_sim\n\n", "import rsi_sim\n\nif __name__ == \"__main__\":\n")
    path = tmp_path / "ensemble_script.py"
    path.write_text(body)
    return subprocess.run([sys.executable, str(path)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=240)


def test_a_script_without_a_main_guard_is_refused_in_one_line_and_leaves_no_store(tmp_path):
    proc = _script(tmp_path, guarded=False)
    assert proc.returncode != 0
    message = proc.stderr.strip().splitlines()[-1]
    assert "ensemble_script.py, line 3" in message
    assert 'if __name__ == "__main__":' in message and "sequential" in message
    assert "RuntimeError" not in proc.stderr and "bootstrapping" not in proc.stderr
    assert len(proc.stderr.splitlines()) < 20
    assert not (tmp_path / "jones.zarr").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["ensemble_script.py"]


def test_the_same_script_with_the_guard_runs(tmp_path):
    proc = _script(tmp_path, guarded=True)
    assert proc.returncode == 0, proc.stderr
    assert "statuses [1, 1, 1, 1]" in proc.stdout
    assert (tmp_path / "jones.zarr").is_dir()


def test_a_store_with_nothing_finished_is_removed(tmp_path, monkeypatch):
    import rsi_sim
    from rsi_sim.ensemble import evaluators

    def fail(*args, **kwargs):
        raise RuntimeError("workers could not start")

    monkeypatch.setattr(evaluators, "evaluate_batch", fail)  # what every engine calls
    with pytest.raises(RuntimeError):
        rsi_sim.run_ensemble(JONES_ENSEMBLE, samples=2, output=tmp_path / "j.zarr",
                             overrides={"horizon": "1 y"})
    assert list(tmp_path.iterdir()) == []


def test_the_docs_example_has_the_guard():
    text = (ROOT / "docs" / "ensembles.md").read_text()
    block = text.split('engine="processes"')[0].rsplit("```python", 1)[1]
    assert 'if __name__ == "__main__":' in block, textwrap.shorten(block, 200)
