"""uncertainty: and ensemble: are validated like the rest of a scenario file."""

from pathlib import Path

import pytest

from rsi_sim.core.errors import ScenarioError
from rsi_sim.scenario import load_scenario, parse_scenario_text

BASE = Path("scenarios/reference/jones.yaml").read_text()


def _load(section: str):
    return parse_scenario_text(BASE + section, "s.yaml")


def test_the_example_ensemble_scenario_loads():
    s = load_scenario("scenarios/reference/jones_ensemble.yaml")
    assert s.spec.ensemble.sampler == "lhs" and "components.jones.phi" in s.spec.uncertainty


@pytest.mark.parametrize("section, key, words", [
    ("uncertainty:\n  components.jones.kappa: 1\n", "uncertainty.components.jones.kappa", "no parameter 'kappa'"),
    ("uncertainty:\n  components.nope.phi: 1\n", "uncertainty.components.nope.phi", "no component 'nope'"),
    ("uncertainty:\n  jones.phi: 1\n", "uncertainty.jones.phi", "components.<component>.<parameter>"),
    ("uncertainty:\n  components.jones.phi: {dist: uniform, low: 0, high: 9}\n",
     "uncertainty.components.jones.phi.high", "outside the parameter's bounds [-5, 5]"),
    ("uncertainty:\n  components.jones.phi: {dist: uniform, low: 0}\n",
     "uncertainty.components.jones.phi.high", "missing"),
    ("uncertainty:\n  components.jones.phi: {dist: beta}\n", "uncertainty.components.jones.phi.dist", "got 'beta'"),
    ("uncertainty:\n  components.jones.phi: {dist: uniform, low: 0, high: 1, mode: 2}\n",
     "uncertainty.components.jones.phi.mode", "unknown key"),
    ("uncertainty:\n  components.jones.delta: {dist: normal, mean: 0, sd: 1}\n",
     "uncertainty.components.jones.delta.dist", "outside the parameter's bounds"),
    ("uncertainty:\n  components.jones.phi: {dist: uniform, low: 0, high: 1}\n"
     "  components.jones.lam: {dist: uniform, low: 0, high: 1}\n"
     "  correlations:\n    - {between: [components.jones.phi, components.jones.lam], rank: 1.2}\n",
     "uncertainty.correlations.0.rank", "strictly between -1 and 1; got 1.2"),
    ("uncertainty:\n  components.jones.phi: {dist: uniform, low: 0, high: 1}\n"
     "  correlations:\n    - {between: [components.jones.phi, components.jones.lam], rank: 0.2}\n",
     "uncertainty.correlations.0.between", "not a continuous uncertain parameter"),
    ("ensemble:\n  sampler: halton\n", "ensemble.sampler", "'mc', 'lhs' or 'sobol'; got 'halton'"),
    ("ensemble:\n  samples: 0\n", "ensemble.samples", "greater than or equal to 1"),
    ("ensemble:\n  walkers: 3\n", "ensemble.walkers", "unknown key"),
])
def test_bad_sections_name_file_line_key_value_and_expectation(section, key, words):
    with pytest.raises(ScenarioError) as info:
        _load(section)
    err = info.value
    assert err.file == "s.yaml" and err.line is not None and err.line > 20
    assert err.key == key
    assert words in err.message


def test_inconsistent_correlations_are_refused():
    section = ("uncertainty:\n"
               "  components.jones.phi: {dist: uniform, low: 0, high: 1}\n"
               "  components.jones.lam: {dist: uniform, low: 0, high: 1}\n"
               "  components.jones.delta: {dist: uniform, low: 0.1, high: 1}\n"
               "  correlations:\n"
               "    - {between: [components.jones.phi, components.jones.lam], rank: 0.9}\n"
               "    - {between: [components.jones.phi, components.jones.delta], rank: 0.9}\n"
               "    - {between: [components.jones.lam, components.jones.delta], rank: -0.9}\n")
    with pytest.raises(ScenarioError, match="not positive definite"):
        _load(section)


def test_fixed_and_choice_values_are_checked_against_the_parameter():
    with pytest.raises(ScenarioError, match="between -5 and 5"):
        _load("uncertainty:\n  components.jones.phi: {dist: choice, values: [0.1, 7]}\n")
    s = _load("uncertainty:\n  components.jones.phi: {dist: choice, values: [0.1, 0.2]}\n"
              "  components.jones.lam: 0.4\n")
    assert s.spec.uncertainty["components.jones.lam"] == 0.4


def test_derived_and_auxiliary_entries():
    """A derived entry is its formula of the entries above it, sample by sample; an auxiliary
    draw sets no parameter; bad formulas and out-of-bounds values are located errors."""
    import numpy as np
    import pytest as _pytest

    from rsi_sim.components import REGISTRY
    from rsi_sim.core.distributions import DistributionError, parse_uncertainty
    from rsi_sim.ensemble.samplers import Design

    comps = {"software": REGISTRY["software"], "research": REGISTRY["research"]}
    section = {
        "components.research.parallelism": {"dist": "uniform", "low": 0.8, "high": 1.0},
        "beta": {"dist": "triangular", "low": 0.3, "mode": 0.65, "high": 1.0},
        "components.software.r": {"dist": "derived", "formula": "components.research.parallelism / beta"},
    }
    u = parse_uncertainty(section, comps)
    assert [p.component for p in u.parameters] == ["research", "", "software"]
    values = Design(u, 50, seed=3, sampler="lhs").values(0, 50)
    assert np.allclose(values[:, 2], values[:, 0] / values[:, 1])
    assert Design(u, 50, seed=3).dims == 2  # the derived entry takes no uniform
    bad = [({**section, "components.software.r": {"dist": "derived", "formula": "gamma * 2"}}, "gamma"),
           ({**section, "components.software.r": {"dist": "derived", "formula": "__import__('os')"}}, "formula"),
           ({**section, "components.software.r": {"dist": "derived", "formula": "beta * 100"}}, "bounds")]
    for sec, word in bad:
        with _pytest.raises(DistributionError) as info:
            Design(parse_uncertainty(sec, comps), 50, seed=3).values(0, 50)
        assert word in str(info.value) and info.value.keys[0] == "components.software.r"
