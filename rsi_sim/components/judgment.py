"""Judgment: AI research taste against the human distribution, and the direction bottleneck.

**Research taste** is the skill of choosing which experiments and changes are worth making. As
in the AI Futures Model (brendanhalstead/ai-progress-rates progress_model.py ``TasteDistribution``
and ``compute_aggregate_research_taste``), human researchers' taste ``T`` is log-normal with
mean 1; ``sigma = ln(median_to_top_taste) / z_top`` with ``z_top = Φ⁻¹(top_percentile)``
(AFM: the 99.9th percentile has 3.25x the median's taste). AI taste is measured in standard
deviations ``z`` of ln T (``z = 0``: the median human researcher) and rises with the deployed
model's effective compute, AFM's "SDs per effective OOM" schedule, up to a ceiling::

    ai_taste_sd  = min(taste_sd_max, initial_taste_sd + taste_sd_per_oom * log10(E / E_anchor))
    judgment_gap = z_top - ai_taste_sd                                       [SD]

The gap closes when AI taste reaches the top human researchers' (``z_top``); a milestone
``judgment_gap <= 0`` dates it, and the component logs ``judgment_gap_closed``. With discrete
generations taste changes at releases (each release moves it by ``taste_sd_per_oom`` times the
OOMs it adds, ~0.3-0.6 SD), so the closing falls on a release; with continuous capability it
is a threshold crossing.

**Research quality** (AFM's aggregate taste): every research decision is made with at least the
AI's taste, so the mean taste is ``E[max(T, F)] = F Φ(z) + Φ(sigma - z)`` with
``F = exp(mu + z sigma)``; 1 without AI, and bounded because ``z`` is (``taste_sd_max``).

**Direction** (judgmental construction on the same distribution). A research decision needs
human direction when it needs more taste than the AI has: a share ``1 - Φ(z)`` of AI work
(``required_human_share``; at least ``min_human_directed_share``, a policy lever). One human
judgment-hour directs ``span = tasks_per_judgment_hour * h`` hours of AI work (a task specified
by a human is as long as the AI can carry out alone, ``h`` the time horizon). Humans have ``H``
research hours a year (engineering + judgment staff), ``H_J`` of them judgment hours; AI offers
``A`` hours; the model executes a share ``f`` of the work (Amdahl: the tasks AI cannot do need
humans). Directing ``x`` hours unlocks ``x*span/s`` hours of AI work, so research labour is::

    L(x) = min((H - x) / (1 - f),  H - x + min(A, x*span/s))

maximised at ``x* = H g / (span/s + g)``, ``g = f/(1-f)``, clipped to ``[0, min(H_J, sA/span)]``.
All of it changes continuously with the gap.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtr, ndtri

from ..core import Component, Lever, Param
from ..core.numeric import clip, divide, maximum, minimum


def _phi(x: float) -> float:
    """Standard normal CDF on a float (math.erfc: no numpy in the integrator's inner loop)."""
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


class Judgment(Component):
    """AI research taste, the judgment gap and the human-direction bottleneck."""

    name = "judgment"
    needs = ("capability", "labour")

    # ---- parameters ----------------------------------------------------------------------
    initial_taste_sd = Param(
        -2.0, unit="SD", bounds=(-10.0, 10.0),
        source="judgmental (range -4 to 0): AFM puts AI taste at +0.5 SD at its automated-coder "
               "milestone, ~2 OOMs of effective compute after the start at 1.76 SD/OOM",
        doc="AI research taste of the model deployed at the start, SDs of ln human taste")
    taste_sd_per_oom = Param(
        1.76, unit="SD", bounds=(0.0, 20.0),
        source="AI Futures Model default ai_research_taste_slope 1.76 'SDs per effective OOM' "
               "(brendanhalstead/ai-progress-rates model_config.py TASTE_SLOPE_DEFAULTS)",
        doc="rise of AI taste per tenfold effective compute")
    taste_sd_max = Param(
        10.0, unit="SD", bounds=(0.0, 50.0),
        source="judgmental ceiling (range 9.5-20 SD), above the AI Futures Model's "
               "SIAR-level experiment-selection skill, taste 3.25**3 in its mean-1 units, i.e. "
               "3 z_top + sigma/2 = 9.46 SD (brendanhalstead/ai-progress-rates progress_model.py "
               "compute_milestones, 'SIAR-level-experiment-selection-skill'): with a lower ceiling "
               "AI taste can never reach that level; bounds research quality at ~42x the human "
               "mean (AFM clips at 100 SD, effectively unbounded)",
        doc="highest AI research taste, SDs of ln human taste")
    top_percentile = Param(
        0.999, unit="1", bounds=(0.6, 0.999999),
        source="AFM TOP_PERCENTILE 0.999 (model_config.py)",
        doc="quantile of human researchers counted as top (the judgment-gap reference)")
    median_to_top_taste = Param(
        3.25, unit="1", bounds=(1.01, 100.0),
        source="AFM MEDIAN_TO_TOP_TASTE_MULTIPLIER 3.25 (model_config.py)",
        doc="taste of the top_percentile researcher over the median's")
    tasks_per_judgment_hour = Param(
        4.0, unit="1/hour", bounds=(1e-4, 1e4),
        source="judgmental; set so human direction just suffices for ~8x code output per "
               "engineer in 2026Q2 (Anthropic, ai_rd_labour_uplift.csv)",
        doc="AI tasks (each as long as the time horizon) one human judgment-hour can direct")

    # ---- policy levers -------------------------------------------------------------------
    #: ``min_human_directed_share``: the share of AI work humans must direct even when AI
    #: taste suffices (the judgment bottleneck keeps binding).
    require_human_direction = Lever(
        "min_human_directed_share", neutral=0.0, combine="max", param="share", bounds=(0, 1),
        rejects="is not a share between 0 and 1",
        doc="share of AI research work humans must direct, 0-1")

    def __init__(self, **values):
        super().__init__(**values)
        self._closed_logged = False

    # ---- state ---------------------------------------------------------------------------
    def build(self, model):
        super().build(model)
        self._cap, self._lab = model["capability"], model["labour"]
        self.z_top = float(ndtri(self.top_percentile))
        self.sigma = math.log(self.median_to_top_taste) / self.z_top
        self.mu = -0.5 * self.sigma ** 2  # mean taste 1
        add = model.add_variable
        add("ai_judgment", lambda s: self.taste_sd_of(s["log_effective_compute"]), unit="SD",
            long_name="AI research taste, SDs of ln human taste (0: the median researcher)",
            owner=self.name)
        add("judgment_gap", lambda s: self.z_top - s["ai_judgment"], unit="SD",
            long_name="judgment gap: top human minus AI research taste (> 0: some AI work needs "
                      "human direction)", owner=self.name)
        add("required_human_share", lambda s: self.required_share_of(s["ai_judgment"]), unit="1",
            long_name="share of AI work that needs human direction", owner=self.name,
            bounds=(0.0, 1.0))
        add("span_of_control", lambda s: self.tasks_per_judgment_hour * s["time_horizon_hours"],
            unit="1", long_name="AI work-hours one human judgment-hour can direct", owner=self.name)
        add("judgment_allocation", self._allocation, unit="", long_name="(x, L) of the allocation",
            owner=self.name, record=False)
        add("human_direction_hours", lambda s: s["judgment_allocation"][0], unit="hour/year",
            long_name="human judgment hours spent directing AI work", owner=self.name)
        add("human_bottleneck_utilisation", self._utilisation, unit="1",
            long_name="share of human judgment time spent directing AI (1: the bottleneck binds)",
            owner=self.name, bounds=(0.0, 1.0))
        add("research_labour", lambda s: s["judgment_allocation"][1], unit="hour/year",
            long_name="research labour, human-equivalent hours per year", owner=self.name)
        add("ai_directed_share", self._ai_directed, unit="1",
            long_name="share of research labour directed by AI", owner=self.name, bounds=(0.0, 1.0))
        add("research_quality", lambda s: self.quality_of(s["ai_judgment"]), unit="1",
            long_name="research quality: mean research taste with AI as the floor (1: humans alone)",
            owner=self.name, bounds=(1.0, math.inf))
        gens = model.components.get("generations")
        if gens is not None:
            gens.on_training_start.append(self._record_training)
            gens.on_release.append(self._record_release)
        else:
            model.watch(lambda s: -s["judgment_gap"], label="judgment gap closed").callbacks.append(
                lambda _e: self._log_closed(None))

    def start(self):
        gens = self.model.components.get("generations")
        for g in gens.history if gens is not None else ():  # the initial generation
            self._record_release(g)

    # ---- formulas ------------------------------------------------------------------------
    def taste_sd_of(self, x):
        """AI taste (SD) of a model at ``x = ln(E/E_anchor)``."""
        z = self.initial_taste_sd + self.taste_sd_per_oom * x / math.log(10.0)
        return minimum(z, self.taste_sd_max)

    def required_share_of(self, z):
        """Share of AI work needing human direction at AI taste ``z``: ``1 - Φ(z)``."""
        share = _phi(-z) if type(z) is float else ndtr(-z)
        return maximum(share, self.min_human_directed_share)

    def quality_of(self, z):
        """Mean research taste with the AI's as a floor, ``E[max(T, F)]`` (1 without AI)."""
        if type(z) is float:
            F = math.exp(self.mu + z * self.sigma)
            return F * _phi(z) + _phi(self.sigma - z)
        F = math.e ** (self.mu + z * self.sigma)
        return F * ndtr(z) + ndtr(self.sigma - z)

    def allocate(self, H, H_J, A, f, span, s):
        """Direction hours ``x`` and research labour ``L`` (see the module docstring)."""
        if type(s) is not float and type(s) is not int:  # arrays (continuous capability)
            with np.errstate(divide="ignore", invalid="ignore"):
                k = span / np.maximum(s, 1e-300)
                x = np.maximum(np.minimum(H * f / (k * (1.0 - f) + f), np.minimum(H_J, s * A / span)), 0.0)
                x = np.where((s > 0) & (span > 0), x, 0.0 * A)
                ai = np.where(s > 0, np.minimum(A, x * k), A)
        elif s <= 0:
            x = 0.0 * A
            ai = A
        elif span <= 0:
            # No AI hours per direction hour (a time horizon that underflowed to 0): directing
            # yields nothing, so no hour is spent on it and AI work that needs direction is idle.
            x = 0.0 * A
            ai = 0.0 * A
        else:
            k = span / s
            # x* = H g / (k + g) with g = f/(1-f), written without g: f rounds to 1 far beyond
            # the automation midpoint, where g would be inf and x* = inf/inf.
            x = minimum(H * f / (k * (1.0 - f) + f), minimum(H_J, s * A / span))
            x = maximum(x, 0.0)
            ai = minimum(A, x * k)
        # H - x > 0 (x <= H_J < H), so f == 1 gives the limit inf: labour is then bounded by AI.
        L = minimum(divide(H - x, 1.0 - f), H - x + ai)
        return x, L

    def _allocation(self, s):
        lab = self._lab
        H = lab.hours("engineering") + lab.hours("judgment")
        f = s["coding_automation_fraction"]
        return self.allocate(H, lab.hours("judgment"), s["ai_labour_hours"], f,
                             s["span_of_control"], s["required_human_share"])

    def _utilisation(self, s):
        H_J = self._lab.hours("judgment")
        return s["human_direction_hours"] / H_J if H_J > 0 else 0.0 * s["t"]

    @staticmethod
    def ai_directed_share_of(H, x, L, span):
        """Share of research labour ``L`` directed by AI, given direction hours ``x``: AI work
        beyond the ``x * span`` hours humans direct."""
        ai_work = L - (H - x)  # AI hours in research labour, whoever directs them
        share = clip(divide(ai_work - x * span, L), 0.0, 1.0)
        # no research labour at all (no staff, no compute): nothing is directed by anyone
        if type(L) is float:
            return share if L > 0 else 0.0
        return np.where(L > 0, share, 0.0)

    def _ai_directed(self, s):
        H = self._lab.hours("engineering") + self._lab.hours("judgment")
        return self.ai_directed_share_of(H, s["human_direction_hours"], s["research_labour"],
                                         s["span_of_control"])

    # ---- events --------------------------------------------------------------------------
    def _record_training(self, gen, state):
        z = float(self.taste_sd_of(float(self._cap.relative_log_compute(gen.effective_compute))))
        gen.ai_judgment, gen.judgment_gap = z, self.z_top - z

    def _record_release(self, gen):
        self._record_training(gen, None)
        if gen.judgment_gap <= 0 and gen.index > 0:
            self._log_closed(gen.index)

    def _log_closed(self, generation):
        if not self._closed_logged and self.model is not None:
            self._closed_logged = True
            self.model.log("judgment_gap_closed", self.name, generation=generation)
