"""The lead of one actor over another, in calendar years (a scenario with ``actors:``).

``lead_years(a, b)`` at time t is how many years the actor behind needs, at its recent pace, to
reach the level the actor ahead has now, on the race's ``lead_on`` quantity x (default
``effective_compute``, the effective training compute of a frontier run started now)::

    lead_years(a, b)(t) = (ln x_a(t) - ln x_b(t)) / g_f(t)
    g_f(t) = (ln x_f(t) - ln x_f(t - w)) / w        the follower f's growth over the window w

where the follower f is b if a is ahead and a otherwise, so ``lead_years(b, a) = -lead_years(a,
b)``; w is ``race.lead_window`` (one year by default). The lead is NaN until a whole window of
history exists (the follower's pace is not measured before), and +inf or -inf when the follower
has not grown over the window (at its pace it never catches up).

The issue's definition is "the calendar years the follower needs to reach the leader's current
level"; that needs the follower's future, which a trigger cannot know, so the follower's recent
pace stands in for it (exact while the follower grows steadily). It is the empirical measure
of how far behind the frontier a follower is: Epoch AI times how long open-weight or Chinese
models take to match a level of capability first reached by the best closed model (Cottier,
You, Martemianova & Owen, "How far behind are open models?", Epoch AI 2024: about a year;
Emberson, Epoch AI data insight 2025: about 3.5 months on the Epoch Capabilities Index; rows of
rsi_sim/data/actors_race.csv). A pause of the leader for P years while the follower keeps its
pace shrinks the lead by P * g_leader / g_follower (P when both grew alike).

The component :class:`Rivals` lives in each actor's model and shows the leads as variables
``lead_years.<a>.<b>`` (in conditions ``lead_years(a, b)``); they change only at the race's
meeting times (``race.sync_step``), when :meth:`LeadBoard.sync` updates them.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np

from ..core import Component


def lead_years(times: np.ndarray, log_a: np.ndarray, log_b: np.ndarray,
               window: float = 1.0) -> np.ndarray:
    """``lead_years(a, b)`` at each of ``times`` (years) from the logs of the lead quantity.

    >>> t = np.arange(4.0); a = t.copy(); b = t - 1.5   # both grow by e each year, b 1.5 behind
    >>> lead_years(t, a, b).tolist(), lead_years(t, b, a, window=2.0).tolist()
    ([nan, 1.5, 1.5, 1.5], [nan, nan, -1.5, -1.5])
    """
    times = np.asarray(times, dtype=float)
    gap = np.asarray(log_a, dtype=float) - np.asarray(log_b, dtype=float)
    follower = np.where(gap >= 0, log_b, log_a)
    back = np.maximum(times - window, times[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        past = np.where(gap >= 0, _at(times, log_b, back), _at(times, log_a, back))
        pace = (follower - past) / (times - back)
        out = gap / pace
    out = np.where(times - times[0] >= window - 1e-9, out, np.nan)  # a full window of history
    out = np.where((gap == 0) & ~np.isnan(out), 0.0, out)  # level: no lead whatever the pace
    return np.where(np.isfinite(gap), out, np.nan)


def catch_up_years(times: np.ndarray, log_a: np.ndarray, log_b: np.ndarray) -> np.ndarray:
    """The years the one behind actually needed to reach the other's level at each of
    ``times``, read off the whole run (the issue's definition of the lead, known only after
    the run): positive when a is ahead, ``catch_up_years(b, a) = -catch_up_years(a, b)``, NaN
    when the follower does not reach that level within the run.

    >>> t = np.arange(5.0); a = np.minimum(t, 2.0) + np.maximum(t - 3.0, 0.0)  # a pauses 2->3
    >>> catch_up_years(t, a, t - 0.5).tolist()   # b: 0.5 behind, steady
    [0.5, 0.5, 0.5, -0.5, nan]
    """
    times = np.asarray(times, dtype=float)
    la, lb = np.asarray(log_a, dtype=float), np.asarray(log_b, dtype=float)
    out = np.full(len(times), np.nan)
    for k in range(len(times)):
        if not (np.isfinite(la[k]) and np.isfinite(lb[k])):
            continue
        if la[k] >= lb[k]:
            out[k] = _first_reach(times, lb, k, la[k]) - times[k]
        else:
            out[k] = -(_first_reach(times, la, k, lb[k]) - times[k])
    return out


def _first_reach(times: np.ndarray, values: np.ndarray, k: int, level: float) -> float:
    """The first time from ``times[k]`` on when ``values`` (linear between points) reach
    ``level``; NaN if they never do."""
    after = np.flatnonzero(values[k:] >= level)
    if not len(after):
        return math.nan
    j = k + int(after[0])
    if j == k:
        return float(times[k])
    lo, hi = values[j - 1], values[j]
    return float(times[j - 1] + (level - lo) / (hi - lo) * (times[j] - times[j - 1]))


def _at(times: np.ndarray, values: np.ndarray, when: np.ndarray) -> np.ndarray:
    """``values`` interpolated at ``when`` (NaN where the history there is unknown)."""
    ok = np.isfinite(values)
    if ok.sum() < 1:
        return np.full(len(when), np.nan)
    return np.interp(when, times[ok], values[ok])


class LeadBoard:
    """The leads of every ordered pair of actors, kept at the race's meeting times.

    ``watched`` are the actors whose conditions read a lead: their models are changed (inside
    ``change()``) when a lead moves, so watches on it fire; the others are never touched, so
    their runs stay exactly as they would be alone.
    """

    def __init__(self, actors: list[str], lead_on: str, watched: set[str], window: float = 1.0):
        self.actors, self.lead_on, self.watched = list(actors), lead_on, set(watched)
        self.window = window
        self.times: list[float] = []
        self.history: dict[str, list[float]] = {a: [] for a in actors}
        self.value = {(a, b): math.nan for a in actors for b in actors if a != b}

    def sync(self, race, t: float) -> None:
        for a in self.actors:
            m = race[a]
            x = math.nan if m.finished else float(m.state()[self.lead_on])
            self.history[a].append(math.log(x) if x > 0 else math.nan)
        self.times.append(t)
        times = np.array(self.times)
        logs = {a: np.array(h) for a, h in self.history.items()}
        new = {(a, b): float(lead_years(times, logs[a], logs[b], self.window)[-1])
               for (a, b) in self.value}
        if all(_same(new[k], self.value[k]) for k in new):
            return
        with contextlib.ExitStack() as changes:
            for a in self.actors:
                if a in self.watched and not race[a].finished:
                    changes.enter_context(race[a].change())
            self.value.update(new)


def _same(x: float, y: float) -> bool:
    return x == y or (x != x and y != y)


class Rivals(Component):
    """The leads ``lead_years.<a>.<b>`` as variables of one actor's model (constant between
    the race's meeting times)."""

    name = "rivals"

    def __init__(self, board: LeadBoard):
        super().__init__()
        self.board = board

    def build(self, model):
        super().build(model)
        for (a, b) in self.board.value:
            model.add_variable(f"lead_years.{a}.{b}",
                               lambda s, k=(a, b): self.board.value[k] + 0.0 * s["t"],
                               unit="year", owner=self.name, record=False,
                               long_name=f"years {a} is ahead of {b} (at the race's meeting times)")
