"""A component defined in this test module, registered, and run from a scenario file on the
sequential, processes and Dask engines: identical numbers (issue 15, DESIGN §10)."""

import json

import numpy as np
import pytest
import xarray as xr

import rsi_sim
from rsi_sim.components import JonesResearch
from rsi_sim.core import Component, Param
from rsi_sim.core.numeric import exp


class Adoption(Component):
    """Share of tasks automated: logistic growth sped up by an exogenous investment that grows
    at a fixed rate."""

    name = "test_adoption"

    speed = Param(0.6, unit="1/year", bounds=(0.0, 10.0), doc="adoption speed at the start")
    investment_growth = Param(0.2, unit="1/year", bounds=(0.0, 2.0),
                              doc="growth rate of the exogenous investment")
    share0 = Param(0.01, unit="1", bounds=(1e-6, 0.5), doc="share automated at the start")

    def build(self, model):
        super().build(model)
        model.add_stock("adoption_share", self.share0, unit="1", long_name="share automated",
                        log=False, owner=self.name)
        model.add_variable("investment", lambda s: exp(self.investment_growth * s["t"]),
                           unit="1", long_name="investment relative to the start", owner=self.name)

    def rates(self, state):
        x = state["adoption_share"]
        return {"adoption_share": self.speed * state["investment"] * x * (1.0 - x)}


class SlowJones(JonesResearch):
    """The shipped Jones component under its own name, with a parameter it adds: the stock
    component must never run in its place on any engine."""

    drag = Param(0.5, unit="1", bounds=(0.0, 1.0), doc="share of research lost")

    def rates(self, state):
        return {"A": (1.0 - self.drag) * state["growth_rate"]}


SCENARIO = """\
name: Adoption under uncertainty
start: 2026-01-01
horizon: 10 y
components:
  test_adoption: {speed: 0.5}
milestones:
  half: "adoption_share >= 0.5"
uncertainty:
  components.test_adoption.speed: {dist: uniform, low: 0.3, high: 1.2}
  components.test_adoption.investment_growth: {dist: triangular, low: 0.0, mode: 0.2, high: 0.5}
"""

JONES = """\
name: Slow Jones
horizon: 4 y
components:
  jones: {delta: 0.2, lam: 0.5, phi: 0.7}
milestones:
  tenfold: A >= 10
uncertainty:
  components.jones.drag: {dist: uniform, low: 0.1, high: 0.9}
  components.jones.phi: {dist: uniform, low: 0.3, high: 0.8}
"""

KW = dict(samples=6, seed=3, batch_size=2)
ENGINES = [("sequential", {}), ("processes", {"workers": 2}), ("dask", {"workers": 2})]


@pytest.fixture
def adoption(write):
    rsi_sim.register_component(Adoption)
    return write(SCENARIO)


def _run_everywhere(path, tmp_path):
    out = {}
    for engine, kw in ENGINES:
        if engine == "dask":
            pytest.importorskip("distributed")
        out[engine] = rsi_sim.run_ensemble(path, engine=engine, output=tmp_path / f"{engine}.zarr",
                                           **KW, **kw).load()
    return out


def test_own_component_gives_identical_results_on_every_engine(adoption, tmp_path):
    runs = _run_everywhere(adoption, tmp_path)
    first = runs["sequential"]
    assert (first["status"].values == 1).all(), first["error"].values
    assert json.loads(first.attrs["components"]) == {"test_adoption": f"{__name__}.Adoption"}
    share = first["adoption_share"].values
    assert np.all(np.diff(share, axis=1) > -1e-6) and np.all(share[:, -1] > 2 * share[:, 0])
    # the milestone on the component's own variable is dated, and the samples differ
    assert np.isfinite(first["milestone_year"].sel(milestone="half").values).any()
    assert len(np.unique(first["components.test_adoption.speed"].values)) == KW["samples"]
    for engine in ("processes", "dask"):
        if engine in runs:
            xr.testing.assert_identical(first, runs[engine])


def test_a_subclass_replacing_a_shipped_component_runs_on_every_engine(write, tmp_path):
    rsi_sim.register_component(SlowJones)
    path = write(JONES)
    runs = _run_everywhere(path, tmp_path)
    first = runs["sequential"]
    assert (first["status"].values == 1).all(), first["error"].values
    for engine in ("processes", "dask"):
        if engine in runs:
            xr.testing.assert_identical(first, runs[engine])
    # the parameter the subclass adds was sampled, and used: sample 0 is a plain run of the
    # subclass with its values, and the shipped component gives other numbers
    drag, phi = (float(first[f"components.jones.{p}"].values[0]) for p in ("drag", "phi"))
    assert len(np.unique(first["components.jones.drag"].values)) == KW["samples"]
    seed = rsi_sim.core.random.sample_seed(KW["seed"], 0)
    mine = rsi_sim.run(path, seed, overrides={"components.jones.drag": drag,
                                              "components.jones.phi": phi})
    np.testing.assert_allclose(mine["A"].values, first["A"].values[0], rtol=1e-12)
    stock = rsi_sim.run(path, seed, components={"jones": JonesResearch},
                        overrides={"uncertainty": None, "components.jones.phi": phi})
    assert stock["A"].values[-1] > first["A"].values[0][-1] * 1.01


def test_the_given_designs_run_exactly(adoption):
    import pandas as pd

    designs = pd.DataFrame({"components.test_adoption.speed": [0.4, 0.8, 0.8],
                            "test_adoption.investment_growth": [0.0, 0.0, 0.3]})
    ds = rsi_sim.run_ensemble(adoption, designs=designs, seed=1)
    assert ds.attrs["sampler"] == "given" and ds.sizes["sample"] == 3
    assert ds["components.test_adoption.speed"].values.tolist() == [0.4, 0.8, 0.8]
    assert ds["components.test_adoption.investment_growth"].values.tolist() == [0.0, 0.0, 0.3]
    share = ds["adoption_share"].values[:, -1]
    assert share[0] < share[1] < share[2]
    # row 1 is a plain run with those values
    one = rsi_sim.run(adoption, overrides={"components.test_adoption.speed": 0.8,
                                           "components.test_adoption.investment_growth": 0.0})
    np.testing.assert_allclose(ds["adoption_share"].values[1], one["adoption_share"].values, rtol=1e-12)
