import math

import numpy as np
import pytest

from rsi_sim.components import Judgment


def test_allocation_by_hand():
    j = Judgment()
    H, H_J, A, f, span = 100.0, 20.0, 1e6, 0.8, 10.0
    x, L = j.allocate(H, H_J, A, f, span, 1.0)
    g = f / (1 - f)  # 4
    x_hand = H * g / (span + g)  # 28.57 > H_J: clipped to 20
    assert x_hand > H_J and float(x) == 20.0
    assert float(L) == pytest.approx(min((H - 20) / 0.2, H - 20 + 200))  # 280
    # gap closed, no mandate: Amdahl only
    x, L = j.allocate(H, H_J, A, f, span, 0.0)
    assert float(x) == 0 and float(L) == pytest.approx(H / 0.2)


def test_taste_distribution_by_hand():
    """AFM's log-normal taste: mean 1, the 99.9th percentile 3.25x the median."""
    from rsi_sim.core import Model
    from rsi_sim.scenario import load_scenario

    m = load_scenario("scenarios/baseline.yaml").build_model()
    m.build()
    j = m["judgment"]
    assert j.z_top == pytest.approx(3.0902, abs=1e-4)
    assert math.exp(j.sigma * j.z_top) == pytest.approx(3.25)
    assert j.quality_of(-30.0) == pytest.approx(1.0)  # AI far below humans: the human mean
    # E[max(T, F)] by quadrature against the closed form
    z = 1.3
    zs = np.linspace(-12, 12, 200001)
    t = np.exp(j.mu + j.sigma * zs)
    F = math.exp(j.mu + j.sigma * z)
    pdf = np.exp(-zs ** 2 / 2) / math.sqrt(2 * math.pi)
    assert j.quality_of(z) == pytest.approx(np.trapezoid(np.maximum(t, F) * pdf, zs), rel=1e-6)
    # quality is bounded by the taste ceiling; the required share falls continuously
    assert j.quality_of(j.taste_sd_of(1e6)) == pytest.approx(j.quality_of(j.taste_sd_max))
    shares = [j.required_share_of(z) for z in np.linspace(-3, 4, 50)]
    assert np.all(np.diff(shares) < 0) and max(np.abs(np.diff(shares))) < 0.1
    assert j.required_share_of(j.z_top) == pytest.approx(0.001)
    assert isinstance(m, Model)


def test_baseline_gap_open_in_2026_and_closes(baseline_run):
    _, ds = baseline_run
    s = ds.sel(time=2026.5, method="nearest")
    assert float(s["judgment_gap"]) > 0 and float(s["ai_directed_share"]) < 0.2
    assert 0 < float(s["human_bottleneck_utilisation"]) <= 1
    closed = float(ds["milestone_year"].sel(milestone="judgment_gap_closed"))
    after = ds.sel(time=closed + 0.1, method="nearest")
    assert float(after["ai_directed_share"]) > 0.5
    # the closing is its own date, not the superhuman coder's
    assert closed != float(ds["milestone_year"].sel(milestone="SC"))
