"""Distributions for uncertain parameters, read from a scenario's ``uncertainty:`` section.

The kinds live here, in ``core``, because the reference models (:mod:`rsi_sim.reference`, which
builds on ``core`` only) draw their published inputs with them too.

Every distribution maps a uniform number ``u`` in [0, 1) to a value through its inverse CDF
(:meth:`Distribution.ppf`), so one design of uniforms (Monte Carlo, Latin hypercube or Sobol)
serves every distribution, and rank correlations act on the uniforms (a Gaussian copula).

Each kind is one class in :data:`REGISTRY` (a :class:`DistributionKind` subclass decorated with
:func:`register`): its YAML keys and how they are read (``parse``), its inverse CDF (``ppf``),
its ``support``, its text (``describe``) and its scipy counterpart. A :class:`Distribution` is
the parsed data (kind name and numbers) and asks its kind for everything else, so a new
distribution is one class.

A ``derived`` entry (``{dist: derived, formula: "components.research.parallelism / beta"}``)
is computed from entries above it in the section, sample by sample; an *auxiliary* entry, a key
without dots (``beta: {dist: triangular, ...}``), is drawn like a parameter but sets none: it
exists to be used in formulas. Published models often sample combinations of parameters (Kwa's
``r = lambda / beta``), which is how they become inputs of the components.

Bounds rule (documented in docs/ensembles.md): a distribution with bounded support (fixed,
uniform, log-uniform, triangular, choice) must lie inside the parameter's declared bounds, or the
scenario is rejected. Normal and lognormal distributions are *truncated* to the bounds; if more
than :data:`MAX_TRUNCATED` of their probability lies outside, the scenario is rejected, because
the truncated distribution would no longer be the one written.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from scipy import stats

from .errors import RsiSimError, did_you_mean
from .params import Param

__all__ = [
    "Choice",
    "Derived",
    "Distribution",
    "DistributionError",
    "DistributionKind",
    "FORMULA_FUNCTIONS",
    "Fixed",
    "Given",
    "KINDS",
    "LogUniform",
    "Lognormal",
    "MAX_TRUNCATED",
    "Normal",
    "REGISTRY",
    "Triangular",
    "UncertainParameter",
    "Uncertainty",
    "Uniform",
    "check_derived",
    "correlation_factor",
    "evaluate_formula",
    "formula_names",
    "parse_distribution",
    "parse_uncertainty",
    "register",
    "spearman_to_normal",
    "yaml_kinds",
]

#: Largest share of a normal or lognormal's probability allowed outside the parameter bounds.
MAX_TRUNCATED = 0.05


class DistributionError(RsiSimError):
    """An ``uncertainty:`` entry is wrong; ``keys`` is the key path inside the entry."""

    def __init__(self, message: str, *keys: Any):
        self.message, self.keys = message, keys
        super().__init__(message)


@dataclass(frozen=True)
class Distribution:
    """A one-dimensional distribution of a parameter value: the parsed numbers of one kind.

    ``kind`` names its :class:`DistributionKind` in :data:`REGISTRY`; ``args`` its defining
    numbers; ``lo``/``hi`` the truncation bounds (normal and lognormal only); ``values``/
    ``weights`` for ``choice`` (and the value of ``fixed``, the formula of ``derived``).
    """

    kind: str
    args: tuple[float, ...] = ()
    lo: float = -math.inf
    hi: float = math.inf
    values: tuple[Any, ...] = ()
    weights: tuple[float, ...] = ()
    _frozen: Any = field(default=None, compare=False, repr=False)

    @property
    def family(self) -> DistributionKind:
        """The class that knows this kind."""
        return REGISTRY[self.kind]

    def scipy(self):
        """The scipy.stats frozen distribution this one follows (``choice``: over indices)."""
        return self.family.scipy(self)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Values at uniform quantiles ``u`` (float64; ``choice`` gives the chosen value, or its
        index for non-numeric values).

        >>> d = parse_distribution({"dist": "uniform", "low": 2, "high": 4})
        >>> d.ppf(np.array([0.0, 0.5]))
        array([2., 3.])
        """
        return self.family.ppf(self, np.asarray(u, dtype=float))

    def encoded(self, value: Any) -> float:
        """The float stored for ``value``: numbers as they are, other choices by their index."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return float(self.values.index(value)) if self.values else float("nan")
        return float(value)

    @property
    def numeric(self) -> bool:
        """True unless values are stored as indices (text or true/false choices)."""
        if self.kind == "derived":
            return True
        return all(isinstance(v, int | float) and not isinstance(v, bool) for v in self.values)

    @property
    def continuous(self) -> bool:
        """True if rank correlations may act on it."""
        return self.family.continuous

    @property
    def draws(self) -> bool:
        """True if a sample of it takes a uniform number (not fixed, not derived)."""
        return self.family.draws

    def at_normal_score(self, z: np.ndarray) -> np.ndarray:
        """Values at standard-normal scores ``z`` (normal and lognormal, untruncated).

        >>> d = parse_distribution({"dist": "lognormal", "interval": [1.5, 10], "level": 0.8})
        >>> d.at_normal_score(np.array([0.0])).round(4)
        array([3.873])
        """
        return self.family.at_normal_score(self, z)

    def support(self) -> tuple[float, float]:
        """Smallest and largest value the distribution can give."""
        return self.family.support(self)

    def describe(self) -> str:
        """Short text, e.g. ``uniform(0.6, 0.8)``.

        >>> parse_distribution({"dist": "lognormal", "interval": [1, 100], "level": 0.9}).describe()
        'lognormal(median=10, sigma=1.4)'
        """
        return self.family.describe(self)


# ---- the kinds ---------------------------------------------------------------------------------

class DistributionKind:
    """One kind of distribution. Subclass, set the class attributes, implement ``parse`` and
    ``ppf`` (and ``support``/``describe``/``scipy`` where the defaults do not fit), and decorate
    with :func:`register`; the ``uncertainty:`` reader, the samplers, the docs' list of kinds and
    the app's sliders then know it.

    ``parse(spec, param, lo, hi)`` reads the YAML mapping (its keys already checked against
    ``keys``; ``lo``/``hi`` the parameter's bounds, infinite when it has none) and returns a
    :class:`Distribution`; the bounds rule is applied afterwards by ``check_bounds``.
    """

    #: the ``dist:`` name, and other names accepted for it
    name: ClassVar[str]
    aliases: ClassVar[tuple[str, ...]] = ()
    #: keys the YAML mapping may have besides ``dist``
    keys: ClassVar[frozenset[str]] = frozenset()
    #: False for kinds built by code only (never written in a scenario)
    in_yaml: ClassVar[bool] = True
    #: a sample takes one uniform number
    draws: ClassVar[bool] = True
    #: rank correlations may act on it
    continuous: ClassVar[bool] = True
    #: it can give text or true/false values (parameters of those kinds accept it)
    any_value: ClassVar[bool] = False

    def parse(self, spec: dict, param: Param | None, lo: float, hi: float) -> Distribution:
        raise NotImplementedError

    def ppf(self, d: Distribution, u: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{self.name} has no inverse CDF")

    def support(self, d: Distribution) -> tuple[float, float]:
        return d.args[0], d.args[-1]

    def at_normal_score(self, d: Distribution, z: np.ndarray) -> np.ndarray:
        raise ValueError(f"{self.name} is not a function of a normal score")

    def describe(self, d: Distribution) -> str:
        return f"{self.name}(" + ", ".join(f"{x:.4g}" for x in d.args) + ")"

    def scipy(self, d: Distribution):
        raise ValueError(f"no scipy counterpart for {self.name}")

    def check_bounds(self, d: Distribution, lo: float, hi: float) -> None:
        """The bounds rule for bounded supports: inside the parameter's bounds, or rejected."""
        s_lo, s_hi = d.support()
        if s_lo < lo or s_hi > hi:
            raise DistributionError(
                f"this {self.name} spans [{s_lo:g}, {s_hi:g}], outside the parameter's bounds "
                f"[{lo:g}, {hi:g}]", "low" if s_lo < lo else "high")


#: Every distribution kind by its ``dist:`` name, in the order the docs list them.
REGISTRY: dict[str, DistributionKind] = {}
_ALIASES: dict[str, str] = {}


def register(cls: type[DistributionKind]) -> type[DistributionKind]:
    """Class decorator: make a :class:`DistributionKind` usable in ``uncertainty:`` sections."""
    if cls.name in REGISTRY or cls.name in _ALIASES:
        raise ValueError(f"a distribution kind {cls.name!r} is already registered")
    REGISTRY[cls.name] = cls()
    for alias in cls.aliases:
        _ALIASES[alias] = cls.name
    return cls


def yaml_kinds() -> tuple[str, ...]:
    """The ``dist:`` names a scenario may use."""
    return tuple(name for name, k in REGISTRY.items() if k.in_yaml)


def _value_table(d: Distribution) -> tuple[float, float]:
    nums = [v for v in d.values if isinstance(v, int | float) and not isinstance(v, bool)]
    return (min(nums), max(nums)) if nums else (math.nan, math.nan)


@register
class Fixed(DistributionKind):
    """One value, every sample (``{dist: fixed, value: 0.7}`` or a plain ``0.7``)."""

    name, aliases, keys = "fixed", ("constant",), frozenset({"value"})
    draws, continuous, any_value = False, False, True

    def parse(self, spec, param, lo, hi):
        if "value" not in spec:
            raise DistributionError("this required key is missing", "value")
        values = (_checked_value(spec["value"], param, "value"),)
        return Distribution(self.name, values=values, weights=(1.0,))

    def ppf(self, d, u):
        return np.full(u.shape, d.encoded(d.values[0]))

    def support(self, d):
        return _value_table(d)

    def describe(self, d):
        return f"fixed({d.values[0]!r})"

    def check_bounds(self, d, lo, hi):
        pass  # the value was checked by the parameter itself


@register
class Uniform(DistributionKind):
    """``{dist: uniform, low: a, high: b}``."""

    name, keys = "uniform", frozenset({"low", "high"})

    def parse(self, spec, param, lo, hi):
        low, high = _num(spec, "low", param), _num(spec, "high", param)
        if not low < high:
            raise DistributionError(f"low must be below high; got low={low:g}, high={high:g}", "high")
        return Distribution(self.name, (low, high))

    def ppf(self, d, u):
        a = d.args
        return a[0] + u * (a[1] - a[0])

    def scipy(self, d):
        return stats.uniform(d.args[0], d.args[1] - d.args[0])


@register
class LogUniform(DistributionKind):
    """``{dist: log-uniform, low: a, high: b}``: log of the value uniform, ``0 < a < b``."""

    name, aliases, keys = "log-uniform", ("loguniform", "log_uniform"), frozenset({"low", "high"})

    def parse(self, spec, param, lo, hi):
        low, high = _num(spec, "low", param, positive=True), _num(spec, "high", param, positive=True)
        if not low < high:
            raise DistributionError(f"low must be below high; got low={low:g}, high={high:g}", "high")
        return Distribution(self.name, (low, high))

    def ppf(self, d, u):
        a = d.args
        return np.exp(math.log(a[0]) + u * (math.log(a[1]) - math.log(a[0])))

    def scipy(self, d):
        return stats.loguniform(d.args[0], d.args[1])


class _Truncated(DistributionKind):
    """Normal in ``x`` (normal) or in ``log x`` (lognormal), truncated to the parameter's
    bounds; ``args`` are the mean and sd of that normal."""

    log: ClassVar[bool] = False

    def _log_bounds(self, d: Distribution) -> tuple[float, float]:
        if not self.log:
            return d.lo, d.hi
        return (math.log(d.lo) if d.lo > 0 else -math.inf,
                math.log(d.hi) if math.isfinite(d.hi) else math.inf)

    def mass_inside(self, d: Distribution) -> float:
        """The share of the untruncated distribution inside the bounds."""
        mu, sd = d.args
        lo, hi = self._log_bounds(d)
        return float(stats.norm.cdf(hi, mu, sd) - stats.norm.cdf(lo, mu, sd))

    def interval_args(self, lower: float, upper: float, z: float) -> tuple[float, float]:
        """``args`` (mean and sd, of ``log x`` for the lognormal) of the distribution whose
        interval ``[lower, upper]`` spans ``z`` standard deviations either side of the median."""
        a, b = (math.log(lower), math.log(upper)) if self.log else (lower, upper)
        return (a + b) / 2, (b - a) / (2 * z)

    def from_interval(self, lower: float, upper: float, *, level: float = 0.8) -> Distribution:
        """The untruncated distribution with central ``level`` interval ``[lower, upper]``,
        built without the ``uncertainty:`` reader's checks (for code such as the reference
        models, whose published schemes accept any interval).

        >>> REGISTRY["lognormal"].from_interval(1.5, 10.0).describe()
        'lognormal(median=3.873, sigma=0.7402)'
        """
        z = stats.norm.ppf(0.5 + level / 2)
        return Distribution(self.name, self.interval_args(lower, upper, z),
                            lo=0.0 if self.log else -math.inf)

    def at_normal_score(self, d: Distribution, z: np.ndarray) -> np.ndarray:
        """Values at standard-normal scores ``z`` (untruncated only): ``ppf(Phi(z))`` without
        the round trip through ``Phi``, which would lose the far tails to rounding. Copulas of
        normal scores (the AI 2027 reference model's) feed the scores straight in."""
        if any(math.isfinite(x) for x in self._log_bounds(d)):
            raise ValueError(f"at_normal_score needs an untruncated {self.name}")
        mu, sd = d.args
        x = np.asarray(z, dtype=float) * sd + mu  # the order of stats.norm.ppf: same bits
        return np.exp(x) if self.log else x

    def ppf(self, d, u):
        mu, sd = d.args
        lo, hi = self._log_bounds(d)
        fa, fb = stats.norm.cdf([lo, hi], mu, sd)
        x = stats.norm.ppf(fa + u * (fb - fa), mu, sd)
        x = np.clip(x, lo, hi)  # guard the last ulp at the truncation edges
        return np.exp(x) if self.log else x

    def scipy(self, d):
        mu, sd = d.args
        lo, hi = self._log_bounds(d)
        if math.isfinite(lo) or math.isfinite(hi):
            base = stats.truncnorm((lo - mu) / sd, (hi - mu) / sd, loc=mu, scale=sd)
        else:
            base = stats.norm(mu, sd)
        return _Exp(base) if self.log else base

    def truncation_text(self, d: Distribution) -> str:
        return f" truncated to [{d.lo:g}, {d.hi:g}]" if self.mass_inside(d) < 1 - 1e-9 else ""

    def check_bounds(self, d, lo, hi):
        inside = self.mass_inside(d)
        if inside < 1 - MAX_TRUNCATED:
            raise DistributionError(
                f"{100 * (1 - inside):.1f}% of this {self.name} lies outside the parameter's bounds "
                f"[{lo:g}, {hi:g}]; at most {100 * MAX_TRUNCATED:g}% may be truncated", "dist")

    @staticmethod
    def _no_integers(param: Param | None) -> None:
        if param is not None and param.kind is int:
            raise DistributionError("integer parameters take uniform, triangular, choice or fixed", "dist")


@register
class Normal(_Truncated):
    """``{dist: normal, mean: m, sd: s}`` or ``{dist: normal, interval: [a, b], level: 0.8}``."""

    name, keys = "normal", frozenset({"mean", "sd", "interval", "level"})

    def parse(self, spec, param, lo, hi):
        if "interval" in spec:
            if "mean" in spec or "sd" in spec:
                raise DistributionError("give either mean and sd, or interval (and level)", "interval")
            mu, sd = self.interval_args(*_interval(spec, param, positive=False))
        else:
            mu, sd = _num(spec, "mean", param), _num(spec, "sd", param, positive=True)
        self._no_integers(param)
        return Distribution(self.name, (mu, sd), lo=lo, hi=hi)

    def support(self, d):
        return d.lo, d.hi

    def describe(self, d):
        return f"normal(mean={d.args[0]:.4g}, sd={d.args[1]:.4g})" + self.truncation_text(d)


@register
class Lognormal(_Truncated):
    """``{dist: lognormal, median: m, sigma: s}`` or ``{dist: lognormal, interval: [a, b],
    level: 0.8}`` (the interval symmetric about the median in log terms)."""

    name, keys = "lognormal", frozenset({"median", "sigma", "interval", "level"})
    log = True

    def parse(self, spec, param, lo, hi):
        if "interval" in spec:
            if "sigma" in spec:
                raise DistributionError("give either median and sigma, or interval (and level)", "sigma")
            a, b, z = _interval(spec, param, positive=True)
            mu, sd = self.interval_args(a, b, z)
            if "median" in spec:
                med = _num(spec, "median", param, positive=True)
                if abs(math.log(med) - mu) > 0.01:
                    raise DistributionError(
                        f"a lognormal's interval is symmetric about the median in log terms, so the "
                        f"median of [{a:g}, {b:g}] is {math.exp(mu):.4g}; got {med:g}. Drop median, "
                        "or give median and sigma", "median")
        else:
            mu = math.log(_num(spec, "median", param, positive=True))
            sd = _num(spec, "sigma", param, positive=True)
        self._no_integers(param)
        return Distribution(self.name, (mu, sd), lo=max(lo, 0.0), hi=hi)

    def support(self, d):
        return max(0.0, d.lo), d.hi

    def describe(self, d):
        return (f"lognormal(median={math.exp(d.args[0]):.4g}, sigma={d.args[1]:.4g})"
                + self.truncation_text(d))


@register
class Triangular(DistributionKind):
    """``{dist: triangular, low: a, mode: c, high: b}``."""

    name, keys = "triangular", frozenset({"low", "mode", "high"})

    def parse(self, spec, param, lo, hi):
        low, mode, high = (_num(spec, k, param) for k in ("low", "mode", "high"))
        if not (low <= mode <= high and low < high):
            raise DistributionError(f"expected low ≤ mode ≤ high with low < high; got "
                                    f"{low:g}, {mode:g}, {high:g}", "mode")
        return Distribution(self.name, (low, mode, high))

    def ppf(self, d, u):
        return self.scipy(d).ppf(u)

    def scipy(self, d):
        lo, mode, hi = d.args
        return stats.triang((mode - lo) / (hi - lo), loc=lo, scale=hi - lo)


@register
class Choice(DistributionKind):
    """``{dist: choice, values: [...], weights: [...]}`` (weights optional, equal by default)."""

    name, keys = "choice", frozenset({"values", "weights"})
    continuous, any_value = False, True

    def parse(self, spec, param, lo, hi):
        values = spec.get("values")
        if not isinstance(values, list) or not values:
            raise DistributionError(f"expected a non-empty list of values; got {values!r}", "values")
        weights = spec.get("weights", [1.0] * len(values))
        if (not isinstance(weights, list) or len(weights) != len(values)
                or not all(isinstance(w, int | float) and not isinstance(w, bool) and w >= 0 for w in weights)
                or not sum(weights) > 0):
            raise DistributionError(f"expected {len(values)} non-negative weights, not all zero; "
                                    f"got {weights!r}", "weights")
        values = tuple(_checked_value(v, param, "values", i) for i, v in enumerate(values))
        if len(set(map(repr, values))) != len(values):
            raise DistributionError(f"the values must differ; got {list(values)!r}", "values")
        return Distribution(self.name, values=values, weights=tuple(float(w) for w in weights))

    def ppf(self, d, u):
        cum = np.cumsum(d.weights) / sum(d.weights)
        idx = np.minimum(np.searchsorted(cum, u, side="right"), len(cum) - 1)
        table = np.array([d.encoded(v) for v in d.values], dtype=float)
        return table[idx]

    def support(self, d):
        return _value_table(d)

    def describe(self, d):
        return "choice(" + ", ".join(repr(v) for v in d.values) + ")"

    def scipy(self, d):
        p = np.asarray(d.weights, dtype=float)
        return stats.rv_discrete(values=(np.arange(len(p)), p / p.sum()))

    def check_bounds(self, d, lo, hi):
        pass  # each value was checked by the parameter itself


@register
class Derived(DistributionKind):
    """``{dist: derived, formula: "..."}``: computed from entries above it, sample by sample
    (checked against the parameter's bounds when sampled, :func:`check_derived`)."""

    name, keys = "derived", frozenset({"formula"})
    draws, continuous, any_value = False, False, True

    def parse(self, spec, param, lo, hi):
        formula = spec.get("formula")
        if not isinstance(formula, str) or not formula.strip():
            raise DistributionError(f"expected a formula as text, e.g. \"components.research."
                                    f"parallelism / beta\"; got {formula!r}", "formula")
        if param is not None and param.kind in (bool, str, dict):
            raise DistributionError(f"the parameter takes {param.expected()}: a formula cannot give it", "dist")
        formula_names(formula)
        return Distribution(self.name, values=(formula.strip(),))

    def support(self, d):
        return math.nan, math.nan

    def describe(self, d):
        return f"derived({d.values[0]})"

    def check_bounds(self, d, lo, hi):
        pass  # known only once sampled


@register
class Given(DistributionKind):
    """The values of a given design's column (:mod:`rsi_sim.ensemble.designs`): ``args`` are its
    smallest and largest value. Built by code, never written in a scenario."""

    name, in_yaml = "given", False


#: ``dist:`` names a scenario may use, in the order the docs list them.
KINDS = yaml_kinds()


def _checked_value(value: Any, param: Param | None, *keys: Any) -> Any:
    if param is None:
        return value
    try:
        return param.check(value)
    except RsiSimError as exc:
        raise DistributionError(str(exc), *keys) from None


class _Exp:

    """exp(X) of a scipy distribution X (a possibly truncated lognormal)."""

    def __init__(self, base):
        self.base = base

    def cdf(self, x):
        x = np.asarray(x, dtype=float)
        with np.errstate(divide="ignore"):
            return np.where(x > 0, self.base.cdf(np.log(np.maximum(x, 1e-300))), 0.0)

    def ppf(self, q):
        return np.exp(self.base.ppf(q))


def _num(spec: dict, key: str, param: Param | None, *, positive: bool = False) -> float:
    if key not in spec:
        raise DistributionError("this required key is missing", key)
    value = spec[key]
    if isinstance(value, str) and param is not None:
        try:
            value = param.quantity(value)
        except Exception:
            raise DistributionError(f"expected a number (in {param.unit}); got {value!r}", key) from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise DistributionError(f"expected a finite number; got {value!r}", key)
    if positive and not value > 0:
        raise DistributionError(f"expected a positive number; got {value!r}", key)
    return float(value)


def _interval(spec: dict, param: Param | None, *, positive: bool) -> tuple[float, float, float]:
    iv = spec.get("interval")
    if not isinstance(iv, list | tuple) or len(iv) != 2:
        raise DistributionError(f"expected a two-number list [low, high]; got {iv!r}", "interval")
    lo = _num({"interval": iv[0]}, "interval", param, positive=positive)
    hi = _num({"interval": iv[1]}, "interval", param, positive=positive)
    if not lo < hi:
        raise DistributionError(f"the interval's low end must be below its high end; got {iv!r}", "interval")
    level = spec.get("level", 0.8)
    if level not in (0.8, 0.9) and not (isinstance(level, float) and 0.5 <= level < 1):
        raise DistributionError(f"expected the interval's probability, e.g. 0.8 or 0.9; got {level!r}", "level")
    z = stats.norm.ppf(0.5 + level / 2)
    return lo, hi, z


#: Functions a derived formula may call (numpy's, elementwise).
FORMULA_FUNCTIONS = {"exp": np.exp, "log": np.log, "log10": np.log10, "log2": np.log2,
                     "sqrt": np.sqrt, "min": np.minimum, "max": np.maximum, "abs": np.abs}


def _dotted(node: ast.AST) -> str | None:
    """``a.b.c`` of a Name/Attribute chain, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return None if head is None else f"{head}.{node.attr}"
    return None


def formula_names(formula: str) -> list[str]:
    """The entry names a derived formula reads; raises :class:`DistributionError` if it is not
    arithmetic (numbers, names, + - * / **, and :data:`FORMULA_FUNCTIONS`).

    >>> formula_names("components.research.parallelism / beta")
    ['components.research.parallelism', 'beta']
    """
    try:
        tree = ast.parse(formula, mode="eval")
    except SyntaxError as exc:
        raise DistributionError(f"this formula is not valid arithmetic ({exc.msg}): {formula!r}",
                                "formula") from None
    names: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Expression):
            visit(node.body)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub | ast.Mult | ast.Div | ast.Pow):
            visit(node.left)
            visit(node.right)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            visit(node.operand)
        elif isinstance(node, ast.Constant) and isinstance(node.value, int | float) \
                and not isinstance(node.value, bool):
            pass
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in FORMULA_FUNCTIONS and not node.keywords:
            for arg in node.args:
                visit(arg)
        elif _dotted(node) is not None:
            names.append(_dotted(node))
        else:
            raise DistributionError(
                f"a formula may use numbers, names of entries above it, + - * / ** and "
                f"{', '.join(FORMULA_FUNCTIONS)}; got {ast.unparse(node)!r} in {formula!r}", "formula")

    visit(tree)
    return names


def evaluate_formula(formula: str, columns: dict[str, np.ndarray]) -> np.ndarray:
    """Evaluate a derived formula (checked by :func:`formula_names`) on sample columns.

    >>> evaluate_formula("a.b / c", {"a.b": np.array([1.0, 2.0]), "c": np.array([2.0, 4.0])})
    array([0.5, 0.5])
    """
    def ev(node: ast.AST):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.BinOp):
            a, b = ev(node.left), ev(node.right)
            return {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply,
                    ast.Div: np.divide, ast.Pow: np.power}[type(node.op)](a, b)
        if isinstance(node, ast.UnaryOp):
            return -ev(node.operand) if isinstance(node.op, ast.USub) else ev(node.operand)
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Call):
            return FORMULA_FUNCTIONS[node.func.id](*(ev(a) for a in node.args))
        return columns[_dotted(node)]

    with np.errstate(all="ignore"):
        return np.asarray(ev(ast.parse(formula, mode="eval")), dtype=float)


def parse_distribution(spec: Any, param: Param | None = None) -> Distribution:
    """Read one distribution spec (a mapping with ``dist:``, or a plain value meaning fixed).

    Parameters
    ----------
    spec : e.g. ``{"dist": "uniform", "low": 0.6, "high": 0.8}``, ``{"dist": "lognormal",
        "median": 3, "interval": [1.5, 10], "level": 0.8}`` or ``0.7`` (fixed).
    param : the parameter it is for: its bounds are checked (see the module docstring), its kind
        decides rounding, and text values with units (``"3 months"``) are converted to its unit.

    Raises
    ------
    DistributionError
        saying which key is wrong, what was given and what was expected.

    Examples
    --------
    >>> parse_distribution({"dist": "triangular", "low": 0, "mode": 1, "high": 4}).support()
    (0.0, 4.0)
    >>> parse_distribution(0.7).describe()
    'fixed(0.7)'
    """
    if not isinstance(spec, dict):
        spec = {"dist": "fixed", "value": spec}
    name = spec.get("dist")
    name = _ALIASES.get(name, name) if isinstance(name, str) else name
    family = REGISTRY.get(name) if isinstance(name, str) else None
    if family is None or not family.in_yaml:
        raise DistributionError(f"expected dist: one of {', '.join(KINDS)}; got {spec.get('dist')!r}"
                                f"{did_you_mean(spec.get('dist'), KINDS)}", "dist")
    extra = set(spec) - family.keys - {"dist"}
    if extra:
        if family is REGISTRY["derived"]:
            raise DistributionError("unknown key for a derived entry; expected: formula", sorted(extra)[0])
        first = sorted(map(str, extra))[0]
        raise DistributionError(f"unknown key {first!r} for a {name} distribution"
                                f"{did_you_mean(first, sorted(family.keys))}; expected: "
                                f"{', '.join(sorted(family.keys))}", first)
    lo_b, hi_b = param.bounds if param is not None else (None, None)
    lo_b = -math.inf if lo_b is None else float(lo_b)
    hi_b = math.inf if hi_b is None else float(hi_b)
    if param is not None and param.kind in (bool, str) and not family.any_value:
        raise DistributionError(f"the parameter takes {param.expected()}: use dist: choice or fixed", "dist")
    dist = family.parse(spec, param, lo_b, hi_b)
    family.check_bounds(dist, lo_b, hi_b)
    return dist


def spearman_to_normal(rho: np.ndarray) -> np.ndarray:
    """Pearson correlation of a Gaussian copula giving Spearman rank correlation ``rho``
    (Pearson 1907: rho_s = 6/pi * asin(r/2))."""
    return 2.0 * np.sin(np.pi * np.asarray(rho, dtype=float) / 6.0)


def correlation_factor(names: Sequence[str], pairs: Sequence[tuple[str, str, float]]) -> np.ndarray:
    """Cholesky factor of the copula's normal correlation matrix over ``names``.

    Raises :class:`DistributionError` if the requested rank correlations are inconsistent (the
    matrix is not positive definite).

    >>> correlation_factor(["a", "b"], [("a", "b", 0.5)]).round(3)
    array([[1.   , 0.   ],
           [0.518, 0.856]])
    """
    index = {n: i for i, n in enumerate(names)}
    r = np.eye(len(names))
    for a, b, rho in pairs:
        r[index[a], index[b]] = r[index[b], index[a]] = spearman_to_normal(rho)
    try:
        return np.linalg.cholesky(r)
    except np.linalg.LinAlgError:
        raise DistributionError("these rank correlations cannot hold together (the correlation "
                                "matrix is not positive definite); weaken some of them") from None


def _check_formula_order(params: list, path: str) -> None:
    """A derived entry may read only numeric entries above it."""
    entry = params[-1]
    if entry.dist.kind != "derived":
        return
    known = {p.path: p for p in params[:-1]}
    for name in formula_names(entry.dist.values[0]):
        if name not in known:
            raise DistributionError(f"the formula reads {name!r}, which is not an entry above it in "
                                    f"this section (entries above: {', '.join(known) or 'none'})",
                                    path, "formula")
        if not known[name].dist.numeric:
            raise DistributionError(f"the formula reads {name!r}, which is not a number", path, "formula")


def check_derived(entry: UncertainParameter, values: np.ndarray) -> None:
    """Raise a located error if a derived entry leaves its parameter's bounds in some sample."""
    lo, hi = entry.param.bounds
    lo = -math.inf if lo is None else lo
    hi = math.inf if hi is None else hi
    bad = ~((values >= lo) & (values <= hi))
    if bad.any():
        v = float(values[bad][0])
        raise DistributionError(f"the formula gives {v!r} in {int(bad.sum())} of {len(values)} samples, "
                                f"outside the parameter's bounds [{lo:g}, {hi:g}]", entry.path, "formula")


@dataclass(frozen=True)
class UncertainParameter:
    """One ``uncertainty:`` entry: the dotted path, where it goes, and its distribution."""

    path: str
    component: str
    name: str
    param: Param
    dist: Distribution

    def decode(self, x: float) -> Any:
        """The parameter value for the stored float ``x`` (rounding integers, indexing choices)."""
        if not self.dist.numeric:
            return self.dist.values[int(x)]
        if self.param.kind is int:
            return int(round(x))
        return float(x)


@dataclass(frozen=True)
class Uncertainty:
    """The parsed ``uncertainty:`` section: parameters in file order and rank correlations."""

    parameters: tuple[UncertainParameter, ...] = ()
    correlations: tuple[tuple[str, str, float], ...] = ()

    @property
    def paths(self) -> list[str]:
        return [p.path for p in self.parameters]

    def __bool__(self) -> bool:
        return bool(self.parameters)


def parse_uncertainty(section: Any, components: dict[str, type]) -> Uncertainty:
    """Read an ``uncertainty:`` section against the scenario's component classes.

    Keys are dotted parameter paths ``components.<component>.<parameter>``; the optional key
    ``correlations`` is a list of ``{between: [path, path], rank: rho}`` (Spearman rank
    correlation, -1 < rho < 1).

    Raises :class:`DistributionError` whose ``keys`` are relative to ``uncertainty``.

    >>> from rsi_sim.components import JonesResearch
    >>> u = parse_uncertainty({"components.jones.phi": {"dist": "uniform", "low": 0.6, "high": 0.8}},
    ...                       {"jones": JonesResearch})
    >>> u.paths
    ['components.jones.phi']
    """
    if section is None:
        return Uncertainty()
    if not isinstance(section, dict):
        raise DistributionError("expected a mapping of parameter paths (components.<component>."
                                f"<parameter>) to distributions; got {section!r}")
    params: list[UncertainParameter] = []
    for path, spec in section.items():
        if path == "correlations":
            continue
        if isinstance(path, str) and path.isidentifier():  # an auxiliary draw, for formulas
            try:
                dist = parse_distribution(spec, None)
            except DistributionError as exc:
                raise DistributionError(exc.message, path, *exc.keys) from None
            params.append(UncertainParameter(path, "", path, Param(0.0, name=path, doc=f"auxiliary draw {path}"),
                                             dist))
            _check_formula_order(params, path)
            continue
        parts = str(path).split(".")
        if parts[0] in ("actors", "interactions") and len(parts) > 2:
            # a scenario with actors: actors.<a>.components.<c>.<p> or interactions.<i>.<p>,
            # found in `components` under the path without the parameter
            comp, name = ".".join(parts[:-1]), parts[-1]
        elif len(parts) != 3 or parts[0] != "components":
            raise DistributionError("expected a parameter path components.<component>.<parameter>, "
                                    "e.g. components.jones.phi, or a name without dots for an "
                                    "auxiliary draw used in formulas", path)
        else:
            _, comp, name = parts
        cls = components.get(comp)
        if cls is None:
            raise DistributionError(f"this scenario has no component {comp!r}"
                                    f"{did_you_mean(comp, components)}; it has: "
                                    f"{', '.join(components) or 'none'}", path)
        param = cls.params.get(name)
        if param is None:
            raise DistributionError(f"{comp} has no parameter {name!r}"
                                    f"{did_you_mean(name, cls.params)}; its parameters are: "
                                    f"{', '.join(cls.params)}", path)
        try:
            dist = parse_distribution(spec, param)
        except DistributionError as exc:
            raise DistributionError(exc.message, path, *exc.keys) from None
        params.append(UncertainParameter(path, comp, name, param, dist))
        _check_formula_order(params, path)
    pairs = []
    raw = section.get("correlations") or []
    if not isinstance(raw, list):
        raise DistributionError("expected a list of {between: [path, path], rank: rho}", "correlations")
    continuous = {p.path for p in params if p.dist.continuous}
    seen = set()
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or set(item) != {"between", "rank"}:
            raise DistributionError(f"expected {{between: [path, path], rank: rho}}; got {item!r}",
                                    "correlations", i)
        between, rho = item["between"], item["rank"]
        if (not isinstance(between, list) or len(between) != 2 or between[0] == between[1]
                or not all(isinstance(b, str) for b in between)):
            raise DistributionError(f"expected two different parameter paths; got {between!r}",
                                    "correlations", i, "between")
        for b in between:
            if b not in continuous:
                raise DistributionError(f"{b!r} is not a continuous uncertain parameter of this "
                                        f"section (correlations act on: {', '.join(sorted(continuous)) or 'none'})",
                                        "correlations", i, "between")
        if isinstance(rho, bool) or not isinstance(rho, int | float) or not -1 < rho < 1:
            raise DistributionError(f"expected a rank correlation strictly between -1 and 1; got {rho!r}",
                                    "correlations", i, "rank")
        key = frozenset(between)
        if key in seen:
            raise DistributionError("this pair is correlated twice", "correlations", i, "between")
        seen.add(key)
        pairs.append((between[0], between[1], float(rho)))
    if pairs:
        try:
            correlation_factor(sorted(continuous), pairs)
        except DistributionError as exc:
            raise DistributionError(exc.message, "correlations") from None
    return Uncertainty(tuple(params), tuple(pairs))
