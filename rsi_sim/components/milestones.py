"""Milestones: named conditions on the model state whose first crossing dates are recorded.

Defined in the scenario (``milestones: {SAR: "ai_rd_multiplier >= 25"}``), never hard-coded.
Each milestone is also a flag usable in later conditions and policies once reached.
"""

from __future__ import annotations

import numpy as np

from ..core import Component
from ..core.conditions import Criterion


class Milestones(Component):
    name = "milestones"

    def __init__(self, conditions: dict[str, Criterion] | None = None, descriptions=None):
        super().__init__()
        self.conditions = dict(conditions or {})
        self.descriptions = dict(descriptions or {})
        self.reached: dict[str, float] = {}

    def build(self, model):
        super().build(model)
        for name in self.conditions:
            model.set_flag(name, False)

    def start(self):
        for name, cond in self.conditions.items():
            self.model.watch(cond, label=name).callbacks.append(
                lambda _e, name=name: self._reach(name))

    def _reach(self, name: str) -> None:
        m = self.model
        with m.change():
            m.set_flag(name, True)
        self.reached[name] = m.year()
        m.log("milestone", self.name, milestone=name, condition=self.conditions[name].text)

    def outputs(self) -> dict[str, tuple]:
        names = list(self.conditions)
        years = np.array([self.reached.get(n, np.nan) for n in names], dtype=float)
        conditions = np.array([self.conditions[n].text for n in names], dtype=str)
        return {
            "milestone": ("milestone", np.array(names, dtype=str)),
            "milestone_year": ("milestone", years, {
                "units": "year", "long_name": "decimal year the milestone was first reached (NaN: not reached)"}),
            "milestone_condition": ("milestone", conditions, {"long_name": "milestone condition"}),
        }
