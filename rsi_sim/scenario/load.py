"""Loading scenarios: read, follow `extends`, apply `--set` overrides, validate, build."""

from __future__ import annotations

import copy
import typing
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ValidationError

from ..components import INTERACTIONS
from ..core.conditions import pair_calls
from ..core.distributions import DistributionError, parse_uncertainty
from ..core.errors import ParameterError, ScenarioError, SimulationError, did_you_mean
from ..core.kernel import SolverOptions, check_step_budget
from ..core.params import short_repr
from ..core.recorder import check_output_grid
from ..core.time import to_decimal_year
from ..plugins import (
    HOW_TO_REGISTER,
    PluginError,
    component_class,
    known_components,
    load_plugins,
)
from .build import build_model
from .schema import MAX_HORIZON_YEARS, MIN_HORIZON_YEARS, ScenarioSpec
from .shipped import is_shipped, resolve_scenario, shipped_names, shipped_path
from .yamlio import Locations, dump_yaml, parse_value, parse_yaml, read_yaml

MAX_EXTENDS = 10


@dataclass
class Scenario:
    """A validated scenario: the resolved data, where each key came from, and the typed spec.

    Build a model with `build_model`; the resolved file is `to_yaml`.
    """

    data: dict[str, Any]
    spec: ScenarioSpec
    path: str = "<scenario>"
    locations: Locations = field(default_factory=dict, repr=False)
    chain: tuple[str, ...] = ()
    _yaml: str | None = field(default=None, repr=False, compare=False)

    @property
    def name(self) -> str:
        return self.spec.name

    def to_yaml(self) -> str:
        """The fully resolved scenario (after `extends` and overrides) as YAML text."""
        # A scenario is not changed after validation (overrides make a new one), so the text is
        # computed once: every run records it in its attrs.
        if self._yaml is None:
            self._yaml = dump_yaml(_plain(self.data))
        return self._yaml

    def where(self, *keys: Any) -> tuple[str | None, int | None]:
        """(file, line) where a key path was set, as far as known."""
        path = tuple(keys)
        while path:
            if path in self.locations:
                return self.locations[path]
            path = path[:-1]
        return self.path, None

    def error(self, message: str, *keys: Any) -> ScenarioError:
        file, line = self.where(*keys)
        return ScenarioError(message, file=file, line=line, key=".".join(map(str, keys)) or None)

    def component_values(self) -> dict[str, dict[str, Any]]:
        return {k: dict(v) for k, v in self.spec.components.items()}

    def with_overrides(self, overrides: dict[str, Any] | list[str]) -> Scenario:
        """A copy with dotted-path overrides applied and validated again."""
        data, locs = copy.deepcopy(self.data), dict(self.locations)
        apply_overrides(data, locs, overrides)
        return validate_scenario(data, locs, self.path, self.chain)

    def build_model(self, seed: int | np.random.SeedSequence | None = None, components=None):
        """The `Model` this scenario describes.

        `components` may map component names to replacement classes or instances (a notebook
        user's own subclass); `seed` defaults to the scenario's `seed`.
        """
        return build_model(self, seed=seed, components=components)


def load_scenario(path: str | Path, overrides: dict[str, Any] | list[str] | None = None, *,
                  plugins: Sequence[str] | None = None) -> Scenario:
    """Load and validate a scenario file.

    Parameters
    ----------
    path
        the YAML file, or the name of a shipped scenario (`"baseline"`,
        `"reference/jones"`) when there is no such file.
    overrides
        dotted-path overrides, as `{"components.jones.phi": 0.7}` or the command
        line's `["components.jones.phi=0.7"]`.
    plugins
        modules (or `.py` files) defining your own components, imported first
        (`rsi_sim.plugins`).

    Examples
    --------
    >>> s = load_scenario("scenarios/reference/jones.yaml", {"components.jones.phi": 0.2})
    >>> s.spec.components["jones"]["phi"]
    0.2
    """
    load_plugins(plugins)
    path = resolve_scenario(path)
    data, locs, chain = _read_with_extends(path, (), _extends_roots(path))
    if overrides:
        apply_overrides(data, locs, overrides)
    return validate_scenario(data, locs, str(path), chain)


def _extends_roots(path: Path) -> tuple[Path, ...]:
    """Directories an `extends` may reach from the scenario at `path`: its own directory
    tree and its parent's (`scenarios/reference/x.yaml` may extend `../baseline.yaml`),
    but never the whole file system."""
    here = path.resolve().parent
    return (here,) if here.parent == here.parent.parent else (here.parent,)


def _read_with_extends(path: Path, chain: tuple[str, ...],
                       roots: tuple[Path, ...]) -> tuple[dict, Locations, tuple[str, ...]]:
    data, locs = read_yaml(path)
    key = str(path.resolve())
    if key in chain:
        loop = " -> ".join([*chain, key])
        raise ScenarioError(f"extends forms a loop: {loop}", file=str(path), key="extends")
    chain = (*chain, key)
    parent = data.pop("extends", None)
    if parent is None:
        return data, locs, chain
    file, line = locs.get(("extends",), (str(path), None))
    if not isinstance(parent, str) or not parent.strip():
        raise ScenarioError(f"extends must be the path of another scenario file, got {short_repr(parent)}",
                            file=file, line=line, key="extends")
    if len(chain) > MAX_EXTENDS:
        raise ScenarioError(f"more than {MAX_EXTENDS} levels of extends", file=file, line=line, key="extends")
    shown = short_repr(parent)
    try:  # symlinks followed: the rules apply to the real file
        target = (path.parent / parent).resolve()
        target.is_file()
    except (OSError, RuntimeError, ValueError) as exc:  # NUL bytes, symlink loops, long names
        # The reason without the path (an OSError repeats it in full, however long it is).
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ScenarioError(f"extends names {shown}, which is not a usable path ({reason[:200]})",
                            file=file, line=line, key="extends") from None
    shipped = None if target.is_file() else shipped_path(parent)
    if shipped is not None:  # `extends: baseline` from any folder: shipped files are allowed
        target = shipped.resolve()
    if target.suffix not in (".yaml", ".yml"):
        raise ScenarioError(f"extends must name a .yaml file or a shipped scenario "
                            f"({', '.join(shipped_names())}), got {shown}", file=file, line=line,
                            key="extends")
    if not (any(target.is_relative_to(root) for root in roots) or is_shipped(target)):
        raise ScenarioError(f"extends names {shown}, which is outside {', '.join(map(str, roots))} "
                            "(a scenario may extend files in its own directory, its parent "
                            "directory and their subdirectories, and the shipped scenarios by "
                            "name, e.g. extends: baseline)", file=file, line=line, key="extends")
    if not target.is_file():
        raise ScenarioError(f"extends names {shown}, but there is no such file "
                            f"(looked for {short_repr(str(target), 300)}), nor a shipped "
                            f"scenario of that name{did_you_mean(Path(parent).stem, shipped_names())}",
                            file=file, line=line, key="extends")
    base, base_locs, chain = _read_with_extends(target, chain, roots)
    locs.pop(("extends",), None)
    merged = _merge(base, data)
    if "description" not in data and "description" in base:
        # A description speaks of its own file ("No policies." in the baseline): a variant
        # that does not write its own says what it is based on instead.
        merged["description"] = f"Based on {parent.strip()} ({base.get('name', '')})."
        base_locs = {k: v for k, v in base_locs.items() if k[:1] != ("description",)}
    return merged, {**base_locs, **locs}, chain


def _merge(base: dict, child: dict) -> dict:
    """Key-by-key merge: mappings merge recursively; anything else in `child` replaces."""
    out = dict(base)
    for k, v in child.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


def parse_override(item: str) -> tuple[str, Any]:
    """`"KEY=VALUE"` (a `--set` argument) as `(key, value)`, the value read as YAML."""
    if "=" not in item:
        raise ScenarioError(f"--set expects KEY=VALUE (e.g. components.software.r=1.5), got {item!r}",
                            file="--set")
    key, text = item.split("=", 1)
    value = parse_value(text, "--set") if text.strip() else None
    return key.strip(), value


def apply_overrides(data: dict, locs: Locations, overrides: dict[str, Any] | list[str]) -> None:
    """Set dotted-path overrides in the raw scenario mapping `data`, in place."""
    items = [parse_override(o) for o in overrides] if isinstance(overrides, list | tuple) else overrides.items()
    for key, value in items:
        parts = [p for p in key.split(".")]
        if not key or any(not p for p in parts):
            raise ScenarioError(f"--set key {key!r} is not a dotted path like components.software.r",
                                file="--set")
        node = data
        for i, part in enumerate(parts[:-1]):
            child = node.get(part) if isinstance(node, dict) else None
            if child is None:
                child = {}
                node[part] = child
            if not isinstance(child, dict):
                raise ScenarioError(f"cannot set {key!r}: {'.'.join(parts[: i + 1])} is a value, not a section",
                                    file="--set", key=key)
            node = child
        node[parts[-1]] = value
        locs[tuple(parts)] = ("--set", None)


def validate_scenario(data: dict, locs: Locations, path: str, chain: tuple[str, ...]) -> Scenario:
    """The `Scenario` of a merged raw mapping, or a `ScenarioError` located in the file
    (`locs`: where each key was written; `chain`: the `extends` files)."""
    try:
        spec = ScenarioSpec.model_validate(data)
    except ValidationError as exc:
        raise _first_error(exc, data, locs, path) from None
    scenario = Scenario(data=data, spec=spec, path=path, locations=locs, chain=chain)
    _check_time(scenario)
    _check_components(scenario)
    _check_actors(scenario)
    _check_interactions(scenario)
    _check_milestones(scenario)
    _check_uncertainty(scenario)
    return scenario


def _first_error(exc: ValidationError, data: dict, locs: Locations, path: str) -> ScenarioError:
    errors = exc.errors()
    # A misspelt key (`acton:`) also makes the key it stands for missing: name the unknown key
    # found, which is the mistake, rather than only the missing one.
    err = errors[0]
    if err["type"] == "missing":
        err = next((e for e in errors if e["type"] == "extra_forbidden"), err)
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    # pydantic appends union member names to the location; keep the real key path.
    real = []
    node: Any = data
    for p in loc:
        if isinstance(node, dict) and p in node:
            real.append(p)
            node = node[p]
        elif isinstance(node, list) and isinstance(p, int) and p < len(node):
            real.append(p)
            node = node[p]
        elif err["type"] == "extra_forbidden" or err["type"] == "missing":
            real.append(p)
            break
    key = ".".join(map(str, real))
    file, line = locs.get(tuple(real), (None, None))
    if file is None:
        parent = tuple(real[:-1])
        file, line = locs.get(parent, (path, None))
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        allowed = _allowed_keys(real[:-1])
        given = str(real[-1]) if real else ""
        missing = [str(e["loc"][-1]) for e in errors if e["type"] == "missing"
                   and tuple(e["loc"][:-1]) == tuple(err["loc"][:-1])]
        msg = (f"unknown key {short_repr(given)}{did_you_mean(given, allowed)}"
               + (f"; expected one of: {', '.join(allowed)}" if allowed else "")
               + (f" (the required key {', '.join(map(repr, missing))} is missing)"
                  if missing else ""))
    elif err["type"] == "missing":
        msg = "this required key is missing"
        if len(real) == 1:
            line = None
    else:
        msg = f"{msg}; got {short_repr(err.get('input'))}"
    return ScenarioError(msg, file=file, line=line, key=key)


def _model_in(ann: Any) -> Any:
    """The pydantic model an annotation holds (through Annotated, Optional and unions)."""
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for arg in typing.get_args(ann):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _allowed_keys(parent: list) -> list[str]:
    """The keys a mapping at `parent` may hold, as written in files (aliases included)."""
    model: Any = ScenarioSpec
    expect_key = False  # inside dict[str, Model]: the next path part is a free name
    for p in parent:
        if expect_key:
            expect_key = False
            continue
        info = model.model_fields.get(p)
        if info is None:
            return []
        ann = info.annotation
        if typing.get_origin(ann) is dict:
            model = _model_in(typing.get_args(ann)[1])
            expect_key = True
        else:
            model = _model_in(ann)
        if model is None:
            return []
    if expect_key:
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


def _check_time(scenario: Scenario) -> None:
    """The horizon ends after the start, and the run's grid and step budget are affordable."""
    spec = scenario.spec
    years = spec.horizon_years()
    if not years >= MIN_HORIZON_YEARS:
        raise scenario.error(f"the horizon must end at least a day after the start date "
                             f"{spec.start}", "horizon")
    if years > MAX_HORIZON_YEARS:
        raise scenario.error(f"the horizon is {years:.6g} years after the start date; at most "
                             f"{MAX_HORIZON_YEARS:g} are allowed", "horizon")
    step_key = ("outputs", "step") if ("outputs", "step") in scenario.locations else ("horizon",)
    try:
        check_output_grid(years, spec.outputs.step)
    except SimulationError as exc:
        raise scenario.error(str(exc), *step_key) from None
    try:
        check_step_budget(years, SolverOptions(**spec.solver.model_dump()))
    except SimulationError as exc:
        raise scenario.error(str(exc), "solver", "max_step") from None


def _check_components(scenario: Scenario) -> None:
    _check_component_values(scenario, scenario.spec.components, ("components",))


def _check_component_values(scenario: Scenario, components: dict[str, Any],
                            prefix: tuple[str, ...]) -> None:
    """Each component is known and each of its parameters valid; errors are located at
    ``prefix + (component, parameter)``."""
    for name, values in components.items():
        try:
            cls = component_class(name)
        except PluginError as exc:  # an installed entry point that fails to import
            raise scenario.error(str(exc), *prefix, name) from None
        if cls is None:
            known = known_components()
            raise scenario.error(
                f"unknown component {short_repr(name)}{did_you_mean(name, known)}; known "
                f"components: {', '.join(known)}. {HOW_TO_REGISTER}", *prefix, name)
        if values is False:  # `off`: dropped for this actor
            continue
        if not isinstance(values, dict):
            raise scenario.error("expected a mapping of parameter names to values", *prefix, name)
        for key, value in values.items():
            param = cls.params.get(key)
            if param is None:
                raise scenario.error(f"unknown parameter of {name}{did_you_mean(key, cls.params)}; "
                                     f"its parameters are: {', '.join(cls.params) or 'none'}",
                                     *prefix, name, key)
            try:
                param.check(value, owner=name)
            except ParameterError as exc:
                raise scenario.error(str(exc), *prefix, name, key) from None


def _check_actors(scenario: Scenario) -> None:
    """Actor names, their component overrides, which actor each policy binds, and the actors
    named in ``lead_years(a, b)`` (docs/actors.md)."""
    spec = scenario.spec
    actors = list(spec.actors)
    for name, actor in spec.actors.items():
        if not name.replace("_", "").isalnum() or not name[0].isalpha():
            raise scenario.error("actor names start with a letter and are letters, digits and _",
                                 "actors", name)
        _check_component_values(scenario, actor.components, ("actors", name, "components"))
    for name, policy in spec.policies.items():
        if policy.actor is not None and not actors:
            raise scenario.error("this scenario has no actors:, so a policy names no actor "
                                 "(it binds the one developer)", "policies", name, "actor")
        if policy.actors is not None and not actors:
            raise scenario.error("this scenario has no actors:, so actors: all is not needed "
                                 "(the policy binds the one developer)", "policies", name, "actors")
        if policy.actor is not None and policy.actor not in spec.actors:
            raise scenario.error(
                f"unknown actor {short_repr(policy.actor)}{did_you_mean(policy.actor, actors)}; "
                f"the actors are: {', '.join(actors)}", "policies", name, "actor")
        if len(actors) > 1 and policy.actor is None and policy.actors is None:
            raise scenario.error(
                f"with several actors a policy names the one it binds (actor: {actors[0]}) or "
                "binds them all (actors: all)", "policies", name)
    conditions = [(("milestones", n), m.when) for n, m in spec.milestones.items()]
    conditions += [(("stop",), spec.stop)] if spec.stop else []
    for name, policy in spec.policies.items():
        conditions.append((("policies", name, "trigger"), policy.trigger))
        if policy.release.when:
            conditions.append((("policies", name, "release"), policy.release.when))
    for keys, text in conditions:
        for fn, a, b in pair_calls(text):
            if fn != "lead_years":
                raise scenario.error(f"unknown function {fn!r} in the condition {text!r}; the "
                                     "one function of two actors is lead_years(a, b)", *keys)
            if not actors:
                raise scenario.error(f"the condition {text!r} uses lead_years, which needs "
                                     "several actors (actors:)", *keys)
            for who in (a, b):
                if who not in spec.actors:
                    raise scenario.error(
                        f"lead_years names the unknown actor {who!r}{did_you_mean(who, actors)}; "
                        f"the actors are: {', '.join(actors)}", *keys)
            if a == b:
                raise scenario.error(f"lead_years({a}, {b}) is a lead of an actor over itself; "
                                     "name two different actors", *keys)


def _check_interactions(scenario: Scenario) -> None:
    """Each interaction is known, its parameters valid, and the actors it names exist."""
    spec = scenario.spec
    actors = list(spec.actors)
    for name, values in spec.interactions.items():
        cls = INTERACTIONS.get(name)
        if cls is None:
            raise scenario.error(f"unknown interaction {short_repr(name)}"
                                 f"{did_you_mean(name, list(INTERACTIONS))}; known interactions: "
                                 f"{', '.join(INTERACTIONS)}", "interactions", name)
        if len(actors) < 2:
            raise scenario.error("an interaction acts between actors: declare two or more under "
                                 "actors:", "interactions", name)
        if not isinstance(values, dict):
            raise scenario.error("expected a mapping of parameter names to values", "interactions", name)
        for key, value in values.items():
            param = cls.params.get(key)
            if param is None:
                raise scenario.error(f"unknown parameter of {name}{did_you_mean(key, cls.params)}; "
                                     f"its parameters are: {', '.join(cls.params)}",
                                     "interactions", name, key)
            try:
                param.check(value, owner=name)
            except ParameterError as exc:
                raise scenario.error(str(exc), "interactions", name, key) from None
        for key, param in cls.params.items():
            if param.kind is str and not param.choices:  # an actor's name
                who = values.get(key)
                if who is None:
                    raise scenario.error(f"{name} needs {key}: (one of the actors: "
                                         f"{', '.join(actors)})", "interactions", name)
                if who not in spec.actors:
                    raise scenario.error(f"unknown actor {short_repr(who)}{did_you_mean(who, actors)}; "
                                         f"the actors are: {', '.join(actors)}",
                                         "interactions", name, key)
        if name == "weight_theft" and values.get("thief") == values.get("victim"):
            raise scenario.error("the thief and the victim are the same actor; name two",
                                 "interactions", name, "victim")


def _check_milestones(scenario: Scenario) -> None:
    # Names are checked against the built model (variables exist only once components build).
    for name in scenario.spec.milestones:
        if not name.replace("_", "").isalnum():
            raise scenario.error("milestone names are letters, digits and _", "milestones", name)


def _check_uncertainty(scenario: Scenario) -> None:
    if not scenario.spec.uncertainty:
        return
    try:
        parse_uncertainty(scenario.spec.uncertainty, uncertainty_components(scenario))
    except DistributionError as exc:
        raise scenario.error(exc.message, "uncertainty", *exc.keys) from None


def uncertainty_components(scenario: Scenario) -> dict[str, type]:
    """Component classes of the scenario, by name (what `uncertainty:` paths may name); with
    actors also each actor's, by ``actors.<actor>.components.<component>``, and the
    interactions', by ``interactions.<interaction>``."""
    out = {name: component_class(name) for name in scenario.spec.components}
    for actor in scenario.spec.actors:
        for name in scenario.spec.actor_components(actor):
            out[f"actors.{actor}.components.{name}"] = component_class(name)
    for name in scenario.spec.interactions:
        out[f"interactions.{name}"] = INTERACTIONS[name]
    return out


def start_year(scenario: Scenario) -> float:
    return to_decimal_year(scenario.spec.start)


def _plain(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_plain(v) for v in x]
    if hasattr(x, "isoformat"):
        return x.isoformat()
    return x


def parse_scenario_text(text: str, name: str = "<text>") -> Scenario:
    """Validate a scenario given as YAML text (`extends` is resolved relative to the cwd)."""
    data, locs = parse_yaml(text, name)
    if "extends" in data:
        raise ScenarioError("extends is only allowed in scenario files", file=name, key="extends")
    return validate_scenario(data, locs, name, ())
