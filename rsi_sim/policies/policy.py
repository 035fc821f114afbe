"""Policies at run time: one SimPy process per policy, all in one ``policies`` component.

Each policy process::

    wait for the trigger (a watch: fires at the interpolated crossing time)
    apply its actions inside model.change()         -> event policy_triggered
    wait for the release (a duration, a watch, or a safety evaluation by the oversight staff)
    undo its actions inside model.change()          -> event policy_released (with the reason)
    repeat: wait until the trigger is false again, then start over

Event flags usable in triggers: ``generation_released`` and ``training_started`` are true only
at the instant a generation is released or a training run starts. Every policy also sets the
flag ``policy.<name>`` while it is active, so policies can refer to each other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from ..core import Component
from ..core.conditions import Criterion, parse_condition
from .actions import LEVERS, LeverBoard
from .schema import PolicySpec

#: Flags true only at the instant of an event (see the module docstring).
EVENT_FLAGS = ("generation_released", "training_started")


@dataclass
class Policy:
    """A policy ready to run: its spec and its parsed conditions.

    >>> p = Policy.from_spec("pause", PolicySpec.model_validate(
    ...     {"trigger": "x >= 1", "action": "pause_training", "release": {"after": 1}}))
    >>> p.trigger.variables, sorted(p.components())
    (frozenset({'x'}), ['generations'])
    """

    name: str
    spec: PolicySpec
    trigger: Criterion
    release_when: Criterion | None = None

    @classmethod
    def from_spec(cls, name: str, spec: PolicySpec, date_to_t=None) -> Policy:
        when = spec.release.when
        return cls(name, spec, parse_condition(spec.trigger, date_to_t),
                   parse_condition(when, date_to_t) if when else None)

    def components(self) -> set[str]:
        """Components the policy acts on or needs (its actions' levers, its evaluation)."""
        needed = {LEVERS[a.kind].component for a in self.spec.actions}
        if self.spec.release.evaluation is not None:
            needed |= {"generations", "labour"}
        return needed


class Policies(Component):
    """All the scenario's policies, run as SimPy processes in the model's kernel."""

    name = "policies"

    def __init__(self, policies: list[Policy] | None = None):
        super().__init__()
        self.policies = {p.name: p for p in policies or []}
        self.active = dict.fromkeys(self.policies, False)
        #: (policy, start, end) model times of each spell a policy was active (end NaN: open).
        self.spells: list[list[Any]] = []

    @property
    def needs(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(sorted({c for p in self.policies.values() for c in p.components()}))

    # ---- state ---------------------------------------------------------------------------
    def build(self, model):
        super().build(model)
        self.board = LeverBoard(model)
        if "generations" in model:
            gens = model["generations"]
            for flag in EVENT_FLAGS:
                model.set_flag(flag, False)
            gens.on_release.append(lambda gen: self._event_flag("generation_released", False))
            used = {f for p in self.policies.values()
                    for c in (p.trigger, p.release_when) if c is not None for f in c.flags}
            if "training_started" in used:  # costs one integrator restart per run: only if used
                gens.on_training_start.append(lambda gen, s: self._event_flag("training_started", True))
        for name in self.policies:
            model.set_flag(f"policy.{name}", False)
            model.add_variable(f"policy_active.{name}",
                               lambda s, n=name: (1.0 if self.active[n] else 0.0) + 0.0 * s["t"],
                               unit="1", long_name=f"policy {name} active", owner=self.name,
                               bounds=(0.0, 1.0))

    def _event_flag(self, flag: str, wrap: bool) -> None:
        model = self.model
        if wrap:
            with model.change():
                model.set_flag(flag, True)
        else:  # already inside the change that releases the generation: watches see it on exit
            model.set_flag(flag, True)
        # Down again once the current process yields, after the watches have been checked.
        self.env.timeout(0).callbacks.append(lambda _e: model.set_flag(flag, False))

    # ---- processes -----------------------------------------------------------------------
    def start(self):
        for policy in self.policies.values():
            self.env.process(self._run(policy))

    def _run(self, policy: Policy):
        model, spec = self.model, policy.spec
        while True:
            yield model.watch(policy.trigger, label=f"policy {policy.name}")
            state = model.state()
            with model.change():
                for a in spec.actions:
                    self.board.engage(a.kind, policy.name, a.value)
                self._set_active(policy.name, True)
            model.log("policy_triggered", f"policies.{policy.name}", policy=policy.name,
                      trigger=policy.trigger.text,
                      actions=[{"kind": a.kind, "value": a.value} for a in spec.actions],
                      state={n: float(np.min(state[n])) for n in sorted(policy.trigger.variables)})
            reason = yield from self._release(policy)
            if reason is None:
                return  # never released
            with model.change():
                for a in spec.actions:
                    self.board.disengage(a.kind, policy.name)
                self._set_active(policy.name, False)
            model.log("policy_released", f"policies.{policy.name}", policy=policy.name, reason=reason)
            if not spec.repeat:
                return
            if policy.trigger.holds(model.state()):
                # Re-arm on the next rising edge: wait for the trigger to be false first.
                yield model.watch(lambda s, c=policy.trigger: -c.margin(s) - 1e-12 * (np.abs(c.margin(s)) + 1.0))

    def _set_active(self, name: str, on: bool) -> None:
        self.active[name] = on
        self.model.set_flag(f"policy.{name}", on)
        if on:
            self.spells.append([name, self.model.now, math.nan])
        else:
            for spell in reversed(self.spells):
                if spell[0] == name and math.isnan(spell[2]):
                    spell[2] = self.model.now
                    break

    def _release(self, policy: Policy):
        """Wait for the release; return its reason (``None``: never)."""
        rel = policy.spec.release
        if rel.after is not None:
            yield self.env.timeout(rel.after)
            return f"after {rel.after:.4g} years"
        if rel.when is not None:
            yield self.model.watch(policy.release_when, label=f"policy {policy.name} release")
            return f"condition holds: {policy.release_when.text}"
        if rel.evaluation is not None:
            passed = yield from self._evaluation(policy)
            return "safety evaluation passed" if passed else None
        return None

    def safety_evaluation_years(self, effort_hours: float, min_duration: float | None) -> float:
        """Duration of a safety evaluation of ``effort_hours`` oversight person-hours if it
        starts now: the whole oversight staff works on it (``effort / staff hours per year``)."""
        staff_hours = self.model["labour"].hours("oversight")
        years = effort_hours / staff_hours if staff_hours > 0 else math.inf
        return max(years, min_duration or 0.0)

    def _evaluation(self, policy: Policy):
        env, model = self.env, self.model
        ev = policy.spec.release.evaluation
        source = f"policies.{policy.name}"
        # The evaluation queues with the generations' safety reviews for the same staff.
        with model["generations"].oversight.request() as slot:
            yield slot
            years = self.safety_evaluation_years(ev.effort, ev.min_duration)
            model.log("safety_evaluation_started", source, policy=policy.name,
                      effort_hours=ev.effort, years=years)
            if math.isinf(years):
                return False  # no oversight staff: it never passes
            yield env.timeout(years)
        model.log("safety_evaluation_passed", source, policy=policy.name)
        return True

    # ---- results -------------------------------------------------------------------------
    def finish(self, ds: xr.Dataset) -> xr.Dataset:
        names = list(self.policies)
        keys = [f"policy_active.{n}" for n in names]
        end = self.model.now
        spans = {n: 0.0 for n in names}
        counts = dict.fromkeys(names, 0)
        for name, t0, t1 in self.spells:
            spans[name] += (end if math.isnan(t1) else t1) - t0
            counts[name] += 1
        paused = sum((end if math.isnan(t1) else t1) - t0 for t0, t1 in self.board.pauses)
        data: dict[str, Any] = {}
        if names:
            grid = np.stack([ds[k].values for k in keys], axis=1) if keys else np.zeros((ds.sizes["time"], 0))
            ds = ds.drop_vars(keys)
            ds = ds.assign_coords(policy=("policy", np.array(names, dtype=str)))
            data["policy_active"] = xr.Variable(("time", "policy"), grid, {
                "units": "1", "long_name": "1 while the policy is active (NaN after an early stop)"})
        else:
            ds = ds.assign_coords(policy=("policy", np.array([], dtype=str)))
            data["policy_active"] = xr.Variable(("time", "policy"), np.zeros((ds.sizes["time"], 0)), {
                "units": "1", "long_name": "1 while the policy is active"})
        data["policy_active_years"] = xr.Variable("policy", np.array([spans[n] for n in names], dtype=float), {
            "units": "year", "long_name": "years the policy was active"})
        data["policy_triggers"] = xr.Variable("policy", np.array([counts[n] for n in names], dtype=int), {
            "long_name": "times the policy was triggered"})
        data["time_paused"] = xr.Variable((), paused, {
            "units": "year", "long_name": "years new training runs were paused by policy"})
        ds.update(data)
        return ds
