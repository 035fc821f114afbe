"""Algorithmic diffusion: a follower's software efficiency is pulled towards the leader's.

Algorithms leak (papers, open weights, staff moving, espionage: algorithmic secrets need about a
million times less exfiltration bandwidth than weights, Dean, "Security Forecast", AI 2027
supplement 2025), so a developer behind in software does not fall behind without bound. Each
actor f's software level S_f relaxes towards the best level any other actor had ``lag`` years
earlier::

    d ln S_f / dt  +=  rate * max(0, max_o ln S_o(t - lag) - ln S_f(t))

applied at the race's meetings (every ``race.sync_step``) as the exact relaxation over the
interval dt since the last meeting with the target held fixed:
``ln S_f += (1 - exp(-rate * dt)) * gap``. Before ``lag`` has passed the target is the others'
level at the start. Every actor's S is 1 at the start, so this reads software levels as the
same scale for all (an assumption: a starting gap in algorithms is written as a capability gap,
see scenarios/race.yaml). The software component keeps its own dynamics; diffusion only adds
to S (its research stock R is unchanged).

Defaults (rows of rsi_sim/data/actors_race.csv): ``lag`` 0.3 years, Epoch AI's lag of
open-weight models behind the frontier on its Capabilities Index (3.5 months, 90% CI 1.1-5.3,
Emberson 2025; ~4 months in 2026); ``rate`` 4 per year, judgmental: that lag has stayed near
constant while the frontier moved fast, so a follower closes most of a larger gap within months.

Outputs: ``software_diffused`` over (actor, time), the ln S an actor has gained from diffusion
so far, and an ``algorithms_diffused`` event in the follower's log each time it has gained
another 5% (ln 1.05) since its last such entry.
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from ..core import Param
from ..core.race import Interaction

#: A follower's log records diffusion each time it has gained this much ln S since the last entry.
LOG_EVERY = math.log(1.05)


class AlgorithmicDiffusion(Interaction):
    """Pulls each actor's software level towards the best other actor's of ``lag`` years ago."""

    name = "diffusion"
    needs = ("software",)

    # ---- parameters ----------------------------------------------------------------------
    rate = Param(
        4.0, unit="1/year", bounds=(0.0, 1000.0),
        source="judgmental: Epoch's measured lag of open models stays near 3-4 months while the "
               "frontier moves (Emberson 2025; Epoch 2026), so larger gaps close within months",
        doc="rate at which a follower closes its software gap to the lagged leader")
    lag = Param(
        0.3, unit="year", bounds=(0.0, 50.0),
        source="Epoch AI: open-weight models lag the frontier by 3.5 months (90% CI 1.1-5.3) on "
               "the Epoch Capabilities Index, 2023-2025 (Emberson 2025)",
        doc="how old the leader's algorithms are when they reach the follower")

    # ---- state ---------------------------------------------------------------------------
    def connect(self, race, rng):
        super().connect(race, rng)
        self.actors = [a for a in race.actors if "software" in race[a]]
        self.times: list[float] = []
        self.history: dict[str, list[float]] = {a: [] for a in self.actors}
        self.gains: dict[str, list[tuple[float, float]]] = {a: [] for a in self.actors}
        self._unlogged = dict.fromkeys(self.actors, 0.0)

    # ---- processes -----------------------------------------------------------------------
    def sync(self, race, t):
        dt = t - self.times[-1] if self.times else 0.0
        self.times.append(t)
        now = {}
        for a in self.actors:
            m = race[a]
            now[a] = math.nan if m.finished else math.log(float(m.state()["software_level"]))
            self.history[a].append(now[a])
        if dt <= 0 or self.rate == 0:
            return
        times = np.array(self.times)
        pull = 1.0 - math.exp(-self.rate * dt)
        for f in self.actors:
            if math.isnan(now[f]):
                continue
            target, leader = -math.inf, ""
            for o in self.actors:
                if o == f:
                    continue
                level = self._level(o, times, t - self.lag)
                if level > target:
                    target, leader = level, o
            gap = target - now[f]
            if not gap > 0:
                continue
            gain = pull * gap
            model = race[f]
            with model.change():
                model.set_stock("software_level", math.exp(now[f] + gain))
            self.history[f][-1] = now[f] + gain
            self.gains[f].append((t, gain))
            self._unlogged[f] += gain
            if self._unlogged[f] >= LOG_EVERY:
                model.log("algorithms_diffused", self.name, leader=leader,
                          ln_software_gained=self._unlogged[f], gap_before=gap)
                self._unlogged[f] = 0.0

    def _level(self, actor: str, times: np.ndarray, when: float) -> float:
        """ln S of ``actor`` at ``when`` from its meeting history (its start level before)."""
        values = np.array(self.history[actor])
        ok = np.isfinite(values)
        if not ok.any():
            return -math.inf
        return float(np.interp(when, times[ok], values[ok]))

    # ---- results -------------------------------------------------------------------------
    def finish(self, race, ds):
        times = ds["time"].values - race.start_year
        out = np.zeros((ds.sizes["actor"], len(times)))
        for i, a in enumerate(str(x) for x in ds["actor"].values):
            gains = self.gains.get(a, [])
            if gains:
                at = np.array([g[0] for g in gains])
                cum = np.cumsum([g[1] for g in gains])
                k = np.searchsorted(at, times + 1e-12, side="right")
                out[i] = np.where(k > 0, cum[np.maximum(k - 1, 0)], 0.0)
        ds["software_diffused"] = xr.Variable(("actor", "time"), out, {
            "units": "1", "long_name": "ln software efficiency gained from other actors' "
                                       "algorithms so far (algorithmic diffusion)"})
        return ds
