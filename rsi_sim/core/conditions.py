"""Conditions written in scenario files (``"time_horizon_hours >= 40 and date >= 2028-01-01"``).

Parsed by a small grammar (never ``eval``) into a *margin*: a function of the model state that is
``>= 0`` exactly when the condition holds. Margins are continuous in continuous state, so the
kernel can find the time a condition becomes true by root-finding between integrator steps.

Grammar::

    condition  := conjunction ("or" conjunction)*
    conjunction:= atom ("and" atom)*
    atom       := "(" condition ")" | comparison | NAME      # NAME: a flag such as a milestone
    comparison := NAME OP NUMBER | "date" OP DATE            # OP: >= > <= <
    NAME       := name | name "(" name "," name ")"          # f(a, b) reads the variable f.a.b

The call form names a variable of a pair, e.g. ``lead_years(us_lab, cn_project)`` is the
variable ``lead_years.us_lab.cn_project`` of a scenario with several actors.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .numeric import maximum, minimum

_TOKEN = re.compile(
    r"\s*(?:(?P<date>\d{4}-\d{2}-\d{2})|(?P<num>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"
    r"|(?P<op>>=|<=|>|<|==)|(?P<paren>[()])|(?P<name>[A-Za-z_][A-Za-z0-9_.]*))"
)
_MAX_LENGTH = 500
#: ``f(a, b)``: a variable of an ordered pair, read as the name ``f.a.b``.
_PAIR_CALL = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*,"
                        r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)")


def pair_calls(text: str) -> list[tuple[str, str, str]]:
    """The ``f(a, b)`` calls in a condition, as ``(f, a, b)``.

    >>> pair_calls("lead_years(us, cn) >= 0.5 and SC")
    [('lead_years', 'us', 'cn')]
    """
    return [m.groups() for m in _PAIR_CALL.finditer(text)] if isinstance(text, str) else []


class ConditionSyntaxError(ValueError):
    """A condition could not be parsed; the message says where and what was expected."""


@dataclass(frozen=True)
class Criterion:
    """A parsed condition: ``margin(state)`` is >= 0 exactly when it holds.

    (Not ``Condition``, which would read as SimPy's ``simpy.Condition`` event in the kernel.)
    """

    text: str
    variables: frozenset[str]
    flags: frozenset[str]
    _margin: Callable
    #: The condition in disjunctive normal form, for static checks (can it ever hold?): a tuple
    #: of conjunctions, each a tuple of ``(name, op, threshold)`` comparisons (dates as model
    #: time ``t``) or ``(flag, None, None)``. ``None`` if the expansion would be too large.
    clauses: tuple | None = None

    def margin(self, state) -> float | np.ndarray:
        return self._margin(state)

    def holds(self, state) -> bool:
        return holds(self._margin(state))

    def __str__(self) -> str:
        return self.text


def holds(margin: Any) -> bool:
    """Whether a margin (a float, or an array over output points) says the condition holds."""
    return margin >= 0 if type(margin) is float else bool(np.all(np.asarray(margin) >= 0))


def _tokens(text: str) -> list[tuple[str, str]]:
    if len(text) > _MAX_LENGTH:
        raise ConditionSyntaxError(f"a condition may be at most {_MAX_LENGTH} characters")
    out, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ConditionSyntaxError(f"unexpected {text[pos:].strip()[:20]!r} at character {pos + 1}")
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


def parse_condition(text: str, date_to_t: Callable[[_dt.date], float] | None = None) -> Criterion:
    """Parse ``text``; ``date_to_t`` maps a date literal to model time (years since start).

    >>> c = parse_condition("x >= 2 and y < 1")
    >>> c.holds({"x": 3.0, "y": 0.5}), c.holds({"x": 3.0, "y": 1.5})
    (True, False)
    """
    if not isinstance(text, str) or not text.strip():
        raise ConditionSyntaxError("a condition must be non-empty text such as 'ai_rd_multiplier >= 5'")
    toks = _tokens(_PAIR_CALL.sub(r"\1.\2.\3", text))
    variables: set[str] = set()
    flags: set[str] = set()
    pos = 0

    def peek(k: int = 0):
        return toks[pos + k] if pos + k < len(toks) else (None, None)

    def take():
        nonlocal pos
        pos += 1
        return toks[pos - 1]

    def condition(depth: int):
        if depth > 20:
            raise ConditionSyntaxError("too deeply nested")
        parts = [conjunction(depth)]
        while peek() == ("name", "or"):
            take()
            parts.append(conjunction(depth))
        if len(parts) == 1:
            return parts[0]
        fns = [p[0] for p in parts]
        return (lambda s: functools.reduce(maximum, [f(s) for f in fns]),
                _or_clauses([p[1] for p in parts]))

    def conjunction(depth: int):
        parts = [atom(depth)]
        while peek() == ("name", "and"):
            take()
            parts.append(atom(depth))
        if len(parts) == 1:
            return parts[0]
        fns = [p[0] for p in parts]
        return (lambda s: functools.reduce(minimum, [f(s) for f in fns]),
                _and_clauses([p[1] for p in parts]))

    def atom(depth: int):
        kind, val = peek()
        if kind is None:
            raise ConditionSyntaxError("the condition ends too early: expected a comparison")
        if (kind, val) == ("paren", "("):
            take()
            inner = condition(depth + 1)  # (margin, clauses)
            if take() != ("paren", ")") if pos < len(toks) else True:
                raise ConditionSyntaxError("a '(' is not closed")
            return inner
        if kind != "name" or val in ("and", "or"):
            raise ConditionSyntaxError(f"expected a variable name, got {val!r}")
        take()
        if peek()[0] != "op":
            flags.add(val)
            return (lambda s, _n=val: 1.0 if s[_n] else -1.0), (((val, None, None),),)
        _, op = take()
        if op == "==":
            raise ConditionSyntaxError("use >=, >, <= or < (equality of continuous quantities is never exact)")
        rkind, rval = take() if pos < len(toks) else (None, None)
        if val == "date":
            if rkind != "date":
                raise ConditionSyntaxError(f"'date {op}' must be followed by a date like 2028-01-01, got {rval!r}")
            if date_to_t is None:
                raise ConditionSyntaxError("dates are not allowed here")
            threshold, name = date_to_t(_dt.date.fromisoformat(rval)), "t"
        else:
            if rkind != "num":
                raise ConditionSyntaxError(f"'{val} {op}' must be followed by a number, got {rval!r}")
            threshold, name = float(rval), val
            if not np.isfinite(threshold):
                raise ConditionSyntaxError(f"the number {rval} is too large")
            variables.add(val)
        clause = (((name, op, threshold),),)
        if op in (">=", ">"):
            return (lambda s, _n=name, _c=threshold: s[_n] - _c), clause
        return (lambda s, _n=name, _c=threshold: _c - s[_n]), clause

    margin, clauses = condition(0)
    if pos != len(toks):
        raise ConditionSyntaxError(f"unexpected {toks[pos][1]!r} after a complete condition")
    return Criterion(text.strip(), frozenset(variables), frozenset(flags), margin, clauses)


#: Largest disjunctive normal form kept for static checks.
_MAX_CLAUSES = 256


def _or_clauses(parts: list) -> tuple | None:
    if any(p is None for p in parts):
        return None
    out = tuple(c for p in parts for c in p)
    return out if len(out) <= _MAX_CLAUSES else None


def _and_clauses(parts: list) -> tuple | None:
    out: tuple | None = ((),)
    for p in parts:
        if out is None or p is None:
            return None
        out = tuple(a + b for a in out for b in p)
        if len(out) > _MAX_CLAUSES:
            return None
    return out


def can_hold(condition: Criterion, bounds: dict[str, tuple[float, float]] | None = None) -> bool:
    """False only if ``condition`` can never hold: every conjunction in it asks a quantity to be
    both above and below some values (``x >= 5 and x <= 1``), or outside its ``bounds``
    (e.g. a share ``>= 2`` when shares lie in ``[0, 1]``). Unknown structure counts as possible.

    >>> can_hold(parse_condition("x >= 5 and x <= 1")), can_hold(parse_condition("x >= 5 or x <= 1"))
    (False, True)
    >>> can_hold(parse_condition("share >= 2"), {"share": (0.0, 1.0)})
    False
    """
    if condition.clauses is None:
        return True
    bounds = bounds or {}
    for conj in condition.clauses:
        ranges: dict[str, list[float]] = {}
        ok = True
        for name, op, value in conj:
            if op is None:
                continue
            lo, hi = ranges.setdefault(name, list(bounds.get(name, (-np.inf, np.inf))))
            if op in (">=", ">"):
                lo = max(lo, value)
            else:
                hi = min(hi, value)
            ranges[name] = [lo, hi]
            if lo > hi:  # '>' and '>=' are the same for continuous quantities (docs/kernel.md)
                ok = False
                break
        if ok:
            return True
    return False
