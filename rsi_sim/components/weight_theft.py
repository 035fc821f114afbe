"""Weight theft: a thief exfiltrates the victim's deployed generation and deploys it itself.

A discrete stochastic event. At each meeting of the race (every ``race.sync_step`` years, dt
apart) the thief attempts the victim's deployed generation when that generation is more capable
than anything the thief has (deployed or in training) and has not been stolen yet; the attempt
succeeds with probability ``1 - exp(-h dt)``, a Poisson hazard h per year set by the victim's
security level::

    h = HAZARD_PER_YEAR[security_level] * hazard_multiplier

RAND's security levels SL1-SL5 are defined by the attackers they thwart (Nevo et al., "Securing
AI Model Weights", RAND RR-A2849-1, 2024; rows of rsi_sim/data/actors_race.csv): SL1 amateurs
(~$1,000, several days), SL2 professional opportunists (~$10,000, several weeks), SL3 cybercrime
syndicates and insiders (~$1M, several months), SL4 standard operations of state groups (~$10M,
~1 year), SL5 top-priority operations of the most capable states (~$1B, multi-year). RAND
gives no theft probabilities; the hazards below are ours (judgmental): a state-backed thief
succeeds against a level built to thwart weaker attackers in about the time RAND's band gives
those attackers' operations (SL1 days to weeks: 12 a year; SL2 weeks: 4; SL3 months: 1, as AI
2027's theft of Agent-2 from an SL3 lab in early 2027), and rarely against the levels meant to
stop it (SL4: once in four years; SL5, built against top states: once in fifty).

The thief deploys the stolen weights at once: a new generation with the victim's training
compute (it sets the cost of a copy) and the victim's capability, placed on the thief's own
scale through the capability mapping (:meth:`Capability.log_effective_compute_at` of the
victim's uncapped horizon); the thief's later own runs start from its own compute and software
as before. Events: ``weights_stolen`` in the thief's log, ``weights_exfiltrated`` in the
victim's; the thief's generations table marks the generation in ``gen_stolen_from_generation``.

Each meeting draws one uniform number from the interaction's own random stream (spawned from
the scenario's seed), whether or not an attempt is possible, so the draws do not depend on the
hazard: runs over different hazards share their random numbers.
"""

from __future__ import annotations

import math

from ..core import Param
from ..core.race import Interaction

#: Thefts per year by a state-backed thief against each RAND security level (judgmental, see
#: the module docstring).
HAZARD_PER_YEAR = {1: 12.0, 2: 4.0, 3: 1.0, 4: 0.25, 5: 0.02}


class WeightTheft(Interaction):
    """The thief steals the victim's deployed generation at a hazard set by its security level."""

    name = "weight_theft"
    needs = ("generations", "capability")

    # ---- parameters ----------------------------------------------------------------------
    thief = Param("", kind=str, unit="", source="scenario", doc="the actor that steals")
    victim = Param("", kind=str, unit="", source="scenario", doc="the actor whose weights are stolen")
    security_level = Param(
        3, kind=int, unit="1", bounds=(1, 5),
        source="RAND SL1-SL5 (Nevo et al. 2024); AI 2027 has the leading US lab at SL3 in 2026",
        doc="the victim's RAND security level (1-5)")
    hazard_multiplier = Param(
        1.0, unit="1", bounds=(0.0, 1e9),
        source="1: the judgmental hazards of HAZARD_PER_YEAR; a range for uncertainty",
        doc="factor on the hazard of the security level")
    attempts_from = Param(
        0.0, unit="year", bounds=(0.0, 1000.0), source="scenario",
        doc="years after the start when attempts begin")

    # ---- state ---------------------------------------------------------------------------
    @property
    def hazard(self) -> float:
        """Thefts per year while an attempt is possible."""
        return HAZARD_PER_YEAR[self.security_level] * self.hazard_multiplier

    def connect(self, race, rng):
        super().connect(race, rng)
        self._last = None
        self.stolen: set[int] = set()

    # ---- processes -----------------------------------------------------------------------
    def sync(self, race, t):
        dt = 0.0 if self._last is None else t - self._last
        self._last = t
        if dt <= 0:
            return
        u = float(self.rng.random())  # drawn at every meeting: the stream does not depend on h
        thief, victim = race[self.thief], race[self.victim]
        if thief.finished or victim.finished or t < self.attempts_from - 1e-12:
            return
        target = victim["generations"].deployed
        if target.index in self.stolen:
            return
        victim_horizon = victim["capability"].deployed_raw_horizon()
        cap = thief["capability"]
        best = cap.deployed_raw_horizon()
        training = thief["generations"].training
        if training is not None:
            best = max(best, float(cap.raw_horizon_of(
                math.log(training.effective_compute / cap.effective_compute_anchor))))
        if not victim_horizon > best:
            return
        if not u < -math.expm1(-self.hazard * dt):
            return
        self.stolen.add(target.index)
        ec = cap.effective_compute_anchor * math.exp(cap.log_effective_compute_at(victim_horizon))
        gen = thief["generations"].adopt(target.training_compute, ec,
                                         stolen_from_generation=float(target.index))
        thief.log("weights_stolen", self.name, victim=self.victim, victim_generation=target.index,
                  generation=gen.index, uncapped_time_horizon_hours=victim_horizon)
        victim.log("weights_exfiltrated", self.name, thief=self.thief, generation=target.index)
