"""A scalar result of any component reaches ensemble stores through the component's own
declarations: ``outputs()`` gives it per run, ``sample_results`` names it (with its attrs) for
the store. Nothing in ``ensemble/`` knows the name (docs/architecture.md, "An output")."""

import math

import numpy as np
import pytest
import xarray as xr

import rsi_sim
from rsi_sim.core import Component, Param


class Savings(Component):
    """A stock compounding at a fixed rate (kernel only: no ``run_vectorized``); its scalar
    result is the doubling time of the stock."""

    name = "test_savings"

    rate = Param(0.05, unit="1/year", bounds=(0.001, 1.0), doc="growth rate of the stock")

    #: declared once: the store's variable and its attrs
    sample_results = {"doubling_years": {"units": "year", "long_name": "doubling time of the stock"}}

    def build(self, model):
        super().build(model)
        model.add_stock("savings", 1.0, unit="1", long_name="savings", log=True, owner=self.name)

    def rates(self, state):
        return {"savings": self.rate}

    def outputs(self):
        attrs = self.sample_results["doubling_years"]
        return {"doubling_years": ((), math.log(2.0) / self.rate, attrs)}


SCENARIO = """\
name: Savings under uncertainty
start: 2026-01-01
horizon: 5 y
components:
  test_savings: {}
uncertainty:
  components.test_savings.rate: {dist: uniform, low: 0.02, high: 0.2}
"""


@pytest.fixture
def savings(write):
    rsi_sim.register_component(Savings)
    return write(SCENARIO)


def _check(ds: xr.Dataset) -> None:
    assert (ds["status"].values == 1).all(), ds["error"].values
    result = ds["doubling_years"]
    assert result.dims == ("sample",) and result.attrs["units"] == "year"
    assert result.attrs["long_name"] == "doubling time of the stock"
    rate = ds["components.test_savings.rate"].values
    np.testing.assert_allclose(result.values, math.log(2.0) / rate, rtol=1e-15)


def test_a_new_scalar_result_reaches_the_store_in_process(savings, tmp_path):
    in_memory = rsi_sim.run_ensemble(savings, samples=4, seed=2)
    _check(in_memory)
    on_disk = rsi_sim.run_ensemble(savings, samples=4, seed=2, output=tmp_path / "s.zarr").load()
    _check(on_disk)
    xr.testing.assert_identical(in_memory["doubling_years"], on_disk["doubling_years"])


def test_a_new_scalar_result_reaches_the_store_from_worker_processes(savings, tmp_path):
    ds = rsi_sim.run_ensemble(savings, samples=4, seed=2, engine="processes", workers=2,
                              batch_size=2, output=tmp_path / "p.zarr").load()
    _check(ds)
    xr.testing.assert_identical(ds["doubling_years"],
                                rsi_sim.run_ensemble(savings, samples=4, seed=2)["doubling_years"])
