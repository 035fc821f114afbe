"""Time-horizon extrapolation: exponential and superexponential (REFERENCE C.3).

Exponential (METR, Kwa et al. 2025): the 50% time horizon doubles every ``T``,
``h(t) = h0 2^((t − t0)/T)``. Superexponential (AI 2027 timelines forecast,
``uvafan/timelines-takeoff-ai-2027`` ``timelines/forecasting_timelines.py``): each doubling takes
``(1 − d)`` times the previous one, so ``n`` doublings take ``T (1 − (1−d)^n) / d``, bounded by
``T/d``. The formulas are :mod:`rsi_sim.reference.time_horizon`; ``h0``, ``t0``, ``T`` are
fitted to the shipped METR data (:func:`rsi_sim.calibration.fit_time_horizon`) unless
``calibration: manual``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

from ..calibration import fit_time_horizon
from ..core import Component, Param
from ..core.errors import SimulationError
from ..core.kernel import LOG_LIMIT
from ..core.time import DAYS_PER_YEAR, to_decimal_year
from ..reference.time_horizon import horizon_at, superexponential_limit, time_to_horizon
from ._vectorized import milestone_dataset, parse_threshold, unsupported

_FITS = {"metr_since_2023": "2023-01-01", "metr_all": None}


@functools.lru_cache(maxsize=4)
def _fitted(calibration: str) -> tuple[float, float, float]:
    """(h0 hours, t0 decimal year, T years) of the METR fit; cached (a pure function of data)."""
    trend = fit_time_horizon(since=_FITS[calibration])
    t0 = to_decimal_year(trend.reference_date)
    return trend.horizon_hours(trend.reference_date), t0, trend.doubling_time_days / DAYS_PER_YEAR


class HorizonTrend(Component):
    """The METR 50% time horizon as a function of the date alone.

    Variable: ``time_horizon_hours`` (closed form in time, so a milestone such as
    ``time_horizon_hours >= 167`` is located by root-finding, not at an output step).
    Scalar results: ``h0_hours``, ``t0_year``, ``doubling_time_days``, ``divergence_year``
    (superexponential bound ``t0 + T/d``; NaN for exponential). No random inputs.

    Vectorised path: :meth:`run_vectorized` (protocol in :mod:`rsi_sim.components._vectorized`);
    milestones ``time_horizon_hours >= x``.

    Examples
    --------
    >>> from rsi_sim.core import Model
    >>> trend = HorizonTrend(calibration="manual", h0_hours=1.0, t0_year=2026.0,
    ...                      doubling_time=182.625)
    >>> ds = Model([trend], start_year=2026.0, horizon=2.0).run()
    >>> round(float(ds["time_horizon_hours"].sel(time=2027.0)), 9)  # two doublings a year
    4.0
    """

    name = "horizon_trend"

    form = Param("exponential", kind=str, choices=("exponential", "superexponential"), unit="",
                 source="REFERENCE C.3", doc="constant doubling time, or each doubling (1 − d) "
                 "times as long as the one before")
    calibration = Param("metr_since_2023", kind=str, unit="",
                        choices=("metr_since_2023", "metr_all", "manual"),
                        source="rsi_sim/data/metr_time_horizons.csv (METR TH1.1, 2026-05-08)",
                        doc="fit h0, t0, T to METR state-of-the-art models released since "
                        "2023 (128.7-day doubling) or all (187.8 days), or use the manual values")
    doubling_time = Param(128.7, unit="day", bounds=(1.0, 36525.0),
                          source="METR TH1.1 since 2023 (REFERENCE B)",
                          doc="doubling time T at t0 (calibration: manual)")
    h0_hours = Param(6.95, unit="hour", bounds=(1e-6, 1e9), source="METR TH1.1 fit at 2026-02-05",
                     doc="50% time horizon at t0 (calibration: manual)")
    t0_year = Param(2026.1, unit="1", bounds=(1900.0, 2500.0), source="METR TH1.1 newest model",
                    doc="decimal year of h0 (calibration: manual)")
    decay = Param(0.1, bounds=(-1.0, 0.99),
                  source="AI 2027 timelines forecast: each doubling 10% shorter",
                  doc="superexponential d: each doubling takes (1 − d) times the previous")

    @staticmethod
    def _trend(v: Mapping[str, Any]) -> tuple[float, float, float, float]:
        """(h0 hours, t0 decimal year, T years, d) for the chosen calibration and form."""
        if v["calibration"] == "manual":
            h0, t0, t = v["h0_hours"], v["t0_year"], v["doubling_time"] / DAYS_PER_YEAR
        else:
            h0, t0, t = _fitted(v["calibration"])
        return h0, t0, t, (v["decay"] if v["form"] == "superexponential" else 0.0)

    @classmethod
    def _scalars(cls, v: Mapping[str, Any]) -> dict[str, float]:
        h0, t0, t, d = cls._trend(v)
        limit = float(superexponential_limit(t0, t, d))
        return {"h0_hours": h0, "t0_year": t0, "doubling_time_days": t * DAYS_PER_YEAR,
                "divergence_year": limit if math.isfinite(limit) else math.nan}

    def build(self, model):
        super().build(model)
        self.h0, self.t0, self.T, self.d = self._trend(self.values)
        start = model.start_year
        limit = float(superexponential_limit(self.t0, self.T, self.d))
        if limit <= start:
            raise SimulationError(
                f"the superexponential time horizon of {self.name} (t0 {self.t0:.4g}, doubling "
                f"time {self.T * DAYS_PER_YEAR:.4g} days, decay {self.d:g}) is infinite from "
                f"{limit:.4f} on, before the start {start:.4f}: there is nothing to simulate")
        # The date the horizon passes 1e300 hours (float range ends soon after): a divergence.
        self._past_range = float(time_to_horizon(10.0 ** (LOG_LIMIT / math.log(10.0)), self.h0,
                                                 self.t0, self.T, self.d))
        if self._past_range <= start:
            raise SimulationError(
                f"the time horizon of {self.name} (h0 {self.h0:.4g} hours at {self.t0:.4g}, "
                f"doubling time {self.T * DAYS_PER_YEAR:.4g} days) is past 1e300 hours before "
                f"the start {start:.4f}: check h0_hours, t0_year and doubling_time")
        model.add_variable(
            "time_horizon_hours",
            lambda s: horizon_at(start + s.t, self.h0, self.t0, self.T, self.d),
            unit="hour", long_name="METR 50% time horizon", owner=self.name)

    def start(self):
        # A superexponential horizon is infinite from t0 + T/d on: a finite-time blow-up, flagged
        # as the kernel flags a stock passing 1e300.
        limit = float(superexponential_limit(self.t0, self.T, self.d))
        t_div = limit - self.model.start_year
        t_past = self._past_range - self.model.start_year
        if math.isfinite(t_past) and t_past < min(t_div, self.model.horizon):
            # a superexponential horizon is infinite at t_div: the divergence is dated there
            remaining = t_div - t_past if math.isfinite(t_div) else 0.0
            self.env.process(self._blow_up(t_past, "the time horizon passed 1e300 hours", remaining))
        elif math.isfinite(limit) and t_div < self.model.horizon:
            self.env.process(self._blow_up(t_div, "the superexponential time horizon became infinite"))

    def _blow_up(self, t_div, reason, remaining=0.0):
        yield self.env.timeout(t_div)
        self.model.diverge(reason, remaining)

    def outputs(self) -> dict[str, tuple]:
        return {key: ((), value, _attrs(key)) for key, value in self._scalars(self.values).items()}

    @classmethod
    def run_vectorized(cls, values: Mapping[str, Any], seeds: Sequence[np.random.SeedSequence],
                       start_year: float, milestones: Mapping[str, Any],
                       horizon: float = math.inf) -> xr.Dataset:
        """All samples at once (no random inputs: every sample alike).

        Milestones ``time_horizon_hours >= x`` are dated by the closed-form inverse
        :func:`~rsi_sim.reference.time_horizon.time_to_horizon` (at the start if already met).

        Examples
        --------
        >>> ds = HorizonTrend.run_vectorized({"calibration": "manual", "h0_hours": 1.0,
        ...     "t0_year": 2026.0, "doubling_time": 365.25}, [None], 2026.0,
        ...     {"week": "time_horizon_hours >= 32"})
        >>> float(ds["milestone_year"][0, 0])
        2031.0
        """
        v = cls(**values).values
        n = len(seeds)
        h0, t0, t, d = cls._trend(v)
        years = {}
        for name, cond in milestones.items():
            var, _, x = parse_threshold(cond)
            if var != "time_horizon_hours":
                raise unsupported(var, cls.name)
            when = float(time_to_horizon(x, h0, t0, t, d))
            years[name] = np.full(n, max(when, start_year))
        out = milestone_dataset(years, milestones, start_year, horizon, n)
        return out.assign({key: ("sample", np.full(n, value), _attrs(key))
                           for key, value in cls._scalars(v).items()})


def _attrs(key: str) -> dict[str, str]:
    return {
        "h0_hours": {"units": "hour", "long_name": "time horizon at t0"},
        "t0_year": {"units": "year", "long_name": "decimal year of the trend's anchor t0"},
        "doubling_time_days": {"units": "day", "long_name": "doubling time at t0"},
        "divergence_year": {"units": "year", "long_name": "date the superexponential horizon "
                            "becomes infinite, t0 + T/d (NaN: exponential)"},
    }[key]
