import math

import numpy as np
import pytest

from rsi_sim.components import Software
from rsi_sim.core import Component, Model


class AllAIResearch(Component):
    """AI does all research with labour proportional to the software level and fixed compute:
    research input ``I = 0.5 * S**lambda`` (REFERENCE A.2; Davidson & Houlden 2025)."""

    name = "research"

    def __init__(self, parallelism=1.0):
        super().__init__()
        self.parallelism = parallelism

    def build(self, model):
        super().build(model)
        model.add_variable("research_input", lambda s: 0.5 * s["software_level"] ** self.parallelism,
                           unit="1/year", long_name="research input")


class ConstantResearch(AllAIResearch):
    def build(self, model):
        Component.build(self, model)
        model.add_variable("research_input", lambda s: 1.0 + 0.0 * s["t"], unit="1/year", long_name="")


@pytest.mark.parametrize("lam", [0.43, 1.0])
def test_initial_growth_is_historical_with_human_input(lam):
    """R0 = r I0 / (lambda ln g_hist): humans alone (I0 = 1) give the historical growth."""
    sw = Software()
    m = Model([sw, ConstantResearch(lam)], horizon=0.1)
    m.build()
    sw.start()
    s = m.state()
    assert float(s["software_growth_rate"]) == pytest.approx(math.log(2.83))
    assert float(s["cumulative_research"]) == pytest.approx(1.2 / (lam * math.log(2.83)))


def test_ceiling_in_years_of_ai_progress():
    """D&H: 11 years of AI progress at 4 software doublings a year, software share 0.5, are 88
    doublings (thoulden/Accelerated_AI_Progress: ceiling = (2**(4/s))**limit_years)."""
    sw = Software(historical_growth=16.0, software_share=0.5, ceiling_years=11.0)
    Model([sw, ConstantResearch()], horizon=1.0).build()
    assert sw.ln_ceiling / math.log(2.0) == pytest.approx(88.0)


def test_returns_fall_to_zero_at_ceiling():
    sw = Software(ceiling_years=2.0, software_share=1.0)
    m = Model([sw, ConstantResearch()], horizon=30.0)
    ds = m.run()
    # hand: r(S) = r0 (1 - ln S / (2 ln 2.83)); S never passes 2.83**2
    s = ds["software_level"].values
    assert 2.83 < s[-1] < 2.83 ** 2
    r = ds["software_returns"].values
    assert np.allclose(r, 1.2 * (1 - np.log(s) / (2 * math.log(2.83))))


@pytest.mark.parametrize("lam", [0.3, 1.0])
@pytest.mark.parametrize("r, explodes", [(0.7, False), (1.3, True)])
def test_fizzle_below_one_explosion_above(r, explodes, lam):
    """REFERENCE A.2 in D&H units: with AI labour ∝ S, software explodes iff r > 1, whatever
    the parallelism penalty (it is applied once)."""
    ds = Model([Software(r=r, ceiling_years=1e6), AllAIResearch(lam)], horizon=80.0).run()
    assert bool(ds["diverged"]) is explodes
    if not explodes:
        g = ds["software_growth_rate"].values
        assert g[-1] < g[len(g) // 2] < g[0]  # growth rate falls: fizzle


def test_saturation_is_flagged_at_the_closed_form_time():
    """With constant research input I = 1, R = R0 + t and
    1 - ln S/ln S_max = (R/R0)**(-(r0/lambda)/ln S_max), so ln S reaches 99% of ln S_max at
    t* = R0 (100**(lambda ln S_max / r0) - 1)."""
    lam = 0.5
    sw = Software(r=3.0, ceiling_years=0.2)
    m = Model([sw, ConstantResearch(lam)], horizon=10.0)
    ds = m.run()
    R0 = float(ds["cumulative_research"].values[0])
    t_star = R0 * (100 ** (lam * sw.ln_ceiling / sw.r) - 1)
    kinds = list(ds["event_kind"].values)
    assert kinds.count("software_saturated") == 1 and m.flags["software_saturated"] is True
    t = float(ds["event_time"].values[kinds.index("software_saturated")]) - 2026.0
    assert t == pytest.approx(t_star, rel=1e-6)


def test_no_saturation_far_from_the_ceiling():
    m = Model([Software(ceiling_years=50.0), ConstantResearch()], horizon=5.0)
    ds = m.run()
    assert "software_saturated" not in set(ds["event_kind"].values)
    assert m.flags["software_saturated"] is False
