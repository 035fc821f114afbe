"""Software: the efficiency level S that turns physical into effective compute.

Semi-endogenous software progress (Jones 1995; Davidson & Houlden 2025; Eth & Davidson 2025):
S grows with cumulative research input R as ``S ∝ R**r``, where ``r`` is the returns to
software R&D (software doublings per doubling of cumulative research input). In differential
form, with research input ``I = dR/dt`` (from the ``research`` component)::

    d ln R/dt = I / R
    d ln S/dt = r(S) * I / R
    r(S)      = r0 * (1 - ln(S/S0) / ln(S_max/S0))        (Davidson & Houlden 2025)

so returns fall linearly in log-software to zero at the ceiling ``S_max``, which lies
``ceiling_years`` of software progress at the historical rate above the start:
``ln(S_max/S0) = ceiling_years * ln(g_hist)``. S approaches the ceiling without reaching it;
when ``ln S`` is within 1% of ``ln S_max`` (returns down to 1% of ``r0``) the flag
``software_saturated`` becomes true and the event ``software_saturated`` is logged.

Calibration: ``R(0)`` is set so that with the human-only research input of the start
(normalised to 1 by ``research``) software grows at the historical rate ``g_hist`` (Ho et al.
2024: 8-month halving, ~2.8x/yr): ``R0 = r0 / ln(g_hist)``. With AI help at the start, growth is
``ln(g_hist) * ai_rd_multiplier(0)``.

With ``I ∝ S`` (AI does all research), ``R ∝ S**(1/r)`` and ``dR/dt ∝ R**r``: progress explodes
in finite time iff ``r > 1`` and fizzles iff ``r < 1`` (REFERENCE A.2).
"""

from __future__ import annotations

import math

from ..core import Component, Param
from ..core.numeric import divide, log, maximum


class Software(Component):
    """Software efficiency S (effective FLOP per physical FLOP, S(start) = 1)."""

    name = "software"
    needs = ("research",)

    # ---- parameters ----------------------------------------------------------------------
    r = Param(
        1.2, unit="1", bounds=(0.01, 20.0),
        source="Davidson & Houlden 2025 central estimate (range 0.4-3.6), takeoff_parameters.csv",
        doc="returns to software R&D r0 far from the ceiling")
    historical_growth = Param(
        2.83, unit="1/year", bounds=(1.0001, 1000.0),
        source="Ho et al. 2024 arXiv:2403.05812: compute-equivalent halving 8 months (95% CI "
               "5-14), i.e. 2**(12/8) = 2.83x/yr (epoch_trends.csv)",
        doc="growth factor per year of software efficiency with human research only")
    ceiling_years = Param(
        11.0, unit="year", bounds=(0.1, 1e6),
        source="Davidson & Houlden 2025: distance to effective limits 11 years of progress at "
               "recent rates (range 6-16), takeoff_parameters.csv",
        doc="distance from the start to the software ceiling, in years at historical_growth")

    #: Share of the way to the ceiling (in ln S) that counts as saturated.
    SATURATION = 0.99

    # ---- state ---------------------------------------------------------------------------
    def build(self, model):
        super().build(model)
        model.set_flag("software_saturated", False)
        self.ln_ceiling = self.ceiling_years * math.log(self.historical_growth)
        self.R0 = self.r / math.log(self.historical_growth)
        model.add_stock("software_level", 1.0, unit="1", owner=self.name,
                        long_name="software efficiency S (effective per physical FLOP; 1 at start)")
        model.add_stock("cumulative_research", self.R0, unit="research-input-year", owner=self.name,
                        long_name="cumulative research input R (1 = a year of human-only start input)")
        model.add_variable("software_returns", self._returns, unit="1", owner=self.name,
                           long_name="returns to software R&D r(S), falling to 0 at the ceiling")
        model.add_variable("software_growth_rate",
                           lambda s: s["software_returns"] * divide(s["research_input"], s["cumulative_research"]),
                           unit="1/year", owner=self.name,
                           long_name="growth rate of software efficiency d ln S/dt")

    def start(self):
        self.model.watch(lambda s: log(s["software_level"]) - self.SATURATION * self.ln_ceiling,
                         label="software saturated").callbacks.append(self._saturated)

    def _saturated(self, _event) -> None:
        m = self.model
        with m.change():
            m.set_flag("software_saturated", True)
        m.log("software_saturated", self.name, software_level=math.exp(self.SATURATION * self.ln_ceiling),
              ceiling=self.ceiling)

    def _returns(self, s):
        # r falls linearly in ln S (Davidson & Houlden 2025); clipped so S never passes S_max.
        return self.r * maximum(0.0, 1.0 - log(s["software_level"]) / self.ln_ceiling)

    @property
    def ceiling(self) -> float:
        """The software ceiling S_max."""
        return math.exp(self.ln_ceiling)

    def rates(self, state):
        # R is positive, but exp(ln R) of a wild trial point of the integrator may underflow to 0.
        g_r = divide(state["research_input"], state["cumulative_research"])
        return {"cumulative_research": g_r, "software_level": state["software_returns"] * g_r}
