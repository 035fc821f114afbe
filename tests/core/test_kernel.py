"""Kernel behaviour: discrete changes, interpolated crossings, the output grid, clean stops."""

import math

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from rsi_sim import load_scenario
from rsi_sim.components.milestones import Milestones
from rsi_sim.core import Component, Model, Param, SimulationError, parse_condition


class Growth(Component):
    """X grows at rate g; at ``switch_at`` a discrete event changes g to ``g2``."""

    name = "growth"
    g = Param(0.5, unit="1/year")
    g2 = Param(2.0, unit="1/year")
    switch_at = Param(1.0, unit="year")

    def build(self, model):
        super().build(model)
        self.rate = self.g
        model.add_stock("X", 1.0, unit="1", long_name="X", owner=self.name)
        model.add_variable("rate", lambda s: self.rate + 0 * s["t"], unit="1/year", long_name="g")

    def start(self):
        self.env.process(self._switch())

    def _switch(self):
        yield self.env.timeout(self.switch_at)
        with self.model.change():
            self.rate = self.g2
        self.model.log("switch", self.name, rate=self.g2)

    def rates(self, state):
        return {"X": self.rate}

    def exact(self, t):
        t = np.asarray(t)
        return np.where(t <= self.switch_at, np.exp(self.g * t),
                        np.exp(self.g * self.switch_at + self.g2 * (t - self.switch_at)))


def test_a_discrete_change_restarts_the_integrator_exactly():
    comp = Growth(g=0.5, g2=2.0, switch_at=1.3)
    ds = Model([comp], horizon=3.0, output_step=0.05).run()
    t = ds["time"].values - 2026
    np.testing.assert_allclose(ds["X"].values, comp.exact(t), rtol=1e-7)
    # the grid point at the switch records the post-switch rate, the one before the pre-switch rate
    rate = ds["rate"].values
    assert rate[np.searchsorted(t, 1.25)] == 0.5 and rate[np.searchsorted(t, 1.35)] == 2.0


@settings(max_examples=30, deadline=None)
@given(g=st.floats(0.05, 3.0), threshold=st.floats(1.5, 1e6), switch=st.floats(0.1, 5.0))
def test_crossings_fire_at_the_interpolated_time(g, threshold, switch):
    comp = Growth(g=g, g2=2 * g, switch_at=switch)
    ms = Milestones({"hit": parse_condition(f"X >= {threshold!r}")})
    horizon = 40.0
    ds = Model([comp, ms], horizon=horizon, output_step=1.0).run()
    ln = math.log(threshold)
    t_exact = ln / g if ln / g <= switch else switch + (ln - g * switch) / (2 * g)
    got = float(ds["milestone_year"].sel(milestone="hit")) - 2026
    if t_exact > horizon:
        assert math.isnan(got)
    else:
        assert abs(got - t_exact) < 1e-6 * max(1.0, t_exact)


def test_stop_condition_ends_the_run_and_leaves_the_rest_unrecorded():
    comp = Growth(g=1.0, g2=1.0)
    ds = Model([comp], horizon=10.0, output_step=0.5, stop_when=parse_condition("X >= 100")).run()
    t_stop = math.log(100)
    t = ds["time"].values - 2026
    assert ds.attrs["stop_reason"].startswith("stop condition")
    assert np.all(np.isfinite(ds["X"].values[t <= t_stop]))
    assert np.all(np.isnan(ds["X"].values[t > t_stop + 1e-9]))
    assert not bool(ds["diverged"])


def test_output_grid_and_labels():
    ds = Model([Growth()], start_year=2030.0, horizon=2.0, output_step=0.25).run()
    np.testing.assert_allclose(ds["time"].values, 2030 + np.arange(9) * 0.25)
    assert ds["X"].attrs["units"] == "1" and ds["X"].attrs["long_name"] == "X"
    assert list(ds["event_kind"].values) == ["switch"]
    assert math.isclose(float(ds["event_time"].values[0]), 2031.0)


class Noisy(Growth):
    """Switches at a random time drawn from the model's generator."""

    name = "noisy"

    def _switch(self):
        yield self.env.timeout(self.model.rng.exponential(1.0))
        with self.model.change():
            self.rate = self.g2


def test_same_seed_same_numbers_and_different_seed_different_numbers():
    def go(seed):
        return Model([Noisy()], horizon=5.0, seed=seed).run()

    xr.testing.assert_identical(go(7), go(7))
    assert not np.array_equal(go(7)["X"].values, go(8)["X"].values)


def test_unknown_names_in_a_watch_are_reported():
    model = Model([Growth()], horizon=1.0)
    model.build()
    with pytest.raises(SimulationError, match="unknown name"):
        model.watch(parse_condition("Y >= 3"))


def test_a_missing_needed_component_is_reported():
    class Needy(Component):
        name = "needy"
        needs = ("software",)

    with pytest.raises(SimulationError, match="needs 'software'"):
        Model([Needy()], horizon=1.0).run()


def test_horizon_must_be_positive():
    with pytest.raises(SimulationError, match="positive"):
        Model([Growth()], horizon=-1.0)


def test_a_run_in_pieces_is_the_run_in_one_bit_for_bit():
    scenario = load_scenario("scenarios/managed_slowdown.yaml", {"horizon": "2031-01-01"})
    whole = scenario.build_model().run()
    model = scenario.build_model()
    model.begin()
    for t in np.arange(0.01, 5.0, 0.0371):  # pieces that end between and on events alike
        model.advance(float(t))
        assert model.env.now == pytest.approx(float(t)) or model.finished
    model.advance(model.horizon)
    assert model.finished
    xr.testing.assert_identical(whole, model.results())
