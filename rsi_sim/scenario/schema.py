"""The scenario file schema (top level). Component parameters are validated by their own
:class:`~rsi_sim.core.Param` declarations, so a parameter is declared in exactly one place."""

from __future__ import annotations

import datetime as _dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from ..core.conditions import ConditionSyntaxError, parse_condition
from ..core.random import DEFAULT_SEED, SEED_LIMIT
from ..core.time import to_decimal_year
from ..core.units import duration_years
from ..policies.schema import PolicySpec


def _duration(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError("expected a duration such as '3 months', '2.5 y' or a number of years")
    try:
        years = duration_years(value)
    except ValueError as exc:
        raise ValueError(f"expected a duration such as '3 months' or '2.5 y' ({exc})") from None
    if not years > 0 or years != years or years == float("inf"):
        raise ValueError("expected a positive, finite duration")
    return years


#: Dates a scenario may name, and its longest horizon: every date a run reaches then stays
#: within what calendar conversions handle.
FIRST_DATE, LAST_DATE = _dt.date(1900, 1, 1), _dt.date(3000, 12, 31)
MAX_HORIZON_YEARS = 1000.0
MIN_HORIZON_YEARS = 1 / 365.25


def _in_range(date: _dt.date) -> _dt.date:
    if not FIRST_DATE <= date <= LAST_DATE:
        raise ValueError(f"expected a date between {FIRST_DATE} and {LAST_DATE}")
    return date


_OTHER_DATE = re.compile(r"\s*(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})\s*\Z")


def date_format_hint(value: Any) -> str:
    """For text that looks like a date in another format (``01/01/2040``, ``2027/01/01``,
    ``1.3.2030``), the sentence saying how to write it; else ``""``.

    >>> date_format_hint("2027/01/01")
    'dates are written YYYY-MM-DD: 2027-01-01'
    >>> date_format_hint("03/04/2040")
    'dates are written YYYY-MM-DD: 2040-04-03 or 2040-03-04 (day and month cannot be told apart here)'
    """
    m = _OTHER_DATE.match(value) if isinstance(value, str) else None
    if m is None:
        return ""
    a, b, c = m.groups()
    if len(a) == 4:
        candidates = [(int(a), int(b), int(c))]
    elif len(c) == 4:
        candidates = [(int(c), int(b), int(a)), (int(c), int(a), int(b))]  # DD/MM, MM/DD
    else:
        return "dates are written YYYY-MM-DD, e.g. 2040-01-01"
    valid = []
    for y, mo, d in candidates:
        try:
            valid.append(_dt.date(y, mo, d).isoformat())
        except ValueError:
            pass
    valid = list(dict.fromkeys(valid))
    if not valid:
        return "dates are written YYYY-MM-DD, e.g. 2040-01-01"
    if len(valid) == 1:
        return f"dates are written YYYY-MM-DD: {valid[0]}"
    return (f"dates are written YYYY-MM-DD: {valid[0]} or {valid[1]} (day and month cannot be "
            "told apart here)")


def _date(value: Any) -> _dt.date:
    if isinstance(value, _dt.datetime):
        return _in_range(value.date())
    if isinstance(value, _dt.date):
        return _in_range(value)
    if isinstance(value, str):
        try:
            date = _dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            return _in_range(date)
    hint = date_format_hint(value)
    if hint:
        raise ValueError(f"expected a date; {hint}")
    raise ValueError("expected a date written YYYY-MM-DD, e.g. 2026-01-01")


def _condition(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected a condition such as 'ai_rd_multiplier >= 5'")
    try:
        parse_condition(value, date_to_t=lambda d: 0.0)
    except ConditionSyntaxError as exc:
        raise ValueError(f"not a valid condition: {exc}") from None
    return value.strip()


Duration = Annotated[float, BeforeValidator(_duration)]
Date = Annotated[_dt.date, BeforeValidator(_date)]
ConditionText = Annotated[str, BeforeValidator(_condition)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Outputs(Strict):
    step: Duration = Field(1 / 12, description="spacing of the output grid (default one month)")


class Solver(Strict):
    method: Literal["RK23", "RK45", "DOP853"] = Field("RK45", description="embedded Runge-Kutta pair")
    rtol: float = Field(1e-7, gt=0, lt=0.1, description="relative tolerance")
    atol: float = Field(1e-9, gt=0, lt=0.1, description="absolute tolerance (log-stocks: relative error)")
    max_step: Duration = Field(0.25, description="longest integrator step")
    max_steps: int = Field(200_000, gt=0, le=10_000_000, description="step budget of one run")


class MilestoneSpec(Strict):
    when: ConditionText = Field(description="condition that marks the milestone")
    description: str = ""


class ReportSpec(Strict):
    metric: str = Field(min_length=1, description="a per-sample result of the ensemble store, e.g. progress_in_one_year")
    at_least: list[float] = Field([], description="also print P(metric >= x) for each x")


def _override_keys(value: Any) -> Any:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError("expected a mapping of dotted paths to values, e.g. "
                         "{components.ladder.sampling: published}")
    for key in value:
        parts = str(key).split(".")
        if len(parts) < 2 or not all(parts) or parts[0] == "ensemble":
            raise ValueError(f"{key!r} is not a dotted path such as components.ladder.sampling "
                             "(and cannot be inside ensemble:)")
    return value


class EnsembleSpec(Strict):
    samples: int = Field(1000, ge=1, lt=2**32, description="number of samples of an ensemble")
    sampler: Literal["mc", "lhs", "sobol"] = Field("mc", description="Monte Carlo, Latin hypercube or Sobol")
    seed: int | None = Field(None, ge=0, lt=SEED_LIMIT, description="ensemble seed (default: the scenario's seed)")
    overrides: Annotated[dict[str, Any], BeforeValidator(_override_keys)] = Field(
        {}, description="dotted-path values applied only when the scenario runs as an ensemble")
    report: list[ReportSpec] = Field([], description="per-sample results the ensemble summary reports")


def _actor_components(value: Any) -> Any:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError("expected a mapping of component names to parameter overrides")
    return {k: ({} if v is None else v) for k, v in value.items()}


class ActorSpec(Strict):
    """One actor of a race: its own copy of the base ``components:`` with these overrides
    (``off`` drops a component for this actor only)."""

    description: str = Field("", max_length=5000)
    components: Annotated[dict[str, dict[str, Any] | Literal[False]],
                          BeforeValidator(_actor_components)] = Field(
        {}, description="parameter overrides by component, on top of the scenario's components:")


class RaceSpec(Strict):
    """How several actors are compared and meet (docs/actors.md)."""

    lead_on: str = Field("effective_compute", min_length=1, description=(
        "the variable whose level lead_years compares (a positive quantity in the same unit "
        "for every actor)"))
    lead_window: Duration = Field(1.0, description=(
        "window over which the follower's growth is measured for lead_years"))
    sync_step: Duration = Field(1 / 52, description=(
        "interval at which actors meet: lead_years used in conditions is updated, interactions act"))


def _milestone(value: Any) -> Any:
    return {"when": value} if isinstance(value, str) else value


class ScenarioSpec(Strict):
    """A whole scenario after ``extends`` and overrides are applied."""

    name: str = Field(min_length=1, max_length=200, description="short name shown in tables and legends")
    description: str = Field("", max_length=20_000)
    start: Date = Field(_dt.date(2026, 1, 1), description="date of t = 0")
    horizon: Date | Duration = Field(description="end date (YYYY-MM-DD) or duration ('20 y')")
    seed: int = Field(DEFAULT_SEED, ge=0, lt=SEED_LIMIT, description="random seed")
    outputs: Outputs = Outputs()
    solver: Solver = Solver()
    components: dict[str, dict[str, Any]] = Field(description="parameters by component")
    milestones: dict[str, Annotated[MilestoneSpec, BeforeValidator(_milestone)]] = {}
    stop: ConditionText | None = Field(None, description="condition that ends a run early")
    # Distributions are checked against the components' Param declarations in load.py.
    uncertainty: dict[str, Any] = Field({}, description="distributions of parameters by dotted path")
    ensemble: EnsembleSpec = EnsembleSpec()
    policies: dict[str, PolicySpec] = Field({}, description="policies by name (docs/policies.md)")
    actors: dict[str, ActorSpec] = Field({}, description=(
        "several developers, each with its own components (docs/actors.md); none: one actor"))
    race: RaceSpec = RaceSpec()
    # Parameters are checked against the interactions' Param declarations in load.py.
    interactions: dict[str, dict[str, Any]] = Field({}, description=(
        "mechanisms between actors by name: diffusion, weight_theft (docs/actors.md)"))

    @field_validator("horizon", mode="before")
    @classmethod
    def _horizon(cls, value: Any) -> Any:
        if isinstance(value, _dt.date):
            return _date(value)
        if isinstance(value, str):
            try:
                return _date(_dt.date.fromisoformat(value.strip()))
            except ValueError as exc:
                if "between" in str(exc):
                    raise
            hint = date_format_hint(value)
            if hint:
                raise ValueError(f"expected a date or a duration; {hint}")
        years = _duration(value)
        if not MIN_HORIZON_YEARS <= years <= MAX_HORIZON_YEARS:
            raise ValueError(f"expected a horizon between one day and {MAX_HORIZON_YEARS:g} years")
        return years

    @field_validator("components", mode="before")
    @classmethod
    def _components(cls, value: Any) -> Any:
        if not isinstance(value, dict) or not value:
            raise ValueError("expected a mapping of component names to their parameters")
        return {k: ({} if v is None else v) for k, v in value.items() if v is not False}

    @field_validator("interactions", mode="before")
    @classmethod
    def _interactions(cls, value: Any) -> Any:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ValueError("expected a mapping of interaction names to their parameters")
        return {k: ({} if v is None else v) for k, v in value.items() if v is not False}

    @field_validator("actors", mode="before")
    @classmethod
    def _actors(cls, value: Any) -> Any:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ValueError("expected a mapping of actor names to {description, components}")
        return {k: ({} if v is None else v) for k, v in value.items()}

    def actor_components(self, actor: str) -> dict[str, dict[str, Any]]:
        """The components of ``actor``: the base ``components:`` merged with its overrides."""
        out = {k: dict(v) for k, v in self.components.items()}
        for name, values in self.actors[actor].components.items():
            if values is False:
                out.pop(name, None)
            else:
                out[name] = {**out.get(name, {}), **values}
        return out

    @field_validator("uncertainty", mode="before")
    @classmethod
    def _uncertainty(cls, value: Any) -> Any:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ValueError("expected a mapping of parameter paths (components.<component>.<parameter>) "
                             "to distributions")
        return value

    def horizon_years(self) -> float:
        if isinstance(self.horizon, _dt.date):
            return to_decimal_year(self.horizon) - to_decimal_year(self.start)
        return float(self.horizon)
