"""Compute: the leading developer's physical compute inside the economy, the grid and the fabs.

Physical compute ``P`` (H100-equivalents, H100e) is the least of what money, power and chips
allow (Sevilla et al. 2024, "Can AI scaling continue through 2030?", take the same minimum over
power, chips, data and latency)::

    P(t)          = min(installed(t), M(t), W(t))                        [H100e]
    M(t)          = budget(t) / cost(t)                                   money
    budget(t)     = min(plan(t), spending_share_ceiling * GWP(t), spending_cap)   [USD/year]
    plan(t)       = initial_spending * g_spend**t  (g_spend -> g_spend_late from slowdown_year)
    cost(t)       = (initial_spending / initial_h100e) / g_pp**t          [USD/(H100e year)]
    W(t)          = min(initial_power * g_power**t, power_ceiling, power_cap) / w(t)   power
    w(t)          = watts_per_h100e / g_flop_per_watt**t                  [W/H100e]
    GWP(t)        = initial_gwp * g_gwp**t, or with gwp_ai_acceleration
    d ln GWP/dt   = ln g_gwp / (1 - gwp_automation_transfer * f)          (f: coding automation)

The budget is FTM's ``compute_investment = gwp * frac_gwp_compute`` with the fraction capped at
``frac_gwp_compute_ceiling`` (Davidson 2023, epoch-research/ftm ``ftm/core/model.py``,
``calculate_total_inputs``). The accelerated GWP is the Zeira-style automation result of
Aghion, Jones & Jones (2019, "Artificial intelligence and economic growth"): with a share
``beta`` of tasks automated, the balanced growth rate is the base rate over ``1 - beta``; FTM
obtains the same acceleration from automating goods tasks in its CES production function.

**Chips and tranches.** ``installed`` changes only when a tranche of new capacity arrives (a
SimPy process per tranche; DESIGN §4). Every ``tranche_interval`` the developer orders the
capacity it will be able to use on arrival, ``build_lead_time`` later::

    tranche = clip(min(M, W)(t_arrival) - installed - pending, 0, chips)
    chips   = min(chip_share * integral of production over the interval before arrival,
                  chip_supply_cap * tranche_interval)       (the cap in force at the order)
    production(t) = initial_chip_production * g_chip**t (g_chip -> g_chip_late from chip_slowdown_year)

so the stock never grows faster than the developer's share of chip production (FTM buys new
hardware with a ``hardware_delay`` in the same way). Installed chips that money or power cannot
run stand idle. ``binding_compute_limit`` says which limit sets ``P``: 0 money, 1 power, 2 chips
(when the installed stock binds, the limit that sized the last tranche), 3 an exogenous path.

With ``growth_series`` physical compute instead follows the growth factors it lists by year (an
exogenous input path: each factor applies from its year to the next listed one, so levels
interpolate geometrically between years, as in Kwa's ``compute_schedule``, tkwa/ai-takeoff-model
takeoff_simulation.ipynb); the limits are then not applied.

It is allocated in fixed shares to training and experiments; inference gets the remainder
``1 - training_share - experiment_share`` (so more experiments means fewer AI workers, and the
experiment share is not a free normalisation). Policy levers (change them inside
``model.change()``):

``training_growth_cap``
    maximum growth factor per year of the compute rate given to training (``inf``: none).
    Setting it anchors a capped path at the current training compute rate; training then gets
    ``min(share * P, anchor * cap**(t - t_anchor))``.
``inference_share_cap``
    maximum share of physical compute used for inference (``1``: none).
``power_cap``
    maximum power the developer may draw, W (``inf``: none; a datacentre-permit limit).
``chip_supply_cap``
    maximum H100e per year the developer may add (``inf``: none; export controls). It limits
    tranches ordered while it is in force; tranches in the pipeline still arrive.
``spending_cap``
    maximum compute spending, USD/year (``inf``: none).
"""

from __future__ import annotations

import math

import numpy as np

from ..core import Component, Lever, Param
from ..core.errors import ParameterError
from ..core.numeric import exp, minimum, series_value

#: A compute limit past float range is reported as this: it can never bind.
_BEYOND = 1e300

#: Seconds in a Julian year; model time is in Julian years.
SECONDS_PER_YEAR = 365.25 * 86400.0
#: Values of ``binding_compute_limit`` (CF ``flag_values``/``flag_meanings``).
LIMITS = ("money", "power", "chips", "exogenous_path")
MONEY, POWER, CHIPS, EXOGENOUS = range(4)


class Compute(Component):
    """Physical compute of the leading developer, in H100e, its limits and its split by use."""

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
    initial_spending = Param(
        4.0e10, unit="USD/year", bounds=(1e6, 1e15),
        source="leading AI company annual compute cost 2026, $40B (AI 2027 'OpenBrain' financials, "
               "judgmental; OpenAI ~$7B in 2024 x 2.4/yr, Epoch), economy_compute_limits.csv; "
               "with initial_h100e it makes $26,700 per H100e-year",
        doc="the developer's compute spending at the start (it pays for initial_h100e)")
    spending_growth = Param(
        3.19, unit="1/year", bounds=(0.5, 20.0),
        source="Epoch record-setting training runs 4.31x/yr (fit of epoch_frontier_training_"
               "compute.csv) divided by price-performance 1.35x/yr (epoch_trends.csv)",
        doc="growth factor per year of planned compute spending (H100e grow by spending x price-perf.)")
    price_performance_growth = Param(
        1.35, unit="1/year", bounds=(0.5, 10.0),
        source="Epoch AI 'Machine Learning Hardware' hub; Hobbhahn, Heim & Aydos 2023: "
               "1.3-1.4x/yr (epoch_trends.csv)",
        doc="growth factor per year of hardware FLOP/s per dollar")
    slowdown_year = Param(
        2028.0, unit="year", bounds=(1900.0, 3000.0),
        source="judgmental: investors' plans beyond the announced 2026-27 capex (economy_compute_"
               "limits.csv: hyperscaler capex +50%/yr into 2026)",
        doc="decimal year after which planned spending grows at late_spending_growth")
    late_spending_growth = Param(
        1.5, unit="1/year", bounds=(0.5, 20.0),
        source="judgmental; corporate AI investment grew 1.45x 2023->2024 (AI Index 2025, "
               "epoch_trends.csv), big-4 capex ~+50%/yr into 2026 (economy_compute_limits.csv)",
        doc="growth factor per year of planned spending after slowdown_year")
    spending_share_ceiling = Param(
        0.026, unit="1", bounds=(1e-6, 1.0),
        source="FTM frac_gwp_compute_ceiling 0.1 for all AI compute (best guess; 0.03-0.3 across "
               "presets, epoch-research/ftm presets.js) x the largest developer's 26% (16-40%) of "
               "AI resources (Sevilla et al. 2024), economy_compute_limits.csv; judgmental product",
        doc="largest share of gross world product the developer can spend on compute")
    initial_gwp = Param(
        1.16e14, unit="USD/year", bounds=(1e12, 1e17),
        source="World GDP 2023 $105.4T (World Bank WDI) x IMF real growth 3.3%, 3.2%, 3.1% "
               "(2024-26, WEO Oct 2025), economy_compute_limits.csv",
        doc="gross world product at the start")
    gwp_growth = Param(
        1.031, unit="1/year", bounds=(0.9, 10.0),
        source="IMF WEO Oct 2025 projection for 2026 (3.1%/yr; 3.7% 2000-19 average), "
               "economy_compute_limits.csv",
        doc="growth factor per year of gross world product without AI acceleration")
    gwp_ai_acceleration = Param(
        False, kind=bool,
        source="switch; FTM makes GWP endogenous in automation (Davidson 2023)",
        doc="let GWP growth rise with automation: d ln GWP/dt = ln g_gwp / (1 - transfer * f)")
    gwp_automation_transfer = Param(
        0.5, unit="1", bounds=(0.0, 0.99),
        source="judgmental: share of the economy's tasks automated per unit of the coding "
               "automation fraction (range 0.1-0.9)",
        doc="economy-wide automated share = gwp_automation_transfer x coding_automation_fraction")
    initial_power_gw = Param(
        2.0, unit="GW", bounds=(1e-3, 1e5),
        source="26% (Sevilla et al. 2024 largest-developer share) of US AI power capacity ~5 GW "
               "in 2025 (Epoch/EPRI) grown one year at power_growth; economy_compute_limits.csv",
        doc="power the developer can draw at the start")
    power_growth = Param(
        2.2, unit="1/year", bounds=(0.5, 10.0),
        source="power of the largest frontier training runs grew 2.2x/yr (Epoch/EPRI 2025; "
               "leading AI supercomputer power 2x/yr 2019-25, Epoch), economy_compute_limits.csv",
        doc="growth factor per year of the power available to the developer")
    power_ceiling_gw = Param(
        100.0, unit="GW", bounds=(1e-3, 1e5),
        source="judgmental: a third of a tenth of world electricity (2024 data-centre use 415 TWh "
               "= 1.5% of it, IEA: 3.2 TW average); range 30-320 GW. US AI capacity >50 GW by "
               "2030 (Epoch/EPRI), economy_compute_limits.csv",
        doc="most power one developer can ever draw")
    watts_per_h100e = Param(
        700.0, unit="W/H100e", bounds=(1.0, 1e5),
        source="total data-centre power per H100e 0.70 kW in 2026 (AI 2027 compute forecast, "
               "judgmental; H100 all-in 1.7 kW in 2024, Epoch), economy_compute_limits.csv",
        doc="all-in data-centre power per H100e at the start")
    flop_per_watt_growth = Param(
        1.28, unit="1/year", bounds=(0.5, 10.0),
        source="GPU peak FLOP/s per W 1.28x/yr (1.16-1.42), 2010-24 (Epoch, extending Hobbhahn "
               "et al. 2023), economy_compute_limits.csv",
        doc="growth factor per year of hardware energy efficiency")
    initial_chip_production = Param(
        2.5e7, unit="H100e/year", bounds=(1.0, 1e15),
        source="AI chips produced 25M H100e in 2026 (AI 2027 compute forecast, medium), "
               "economy_compute_limits.csv",
        doc="world production of AI chips at the start")
    chip_production_growth = Param(
        2.4, unit="1/year", bounds=(0.5, 10.0),
        source="25M -> 60M H100e/yr 2026-27 (AI 2027 compute forecast: 1.65x units x 1.35x per "
               "chip, up to 2.2x 2024-26), economy_compute_limits.csv",
        doc="growth factor per year of chip production until chip_slowdown_year")
    chip_slowdown_year = Param(
        2028.0, unit="year", bounds=(1900.0, 3000.0),
        source="AI 2027 compute forecast: packaging and HBM bottleneck until 2027, then wafers "
               "(~1.25x/yr), economy_compute_limits.csv",
        doc="decimal year after which chip production grows at late_chip_production_growth")
    late_chip_production_growth = Param(
        1.69, unit="1/year", bounds=(0.5, 10.0),
        source="wafer-limited 1.25x/yr units (AI 2027) x 1.35x/yr H100e per chip (Epoch trend); "
               "Sevilla et al. 2024 GPU production +30-100%/yr, economy_compute_limits.csv",
        doc="growth factor per year of chip production after chip_slowdown_year")
    chip_share = Param(
        0.26, unit="1", bounds=(0.0, 1.0),
        source="largest developer's share of AI chips 26% (16-40%), Sevilla et al. 2024; AI 2027 "
               "gives OpenBrain 20% by 2027 (actors_race.csv)",
        doc="share of world chip production the developer can buy")
    tranche_interval = Param(
        0.25, unit="year", bounds=(0.05, 5.0),
        source="judgmental: data-centre capacity comes online in phases a few months apart",
        doc="time between orders of new capacity (and between arrivals)")
    build_lead_time = Param(
        1.0, unit="year", bounds=(0.0, 10.0),
        source="judgmental: 1-2 years from order to a powered data centre (Colossus took 122 days "
               "to build, grid connections take years; Sevilla et al. 2024)",
        doc="time from ordering a tranche to its arrival (orders see the caps and GWP of their day)")
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
            "next; levels interpolate geometrically); replaces the limits when given")

    # ---- policy levers (see the module docstring) ----------------------------------------
    cap_training_growth = Lever(
        "training_growth_cap", neutral=math.inf, combine="min", param="per_year", bounds=(1, None),
        rejects="would make training compute shrink, which a growth cap cannot do; use >= 1",
        doc="cap on the growth of training compute, factor per year (>= 1)")
    cap_inference_share = Lever(
        "inference_share_cap", neutral=1.0, combine="min", param="share", bounds=(0, 1),
        rejects="is not a share between 0 and 1",
        doc="cap on the share of compute used for inference (deployment), 0-1")
    cap_power = Lever(
        "power_cap", neutral=math.inf, combine="min", param="gw", unit="GW", scale=1e9,
        bounds=(0, None), open_bounds=True, rejects="is not a cap (use pause_training to stop training)",
        doc="cap on the power the developer may draw, GW (> 0; datacentre permits)")
    cap_chip_supply = Lever(
        "chip_supply_cap", neutral=math.inf, combine="min", param="h100e_per_year",
        unit="H100e/year", bounds=(0, None), rejects="is not a cap on supply (use 0 for no new chips)",
        doc="cap on the chips the developer may add, H100e per year (>= 0; export controls; "
            "binds on new orders)")
    cap_compute_spending = Lever(
        "spending_cap", neutral=math.inf, combine="min", param="usd_per_year", unit="USD/year",
        bounds=(0, None), open_bounds=True, rejects="is not a cap (use pause_training to stop training)",
        doc="cap on the developer's compute spending, USD per year (> 0)")

    def __init__(self, **values):
        super().__init__(**values)
        # training_growth_cap is a property (setting it re-anchors the capped path)
        self._training_growth_cap = math.inf
        self._cap_anchor = (0.0, math.inf)  # (t, training compute rate at t)

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
        self._t_slow = self.slowdown_year - model.start_year
        self._t_chip = self.chip_slowdown_year - model.start_year
        self._ln_pp = math.log(self.price_performance_growth)
        self._ln_gwp = math.log(self.gwp_growth)
        self._ln_power = math.log(self.power_growth)
        self._ln_eff = math.log(self.flop_per_watt_growth)
        self._cost0 = self.initial_spending / self.initial_h100e
        self.installed = float(self.initial_h100e)
        self._pending = 0.0
        self._last_limit = MONEY
        self._exogenous = self.growth_series is not None
        add = model.add_variable
        if self._exogenous:
            model.add_stock("physical_compute", self.initial_h100e, unit="H100e",
                            long_name="physical compute of the leading developer (H100-equivalents)",
                            owner=self.name)
        else:
            add("physical_compute", self._physical, unit="H100e", owner=self.name, bounds=(0.0, math.inf),
                long_name="physical compute of the leading developer (H100-equivalents)")
        if self.gwp_ai_acceleration:
            model.add_stock("gwp", self.initial_gwp, unit="USD/year", owner=self.name,
                            long_name="gross world product (accelerated by automation)")
        else:
            add("gwp", lambda s: self.initial_gwp * exp(self._ln_gwp * s["t"]), unit="USD/year",
                owner=self.name, long_name="gross world product")
        add("installed_compute", lambda s: self.installed + 0.0 * s["t"], unit="H100e", owner=self.name,
            long_name="installed chips of the developer, idle ones included (H100-equivalents)")
        add("compute_money_allows", self._money_allows, unit="H100e", owner=self.name,
            long_name="compute the spending budget can pay for")
        add("compute_power_allows", self._power_allows, unit="H100e", owner=self.name,
            long_name="compute the available power can run")
        add("compute_spending", lambda s: s["physical_compute"] * self.cost_per_h100e_year(s["t"]),
            unit="USD/year", owner=self.name, long_name="the developer's spending on the compute it runs")
        add("spending_share_of_gwp", lambda s: s["compute_spending"] / s["gwp"], unit="1",
            owner=self.name, long_name="compute spending as a share of gross world product")
        add("power_available", self._power_available, unit="W", owner=self.name,
            long_name="power the developer can draw")
        add("power_draw", lambda s: s["physical_compute"] * self.watts_per_h100e_at(s["t"]), unit="W",
            owner=self.name, long_name="power drawn by the compute in use")
        add("chip_production", lambda s: self.chip_production_at(s["t"]), unit="H100e/year",
            owner=self.name, long_name="world production of AI chips")
        add("binding_compute_limit", self._binding, unit="1", owner=self.name, bounds=(0.0, 3.0),
            long_name="limit that sets physical compute: " + ", ".join(
                f"{i} {n}" for i, n in enumerate(LIMITS)))
        add("physical_compute_flop", self._flop, unit="FLOP/year",
            long_name="physical compute as useful FLOP per year", owner=self.name)
        add("training_compute_rate", self._training_rate, unit="FLOP/year",
            long_name="compute rate given to frontier training", owner=self.name)
        add("experiment_compute", lambda s: self.experiment_share * s["physical_compute_flop"],
            unit="FLOP/year", long_name="compute for research experiments", owner=self.name)
        add("inference_compute", lambda s: self.inference_fraction() * s["physical_compute_flop"],
            unit="FLOP/year", long_name="compute for inference", owner=self.name)
        self._capability = None

    # ---- the paths -----------------------------------------------------------------------
    def _ln_plan(self, t):
        """ln of planned spending over initial spending (piecewise exponential, numpy-safe)."""
        g1, g2 = self._growth - self._ln_pp, self._late_growth - self._ln_pp
        early = np.minimum(t, self._t_slow) if isinstance(t, np.ndarray) else min(t, self._t_slow)
        return g1 * early + g2 * (t - early)

    def cost_per_h100e_year(self, t):
        """Cost of running one H100e for a year at model time ``t``, USD (falls with price-perf.)."""
        return self._cost0 * exp(-self._ln_pp * t)

    def watts_per_h100e_at(self, t):
        """All-in power per H100e at model time ``t``, W."""
        return self.watts_per_h100e * exp(-self._ln_eff * t)

    def budget(self, t, gwp):
        """Spending the developer can make at ``t`` given GWP: the least of plan, ceiling, cap."""
        plan = self.initial_spending * exp(self._ln_plan(t))
        return minimum(minimum(plan, self.spending_share_ceiling * gwp), self.spending_cap)

    def power_available_at(self, t):
        """Power the developer can draw at ``t``, W (the grid path, its ceiling and any cap)."""
        grid = minimum(self.initial_power_gw * 1e9 * exp(self._ln_power * t), self.power_ceiling_gw * 1e9)
        return minimum(grid, self.power_cap)

    def chip_production_at(self, t):
        """World AI-chip production at ``t``, H100e per year."""
        g1, g2 = math.log(self.chip_production_growth), math.log(self.late_chip_production_growth)
        early = np.minimum(t, self._t_chip) if isinstance(t, np.ndarray) else min(t, self._t_chip)
        return self.initial_chip_production * exp(g1 * early + g2 * (t - early))

    def chip_output(self, a: float, b: float) -> float:
        """World chip production between model times ``a`` and ``b``, H100e (exact integral)."""
        def piece(lo, hi, ln_g, t0, p0):  # integral of p0 * exp(ln_g (t - t0)) over [lo, hi]
            if hi <= lo:
                return 0.0
            if abs(ln_g) < 1e-12:
                return p0 * (hi - lo)
            return p0 * (math.exp(ln_g * (hi - t0)) - math.exp(ln_g * (lo - t0))) / ln_g
        g1, g2 = math.log(self.chip_production_growth), math.log(self.late_chip_production_growth)
        ts = self._t_chip
        early = piece(a, min(b, ts), g1, 0.0, self.initial_chip_production)
        if b <= ts:  # a slowdown beyond the interval (perhaps centuries away: exp would overflow)
            return early
        return early + piece(max(a, ts), b, g2, ts, self.initial_chip_production * math.exp(g1 * ts))

    def _money_allows(self, s):
        # A limit beyond 1e300 H100e cannot bind (the installed stock would have diverged first),
        # so it is reported as 1e300 rather than as the inf its ratio overflows to.
        return minimum(self.budget(s["t"], s["gwp"]) / self.cost_per_h100e_year(s["t"]), _BEYOND)

    def _power_available(self, s):
        return self.power_available_at(s["t"])

    def _power_allows(self, s):
        return minimum(s["power_available"] / self.watts_per_h100e_at(s["t"]), _BEYOND)

    def _physical(self, s):
        return minimum(minimum(self.installed, s["compute_money_allows"]), s["compute_power_allows"])

    def _binding(self, s):
        if self._exogenous:
            return EXOGENOUS + 0.0 * s["t"]
        m, w, inst = s["compute_money_allows"], s["compute_power_allows"], self.installed
        out = np.where(m <= np.minimum(inst, w), MONEY, np.where(w <= inst, POWER, self._last_limit))
        return out.astype(float) if out.ndim else float(out)

    def _flop(self, s):
        return s["physical_compute"] * self.flop_per_h100e_year

    def _training_rate(self, s):
        uncapped = self.training_share * s["physical_compute_flop"]
        if math.isinf(self._training_growth_cap):
            return uncapped
        t0, v0 = self._cap_anchor
        return minimum(uncapped, v0 * exp(math.log(self._training_growth_cap) * (s["t"] - t0)))

    @property
    def inference_share(self) -> float:
        """Share of physical compute left for inference: ``1 - training - experiment``."""
        return max(0.0, 1.0 - self.training_share - self.experiment_share)

    def inference_fraction(self) -> float:
        """Share of physical compute used for inference now (the cap lever applied)."""
        return min(self.inference_share, self.inference_share_cap)

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
        if self.model is not None and self.model.built:
            state = self.model.state()
            self._cap_anchor = (float(state["t"]), float(state["training_compute_rate"]))
        else:
            self._cap_anchor = (0.0, self.training_share * self.start_compute * self.flop_per_h100e_year)
        self._training_growth_cap = value

    @property
    def start_compute(self) -> float:
        """Physical compute at the start, H100e: ``initial_h100e`` unless money or power cannot
        run all of it (the reference other components normalise by; from the parameters, so it
        is known before this component is built)."""
        if self.growth_series is not None:
            return self.initial_h100e
        cost0 = self.initial_spending / self.initial_h100e
        money = min(self.initial_spending, self.spending_share_ceiling * self.initial_gwp,
                    self.spending_cap) / cost0
        power = min(self.initial_power_gw * 1e9, self.power_ceiling_gw * 1e9, self.power_cap) / self.watts_per_h100e
        return min(self.initial_h100e, money, power)

    @property
    def pre_start_growth(self) -> float:
        """d ln P/dt before the start: the planned spending path times price-performance (the
        limits did not bind before 2026; Epoch's record runs grew 4.31x/yr)."""
        if self.growth_series is not None:
            return math.log(next(iter(self.growth_series.values())))
        return math.log(self.spending_growth) + math.log(self.price_performance_growth)

    def growth_rate(self, t: float) -> float:
        """d ln P/dt of the exogenous path, or of the planned money path, at model time ``t``."""
        year = self.model.start_year + t
        if self.growth_series is not None:
            return math.log(series_value(self.growth_series, year))
        return self._growth if year < self.slowdown_year else self._late_growth

    # ---- processes -----------------------------------------------------------------------
    def start(self):
        if self.gwp_ai_acceleration:
            self._capability = "coding_automation_fraction" in self.model.names()
        if self._exogenous:
            self._rate = self.growth_rate(0.0)
            self.env.process(self._follow_series())
            return
        self.env.process(self._build_out())
        t_slow = self._t_slow
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
        self.model.log("spending_slowdown", self.name, growth_per_year=math.exp(self._late_growth))

    def _build_out(self):
        """Order a tranche every ``tranche_interval``, each arriving ``build_lead_time`` later;
        orders placed before the start (arrivals in the first lead time) are placed at once."""
        dt, lead = self.tranche_interval, self.build_lead_time
        k = 1
        while k * dt <= self.model.horizon:
            t_arrival = k * dt
            t_order = t_arrival - lead
            if t_order > self.env.now:
                yield self.env.timeout(t_order - self.env.now)
            self._order(t_order, t_arrival)
            k += 1

    def _order(self, t_order: float, t_arrival: float) -> None:
        now = self.env.now
        state = self.model.state()
        gwp = float(state["gwp"]) * math.exp(self._ln_gwp * (t_arrival - now))  # plans use trend growth
        money = float(self.budget(t_arrival, gwp) / self.cost_per_h100e_year(t_arrival))
        power = float(self.power_available_at(t_arrival) / self.watts_per_h100e_at(t_arrival))
        need = min(money, power) - self.installed - self._pending
        dt = self.tranche_interval
        # chips delivered during the build's last interval; an export cap binds on new orders
        chips = min(self.chip_share * self.chip_output(t_arrival - dt, t_arrival), self.chip_supply_cap * dt)
        if need > chips:
            size, limit = chips, CHIPS
        else:
            size, limit = max(need, 0.0), MONEY if money <= power else POWER
        self._pending += size
        self.env.process(self._arrive(t_arrival, size, limit))

    def _arrive(self, t_arrival: float, size: float, limit: int):
        yield self.env.timeout(t_arrival - self.env.now)
        if size == 0.0 and limit == self._last_limit:
            self._pending = max(0.0, self._pending - size)
            return
        with self.model.change():
            self.installed += size
            self._pending = max(0.0, self._pending - size)
            self._last_limit = limit
        self.model.log("compute_tranche", self.name, h100e=float(f"{size:.4g}"), limit=LIMITS[limit])

    def rates(self, state):
        out = {}
        if self._exogenous:
            out["physical_compute"] = self._rate
        if self.gwp_ai_acceleration:
            f = state["coding_automation_fraction"] if self._capability else 0.0
            out["gwp"] = self._ln_gwp / (1.0 - self.gwp_automation_transfer * f)
        return out

    def finish(self, ds):
        if "binding_compute_limit" in ds:
            ds["binding_compute_limit"].attrs.update(
                flag_values=list(range(len(LIMITS))), flag_meanings=" ".join(LIMITS))
        return ds
