import math

import numpy as np
import pytest

from rsi_sim.components import Compute
from rsi_sim.core import Model


def test_physical_compute_grows_at_spending_times_price_performance():
    c = Compute(slowdown_year=2100.0)
    ds = Model([c], horizon=2.0).run()
    # hand: P(2) = 1.5e6 * (3.19 * 1.35)**2
    assert float(ds["physical_compute"].sel(time=2028.0)) == pytest.approx(1.5e6 * (3.19 * 1.35) ** 2, rel=1e-6)
    assert float(ds["training_compute_rate"][0]) == pytest.approx(0.3 * 1.5e6 * 1.25e22)


def test_slowdown_and_growth_cap():
    c = Compute(slowdown_year=2027.0)
    m = Model([c], horizon=3.0)
    ds = m.run()
    hand = 1.5e6 * (3.19 * 1.35) * (1.5 * 1.35) ** 2
    assert float(ds["physical_compute"].sel(time=2029.0)) == pytest.approx(hand, rel=1e-6)

    c = Compute(slowdown_year=2100.0)
    c.training_growth_cap = 2.0  # before the run: anchored at the start
    ds = Model([c], horizon=2.0).run()
    assert float(ds["training_compute_rate"].sel(time=2028.0)) == pytest.approx(0.3 * 1.5e6 * 1.25e22 * 4, rel=1e-6)
    assert math.isinf(Compute().training_growth_cap)


def test_inference_share_cap():
    c = Compute()
    c.inference_share_cap = 0.1
    ds = Model([c], horizon=0.5).run()
    assert np.allclose(ds["inference_compute"] / ds["physical_compute_flop"], 0.1)
