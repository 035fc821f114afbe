import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rsi_sim.components import Labour
from rsi_sim.components.labour import ROLES
from rsi_sim.core import Model

AMPLE = {"talent_pool": 1e10}


def test_cohorts_follow_growth_with_lag():
    lab = Labour(**AMPLE)
    ds = Model([lab], horizon=2.0).run()
    # first cohort decided at 0, arrives at 0.5: 1500 * (1.5 - 1) (nearly all of it: the pool is vast)
    assert float(ds["human_researchers_engineering"].sel(time=2026.25)) == 1500
    assert float(ds["human_researchers_engineering"].sel(time=2026.75)) == pytest.approx(2250, rel=1e-6)
    # the second decision (t = 1) uses the declined growth: ln g = ln 1.1 + (ln 1.15 - ln 1.1) 2**(-1/3)
    g1 = math.exp(math.log(1.1) + (math.log(1.15) - math.log(1.1)) * 2 ** (-1 / 3))
    assert float(ds["human_researchers_judgment"].sel(time=2027.75)) == pytest.approx(300 * 1.15 * g1, rel=1e-6)


def test_hiring_growth_declines_to_the_long_run_rate():
    lab = Labour()
    Model([lab], horizon=1.0).run()
    assert lab.role_growth("engineering", 0.0) == pytest.approx(1.5)
    assert lab.role_growth("engineering", 3.0) == pytest.approx(math.sqrt(1.5 * 1.1))  # one half-life
    assert lab.role_growth("engineering", 60.0) == pytest.approx(1.1, rel=1e-5)


def test_talent_pool_binds():
    lab = Labour(talent_pool=2500.0)
    ds = Model([lab], horizon=10.0).run()
    # hand: room = 2500 - 1950 = 550, wanted 45 + 750 + 75 = 870: 550 (1 - e^(-870/550)) = 435.3
    total = sum(ds[f"human_researchers_{r}"] for r in ROLES)
    assert float(total.sel(time=2026.75)) == pytest.approx(1950 + 550 * -math.expm1(-870 / 550), rel=1e-9)
    # the roles keep their relative rates within the cohort
    eng = float(ds["human_researchers_engineering"].sel(time=2026.75)) - 1500
    jud = float(ds["human_researchers_judgment"].sel(time=2026.75)) - 300
    assert eng / jud == pytest.approx(750 / 45)
    assert float(total.max()) <= 2500


def test_hiring_and_oversight_multipliers():
    lab = Labour()
    lab.hiring_multiplier = 0.0
    lab.oversight_staff_multiplier = 2.0
    ds = Model([lab], horizon=2.0).run()
    assert float(ds["human_researchers_engineering"][-1]) == 1500
    assert float(ds["human_researchers_oversight"][-1]) == 300


@settings(max_examples=30, deadline=None, derandomize=True)
@given(g=st.floats(1.0, 4.0), lr=st.floats(1.0, 1.5), half=st.floats(0.2, 20.0),
       pool=st.floats(2000.0, 1e6), interval=st.floats(0.1, 2.0), lag=st.floats(0.0, 3.0),
       mult=st.floats(0.0, 3.0))
def test_headcount_monotone_and_bounded(g, lr, half, pool, interval, lag, mult):
    lab = Labour(engineering_growth=g, judgment_growth=g, oversight_growth=g, long_run_growth=lr,
                 growth_halflife=half, talent_pool=pool, cohort_interval=interval, hiring_lag=lag)
    lab.hiring_multiplier = mult
    ds = Model([lab], horizon=19.0).run()
    total = sum(ds[f"human_researchers_{r}"].values for r in ROLES)
    for r in ROLES:
        assert np.all(np.diff(ds[f"human_researchers_{r}"].values) >= 0), r
    assert np.all(total <= pool * (1 + 1e-12))
