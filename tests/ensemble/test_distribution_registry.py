"""The distribution registry: one class per kind, and a new kind is one class."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from rsi_sim.components import JonesResearch
from rsi_sim.core import distributions as dists
from rsi_sim.core.distributions import (
    KINDS,
    REGISTRY,
    Distribution,
    DistributionError,
    DistributionKind,
    parse_distribution,
    parse_uncertainty,
    register,
)
from rsi_sim.core.params import Param
from rsi_sim.ensemble.samplers import Design

EXAMPLES = {
    "fixed": {"dist": "fixed", "value": 0.7},
    "uniform": {"dist": "uniform", "low": 0.2, "high": 0.9},
    "log-uniform": {"dist": "log-uniform", "low": 0.1, "high": 10},
    "normal": {"dist": "normal", "mean": 0.5, "sd": 0.1},
    "lognormal": {"dist": "lognormal", "interval": [0.2, 2.0], "level": 0.8},
    "triangular": {"dist": "triangular", "low": 0.1, "mode": 0.3, "high": 0.9},
    "choice": {"dist": "choice", "values": [0.2, 0.5], "weights": [1, 3]},
    "derived": {"dist": "derived", "formula": "beta * 2"},
}


def test_every_kind_is_a_registered_class():
    assert KINDS == ("fixed", "uniform", "log-uniform", "normal", "lognormal", "triangular",
                     "choice", "derived")
    assert set(EXAMPLES) == set(KINDS)
    for name in KINDS:
        family = REGISTRY[name]
        assert isinstance(family, DistributionKind) and family.name == name
        d = parse_distribution(EXAMPLES[name])
        assert d.kind == name and d.family is family
        assert d.describe().startswith(name + "(")
        if d.draws:  # the inverse CDF stays inside the support
            lo, hi = d.support()
            x = d.ppf(np.array([1e-9, 0.5, 1 - 1e-9]))
            assert (x >= lo).all() and (x <= hi).all() and np.all(np.diff(x) >= 0)


def test_aliases_resolve_to_their_class():
    assert parse_distribution({"dist": "loguniform", "low": 1, "high": 2}).kind == "log-uniform"
    assert parse_distribution({"dist": "constant", "value": 3}).kind == "fixed"
    with pytest.raises(DistributionError, match="expected dist: one of fixed, uniform"):
        parse_distribution({"dist": "given", "low": 1})  # built by code only


@pytest.fixture
def exponential():
    """A new kind, written as one class, registered for the test only."""

    @register
    class Exponential(DistributionKind):
        name, aliases, keys = "exponential", ("exp",), frozenset({"mean"})

        def parse(self, spec, param, lo, hi):
            mean = float(spec["mean"])
            return Distribution(self.name, (mean,), lo=lo, hi=hi)

        def ppf(self, d, u):
            return -d.args[0] * np.log1p(-u)

        def support(self, d):
            return 0.0, math.inf

        def check_bounds(self, d, lo, hi):
            if lo > 0:
                raise DistributionError("starts at 0, below the bounds", "mean")

    yield Exponential
    del REGISTRY["exponential"], dists._ALIASES["exp"]


def test_a_new_distribution_is_one_class(exponential):
    section = {"components.jones.lam": {"dist": "exp", "mean": 0.4}}
    u = parse_uncertainty(section, {"jones": JonesResearch})
    (p,) = u.parameters
    assert p.dist.kind == "exponential" and p.dist.describe() == "exponential(0.4)"
    values = Design(u, 2000, seed=1).values(0, 2000)[:, 0]
    assert stats.kstest(values, stats.expon(scale=0.4).cdf).pvalue > 0.01
    with pytest.raises(DistributionError, match="unknown key 'sd' for a exponential"):
        parse_distribution({"dist": "exponential", "mean": 1, "sd": 2})


def test_bounds_rule_is_each_kinds_own():
    from rsi_sim.core.params import Param

    p = Param(0.5, bounds=(0.0, 1.0), name="x", doc="x")
    with pytest.raises(DistributionError, match="outside the parameter's bounds"):
        parse_distribution({"dist": "uniform", "low": 0.5, "high": 2}, p)
    d = parse_distribution({"dist": "normal", "mean": 0.9, "sd": 0.05}, p)  # truncated, allowed
    assert d.describe().endswith("truncated to [0, 1]") and d.ppf(np.array([1 - 1e-12]))[0] <= 1
    with pytest.raises(DistributionError, match="may be truncated"):
        parse_distribution({"dist": "normal", "mean": 1.5, "sd": 0.1}, p)


@pytest.mark.parametrize("kind", ["normal", "lognormal"])
def test_from_interval_and_normal_scores(kind):
    """Code (the reference models) builds a kind from an interval and feeds normal scores in:
    the same distribution the uncertainty: reader gives, the same values as ppf."""
    family = REGISTRY[kind]
    d = family.from_interval(0.5, 4.0, level=0.8)
    assert d == parse_distribution({"dist": kind, "interval": [0.5, 4.0], "level": 0.8})
    u = np.array([0.05, 0.1, 0.5, 0.9, 0.95])
    np.testing.assert_allclose(d.at_normal_score(stats.norm.ppf(u)), d.ppf(u), rtol=1e-13)
    np.testing.assert_allclose(d.ppf(np.array([0.1, 0.9])), [0.5, 4.0], rtol=1e-12)
    truncated = parse_distribution({"dist": kind, "mean" if kind == "normal" else "median": 1.0,
                                    "sd" if kind == "normal" else "sigma": 0.4},
                                   Param(1.0, bounds=(0.2, 5.0)))
    with pytest.raises(ValueError, match="untruncated"):
        truncated.at_normal_score(np.zeros(1))
    with pytest.raises(ValueError, match="normal score"):
        parse_distribution({"dist": "uniform", "low": 0, "high": 1}).at_normal_score(np.zeros(1))
