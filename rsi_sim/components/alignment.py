"""Alignment: a drift indicator across generations. SPECULATIVE: an accounting device, not a
measured quantity; no data calibrates it.

DESIGN §4: each generation trained with a share of AI-directed work accumulates drift in
proportion to the share not covered by human review, and review coverage depends on oversight
labour::

    coverage(t) = min(1, oversight hours * audit_span / AI-directed research hours)
    drift_g     = drift_{g-1} + drift_per_generation * a_g * (1 - coverage_g)

with ``a_g`` the ``ai_directed_share`` and ``coverage_g`` the coverage when generation ``g``
starts training. ``alignment_drift`` is the drift of the deployed generation (index units: one
unit is one generation trained entirely by unreviewed AI-directed work). It feeds nothing back.
"""

from __future__ import annotations

import numpy as np

from ..core import Component, Param
from ..core.numeric import divide, minimum


class Alignment(Component):
    """Alignment drift indicator (speculative)."""

    name = "alignment"
    needs = ("generations", "labour", "judgment")

    drift_per_generation = Param(
        1.0, unit="1", bounds=(0.0, 1e6), source="normalisation (speculative indicator)",
        doc="drift added by a generation trained entirely by unreviewed AI-directed work")
    audit_span = Param(
        100.0, unit="1", bounds=(0.0, 1e9),
        source="judgmental (speculative): AI work-hours one oversight hour can audit",
        doc="AI-directed work-hours covered per oversight hour")

    def build(self, model):
        super().build(model)
        gens = model["generations"]
        self._lab = model["labour"]
        self._gens = gens
        self.drift: dict[int, float] = {0: 0.0}
        gens.on_training_start.append(self._training_started)
        gens.extra_columns = {**gens.extra_columns,
                              "alignment_drift": ("1", "alignment drift indicator (speculative)"),
                              "review_coverage": ("1", "review coverage of AI-directed work at training start")}
        model.add_variable("review_coverage", self._coverage, unit="1", owner=self.name,
                           long_name="share of AI-directed research work covered by human review",
                           bounds=(0.0, 1.0))
        model.add_variable("alignment_drift", lambda s: self.drift[gens.deployed.index] + 0.0 * s["t"],
                           unit="1", owner=self.name,
                           long_name="alignment drift of the deployed generation (speculative index)")

    def start(self):
        for g in self._gens.history:  # the initial generation: no drift by definition
            self.drift[g.index] = 0.0
            g.extra.update(alignment_drift=0.0, review_coverage=1.0)

    def _coverage(self, s):
        ai_directed = s["ai_directed_share"] * s["research_labour"]
        capacity = self._lab.hours("oversight") * self.audit_span
        if type(ai_directed) is float:
            return minimum(1.0, capacity / ai_directed) if ai_directed > 0 else 1.0
        with np.errstate(divide="ignore", invalid="ignore"):
            # Python floats raise on x/0 where np.where would discard the branch: divide.
            return np.where(ai_directed > 0, minimum(1.0, divide(capacity, ai_directed)), 1.0)

    def _training_started(self, gen, state):
        share = float(state["ai_directed_share"])
        coverage = float(state["review_coverage"])
        previous = max(self.drift)  # the latest generation started before this one
        self.drift[gen.index] = self.drift[previous] + self.drift_per_generation * share * (1 - coverage)
        gen.extra.update(alignment_drift=self.drift[gen.index], review_coverage=coverage)
