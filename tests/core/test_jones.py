"""The integrator against the closed forms of Jones (1995) growth (REFERENCE A.1)."""

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from rsi_sim.components.jones import JonesResearch
from rsi_sim.core import Model, SolverOptions

# The integrator settings of scenarios/reference/jones.yaml (checked below).
SOLVER = SolverOptions(method="DOP853", rtol=1e-7, atol=1e-9, max_step=10.0)

delta = st.floats(0.01, 2.0)
lam = st.floats(0.05, 1.5)
A0 = st.floats(0.1, 100.0)


def simulate(comp: JonesResearch, horizon: float):
    ds = Model([comp], horizon=horizon, output_step=horizon / 200, solver=SOLVER).run()
    t = ds["time"].values - 2026.0
    return ds, t


def assert_matches_closed_form(comp, ds, t):
    """Relative error below 1e-4 at every output time before blow-up.

    "Before blow-up" means up to ``t*(1 - 1e-3)``, the resolution the divergence time itself is
    held to: closer to the singularity A(t) is ill-conditioned (an error e in time gives a relative
    error of about e / ((k-1)(t* - t)) in A), so no finite-precision method can promise more.
    """
    exact = comp.closed_form(t)
    got = ds["A"].values
    ok = np.isfinite(got) & (t <= comp.blowup_time() * (1 - 1e-3))
    assert ok.sum() >= 2, "the run recorded no state"
    rel = np.abs(got[ok] / exact[ok] - 1.0)
    assert rel.max() < 1e-4, f"max relative error {rel.max():.2e} at t={t[ok][rel.argmax()]:.4g}"


@settings(max_examples=40, deadline=None)
@given(delta=delta, lam=lam, k=st.floats(0.0, 0.98), A0=A0)
def test_polynomial_growth_matches_closed_form(delta, lam, k, A0):
    comp = JonesResearch(delta=delta, lam=lam, phi=k - lam, A0=A0)
    ds, t = simulate(comp, horizon=50.0)
    assert not bool(ds["diverged"])
    assert_matches_closed_form(comp, ds, t)


@settings(max_examples=25, deadline=None)
@given(delta=st.floats(0.01, 0.5), lam=lam, A0=A0)
def test_exponential_growth_matches_closed_form(delta, lam, A0):
    comp = JonesResearch(delta=delta, lam=lam, phi=1.0 - lam, A0=A0)
    ds, t = simulate(comp, horizon=40.0)
    assert not bool(ds["diverged"])
    assert_matches_closed_form(comp, ds, t)


@settings(max_examples=40, deadline=None)
@given(delta=delta, lam=lam, k=st.floats(1.005, 3.0), A0=A0)
def test_blowup_is_reported_at_the_closed_form_time(delta, lam, k, A0):
    """Returns barely above 1 included: there A passes 1e300 (where the run must stop) long
    before t*, and the reported time is extrapolated from the local growth (exact for Jones)."""
    comp = JonesResearch(delta=delta, lam=lam, phi=k - lam, A0=A0)
    t_star = comp.blowup_time()
    ds, t = simulate(comp, horizon=1.5 * t_star)
    assert bool(ds["diverged"])
    assert math.isclose(float(ds["divergence_time"]), t_star, rel_tol=1e-3)
    # Up to where the run stopped the state follows the closed form; after it nothing is invented.
    stopped = float(ds["event_time"].values[-1]) - 2026.0
    assert stopped <= t_star * (1 + 1e-6)  # never meaningfully past the singularity
    assert np.all(np.isfinite(ds["A"].values[t < min(stopped, t_star * (1 - 1e-3))]))
    assert np.all(np.isnan(ds["A"].values[t > stopped]))
    assert_matches_closed_form(comp, ds, t)


def test_divergence_is_logged_as_an_event():
    comp = JonesResearch(delta=0.2, lam=0.5, phi=0.7, A0=1.0)
    ds = Model([comp], horizon=30.0).run()
    kinds = list(ds["event_kind"].values)
    assert kinds[-1] == "diverged"
    assert math.isclose(float(ds["event_time"].values[-1]) - 2026.0, comp.blowup_time(), rel_tol=1e-3)


def test_the_shipped_scenario_uses_the_tested_integrator():
    from rsi_sim import load_scenario

    spec = load_scenario("scenarios/reference/jones.yaml").spec
    assert (spec.solver.method, spec.solver.rtol, spec.solver.atol, spec.solver.max_step) == (
        SOLVER.method, SOLVER.rtol, SOLVER.atol, SOLVER.max_step)
