"""Capability: from a generation's effective compute to observable capability.

**METR 50% time horizon.** log2 of the horizon is linear in log10 of effective compute::

    log2 h(E) = log2 h_anchor + b * log10(E / E_anchor)

``E_anchor`` is the effective compute of the generation deployed at ``anchor_year`` (the start),
given by the pre-start history of the compute and software components (their historical growth
rates, see :meth:`Generations.backcast_effective_compute`). ``b`` (horizon doublings per order of
magnitude of effective compute) is calibrated so that effective compute growing at the Epoch
rates before the start (training compute 4.31x/yr x software 2.83x/yr = 12.2x/yr) reproduces
METR's fitted doubling time; ``h_anchor`` is that fitted line at the start. On the TH1.1 data
the 2024+ fit (104.7 days; 7.50 h at 2026-01-01) is used: it keeps 14 of the 15 frontier models
since 2023 inside their 95% intervals, against 13 of 15 for the 2023+ fit. See docs/model.md.

**Coding automation fraction.** Share of (research-)engineering work, by human time, that the
deployed generation can execute, logistic in log horizon::

    f(h) = 1 / (1 + (h_half / h)**k)

``h_half`` and ``k`` are fitted to the reported growth of code merged per engineer (Anthropic,
2025Q1-2026Q2, ai_rd_labour_uplift.csv; uncertain) read through Amdahl's law
(``output multiple = 1/(1-f)``) at the METR trend horizon of each quarter.

The AI R&D progress multiplier is computed by the ``research`` component (research input with
AI over research input of the same humans and compute alone).
"""

from __future__ import annotations

import math

import numpy as np

from ..core import Component, Param


class Capability(Component):
    """Maps effective compute to the METR time horizon and a coding automation fraction."""

    name = "capability"
    needs = ("generations",)

    # ---- parameters ----------------------------------------------------------------------
    anchor_horizon_hours = Param(
        7.50, unit="hour", bounds=(1e-4, 1e9),
        source="METR TH1.1 (vintage 2026-05-08) OLS of log2 p50 on date, SOTA models released "
               "2024-01-01 on, p50 <= 960 min, evaluated at 2026-01-01 (rsi_sim.calibration)",
        doc="50% time horizon of the generation deployed at the start")
    doublings_per_oom = Param(
        3.21, unit="1", bounds=(0.01, 100.0),
        source="METR 2024+ doubling time 104.7 d (3.49 doublings/yr) divided by log10 of the "
               "Epoch effective-compute growth 4.31 x 2.83 = 12.2x/yr (1.087 OOM/yr)",
        doc="horizon doublings per tenfold effective compute (b)")
    automation_half_hours = Param(
        3.5, unit="hour", bounds=(1e-3, 1e6),
        source="fit of Amdahl 1/(1-f) to Anthropic lines of code merged per contributor vs "
               "2021-24 (1.2x 2025Q1 ... 8x 2026Q2; ai_rd_labour_uplift.csv, uncertain) at METR "
               "2024+ trend horizons",
        doc="time horizon at which half of engineering work is automatable (h_half)")
    automation_slope = Param(
        1.2, unit="1", bounds=(0.05, 20.0),
        source="same fit as automation_half_hours",
        doc="slope k of the log-odds of automation in ln(horizon)")

    # ---- state ---------------------------------------------------------------------------
    def build(self, model):
        super().build(model)
        gens = model["generations"]
        self.effective_compute_anchor = gens.backcast_effective_compute(-gens.initial_generation_age, model)
        model.add_variable("time_horizon_hours", lambda s: gens.deployed.horizon_hours, unit="hour",
                           long_name="METR 50% time horizon of the deployed generation", owner=self.name)
        model.add_variable("coding_automation_fraction",
                           lambda s: self.automation_fraction(gens.deployed.horizon_hours), unit="1",
                           long_name="share of engineering work the deployed generation can execute",
                           owner=self.name, bounds=(0.0, 1.0))

    def horizon_hours(self, effective_compute):
        """50% time horizon (hours) of a model trained with ``effective_compute`` (FLOP)."""
        return self.anchor_horizon_hours * np.exp2(
            self.doublings_per_oom * np.log10(np.asarray(effective_compute) / self.effective_compute_anchor))

    def automation_fraction(self, horizon_hours):
        """Coding automation fraction f(h) (logistic in ln h)."""
        h = horizon_hours if type(horizon_hours) is float else np.asarray(horizon_hours, dtype=float)
        if type(h) is float:
            try:
                return 1.0 / (1.0 + (self.automation_half_hours / h) ** self.automation_slope) if h > 0 else 0.0
            except OverflowError:  # the limit of the logistic, as numpy's inf gives it
                return 0.0
        return 1.0 / (1.0 + (self.automation_half_hours / h) ** self.automation_slope)

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
