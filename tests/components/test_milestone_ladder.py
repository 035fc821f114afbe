"""The AI 2027 milestone ladder: kernel path, vectorised path, medians run."""

from __future__ import annotations

import numpy as np
import pytest

from rsi_sim.components.milestone_ladder import MilestoneLadder
from rsi_sim.core.random import SampleSeeds
from rsi_sim.reference.ladder import phase_time
from rsi_sim.scenario import load_scenario

SCENARIO = "scenarios/reference/ai2027_takeoff.yaml"
# Milestones on the stage (fired at phase events) and on the multiplier (located by
# root-finding inside a phase, and at a phase boundary).
EXTRA = {"milestones.V100": "ai_rd_multiplier >= 100", "milestones.V25": "ai_rd_multiplier >= 25"}


def _kernel(scenario, seeds):
    return [scenario.build_model(seed=s).run() for s in seeds]


@pytest.mark.parametrize("sampling", ["published", "medians"])
def test_vectorised_equals_kernel(sampling: str) -> None:
    """Each sample of run_vectorized equals a kernel run on the same stream (1e-9 y)."""
    sc = load_scenario(SCENARIO, {"components.ladder.sampling": sampling, "stop": None, **EXTRA})
    seeds = SampleSeeds(11, 0, 20 if sampling == "published" else 2)
    milestones = {k: m.when for k, m in sc.spec.milestones.items()}
    start = sc.build_model().start_year
    vec = MilestoneLadder.run_vectorized(sc.spec.components["ladder"], seeds, start, milestones,
                                         horizon=sc.spec.horizon_years())
    for i, ds in enumerate(_kernel(sc, seeds)):
        got, want = ds["milestone_year"].values, vec["milestone_year"].values[i]
        assert np.array_equal(np.isnan(got), np.isnan(want)), (i, got, want)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)
        for key in ("sc_to_sar_gap", "sar_to_siar_gap", "siar_to_asi_gap", "sar_to_siar_jumps"):
            assert float(ds[key]) == float(vec[key][i])
        assert np.array_equal(ds["phase_years"].values, vec["phase_years"].values[i])


def test_medians_run_matches_closed_form() -> None:
    """Medians: gaps 3.873, 18.75, 80.16 human-only years; each phase the A.3 closed form."""
    ds = load_scenario(SCENARIO).build_model().run()
    gaps = np.array([float(ds[k]) for k in ("sc_to_sar_gap", "sar_to_siar_gap",
                                              "siar_to_asi_gap")])
    expected = phase_time(gaps, [5.0, 25.0, 250.0], [25.0, 250.0, 2000.0])
    years = ds["milestone_year"].values
    np.testing.assert_allclose(np.diff(years), expected, rtol=0, atol=1e-12)
    assert ds.attrs["stop_reason"] == "stop condition: ASI"


def test_multiplier_is_continuous_and_rises() -> None:
    """The recorded multiplier climbs monotonically from 5 towards 2000."""
    ds = load_scenario(SCENARIO, {"stop": None}).build_model().run()
    v = ds["ai_rd_multiplier"].values
    assert v[0] == pytest.approx(5.0) and v[-1] == pytest.approx(2000.0)
    assert np.all(np.diff(v) >= -1e-9)


def test_unsupported_condition_raises() -> None:
    with pytest.raises(NotImplementedError):
        MilestoneLadder.run_vectorized({}, SampleSeeds(0, 0, 1), 2027.0, {"X": "ladder_stage < 2"})
