"""Actions act on the documented policy levers of the components; this module says how several
active policies combine on one lever.

Interaction rules (docs/policies.md):

* **pause** — reference-counted: training is paused while at least one pause is active and
  resumes only when the last one lifts.
* **caps** (training compute, training-compute growth, inference share, power, chip supply,
  compute spending) — the tightest active
  cap (the minimum) is in force.
* **required human-direction share** — the largest active requirement.
* **multipliers** (review length, hiring, oversight staffing) — multiply.

When no policy acts on a lever it returns to its neutral value (no cap, factor 1, share 0).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


def _pause(comp: Any, value: float) -> None:
    if value > 0:
        comp.pause()
    else:
        comp.resume()


def _attr(name: str) -> Callable[[Any, float], None]:
    def apply(comp: Any, value: float) -> None:
        setattr(comp, name, value)

    return apply


@dataclass(frozen=True)
class Lever:
    """A component lever an action moves: the component, how active values combine, and the
    value in force when no policy acts on it."""

    component: str
    attribute: str
    combine: str  # "count" | "min" | "max" | "product"
    neutral: float
    apply: Callable[[Any, float], None]

    def combined(self, values: list[float]) -> float:
        """The value in force given the active policies' values.

        >>> LEVERS["cap_training_compute"].combined([1e28, 3e27])
        3e+27
        >>> LEVERS["lengthen_review"].combined([2.0, 1.5])
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


#: Action kind → lever (the action's parameter is the policy's value on that lever).
LEVERS: dict[str, Lever] = {
    "pause_training": Lever("generations", "paused", "count", 0.0, _pause),
    "cap_training_compute": Lever("generations", "training_compute_cap", "min", math.inf,
                                  _attr("training_compute_cap")),
    "cap_training_growth": Lever("compute", "training_growth_cap", "min", math.inf,
                                 _attr("training_growth_cap")),
    "cap_inference_share": Lever("compute", "inference_share_cap", "min", 1.0,
                                 _attr("inference_share_cap")),
    "require_human_direction": Lever("judgment", "min_human_directed_share", "max", 0.0,
                                     _attr("min_human_directed_share")),
    "lengthen_review": Lever("generations", "review_multiplier", "product", 1.0,
                             _attr("review_multiplier")),
    "slow_hiring": Lever("labour", "hiring_multiplier", "product", 1.0, _attr("hiring_multiplier")),
    "raise_oversight_staffing": Lever("labour", "oversight_staff_multiplier", "product", 1.0,
                                      _attr("oversight_staff_multiplier")),
    "cap_power": Lever("compute", "power_cap", "min", math.inf,
                       lambda comp, gw: setattr(comp, "power_cap", gw * 1e9)),  # GW -> W
    "cap_chip_supply": Lever("compute", "chip_supply_cap", "min", math.inf, _attr("chip_supply_cap")),
    "cap_compute_spending": Lever("compute", "spending_cap", "min", math.inf, _attr("spending_cap")),
}


class LeverBoard:
    """The active policies' values on every lever, and the value in force.

    Call :meth:`engage` and :meth:`disengage` inside ``model.change()``.
    """

    def __init__(self, model: Any):
        self.model = model
        self.active: dict[str, dict[str, float]] = {kind: {} for kind in LEVERS}
        #: (start, end) model times of spells with training paused by policy (end NaN: open).
        self.pauses: list[list[float]] = []

    def engage(self, kind: str, policy: str, value: float | None) -> None:
        self.active[kind][policy] = 1.0 if value is None else float(value)
        self._apply(kind)

    def disengage(self, kind: str, policy: str) -> None:
        self.active[kind].pop(policy, None)
        self._apply(kind)

    def in_force(self, kind: str) -> float:
        return LEVERS[kind].combined(list(self.active[kind].values()))

    def _apply(self, kind: str) -> None:
        lever = LEVERS[kind]
        value = self.in_force(kind)
        lever.apply(self.model[lever.component], value)
        if kind == "pause_training":
            now = self.model.now
            if value > 0 and (not self.pauses or not math.isnan(self.pauses[-1][1])):
                self.pauses.append([now, math.nan])
            elif value == 0 and self.pauses and math.isnan(self.pauses[-1][1]):
                self.pauses[-1][1] = now
