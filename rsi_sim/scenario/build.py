"""From a validated scenario to a runnable model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from ..components import INTERACTIONS, REGISTRY
from ..components.milestones import Milestones
from ..components.rivals import LeadBoard, Rivals, catch_up_years, lead_years
from ..core import Component, Model, SolverOptions, parse_condition
from ..core.conditions import can_hold, pair_calls
from ..core.errors import did_you_mean
from ..core.race import Race
from ..core.random import interaction_stream, resolve_seed
from ..core.time import to_decimal_year
from ..policies import LEVERS, Policies, Policy

if TYPE_CHECKING:  # load.py's Scenario.build_model calls build_model: annotations only here
    from .load import Scenario


def build_model(scenario: Scenario, seed: Any = None,
                components: dict[str, Any] | None = None) -> Model | Race:
    """Instantiate the scenario's components, milestones and stop condition as a built Model;
    a scenario with ``actors:`` gives a :class:`~rsi_sim.core.race.Race` of one Model per
    actor (docs/actors.md)."""
    if scenario.spec.actors:
        return build_race(scenario, seed, components)
    return _build_one(scenario, seed, components, scenario.spec.components,
                      dict(scenario.spec.policies))


def build_race(scenario: Scenario, seed: Any = None,
               components: dict[str, Any] | None = None) -> Race:
    """One model per actor, each with its own components (the base ``components:`` with the
    actor's overrides), the milestones, the stop condition, and the policies that bind it.

    Every actor's model gets the scenario's seed, so an actor that no interaction touches runs
    exactly as its one-actor scenario would.
    """
    spec = scenario.spec
    if any(isinstance(c, Component) for c in (components or {}).values()):
        raise scenario.error("a scenario with actors: builds one component per actor; give "
                             "replacement component classes, not instances", "actors")
    actors = list(spec.actors)
    lead_keys = {a: set() for a in actors}
    for name, policy in spec.policies.items():
        texts = [policy.trigger, policy.release.when or ""]
        if any(pair_calls(t) for t in texts):
            for a in _bound_actors(policy, actors):
                lead_keys[a].add(name)
    milestone_leads = any(pair_calls(m.when) for m in spec.milestones.values()) or \
        bool(spec.stop and pair_calls(spec.stop))
    watched = set(actors) if milestone_leads else {a for a, k in lead_keys.items() if k}
    board = LeadBoard(actors, spec.race.lead_on, watched, spec.race.lead_window)
    models = {}
    for actor in actors:
        policies = {n: p for n, p in spec.policies.items() if actor in _bound_actors(p, actors)}
        extra = [Rivals(board)] if len(actors) > 1 else []
        models[actor] = _build_one(scenario, seed, components, spec.actor_components(actor),
                                   policies, actor=actor, extra=extra)
        if len(actors) > 1 and spec.race.lead_on not in models[actor].names():
            raise scenario.error(f"race.lead_on names {spec.race.lead_on!r}, which actor {actor} "
                                 f"does not have{did_you_mean(spec.race.lead_on, sorted(models[actor].names()))}",
                                 "race", "lead_on")
    interactions = _interactions(scenario, models)
    hooks = [i.sync for i in interactions] + ([board.sync] if watched else [])
    finish = [_add_leads(spec.race.lead_on, spec.race.lead_window), _first_to_reach] \
        if len(actors) > 1 else []
    race = Race(models, sync_step=spec.race.sync_step, on_sync=hooks,
                on_finish=finish + [i.finish for i in interactions],
                attrs={"scenario_name": spec.name, "scenario": scenario.to_yaml(),
                       "start_date": spec.start.isoformat(), "actors": ", ".join(actors)})
    base = resolve_seed(seed, spec)
    for i, interaction in enumerate(interactions):
        interaction.connect(race, np.random.default_rng(interaction_stream(base, i)))
    return race


def _interactions(scenario: Scenario, models: dict[str, Model]) -> list:
    """The scenario's interactions, each checked against the components the actors have."""
    out = []
    for name, values in scenario.spec.interactions.items():
        interaction = INTERACTIONS[name](**values)
        # the actors it names (its text parameters), else all of them
        named = [values[k] for k, p in interaction.params.items()
                 if p.kind is str and not p.choices and k in values] or list(models)
        for actor in named:
            missing = [c for c in interaction.needs if c not in models[actor]]
            if missing:
                raise scenario.error(f"{name} needs the {', '.join(missing)} component(s), which "
                                     f"actor {actor} does not have", "interactions", name)
        out.append(interaction)
    return out


def _bound_actors(policy: Any, actors: list[str]) -> list[str]:
    """The actors a policy binds: its ``actor:``, every actor (``actors: all``), or the only one."""
    if policy.actors == "all":
        return list(actors)
    if policy.actor is not None:
        return [policy.actor]
    return list(actors) if len(actors) == 1 else []


def _first_to_reach(race: Race, ds: xr.Dataset) -> xr.Dataset:
    """``milestone_first`` over ``milestone``: the actor that reaches it first ("" if none; the
    first listed of those tied)."""
    if "milestone_year" not in ds or not ds.sizes.get("milestone", 0):
        return ds
    years = ds["milestone_year"].transpose("milestone", "actor").values
    actors = np.array([str(a) for a in ds["actor"].values])
    reached = np.isfinite(years).any(axis=1)
    first = np.where(reached, actors[np.argmin(np.where(np.isfinite(years), years, np.inf), axis=1)], "")
    ds["milestone_first"] = xr.Variable("milestone", first.astype(str), {
        "long_name": "the actor that reaches the milestone first (empty: none does)"})
    return ds


def _add_leads(lead_on: str, window: float):
    """``lead_years`` over (actor, rival, time) from the recorded ``lead_on`` of each actor."""
    def finish(race: Race, ds: xr.Dataset) -> xr.Dataset:
        if lead_on not in ds:
            return ds
        actors = [str(a) for a in ds["actor"].values]
        times = ds["time"].values - ds["time"].values[0]
        with np.errstate(divide="ignore", invalid="ignore"):
            logs = {a: np.log(ds[lead_on].sel(actor=a).values) for a in actors}
        out = np.full((len(actors), len(actors), len(times)), np.nan)
        after = out.copy()
        for i, a in enumerate(actors):
            for j, b in enumerate(actors):
                if a != b:
                    out[i, j] = lead_years(times, logs[a], logs[b], window)
                    after[i, j] = catch_up_years(times, logs[a], logs[b])
        ds = ds.assign_coords(rival=("rival", np.array(actors, dtype=str)))
        ds["lead_years"] = xr.Variable(("actor", "rival", "time"), out, {
            "units": "year", "long_name": f"years the actor is ahead of the rival on {lead_on} "
                                          "(years the one behind needs at its recent pace to catch up)"})
        ds["catch_up_years"] = xr.Variable(("actor", "rival", "time"), after, {
            "units": "year", "long_name": f"years the one behind took, in this run, to reach the "
                                          f"other's {lead_on} of that time (negative: the actor "
                                          "is behind; NaN: not within the run)"})
        return ds

    return finish


def _build_one(scenario: Scenario, seed: Any, components: dict[str, Any] | None,
               component_values: dict[str, dict[str, Any]], policy_specs: dict[str, Any], *,
               actor: str | None = None, extra: list[Component] | None = None) -> Model:
    """One model: these components and policies with the scenario's milestones and stop."""
    spec = scenario.spec
    start = to_decimal_year(spec.start)

    def date_to_t(d):
        return to_decimal_year(d) - start

    replacements = dict(components or {})
    parts: list[Component] = []
    for name, values in component_values.items():
        repl = replacements.pop(name, None)
        if isinstance(repl, Component):
            parts.append(repl)
        else:
            parts.append((repl or REGISTRY[name])(**values))
    for repl in replacements.values():  # components added from Python, not in the file
        parts.append(repl if isinstance(repl, Component) else repl())
    parts.extend(extra or [])
    conditions = {n: parse_condition(m.when, date_to_t) for n, m in spec.milestones.items()}
    parts.append(Milestones(conditions, {n: m.description for n, m in spec.milestones.items()}))
    stop = parse_condition(spec.stop, date_to_t) if spec.stop else None
    if policy_specs:
        parts.append(_policies(scenario, policy_specs, date_to_t, {p.name for p in parts}, actor))
    model = Model(
        parts,
        start_year=start,
        horizon=spec.horizon_years(),
        seed=resolve_seed(seed, spec),
        output_step=spec.outputs.step,
        solver=SolverOptions(**spec.solver.model_dump()),
        stop_when=stop,
        attrs={"scenario_name": spec.name, "scenario": scenario.to_yaml(),
               "start_date": spec.start.isoformat(), **({"actor": actor} if actor else {})},
    )
    model.build()
    known = model.names()
    checks = [(("milestones", n), c) for n, c in conditions.items()]
    if stop is not None:
        checks.append((("stop",), stop))
    for keys, cond in checks:
        unknown = (cond.variables | cond.flags) - known
        if unknown:
            raise scenario.error(
                f"the condition {cond.text!r} uses unknown name(s) {_suggest(unknown, known)}; "
                f"available: {', '.join(sorted(known))} ('rsi-sim describe' lists what each "
                "means)", *keys)
    if policy_specs:
        _check_policy_conditions(scenario, model)
    return model


def _suggest(unknown: set[str], known: set[str]) -> str:
    """``x (did you mean 'y'?), z``: each unknown name with its close matches."""
    return ", ".join(f"{n}{did_you_mean(n, sorted(known))}" for n in sorted(unknown))


def _policies(scenario: Scenario, policy_specs: dict[str, Any], date_to_t, present: set[str],
              actor: str | None = None) -> Component:
    """The ``policies`` component; an action on a component the scenario (or the actor it
    binds) lacks is an error."""
    whose = f"actor {actor}" if actor else "this scenario"
    policies = []
    for name, ps in policy_specs.items():
        if not name.replace("_", "").isalnum():
            raise scenario.error("policy names are letters, digits and _", "policies", name)
        policy = Policy.from_spec(name, ps, date_to_t)
        for a in ps.actions:
            comp = LEVERS[a.kind].component
            if comp not in present:
                raise scenario.error(
                    f"the action {a.kind} acts on the {comp} component, which {whose} does "
                    f"not have (dropped with '{comp}: off' or never listed under components:)",
                    "policies", name, "action")
        missing = sorted(policy.components() - present)
        if missing:
            raise scenario.error(
                f"a safety evaluation needs the oversight staff of the component(s) "
                f"{', '.join(missing)}, which this scenario does not have", "policies", name,
                "release", "evaluation")
        policies.append(policy)
    return Policies(policies)


def _release_key(scenario: Scenario, name: str) -> tuple[str, ...]:
    # YAML 1.1 reads a bare `on:` key as true; the location is stored under the key as read.
    for key in ("when", "True", "on"):
        if ("policies", name, "release", key) in scenario.locations:
            return ("policies", name, "release", key)
    return ("policies", name, "release")


def _check_policy_conditions(scenario: Scenario, model: Model) -> None:
    """Names in triggers and releases exist; each condition can hold within the run."""
    policies = model["policies"].policies
    known = model.names()
    bounds = {**model.bounds(), "t": (0.0, model.horizon)}
    for name, policy in policies.items():
        checks = [(("policies", name, "trigger"), policy.trigger, "trigger", "can never fire")]
        if policy.release_when is not None:
            checks.append((_release_key(scenario, name), policy.release_when, "release",
                           "can never happen, so the policy would never lift (write release: "
                           "never if that is meant)"))
        for keys, cond, what, never in checks:
            unknown = (cond.variables | cond.flags) - known
            if unknown:
                raise scenario.error(
                    f"the {what} condition {cond.text!r} uses unknown name(s) "
                    f"{_suggest(unknown, known)}; available: {', '.join(sorted(known))}", *keys)
            if not can_hold(cond, bounds):
                ranges = "; ".join(f"{v} lies in [{bounds[v][0]:g}, {bounds[v][1]:g}]"
                                   for v in sorted(cond.variables) if v in bounds
                                   and bounds[v] != (-float("inf"), float("inf")))
                raise scenario.error(
                    f"the {what} condition {cond.text!r} {never}: it contradicts itself or the "
                    f"range of its variables" + (f" ({ranges})" if ranges else "")
                    + ("; dates must fall before the horizon" if "t" in {c[0] for cl in cond.clauses or () for c in cl} else ""),
                    *keys)
