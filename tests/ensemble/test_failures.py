"""A sample that raises is recorded (parameters and error) and the ensemble goes on."""

import numpy as np
import pytest
from rich.console import Console

from rsi_sim import run_ensemble
from rsi_sim.analysis.ensemble_summary import ensemble_tables, milestone_summary
from rsi_sim.components.jones import JonesResearch

from .conftest import JONES_ENSEMBLE, SHORT


@pytest.fixture
def fragile_jones(monkeypatch):
    original = JonesResearch.rates

    def rates(self, state):
        if self.phi > 0.6:
            raise FloatingPointError(f"phi {self.phi:.3f} is too hot")
        return original(self, state)

    monkeypatch.setattr(JonesResearch, "rates", rates)


def test_failed_samples_are_recorded_and_the_rest_run(fragile_jones, tmp_path):
    ds = run_ensemble(JONES_ENSEMBLE, samples=12, seed=2, overrides=SHORT,
                      output=tmp_path / "f.zarr").load()
    phi = ds["components.jones.phi"].values
    failed = ds["status"].values == 2
    assert failed.any() and (~failed).any()
    assert np.array_equal(failed, phi > 0.6)
    assert all("FloatingPointError: phi" in str(e) for e in ds["error"].values[failed])
    assert all(str(e) == "" for e in ds["error"].values[~failed])
    assert np.isnan(ds["A"].values[failed]).all() and np.isfinite(ds["A"].values[~failed, 0]).all()
    s = milestone_summary(ds)
    assert s.attrs["samples_failed"] == failed.sum()
    text = _render(ensemble_tables(ds))
    assert "Failed samples" in text and "too hot" in text


def _render(tables) -> str:
    console = Console(record=True, width=200)
    for t in tables:
        console.print(t)
    return console.export_text()
