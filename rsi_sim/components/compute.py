"""Compute: the leading developer's physical compute and its allocation.

Physical compute ``P`` (H100-equivalents, H100e) grows at the product of spending growth and
hardware price-performance growth, the decomposition Epoch AI uses for frontier training compute
(Sevilla & Roldan 2024; Hobbhahn, Heim & Aydos 2023)::

    d ln P/dt = ln g_spend + ln g_pp        (g_spend -> g_spend_late after slowdown_year)

or, when ``growth_series`` is given, at the growth factors it lists by year (an exogenous input
path: each factor applies from its year to the next listed one, so levels interpolate
geometrically between years, as in Kwa's ``compute_schedule``, tkwa/ai-takeoff-model
takeoff_simulation.ipynb).

It is allocated in fixed shares to training and experiments; inference gets the remainder
``1 - training_share - experiment_share`` (so more experiments means fewer AI workers, and the
experiment share is not a free normalisation). Two policy levers act on
the allocation (change them inside ``model.change()``):

``training_growth_cap``
    maximum growth factor per year of the compute rate given to training (``inf``: none).
    Setting it anchors a capped path at the current training compute rate; training then gets
    ``min(share * P, anchor * cap**(t - t_anchor))``.
``inference_share_cap``
    maximum share of physical compute used for inference (``1``: none).
"""

from __future__ import annotations

import math

from ..core import Component, Param
from ..core.errors import ParameterError
from ..core.numeric import exp, minimum, series_value

#: Seconds in a Julian year; model time is in Julian years.
SECONDS_PER_YEAR = 365.25 * 86400.0


class Compute(Component):
    """Physical compute of the leading developer, in H100e, and its split by use."""

    name = "compute"

    # ---- parameters ----------------------------------------------------------------------
    initial_h100e = Param(
        1.5e6, unit="H100e", bounds=(1e3, 1e12),
        source="~10% of the global AI compute stock of 15-16M H100e in early 2026 (Epoch AI Chip "
               "Sales explorer, epoch_trends.csv); the leader's share is judgmental. With the "
               "defaults a 2026-01-01 run uses 1.7e27 FLOP, the Epoch record-run trend "
               "(4.64e26 FLOP Grok-3 2025-02 x 4.31/yr) extrapolated",
        doc="physical compute of the leading developer at the start")
    flop_per_h100e_year = Param(
        1.25e22, unit="FLOP/(H100e*year)", bounds=(1e18, 1e26),
        source="H100 SXM dense BF16 989 TFLOP/s (NVIDIA datasheet) x 40% utilisation x 3.156e7 s",
        doc="useful FLOP one H100-equivalent delivers in a year")
    spending_growth = Param(
        3.19, unit="1/year", bounds=(0.5, 20.0),
        source="Epoch record-setting training runs 4.31x/yr (fit of epoch_frontier_training_"
               "compute.csv) divided by price-performance 1.35x/yr (epoch_trends.csv)",
        doc="growth factor per year of compute spending (H100e grow by spending x price-perf.)")
    price_performance_growth = Param(
        1.35, unit="1/year", bounds=(0.5, 10.0),
        source="Epoch AI 'Machine Learning Hardware' hub; Hobbhahn, Heim & Aydos 2023: "
               "1.3-1.4x/yr (epoch_trends.csv)",
        doc="growth factor per year of hardware FLOP/s per dollar")
    slowdown_year = Param(
        2028.0, unit="year", bounds=(1900.0, 3000.0),
        source="Sevilla et al. 2024 'Can AI scaling continue through 2030?': ~2e29 FLOP runs "
               "feasible by 2030 (epoch_trends.csv); the default growth reaches ~1.5e29 in 2030",
        doc="decimal year after which spending grows at late_spending_growth")
    late_spending_growth = Param(
        1.5, unit="1/year", bounds=(0.5, 20.0),
        source="judgmental: power and capital constraints (Sevilla et al. 2024); corporate AI "
               "investment grew 1.45x 2023->2024 (AI Index 2025, epoch_trends.csv)",
        doc="growth factor per year of spending after slowdown_year")
    # Bounded away from 0: a generation's capability and copy cost scale with its training
    # compute (log10 and ratios of it), which a zero share makes 0.
    training_share = Param(
        0.3, unit="1", bounds=(1e-6, 1.0),
        source="judgmental; hardware ~half of frontier development cost and most of it in "
               "experiments and inference (Cottier et al. 2024, epoch_trends.csv)",
        doc="share of physical compute running the frontier training run (> 0)")
    experiment_share = Param(
        0.3, unit="1", bounds=(0.0, 1.0),
        source="FTM initial experiment share of software R&D 0.3 (Davidson 2023, "
               "takeoff_parameters.csv), used here as the compute share",
        doc="share of physical compute for research experiments")
    growth_series = Param(
        None, kind=dict, unit="1/year", bounds=(0.01, 100.0),
        source="scenario input: another model's compute path (e.g. Kwa 2026: 2.6x/yr to 2029, "
               "then 2x declining linearly to 1.25x/yr by 2058)",
        doc="growth factor per year of physical compute by decimal year (each applies until the "
            "next; levels interpolate geometrically); replaces spending x price-performance growth "
            "and slowdown_year when given")

    def __init__(self, **values):
        super().__init__(**values)
        #: Policy lever: maximum growth factor per year of the training compute rate.
        self._training_growth_cap = math.inf
        self._cap_anchor = (0.0, math.inf)  # (t, training compute rate at t)
        #: Policy lever: maximum share of physical compute used for inference.
        self.inference_share_cap = 1.0

    # ---- state ---------------------------------------------------------------------------
    def build(self, model):
        super().build(model)
        total = self.training_share + self.experiment_share
        if total > 1.0 + 1e-9:
            raise ParameterError(
                f"The 'training_share' and 'experiment_share' parameters of {self.name} must sum to at "
                f"most 1 (inference gets the rest). Got {total:g} instead.")
        self._growth = math.log(self.spending_growth) + math.log(self.price_performance_growth)
        self._late_growth = math.log(self.late_spending_growth) + math.log(self.price_performance_growth)
        model.add_stock("physical_compute", self.initial_h100e, unit="H100e",
                        long_name="physical compute of the leading developer (H100-equivalents)",
                        owner=self.name)
        model.add_variable("physical_compute_flop", self._flop, unit="FLOP/year",
                           long_name="physical compute as useful FLOP per year", owner=self.name)
        model.add_variable("training_compute_rate", self._training_rate, unit="FLOP/year",
                           long_name="compute rate given to frontier training", owner=self.name)
        model.add_variable("experiment_compute", lambda s: self.experiment_share * s["physical_compute_flop"],
                           unit="FLOP/year", long_name="compute for research experiments", owner=self.name)
        model.add_variable("inference_compute",
                           lambda s: self.inference_fraction() * s["physical_compute_flop"],
                           unit="FLOP/year", long_name="compute for inference", owner=self.name)

    @property
    def inference_share(self) -> float:
        """Share of physical compute left for inference: ``1 - training - experiment``."""
        return max(0.0, 1.0 - self.training_share - self.experiment_share)

    def inference_fraction(self) -> float:
        """Share of physical compute used for inference now (the cap lever applied)."""
        return min(self.inference_share, self.inference_share_cap)

    def _flop(self, s):
        return s["physical_compute"] * self.flop_per_h100e_year

    def _training_rate(self, s):
        uncapped = self.training_share * s["physical_compute_flop"]
        if math.isinf(self._training_growth_cap):
            return uncapped
        t0, v0 = self._cap_anchor
        return minimum(uncapped, v0 * exp(math.log(self._training_growth_cap) * (s["t"] - t0)))

    @property
    def training_growth_cap(self) -> float:
        """Policy lever: maximum growth factor per year of training compute (``inf``: none).

        Set it inside ``model.change()``; the capped path starts from the current rate.
        """
        return self._training_growth_cap

    @training_growth_cap.setter
    def training_growth_cap(self, value: float) -> None:
        value = float(value)
        if not value > 0:
            raise ValueError(f"training_growth_cap must be a positive growth factor per year, got {value!r}")
        # Once the model is built the capped path starts from the current (possibly capped) rate.
        if self.model is not None and getattr(self.model, "_built", False):
            state = self.model.state()
            self._cap_anchor = (float(state["t"]), float(state["training_compute_rate"]))
        else:
            self._cap_anchor = (0.0, self.training_share * self.initial_h100e * self.flop_per_h100e_year)
        self._training_growth_cap = value

    def growth_rate(self, t: float) -> float:
        """d ln P/dt at model time ``t`` (years since start)."""
        year = self.model.start_year + t
        if self.growth_series is not None:
            return math.log(series_value(self.growth_series, year))
        return self._growth if year < self.slowdown_year else self._late_growth

    # ---- processes -----------------------------------------------------------------------
    def start(self):
        self._rate = self.growth_rate(0.0)
        if self.growth_series is not None:
            self.env.process(self._follow_series())
            return
        t_slow = self.slowdown_year - self.model.start_year
        if 0 < t_slow < self.model.horizon:
            self.env.process(self._slowdown(t_slow))

    def _follow_series(self):
        for year in self.growth_series:
            t = year - self.model.start_year
            if 0 < t < self.model.horizon:
                yield self.env.timeout(t - self.env.now)
                with self.model.change():
                    self._rate = self.growth_rate(t)

    def _slowdown(self, t_slow):
        yield self.env.timeout(t_slow)
        with self.model.change():
            self._rate = self._late_growth
        self.model.log("spending_slowdown", self.name, growth_per_year=math.exp(self._late_growth))

    def rates(self, state):
        return {"physical_compute": self._rate}
