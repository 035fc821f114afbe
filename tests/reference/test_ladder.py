"""Milestone-ladder mathematics (shared/REFERENCE.md A.3)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from rsi_sim.reference.ladder import phase_time, progress_at_time, progress_multiplier

ONE_DAY = 1.0 / 365.0  # in years: REFERENCE A.3 tolerance

gaps = st.floats(min_value=1e-3, max_value=1e3)  # human-only years
multipliers = st.floats(min_value=0.5, max_value=1e4)
ratios = st.floats(min_value=1.0, max_value=1e4)


def _integrate_phase(gap: float, v_start: float, v_end: float) -> float:
    """Calendar time to reach p = G by integrating dp/dt = v(p) in time (the published method).

    Progress is normalised, q = p/G, so the tolerances are relative to the phase.
    """
    log_ratio = np.log(v_end / v_start)

    def rhs(_t: float, q: np.ndarray) -> np.ndarray:
        return v_start * np.exp(log_ratio * q) / gap

    def done(_t: float, q: np.ndarray) -> float:
        return q[0] - 1.0

    done.terminal = True  # type: ignore[attr-defined]
    horizon = 2.0 * gap / v_start  # T <= G / v_A
    sol = solve_ivp(
        rhs, (0.0, horizon), [0.0], method="DOP853", events=done, rtol=1e-12, atol=1e-14
    )
    return float(sol.t_events[0][0])


@settings(max_examples=200, deadline=None)
@given(gap=gaps, v_start=multipliers, ratio=ratios)
def test_closed_form_matches_integration(gap: float, v_start: float, ratio: float) -> None:
    """T = G (1/vA − 1/vB)/ln(vB/vA) equals the integrated ODE to within one day."""
    v_end = v_start * ratio
    assert (
        abs(float(phase_time(gap, v_start, v_end)) - _integrate_phase(gap, v_start, v_end))
        < ONE_DAY
    )


@settings(max_examples=200, deadline=None)
@given(gap=gaps, v_start=multipliers, ratio=ratios, fraction=st.floats(0.0, 1.0))
def test_progress_at_time_inverts_phase_time(
    gap: float, v_start: float, ratio: float, fraction: float
) -> None:
    """Progress after the calendar time of a partial phase is that phase's gap."""
    v_end = v_start * ratio
    partial = fraction * gap
    # The first `partial` years of the phase are a phase of their own ending at v(partial).
    t = phase_time(partial, v_start, progress_multiplier(partial, gap, v_start, v_end))
    assert np.isclose(progress_at_time(t, gap, v_start, v_end), partial, rtol=1e-9, atol=1e-12)


def test_degenerate_phases() -> None:
    """Constant multiplier gives G/v; a zero gap takes no time; the end of a phase is G."""
    assert phase_time(2.0, 4.0, 4.0) == 0.5
    assert phase_time(0.0, 5.0, 25.0) == 0.0
    assert np.isclose(phase_time(2.0, 4.0, 4.0 * (1 + 1e-12)), 0.5, rtol=1e-11)
    assert progress_at_time(1e9, 3.0, 25.0, 250.0) == 3.0
    assert np.isclose(progress_multiplier(3.0, 3.0, 25.0, 250.0), 250.0, rtol=1e-14)


def test_vectorised_equals_elementwise() -> None:
    """Arrays broadcast and each element equals its scalar evaluation."""
    rng = np.random.default_rng(7)
    g = rng.lognormal(0.0, 2.0, 1000)
    va = rng.uniform(1.0, 100.0, 1000)
    vb = va * rng.uniform(1.0, 100.0, 1000)
    many = phase_time(g, va, vb)
    one = np.array([phase_time(g[i], va[i], vb[i]) for i in range(g.size)])
    assert np.array_equal(many, one)
    assert phase_time(g[:, None], va[None, :3], vb[None, :3]).shape == (1000, 3)
