import pytest

from rsi_sim.components import Labour
from rsi_sim.core import Model


def test_cohorts_follow_growth_with_lag():
    lab = Labour()
    ds = Model([lab], horizon=2.0).run()
    # first cohort decided at 0, arrives at 0.5: 1500 * (1.5 - 1)
    assert float(ds["human_researchers_engineering"].sel(time=2026.25)) == 1500
    assert float(ds["human_researchers_engineering"].sel(time=2026.75)) == pytest.approx(2250)
    assert float(ds["human_researchers_judgment"].sel(time=2027.75)) == pytest.approx(300 * 1.15 ** 2)


def test_hiring_and_oversight_multipliers():
    lab = Labour()
    lab.hiring_multiplier = 0.0
    lab.oversight_staff_multiplier = 2.0
    ds = Model([lab], horizon=2.0).run()
    assert float(ds["human_researchers_engineering"][-1]) == 1500
    assert float(ds["human_researchers_oversight"][-1]) == 300
