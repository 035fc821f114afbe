"""The kernel's own Runge–Kutta stepper against scipy's, whose tableaus it shares."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import RK23, RK45

from rsi_sim.core import recorder
from rsi_sim.core.stepper import EmbeddedRK, make_stepper


def logistic(t, y):
    return [y[0] * (1.0 - y[0] / 50.0), -0.3 * y[1] + math.sin(t)]


def run_both(cls, rtol, t_end, y0):
    ours = EmbeddedRK(cls, logistic, 0.0, y0, t_end, rtol=rtol, atol=1e-9, max_step=math.inf)
    theirs = cls(lambda t, y: np.array(logistic(t, y)), 0.0, np.array(y0, dtype=float), t_end,
                 rtol=rtol, atol=1e-9, first_step=ours.h)
    a, b = [], []
    while ours.t < t_end:
        assert ours.step()
        a.append((ours.t, *ours.y))
    while theirs.status == "running":
        theirs.step()
        b.append((theirs.t, *theirs.y))
    return np.array(a), np.array(b), ours, theirs


@settings(max_examples=30, deadline=None)
@given(cls=st.sampled_from([RK23, RK45]), rtol=st.floats(1e-9, 1e-3), y0=st.floats(0.01, 40.0))
def test_same_steps_as_scipy_with_the_same_tableau(cls, rtol, y0):
    """Same error control as scipy's solvers: the same accepted steps (the last one, cut short to
    land on the end, is where the two may part).

    Not to rounding: the error estimate ``h Σ e_i k_i`` is a difference of nearly equal terms,
    so its relative rounding error is about ``eps / rtol``, and with it the next step size. The
    two then step to slightly different times (by up to ~1e-8 relative at rtol 1e-9), so the
    states are compared at the same time, scipy's moved along the vector field by the time
    difference; they then differ by a fraction of the local error the tolerances allow.
    """
    a, b, ours, theirs = run_both(cls, rtol, 10.0, [y0, 1.0])
    n = min(len(a), len(b)) - 1
    assert n >= 3 and abs(len(a) - len(b)) <= 1
    np.testing.assert_allclose(a[:n, 0], b[:n, 0], rtol=1e-6)
    slope = np.array([logistic(t, y) for t, y in zip(b[:n, 0], b[:n, 1:], strict=True)])
    theirs_at_ours = b[:n, 1:] + slope * (a[:n, :1] - b[:n, :1])
    allowed = rtol * np.abs(b[:n, 1:]) + 1e-9
    assert np.all(np.abs(a[:n, 1:] - theirs_at_ours) <= allowed)


def test_dense_output_matches_scipy():
    a, b, ours, theirs = run_both(RK45, 1e-6, 3.0, [1.0, 1.0])
    # rerun scipy to the same last step and compare its interpolant on that step
    t = np.linspace(ours.t_old, ours.t, 7)
    ref = RK45(lambda t, y: np.array(logistic(t, y)), ours.t_old, np.array(ours.y_old), 3.0,
               rtol=1e-6, atol=1e-9, first_step=ours.t - ours.t_old)
    ref.step()
    assert ref.t == pytest.approx(ours.t, rel=1e-12)
    np.testing.assert_allclose(ours.dense(t), ref.dense_output()(t), rtol=1e-12)
    for ti in t:  # the scalar path (Horner on floats) agrees with the array path
        np.testing.assert_allclose(ours.dense(float(ti)), ours.dense(np.array([ti]))[:, 0], rtol=1e-13)


def test_restart_costs_one_evaluation_and_keeps_the_step_size():
    s = make_stepper("RK45", logistic, 0.0, [1.0, 1.0], 10.0, rtol=1e-6, atol=1e-9, max_step=1.0)
    s.step()
    h, n = s.h, s.nfev
    s.restart(s.t, [2.0, 1.0])
    assert s.nfev == n + 1 and s.h == h


@settings(max_examples=25, deadline=None)
@given(g=st.floats(-3.0, 3.0), y0=st.floats(-5.0, 5.0), t_end=st.floats(0.1, 20.0))
def test_linear_log_growth_is_exact_and_lands_on_the_end(g, y0, t_end):
    """A log-stock growing at a constant rate (the common case) is integrated exactly, and the
    last step ends exactly at ``t_bound``."""
    s = make_stepper("RK45", lambda t, y: [g], 0.0, [y0], t_end, rtol=1e-6, atol=1e-9, max_step=0.25)
    while s.t < t_end:
        assert s.step()
    assert s.t == t_end
    assert s.y[0] == pytest.approx(y0 + g * t_end, rel=1e-12, abs=1e-12)


def test_non_finite_rates_fail_the_step_without_moving():
    s = make_stepper("RK45", lambda t, y: [math.inf if t > 0.5 else 1.0], 0.0, [0.0], 2.0,
                     rtol=1e-6, atol=1e-9, max_step=1.0)
    while s.step():
        pass
    assert s.t <= 0.5 and math.isfinite(s.y[0])


def test_recorded_variables_do_not_depend_on_how_they_are_flushed(monkeypatch):
    """Few pending output points are evaluated one by one on floats, more as arrays: the
    baseline's recorded variables are the same either way."""
    from rsi_sim import load_scenario

    sc = load_scenario("scenarios/baseline.yaml", {"horizon": "2034-01-01"})
    floats = sc.build_model().run()
    monkeypatch.setattr(recorder, "SCALAR_FLUSH_POINTS", 0)
    arrays = sc.build_model().run()
    for name in floats.data_vars:
        if floats[name].dims == ("time",):
            np.testing.assert_allclose(floats[name].values, arrays[name].values, rtol=1e-12, atol=0,
                                       err_msg=name)
