"""Labour: the leading developer's human researchers by role, hired in cohorts.

Three roles (DESIGN §4): research *judgment* (people who choose which experiments and changes
are worth making), *engineering* (people who execute them) and *oversight* (safety, evaluation
and review staff). Each role grows by discrete hiring cohorts: every ``cohort_interval`` a cohort
is decided and arrives ``hiring_lag`` later. Hiring saturates in two ways:

    ln g_role(t) = ln g_lr + (ln g_role - ln g_lr) * 2**(-t / growth_halflife)
    c_role       = N_role * (g_role(t)**interval - 1) * hiring_multiplier       (wanted)
    room         = talent_pool - N_total - pending
    cohort_role  = c_role * room * (1 - exp(-C / room)) / C,    C = sum of c_role

Each role's growth declines towards the long-run rate ``long_run_growth`` (AI 2027's
``labor_growth_schedule`` falls from 50%/yr to 10%/yr by 2031; the AI Futures Model's human
labour from 1.8x/yr to 1.1x/yr by 2040; Kwa's to 1.1x/yr after 2029), and the headcount of all
roles stays below the talent pool: a cohort takes at most the room left, nearly all the wanted
hires while the room is large, and the roles keep their relative rates. With ``growth_series``
(an exogenous input path, as Kwa's ``labor_schedule``, tkwa/ai-takeoff-model
takeoff_simulation.ipynb) ``g`` is the series' factor in force at the decision for every role
(the pool still applies).

Policy levers (change inside ``model.change()``):

``hiring_multiplier``
    multiplies the size of every cohort decided while it is in force (1: trend).
``oversight_staff_multiplier``
    multiplies the oversight headcount at once (a mandate to staff oversight; 1: none).
"""

from __future__ import annotations

import math

from ..core import Component, Lever, Param
from ..core.numeric import series_value

#: Roles and the public variable names of their headcounts.
ROLES = ("judgment", "engineering", "oversight")


class Labour(Component):
    """Human researchers by role, growing through lagged hiring cohorts."""

    name = "labour"

    # ---- parameters ----------------------------------------------------------------------
    initial_judgment = Param(
        300.0, unit="person", bounds=(0.0, 1e7),
        source="judgmental: senior research leads at a frontier lab of ~4,500 staff (OpenAI "
               "headcount 2026, ai_rd_labour_uplift.csv)",
        doc="research-judgment staff at the start")
    initial_engineering = Param(
        1500.0, unit="person", bounds=(1.0, 1e8),
        source="judgmental: about a third of ~4,500 staff are research engineers (OpenAI "
               "headcount 2026, ai_rd_labour_uplift.csv)",
        doc="research engineers at the start")
    initial_oversight = Param(
        150.0, unit="person", bounds=(0.0, 1e7),
        source="judgmental: safety, evaluation and review staff, a few percent of headcount",
        doc="oversight staff at the start")
    judgment_growth = Param(
        1.15, unit="1/year", bounds=(0.5, 10.0),
        source="top-tier talent pool growth: NeurIPS accepted papers 1,428 (2019) -> 2,671 "
               "(2022), ~1.23x/yr (MacroPolo, ai_rd_labour_uplift.csv), slowed as labs saturate",
        doc="growth factor per year of judgment staff")
    engineering_growth = Param(
        1.5, unit="1/year", bounds=(0.5, 10.0),
        source="frontier-lab headcount growth 1.7x/yr (OpenAI) to 3x/yr (Anthropic) through "
               "2025 (Epoch via Heninger 2025, ai_rd_labour_uplift.csv), damped",
        doc="growth factor per year of engineering staff")
    oversight_growth = Param(
        1.5, unit="1/year", bounds=(0.5, 10.0),
        source="as engineering_growth (judgmental)",
        doc="growth factor per year of oversight staff")
    long_run_growth = Param(
        1.10, unit="1/year", bounds=(0.5, 10.0),
        source="AI 2027 labor_growth_schedule 10%/yr from 2031 (forecaster 'eli'); AI Futures "
               "Model human labour 1.1x/yr 2040-41; Kwa 1.1x/yr after 2029 (labour.csv)",
        doc="growth factor per year every role's hiring growth declines towards")
    growth_halflife = Param(
        3.0, unit="year", bounds=(0.1, 100.0),
        source="judgmental fit: AI 2027 50%/yr (2025) -> 10%/yr (2031) is ~1.5 y, AFM 1.8x (2028) "
               "-> 1.3x (2035) ~4.5 y (labour.csv); range 1.5-5 years",
        doc="half-life of each role's growth in excess of long_run_growth (log scale)")
    talent_pool = Param(
        40000.0, unit="person", bounds=(1.0, 1e10),
        source="judgmental: between ~22,000 PhD-educated AI researchers and the broader 90,000 "
               "(early 2018, LinkedIn-based) and 36,524 self-reported AI experts (2019), "
               "labour.csv; range 20,000-100,000",
        doc="most research staff (all roles together) the developer can employ")
    hours_per_year = Param(
        2000.0, unit="hour/year", bounds=(100.0, 8766.0),
        source="conventional full-time work year (50 weeks x 40 h)",
        doc="working hours of one human per year")
    growth_series = Param(
        None, kind=dict, unit="1/year", bounds=(0.01, 100.0),
        source="scenario input: another model's labour path (e.g. Kwa 2026: 2x/yr to 2029, then "
               "1.1x/yr)",
        doc="growth factor per year of every role's headcount by decimal year (each applies until "
            "the next listed year); replaces the roles' own growth factors when given")
    cohort_interval = Param(
        1.0, unit="year", bounds=(0.05, 10.0), source="annual hiring cycle (judgmental)",
        doc="time between hiring decisions")
    hiring_lag = Param(
        0.5, unit="year", bounds=(0.0, 5.0),
        source="judgmental: recruiting and onboarding take months",
        doc="delay from a hiring decision to the cohort starting work")

    # ---- policy levers -------------------------------------------------------------------
    #: ``hiring_multiplier``: multiplies the size of cohorts decided while in force.
    slow_hiring = Lever(
        "hiring_multiplier", neutral=1.0, combine="product", param="factor", bounds=(0, 1),
        rejects="must be between 0 (hiring stops) and 1 (trend)",
        doc="multiplier on hiring cohorts (0-1)")
    #: ``oversight_staff_multiplier``: multiplies the oversight headcount at once (a staffing
    #: mandate; evaluations and reviews get faster).
    raise_oversight_staffing = Lever(
        "oversight_staff_multiplier", neutral=1.0, combine="product", param="factor",
        bounds=(1, None), rejects="would cut oversight staff; use >= 1",
        doc="multiplier on oversight headcount (>= 1)")

    def __init__(self, **values):
        super().__init__(**values)
        self.headcount: dict[str, float] = {}
        self._pending = 0.0

    # ---- state ---------------------------------------------------------------------------
    def build(self, model):
        super().build(model)
        self.headcount = {r: float(getattr(self, f"initial_{r}")) for r in ROLES}
        self.growth = {r: float(getattr(self, f"{r}_growth")) for r in ROLES}
        for role in ROLES:
            model.add_variable(f"human_researchers_{role}", lambda s, r=role: self.staff(r),
                               unit="person", long_name=f"human staff in the {role} role", owner=self.name)

    def staff(self, role: str) -> float:
        """Current headcount of ``role`` (oversight includes the staffing multiplier)."""
        n = self.headcount[role]
        return n * self.oversight_staff_multiplier if role == "oversight" else n

    def hours(self, role: str) -> float:
        """Working hours per year of ``role``."""
        return self.staff(role) * self.hours_per_year

    # ---- processes -----------------------------------------------------------------------
    def start(self):
        self.env.process(self._hiring())

    def role_growth(self, role: str, t: float) -> float:
        """Growth factor per year of ``role`` at model time ``t`` (declining to the long-run rate)."""
        if self.growth_series is not None:
            return series_value(self.growth_series, self.model.start_year + t)
        ln_lr = math.log(self.long_run_growth)
        return math.exp(ln_lr + (math.log(self.growth[role]) - ln_lr) * 2.0 ** (-t / self.growth_halflife))

    def _hiring(self):
        # A decision at t covers growth over the next interval (hires already in the pipeline
        # at the start arrive at hiring_lag).
        while True:
            t = self.env.now
            wanted = {r: self.headcount[r] * (self.role_growth(r, t) ** self.cohort_interval - 1.0)
                      * self.hiring_multiplier for r in ROLES}
            total = sum(wanted.values())
            room = self.talent_pool - sum(self.headcount.values()) - self._pending
            scale = 1.0
            if total > 0:
                # at most the room left; ~all wanted hires while the room is large
                scale = max(room, 0.0) * -math.expm1(-total / room) / total if room > 0 else 0.0
            cohort = {r: n * scale if n > 0 else n for r, n in wanted.items()}
            self._pending += sum(cohort.values())
            self.env.process(self._arrive(cohort))
            yield self.env.timeout(self.cohort_interval)

    def _arrive(self, cohort):
        yield self.env.timeout(self.hiring_lag)
        with self.model.change():
            for role, n in cohort.items():
                self.headcount[role] = max(0.0, self.headcount[role] + n)
            self._pending -= sum(cohort.values())
        self.model.log("hiring_cohort", self.name, **{r: round(n, 1) for r, n in cohort.items()})
