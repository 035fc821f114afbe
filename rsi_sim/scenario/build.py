"""From a validated scenario to a runnable model."""

from __future__ import annotations

from typing import Any

from ..core import Component, Model, SolverOptions, parse_condition
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
    model = Model(
        parts,
        start_year=start,
        horizon=spec.horizon_years(),
        seed=spec.seed if seed is None else seed,
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
                f"the condition {cond.text!r} uses unknown name(s) {', '.join(sorted(unknown))}; "
                f"available: {', '.join(sorted(known))}", *keys)
    return model
