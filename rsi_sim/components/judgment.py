"""Judgment: the gap between what AI can execute and what it can judge worth doing.

Each generation has an **execution level**, its time horizon ``h``, and a **judgment level**
(research taste: choosing which experiments and changes are worth making) that lags it by a gap
of ``judgment_lag_doublings``. Both are measured in doublings relative to top human research
judgment (``human_judgment = 0``)::

    ai_judgment  = log2(h / execution_parity_hours) - judgment_lag_doublings
    judgment_gap = human_judgment - ai_judgment                    [doublings]

While the gap is open (> 0) every hour of AI work must be directed by human judgment: one human
judgment-hour directs ``span = tasks_per_judgment_hour * h`` hours of AI work (a task specified
by a human is as long as the AI can carry out alone). When it closes, AI directs its own work,
except a ``min_human_directed_share`` a policy may require. The required human-directed share
is ``s = 1`` (gap open) or ``s = min_human_directed_share`` (closed).

**Allocation** (how research labour comes out of humans, AI and the direction bottleneck).
Humans have ``H`` research hours a year (engineering + judgment staff), ``H_J`` of them judgment
hours; AI offers ``A`` hours; the deployed generation can execute a share ``f`` of the work
(``coding_automation_fraction``). Work is Leontief across tasks (Amdahl's law): the tasks AI
cannot do need humans. Directing ``x`` hours gives ``x*span/s`` hours of AI work and takes ``x``
from human work, so research labour is::

    L(x) = min((H - x) / (1 - f),  H - x + min(A, x*span/s))

maximised at ``x* = H g / (span/s + g)``, ``g = f/(1-f)``, clipped to ``[0, min(H_J, sA/span)]``.
With ``s = 0`` no direction is needed: ``L = min(H/(1-f), H + A)``.

Outputs: ``judgment_gap``, ``ai_directed_share`` (share of research labour directed by AI),
``human_bottleneck_utilisation`` (``x/H_J``: share of human judgment time spent directing AI;
1 means human judgment bounds research) and ``research_quality`` (the taste multiplier: AI
direction better than human multiplies research by ``2**(taste_returns * (-gap))``).
A milestone "judgment_gap <= 0" in the scenario marks the closing; the component also logs it.

Policy lever: ``min_human_directed_share`` (0 default; change inside ``model.change()``).
"""

from __future__ import annotations

import math

from ..core import Component, Param
from ..core.numeric import clip, divide, maximum, minimum


class Judgment(Component):
    """The judgment gap and the human-direction bottleneck on research labour."""

    name = "judgment"
    needs = ("capability", "labour", "generations")

    # ---- parameters ----------------------------------------------------------------------
    execution_parity_hours = Param(
        8.0, unit="hour", bounds=(1e-3, 1e6),
        source="RE-Bench (Wijk et al. 2024): agents ahead of human experts at 2 h budgets, "
               "humans ahead at 8 h (benchmarks.csv); taken as the horizon at which AI executes "
               "well-specified experiments as well as humans",
        doc="time horizon at which AI execution matches human execution")
    judgment_lag_doublings = Param(
        5.0, unit="doubling", bounds=(-20.0, 40.0),
        source="judgmental (uncertain, the seed's key parameter): AI judgment reaches top human "
               "level at 2**5 x 8 h = 256 h, about 1.5 work-months of horizon",
        doc="how far judgment lags execution, in doublings of time horizon")
    tasks_per_judgment_hour = Param(
        4.0, unit="1/hour", bounds=(1e-4, 1e4),
        source="judgmental; set so human direction just suffices for ~8x code output per "
               "engineer in 2026Q2 (Anthropic, ai_rd_labour_uplift.csv)",
        doc="AI tasks (each as long as the time horizon) one human judgment-hour can direct")
    taste_returns = Param(
        0.5, unit="1", bounds=(0.0, 10.0),
        source="judgmental; AI 2027 (AI Futures Project 2025) makes research taste the main "
               "driver of progress multipliers beyond the superhuman coder",
        doc="doublings of research quality per doubling of AI judgment above human")

    def __init__(self, **values):
        super().__init__(**values)
        #: Policy lever: share of AI work humans must direct even when AI judgment suffices.
        self.min_human_directed_share = 0.0
        self._closed_logged = False

    # ---- state ---------------------------------------------------------------------------
    def build(self, model):
        super().build(model)
        cap, lab, gens = model["capability"], model["labour"], model["generations"]
        self._cap, self._lab, self._gens = cap, lab, gens
        add = model.add_variable
        add("ai_judgment", lambda s: self.ai_judgment_of(gens.deployed.horizon_hours), unit="doubling",
            long_name="AI research judgment, doublings relative to top human judgment", owner=self.name)
        add("human_judgment", lambda s: 0.0, unit="doubling",
            long_name="human research judgment (the reference level, 0)", owner=self.name)
        add("judgment_gap", lambda s: s["human_judgment"] - s["ai_judgment"], unit="doubling",
            long_name="judgment gap: human minus AI judgment (> 0: AI work needs human direction)",
            owner=self.name)
        add("span_of_control", lambda s: self.tasks_per_judgment_hour * gens.deployed.horizon_hours,
            unit="1", long_name="AI work-hours one human judgment-hour can direct", owner=self.name)
        add("human_direction_hours", self._direction, unit="hour/year",
            long_name="human judgment hours spent directing AI work", owner=self.name)
        add("human_bottleneck_utilisation", self._utilisation, unit="1",
            long_name="share of human judgment time spent directing AI (1: the bottleneck binds)",
            owner=self.name, bounds=(0.0, 1.0))
        add("research_labour", self._labour, unit="hour/year",
            long_name="research labour, human-equivalent hours per year", owner=self.name)
        add("ai_directed_share", self._ai_directed, unit="1",
            long_name="share of research labour directed by AI", owner=self.name, bounds=(0.0, 1.0))
        add("research_quality", self._quality, unit="1",
            long_name="research quality multiplier from AI judgment above human", owner=self.name)
        gens.on_training_start.append(self._record_training)
        gens.on_release.append(self._record_release)

    def start(self):
        # Build order is free, so the initial generation is read only now.
        for g in self._gens.history:
            self._record_release(g)

    def ai_judgment_of(self, horizon_hours: float) -> float:
        """AI judgment level (doublings vs top human) of a generation with ``horizon_hours``."""
        if not horizon_hours > 0:  # a model with no horizon at all has no judgment either
            return -math.inf
        return math.log2(horizon_hours / self.execution_parity_hours) - self.judgment_lag_doublings

    def required_human_share(self) -> float:
        """Share of AI work that must be human-directed: 1 while the gap is open."""
        gap = -self.ai_judgment_of(self._gens.deployed.horizon_hours)
        return 1.0 if gap > 0 else self.min_human_directed_share

    def allocate(self, H, H_J, A, f, span, s):
        """Direction hours ``x`` and research labour ``L`` (see the module docstring)."""
        if s <= 0:
            x = 0.0 * A
            ai = A
        else:
            k = span / s
            # x* = H g / (k + g) with g = f/(1-f), written without g: f rounds to 1 for horizons
            # far beyond automation_half_hours, where g would be inf and x* = inf/inf.
            x = minimum(H * f / (k * (1.0 - f) + f), minimum(H_J, s * A / span))
            x = maximum(x, 0.0)
            ai = minimum(A, x * k)
        # H - x > 0 (x <= H_J < H), so f == 1 gives the limit inf: labour is then bounded by AI.
        L = minimum(divide(H - x, 1.0 - f), H - x + ai)
        return x, L

    def _inputs(self, s):
        lab = self._lab
        H = lab.hours("engineering") + lab.hours("judgment")
        return H, lab.hours("judgment"), s["ai_labour_hours"], s["coding_automation_fraction"], s["span_of_control"]

    def _direction(self, s):
        H, H_J, A, f, span = self._inputs(s)
        return self.allocate(H, H_J, A, f, span, self.required_human_share())[0]

    def _labour(self, s):
        H, H_J, A, f, span = self._inputs(s)
        return self.allocate(H, H_J, A, f, span, self.required_human_share())[1]

    def _utilisation(self, s):
        H_J = self._lab.hours("judgment")
        return s["human_direction_hours"] / H_J if H_J > 0 else 0.0 * s["t"]

    @staticmethod
    def ai_directed_share_of(H, x, L, span, share):
        """Share of research labour ``L`` directed by AI, given direction hours ``x``."""
        if share >= 1.0:
            return 0.0 * L
        ai_work = L - (H - x)  # AI hours in research labour, whoever directs them
        return clip((ai_work - x * span) / L, 0.0, 1.0)

    def _ai_directed(self, s):
        H = self._lab.hours("engineering") + self._lab.hours("judgment")
        return self.ai_directed_share_of(H, s["human_direction_hours"], s["research_labour"],
                                         s["span_of_control"], self.required_human_share())

    def _quality(self, s):
        gain = 2.0 ** (self.taste_returns * max(0.0, s["ai_judgment"] - s["human_judgment"])) - 1.0
        return 1.0 + s["ai_directed_share"] * gain

    # ---- events --------------------------------------------------------------------------
    def _record_training(self, gen, state):
        gen.ai_judgment = self.ai_judgment_of(gen.horizon_hours)
        gen.judgment_gap = -gen.ai_judgment

    def _record_release(self, gen):
        self._record_training(gen, None)
        if gen.judgment_gap <= 0 and not self._closed_logged and self.model is not None:
            self._closed_logged = True
            if gen.index > 0:
                self.model.log("judgment_gap_closed", self.name, generation=gen.index)
