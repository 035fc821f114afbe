"""Determinism: the same scenario and seed give byte-identical numbers, run after run and
process after process (hash seeds differ between processes), for every shipped scenario."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import rsi_sim

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "scenarios").rglob("*.y*ml"))


def numbers(ds: xr.Dataset) -> dict[str, bytes]:
    """The raw bytes of every numeric variable and coordinate."""
    out = {}
    for name, var in {**ds.coords, **ds.data_vars}.items():
        if var.dtype.kind in "biuf":
            out[name] = np.ascontiguousarray(var.values).tobytes()
    return out


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_same_seed_same_bytes_in_process_and_across_processes(path, tmp_path):
    first = numbers(rsi_sim.run(str(path)))
    assert numbers(rsi_sim.run(str(path))) == first
    out = tmp_path / "run.nc"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "12345"}
    proc = subprocess.run([sys.executable, "-m", "rsi_sim", "run", str(path), "-q", "-o", str(out)],
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    with xr.open_dataset(out) as ds:
        assert numbers(ds.load()) == first


def test_a_different_seed_is_recorded(tmp_path):
    path = SHIPPED[0]
    ds = rsi_sim.run(str(path), seed=7)
    assert ds.attrs["seed"] == 7


# ---- ensembles: the engine and the number of workers do not change a number -----------------

def _has_ensemble(path: Path) -> bool:
    from rsi_sim import load_scenario

    scenario = load_scenario(path)  # an uncertainty: or ensemble: section, its own or inherited
    return bool(scenario.spec.uncertainty) or "ensemble" in (scenario.data or {})


ENSEMBLES = [p for p in SHIPPED if _has_ensemble(p)]
#: a few samples in several batches (so batches finish out of order on 2 workers)
ENSEMBLE_KW = dict(samples=6, batch_size=2)


def _same_ensemble(a: xr.Dataset, b: xr.Dataset, what: str) -> None:
    xr.testing.assert_identical(a, b)
    assert numbers(a) == numbers(b), what
    assert (a["status"].values == 1).all(), (what, a["error"].values)


@pytest.mark.parametrize("path", ENSEMBLES, ids=[p.stem for p in ENSEMBLES])
def test_ensemble_identical_across_engines_and_workers(path):
    from rsi_sim import run_ensemble

    sequential = run_ensemble(path, **ENSEMBLE_KW)
    processes = run_ensemble(path, engine="processes", workers=2, **ENSEMBLE_KW)
    _same_ensemble(sequential, processes, f"{path.name}: processes (2 workers) vs sequential")


def test_ensemble_scenarios_are_found():
    names = {p.name for p in ENSEMBLES}
    assert {"jones_ensemble.yaml", "baseline.yaml"} <= names, names


def test_baseline_ensemble_identical_on_dask():
    """Dask on the kernel-path RSI baseline (tests/ensemble covers Dask on Jones)."""
    pytest.importorskip("distributed")
    from rsi_sim import run_ensemble

    path = ROOT / "scenarios" / "baseline.yaml"
    sequential = run_ensemble(path, **ENSEMBLE_KW)
    dask = run_ensemble(path, engine="dask", workers=2, **ENSEMBLE_KW)
    _same_ensemble(sequential, dask, "baseline: dask (2 workers) vs sequential")
