"""Labour: the leading developer's human researchers by role, hired in cohorts.

Three roles (DESIGN §4): research *judgment* (people who choose which experiments and changes
are worth making), *engineering* (people who execute them) and *oversight* (safety, evaluation
and review staff). Each role grows by discrete hiring cohorts: every ``cohort_interval`` a cohort
is decided, of size ``N * (g**interval - 1) * hiring_multiplier`` for headcount ``N`` and role
growth factor ``g``; it arrives ``hiring_lag`` later. With ``growth_series`` (an exogenous input
path, as Kwa's ``labor_schedule``, tkwa/ai-takeoff-model takeoff_simulation.ipynb) ``g`` is the
series' factor in force at the decision for every role.

Policy levers (change inside ``model.change()``):

``hiring_multiplier``
    multiplies the size of every cohort decided while it is in force (1: trend).
``oversight_staff_multiplier``
    multiplies the oversight headcount at once (a mandate to staff oversight; 1: none).
"""

from __future__ import annotations

from ..core import Component, Param
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

    def __init__(self, **values):
        super().__init__(**values)
        #: Policy lever: multiplies the size of cohorts decided while in force.
        self.hiring_multiplier = 1.0
        #: Policy lever: multiplies the oversight headcount (a staffing mandate).
        self.oversight_staff_multiplier = 1.0
        self.headcount: dict[str, float] = {}

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

    def _hiring(self):
        # A decision at t covers growth over the next interval (hires already in the pipeline
        # at the start arrive at hiring_lag).
        while True:
            growth = self.growth if self.growth_series is None else dict.fromkeys(
                ROLES, series_value(self.growth_series, self.model.year()))
            cohort = {r: self.headcount[r] * (growth[r] ** self.cohort_interval - 1.0)
                      * self.hiring_multiplier for r in ROLES}
            self.env.process(self._arrive(cohort))
            yield self.env.timeout(self.cohort_interval)

    def _arrive(self, cohort):
        yield self.env.timeout(self.hiring_lag)
        with self.model.change():
            for role, n in cohort.items():
                self.headcount[role] = max(0.0, self.headcount[role] + n)
        self.model.log("hiring_cohort", self.name, **{r: round(n, 1) for r, n in cohort.items()})
