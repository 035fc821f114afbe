"""Milestone ladder with interpolated progress multipliers (AI 2027 takeoff forecast).

AI Futures Project (2025), takeoff supplement of AI 2027; code ``uvafan/timelines-takeoff-ai-2027``
(``takeoff/forecasting_takeoff.py``, ``takeoff/params.yaml``). The ladder climbs SC → SAR → SIAR →
ASI. Phase ``k`` needs ``G_k`` human-only years of AI R&D progress; the progress multiplier rises
geometrically in progress from ``v_k`` to ``v_{k+1}``, ``v(p) = v_A (v_B/v_A)^(p/G)``, so the
phase lasts ``T = G (1/v_A − 1/v_B) / ln(v_B/v_A)`` calendar years (REFERENCE A.3), capped at 1000
years as in the published code. The gaps are drawn as the published code draws them
(:mod:`rsi_sim.reference.ai2027`); the phase mathematics is :mod:`rsi_sim.reference.ladder`.

The scenario's start date is the SC date (t = 0). Each phase completion is one SimPy event.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

from ..core import Component, Param
from ..core.errors import ParameterError
from ..core.random import model_uniforms, stream_uniforms
from ..reference import ai2027
from ..reference.ladder import phase_time, progress_at_time, progress_multiplier
from ._vectorized import milestone_dataset, parse_threshold, unsupported

_SRC = "uvafan/timelines-takeoff-ai-2027 takeoff/"
STAGES = ai2027.MILESTONES  # ("SC", "SAR", "SIAR", "ASI")
PHASES = ("SC-SAR", "SAR-SIAR", "SIAR-ASI")
_GAPS = ("sc_to_sar_gap", "sar_to_siar_gap", "siar_to_asi_gap")
#: Drawn inputs stored per sample (all from :func:`rsi_sim.reference.ai2027.takeoff_parameters_from_scores`).
INPUTS = (*_GAPS, "amr_to_sar_gap", "sar_to_siar_jumps", "sc_to_sar_is_zero")


class MilestoneLadder(Component):
    """The AI 2027 milestone ladder SC → SAR → SIAR → ASI.

    Variables: ``ladder_stage`` (0 at SC … 3 at ASI), ``ai_rd_multiplier`` (AI R&D progress
    multiplier, continuous in time), ``ladder_progress`` (human-only years of progress since SC).
    Scalar results: the drawn gaps and ``phase_years`` (calendar years per phase).

    ``sampling: published`` draws the gaps with the published scheme (one sample of the
    forecast per run), from four uniforms of the run's stream (the draw rule of
    :mod:`rsi_sim.core.random`, shared with the vectorised path); ``medians`` takes every input at its median (normal
    scores 0, uniforms 0.5: SC→SAR gap 3.87 y, AMR→SAR 5 y, jumps 1.5), a deterministic run.

    Vectorised path: :meth:`run_vectorized` (protocol in :mod:`rsi_sim.components._vectorized`);
    it accepts milestones ``ladder_stage >= k`` and ``ai_rd_multiplier >= x``.

    Examples
    --------
    >>> from rsi_sim.core import Model, parse_condition
    >>> from rsi_sim.components.milestones import Milestones
    >>> ms = Milestones({"SAR": parse_condition("ladder_stage >= 1")})
    >>> ds = Model([MilestoneLadder(), ms], start_year=2027.0, horizon=5.0).run()
    >>> round(float(ds["milestone_year"].sel(milestone="SAR")), 4)  # 3.873 (1 - 1/5) / (5 ln 5)
    2027.385
    """

    name = "ladder"

    sampling = Param("medians", kind=str, choices=("medians", "published"), unit="",
                     source="rsi_sim", doc="'published': draw the gaps from the model's random "
                     "stream as the published code does; 'medians': every input at its median")
    p_zero_sc_to_sar = Param(0.15, unit="probability", bounds=(0.0, 1.0),
                             source=_SRC + "params.yaml times['SC to SAR'][0]",
                             doc="chance that SC→SAR needs no further human-only progress")
    sc_to_sar_low = Param(1.5, unit="year", bounds=(1e-6, 1e4), source=_SRC + "params.yaml",
                          doc="10th percentile of the lognormal SC→SAR human-only gap")
    sc_to_sar_high = Param(10.0, unit="year", bounds=(1e-6, 1e4), source=_SRC + "params.yaml",
                           doc="90th percentile of the lognormal SC→SAR human-only gap")
    amr_to_sar_low = Param(1.0, unit="year", bounds=(1e-6, 1e4),
                           source=_SRC + "forecasting_takeoff.py amr_to_sar_dist",
                           doc="10th percentile of the AMR→SAR human-only gap (drives later gaps)")
    amr_to_sar_high = Param(25.0, unit="year", bounds=(1e-6, 1e4),
                            source=_SRC + "forecasting_takeoff.py amr_to_sar_dist",
                            doc="90th percentile of the AMR→SAR human-only gap")
    amr_sc_correlation = Param(0.8, bounds=(-1.0, 1.0),
                               source=_SRC + "forecasting_takeoff.py amr_sar_sc_sar_correlation",
                               doc="correlation of the normal scores of AMR→SAR and SC→SAR")
    jumps_low = Param(0.3, bounds=(1e-6, 100.0),
                      source=_SRC + "forecasting_takeoff.py sar_to_siar_equiv_jumps_dist",
                      doc="10th percentile of the lognormal 'SAR→SIAR equivalent jumps' exponent j")
    jumps_high = Param(7.5, bounds=(1e-6, 100.0),
                       source=_SRC + "forecasting_takeoff.py sar_to_siar_equiv_jumps_dist",
                       doc="90th percentile of the jumps exponent j")
    stock_at_amr = Param(10.0, unit="year", bounds=(1e-6, 1e4),
                         source=_SRC + "forecasting_takeoff.py ('x = 10 + amr_to_sar')",
                         doc="research stock at AMR; at SAR it is this plus the AMR→SAR gap")
    sar_to_siar_exponent = Param(2.0, bounds=(0.0, 100.0),
                                 source=_SRC + "forecasting_takeoff.py",
                                 doc="SAR→SIAR gap = x (x / stock_at_amr)^exponent − x")
    v_sc = Param(5.0, bounds=(1e-3, 1e9), source=_SRC + "params.yaml speedups",
                 doc="AI R&D progress multiplier at SC")
    v_sar = Param(25.0, bounds=(1e-3, 1e9), source=_SRC + "params.yaml speedups",
                  doc="AI R&D progress multiplier at SAR")
    v_siar = Param(250.0, bounds=(1e-3, 1e9), source=_SRC + "params.yaml speedups",
                   doc="AI R&D progress multiplier at SIAR")
    v_asi = Param(2000.0, bounds=(1e-3, 1e9), source=_SRC + "params.yaml speedups",
                  doc="AI R&D progress multiplier at ASI")
    max_phase_years = Param(1000.0, unit="year", bounds=(1e-6, 1e6),
                            source=_SRC + "forecasting_takeoff.py MAX_CALENDAR_DAYS = 365*1000",
                            doc="cap on the calendar time of one phase")

    # ---- the published scheme, shared by both paths ------------------------------------------
    @staticmethod
    def reference_arguments(v: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """The keyword arguments of :func:`~rsi_sim.reference.ai2027.takeoff_parameters_from_scores`
        and of :func:`~rsi_sim.reference.ai2027.takeoff_milestones` (without ``sc_year``, the
        scenario's start) for the parameter values ``v``: the one place the parameters meet
        the reference functions.

        >>> gaps, ladder = MilestoneLadder.reference_arguments(MilestoneLadder().values)
        >>> gaps["sc_to_sar_80ci"], ladder["speedups"]
        ((1.5, 10.0), (5.0, 25.0, 250.0, 2000.0))
        """
        gap_params = {
            "p_zero_sc_to_sar": v["p_zero_sc_to_sar"],
            "sc_to_sar_80ci": (v["sc_to_sar_low"], v["sc_to_sar_high"]),
            "amr_to_sar_80ci": (v["amr_to_sar_low"], v["amr_to_sar_high"]),
            "amr_sc_correlation": v["amr_sc_correlation"],
            "sar_to_siar_jumps_80ci": (v["jumps_low"], v["jumps_high"]),
            "stock_at_amr": v["stock_at_amr"],
            "sar_to_siar_exponent": v["sar_to_siar_exponent"],
        }
        ladder = {"speedups": (v["v_sc"], v["v_sar"], v["v_siar"], v["v_asi"]),
                  "max_phase_years": v["max_phase_years"]}
        return gap_params, ladder

    @classmethod
    def _ladder(cls, v: Mapping[str, Any], scores: dict[str, np.ndarray],
                sc_year: float) -> xr.Dataset:
        gap_params, ladder = cls.reference_arguments(v)
        gaps = ai2027.takeoff_parameters_from_scores(scores, **gap_params)
        return ai2027.takeoff_milestones(gaps, sc_year=sc_year, **ladder)

    # ---- state and process -------------------------------------------------------------------
    def build(self, model):
        super().build(model)
        scores = (ai2027.takeoff_scores_from_uniforms(model_uniforms(model.rng, 4, self.name))
                  if self.sampling == "published" else ai2027.median_takeoff_scores(1))
        self.drawn = self._ladder(self.values, scores, model.start_year).isel(sample=0)
        self.speedups = np.asarray(self.reference_arguments(self.values)[1]["speedups"], dtype=float)
        self.gaps = np.array([float(self.drawn[k]) for k in _GAPS])
        self.phase_years = self.drawn["phase_years"].values
        if not (np.isfinite(self.gaps).all() and np.isfinite(self.phase_years).all()):
            gaps = ", ".join(f"{k} {g:g}" for k, g in zip(_GAPS, self.gaps, strict=True))
            raise ParameterError(
                f"The parameters of {self.name} give gaps past floating-point range ({gaps} "
                f"human-only years): the SAR-to-SIAR gap is x (x/stock_at_amr)**sar_to_siar_exponent "
                f"- x (exponent {self.sar_to_siar_exponent:g}, stock_at_amr "
                f"{self.stock_at_amr:g}); lower the exponent or raise stock_at_amr.")
        self.stage = 0
        self.phase_start = 0.0
        model.add_variable("ladder_stage", lambda s: float(self.stage), unit="1",
                           long_name="ladder stage (0 SC, 1 SAR, 2 SIAR, 3 ASI)", owner=self.name)
        model.add_variable("ai_rd_multiplier", self._multiplier, unit="1",
                           long_name="AI R&D progress multiplier", owner=self.name)
        model.add_variable("ladder_progress", self._progress_since_sc, unit="human-only year",
                           long_name="AI R&D progress since SC, in human-only years",
                           owner=self.name)

    def _phase_progress(self, t):
        k = self.stage
        return progress_at_time(np.asarray(t) - self.phase_start, self.gaps[k],
                                self.speedups[k], self.speedups[k + 1])

    def _multiplier(self, s):
        k = self.stage
        if k >= len(PHASES):
            return self.speedups[-1]
        return progress_multiplier(self._phase_progress(s.t), self.gaps[k], self.speedups[k],
                                   self.speedups[k + 1])

    def _progress_since_sc(self, s):
        k = self.stage
        done = float(np.sum(self.gaps[:k]))
        if k >= len(PHASES):
            return done
        return done + self._phase_progress(s.t)

    def start(self):
        self.env.process(self._climb())

    def _climb(self):
        # One event per phase completion; the duration is the closed form of REFERENCE A.3.
        for k in range(len(PHASES)):
            yield self.env.timeout(self.phase_years[k])
            with self.model.change():
                self.stage = k + 1
                self.phase_start = self.env.now
            self.model.log("ladder_stage", self.name, stage=STAGES[k + 1],
                           human_only_years=self.gaps[k], calendar_years=self.phase_years[k])

    def outputs(self) -> dict[str, tuple]:
        out = {key: ((), self.drawn[key].values, _input_attrs(key)) for key in INPUTS}
        out["phase"] = ("phase", np.array(PHASES, dtype=str))
        out["phase_years"] = ("phase", self.phase_years, _input_attrs("phase_years"))
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
        seeds : one ``SeedSequence`` per sample, or a ``SampleSeeds`` (ignored, but counted,
            for ``medians``).
        start_year : decimal year of SC (t = 0).
        milestones : ``{name: condition}`` with conditions ``ladder_stage >= k`` or
            ``ai_rd_multiplier >= x``; others raise :class:`NotImplementedError`.
        horizon : years simulated; a milestone later than that is NaN.

        Returns
        -------
        xarray.Dataset
            ``milestone_year(sample, milestone)``, ``phase_years(sample, phase)`` and the
            drawn inputs over ``sample``.

        Examples
        --------
        >>> seeds = np.random.SeedSequence(0).spawn(3)
        >>> ds = MilestoneLadder.run_vectorized({"sampling": "published"}, seeds, 2027.0,
        ...                                     {"ASI": "ladder_stage >= 3"})
        >>> ds["milestone_year"].shape
        (3, 1)
        """
        v = cls(**values).values
        n = len(seeds)
        if v["sampling"] == "published":
            scores = ai2027.takeoff_scores_from_uniforms(stream_uniforms(seeds, 4, cls.name))
        else:
            scores = ai2027.median_takeoff_scores(n)
        ladder = cls._ladder(v, scores, start_year)
        stage_years = ladder["milestone_year"].values  # (sample, 4)
        vs = np.asarray(cls.reference_arguments(v)[1]["speedups"], dtype=float)
        gaps = np.stack([ladder[k].values for k in _GAPS], axis=1)
        years = {}
        for name, cond in milestones.items():
            var, strict, x = parse_threshold(cond)
            if var == "ladder_stage":
                k = math.floor(x) + 1 if strict else math.ceil(x)
                k = max(k, 0)
                years[name] = stage_years[:, k] if k < len(STAGES) else np.full(n, np.nan)
            elif var == "ai_rd_multiplier":
                years[name] = _multiplier_crossing(x, strict, vs, gaps, stage_years)
            else:
                raise unsupported(var, cls.name)
        out = milestone_dataset(years, milestones, start_year, horizon, n)
        extra = {key: ("sample", ladder[key].values, _input_attrs(key)) for key in INPUTS}
        extra["phase_years"] = (("sample", "phase"), ladder["phase_years"].values,
                                _input_attrs("phase_years"))
        return out.assign(extra).assign_coords(phase=np.array(PHASES, dtype=str))


def _multiplier_crossing(x: float, strict: bool, vs: np.ndarray, gaps: np.ndarray,
                         stage_years: np.ndarray) -> np.ndarray:
    """First decimal year with ``v >= x``: inside the phase whose multipliers bracket ``x``,
    after ``phase_time(p_x, v_A, x)`` with ``p_x = G ln(x/v_A) / ln(v_B/v_A)`` (REFERENCE A.3)."""
    n = stage_years.shape[0]
    if (x < vs[0]) or (x == vs[0] and not strict):
        return stage_years[:, 0].copy()
    for k in range(len(PHASES)):
        va, vb = vs[k], vs[k + 1]
        if va < x <= vb or (strict and x == va):
            progress = gaps[:, k] * (np.log(x) - np.log(va)) / (np.log(vb) - np.log(va))
            return stage_years[:, k] + phase_time(progress, va, x)
    return np.full(n, np.nan)


def _input_attrs(key: str) -> dict[str, str]:
    return {
        "sc_to_sar_gap": {"units": "human-only year", "long_name": "SC→SAR human-only gap"},
        "sar_to_siar_gap": {"units": "human-only year", "long_name": "SAR→SIAR human-only gap"},
        "siar_to_asi_gap": {"units": "human-only year", "long_name": "SIAR→ASI human-only gap"},
        "amr_to_sar_gap": {"units": "human-only year",
                           "long_name": "AMR→SAR human-only gap (drives the later gaps)"},
        "sar_to_siar_jumps": {"units": "1", "long_name": "SAR→SIAR equivalent jumps exponent"},
        "sc_to_sar_is_zero": {"long_name": "SC→SAR gap drawn as zero (15% chance)"},
        "phase_years": {"units": "year", "long_name": "calendar years of each ladder phase"},
    }[key]
