"""Numerical extremes: every registered component, with parameters drawn at and between their
declared bounds and horizons out to 2200, either runs in bounded time — divergence flagged, no
NaN inside the run, positive stocks positive — or stops with a clear :class:`RsiSimError`.

Written over :data:`rsi_sim.components.REGISTRY`, so components added later are covered too;
a component that needs others gets them built with their default parameters.
"""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rsi_sim.components import REGISTRY, JonesResearch
from rsi_sim.core import Model, RsiSimError
from rsi_sim.core.kernel import LOG_LIMIT
from rsi_sim.testing import parameters, time_limit

LONG = os.environ.get("RSI_SIM_FUZZ", "").lower() == "long"
#: Parameter draws per component (and for the coupled model). CI draws a few, the same ones on
#: every run (derandomised); the long profile (--fuzz-long) draws many, fresh each time.
EXAMPLES = 400 if LONG else 6
FUZZ = settings(max_examples=EXAMPLES, derandomize=not LONG, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])
RUN_SECONDS = 120
HORIZON_2200 = 2200.0 - 2026.0
HORIZONS = st.sampled_from([1 / 12, 1.0, 30.0, HORIZON_2200]) | st.floats(0.1, HORIZON_2200)




def with_needs(name: str) -> list[str]:
    out, todo = [], [name]
    while todo:
        n = todo.pop(0)
        if n not in out:
            out.append(n)
            todo.extend(REGISTRY[n].needs)
    return out


def check_run(model: Model, ds) -> None:
    """The invariants of any finished run."""
    t = ds["time"].values - model.start_year
    assert np.all(np.diff(t) > 0) and t[0] == 0 and math.isclose(t[-1], model.horizon)
    diverged = bool(ds["diverged"])
    if diverged:
        assert 0 <= float(ds["divergence_time"]) <= model.horizon + 1e-9
        assert ds.attrs["stop_reason"] == "diverged"
    else:
        assert math.isnan(float(ds["divergence_time"]))
    positive = {s.name for s in model.stocks if s.log}
    for name, var in ds.data_vars.items():
        if var.dims != ("time",):
            continue
        v = var.values.astype(float)
        if "undefined_when" in var.attrs:
            # A variable that declares when it has no value (e.g. the duration of the doubling in
            # progress once doublings have ended) may be NaN there, and never inf.
            assert not np.isinf(v).any(), f"{name}: inf although NaN marks its undefined values"
            v = np.where(np.isnan(v), 1.0, v)
        finite = np.isfinite(v)
        n = int(finite.sum())
        assert n >= 1 and finite[:n].all(), f"{name}: NaN or inf inside the run"
        if not diverged and ds.attrs["stop_reason"] == "horizon":
            assert finite.all(), f"{name}: not finite although the run reached its horizon"
        if name in positive:
            assert (v[:n] > 0).all(), f"{name} is a positive stock but reached {v[:n].min()}"
            assert (np.log(v[:n]) <= LOG_LIMIT + 1e-6).all(), f"{name} passed 1e300 unflagged"


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_components_at_their_bounds_run_or_fail_clearly(name):
    cls = REGISTRY[name]
    others = with_needs(name)[1:]
    outcomes: dict[str, int] = {}

    @FUZZ
    @given(values=parameters(cls), horizon=HORIZONS)
    def check(values, horizon):
        run_or_fail_clearly(lambda: [cls(**values), *(REGISTRY[o]() for o in others)], horizon,
                            outcomes)

    check()
    print(f"{name}: {outcomes}")


def coupled_components() -> list[str]:
    """Components that need others, with everything they need: the RSI model (compute, labour,
    software, research, judgment, generations, capability, alignment), which cannot run in parts."""
    return sorted({n for name, cls in REGISTRY.items() if cls.needs for n in with_needs(name)})


@st.composite
def coupled_parameters(draw) -> dict[str, dict]:
    """One parameter set for every coupled component, each value at or between its bounds.

    Compute's training and experiment shares must sum to at most 1 (checked when the model is
    built; inference gets the rest), so the experiment share is drawn at or between the bounds
    of what training leaves; otherwise most draws at the bounds would be refused before running.
    """
    out = {name: draw(parameters(REGISTRY[name])) for name in coupled_components()}
    if "compute" in out:
        c = out["compute"]
        left = max(0.0, 1.0 - c["training_share"])
        c["experiment_share"] = draw(st.sampled_from([0.0, left]) | st.floats(0.0, left))
    return out


def test_the_coupled_model_at_its_bounds_runs_or_fails_clearly():
    """The RSI components only run together, so besides each one with the others at their
    defaults (above), all of them at once with every parameter drawn at or between its bounds."""
    names = coupled_components()
    assert len(names) >= 8, names
    outcomes: dict[str, int] = {}

    @FUZZ
    @given(values=coupled_parameters(), horizon=HORIZONS)
    def check(values, horizon):
        run_or_fail_clearly(lambda: [REGISTRY[n](**values[n]) for n in names], horizon, outcomes)

    check()
    print(f"coupled model {names}: {outcomes}")


def run_or_fail_clearly(make_components, horizon: float, outcomes: dict[str, int]) -> None:
    """Build and run a model; it must finish (see :func:`check_run`) or raise a clear
    :class:`RsiSimError`, within :data:`RUN_SECONDS`."""
    # Values within their bounds are accepted, and any horizon to 2200 fits the step budget:
    # only the run itself may refuse.
    model = Model(make_components(), horizon=horizon)
    try:
        with time_limit(RUN_SECONDS):
            ds = model.run()
    except RsiSimError as exc:
        assert str(exc) and "internal" not in str(exc)
        outcomes["clear error"] = outcomes.get("clear error", 0) + 1
        return
    check_run(model, ds)
    key = "diverged" if bool(ds["diverged"]) else "ran"
    outcomes[key] = outcomes.get(key, 0) + 1


@FUZZ
@given(values=parameters(JonesResearch), horizon=st.sampled_from([30.0, HORIZON_2200]))
def test_jones_blow_up_is_flagged_at_its_closed_form_time(values, horizon):
    comp = JonesResearch(**values)
    t_star = comp.blowup_time()
    with time_limit(RUN_SECONDS):
        try:
            ds = Model([comp], horizon=horizon).run()
        except RsiSimError:
            return  # refused clearly (e.g. the step budget): never a wrong number
    diverged = bool(ds["diverged"])
    # The kernel flags divergence when A passes 1e300 (ln A = 690): that is before t* by the time
    # A takes from 1e300 to infinity, tiny when growth is hyperbolic.
    if t_star < 0.5 * horizon:
        assert diverged
        assert float(ds["divergence_time"]) <= t_star * (1 + 1e-3) + 1e-9
    if diverged:
        a = ds["A"].values
        assert np.nanmax(a) <= math.exp(LOG_LIMIT) * (1 + 1e-6)
    else:
        assert np.isfinite(ds["A"].values).all() and (ds["A"].values > 0).all()
        assert np.nanmax(np.log(ds["A"].values)) <= LOG_LIMIT


@pytest.mark.parametrize(("delta", "lam", "phi"), [(100.0, 5.0, 5.0), (100.0, 0.0, 1.0),
                                                   (1e-6, 0.0, -5.0), (4.6, 0.0, 1.0)])
def test_extreme_growth_ends_in_bounded_time_with_a_flag(delta, lam, phi):
    """r up to 10 (lam + phi), growth rates up to 100x a year (delta = ln 100 = 4.6)."""
    model = Model([JonesResearch(delta=delta, lam=lam, phi=phi, A0=1.0)], horizon=HORIZON_2200)
    with time_limit(RUN_SECONDS):
        ds = model.run()
    check_run(model, ds)
    grows_past_1e300 = lam + phi > 1 or delta * HORIZON_2200 > LOG_LIMIT
    assert bool(ds["diverged"]) == grows_past_1e300
