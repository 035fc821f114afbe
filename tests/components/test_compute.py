"""Compute inside the economy: each limit binds in a scenario built for it (hand calculations),
and the invariants hold over random parameters and policy caps (hypothesis)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rsi_sim.components import Compute
from rsi_sim.components.compute import CHIPS, LIMITS, MONEY, POWER
from rsi_sim.core import Component, Model

#: Resources so ample that they never bind.
AMPLE_POWER = {"initial_power_gw": 1e5, "power_ceiling_gw": 1e5}
AMPLE_CHIPS = {"initial_chip_production": 1e15}
P0, COST0 = 1.5e6, 4e10 / 1.5e6


def run(horizon=3.0, **params):
    c = Compute(**params)
    return c, Model([c], horizon=horizon).run()


def at(ds, var, year):
    return float(ds[var].sel(time=year))


def test_money_binds_and_grows_at_spending_times_price_performance():
    _, ds = run(slowdown_year=2100.0, **AMPLE_POWER, **AMPLE_CHIPS)
    # hand: a tranche arrives every quarter sized to what the budget pays for on arrival,
    # P(2) = 1.5e6 * (3.19 * 1.35)**2
    assert at(ds, "physical_compute", 2028.0) == pytest.approx(P0 * (3.19 * 1.35) ** 2, rel=1e-9)
    assert at(ds, "compute_spending", 2028.0) == pytest.approx(4e10 * 3.19 ** 2, rel=1e-9)
    assert set(ds["binding_compute_limit"].values) == {MONEY}
    # between arrivals the installed stock is flat (new capacity comes in tranches)
    assert at(ds, "physical_compute", 2026.0 + 1 / 12) == P0
    assert float(ds["training_compute_rate"][0]) == pytest.approx(0.3 * P0 * 1.25e22)
    assert ds["binding_compute_limit"].attrs["flag_meanings"] == " ".join(LIMITS)


def test_slowdown_of_planned_spending():
    _, ds = run(horizon=3.5, slowdown_year=2027.0, **AMPLE_POWER, **AMPLE_CHIPS)
    assert at(ds, "physical_compute", 2029.0) == pytest.approx(
        P0 * (3.19 * 1.35) * (1.5 * 1.35) ** 2, rel=1e-9)


def test_gwp_share_ceiling_binds():
    _, ds = run(spending_share_ceiling=1e-4, **AMPLE_POWER, **AMPLE_CHIPS)
    # hand: budget = 1e-4 * 1.16e14 * 1.031**t < the plan from the start; P = budget / cost(t)
    for t in (0.0, 1.0, 2.0):
        budget = 1e-4 * 1.16e14 * 1.031 ** t
        assert at(ds, "compute_money_allows", 2026.0 + t) == pytest.approx(budget / (COST0 / 1.35 ** t), rel=1e-9)
    assert at(ds, "physical_compute", 2026.0) == pytest.approx(1.16e10 / COST0, rel=1e-9)
    assert np.allclose(ds["spending_share_of_gwp"].values, 1e-4, rtol=1e-9)
    assert set(ds["binding_compute_limit"].values) == {MONEY}


def test_power_binds():
    _, ds = run(initial_power_gw=0.5, slowdown_year=2100.0, **AMPLE_CHIPS)
    # hand: P = 0.5 GW * 2.2**t / (700 W / 1.28**t); 7.14e5 H100e at the start, 2.01e6 a year on
    assert at(ds, "physical_compute", 2026.0) == pytest.approx(0.5e9 / 700, rel=1e-9)
    assert at(ds, "physical_compute", 2027.0) == pytest.approx(0.5e9 * 2.2 / (700 / 1.28), rel=1e-9)
    # on every arrival the stock is built up to what the power can run (between arrivals the
    # power grows ahead of the installed chips)
    quarters = [2026.0 + k / 4 for k in range(12)]
    assert np.allclose(ds["power_draw"].sel(time=quarters), ds["power_available"].sel(time=quarters), rtol=1e-9)
    assert set(ds["binding_compute_limit"].values) == {POWER}
    # the installed chips stand partly idle
    assert at(ds, "installed_compute", 2026.0) == P0


def test_chips_bind():
    c, ds = run(chip_share=0.01, slowdown_year=2100.0, **AMPLE_POWER)
    # hand: each tranche holds 1% of world production over the quarter before it arrives:
    # installed(1) = 1.5e6 + 0.01 * 2.5e7 * (2.4 - 1) / ln 2.4
    assert at(ds, "physical_compute", 2027.0) == pytest.approx(P0 + 0.01 * 2.5e7 * 1.4 / math.log(2.4), rel=1e-9)
    assert c.chip_output(0.0, 1.0) == pytest.approx(2.5e7 * 1.4 / math.log(2.4), rel=1e-12)
    assert set(ds["binding_compute_limit"].sel(time=slice(2026.25, None)).values) == {CHIPS}


def test_exogenous_path_ignores_limits():
    _, ds = run(horizon=2.0, growth_series={2026: 2.0, 2027: 3.0}, chip_share=0.0)
    assert at(ds, "physical_compute", 2028.0) == pytest.approx(P0 * 6.0, rel=1e-6)
    assert set(ds["binding_compute_limit"].values) == {3}


def test_accelerated_gwp_grows_faster_with_automation():
    class Automation(Component):
        name = "capability"

        def build(self, model):
            super().build(model)
            model.add_variable("coding_automation_fraction", lambda s: 0.5 + 0.0 * s["t"], unit="1",
                               long_name="fixed automation")

    c = Compute(gwp_ai_acceleration=True, gwp_automation_transfer=0.8)
    ds = Model([c, Automation()], horizon=2.0).run()
    # hand: d ln GWP/dt = ln 1.031 / (1 - 0.8 * 0.5)
    assert at(ds, "gwp", 2028.0) == pytest.approx(1.16e14 * math.exp(2 * math.log(1.031) / 0.6), rel=1e-6)


def test_training_growth_and_inference_caps():
    c = Compute(slowdown_year=2100.0, **AMPLE_POWER, **AMPLE_CHIPS)
    c.training_growth_cap = 2.0  # before the run: anchored at the start
    ds = Model([c], horizon=2.0).run()
    assert at(ds, "training_compute_rate", 2028.0) == pytest.approx(0.3 * P0 * 1.25e22 * 4, rel=1e-6)
    assert math.isinf(Compute().training_growth_cap)
    c = Compute()
    c.inference_share_cap = 0.1
    ds = Model([c], horizon=0.5).run()
    assert np.allclose(ds["inference_compute"] / ds["physical_compute_flop"], 0.1)


class Caps(Component):
    """Sets the compute component's policy caps at a time, inside model.change()."""

    name = "caps"

    def __init__(self, at_time, **caps):
        super().__init__()
        self.at_time, self.caps = at_time, caps

    def start(self):
        self.env.process(self._set())

    def _set(self):
        yield self.env.timeout(self.at_time)
        with self.model.change():
            for k, v in self.caps.items():
                setattr(self.model["compute"], k, v)


params = st.fixed_dictionaries({
    "spending_growth": st.floats(1.0, 6.0), "late_spending_growth": st.floats(1.0, 3.0),
    "slowdown_year": st.floats(2026.0, 2034.0), "spending_share_ceiling": st.floats(1e-4, 0.2),
    "initial_power_gw": st.floats(0.2, 20.0), "power_growth": st.floats(1.0, 4.0),
    "power_ceiling_gw": st.floats(1.0, 500.0), "flop_per_watt_growth": st.floats(1.0, 1.6),
    "chip_share": st.floats(0.0, 1.0), "chip_production_growth": st.floats(1.0, 3.0),
    "late_chip_production_growth": st.floats(1.0, 2.0), "tranche_interval": st.floats(0.1, 1.0),
    "build_lead_time": st.floats(0.0, 2.5), "gwp_growth": st.floats(1.0, 1.1),
})
caps = st.fixed_dictionaries({}, optional={
    "power_cap": st.floats(1e8, 1e11), "chip_supply_cap": st.floats(0.0, 1e8),
    "spending_cap": st.floats(1e9, 1e12)})


@settings(max_examples=40, deadline=None, derandomize=True)
@given(p=params, c=caps, t_cap=st.floats(0.0, 6.0))
def test_limits_always_hold(p, c, t_cap):
    comp = Compute(**p)
    model = Model([comp, Caps(t_cap, **c)], horizon=8.0)
    ds = model.run()
    t = ds["time"].values - 2026.0
    after = t >= t_cap
    tol = 1 + 1e-9
    # spending never exceeds its share of GWP (nor a spending cap in force)
    assert np.all(ds["compute_spending"] <= comp.spending_share_ceiling * ds["gwp"] * tol)
    if "spending_cap" in c:
        assert np.all(ds["compute_spending"].values[after] <= c["spending_cap"] * tol)
    # power draw never exceeds the power available (which a power cap lowers)
    assert np.all(ds["power_draw"] <= ds["power_available"] * tol)
    if "power_cap" in c:
        assert np.all(ds["power_draw"].values[after] <= c["power_cap"] * tol)
    # the stock never grows faster than the developer's share of chip production allows
    installed = ds["installed_compute"].values
    allowed = np.array([comp.chip_share * comp.chip_output(0.0, x) for x in t])
    assert np.all(installed - P0 <= allowed * tol + 1e-6)
    if "chip_supply_cap" in c:  # tranches ordered after the cap carry at most cap * interval
        # from the last output time before t_cap + lead + interval every arrival was ordered
        # after the cap (the interval is longer than the output step)
        i0 = np.searchsorted(t, t_cap + comp.build_lead_time + comp.tranche_interval, side="right") - 1
        grown = installed[i0:] - installed[i0]
        n = np.floor((t[i0:] - t[i0]) / comp.tranche_interval + 1e-9) + 1
        assert np.all(grown <= c["chip_supply_cap"] * comp.tranche_interval * n * tol + 1e-6)
    # physical compute is the least of the three
    least = np.minimum(installed, np.minimum(ds["compute_money_allows"], ds["compute_power_allows"]))
    assert np.allclose(ds["physical_compute"], least, rtol=1e-12)
    assert np.all(np.diff(installed) >= 0)
