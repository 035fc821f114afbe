import math

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


def test_gap_levels():
    j = Judgment(execution_parity_hours=8, judgment_lag_doublings=5)
    assert j.ai_judgment_of(8 * 2 ** 5) == pytest.approx(0.0)
    assert j.ai_judgment_of(8.0) == -5.0
    assert math.isclose(j.ai_judgment_of(16.0), -4.0)


def test_baseline_gap_open_in_2026_and_closes(baseline_run):
    _, ds = baseline_run
    s = ds.sel(time=2026.5, method="nearest")
    assert float(s["judgment_gap"]) > 0 and float(s["ai_directed_share"]) == 0
    assert 0 < float(s["human_bottleneck_utilisation"]) <= 1
    closed = float(ds["milestone_year"].sel(milestone="judgment_gap_closed"))
    after = ds.sel(time=closed + 0.1, method="nearest")
    assert float(after["ai_directed_share"]) > 0.5
