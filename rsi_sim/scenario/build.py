"""From a validated scenario to a runnable model."""

from __future__ import annotations

from typing import Any

from ..core import Component, Model, SolverOptions, parse_condition
from ..core.errors import did_you_mean
from ..core.random import resolve_seed
from ..core.time import to_decimal_year
from .load import Scenario


def build_model(scenario: Scenario, seed: Any = None, components: dict[str, Any] | None = None) -> Model:
    """Instantiate the scenario's components, milestones and stop condition as a built Model."""
    from ..components import REGISTRY
    from ..components.milestones import Milestones

    spec = scenario.spec
    start = to_decimal_year(spec.start)

    def date_to_t(d):
        return to_decimal_year(d) - start

    replacements = dict(components or {})
    parts: list[Component] = []
    for name, values in spec.components.items():
        repl = replacements.pop(name, None)
        if isinstance(repl, Component):
            parts.append(repl)
        else:
            parts.append((repl or REGISTRY[name])(**values))
    for repl in replacements.values():  # components added from Python, not in the file
        parts.append(repl if isinstance(repl, Component) else repl())
    conditions = {n: parse_condition(m.when, date_to_t) for n, m in spec.milestones.items()}
    parts.append(Milestones(conditions, {n: m.description for n, m in spec.milestones.items()}))
    stop = parse_condition(spec.stop, date_to_t) if spec.stop else None
    if spec.policies:
        parts.append(_policies(scenario, date_to_t, {p.name for p in parts}))
    model = Model(
        parts,
        start_year=start,
        horizon=spec.horizon_years(),
        seed=resolve_seed(seed, spec),
        output_step=spec.outputs.step,
        solver=SolverOptions(**spec.solver.model_dump()),
        stop_when=stop,
        attrs={"scenario_name": spec.name, "scenario": scenario.to_yaml(),
               "start_date": spec.start.isoformat()},
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
    if spec.policies:
        _check_policy_conditions(scenario, model)
    return model


def _suggest(unknown: set[str], known: set[str]) -> str:
    """``x (did you mean 'y'?), z``: each unknown name with its close matches."""
    return ", ".join(f"{n}{did_you_mean(n, sorted(known))}" for n in sorted(unknown))


def _policies(scenario: Scenario, date_to_t, present: set[str]) -> Component:
    """The ``policies`` component; an action on a component the scenario lacks is an error."""
    from ..policies import LEVERS, Policies, Policy

    policies = []
    for name, ps in scenario.spec.policies.items():
        if not name.replace("_", "").isalnum():
            raise scenario.error("policy names are letters, digits and _", "policies", name)
        policy = Policy.from_spec(name, ps, date_to_t)
        for a in ps.actions:
            comp = LEVERS[a.kind].component
            if comp not in present:
                raise scenario.error(
                    f"the action {a.kind} acts on the {comp} component, which this scenario does "
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
    from ..core.conditions import can_hold

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
