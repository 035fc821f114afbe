"""Software intelligence explosion, one software doubling at a time (Davidson & Houlden 2025).

"How quick and big would a software intelligence explosion be?" (Forethought, 2025); code
``thoulden/Accelerated_AI_Progress`` (``multiple_sims.py``). Once AI automates AI R&D, software
doubles first in ``3/f`` months (``f`` the initial speed-up); after each doubling the doubling time
is multiplied by ``2^(p (1/r − 1))`` (``r`` returns to software R&D, falling linearly to 0 at the
software ceiling ``L`` years of progress away; ``p`` the parallelism penalty), so ``r > 1``
accelerates and ``r < 1`` fizzles (REFERENCE A.2). The doubling sequence is the mathematics of
:mod:`rsi_sim.reference.forethought`; here each doubling is one SimPy event.

``t = 0`` is the date AI fully automates AI R&D; only durations matter. ``4/s`` doublings are
one year of AI progress at recent rates (``s`` the software share of progress).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

from ..core import Component, Param
from ..core.random import model_uniforms, stream_uniforms
from ..reference import forethought as sie
from ._vectorized import milestone_dataset, parse_threshold, unsupported

_SRC = "thoulden/Accelerated_AI_Progress multiple_sims.py"
MONTHS_PER_YEAR = 12.0
INPUTS = ("initial_speedup", "returns", "limit_years", "parallelism")


class SoftwareDoublings(Component):
    """The Forethought per-doubling software model.

    Variables: ``software_doublings`` (completed), ``years_of_progress`` (doublings / (4/s)),
    ``software_doubling_time`` (months, the doubling in progress). Scalar results:
    ``progress_in_one_year`` (the published statistic: most progress inside ANY window shorter
    than 12 months), ``progress_in_first_year`` (the first 12 months after deployment only),
    ``doublings`` and the inputs.

    ``sampling: published`` draws f, r, L, p from the published distributions (log-uniform
    f 2–32, r 0.4–3.6, p 0.15–0.6; uniform L 6–16) by inverse CDF of four uniforms of the run's
    stream (the draw rule of :mod:`rsi_sim.core.random`, shared with the vectorised
    path); ``medians`` takes their medians
    (f = 8, r = 1.2, L = 11, p = 0.3).

    Vectorised path: :meth:`run_vectorized` (protocol in :mod:`rsi_sim.components._vectorized`);
    milestones ``software_doublings >= k`` and ``years_of_progress >= y``.

    Examples
    --------
    >>> from rsi_sim.core import Model
    >>> ds = Model([SoftwareDoublings()], start_year=2027.0, horizon=5.0).run()
    >>> float(ds["progress_in_one_year"])  # medians: 34 doublings inside a year, 8 per year
    4.25
    """

    name = "software_doublings"

    sampling = Param("medians", kind=str, choices=("medians", "published"), unit="",
                     source="rsi_sim", doc="'published': draw f, r, L, p from the model's random "
                     "stream as the published code does; 'medians': their medians")
    initial_speedup_low = Param(2.0, bounds=(1e-3, 1e6), source=_SRC + " ib_low",
                                doc="lower bound of the log-uniform initial speed-up f")
    initial_speedup_high = Param(32.0, bounds=(1e-3, 1e6), source=_SRC + " ib_high",
                                 doc="upper bound of the log-uniform initial speed-up f")
    returns_low = Param(0.4, bounds=(1e-3, 100.0), source=_SRC + " r_low",
                        doc="lower bound of the log-uniform returns to software R&D r")
    returns_high = Param(3.6, bounds=(1e-3, 100.0), source=_SRC + " r_high",
                         doc="upper bound of the log-uniform returns to software R&D r")
    parallelism_low = Param(0.15, bounds=(1e-3, 10.0), source=_SRC + " lf_low",
                            doc="lower bound of the log-uniform parallelism penalty p")
    parallelism_high = Param(0.6, bounds=(1e-3, 10.0), source=_SRC + " lf_high",
                             doc="upper bound of the log-uniform parallelism penalty p")
    limit_years_low = Param(6.0, unit="year", bounds=(0.01, 1000.0), source=_SRC + " ly_low",
                            doc="lower bound of the uniform distance to software limits "
                            "(years of progress at recent rates)")
    limit_years_high = Param(16.0, unit="year", bounds=(0.01, 1000.0), source=_SRC + " ly_high",
                             doc="upper bound of the uniform distance to software limits")
    software_share = Param(0.5, bounds=(0.01, 1.0),
                           source=_SRC + " software_contribution_param",
                           doc="share of AI progress due to software (4/s doublings = 1 year)")
    gradual_boost = Param(False, kind=bool, unit="", source=_SRC + " 'Gradual Boost'",
                          doc="the speed-up ramps from 0.1 to f over five years")
    retraining_cost = Param(False, kind=bool, unit="", source=_SRC + " 'Retraining Cost'",
                            doc="damp the acceleration exponent x to x/(x+1)")
    constant_r = Param(False, kind=bool, unit="", source=_SRC + " 'Constant Diminishing Returns'",
                       doc="keep r at its initial value")
    max_months = Param(48.0, unit="month", bounds=(1.0, 1200.0),
                       source=_SRC + " max_time_months=48",
                       doc="no doubling starts after this time")
    window_months = Param(12.0, unit="month", bounds=(0.1, 1200.0),
                          source=_SRC + " conditions (12, 3), (12, 10)",
                          doc="window in which progress is counted")

    # ---- the published scheme, shared by both paths --------------------------------------------
    @staticmethod
    def reference_ranges(v: Mapping[str, Any]) -> dict[str, tuple[float, float]]:
        """The bounds keywords of :func:`~rsi_sim.reference.forethought.sie_inputs_from_uniforms`
        and :func:`~rsi_sim.reference.forethought.median_sie_parameters` for the values ``v``."""
        return {
            "initial_speedup_range": (v["initial_speedup_low"], v["initial_speedup_high"]),
            "returns_range": (v["returns_low"], v["returns_high"]),
            "parallelism_range": (v["parallelism_low"], v["parallelism_high"]),
            "limit_years_range": (v["limit_years_low"], v["limit_years_high"]),
        }

    @staticmethod
    def reference_options(v: Mapping[str, Any]) -> dict[str, Any]:
        """The option keywords of :func:`~rsi_sim.reference.forethought.run_sie` for the values
        ``v`` (:func:`~rsi_sim.reference.forethought.doubling_times` takes all but
        ``window_months``).

        >>> SoftwareDoublings.reference_options(SoftwareDoublings().values)["max_months"]
        48.0
        """
        keys = ("software_share", "gradual_boost", "retraining_cost", "constant_r", "max_months",
                "window_months")
        return {k: v[k] for k in keys}

    @staticmethod
    def _truncate(times: np.ndarray, horizon: float) -> tuple[np.ndarray, np.ndarray]:
        """Doublings completed within the horizon (a run sees no later event)."""
        with np.errstate(invalid="ignore"):
            kept = np.where(times / MONTHS_PER_YEAR <= horizon, times, np.nan)
        return kept, np.sum(np.isfinite(kept[:, 1:]), axis=1)

    @classmethod
    def _statistics(cls, v: Mapping[str, Any], times: np.ndarray,
                    steps: np.ndarray) -> dict[str, np.ndarray]:
        per_year = 4.0 / v["software_share"]  # doublings in one year of progress
        best, first = sie.window_doublings(times, steps, v["window_months"])
        return {"progress_in_one_year": best / per_year,
                "progress_in_first_year": first / per_year,
                "doublings": steps}

    # ---- state and process -------------------------------------------------------------------
    def build(self, model):
        super().build(model)
        v = self.values
        if self.sampling == "published":
            u = model_uniforms(model.rng, 4, self.name)
            draws = sie.sie_parameters_dataset(*sie.sie_inputs_from_uniforms(u, **self.reference_ranges(v)))
        else:
            draws = sie.median_sie_parameters(**self.reference_ranges(v))
        run = sie.run_sie(draws, **self.reference_options(v))
        self.inputs = {k: float(draws[k][0]) for k in INPUTS}
        row = run["doubling_time_months"].values[0]
        self.schedule = row[1:int(run["doublings"][0]) + 1]  # months of doublings 1, 2, ...
        self.per_year = 4.0 / v["software_share"]
        self.doublings = 0
        self.completed: list[float] = [0.0]
        model.add_variable("software_doublings", lambda s: float(self.doublings), unit="1",
                           long_name="software doublings since deployment", owner=self.name)
        model.add_variable("years_of_progress", lambda s: self.doublings / self.per_year,
                           unit="year", long_name="AI progress since deployment, in years at "
                           "recent rates", owner=self.name)
        model.add_variable("software_doubling_time", self._doubling_time, unit="month",
                           long_name="duration of the software doubling in progress",
                           owner=self.name)

    def _doubling_time(self, s):
        d = self.doublings
        if d >= len(self.schedule):
            return math.nan
        return self.schedule[d] - (self.schedule[d - 1] if d else 0.0)

    def start(self):
        self.env.process(self._double())

    def _double(self):
        for months in self.schedule:
            # Each doubling is an event at its month; doublings past the horizon never happen.
            yield self.env.timeout(max(0.0, months / MONTHS_PER_YEAR - self.env.now))
            with self.model.change():
                self.doublings += 1
            self.completed.append(float(months))
            self.model.log("software_doubling", self.name, doubling=self.doublings,
                           months=float(months))

    def finish(self, ds: xr.Dataset) -> xr.Dataset:
        # NaN is the value, not a failure, once the doublings have ended (checked by the
        # numerical-extremes tests through this attribute).
        ds["software_doubling_time"].attrs["undefined_when"] = (
            "no doubling is in progress: the software ceiling or max_months was reached (NaN)")
        return ds

    def outputs(self) -> dict[str, tuple]:
        times = np.asarray(self.completed, dtype=float)[None, :]
        stats = self._statistics(self.values, times, np.array([len(self.completed) - 1]))
        out = {key: ((), value[0], _attrs(key)) for key, value in stats.items()}
        out.update({key: ((), self.inputs[key], _attrs(key)) for key in INPUTS})
        return out

    # ---- vectorised path -----------------------------------------------------------------------
    @classmethod
    def run_vectorized(cls, values: Mapping[str, Any], seeds: Sequence[np.random.SeedSequence],
                       start_year: float, milestones: Mapping[str, Any],
                       horizon: float = math.inf) -> xr.Dataset:
        """All samples at once; sample ``i`` equals a kernel run with ``seed=seeds[i]``.

        Parameters
        ----------
        values : parameter values (missing: defaults).
        seeds : one ``SeedSequence`` per sample, or a ``SampleSeeds``.
        start_year : decimal year of deployment (t = 0).
        milestones : ``{name: condition}``, conditions ``software_doublings >= k`` or
            ``years_of_progress >= y``; others raise :class:`NotImplementedError`.
        horizon : years simulated; doublings later than that do not count.

        Returns
        -------
        xarray.Dataset
            ``milestone_year``, ``progress_in_one_year``, ``progress_in_first_year``,
            ``doublings`` and the inputs, over ``sample``.

        Examples
        --------
        >>> seeds = np.random.SeedSequence(0).spawn(4)
        >>> ds = SoftwareDoublings.run_vectorized({}, seeds, 2027.0, {}, horizon=5.0)
        >>> ds["progress_in_one_year"].values.tolist()  # medians: every sample alike
        [4.25, 4.25, 4.25, 4.25]
        """
        v = cls(**values).values
        n = len(seeds)
        if v["sampling"] == "published":
            u = stream_uniforms(seeds, 4, cls.name)
            draws = sie.sie_parameters_dataset(*sie.sie_inputs_from_uniforms(u, **cls.reference_ranges(v)))
        else:
            one = sie.median_sie_parameters(**cls.reference_ranges(v))
            draws = one.isel(sample=np.zeros(n, dtype=int)).assign_coords(sample=np.arange(n))
        options = cls.reference_options(v)
        options.pop("window_months")
        times, steps = cls._truncate(sie.doubling_times(draws, **options)[0], horizon)
        stats = cls._statistics(v, times, steps)
        per_year = 4.0 / v["software_share"]
        index = np.arange(times.shape[1], dtype=float)
        years = {}
        for name, cond in milestones.items():
            var, strict, x = parse_threshold(cond)
            if var == "software_doublings":
                level = index
            elif var == "years_of_progress":
                level = index / per_year
            else:
                raise unsupported(var, cls.name)
            hit = (level > x) if strict else (level >= x)
            ok = hit[None, :] & np.isfinite(times)
            first = np.argmax(ok, axis=1)
            month = np.where(ok.any(axis=1), times[np.arange(n), first], np.nan)
            years[name] = start_year + month / MONTHS_PER_YEAR
        out = milestone_dataset(years, milestones, start_year, horizon, n)
        extra = {key: ("sample", value, _attrs(key)) for key, value in stats.items()}
        extra.update({key: ("sample", draws[key].values, _attrs(key)) for key in INPUTS})
        return out.assign(extra)


def _attrs(key: str) -> dict[str, str]:
    return {
        "progress_in_one_year": {
            "units": "year", "long_name": "most AI progress (years at recent rates) inside any "
            "12-month window (the published statistic)"},
        "progress_in_first_year": {
            "units": "year", "long_name": "AI progress (years at recent rates) in the first 12 "
            "months after deployment"},
        "doublings": {"units": "1", "long_name": "software doublings completed"},
        "initial_speedup": {"units": "1", "long_name": "initial speed-up of software progress f"},
        "returns": {"units": "1", "long_name": "initial returns to software R&D r"},
        "limit_years": {"units": "year", "long_name": "distance to software limits (years of "
                        "progress at recent rates)"},
        "parallelism": {"units": "1", "long_name": "parallelism penalty p"},
    }[key]
