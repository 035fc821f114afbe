"""The Forethought per-doubling software model: kernel path, vectorised path, options."""

from __future__ import annotations

import numpy as np
import pytest

from rsi_sim.components.software_doublings import SoftwareDoublings
from rsi_sim.core.random import SampleSeeds
from rsi_sim.reference.forethought import median_sie_parameters, run_sie
from rsi_sim.scenario import load_scenario

SCENARIO = "scenarios/reference/forethought_sie.yaml"
OPTIONS = [{}, {"gradual_boost": True}, {"retraining_cost": True}, {"constant_r": True}]


@pytest.mark.parametrize("options", OPTIONS, ids=["default", "gradual", "retraining", "constant_r"])
def test_vectorised_equals_kernel(options: dict[str, bool]) -> None:
    """Each sample of run_vectorized equals a kernel run on the same stream."""
    overrides = {"components.software_doublings.sampling": "published",
                 **{f"components.software_doublings.{k}": v for k, v in options.items()}}
    sc = load_scenario(SCENARIO, overrides)
    seeds = SampleSeeds(3, 0, 20)
    milestones = {k: m.when for k, m in sc.spec.milestones.items()}
    start = sc.build_model().start_year
    vec = SoftwareDoublings.run_vectorized(sc.spec.components["software_doublings"], seeds, start,
                                           milestones, horizon=sc.spec.horizon_years())
    for i, s in enumerate(seeds):
        ds = sc.build_model(seed=s).run()
        for key in ("progress_in_one_year", "progress_in_first_year", "doublings",
                    "initial_speedup", "returns", "limit_years", "parallelism"):
            assert float(ds[key]) == float(vec[key][i]), (key, i)
        got, want = ds["milestone_year"].values, vec["milestone_year"].values[i]
        assert np.array_equal(np.isnan(got), np.isnan(want))
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)


def test_medians_run() -> None:
    """Medians f = 8, r = 1.2, L = 11, p = 0.3: the reference model's 4.25 years in a year."""
    ds = load_scenario(SCENARIO).build_model().run()
    v = SoftwareDoublings().values
    expected = run_sie(median_sie_parameters(**SoftwareDoublings.reference_ranges(v)),
                       **SoftwareDoublings.reference_options(v))
    assert float(ds["progress_in_one_year"]) == float(expected["progress_in_one_year"][0]) == 4.25
    assert int(ds["doublings"]) == int(expected["doublings"][0])
    assert ds["software_doublings"].values[-1] == int(ds["doublings"])
