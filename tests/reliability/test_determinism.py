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
