"""Capability: from the deployed model's effective compute to what it can do.

The deployed model is the latest released generation (``generations``) or, without that
component, the frontier at every instant (continuous capability: effective compute
``E(t) ∝ training compute rate x S``). Everything here is a function of ``ln(E / E_anchor)``,
``E_anchor`` the effective compute of the model deployed at the start, given by the pre-start
history of the compute and software components (:meth:`Generations.backcast_effective_compute`).

**Coding automation fraction** (the share of AI R&D engineering work, by human time, the model
can execute), logistic in log effective compute as in Kwa 2026 (tkwa/ai-takeoff-model
takeoff_simulation.ipynb ``f_automation``: ``f = σ(v (ln CS − ln E_hac))``) and the AI Futures
Model (automation rising with effective compute)::

    f(E) = σ(logit(automation_at_start) + ln(E / E_anchor) / automation_width)

``automation_width`` is Kwa's ``1/v``: the factor ``e**width`` of effective compute that moves
automation from 50% to 73%. The defaults are the fit to the reported growth of code merged per
engineer (Anthropic 2025Q1-2026Q2, ai_rd_labour_uplift.csv; uncertain) read through Amdahl's law
(``output multiple = 1/(1 - f)``) at METR trend horizons: ``h_half = 3.5 h``, slope 1.2 in
``ln h``, which is ``f0 = 0.714`` and ``width = 1/(1.2 x 3.21 x log10 2) = 0.862``.

**METR 50% time horizon** (an observable; the span of human direction uses it): log2 of the
horizon is linear in log10 of effective compute, ``log2 h = log2 h_anchor + b log10(E/E_anchor)``,
with ``b`` calibrated so that effective compute growing at the Epoch rates before the start
(4.31x/yr x 2.83x/yr = 12.2x/yr) reproduces METR's 2024+ doubling time (104.7 days; 7.50 h at
2026-01-01; 14 of the 15 frontier models since 2023 inside their 95% intervals). METR measured
horizons up to ~16 hours; the log-linear law is an extrapolation beyond that
(``time_horizon_extrapolated`` = 1) and is not trusted at all beyond ``horizon_cap_hours``, where
the horizon saturates (a model that works reliably for years on end is outside any data).
"""

from __future__ import annotations

import math

import numpy as np

from ..core import Component, Param
from ..core.numeric import exp, log, minimum

#: Longest task length in METR's Time Horizon 1.1 suite (16 hours): beyond it, extrapolation.
MEASURED_HORIZON_HOURS = 16.0
#: The uncapped horizon (a capability scale for comparing actors) is reported at most as this.
UNCAPPED_LIMIT_HOURS = 1e300


class Capability(Component):
    """Maps the deployed model's effective compute to automation and the METR time horizon."""

    name = "capability"
    needs = ("compute", "software")

    # ---- parameters ----------------------------------------------------------------------
    anchor_horizon_hours = Param(
        7.50, unit="hour", bounds=(1e-4, 1e9),
        source="METR TH1.1 (vintage 2026-05-08) OLS of log2 p50 on date, SOTA models released "
               "2024-01-01 on, p50 <= 960 min, evaluated at 2026-01-01 (rsi_sim.calibration)",
        doc="50% time horizon of the model deployed at the start")
    doublings_per_oom = Param(
        3.21, unit="1", bounds=(0.01, 100.0),
        source="METR 2024+ doubling time 104.7 d (3.49 doublings/yr) divided by log10 of the "
               "Epoch effective-compute growth 4.31 x 2.83 = 12.2x/yr (1.087 OOM/yr)",
        doc="horizon doublings per tenfold effective compute (b)")
    horizon_cap_hours = Param(
        2000.0, unit="hour", bounds=(1.0, 1e7),
        source="judgmental: one work-year; METR's tasks reach 16 h, so longer horizons are "
               "extrapolation (range 167-20,000 h)",
        doc="longest time horizon the mapping gives (the horizon saturates there)")
    automation_at_start = Param(
        0.714, unit="1", bounds=(1e-6, 1.0),
        source="fit of Amdahl 1/(1-f) to Anthropic code merged per contributor (1.2x 2025Q1 ... "
               "8x 2026Q2; ai_rd_labour_uplift.csv, uncertain) at METR 2024+ trend horizons; "
               "Kwa 2026 assumes 0.25-0.5. 1 means full automation from the start",
        doc="coding automation fraction of the model deployed at the start")
    automation_width = Param(
        0.862, unit="1", bounds=(0.01, 100.0),
        source="same fit (slope 1.2 in ln horizon); Kwa 2026 puts 1/v at 1.5-4.2",
        doc="ln effective compute per unit of automation log-odds (Kwa's 1/v)")

    # ---- state ---------------------------------------------------------------------------
    def build(self, model):
        super().build(model)
        self._gens = model.components.get("generations")
        comp = model["compute"]
        if self._gens is not None:
            self.effective_compute_anchor = self._gens.backcast_effective_compute(
                -self._gens.initial_generation_age, model)
            self._e_anchor_rate = None
        else:  # continuous capability: the frontier of the training compute rate and software
            self.effective_compute_anchor = math.nan
            self._e_anchor_rate = comp.training_share * comp.start_compute * comp.flop_per_h100e_year
        self._logit0 = (math.inf if self.automation_at_start >= 1.0
                        else math.log(self.automation_at_start / (1.0 - self.automation_at_start)))
        self._version = -1
        add = model.add_variable
        add("log_effective_compute", self.log_effective_compute, unit="1", owner=self.name,
            long_name="ln of the deployed model's effective compute over the start's")
        add("time_horizon_hours", lambda s: self._terms(s, 0), unit="hour",
            long_name="METR 50% time horizon of the deployed model", owner=self.name)
        add("time_horizon_extrapolated", lambda s: self._terms(s, 1),
            unit="1", owner=self.name, bounds=(0.0, 1.0),
            long_name="1 where the horizon lies beyond METR's measured task lengths (16 h)")
        add("coding_automation_fraction", lambda s: self._terms(s, 2), unit="1",
            long_name="share of engineering work the deployed model can execute",
            owner=self.name, bounds=(0.0, 1.0))
        # The horizon law without its cap: not a prediction past the cap, but a scale on which
        # several actors' deployed models compare at any level (lead_years, docs/actors.md).
        add("uncapped_time_horizon_hours", lambda s: self._terms(s, 3), unit="hour",
            long_name="50% time horizon of the deployed model by the log-linear law without "
                      "its cap (a capability scale)", owner=self.name, bounds=(0.0, math.inf))

    def _terms_of(self, x):
        """(horizon, extrapolated flag, automation, uncapped horizon) at ``x = ln(E/E_anchor)``."""
        raw = self.raw_horizon_of(x)
        # past float range the uncapped scale reads 1e300 (as the compute limits do), not inf
        return (self.horizon_of(x), 1.0 * (raw > MEASURED_HORIZON_HOURS), self.automation_of(x),
                minimum(raw, UNCAPPED_LIMIT_HOURS))

    def _terms(self, s, i):
        if self._gens is None:
            return self._terms_of(s["log_effective_compute"])[i]
        if self._version != self.model.version:  # constant between discrete changes: cached
            self._cached, self._version = self._terms_of(self.deployed_log_effective_compute()), self.model.version
        return self._cached[i] + 0.0 * s["t"]

    @property
    def discrete(self) -> bool:
        """True when capability changes only at generation releases."""
        return self._gens is not None

    def log_effective_compute(self, s):
        """``ln(E / E_anchor)`` of the deployed model in state ``s``."""
        if self._gens is not None:
            return self.deployed_log_effective_compute() + 0.0 * s["t"]
        return log(s["training_compute_rate"] * s["software_level"] / self._e_anchor_rate)

    def deployed_log_effective_compute(self) -> float:
        """``ln(E / E_anchor)`` of the released generation deployed now (discrete case)."""
        return math.log(self._gens.deployed.effective_compute / self.effective_compute_anchor)

    def relative_log_compute(self, effective_compute):
        """``ln(E / E_anchor)`` of a model trained with ``effective_compute`` (FLOP)."""
        return np.log(np.asarray(effective_compute, dtype=float) / self.effective_compute_anchor)

    def raw_horizon_of(self, x):
        """The log-linear horizon law at ``x = ln(E/E_anchor)``, without its cap."""
        return self.anchor_horizon_hours * exp(self.doublings_per_oom * x / math.log(10.0) * math.log(2.0))

    def log_effective_compute_at(self, raw_horizon_hours: float) -> float:
        """``x = ln(E/E_anchor)`` at which the uncapped horizon law gives ``raw_horizon_hours``
        (the inverse of :meth:`raw_horizon_of`): where another developer's model sits on this
        developer's scale (weight theft, docs/actors.md)."""
        return (math.log(raw_horizon_hours / self.anchor_horizon_hours) * math.log(10.0)
                / (self.doublings_per_oom * math.log(2.0)))

    def deployed_raw_horizon(self) -> float:
        """The uncapped horizon (hours) of the generation deployed now (discrete case)."""
        return float(minimum(float(self.raw_horizon_of(self.deployed_log_effective_compute())),
                             UNCAPPED_LIMIT_HOURS))

    def horizon_of(self, x):
        """50% time horizon (hours) at ``x = ln(E/E_anchor)``, saturating at the cap."""
        h = self.raw_horizon_of(x)
        if type(h) is float:
            return h if h < self.horizon_cap_hours else self.horizon_cap_hours
        return np.minimum(h, self.horizon_cap_hours)

    def horizon_hours(self, effective_compute):
        """50% time horizon (hours) of a model trained with ``effective_compute`` (FLOP)."""
        return self.horizon_of(self.relative_log_compute(effective_compute))

    #: Without generations the AI workforce is unlimited, so full automation would make research
    #: input infinite (Amdahl ``H/(1-f)``); automation is then capped here, as Kwa caps it
    #: (tkwa/ai-takeoff-model ``jones_model_derivative``: ``f >= 0.999999 -> 0.999999``).
    MAX_AUTOMATION_UNLIMITED_AI = 0.999999

    def automation_of(self, x):
        """Coding automation fraction at ``x = ln(E/E_anchor)`` (floats and arrays); capped at
        ``MAX_AUTOMATION_UNLIMITED_AI`` when capability is continuous (no generations)."""
        top = 1.0 if self._gens is not None else self.MAX_AUTOMATION_UNLIMITED_AI
        if math.isinf(self._logit0):
            return top + 0.0 * x
        z = self._logit0 + x / self.automation_width
        if type(z) is float:
            if z > 700.0:
                return top
            f = 1.0 / (1.0 + math.exp(-z))
            return f if f < top else top
        with np.errstate(over="ignore"):
            return np.minimum(1.0 / (1.0 + np.exp(-z)), top)

    def implied_horizon_hours(self, decimal_year: float) -> float:
        """Horizon of a model released at ``decimal_year`` before the start, on the calibrated
        pre-start path (for hindcasts). A model released at the start is ``anchor_horizon_hours``.
        """
        gens = self.model["generations"]
        t = decimal_year - self.model.start_year
        return float(self.horizon_hours(gens.backcast_effective_compute(t - gens.initial_generation_age,
                                                                        self.model)))


def log2_horizon_slope(doubling_time_days: float, effective_compute_growth: float) -> float:
    """``b`` from a horizon doubling time and an effective-compute growth factor per year.

    >>> round(log2_horizon_slope(104.7, 4.31 * 2.83), 2)
    3.21
    """
    return (365.25 / doubling_time_days) / math.log10(effective_compute_growth)
