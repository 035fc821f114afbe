"""Policy lever declarations: one declaration on the component that owns a lever makes a policy
action (its kind, its parameter, the checks on its value, how concurrent actions combine, the
docs and ``describe`` rows), the way a `Param` makes a parameter.

A component declares a lever as a class attribute named after the action kind::

    class Compute(Component):
        cap_power = Lever("power_cap", neutral=math.inf, combine="min", param="gw", unit="GW",
                          scale=1e9, bounds=(0, None), open_bounds=True,
                          doc="cap on the power the developer may draw, GW")

and reads ``self.power_cap`` in its dynamics. Policies (:mod:`rsi_sim.policies`) find the
levers of the registered components and move them inside ``model.change()``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from .units import parse_quantity

#: How the values of several active policies on one lever combine into the value in force.
COMBINE = {
    "count": "reference-counted: on while any policy acts (the value is their number)",
    "min": "the tightest (smallest) value is in force",
    "max": "the largest value is in force",
    "product": "the values multiply",
}
_NAME = re.compile(r"[a-z_][a-z0-9_]*\Z")


@dataclass(frozen=True)
class Lever:
    """A policy lever a component owns, declared as a class attribute named after the action
    kind that moves it (`pause_training`, `cap_power`).

    Parameters
    ----------
    attribute
        the component attribute the action sets to the value in force (read by the
        component's dynamics). Unless it is a parameter, a property, or set by `setter`,
        the component starts with it at `neutral * scale`.
    neutral
        the value in force when no policy acts on the lever (`inf`: no cap, `1`: factor 1),
        in the unit of the action's parameter.
    combine
        how the values of concurrent policies combine: `"count"` (reference-counted, for an
        action without a parameter), `"min"` (caps: the tightest wins), `"max"`,
        `"product"` (multipliers).
    param
        the name of the action's one parameter in scenario files (`gw` in
        `{kind: cap_power, gw: 10}`); `None`: the action takes none.
    unit
        the unit the parameter may be written with in text (`"10 GW"`); `""`: a plain
        number (a share written `"20%"` is refused with the fraction to write instead).
    scale
        the attribute's value is the parameter's times `scale` (`1e9`: GW to W).
    bounds
        the values that make sense, `(low, high)`, inclusive unless `open_bounds`;
        `None` for no limit.
    open_bounds
        the bounds themselves are excluded (a cap must be `> 0`).
    rejects
        why a value outside the bounds is refused, completing "<kind> <param> = <value> ...";
        by default it says what the bounds are.
    doc
        what the parameter means, with its unit and bounds in words (error messages quote it).
    setter
        the name of a component method called with the value in force, instead of setting
        `attribute` (`set_paused`: pause or resume training runs).
    """

    attribute: str
    neutral: float
    combine: str = "min"
    param: str | None = None
    unit: str = ""
    scale: float = 1.0
    bounds: tuple[float | None, float | None] = (None, None)
    open_bounds: bool = False
    rejects: str = ""
    doc: str = ""
    setter: str | None = None
    #: The action kind: the name the lever is declared under.
    kind: str = field(default="", compare=False)
    #: The component that owns the lever: the `name` of the class that declares it.
    component: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if self.combine not in COMBINE:
            raise TypeError(f"Lever combine must be one of {', '.join(map(repr, COMBINE))}; "
                            f"got {self.combine!r}")
        if self.param is not None and (not _NAME.match(self.param) or self.param == "kind"):
            raise TypeError(f"Lever param must be a lower-case name other than 'kind'; got {self.param!r}")

    def __set_name__(self, owner: type, name: str) -> None:
        if not _NAME.match(name):
            raise TypeError(f"{owner.__qualname__}.{name}: an action kind is a lower-case name")
        object.__setattr__(self, "kind", name)
        object.__setattr__(self, "component", getattr(owner, "name", "") or "")

    # ---- concurrent actions --------------------------------------------------------------
    def combined(self, values: list[float]) -> float:
        """The value in force given the active policies' values (`neutral` for none).

        >>> Lever("cap", math.inf, combine="min").combined([1e28, 3e27])
        3e+27
        >>> Lever("factor", 1.0, combine="product").combined([2.0, 1.5])
        3.0
        """
        if not values:
            return self.neutral
        if self.combine == "count":
            return float(len(values))
        if self.combine == "min":
            return min(values)
        if self.combine == "max":
            return max(values)
        return math.prod(values)

    def apply(self, component: Any, value: float) -> None:
        """Put the value in force (in the parameter's unit) on `component`."""
        if self.setter is not None:
            getattr(component, self.setter)(value)
        else:
            setattr(component, self.attribute, value * self.scale if self.scale != 1.0 else value)

    # ---- the action's parameter ----------------------------------------------------------
    def read(self, value: Any) -> float:
        """The parameter's number from a scenario value (a number, or text with `unit`);
        `ValueError` if it is not one. Bounds are checked by `contradiction`.

        >>> Lever("power_cap", math.inf, param="gw", unit="GW").read("10 GW")
        10.0
        """
        unit = self.unit
        if isinstance(value, str):
            try:
                number, given = parse_quantity(value)
            except ValueError as exc:
                raise ValueError(str(exc)) from None
            if given == "%" and not unit:
                raise ValueError(f"a share is written as a fraction: {number / 100:g}, not {value.strip()}")
            if given not in ("", unit):
                raise ValueError(f"the unit must be {unit or 'none'}, not {given!r}")
            value = number
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError("expected a finite number")
        return float(value)

    def contradiction(self, value: float) -> str:
        """Why `value` contradicts the lever (`""`: it does not)."""
        lo, hi = self.bounds
        if self.open_bounds:
            bad = (lo is not None and not value > lo) or (hi is not None and not value < hi)
        else:
            bad = (lo is not None and value < lo) or (hi is not None and value > hi)
        if not bad:
            return ""
        return self.rejects or f"must be {self.expected()}"

    def expected(self) -> str:
        """The accepted values in words: `"between 0 and 1"`, `"> 0"`, `">= 1"`."""
        lo, hi = self.bounds
        if lo is not None and hi is not None:
            inner = "between" if not self.open_bounds else "strictly between"
            return f"{inner} {lo:g} and {hi:g}"
        if lo is not None:
            return f"{'>' if self.open_bounds else '>='} {lo:g}"
        if hi is not None:
            return f"{'<' if self.open_bounds else '<='} {hi:g}"
        return "a finite number"

    @property
    def target(self) -> str:
        """`component.attribute` (or `component.setter()`): what the action moves."""
        return f"{self.component}.{self.setter}()" if self.setter else f"{self.component}.{self.attribute}"
