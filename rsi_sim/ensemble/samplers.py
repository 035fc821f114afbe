"""Sampling designs: Monte Carlo, Latin hypercube and Sobol.

Seeding follows the one rule of :mod:`rsi_sim.core.random`: Monte Carlo draws sample ``i``'s
parameters from its own stream, so a sample's values do not depend on how many samples there
are; Latin hypercube and Sobol designs are joint over all samples and drawn once from the
design stream. Nothing depends on the engine, the worker count or the batch size.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
from scipy import stats
from scipy.stats import qmc

from ..core.distributions import Uncertainty, check_derived, correlation_factor, evaluate_formula
from ..core.errors import RsiSimError
from ..core.random import MAX_SAMPLES, design_seed, monte_carlo_seed

SAMPLERS = ("mc", "lhs", "sobol")
_EDGE = 1e-12


class Design:
    """The parameter values of every sample of an ensemble, computed in slices on demand.

    Parameters
    ----------
    uncertainty : the parsed ``uncertainty:`` section.
    samples : number of samples.
    seed : the ensemble seed.
    sampler : ``"mc"``, ``"lhs"`` or ``"sobol"``.

    Examples
    --------
    >>> from rsi_sim.components import JonesResearch
    >>> from rsi_sim.core.distributions import parse_uncertainty
    >>> u = parse_uncertainty({"components.jones.phi": {"dist": "uniform", "low": 0, "high": 1}},
    ...                       {"jones": JonesResearch})
    >>> d = Design(u, samples=4, seed=1, sampler="lhs")
    >>> sorted((d.values(0, 4)[:, 0] * 4).astype(int).tolist())  # one per stratum
    [0, 1, 2, 3]
    """

    def __init__(self, uncertainty: Uncertainty, samples: int, seed: int, sampler: str = "mc"):
        if sampler not in SAMPLERS:
            raise RsiSimError(f"unknown sampler {sampler!r}; use one of {', '.join(SAMPLERS)}")
        if not 1 <= samples <= MAX_SAMPLES:
            raise RsiSimError(f"the number of samples must be between 1 and {MAX_SAMPLES:,}; got {samples}")
        self.uncertainty = uncertainty
        self.samples, self.seed, self.sampler = int(samples), int(seed), sampler
        self.free = [i for i, p in enumerate(uncertainty.parameters) if p.dist.draws]
        self._joint: np.ndarray | None = None
        if self.sampler == "lhs" and self.dims:
            check_design_memory(self.samples, self.dims)

    @property
    def dims(self) -> int:
        """Number of uniform dimensions (uncertain parameters that are not fixed)."""
        return len(self.free)

    def unit(self, start: int, stop: int) -> np.ndarray:
        """Uniforms of samples ``start:stop``, shape ``(stop - start, dims)``, before correlation."""
        d = self.dims
        if d == 0:  # nothing uncertain (the model draws its own inputs): no streams to open
            return np.empty((stop - start, 0))
        if self.sampler == "mc":
            out = np.empty((stop - start, d))
            for row, i in enumerate(range(start, stop)):
                out[row] = np.random.default_rng(monte_carlo_seed(self.seed, i)).random(d)
            return out
        if self.sampler == "sobol":  # a slice of the sequence: memory flat for any sample count
            return sobol_slice(d, self.seed, start, stop)
        if self._joint is None:
            self._joint = joint_design(self.sampler, self.samples, d, self.seed)
        return self._joint[start:stop]

    def values(self, start: int, stop: int) -> np.ndarray:
        """Parameter values (as stored: float64) of samples ``start:stop``, shape ``(n, P)``."""
        return values_from_unit(self.uncertainty, self.unit(start, stop))


#: Share of the available memory a Latin hypercube design may take (it is drawn whole).
DESIGN_MEMORY_SHARE = 0.5
#: Bytes per value while scipy builds the design (the design, the permutations, temporaries).
_LHS_BYTES_PER_VALUE = 32


def _available_memory() -> int | None:
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def check_design_memory(samples: int, dims: int, available: int | None = None) -> None:
    """Refuse, before anything runs, a Latin hypercube that cannot fit in memory: unlike Monte
    Carlo and Sobol designs (computed slice by slice), it is stratified over all samples at once.

    >>> check_design_memory(1000, 5, available=10**9)
    >>> check_design_memory(300_000_000, 5, available=4 * 10**9)
    Traceback (most recent call last):
    ...
    rsi_sim.core.errors.RsiSimError: a Latin hypercube of 300,000,000 samples over 5 parameters is drawn whole and needs about 48 GB of memory, more than the 2 GB this machine can give it; use fewer samples or --sampler mc or sobol (computed in slices, so memory stays flat)
    """
    available = _available_memory() if available is None else available
    need = samples * dims * _LHS_BYTES_PER_VALUE
    limit = DESIGN_MEMORY_SHARE * available if available else 2**31
    if need > limit:
        raise RsiSimError(f"a Latin hypercube of {samples:,} samples over {dims} parameters is "
                          f"drawn whole and needs about {need / 1e9:.3g} GB of memory, more than "
                          f"the {limit / 1e9:.3g} GB this machine can give it; use fewer samples "
                          "or --sampler mc or sobol (computed in slices, so memory stays flat)")


def sobol_slice(d: int, seed: int, start: int, stop: int) -> np.ndarray:
    """Points ``start:stop`` of the ensemble's scrambled Sobol sequence (exactly the rows of
    the whole design, which is never built)."""
    rng = np.random.default_rng(design_seed(seed))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # balance advice; see joint_design
        engine = qmc.Sobol(d, scramble=True, rng=rng)
        if start:
            engine.fast_forward(start)
        return engine.random(stop - start)


def joint_design(sampler: str, n: int, d: int, seed: int) -> np.ndarray:
    """A Latin hypercube or scrambled Sobol design of ``n`` points in ``[0, 1)^d``."""
    if d == 0:
        return np.empty((n, 0))
    rng = np.random.default_rng(design_seed(seed))
    if sampler == "lhs":
        return qmc.LatinHypercube(d, rng=rng).random(n)
    with warnings.catch_warnings():
        # Sobol balance is best at powers of two; any n is still a valid design (docs say so).
        warnings.simplefilter("ignore", UserWarning)
        return qmc.Sobol(d, scramble=True, rng=rng).random(n)


def values_from_unit(uncertainty: Uncertainty, unit: np.ndarray) -> np.ndarray:
    """Map uniforms (one column per non-fixed parameter) to parameter values, applying the rank
    correlations through a Gaussian copula (which keeps every marginal exact)."""
    params = uncertainty.parameters
    free = [i for i, p in enumerate(params) if p.dist.draws]
    unit = np.clip(np.asarray(unit, dtype=float), _EDGE, 1 - _EDGE)
    n = unit.shape[0]
    if uncertainty.correlations:
        involved = sorted({a for a, b, _ in uncertainty.correlations} | {b for a, b, _ in uncertainty.correlations})
        cols = [free.index(i) for i, p in enumerate(params) if p.path in involved]
        names = [params[free[c]].path for c in cols]
        factor = correlation_factor(names, uncertainty.correlations)
        z = stats.norm.ppf(unit[:, cols]) @ factor.T
        unit = unit.copy()
        unit[:, cols] = np.clip(stats.norm.cdf(z), _EDGE, 1 - _EDGE)
    out = np.empty((n, len(params)))
    col = 0
    for j, p in enumerate(params):
        if p.dist.kind == "derived":  # from the entries above it (checked when parsed)
            out[:, j] = evaluate_formula(p.dist.values[0], {q.path: out[:, i] for i, q in enumerate(params[:j])})
            check_derived(p, out[:, j])
        elif p.dist.kind == "fixed":
            out[:, j] = p.dist.ppf(np.zeros(n))
        else:
            out[:, j] = p.dist.ppf(unit[:, col])
            col += 1
        if p.param.kind is int and p.dist.numeric:
            out[:, j] = np.rint(out[:, j])
    return out
