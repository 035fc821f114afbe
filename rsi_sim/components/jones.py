"""Jones (1995) semi-endogenous growth with fully automated research.

``dA/dt = delta * L**lam * A**phi`` (Jones 1995, JPE 103(4), eq. 5). With research labour
proportional to the technology level itself (AI does all research, ``L = A``):
``dA/dt = delta * A**(lam + phi)``; growth is polynomial if ``lam + phi < 1``, exponential if
``= 1``, and blows up in finite time ``t* = A0**(1-k) / (delta (k-1))`` if ``k = lam + phi > 1``.
These closed forms are the kernel's exactness check (REFERENCE A.1).
"""

from __future__ import annotations

import numpy as np

from ..core import Component, Param


class JonesResearch(Component):
    name = "jones"

    delta = Param(0.1, unit="1/year", bounds=(1e-6, 100.0), source="Jones (1995), illustrative",
                  doc="research productivity δ")
    lam = Param(0.5, unit="1", bounds=(0.0, 5.0), source="Jones (1995), illustrative",
                doc="returns to research labour λ (duplication: λ < 1 means stepping on toes)")
    phi = Param(0.5, unit="1", bounds=(-5.0, 5.0), source="Jones (1995), illustrative",
                doc="returns to the existing stock of ideas φ ('standing on shoulders')")
    A0 = Param(1.0, unit="1", bounds=(1e-12, 1e12), source="normalisation",
               doc="initial technology level A(0)")

    def build(self, model):
        super().build(model)
        model.add_stock("A", self.A0, unit="1", long_name="technology level A", owner=self.name)
        model.add_variable("growth_rate", lambda s: self.delta * s["A"] ** (self.k - 1.0),
                           unit="1/year", long_name="growth rate of A", owner=self.name)

    @property
    def k(self) -> float:
        """Total returns ``lam + phi`` (research labour is A itself)."""
        return self.lam + self.phi

    def rates(self, state):
        # d ln A/dt = delta * A**(k-1): in log form the stock never overflows before blow-up.
        return {"A": state["growth_rate"]}

    # Closed forms (REFERENCE A.1), used by tests and the validation page.
    def closed_form(self, t):
        """A(t) from the closed form; ``inf`` at and after the blow-up time."""
        t = np.asarray(t, dtype=float)
        k, d, a0 = self.k, self.delta, self.A0
        if abs(k - 1.0) < 1e-12:
            return a0 * np.exp(d * t)
        base = a0 ** (1 - k) + (1 - k) * d * t
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(base > 0, np.abs(base) ** (1 / (1 - k)), np.inf)

    def blowup_time(self) -> float:
        """``t* = A0**(1-k) / (delta (k-1))`` for ``k > 1``; ``inf`` otherwise."""
        if self.k <= 1:
            return float("inf")
        return self.A0 ** (1 - self.k) / (self.delta * (self.k - 1))
