"""The vectorised path of run_ensemble equals the per-sample kernel path, sample by sample."""

import numpy as np
import pytest

from rsi_sim import run_ensemble
from rsi_sim.core.errors import RsiSimError, ScenarioError
from rsi_sim.core.random import SampleSeeds, model_uniforms, stream_uniforms
from rsi_sim.ensemble.run import ensemble_scenario, plan_ensemble

AI2027 = "scenarios/reference/ai2027_takeoff.yaml"
SIE = "scenarios/reference/forethought_sie.yaml"
HORIZON = "scenarios/reference/time_horizon_extrapolation.yaml"


@pytest.mark.parametrize("seed", [0, 7, 2**32 - 1, 2**32 + 5, 2**63 - 1])
@pytest.mark.parametrize("start", [0, 1000, 2**32 - 2])
def test_stream_uniforms_equal_seedsequence(seed, start):
    """The numpy transcription of the SeedSequence hash gives numpy's own words."""
    fast = stream_uniforms(SampleSeeds(seed, start, start + 2), 5, "ladder")
    slow = np.vstack([model_uniforms(np.random.default_rng(s), 5, "ladder")
                      for s in SampleSeeds(seed, start, start + 2)])
    assert np.array_equal(fast, slow)
    assert ((fast > 0) & (fast < 1)).all()


@pytest.mark.parametrize(("path", "n"), [(AI2027, 20), (SIE, 20), (HORIZON, 3)])
def test_vectorized_equals_kernel(path, n):
    vec = run_ensemble(path, n, seed=5, batch_size=7)
    ker = run_ensemble(path, n, seed=5, batch_size=7, vectorized=False)
    assert vec.attrs["evaluation"].startswith("vectorized") and ker.attrs["evaluation"] == "kernel"
    assert (vec["status"] == 1).all() and (ker["status"] == 1).all(), ker["error"].values
    a, b = vec["milestone_year"].values, ker["milestone_year"].values
    assert np.array_equal(np.isnan(a), np.isnan(b))
    assert np.nanmax(np.abs(a - b), initial=0.0) <= 1e-9
    results = [v for v in vec.data_vars if v not in ("milestone_year", "n_events", "error")]
    for name in results:  # drawn inputs and statistics: identical
        assert np.array_equal(vec[name].values, ker[name].values,
                              equal_nan=vec[name].dtype.kind == "f"), name
    assert "ladder_stage" in ker or "software_doublings" in ker or "time_horizon_hours" in ker
    assert not [v for v in vec.data_vars if "time" in vec[v].dims]  # no time variables


def test_vectorized_through_processes_is_identical():
    a = run_ensemble(SIE, 40, seed=2)
    b = run_ensemble(SIE, 40, seed=2, engine="processes", workers=2)
    for name in ("progress_in_one_year", "returns", "milestone_year", "status"):
        assert np.array_equal(a[name].values, b[name].values, equal_nan=True), name


def test_batch_size_does_not_matter():
    a = run_ensemble(AI2027, 30, seed=1)
    b = run_ensemble(AI2027, 30, seed=1, batch_size=4)
    assert np.array_equal(a["milestone_year"].values, b["milestone_year"].values, equal_nan=True)


def test_kernel_when_not_vectorisable(write):
    """Uncertainty in the file, or a milestone with no closed form: the kernel runs."""
    text = open(SIE).read().replace(
        "milestones:\n", "milestones:\n  odd: 'years_of_progress >= 1 and software_doublings >= 2'\n")
    path = write(text)
    plan = plan_ensemble(path, 2)
    assert not plan.vectorized
    with pytest.raises(RsiSimError, match="cannot run vectorised"):
        plan_ensemble(path, 2, vectorized=True)


def test_ensemble_overrides_and_user_overrides():
    assert ensemble_scenario(SIE).spec.components["software_doublings"]["sampling"] == "published"
    mine = ensemble_scenario(SIE, ["components.software_doublings.sampling=medians"])
    assert mine.spec.components["software_doublings"]["sampling"] == "medians"
    ds = run_ensemble(SIE, 3, overrides={"components.software_doublings.sampling": "medians"})
    assert (ds["progress_in_one_year"] == 4.25).all()


def test_bad_ensemble_override_points_at_the_file(write):
    text = open(SIE).read().replace("sampling: published}", "sampling: sometimes}")
    path = write(text)
    with pytest.raises(ScenarioError) as info:
        run_ensemble(path, 2)
    assert str(path) in str(info.value) and "sometimes" in str(info.value)


def test_summary_reports_published_statistics(cli):
    result = cli("ensemble", SIE, "--samples", "400", "-q")
    assert result.exit_code == 0, result.output
    from rsi_sim.analysis.ensemble_summary import report_summary

    ds = run_ensemble(SIE, 400)
    rows = {r["label"]: r for r in report_summary(ds)}
    p3 = rows["progress_in_one_year"]["at_least"][3.0]
    assert p3 == float((ds["progress_in_one_year"] >= 3).mean())
    assert rows["progress_in_first_year"]["at_least"][10.0] <= rows["progress_in_one_year"]["at_least"][10.0]


def test_cli_prints_month_labels_and_after_the_horizon(cli):
    result = cli("ensemble", AI2027, "--samples", "300")
    assert result.exit_code == 0, result.output
    assert "after 2100" in result.output and "2027" in result.output
    assert "phase_years[SC-SAR]" in result.output
    result = cli("ensemble", SIE, "--samples", "300")
    assert "≥3:" in result.output and "≥10:" in result.output


def test_same_scenario_new_seed_in_one_process():
    """Workers cache the parsed scenario, never the seed."""
    a = run_ensemble(SIE, 2, seed=1, vectorized=False)
    b = run_ensemble(SIE, 2, seed=2, vectorized=False)
    assert not np.array_equal(a["returns"].values, b["returns"].values)
    assert np.array_equal(b["returns"].values, run_ensemble(SIE, 2, seed=2)["returns"].values)
