"""The page's settings as data: controls generated from the parameter declarations, the policy
choices, the settings read from and written to the page's address (its query parameters), and
the scenarios those settings mean.

Nothing here imports a web framework: the mapping from what the page shows to what runs is
tested without a browser (``tests/app/test_settings.py``).

>>> catalog = Catalog.load("scenarios/baseline.yaml")
>>> [c.key for c in catalog.controls][:2]
['software.r', 'software.ceiling_years']
>>> state, notes = catalog.read_query({"software.r": "1.6", "policy": "managed_slowdown"})
>>> shown, parent = catalog.resolve(state)
>>> shown.name, parent.name, shown.spec.components["software"]["r"]
('managed_slowdown', 'baseline', 1.6)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..core.distributions import parse_uncertainty
from ..core.errors import RsiSimError
from ..core.params import Param
from ..scenario import Scenario, load_scenario
from ..scenario.load import uncertainty_components
from ..scenario.shipped import shipped_dir
from ..scenario.yamlio import read_yaml

#: Query keys of the page's settings other than parameter values.
POLICY_KEY, OWN_POLICIES_KEY, COMPARE_KEY, AXES_KEY, BAND_KEY = "policy", "policies", "compare", "axes", "band"
NO_POLICY = "none"
AXES = ("auto", "fixed")

#: A slider spans decades (and moves in log steps) when its high end is this many times its low.
LOG_SLIDER_RATIO = 30.0


def shipped_scenarios_dir() -> Path | None:
    """The folder of the shipped scenarios (``baseline.yaml`` and the policy variants): the
    package data of an installed wheel, else ``scenarios/`` of a source checkout
    (:func:`rsi_sim.scenario.shipped.shipped_dir`)."""
    return shipped_dir()


def _nice_step(span: float) -> float:
    """A round step giving about 100–250 positions over ``span``: 1, 2 or 5 times a power of ten."""
    raw = span / 200
    if not raw > 0 or not math.isfinite(raw):
        return 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _round(x: float, step: float) -> float:
    """``x`` rounded to the decimals of ``step`` (slider positions carry float noise)."""
    digits = max(0, -math.floor(math.log10(step))) + 1 if step > 0 else 6
    return float(round(x, digits))


@dataclass(frozen=True)
class Control:
    """A slider generated from a :class:`~rsi_sim.core.Param` declaration.

    The slider spans the parameter's ``uncertainty:`` distribution (the range the scenario calls
    plausible), widened to hold the scenario's value and clipped to the declared bounds; a value
    typed in may go anywhere and is checked against the declaration like ``--set``.
    """

    path: str                  #: dotted override path, ``components.software.r``
    param: Param
    value: float               #: the scenario's own value
    low: float
    high: float
    step: float                #: in slider units (log10 of the value for a log slider)
    log: bool = False
    distribution: str = ""     #: e.g. ``log-uniform(0.4, 3.6)``, "" when not uncertain

    @property
    def key(self) -> str:
        """The name on the page and in its address: ``software.r``."""
        return self.path.removeprefix("components.")

    @property
    def unit(self) -> str:
        return "" if self.param.unit in ("1", "") else self.param.unit

    @property
    def label(self) -> str:
        return f"{self.key} ({self.unit})" if self.unit else self.key

    @property
    def tooltip(self) -> str:
        """The declaration's text: meaning, unit, bounds, distribution and source."""
        lo, hi = self.param.bounds
        parts = [self.param.doc or self.key]
        if self.unit:
            parts.append(f"unit: {self.unit}")
        if lo is not None or hi is not None:
            parts.append(f"allowed: {self.param.expected()}")
        if self.distribution:
            parts.append(f"uncertainty: {self.distribution}")
        if self.param.source:
            parts.append(f"source: {self.param.source}")
        return ". ".join(parts)

    def to_slider(self, value: float) -> float:
        """Slider position of ``value`` (clamped to the slider's ends)."""
        x = math.log10(value) if self.log and value > 0 else (self.low if self.log else value)
        return min(max(x, self.low), self.high)

    def from_slider(self, x: float) -> float:
        """The parameter value at slider position ``x``."""
        value = 10.0 ** x if self.log else x
        if self.param.kind is int:
            return float(round(value))
        if self.log:
            return float(f"{value:.3g}")
        return _round(value, self.step)


def _control(path: str, param: Param, value: Any, support: tuple[float, float] | None,
             distribution: str) -> Control | None:
    if param.kind not in (int, float) or isinstance(value, bool):
        return None
    try:
        value = float(param.check(value))
    except RsiSimError:
        return None
    lo_bound = -math.inf if param.bounds[0] is None else float(param.bounds[0])
    hi_bound = math.inf if param.bounds[1] is None else float(param.bounds[1])
    if support is not None and all(math.isfinite(s) for s in support) and support[1] > support[0]:
        low, high = support
    elif value > 0:  # no stated range: a decade either side
        low, high = value / 10, value * 10
    elif value < 0:
        low, high = value * 10, -value * 10
    else:
        low, high = -1.0, 1.0
    low, high = max(min(low, value), lo_bound), min(max(high, value), hi_bound)
    if not high > low:
        return None
    if param.kind is int:
        return Control(path, param, value, math.floor(low), math.ceil(high), 1.0, False, distribution)
    if low > 0 and high / low >= LOG_SLIDER_RATIO:
        lo, hi = math.log10(low), math.log10(high)
        return Control(path, param, value, lo, hi, _nice_step(hi - lo), True, distribution)
    step = _nice_step(high - low)
    return Control(path, param, value, _round(math.floor(low / step) * step, step),
                   _round(math.ceil(high / step) * step, step), step, False, distribution)


def controls_for(scenario: Scenario, paths: Iterable[str] | None = None) -> tuple[Control, ...]:
    """Sliders for ``paths`` (dotted, ``components.software.r``; default: the scenario's
    ``uncertainty:`` keys, else every number the scenario's components are given).

    >>> sc = load_scenario("scenarios/baseline.yaml")
    >>> c = controls_for(sc, ["components.software.r"])[0]
    >>> c.low, c.high, c.value, c.distribution
    (0.4, 3.6, 1.2, 'log-uniform(0.4, 3.6)')
    """
    classes = uncertainty_components(scenario)
    uncertain = {p.path: p for p in parse_uncertainty(scenario.spec.uncertainty, classes).parameters}
    if paths is None:
        paths = list(uncertain) or [f"components.{c}.{k}" for c, values in scenario.spec.components.items()
                                    for k in values]
        explicit = False
    else:
        paths = list(paths)
        explicit = True
    out = []
    for path in paths:
        parts = path.split(".")
        if len(parts) == 2:  # software.r, as the page names it
            parts = ["components", *parts]
        comp, name = (parts[1], parts[2]) if len(parts) == 3 and parts[0] == "components" else (None, None)
        cls = classes.get(comp) if comp else None
        param = cls.params.get(name) if cls is not None else None
        if param is None:
            if explicit:
                raise RsiSimError(f"--control {path!r} is not a parameter of this scenario's components; "
                                  "write it as components.<component>.<parameter>, e.g. "
                                  "components.software.r (see rsi-sim describe)")
            continue
        full = ".".join(parts)
        value = scenario.spec.components[comp].get(name, param.default)
        u = uncertain.get(full)
        control = _control(full, param, value, u.dist.support() if u else None,
                           u.dist.describe() if u else "")
        if control is None:
            if explicit:
                raise RsiSimError(f"--control {path!r}: only number parameters get a slider")
            continue
        out.append(control)
    return tuple(out)


@dataclass(frozen=True)
class PolicyChoice:
    """A shipped policy scenario, as what it changes in the scenario it extends."""

    name: str
    file: str                          #: file name only: the browser never sees a path
    description: str
    changes: Mapping[str, Any]         #: dotted path -> value (the ``policies:`` section whole)


def _changes(child: Mapping, parent: Mapping, prefix: str = "") -> dict[str, Any]:
    """Dotted paths whose values differ from ``parent`` in ``child``; ``policies`` is taken whole,
    name and description are left out (the page names a run after its policy)."""
    out: dict[str, Any] = {}
    for key, value in child.items():
        path = f"{prefix}{key}"
        if path in ("name", "description"):
            continue
        old = parent.get(key) if isinstance(parent, Mapping) else None
        if isinstance(value, Mapping) and isinstance(old, Mapping) and path != "policies":
            out.update(_changes(value, old, path + "."))
        elif value != old:
            out[path] = value
    return out


def policy_choices(folder: Path | None) -> dict[str, PolicyChoice]:
    """The shipped scenarios with policies, by name, each as its changes over the file it
    extends. A file that does not load is left out (the page must start whatever the folder)."""
    choices: dict[str, PolicyChoice] = {}
    if folder is None:
        return choices
    for path in sorted(folder.glob("*.yaml")):
        try:
            scenario = load_scenario(path)
            if not scenario.spec.policies or scenario.spec.actors:
                continue  # the page runs one developer: races are for rsi-sim compare
            raw, _ = read_yaml(path)
            parent = raw.get("extends")
            base = load_scenario(path.parent / parent).data if isinstance(parent, str) else {}
        except (RsiSimError, OSError):
            continue
        if scenario.name in choices or scenario.name == NO_POLICY:
            continue
        choices[scenario.name] = PolicyChoice(scenario.name, path.name, scenario.spec.description,
                                              _changes(scenario.data, base))
    return choices


@dataclass(frozen=True)
class PageState:
    """What one browser session has chosen; the page's address holds the same (``to_query``).

    ``values`` holds the parameter values given (raw: a value from the address is kept as typed,
    so a bad one is reported as ``--set`` reports it); ``own_policies`` the scenario's own
    policies switched on (``None``: all of them).
    """

    values: Mapping[str, Any] = field(default_factory=dict)
    policy: str = NO_POLICY
    own_policies: tuple[str, ...] | None = None
    compare: bool = True
    axes: str = "auto"
    band: bool = True

    def with_value(self, path: str, value: Any) -> PageState:
        return replace(self, values={**self.values, path: value})


def _number(text: str) -> Any:
    """A number if ``text`` reads as one, else the text (for the parameter's own error)."""
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value


def _flag(text: str) -> bool | None:
    return {"1": True, "true": True, "yes": True, "on": True,
            "0": False, "false": False, "no": False, "off": False}.get(text.strip().lower())


def _shown(value: Any) -> str:
    return format(value, ".10g") if isinstance(value, float) else str(value)


@dataclass(frozen=True)
class Catalog:
    """Everything one server offers, the same for every session: the scenario given on the
    command line, its controls, and the policy choices (by name; only shipped files)."""

    base: Scenario
    controls: tuple[Control, ...]
    choices: Mapping[str, PolicyChoice]

    @classmethod
    def load(cls, scenario: str | Path | None = None, controls: Iterable[str] | None = None,
             shipped: Path | None = None) -> Catalog:
        """The catalog for ``scenario`` (default: the shipped baseline)."""
        shipped = shipped_scenarios_dir() if shipped is None else shipped
        if scenario is None:
            if shipped is None or not (shipped / "baseline.yaml").is_file():
                raise RsiSimError("no SCENARIO given and the shipped scenarios are not installed "
                                  "here; give a scenario file, e.g. rsi-sim app my_scenario.yaml")
            scenario = shipped / "baseline.yaml"
        base = load_scenario(scenario)
        base.build_model()  # condition names and the like are checked before the page starts
        controls = controls_for(base, None if not controls else list(controls))
        choices = {} if base.spec.policies else policy_choices(shipped)
        return cls(base, controls, choices)

    @property
    def own_policies(self) -> tuple[str, ...]:
        return tuple(self.base.spec.policies)

    @property
    def policy_names(self) -> list[str]:
        """What the policy selector offers (when the scenario has no policies of its own)."""
        return [NO_POLICY, *self.choices]

    def control(self, key: str) -> Control | None:
        return next((c for c in self.controls if key in (c.key, c.path)), None)

    def default(self) -> PageState:
        return PageState()

    # -- the address ------------------------------------------------------------------------

    def read_query(self, query: Mapping[str, Any]) -> tuple[PageState, list[str]]:
        """The settings in a page address's query, and notes on what was ignored and why.

        Values may be text or lists of text (the last one counts) or bytes, as web servers give
        them. Nothing here names a file: a policy is one of :attr:`policy_names`.
        """
        notes: list[str] = []
        state = PageState()
        values: dict[str, Any] = {}
        for key, raw in query.items():
            if isinstance(raw, list | tuple):
                raw = raw[-1] if raw else ""
            text = raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)
            control = self.control(key)
            if control is not None:
                values[control.path] = _number(text.strip())
            elif key == POLICY_KEY:
                if self.own_policies:
                    notes.append(f"policy={text!r} ignored: this scenario has policies of its own "
                                 f"(switch them with {OWN_POLICIES_KEY}=)")
                elif text in self.policy_names:
                    state = replace(state, policy=text)
                else:
                    notes.append(f"policy={text!r} ignored: the policies offered are "
                                 f"{', '.join(self.policy_names)}")
            elif key == OWN_POLICIES_KEY and self.own_policies:
                names = tuple(n for n in text.split(",") if n)
                unknown = [n for n in names if n not in self.own_policies]
                if unknown:
                    notes.append(f"policies: {', '.join(unknown)} ignored; this scenario's policies "
                                 f"are {', '.join(self.own_policies)}")
                state = replace(state, own_policies=tuple(n for n in self.own_policies if n in names))
            elif key in (COMPARE_KEY, BAND_KEY):
                flag = _flag(text)
                if flag is None:
                    notes.append(f"{key}={text!r} ignored: expected 1 or 0")
                else:
                    state = replace(state, **{key: flag})
            elif key == AXES_KEY:
                if text in AXES:
                    state = replace(state, axes=text)
                else:
                    notes.append(f"axes={text!r} ignored: expected {' or '.join(AXES)}")
            else:
                notes.append(f"{key}= ignored: the page has no such setting")
        return replace(state, values=values), notes

    def query(self, state: PageState) -> dict[str, str]:
        """The page address's query for ``state``: only what differs from the defaults."""
        out: dict[str, str] = {}
        for control in self.controls:
            if control.path in state.values and state.values[control.path] != control.value:
                out[control.key] = _shown(state.values[control.path])
        if state.policy != NO_POLICY:
            out[POLICY_KEY] = state.policy
        if state.own_policies is not None and set(state.own_policies) != set(self.own_policies):
            out[OWN_POLICIES_KEY] = ",".join(state.own_policies)
        default = PageState()
        for key in (COMPARE_KEY, BAND_KEY):
            if getattr(state, key) != getattr(default, key):
                out[key] = "1" if getattr(state, key) else "0"
        if state.axes != default.axes:
            out[AXES_KEY] = state.axes
        return out

    # -- the scenarios ----------------------------------------------------------------------

    def has_policy(self, state: PageState) -> bool:
        if self.own_policies:
            return state.own_policies is None or bool(state.own_policies)
        return state.policy != NO_POLICY

    def resolve(self, state: PageState, values: Mapping[str, Any] | None = None) -> tuple[Scenario, Scenario | None]:
        """The scenario the page shows, and its parent for the compare view (``None`` when there
        is no policy to compare or the compare view is off).

        Raises the :class:`~rsi_sim.core.errors.RsiSimError` the command line gives for the same
        values with ``--set`` (an out-of-range value names the parameter, its bounds and the
        value given).
        """
        values = dict(state.values if values is None else values)
        base = self.base
        if self.own_policies:
            on = self.own_policies if state.own_policies is None else state.own_policies
            kept = {n: base.data["policies"][n] for n in on}
            shown = base.with_overrides({**values, "policies": kept}) if (values or len(kept) < len(self.own_policies)) else base
            parent = None
            if state.compare and on:
                parent = base.with_overrides({**values, "policies": {},
                                              "name": f"{base.name} without policies"})
            return shown, parent
        plain = base.with_overrides(values) if values else base
        if state.policy == NO_POLICY:
            return plain, None
        choice = self.choices[state.policy]
        shown = base.with_overrides({**values, **choice.changes, "name": choice.name,
                                     "description": choice.description})
        return shown, (plain if state.compare else None)

    def band_scenario(self, state: PageState) -> Scenario:
        """The scenario of the ensemble band: the shown one with the sampled parameters at the
        scenario's values (each sample draws its own), so the band follows the policy and any
        value that is not sampled, not the sliders of sampled ones."""
        sampled = set(parse_uncertainty(self.base.spec.uncertainty,
                                        uncertainty_components(self.base)).paths)
        kept = {k: v for k, v in state.values.items() if k not in sampled}
        return self.resolve(replace(state, compare=False), kept)[0]
