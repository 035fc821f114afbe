"""Time-horizon extrapolation (shared/REFERENCE.md C.3)."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from rsi_sim.reference.time_horizon import (
    doublings_in_time,
    horizon_at,
    superexponential_limit,
    time_for_doublings,
    time_to_horizon,
)

doubling_times = st.floats(min_value=0.01, max_value=10.0)
decays = st.floats(min_value=0.0, max_value=0.9)


@settings(max_examples=200, deadline=None)
@given(n=st.integers(0, 60), t=doubling_times, d=decays)
def test_closed_form_equals_sum_of_doubling_times(n: int, t: float, d: float) -> None:
    """T (1 − (1−d)^n)/d is the sum of n doubling times, each (1−d) times the previous."""
    brute = math.fsum(t * (1.0 - d) ** k for k in range(n))
    assert np.isclose(time_for_doublings(n, t, d), brute, rtol=1e-12, atol=1e-12)


@settings(max_examples=200, deadline=None)
@given(n=st.floats(0.0, 200.0), t=doubling_times, d=decays)
def test_total_time_bounded_by_t_over_d(n: float, t: float, d: float) -> None:
    """Any number of doublings takes less than T/d (strictly, for d > 0)."""
    total = time_for_doublings(n, t, d)
    assert total <= superexponential_limit(0.0, t, d) * (1 + 1e-12)


@settings(max_examples=200, deadline=None)
@given(n=st.floats(-20.0, 100.0), t=doubling_times, d=st.floats(-0.5, 0.9))
def test_doublings_in_time_inverts(n: float, t: float, d: float) -> None:
    """Doublings completed after time_for_doublings(n) is n."""
    elapsed = time_for_doublings(n, t, d)
    if np.isfinite(elapsed) and elapsed < 0.999 * superexponential_limit(0.0, t, d):
        assert np.isclose(doublings_in_time(elapsed, t, d), n, rtol=1e-7, atol=1e-7)


@settings(max_examples=200, deadline=None)
@given(
    tau=st.floats(-5.0, 20.0),
    h0=st.floats(1e-3, 1e3),
    t=st.floats(0.05, 10.0),
    t0=st.floats(2000.0, 2050.0),
)
def test_exponential_matches_closed_form(tau: float, h0: float, t: float, t0: float) -> None:
    """h(t) = h0 2^((t−t0)/T), and time_to_horizon is its inverse."""
    h = horizon_at(t0 + tau, h0, t0, t)
    # Dates near 2000 carry ~1e-13 absolute error, amplified by up to 400 doublings.
    assert np.isclose(h, h0 * np.exp2(tau / t), rtol=1e-9)
    assert np.isclose(time_to_horizon(h, h0, t0, t), t0 + tau, rtol=0, atol=1e-9)


def test_superexponential_diverges_at_limit() -> None:
    """Every horizon is reached before t0 + T/d; at and after it the horizon is infinite."""
    limit = float(superexponential_limit(2025.0, 0.5, 0.1))
    assert limit == 2030.0
    assert np.all(time_to_horizon(np.logspace(0, 30, 50), 1.0, 2025.0, 0.5, 0.1) < limit)
    assert np.isinf(horizon_at([limit, limit + 1.0], 1.0, 2025.0, 0.5, 0.1)).all()
    assert np.isinf(superexponential_limit(2025.0, 0.5, 0.0))


def test_monotone_in_time() -> None:
    """The horizon increases with time; superexponential reaches each doubling no later."""
    ts = np.linspace(2025.0, 2029.9, 200)
    assert np.all(np.diff(horizon_at(ts, 1.0, 2025.0, 0.5)) > 0)
    assert np.all(np.diff(horizon_at(ts, 1.0, 2025.0, 0.5, 0.1)) > 0)
    n = np.arange(1, 40)
    assert np.all(time_for_doublings(n, 0.5, 0.1) <= time_for_doublings(n, 0.5))


def test_tiny_decay_is_exponential() -> None:
    """d -> 0 (even subnormal) recovers T n without cancellation."""
    for d in (5e-324, 1e-300, 1e-12):
        assert np.isclose(time_for_doublings(7.0, 0.5, d), 3.5, rtol=1e-9)
        assert np.isclose(doublings_in_time(3.5, 0.5, d), 7.0, rtol=1e-9)
