"""Generations: discrete frontier models, each trained, reviewed and released.

A **training run** is a SimPy process that holds the training compute for ``training_duration``.
Its training compute is ``min(training_compute_rate * training_duration, training_compute_cap)``
and its effective compute ``E = training compute * S`` with the software level S at its start;
``E`` sets the generation's capability (``capability.horizon_hours``). Then **evaluation and
safety review** by the oversight staff, a ``simpy.Resource`` (one review at a time by default),
so reviews queue when they take longer than the training cadence::

    review effort  = review_effort_hours * (h_gen / h_0)**review_effort_elasticity   [person-hours]
    review time    = review_multiplier * max(min_review_duration,
                                             effort / (oversight staff * hours per year))

Then **release**: the generation becomes the AI workforce. Copies run on the internal share of
inference compute, each at ``speed`` times human speed, 24 hours a day::

    copy cost  = copy_cost_flop_per_year * speed * (C_gen / C_0)**copy_cost_elasticity
    ai_copies  = inference_compute * internal_inference_share / copy cost
    ai_labour_hours = ai_copies * speed * 8766 h/year

(cost per copy grows with model size, ``N ∝ C**0.5`` under compute-optimal scaling, Hoffmann et
al. 2022). The next run starts by the **cadence** rule: ``back_to_back`` (when the previous run's
training ends) or ``interval`` (``release_interval`` after the previous start, or when the
previous run ends if later).

Policy levers (change inside ``model.change()``):

``pause()`` / ``resume()``
    no new training run starts while paused; a run in progress finishes and is reviewed.
``review_multiplier``
    multiplies the duration of every review that starts while in force (1: none).
``training_compute_cap``
    absolute cap on the training compute of a run, FLOP (``inf``: none).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import simpy

from ..core import Component, Lever, Param
from ..core.errors import ParameterError
from ..core.kernel import LOG_LIMIT
from ..core.numeric import log, minimum

#: Hours in a Julian year: AI copies work around the clock.
HOURS_PER_YEAR = 8766.0


@dataclass
class Generation:
    """One model generation and its dates (model time, years since start)."""

    index: int
    training_start: float
    training_compute: float
    effective_compute: float
    horizon_hours: float
    training_end: float = math.nan
    review_start: float = math.nan
    release: float = math.nan
    review_duration: float = math.nan
    queue_wait: float = math.nan
    ai_judgment: float = math.nan
    judgment_gap: float = math.nan
    extra: dict = field(default_factory=dict)


class Generations(Component):
    """Discrete model generations: training runs, reviews, releases, the AI workforce."""

    name = "generations"
    needs = ("compute", "software", "capability", "labour")

    # ---- parameters ----------------------------------------------------------------------
    training_duration = Param(
        0.3, unit="year", bounds=(0.01, 10.0),
        source="frontier pretraining plus post-training runs of ~3-4 months (judgmental; "
               "Epoch AI reports frontier run lengths of ~100 days)",
        doc="duration of one training run")
    cadence = Param(
        "back_to_back", kind=str, choices=("back_to_back", "interval"),
        source="frontier labs start the next run as the last one ends (judgmental)",
        doc="rule for starting the next training run")
    release_interval = Param(
        0.5, unit="year", bounds=(0.01, 10.0), source="used only with cadence: interval",
        doc="time between training starts under the interval cadence")
    initial_generation_age = Param(
        0.4, unit="year", bounds=(0.0, 5.0),
        source="training_duration plus ~5 weeks of evaluation before release (judgmental)",
        doc="how long before the start the deployed generation began training")
    min_review_duration = Param(
        1 / 12, unit="year", bounds=(0.0, 5.0),
        source="pre-deployment testing of frontier models takes weeks to months (judgmental)",
        doc="shortest evaluation and safety review")
    review_effort_hours = Param(
        20000.0, unit="hour", bounds=(0.0, 1e12),
        source="judgmental: ~150 oversight staff for about a month",
        doc="oversight person-hours to review the generation deployed at the start")
    review_effort_elasticity = Param(
        0.3, unit="1", bounds=(0.0, 3.0),
        source="judgmental: longer-horizon models need longer evaluations",
        doc="growth of review effort with the generation's time horizon")
    review_capacity = Param(
        1, unit="1", bounds=(1, 100), kind=int, source="one frontier review at a time (judgmental)",
        doc="concurrent reviews the oversight staff can run (simpy.Resource capacity)")
    internal_inference_share = Param(
        0.1, unit="1", bounds=(0.0, 1.0),
        source="judgmental: most inference serves customers",
        doc="share of inference compute running AI workers on the developer's own R&D")
    copy_cost_flop_per_year = Param(
        2e20, unit="FLOP/year", bounds=(1e12, 1e30),
        source="2 FLOP per parameter per token (Kaplan et al. 2020) x ~3e11 active parameters x "
               "~10 tokens/s of human-paced work x 3.156e7 s (judgmental)",
        doc="inference FLOP per year of one human-speed copy of the start generation")
    copy_cost_elasticity = Param(
        0.5, unit="1", bounds=(0.0, 2.0),
        source="compute-optimal scaling N ∝ C**0.5 (Hoffmann et al. 2022)",
        doc="growth of copy cost with training compute")
    software_inference_share = Param(
        1.0, unit="1", bounds=(0.0, 1.0),
        source="Kwa 2026 (training and inference efficiency improve at the same rate); Davidson & "
               "Houlden 2025 (a software doubling doubles the AI workforce); judgmental range 0.5-1",
        doc="share of software progress (in logs) that also cuts the inference cost of a copy")
    speed = Param(
        10.0, unit="1", bounds=(0.01, 1e6),
        source="judgmental; AI 2027 assumes tens of times human speed by 2027",
        doc="serial speed of an AI copy relative to a human")

    # ---- policy levers -------------------------------------------------------------------
    #: :meth:`set_paused`: no new training run starts while paused; a run in progress
    #: finishes and is reviewed. Reference-counted: training resumes when the last pause lifts.
    pause_training = Lever(
        "paused", neutral=0.0, combine="count", setter="set_paused",
        doc="start no new training run (a run in progress finishes)")
    #: ``training_compute_cap``: absolute cap on the training compute of a run, FLOP.
    cap_training_compute = Lever(
        "training_compute_cap", neutral=math.inf, combine="min", param="flop", unit="FLOP",
        bounds=(0, None), open_bounds=True,
        rejects="is not a cap (a run needs positive compute; use pause_training to stop training)",
        doc="cap on the training compute of one run, FLOP")
    #: ``review_multiplier``: multiplies the duration of reviews that start while in force.
    lengthen_review = Lever(
        "review_multiplier", neutral=1.0, combine="product", param="factor", bounds=(1, None),
        rejects="would shorten reviews; use >= 1",
        doc="multiplier on safety-review durations (>= 1)")

    def __init__(self, **values):
        super().__init__(**values)
        #: True while new training runs are paused (see :meth:`pause`).
        self.paused = False
        self.history: list[Generation] = []
        self.deployed: Generation | None = None
        self.training: Generation | None = None
        #: Callbacks ``fn(generation, state)`` at each training start and release.
        self.on_training_start: list[Callable] = []
        self.on_release: list[Callable] = []
        #: Index of the next generation, trained or adopted (:meth:`adopt`).
        self._next_index = 1

    def set_paused(self, pauses: float) -> None:
        """The ``pause_training`` lever: paused while ``pauses`` (active pauses) > 0."""
        if pauses > 0:
            self.pause()
        else:
            self.resume()

    def pause(self) -> None:
        """Start no new training run until :meth:`resume`; a run in progress finishes."""
        if not self.paused:
            self.paused = True
            self._resumed = self.env.event() if self.model is not None else None
            self.model.log("training_paused", self.name)

    def resume(self) -> None:
        """Allow training runs again."""
        if self.paused:
            self.paused = False
            if self._resumed is not None and not self._resumed.triggered:
                self._resumed.succeed()
            self.model.log("training_resumed", self.name)

    # ---- state ---------------------------------------------------------------------------
    def backcast_effective_compute(self, t: float, model=None) -> float:
        """Effective compute of a run started at model time ``t <= 0`` on the pre-start path:
        training compute and software growing at their historical rates back from the start.
        ``model`` is needed only before this component is built."""
        model = model or self.model
        comp, soft = model["compute"], model["software"]
        tc0 = comp.training_share * comp.start_compute * comp.flop_per_h100e_year * self.training_duration
        growth = comp.pre_start_growth + math.log(soft.historical_growth)
        return tc0 * math.exp(growth * t)

    def build(self, model):
        super().build(model)
        self.oversight = simpy.Resource(model.env, capacity=self.review_capacity)
        gap = self.training_duration if self.cadence == "back_to_back" else max(
            self.training_duration, self.release_interval)
        if gap + self.training_duration < self.initial_generation_age:
            # The run after the deployed one would have finished training before the start, so
            # the generation deployed at the start would not be the newest: this model of the
            # start (one deployed generation, at most one run under way) cannot represent that.
            raise ParameterError(
                f"The 'initial_generation_age' parameter of {self.name} must be at most the "
                f"training cadence plus training_duration ({gap + self.training_duration:g} years "
                f"here): otherwise a later run would have finished before the start. Got "
                f"{self.initial_generation_age:g} instead.")
        self._resumed = None
        tc0 = self.backcast_effective_compute(-self.initial_generation_age, model)
        soft = model["software"]
        s_then = math.exp(-math.log(soft.historical_growth) * self.initial_generation_age)
        # The initial generation's horizon is the capability anchor by construction.
        g0 = Generation(0, -self.initial_generation_age, tc0 / s_then, tc0,
                        model["capability"].anchor_horizon_hours)
        g0.training_end = g0.training_start + self.training_duration
        g0.review_start, g0.release, g0.queue_wait = g0.training_end, 0.0, 0.0
        g0.review_duration = g0.release - g0.review_start
        self.history, self.deployed, self.training = [g0], g0, None
        self._copy_cost0_compute = g0.training_compute
        self._lambda = model["research"].parallelism if "research" in model else 1.0
        if math.log(self.speed) / self._lambda > LOG_LIMIT:
            raise ParameterError(
                f"The 'speed' parameter of {self.name} ({self.speed:g}) counts as "
                f"speed**(1/parallelism) parallel workers, which passes 1e300 with research "
                f"parallelism {self._lambda:g}: lower the speed or raise the parallelism.")
        self._set_copy_cost()
        model.add_variable("generation", lambda s: float(self.deployed.index), unit="1", owner=self.name,
                           long_name="index of the deployed generation (0: deployed at start)")
        model.add_variable("training_paused", lambda s: 1.0 if self.paused else 0.0, unit="1",
                           owner=self.name, long_name="1 while new training runs are paused")
        model.add_variable("training_compute", self._training_compute, unit="FLOP", owner=self.name,
                           long_name="training compute of a frontier run started now")
        model.add_variable("effective_compute", lambda s: s["training_compute"] * s["software_level"],
                           unit="FLOP", owner=self.name,
                           long_name="effective training compute of a run started now (start-date software FLOP)")
        model.add_variable("ai_copies", lambda s: self.copies(s["inference_compute"], s["software_level"]),
                           unit="copy", owner=self.name,
                           long_name="copies of the deployed generation working on the developer's R&D")
        model.add_variable("ai_labour_hours", lambda s: s["ai_copies"] * self._hours_per_copy,
                           unit="hour/year", owner=self.name,
                           long_name="AI work in parallel human-equivalent hours per year (serial "
                                     "speed counted as speed**(1/lambda) workers)")

    def _training_compute(self, s):
        return minimum(s["training_compute_rate"] * self.training_duration, self.training_compute_cap)

    def _set_copy_cost(self):
        g = self.deployed
        cost = (self.copy_cost_flop_per_year * self.speed
                * (g.training_compute / self._copy_cost0_compute) ** self.copy_cost_elasticity)
        self._copies_per_flop = self.internal_inference_share / cost
        self._hours_per_copy = self.speed ** (1.0 / self._lambda) * HOURS_PER_YEAR

    def copies(self, inference_flop, software_level):
        """Copies of the deployed generation on ``inference_flop`` (FLOP/year) of inference."""
        eps = self.software_inference_share
        boost = software_level if eps == 1.0 else software_level ** eps
        return inference_flop * self._copies_per_flop * boost

    def ai_labour_hours_of(self, inference_flop, software_level):
        """AI labour (parallel human-equivalent hours/year) of the deployed generation."""
        return self.copies(inference_flop, software_level) * self._hours_per_copy

    # ---- processes -----------------------------------------------------------------------
    def start(self):
        self.env.process(self._training_runs())
        # Effective compute is a product of two stocks: it can leave float range while each stays
        # inside the kernel's limit; that is growth without bound as surely (divergence).
        self.model.watch(lambda s: log(s["training_compute"]) + log(s["software_level"]) - LOG_LIMIT,
                         label="effective compute past 1e300").callbacks.append(
            lambda _e: self.model.diverge("effective compute passed 1e300 FLOP"))

    def adopt(self, training_compute: float, effective_compute: float, **extra: float) -> Generation:
        """Deploy a generation this developer did not train (stolen weights), now.

        ``effective_compute`` is on this developer's scale (the effective compute at which its
        own capability mapping gives the model's capability); ``training_compute`` is the
        model's own (it sets the cost of a copy). The generation takes the next index, so runs
        already under way (weaker, or the weights would not be worth taking) are never
        deployed; the training-start and release callbacks run as for an own generation.
        ``extra`` goes to the generations table (``gen_<key>``).
        """
        model = self.model
        index, self._next_index = self._next_index, self._next_index + 1
        gen = Generation(index, model.now, float(training_compute), float(effective_compute),
                         float(model["capability"].horizon_hours(effective_compute)))
        gen.extra.update(extra)
        self.history.append(gen)
        state = model.state()
        for fn in self.on_training_start:
            fn(gen, state)
        gen.training_end = gen.review_start = gen.release = model.now
        gen.queue_wait = gen.review_duration = 0.0
        with model.change():
            self.deployed = gen
            self._set_copy_cost()
            for fn in self.on_release:
                fn(gen)
        return gen

    def _training_runs(self):
        env, model = self.env, self.model
        g0 = self.history[0]
        gap = self.training_duration if self.cadence == "back_to_back" else max(
            self.training_duration, self.release_interval)
        # By the cadence rule the next run may already be under way at the start; it began on
        # the pre-start path, so its compute comes from the backcast.
        pre_start = g0.training_start + gap
        if pre_start > 0:  # not due yet: the next run starts at its cadence time
            yield env.timeout(pre_start)
            pre_start = 0.0
        while True:
            while self.paused:
                yield self._resumed
            state = model.state()
            if pre_start < 0:
                ec = self.backcast_effective_compute(pre_start)
                tc = ec / math.exp(math.log(model["software"].historical_growth) * pre_start)
                begun, pre_start = pre_start, 0.0
            else:
                tc = float(state["training_compute"])
                ec = tc * float(state["software_level"])
                begun = env.now
            index, self._next_index = self._next_index, self._next_index + 1
            gen = Generation(index, begun, tc, ec, float(model["capability"].horizon_hours(ec)))
            self.training = gen
            self.history.append(gen)
            for fn in self.on_training_start:
                fn(gen, state)
            model.log("training_started", self.name, generation=index, training_compute=tc,
                      effective_compute=ec, time_horizon_hours=gen.horizon_hours)
            yield env.timeout(begun + self.training_duration - env.now)
            gen.training_end = env.now
            self.training = None
            model.log("training_finished", self.name, generation=index)
            env.process(self._review_and_release(gen))
            if self.cadence == "interval":
                wait = begun + self.release_interval - env.now
                if wait > 0:
                    yield env.timeout(wait)

    def review_duration(self, gen: Generation) -> float:
        """Duration of ``gen``'s evaluation and safety review if it starts now."""
        h0 = self.history[0].horizon_hours
        effort = self.review_effort_hours * (gen.horizon_hours / h0) ** self.review_effort_elasticity
        staff_hours = self.model["labour"].hours("oversight")
        work = effort / staff_hours if staff_hours > 0 else math.inf
        return self.review_multiplier * max(self.min_review_duration, work)

    def _review_and_release(self, gen: Generation):
        env, model = self.env, self.model
        with self.oversight.request() as slot:
            yield slot
            gen.review_start = env.now
            gen.queue_wait = env.now - gen.training_end
            gen.review_duration = self.review_duration(gen)
            model.log("review_started", self.name, generation=gen.index, queue_wait_years=gen.queue_wait,
                      review_years=gen.review_duration)
            if math.isinf(gen.review_duration):
                return  # no oversight staff: the generation is never released
            yield env.timeout(gen.review_duration)
        gen.release = env.now
        if gen.index > self.deployed.index:
            with model.change():
                self.deployed = gen
                self._set_copy_cost()
                for fn in self.on_release:
                    fn(gen)
        model.log("generation_released", self.name, generation=gen.index,
                  training_compute=gen.training_compute, effective_compute=gen.effective_compute,
                  time_horizon_hours=gen.horizon_hours, judgment_gap=gen.judgment_gap)

    # ---- results -------------------------------------------------------------------------
    def outputs(self) -> dict[str, tuple]:
        gens = sorted(self.history, key=lambda g: g.index)
        y0 = self.model.start_year

        def col(attr):
            return np.array([getattr(g, attr) for g in gens], dtype=float)

        table = {
            "gen_training_start": (y0 + col("training_start"), "year", "decimal year training started"),
            "gen_training_end": (y0 + col("training_end"), "year", "decimal year training ended"),
            "gen_review_start": (y0 + col("review_start"), "year", "decimal year review started"),
            "gen_release": (y0 + col("release"), "year", "decimal year released"),
            "gen_queue_wait": (col("queue_wait"), "year", "wait for the oversight staff before review"),
            "gen_review_duration": (col("review_duration"), "year", "duration of evaluation and safety review"),
            "gen_training_compute": (col("training_compute"), "FLOP", "training compute"),
            "gen_effective_compute": (col("effective_compute"), "FLOP", "effective training compute"),
            "gen_time_horizon_hours": (col("horizon_hours"), "hour", "METR 50% time horizon"),
            "gen_ai_judgment": (col("ai_judgment"), "doubling", "AI judgment level (0 = top human)"),
            "gen_judgment_gap": (col("judgment_gap"), "doubling", "judgment gap at release"),
        }
        for key in sorted({k for g in gens for k in g.extra}):
            unit, long_name = self.extra_columns.get(key, ("1", key))
            table[f"gen_{key}"] = (np.array([g.extra.get(key, np.nan) for g in gens], dtype=float),
                                   unit, long_name)
        # The table's dimension is "gen": "generation" is the time series of the deployed index.
        data = {"gen": ("gen", np.array([g.index for g in gens], dtype=int))}
        data.update({name: ("gen", values, {"units": unit, "long_name": long_name})
                     for name, (values, unit, long_name) in table.items()})
        data["gen_released"] = ("gen", np.isfinite(col("release")), {
            "long_name": "released before the run ended"})
        released = sum(1 for g in gens if g.index > 0 and math.isfinite(g.release))
        data["n_generations"] = ((), released, {"long_name": "generations released during the run"})
        return data

    #: Units and descriptions of columns other components add through ``Generation.extra``.
    extra_columns: dict[str, tuple[str, str]] = {
        "stolen_from_generation": ("1", "index of the other actor's generation whose weights "
                                        "were stolen (NaN: trained here)")}
