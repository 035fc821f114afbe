import pytest

from rsi_sim.components import Research


def test_ces_by_hand():
    r = Research(alpha=0.3, rho=-0.5, parallelism=0.5)
    hand = (0.3 * 2.0 ** -0.5 + 0.7 * 4.0 ** -0.5) ** (0.5 / -0.5)
    assert r.ces(2.0, 4.0) == pytest.approx(hand)
    cd = Research(alpha=0.3, rho=0.0, parallelism=0.5)
    assert cd.ces(2.0, 4.0) == pytest.approx((2.0 ** 0.3 * 4.0 ** 0.7) ** 0.5)


def test_multiplier_at_start_by_hand(baseline):
    m = baseline.build_model()
    m.run()  # needs the processes' initial state; read the start from the output instead
    ds = m.results()
    s = ds.isel(time=0)
    res = m["research"]
    H = 1800 * 2000.0
    L = float(s["research_labour"])
    q = float(s["research_quality"])
    assert q == pytest.approx(1.0, abs=0.01)  # AI taste far below the top: quality ~ humans'
    assert float(s["ai_rd_multiplier"]) == pytest.approx(q * res.ces(1.0, L / H) / res.ces(1.0, 1.0))
    assert float(s["code_output_multiple"]) == pytest.approx(L / H)
    assert float(s["research_input"]) == pytest.approx(float(s["ai_rd_multiplier"]))
