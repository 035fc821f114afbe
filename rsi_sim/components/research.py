"""Research: research input from experiment compute and labour, and the AI R&D multiplier.

Research input (the rate ``dR/dt`` that drives ``software``) is a CES aggregate of experiment
compute and research labour raised to the parallelism exponent, times research quality
(Jones 1995; Davidson 2023 FTM; Whitfill & Wu 2025; the AI Futures Model's
``compute_research_effort``)::

    I = Q * X**lambda,   X = [alpha * c**rho + (1 - alpha) * l**rho] ** (1 / rho)
    c = experiment_compute / experiment_compute(0),   l = L / H(0)

``lambda`` (``parallelism``) is the one parallelism penalty of the model: ``software`` divides
its returns by it (FTM ``software_returns / rnd_parallelization_penalty``). ``L`` is research
labour in human-equivalent hours: with ``judgment``, its allocation of human direction (and
``Q`` its research quality); without it ``L = min(H/(1-f), H + A)`` (Amdahl); ``A`` the AI
labour of the deployed generation (``generations.ai_labour_hours_of``), or unlimited without
``generations`` (Kwa 2026: AI labour never binds, humans on the tasks AI cannot do do). ``H(0)``
is the human research hours at the start; ``I(0) = 1`` with humans alone. ``rho -> 0`` is
Cobb-Douglas.

**The AI R&D progress multiplier** has a fixed reference, as in AI 2027 and the AI Futures Model
(brendanhalstead/ai-progress-rates progress_model.py ``ai_sw_progress_mult_ref_present_day``):
the research input the *current* AI would give with the start's resources (its compute, its
human staff) over the input of those humans alone (1). At a given research stock software
progress is proportional to research input, so it is the speed-up of software progress the AI
brings, independent of how resources have grown; milestones defined on it (SC 5, SAR 25, SIAR
250, ASI 2000) measure AI capability. ``code_output_multiple`` = ``L / H``: work shipped per
human relative to the same humans without AI (the source article's "code per engineer").
"""

from __future__ import annotations

import math

import numpy as np

from ..core import Component, Param
from ..core.numeric import divide, minimum


class Research(Component):
    """Research input and the AI R&D progress multiplier."""

    name = "research"
    needs = ("compute", "labour", "capability")

    # ---- parameters ----------------------------------------------------------------------
    alpha = Param(
        0.3, unit="1", bounds=(0.0, 1.0),
        source="FTM initial experiment share of software R&D 0.3 (Davidson 2023, "
               "takeoff_parameters.csv)",
        doc="weight of experiment compute in the CES aggregate")
    rho = Param(
        -0.01, unit="1", bounds=(-20.0, 0.95),
        source="FTM research-vs-experiments substitution rho = -0.01 (Davidson 2023); Whitfill & "
               "Wu 2025 estimate sigma 2.58 (rho 0.61) or -0.1 depending on specification "
               "(takeoff_parameters.csv)",
        doc="CES substitution parameter rho = 1 - 1/sigma between compute and labour")
    parallelism = Param(
        0.43, unit="1", bounds=(0.01, 2.0),
        source="set so the elasticity of research pace to cognitive labour (1-alpha)*lambda = "
               "0.3, Davidson & Houlden 2025 central p (0.15-0.6), takeoff_parameters.csv",
        doc="returns to scale of research effort lambda (stepping on toes below 1)")

    # ---- state ---------------------------------------------------------------------------
    def build(self, model):
        super().build(model)
        lab = model["labour"]
        self._lab, self._comp, self._cap = lab, model["compute"], model["capability"]
        self._gens = model.components.get("generations")
        self._jd = model.components.get("judgment")
        # From the parameters, not lab.hours(): build order is free, and labour's headcounts
        # exist only once it is built.
        self._H0 = (lab.initial_engineering + lab.initial_judgment) * lab.hours_per_year
        self._HJ0 = lab.initial_judgment * lab.hours_per_year
        self._P0 = self._comp.start_compute
        add = model.add_variable
        if self._jd is None:
            add("research_labour", lambda s: self._amdahl(self._human_hours(), s["ai_labour_hours"],
                                                          s["coding_automation_fraction"]),
                unit="hour/year", long_name="research labour, human-equivalent hours per year",
                owner=self.name)
        if self._gens is None:
            # Not recorded: an output that is infinite everywhere says nothing a reader can use.
            add("ai_labour_hours", lambda s: math.inf + 0.0 * s["t"], unit="hour/year", owner=self.name,
                long_name="AI labour (unlimited without generations: humans are the bottleneck)",
                record=False)
        add("human_research_hours", lambda s: self._human_hours() + 0.0 * s["t"], unit="hour/year",
            long_name="human research hours per year (engineering and judgment staff)", owner=self.name)
        self._version = -1
        add("research_input", lambda s: self.research_input_at(s["physical_compute"], s["software_level"],
                                                               x=self._x_now(s)),
            unit="1/year", long_name="research input dR/dt (1 = humans alone at the start)", owner=self.name)
        add("research_input_human_only", self._input_human_only, unit="1/year",
            long_name="research input of the same humans and compute without AI", owner=self.name)
        add("ai_rd_multiplier", lambda s: self.multiplier_at(s["software_level"], self._x_now(s)), unit="1",
            long_name="AI R&D progress multiplier: research input of the current AI with the start's "
                      "compute and staff over those humans alone", owner=self.name)
        add("code_output_multiple", self._code_output_multiple, unit="1",
            long_name="work shipped per human researcher relative to no AI", owner=self.name)

    @staticmethod
    def _code_output_multiple(s):
        # With no human researchers there is no research labour either (Amdahl: the tasks AI
        # cannot do need humans), so 0/0: counted as 1, no gain.
        L, H = s["research_labour"], s["human_research_hours"]
        if type(H) is float:
            return L / H if H > 0 else 1.0
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(H > 0, L / np.where(H > 0, H, 1.0), 1.0)

    def _human_hours(self):
        return self._lab.hours("engineering") + self._lab.hours("judgment")

    def _amdahl(self, H, A, f):
        # f < 1 when AI labour is unlimited: capability caps it (Capability.automation_of)
        return minimum(divide(H, 1.0 - f), H + A)

    def ces(self, c, labour):
        """``[alpha c**rho + (1-alpha) l**rho]**(lambda/rho)`` (Cobb-Douglas as rho -> 0)."""
        a, rho, lam = self.alpha, self.rho, self.parallelism
        if abs(rho) < 1e-9:
            return (c ** a * labour ** (1.0 - a)) ** lam
        if type(c) is float and type(labour) is float and c > 0.0 and labour > 0.0 \
                and c < math.inf and labour < math.inf:
            # The same log-sum-exp on floats (inside the integrator: numpy costs microseconds).
            lc, ll = math.log(c), math.log(labour)
            m = lc if lc > ll else ll
            if a <= 0.0 or a >= 1.0:
                lt = (rho * (ll - m) if a <= 0.0 else rho * (lc - m))
            else:
                p, q = math.log(a) + rho * (lc - m), math.log1p(-a) + rho * (ll - m)
                top = p if p > q else q
                lt = top + math.log1p(math.exp(-abs(p - q)))
            try:
                return math.exp(lam * m + (lam / rho) * lt)
            except OverflowError:
                return math.inf
        # In logs, scaled by the larger input (log-sum-exp): for rho = -20 the terms x**rho
        # leave float range long before the aggregate does. A zero-weight term is left out; an
        # input of 0 gives the limits (aggregate 0 for complements, rho < 0).
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            lc, ll = np.log(c), np.log(labour)
            m = np.maximum(lc, ll)
            parts = []
            if a > 0:
                parts.append(math.log(a) + rho * (lc - m))
            if a < 1:
                parts.append(math.log1p(-a) + rho * (ll - m))
            lt = parts[0] if len(parts) == 1 else np.logaddexp(parts[0], parts[1])
            out = np.exp(lam * m + (lam / rho) * lt)
        return float(out) if np.ndim(out) == 0 else out

    def _constants(self):
        """What research input needs that is fixed between discrete changes (cached by version):
        each quantity read from the component that owns it."""
        m = self.model
        if self._version == m.version:
            return self._k
        comp, cap = self._comp, self._cap
        flop = comp.flop_per_h100e_year
        # c = experiment compute over its start value: the share cancels (its 0/0 limit too).
        c_per_p = 1.0 / comp.start_compute
        # AI hours per H100e at S = 1 (the deployed generation's copies on inference compute).
        a_per_p = (self._gens.ai_labour_hours_of(comp.inference_fraction() * flop, 1.0)
                   if self._gens is not None else math.inf)
        x = cap.deployed_log_effective_compute() if cap.discrete else None
        terms = self._model_terms(x) if x is not None else None
        self._k = (c_per_p, a_per_p, x, terms, self._human_hours(), self._lab.hours("judgment"))
        self._version = m.version
        return self._k

    def _model_terms(self, x):
        """What the deployed model at ``x = ln(E/E_anchor)`` brings: automation ``f``, span of
        control, required human-directed share and research quality (from capability and
        judgment, their owners)."""
        cap, jd = self._cap, self._jd
        f = cap.automation_of(x)
        if jd is None:
            return f, None, None, 1.0
        z = jd.taste_sd_of(x)
        return f, jd.tasks_per_judgment_hour * cap.horizon_of(x), jd.required_share_of(z), jd.quality_of(z)

    def _ai_hours(self, a_per_p, P, S):
        if self._gens is None:
            return math.inf
        eps = self._gens.software_inference_share
        return a_per_p * P * (S if eps == 1.0 else S ** eps)

    def _x_now(self, s):
        """``ln(E/E_anchor)`` of the deployed model: ``None`` when it is fixed between discrete
        changes (cached), the state's value with continuous capability."""
        return None if self._cap.discrete else s["log_effective_compute"]

    def research_input_at(self, physical_compute, software_level, x=None, humans=None):
        """Research input with physical compute ``P`` (H100e) and software level ``S``, the
        continuous inputs, for the deployed model at ``x = ln(E/E_anchor)`` (default: the
        released generation); ``humans = (H, H_J)`` research and judgment hours (default: now).
        The equations of the module docstring and of ``judgment``, evaluated in one pass so the
        integrator's right-hand side stays cheap. Broadcasts over arrays."""
        c_per_p, a_per_p, x_gen, terms, H, H_J = self._constants()
        if humans is not None:
            H, H_J = humans
        f, span, share, q = terms if x is None else self._model_terms(x)
        P, S = physical_compute, software_level
        A = self._ai_hours(a_per_p, P, S)
        if self._jd is None:
            L = minimum(divide(H, 1.0 - f), H + A)  # Amdahl (f already capped if AI is unlimited)
        else:
            L = self._jd.allocate(H, H_J, A, f, span, share)[1]
        return q * self.ces(c_per_p * P, L / self._H0)

    def multiplier_at(self, software_level, x=None):
        """AI R&D progress multiplier of the current AI (software level ``S``, deployed model at
        ``x``): its research input with the start's compute and staff (humans alone there: 1)."""
        return self.research_input_at(self._P0 + 0.0 * software_level, software_level, x=x,
                                      humans=(self._H0, self._HJ0))

    def _input_human_only(self, s):
        return self.ces(s["physical_compute"] / self._P0, s["human_research_hours"] / self._H0)
