"""Software: the efficiency level S that turns physical into effective compute.

Semi-endogenous software progress with a research stock, in the units of the literature
(Jones 1995; Davidson 2023 FTM; Davidson & Houlden 2025; Eth & Davidson 2025). ``research``
gives the research input ``I = Q * X**lambda``: a raw input ``X`` (a CES of experiment compute
and research labour) raised to the parallelism exponent ``lambda``. Then::

    dR/dt     = I                                                   (cumulative research input)
    d ln S/dt = (r / lambda) * pen(S) * I / R
    pen(S)    = max(0, 1 - ln S / ln S_max)                         (returns fall to 0 at the ceiling)

so ``S ∝ R**(r/lambda)`` far from the ceiling. This is FTM's ``_update_rnd``
(epoch-research/ftm ftm/core/model.py: ``adjusted_input = research_input**λ``; the returns are
divided by λ in ``__init__``; the ceiling penalty is linear in log performance) written as an
ODE. ``r`` is therefore Davidson & Houlden's returns: software doublings per doubling of the
*raw* input on a balanced path (D&H's doubling-time factor ``2**(λ(1/r - 1))``,
thoulden/Accelerated_AI_Progress multiple_sims.py ``dynamic_system_with_lambda``). The
parallelism penalty is applied once, in ``research``. With AI labour proportional to S and
compute fixed (a software intelligence explosion), ``I ∝ S**lambda`` and
``d ln S/dt ∝ S**(lambda - lambda/r)``: growth accelerates iff ``r > 1`` and fizzles iff
``r < 1`` (REFERENCE A.2), whatever ``lambda``.

**Start on the balanced path.** On a balanced growth path with raw input growing at ``g_X``,
``R`` grows at ``lambda g_X`` and S at ``r g_X``. D&H estimate ``r`` as exactly that ratio on the
historical record, so the historical raw input growth is ``g_X = ln(g_hist) / r`` and the stock
of the balanced path is ``R0 = I0 / (lambda g_X) = r I0 / (lambda ln g_hist)`` (FTM's
``ratio_initial_to_cumulative_input_software_rnd``; the AI Futures Model's
``calculate_initial_research_stock``, brendanhalstead/ai-progress-rates progress_model.py, takes
``RS(0) = RS'(0)**2 / RS''(0)``, the same path). ``I0`` is the human-only input of the start
(1 by ``research``'s normalisation), so humans alone with inputs on their historical growth make
software grow at ``historical_growth`` for good; AI help at the start multiplies it.
``growth_anchor: start`` instead sets ``R0`` so that the growth *with* the start's AI help is
``historical_growth`` (Kwa's normalisation: "S growing 5x/yr in January 2026").

**Ceiling.** D&H put the ceiling ``ceiling_years`` years of *AI progress* at recent rates away,
where a year of AI progress is the software doublings of a year divided by software's share of
AI progress ``s`` (their code: ``ceiling = (2**(4/s))**limit_years``, 4 software doublings a
year and ``s = 0.5``, so 11 years are 88 doublings). In the units of S::

    ln S_max = ceiling_years * ln(g_hist) / software_share

(the default share 0.415 = ln 2.83 / ln 12.2 is software's share of Epoch's effective-compute
growth, 2.83x/yr software x 4.31x/yr training compute). When ``ln S`` is within 1% of
``ln S_max`` the flag ``software_saturated`` becomes true and the event is logged.
"""

from __future__ import annotations

import math

import numpy as np

from ..core import Component, Param
from ..core.numeric import divide, log, maximum


class Software(Component):
    """Software efficiency S (effective FLOP per physical FLOP, S(start) = 1)."""

    name = "software"
    needs = ("research",)

    # ---- parameters ----------------------------------------------------------------------
    r = Param(
        1.2, unit="1", bounds=(0.01, 20.0),
        source="Davidson & Houlden 2025 central estimate (range 0.4-3.6, takeoff_parameters.csv); "
               "software doublings per doubling of raw research input",
        doc="returns to software R&D r far from the ceiling (D&H units)")
    historical_growth = Param(
        2.83, unit="1/year", bounds=(1.0001, 1e6),
        source="Ho et al. 2024 arXiv:2403.05812: compute-equivalent halving 8 months (95% CI "
               "5-14), i.e. 2**(12/8) = 2.83x/yr (epoch_trends.csv)",
        doc="growth factor per year of software efficiency with human research only on the "
            "historical balanced path (with growth_anchor: start, the growth at the start)")
    growth_anchor = Param(
        "human_only", kind=str, choices=("human_only", "start"), unit="",
        source="human_only: Epoch's trend was made by humans (FTM, AFM); start: Kwa 2026 "
               "normalises the growth at the start",
        doc="what historical_growth is the growth of: humans alone on the balanced path, or the "
            "start including its AI help")
    ceiling_years = Param(
        11.0, unit="year", bounds=(0.1, 1e6),
        source="Davidson & Houlden 2025: distance to effective limits 11 years of AI progress at "
               "recent rates (range 6-16), takeoff_parameters.csv",
        doc="distance from the start to the software ceiling, in years of AI progress")
    software_share = Param(
        0.415, unit="1", bounds=(0.01, 1.0),
        source="ln 2.83 / ln(2.83 x 4.31): software's share of Epoch's effective-compute growth "
               "(epoch_trends.csv); Davidson & Houlden use 0.5",
        doc="software's share of AI progress (converts years of progress into software growth)")

    sample_results = {"progress_in_one_year": {
        "units": "year", "long_name": "most years of AI progress at recent rates made in any 12 months "
                                      "of the run (Davidson & Houlden's statistic)"}}

    #: Share of the way to the ceiling (in ln S) that counts as saturated.
    SATURATION = 0.99

    # ---- state ---------------------------------------------------------------------------
    def build(self, model):
        super().build(model)
        model.set_flag("software_saturated", False)
        self.ln_ceiling = self.ceiling_years * self.progress_year_nats
        self._lambda = model["research"].parallelism
        self._gain = self.r / self._lambda
        model.add_stock("software_level", 1.0, unit="1", owner=self.name,
                        long_name="software efficiency S (effective per physical FLOP; 1 at start)")
        # R0 is set in start(), once every component can evaluate the research input.
        model.add_stock("cumulative_research", 1.0, unit="research-input-year", owner=self.name,
                        long_name="cumulative research input R (1 = a year of human-only start input)")
        model.add_variable("software_returns", self._returns, unit="1", owner=self.name,
                           long_name="returns to software R&D r(S), falling to 0 at the ceiling")
        model.add_variable("software_growth_rate",
                           lambda s: (s["software_returns"] / self._lambda)
                           * divide(s["research_input"], s["cumulative_research"]),
                           unit="1/year", owner=self.name,
                           long_name="growth rate of software efficiency d ln S/dt")

    @property
    def progress_year_nats(self) -> float:
        """Growth of ln S in one year of AI progress at recent rates."""
        return math.log(self.historical_growth) / self.software_share

    def initial_research_stock(self, input_at_start: float) -> float:
        """``R0`` of the balanced historical path (see the module docstring)."""
        reference = input_at_start if self.growth_anchor == "start" else 1.0
        return self._gain * reference / math.log(self.historical_growth)

    def start(self):
        m = self.model
        m.set_initial("cumulative_research", self.initial_research_stock(float(m.state()["research_input"])))
        m.watch(lambda s: log(s["software_level"]) - self.SATURATION * self.ln_ceiling,
                label="software saturated").callbacks.append(self._saturated)

    def _saturated(self, _event) -> None:
        m = self.model
        with m.change():
            m.set_flag("software_saturated", True)
        m.log("software_saturated", self.name, software_level=math.exp(self.SATURATION * self.ln_ceiling),
              ceiling=self.ceiling)

    def _returns(self, s):
        # r falls linearly in ln S (FTM ceiling_penalty; D&H); clipped so S never passes S_max.
        return self.r * maximum(0.0, 1.0 - log(s["software_level"]) / self.ln_ceiling)

    @property
    def ceiling(self) -> float:
        """The software ceiling S_max."""
        return math.exp(self.ln_ceiling)

    def outputs(self) -> dict[str, tuple]:
        return {"progress_in_one_year": ((), self.progress_in_one_year(), self.sample_results["progress_in_one_year"])}

    def progress_in_one_year(self, window: float = 1.0) -> float:
        """Most software progress in any ``window`` years of the run, in years of AI progress at
        recent rates (``Δ ln S / (ln g_hist / software_share)``): Davidson & Houlden's statistic
        (thoulden/Accelerated_AI_Progress ``calculate_summary_statistics_binary``), on the output
        grid with ln S interpolated linearly between its points. A run shorter than the window
        counts its whole length."""
        t = self.model.output_times
        ln_s = np.log(self.model.recorded_series("software_level"))
        ok = np.isfinite(ln_s)
        t, ln_s = t[ok], ln_s[ok]
        if len(t) < 2:
            return 0.0
        ends = np.interp(np.minimum(t + window, t[-1]), t, ln_s)
        return float(np.max(ends - ln_s)) / self.progress_year_nats

    def rates(self, state):
        # R is positive, but exp(ln R) of a wild trial point of the integrator may underflow to 0.
        g_r = divide(state["research_input"], state["cumulative_research"])
        # the formula of software_growth_rate, inlined (the right-hand side runs ~1,000 times a run)
        return {"cumulative_research": g_r,
                "software_level": self._returns(state) / self._lambda * g_r}
