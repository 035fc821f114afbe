"""Sampler marginals follow their distributions (KS tests); rank correlations hold; seeding."""

import numpy as np
import pytest
from scipy import stats

from rsi_sim.core.distributions import (
    UncertainParameter,
    Uncertainty,
    parse_distribution,
)
from rsi_sim.core.params import Param
from rsi_sim.core.random import sample_seed
from rsi_sim.ensemble.samplers import Design

SPECS = {
    "uniform": {"dist": "uniform", "low": -1, "high": 3},
    "log-uniform": {"dist": "log-uniform", "low": 0.01, "high": 100},
    "normal": {"dist": "normal", "mean": 1, "sd": 2},
    "lognormal": {"dist": "lognormal", "interval": [1.5, 10], "level": 0.8},
    "triangular": {"dist": "triangular", "low": 0, "mode": 1, "high": 4},
    "truncated normal": {"dist": "normal", "mean": 0, "sd": 1},
}
BOUNDS = {"truncated normal": (-2.0, 3.0)}


def _uncertainty(specs: dict, kinds=None) -> Uncertainty:
    params = []
    for name, spec in specs.items():
        p = Param(0.0, bounds=BOUNDS.get(name, (None, None)), kind=(kinds or {}).get(name, float))
        params.append(UncertainParameter(f"components.x.{name}", "x", name, p, parse_distribution(spec, p)))
    return Uncertainty(tuple(params))


@pytest.mark.parametrize("sampler", ["mc", "lhs", "sobol"])
def test_marginals_match_their_distributions(sampler):
    unc = _uncertainty(SPECS)
    values = Design(unc, 1024, seed=3, sampler=sampler).values(0, 1024)
    for j, p in enumerate(unc.parameters):
        res = stats.kstest(values[:, j], p.dist.scipy().cdf)
        assert res.pvalue > 0.01, (sampler, p.name, res)
        lo, hi = p.param.bounds
        if lo is not None:
            assert values[:, j].min() >= lo and values[:, j].max() <= hi


def test_lognormal_interval_is_the_requested_quantiles():
    d = parse_distribution(SPECS["lognormal"])
    assert d.ppf(np.array([0.1, 0.5, 0.9])) == pytest.approx([1.5, np.sqrt(15), 10], rel=1e-9)


def test_choice_frequencies_follow_weights():
    unc = _uncertainty({"c": {"dist": "choice", "values": ["a", "b", "c"], "weights": [1, 2, 7]}},
                       kinds={"c": str})
    idx = Design(unc, 4000, seed=1).values(0, 4000)[:, 0].astype(int)
    counts = np.bincount(idx, minlength=3)
    assert stats.chisquare(counts, 4000 * np.array([0.1, 0.2, 0.7])).pvalue > 0.01
    assert unc.parameters[0].decode(2.0) == "c"


def test_integer_parameters_are_rounded():
    unc = _uncertainty({"n": {"dist": "uniform", "low": 1, "high": 5}}, kinds={"n": int})
    v = Design(unc, 200, seed=1).values(0, 200)[:, 0]
    assert np.array_equal(v, np.rint(v)) and set(v) <= {1, 2, 3, 4, 5}


@pytest.mark.parametrize("sampler", ["mc", "lhs", "sobol"])
def test_rank_correlations_hold_and_marginals_stay_exact(sampler):
    unc = _uncertainty({k: SPECS[k] for k in ("uniform", "lognormal", "triangular")})
    unc = Uncertainty(unc.parameters, (("components.x.uniform", "components.x.lognormal", 0.6),
                                       ("components.x.uniform", "components.x.triangular", -0.3)))
    v = Design(unc, 4096, seed=9, sampler=sampler).values(0, 4096)
    rho = stats.spearmanr(v).statistic
    assert rho[0, 1] == pytest.approx(0.6, abs=0.04)
    assert rho[0, 2] == pytest.approx(-0.3, abs=0.04)
    assert abs(rho[1, 2]) < 0.3 * 0.6 + 0.04  # only the implied correlation
    for j, p in enumerate(unc.parameters):
        assert stats.kstest(v[:, j], p.dist.scipy().cdf).pvalue > 0.01


def test_monte_carlo_sample_values_do_not_depend_on_ensemble_size():
    unc = _uncertainty({"uniform": SPECS["uniform"]})
    assert np.array_equal(Design(unc, 5, seed=4).values(0, 5), Design(unc, 500, seed=4).values(0, 5))
    assert np.array_equal(Design(unc, 500, seed=4).values(3, 5), Design(unc, 500, seed=4).values(0, 5)[3:])


def test_sample_streams_are_spawned_children():
    kids = np.random.SeedSequence(42).spawn(10)
    for i in (0, 7):
        assert np.array_equal(sample_seed(42, i).generate_state(4), kids[i].generate_state(4))


def test_sobol_is_computed_in_slices_equal_to_the_whole_design():
    from rsi_sim.ensemble.samplers import Design, joint_design, sobol_slice

    whole = joint_design("sobol", 1000, 3, 5)
    assert np.array_equal(sobol_slice(3, 5, 300, 520), whole[300:520])
    u = _jones_uncertainty()
    d = Design(u, samples=10**9, seed=5, sampler="sobol")  # never built whole: instant
    assert d.unit(10**9 - 3, 10**9).shape == (3, d.dims) and d._joint is None


def test_a_latin_hypercube_too_big_for_memory_is_refused_up_front(cli, tmp_path):
    import time

    started = time.perf_counter()
    res = cli("ensemble", "scenarios/reference/jones_ensemble.yaml", "--samples", "300000000",
              "--sampler", "lhs", "-q", "-o", tmp_path / "big.zarr")
    assert res.exit_code == 2, res.output
    assert "Latin hypercube of 300,000,000 samples over 3 parameters" in res.output
    assert "GB of memory" in res.output and "--sampler mc or sobol" in res.output
    assert time.perf_counter() - started < 30 and list(tmp_path.iterdir()) == []


def _jones_uncertainty():
    from rsi_sim.components import JonesResearch
    from rsi_sim.core.distributions import parse_uncertainty

    return parse_uncertainty({"components.jones.phi": {"dist": "uniform", "low": 0, "high": 1},
                              "components.jones.lam": {"dist": "uniform", "low": 0, "high": 1}},
                             {"jones": JonesResearch})
