"""One source of truth for defaults: the declarations (``Param``, the scenario schema).

``scenarios/baseline.yaml`` may set a parameter or setting only with a comment on that line
saying why: restating a default without one would leave the baseline on the old value when the
default changes, and an unexplained departure from a default hides a choice.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rsi_sim.components import REGISTRY
from rsi_sim.scenario import load_scenario
from rsi_sim.scenario.schema import Outputs, ScenarioSpec, Solver

BASELINE = Path(__file__).parents[2] / "scenarios" / "baseline.yaml"

#: Scenario settings with a declared default: key path -> (default, how the spec holds it).
SETTINGS = {
    ("start",): (ScenarioSpec.model_fields["start"].default, lambda spec: spec.start),
    ("seed",): (ScenarioSpec.model_fields["seed"].default, lambda spec: spec.seed),
    **{("outputs", k): (f.default, lambda spec, k=k: getattr(spec.outputs, k))
       for k, f in Outputs.model_fields.items()},
    **{("solver", k): (f.default, lambda spec, k=k: getattr(spec.solver, k))
       for k, f in Solver.model_fields.items()},
}


def _comment(line: str) -> str:
    """The YAML comment of a line ('' if none); ``#`` inside quotes is not one."""
    bare = re.sub(r"'[^']*'|\"[^\"]*\"", "", line)
    match = re.search(r"(?:^|\s)#(.*)$", bare)
    return match.group(1).strip() if match else ""


def unexplained_settings(path: Path) -> list[str]:
    """Parameters and settings a scenario file sets without a comment on their line, each as
    ``"key: restates the default"`` or ``"key: departs from the default"``."""
    scenario = load_scenario(path)
    lines = Path(path).read_text().splitlines()
    found = []

    def check(keys: tuple, same: bool) -> None:
        file, line = scenario.locations[keys]
        if Path(file) == Path(path) and not _comment(lines[line - 1]):
            what = "restates the default" if same else "departs from the default"
            found.append(f"{'.'.join(keys)} (line {line}): {what}")

    for component, values in (scenario.data.get("components") or {}).items():
        params = REGISTRY[component].params
        for name, value in (values or {}).items():
            param = params[name]
            given, default = param.check(value), param.check(param.default)
            check(("components", component, name), type(given) is type(default) and given == default)
    for keys, (default, read) in SETTINGS.items():
        section = scenario.data
        for k in keys[:-1]:
            section = section.get(k) or {}
        if keys[-1] in section:
            check(keys, read(scenario.spec) == default)
    return found


def test_baseline_sets_nothing_without_saying_why():
    assert unexplained_settings(BASELINE) == []


def test_baseline_runs_every_component_at_its_defaults():
    """The baseline keeps each of its components and overrides none of their parameters."""
    spec = load_scenario(BASELINE).spec
    assert list(spec.components) == ["compute", "labour", "software", "research", "capability",
                                     "generations", "judgment", "alignment"]
    assert all(values == {} for values in spec.components.values())


@pytest.mark.parametrize(("line", "found"), [
    ("    r: 1.2\n", ["components.software.r (line 6): restates the default"]),
    ("    r: 1.2     # Davidson & Houlden 2025 central, restated for readers\n", []),
    ("    r: 1.5\n", ["components.software.r (line 6): departs from the default"]),
    ("    r: 1.5     # a faster software feedback loop\n", []),
])
def test_restated_or_departing_values_need_a_comment(tmp_path, line, found):
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\nstart: 2026-01-01  # why\nhorizon: 5 y\n"
                    "components:\n  software:\n" + line)
    assert unexplained_settings(path) == found


def test_a_hash_inside_quotes_is_not_a_comment():
    assert _comment("  cadence: 'a # b'") == ""
    assert _comment("  cadence: 'a # b'   # why") == "why"


def test_scenario_settings_are_checked_too(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\nhorizon: 5 y\nseed: 0\noutputs:\n  step: 1 month\n"
                    "solver:\n  rtol: 1.0e-6   # ample\ncomponents:\n  software: {}\n")
    assert unexplained_settings(path) == ["seed (line 3): restates the default",
                                          "outputs.step (line 5): restates the default"]
