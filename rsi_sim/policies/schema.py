"""The ``policies:`` section of a scenario file: trigger, action(s) and release, all data.

::

    policies:
      pause_at_superhuman_coder:
        description: pause new training runs at SC until a safety evaluation passes
        trigger: SC                          # a condition: state, dates, milestones, events
        action: pause_training               # or {kind: ..., <its parameter>}, or a list
        release:
          evaluation: {effort: 60000 hours}  # or after: 1 year | when: <condition> | never
        repeat: false

Self-contained (no import from :mod:`rsi_sim.scenario`, which imports this module).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from ..core.conditions import ConditionSyntaxError, parse_condition
from ..core.errors import did_you_mean
from ..core.units import duration_years
from .actions import LeverView, levers

#: Each action kind, the one parameter it takes (``None``: none) and what that parameter means:
#: generated from the `Lever` declarations of the registered components.
ACTION_KINDS: Mapping[str, tuple[str | None, str]] = LeverView(
    "ACTION_KINDS", lambda lever: (lever.param, lever.doc))


def _duration(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError("expected a duration such as '6 months' or '1.5 y'")
    try:
        years = duration_years(value)
    except ValueError as exc:
        raise ValueError(f"expected a duration such as '6 months' or '1.5 y' ({exc})") from None
    if not (years > 0 and math.isfinite(years)):
        raise ValueError("expected a positive, finite duration")
    return years


def _hours(value: Any) -> float:
    """Person-hours: a number, or text with an hour/year unit (``"40000 hours"``)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError("expected oversight person-hours such as 40000 or '40000 hours'")
    if isinstance(value, str):
        try:
            years = duration_years(value)
        except ValueError as exc:
            raise ValueError(f"expected person-hours such as '40000 hours' ({exc})") from None
        value = years * 365.25 * 24
    value = float(value)
    if not (value > 0 and math.isfinite(value)):
        raise ValueError("expected a positive, finite number of person-hours")
    return value


def _condition(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected a condition such as 'ai_rd_multiplier >= 5', a milestone name "
                         "such as SAR, or an event such as generation_released")
    try:
        parse_condition(value, date_to_t=lambda d: 0.0)
    except ConditionSyntaxError as exc:
        raise ValueError(f"not a valid condition: {exc}") from None
    return value.strip()


Duration = Annotated[float, BeforeValidator(_duration)]
Hours = Annotated[float, BeforeValidator(_hours)]
ConditionText = Annotated[str, BeforeValidator(_condition)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _action_schema(schema: dict[str, Any], cls: type) -> None:
    """The JSON schema of an action as a scenario file writes it, generated from the levers:
    one alternative per kind (also a bare kind for those without a parameter)."""
    options: list[dict[str, Any]] = []
    for kind, lever in levers().items():
        properties: dict[str, Any] = {"kind": {"const": kind}}
        if lever.param is None:
            options.append({"const": kind, "description": lever.doc})
        else:
            number: dict[str, Any] = {"type": "number"}
            lo, hi = lever.bounds
            if lo is not None:
                number["exclusiveMinimum" if lever.open_bounds else "minimum"] = lo
            if hi is not None:
                number["exclusiveMaximum" if lever.open_bounds else "maximum"] = hi
            text = {"type": "string", "description": "a number" + (
                f", optionally with its unit: '{lever.unit}'" if lever.unit else "")}
            properties[lever.param] = {"anyOf": [number, text], "description": lever.doc}
        options.append({"type": "object", "title": kind, "description": lever.doc,
                        "properties": properties, "required": list(properties),
                        "additionalProperties": False})
    schema.clear()
    schema.update({"title": cls.__name__, "description": "one action: a kind and the one "
                   "parameter that kind takes (docs/policies.md)", "oneOf": options})


class ActionSpec(_Strict):
    """One action: a ``kind`` and the one parameter that kind takes (see :data:`ACTION_KINDS`),
    written ``{kind: cap_training_compute, flop: 1e28}``; the parameter's value is ``value``.

    Kinds, parameters, units and the values that contradict a lever come from the `Lever`
    declarations of the components (``rsi_sim/components/``): e.g. a cap at or below zero, a
    share outside [0, 1], a negative chip supply, a growth cap below 1x/year (that would order
    compute to shrink, not cap its growth), ``lengthen_review`` or ``raise_oversight_staffing``
    below 1, ``slow_hiring`` above 1.

    >>> ActionSpec.model_validate({"kind": "cap_training_compute", "flop": "1e28 FLOP"}).value
    1e+28
    """

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=_action_schema)

    kind: str = Field(description="what the policy does: an action kind")
    value: float | None = Field(None, description="the value of the kind's parameter, in its unit")

    @model_validator(mode="before")
    @classmethod
    def _shape(cls, data: Any) -> Any:
        if isinstance(data, str):
            data = {"kind": data}
        if not isinstance(data, dict):
            raise ValueError("expected an action: a kind such as pause_training, or a mapping "
                             "like {kind: cap_training_compute, flop: 1e28}")
        kinds = levers()
        kind = data.get("kind")
        if kind not in kinds:
            raise ValueError(f"unknown action kind {kind!r}{did_you_mean(kind, kinds)}; "
                             f"expected one of: {', '.join(kinds)}")
        lever = kinds[kind]
        param, meaning = lever.param, lever.doc
        extra = [k for k in data if k not in ("kind", param)]
        if extra:
            takes = f"takes only '{param}' ({meaning})" if param else "takes no parameter"
            raise ValueError(f"{kind} {takes}; remove {', '.join(map(repr, extra))}")
        if param and param not in data:
            raise ValueError(f"{kind} needs '{param}': {meaning}")
        if not param:
            return {"kind": kind}
        value = lever.read(data[param])
        problem = lever.contradiction(value)
        if problem:
            raise ValueError(f"{kind} {param} = {value:g} {problem}")
        return {"kind": kind, "value": value}

    @property
    def param(self) -> str | None:
        """The name of the kind's parameter in scenario files (``None``: it takes none)."""
        return levers()[self.kind].param

    def to_data(self) -> dict[str, Any]:
        """The action as a scenario file writes it: ``{kind: ..., <parameter>: value}``."""
        param = self.param
        return {"kind": self.kind, **({param: self.value} if param and self.value is not None else {})}


class EvaluationSpec(_Strict):
    """A safety evaluation: oversight staff work ``effort`` person-hours on it (queuing for the
    same review resource as the generations' safety reviews); it passes when done."""

    effort: Hours = Field(description="oversight person-hours the evaluation takes")
    min_duration: Duration | None = Field(None, description="shortest evaluation, however many staff")


def _release(value: Any) -> Any:
    if value == "never":
        return {"never": True}
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        # `release: 18 months` / `release: SAR`: say how to write it, not "a valid dictionary"
        try:
            _duration(value)
        except ValueError:
            pass
        else:
            raise ValueError(f"a release says how it lifts: write  release: {{after: {value}}}  "
                             "for a duration after the trigger (or when: <condition>, "
                             "evaluation: {effort: ...}, never)")
        if isinstance(value, str):
            raise ValueError(f"a release says how it lifts: write  release: {{when: {value}}}  "
                             "for a condition (or after: <duration>, evaluation: {effort: ...}, "
                             "never)")
        raise ValueError("expected a release: {after: <duration>}, {when: <condition>}, "
                         "{evaluation: {effort: ...}} or never")
    if isinstance(value, dict):
        # YAML 1.1 reads a bare `on:` key as true; accept it (and "on") as `when:`.
        value = {("when" if k is True or k in ("True", "on") else k): v for k, v in value.items()}
    return value


class ReleaseSpec(_Strict):
    """When the action lifts: exactly one of ``after``, ``when``, ``evaluation``, ``never``."""

    after: Duration | None = Field(None, description="a duration after the trigger")
    when: ConditionText | None = Field(None, description="a condition (also accepted as on:)")
    evaluation: EvaluationSpec | None = Field(None, description="a safety evaluation passes")
    never: bool = Field(False, description="the action stays for the rest of the run")

    @model_validator(mode="after")
    def _exactly_one(self) -> ReleaseSpec:
        given = [k for k in ("after", "when", "evaluation") if getattr(self, k) is not None]
        given += ["never"] if self.never else []
        if len(given) != 1:
            raise ValueError("give exactly one of after: <duration>, when: <condition>, "
                             f"evaluation: {{effort: ...}} or never; got {', '.join(given) or 'none'}")
        return self

    @property
    def kind(self) -> str:
        for k in ("after", "when", "evaluation"):
            if getattr(self, k) is not None:
                return k
        return "never"


def _actions(value: Any) -> Any:
    return value if isinstance(value, list) else [value]


class PolicySpec(_Strict):
    """One policy: when it starts (``trigger``), what it does (``action``), when it lifts
    (``release``), and whether it re-arms after lifting (``repeat``).

    >>> p = PolicySpec.model_validate({"trigger": "SC", "action": "pause_training",
    ...                                "release": {"after": "6 months"}})
    >>> p.actions[0].kind, p.release.kind, p.release.after
    ('pause_training', 'after', 0.5)
    """

    description: str = Field("", max_length=5000)
    trigger: ConditionText = Field(description="condition that starts the policy")
    actions: Annotated[list[ActionSpec], BeforeValidator(_actions)] = Field(
        alias="action", min_length=1, description="what the policy does (one or a list)")
    release: Annotated[ReleaseSpec, BeforeValidator(_release)] = Field(
        ReleaseSpec(never=True), description="when the action lifts (default: never)")
    repeat: bool = Field(False, description="re-arm after release: trigger again when the "
                                            "trigger condition next becomes true")
    actor: str | None = Field(None, min_length=1, description=(
        "the actor the policy binds, in a scenario with actors: (default: the only actor)"))
    actors: Literal["all"] | None = Field(None, description=(
        "all: the policy binds every actor (a coordinated, verified agreement)"))

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)

    @field_validator("actions")
    @classmethod
    def _no_contradiction(cls, actions: list[ActionSpec]) -> list[ActionSpec]:
        seen: dict[str, float | None] = {}
        for a in actions:
            if a.kind in seen:
                same = seen[a.kind] == a.value
                raise ValueError(f"the action {a.kind} is listed twice"
                                 + ("" if same else f" with contradictory values {seen[a.kind]:g} "
                                    f"and {a.value:g}"))
            seen[a.kind] = a.value
        return actions

    @model_validator(mode="after")
    def _one_binding(self) -> PolicySpec:
        if self.actor is not None and self.actors is not None:
            raise ValueError("give actor: (one actor) or actors: all (every actor), not both")
        return self

    @model_validator(mode="after")
    def _repeat_needs_release(self) -> PolicySpec:
        if self.repeat and self.release.never:
            raise ValueError("repeat: true needs a release (a policy that never lifts cannot re-arm)")
        return self

    def to_data(self) -> dict[str, Any]:
        """Plain data that validates back to an equal spec (the YAML round trip)."""
        acts = [a.to_data() for a in self.actions]
        rel = self.release
        release: Any = "never" if rel.never else (
            {"evaluation": rel.evaluation.model_dump(exclude_none=True)} if rel.evaluation else
            {rel.kind: getattr(rel, rel.kind)})
        out = {"description": self.description, "trigger": self.trigger,
               "action": acts[0] if len(acts) == 1 else acts, "release": release,
               "repeat": self.repeat}
        if self.actor is not None:
            out["actor"] = self.actor
        if self.actors is not None:
            out["actors"] = self.actors
        return out
