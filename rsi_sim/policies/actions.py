"""Actions act on the policy levers the components declare (`rsi_sim.core.Lever`, one class
attribute per action kind on the component that owns the lever); this module finds them and
says how several active policies combine on one lever.

Interaction rules (docs/policies.md), each lever's ``combine``:

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
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ..components import REGISTRY
from ..core import Component
from ..core.levers import Lever


def levers(components: Mapping[str, type[Component]] | None = None) -> dict[str, Lever]:
    """Action kind -> lever, from the levers the components declare (by default the registered
    ones, :data:`rsi_sim.components.REGISTRY`, in its order).

    A subclass registered under another name inherits its base's levers, which still act on
    the base's component; two components declaring the same kind are refused when registered
    (:func:`rsi_sim.plugins.register_component`).

    >>> levers()["cap_power"].target, levers()["cap_power"].param
    ('compute.power_cap', 'gw')
    >>> LEVERS["lengthen_review"].combined([2.0, 1.5])
    3.0
    """
    found: dict[str, Lever] = {}
    for cls in (REGISTRY if components is None else components).values():
        for kind, lever in cls.levers.items():
            found.setdefault(kind, lever)
    return found


class LeverView(Mapping):
    """A live view, by action kind, of what ``project(lever)`` gives for each registered
    lever: a component registered later adds its levers."""

    def __init__(self, name: str, project: Callable[[Lever], Any]):
        self._name, self._project = name, project

    def __getitem__(self, kind: str) -> Any:
        return self._project(levers()[kind])

    def __iter__(self) -> Iterator[str]:
        return iter(levers())

    def __len__(self) -> int:
        return len(levers())

    def __repr__(self) -> str:
        return f"{self._name}({', '.join(self)})"


#: Action kind → lever (the action's parameter is the policy's value on that lever), read from
#: the registered components' declarations.
LEVERS: Mapping[str, Lever] = LeverView("LEVERS", lambda lever: lever)


class LeverBoard:
    """The active policies' values on every lever, and the value in force.

    Call :meth:`engage` and :meth:`disengage` inside ``model.change()``.
    """

    def __init__(self, model: Any):
        self.model = model
        self.levers = levers()
        self.active: dict[str, dict[str, float]] = {kind: {} for kind in self.levers}
        #: (start, end) model times of spells with training paused by policy (end NaN: open).
        self.pauses: list[list[float]] = []

    def engage(self, kind: str, policy: str, value: float | None) -> None:
        self.active[kind][policy] = 1.0 if value is None else float(value)
        self._apply(kind)

    def disengage(self, kind: str, policy: str) -> None:
        self.active[kind].pop(policy, None)
        self._apply(kind)

    def in_force(self, kind: str) -> float:
        return self.levers[kind].combined(list(self.active[kind].values()))

    def _apply(self, kind: str) -> None:
        lever = self.levers[kind]
        value = self.in_force(kind)
        lever.apply(self.model[lever.component], value)
        if kind == "pause_training":
            now = self.model.now
            if value > 0 and (not self.pauses or not math.isnan(self.pauses[-1][1])):
                self.pauses.append([now, math.nan])
            elif value == 0 and self.pauses and math.isnan(self.pauses[-1][1]):
                self.pauses[-1][1] = now
