"""Research: research input from experiment compute and labour, and the AI R&D multiplier.

Research input (the rate ``dR/dt`` that drives ``software``) is a CES aggregate of experiment
compute and research labour, with diminishing returns to parallel effort and a quality factor
for whoever chooses the experiments (Jones 1995; Davidson 2023 FTM; Whitfill & Wu 2025)::

    I = Q * [alpha * c**rho + (1 - alpha) * l**rho] ** (lambda / rho)
    c = experiment_compute / experiment_compute(0),   l = L / H(0)

``L`` is research labour in human-equivalent hours (``research_labour``, from ``judgment``; or,
without that component, ``min(H/(1-f), H + A)``), ``H(0)`` the human research hours at the start
and ``Q`` the ``research_quality`` (1 without ``judgment``). ``I(0) = 1`` with humans alone.
``rho -> 0`` is Cobb-Douglas.

The **AI R&D multiplier** is research input over the research input the same humans would
produce with the same compute and no AI (``Q = 1``, ``l = H/H(0)``); since ``d ln S/dt ∝ I`` at
a given ``R``, it is the speed of software progress relative to humans alone (AI 2027's
"progress multiplier"). ``code_output_multiple`` = ``L / H``: work shipped per human relative
to the same humans without AI (the source article's "code per engineer" figure).
"""

from __future__ import annotations

import math

import numpy as np

from ..core import Component, Param
from ..core.numeric import divide, minimum


class Research(Component):
    """Research input and the AI R&D progress multiplier."""

    name = "research"
    needs = ("compute", "labour", "generations", "capability")

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
        self._lab = lab
        # From the parameters, not lab.hours(): build order is free, and labour's headcounts
        # exist only once it is built.
        self._H0 = (lab.initial_engineering + lab.initial_judgment) * lab.hours_per_year
        self._has_judgment = "judgment" in model
        add = model.add_variable
        if not self._has_judgment:
            add("research_labour", self._labour_without_judgment, unit="hour/year",
                long_name="research labour, human-equivalent hours per year", owner=self.name)
        add("human_research_hours", lambda s: self._human_hours() + 0.0 * s["t"], unit="hour/year",
            long_name="human research hours per year (engineering and judgment staff)", owner=self.name)
        self._version = -1
        add("research_input", lambda s: self.research_input_at(s["physical_compute"]), unit="1/year",
            long_name="research input dR/dt (1 = humans alone at the start)", owner=self.name)
        add("research_input_human_only", self._input_human_only, unit="1/year",
            long_name="research input of the same humans and compute without AI", owner=self.name)
        add("ai_rd_multiplier", lambda s: s["research_input"] / s["research_input_human_only"], unit="1",
            long_name="AI R&D progress multiplier (software progress vs humans alone)", owner=self.name)
        add("code_output_multiple", lambda s: s["research_labour"] / s["human_research_hours"], unit="1",
            long_name="work shipped per human researcher relative to no AI", owner=self.name)

    def _human_hours(self):
        return self._lab.hours("engineering") + self._lab.hours("judgment")

    def _labour_without_judgment(self, s):
        H, f = self._human_hours(), s["coding_automation_fraction"]
        return minimum(divide(H, 1.0 - f), H + s["ai_labour_hours"])

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
        """Everything in research input fixed between discrete changes (cached by version)."""
        m = self.model
        if self._version == m.version:
            return self._k
        comp, gens, cap = m["compute"], m["generations"], m["capability"]
        h = gens.deployed.horizon_hours
        H = self._human_hours()
        H_J = self._lab.hours("judgment")
        f = float(cap.automation_fraction(h))
        if self._has_judgment:
            jd = m["judgment"]
            span = jd.tasks_per_judgment_hour * h
            share = jd.required_human_share()
            gain = 2.0 ** (jd.taste_returns * max(0.0, jd.ai_judgment_of(h))) - 1.0
        else:
            jd, span, share, gain = None, 1.0, 0.0, 0.0
        flop = comp.flop_per_h100e_year
        # c = experiment compute over its start value: the share cancels (its 0/0 limit too).
        c_per_p = 1.0 / comp.initial_h100e
        a_per_p = min(comp.inference_share, comp.inference_share_cap) * flop * gens._copies_per_flop * gens._hours_per_copy
        self._k = (jd, H, H_J, f, span, share, gain, c_per_p, a_per_p)
        self._version = m.version
        return self._k

    def research_input_at(self, physical_compute):
        """Research input given physical compute (H100e), the only continuous input; the
        equations of the module docstring and of ``judgment`` evaluated in one pass, so the
        integrator's right-hand side stays cheap. Broadcasts over arrays."""
        jd, H, H_J, f, span, share, gain, c_per_p, a_per_p = self._constants()
        A = a_per_p * physical_compute
        if jd is None:
            L, q = minimum(divide(H, 1.0 - f), H + A), 1.0
        else:
            x, L = jd.allocate(H, H_J, A, f, span, share)
            q = 1.0 + jd.ai_directed_share_of(H, x, L, span, share) * gain
        return q * self.ces(c_per_p * physical_compute, L / self._H0)

    def _input_human_only(self, s):
        return self.ces(s["physical_compute"] / self.model["compute"].initial_h100e,
                        s["human_research_hours"] / self._H0)

