"""Policy actions come from `Lever` declarations on the components that own them: a new action
is one declaration (issue 18), and everything else (kinds, validation, schema, the lever board,
``describe``, the docs table) is generated from it."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from rsi_sim import load_scenario, register_component
from rsi_sim.components import REGISTRY, SHIPPED
from rsi_sim.core import Component, Lever, Param, ScenarioError
from rsi_sim.core.time import to_decimal_year
from rsi_sim.plugins import PluginError
from rsi_sim.policies import ACTION_KINDS, LEVERS, ActionSpec, PolicySpec
from rsi_sim.policies.actions import levers
from rsi_sim.scenario.describe import actions_markdown, describe_tables
from rsi_sim.scenario.schema import ScenarioSpec

from .conftest import events

DOCS = Path(__file__).resolve().parents[2] / "docs"


class Widgets(Component):
    """Widgets that grow at a rate a policy may cap (a component of a user's own)."""

    name = "widgets"
    growth = Param(0.5, unit="1/year", bounds=(0.0, 10.0), doc="growth rate of the widgets")

    # The whole of the new action: a scenario may now write {kind: cap_widget_growth, rate: ...}.
    cap_widget_growth = Lever("growth_cap", neutral=math.inf, combine="min", param="rate",
                              unit="1/year", bounds=(0, None), open_bounds=True,
                              doc="cap on the widgets' growth rate, 1/year (> 0)")

    def build(self, model):
        super().build(model)
        model.add_stock("widgets", 1.0, unit="widget", long_name="widgets", owner=self.name)

    def rates(self, state):
        return {"widgets": min(self.growth, self.growth_cap) + 0.0 * state["t"]}


SCENARIO = """\
name: widgets
horizon: 4 y
components:
  widgets: {}
policies:
  slow_widgets:
    trigger: date >= 2027-01-01
    action: {kind: cap_widget_growth, rate: 0.1 1/year}
    release: {after: 1 year}
  slower_widgets:
    trigger: date >= 2027-07-01
    action: {kind: cap_widget_growth, rate: 0.3}
    release: {after: 1 year}
"""


@pytest.fixture
def widgets():
    """Widgets registered for one test (a scenario reaches a component by its registration)."""
    registry = dict(REGISTRY)
    yield register_component(Widgets)
    REGISTRY.clear()
    REGISTRY.update(registry)


def test_adding_an_action_needs_one_declaration(widgets, write):
    assert Widgets.levers == {"cap_widget_growth": Widgets.cap_widget_growth}
    assert ACTION_KINDS["cap_widget_growth"] == ("rate", "cap on the widgets' growth rate, 1/year (> 0)")
    assert LEVERS["cap_widget_growth"].component == "widgets"
    # the component starts at the neutral value
    assert Widgets().growth_cap == math.inf

    scenario = load_scenario(write(SCENARIO))  # validates
    model = scenario.build_model()
    ds = model.run()
    # d ln W/dt: 0.5, then the tightest active cap (0.1 from 2027, 0.3 alone once the first
    # lifts), then 0.5 again when both have lifted
    t1, t2 = to_decimal_year("2027-01-01") - 2026.0, to_decimal_year("2027-07-01") - 2026.0
    expected = 0.5 * t1 + 0.1 * 1.0 + 0.3 * (t2 - t1) + 0.5 * (4.0 - (t2 + 1.0))
    assert math.log(float(ds["widgets"].sel(time=2030.0))) == pytest.approx(expected, rel=1e-9)
    assert model["widgets"].growth_cap == math.inf
    triggered = events(ds, "policy_triggered")
    assert [d["actions"] for _, d in triggered] == [[{"kind": "cap_widget_growth", "value": 0.1}],
                                                   [{"kind": "cap_widget_growth", "value": 0.3}]]
    # describe lists it with its declaration
    tables = {t.key: t for t in describe_tables(scenario, model)}
    assert tables["actions"].rows[0][:4] == ["cap_widget_growth", "rate (1/year), > 0", "min", "inf"]
    assert "cap_widget_growth rate=0.1" in tables["policies"].rows[0][2]
    # the JSON schema of an action knows it
    kinds = [o.get("title") for o in ActionSpec.model_json_schema()["oneOf"]]
    assert "cap_widget_growth" in kinds


def test_the_new_action_is_validated_from_its_declaration(widgets, write):
    cases = [("rate: 0.1 1/year", "rate: -1", "cap_widget_growth rate = -1 must be > 0"),
             ("rate: 0.1 1/year", "rate: 2 GW", "the unit must be 1/year, not 'GW'"),
             ("rate: 0.1 1/year", "rate: 20%", "the unit must be 1/year, not '%'"),
             ("{kind: cap_widget_growth, rate: 0.1 1/year}", "cap_widget_growth",
              "cap_widget_growth needs 'rate': cap on the widgets' growth rate"),
             ("rate: 0.1 1/year", "rate: 0.1, factor: 2", "takes only 'rate'"),
             ("kind: cap_widget_growth, rate: 0.1", "kind: cap_widget_grow, rate: 0.1",
              "(did you mean 'cap_widget_growth'?)")]
    for old, new, words in cases:
        assert old in SCENARIO
        path = write(SCENARIO.replace(old, new, 1))
        with pytest.raises(ScenarioError) as info:
            load_scenario(path)
        exc = info.value
        assert exc.file == str(path) and exc.line == 8, str(exc)
        assert exc.key == "policies.slow_widgets.action", str(exc)
        assert words in str(exc), str(exc)


def test_without_its_registration_the_kind_is_unknown():
    assert "cap_widget_growth" not in ACTION_KINDS
    with pytest.raises(ValueError, match="unknown action kind 'cap_widget_growth'"):
        PolicySpec.model_validate({"trigger": "SC", "action": {"kind": "cap_widget_growth", "rate": 1}})


def test_two_components_cannot_declare_one_kind(widgets):
    class Gadgets(Component):
        name = "gadgets"
        cap_widget_growth = Lever("cap", neutral=math.inf, param="rate")

    with pytest.raises(PluginError, match="'cap_widget_growth', which the component 'widgets'"):
        register_component(Gadgets)

    # a subclass under another name shares its base's lever (which acts on the base)
    class MoreWidgets(Widgets):
        name = "more_widgets"

    register_component(MoreWidgets)
    assert LEVERS["cap_widget_growth"].component == "widgets"


def test_a_declaration_is_checked():
    with pytest.raises(TypeError, match="combine must be one of"):
        Lever("x", 0.0, combine="sum")
    with pytest.raises(TypeError, match="other than 'kind'"):
        Lever("x", 0.0, param="kind")


def test_the_shipped_actions_and_their_parameters():
    assert {k: v[0] for k, v in ACTION_KINDS.items()} == {
        "pause_training": None, "cap_training_compute": "flop", "cap_training_growth": "per_year",
        "cap_inference_share": "share", "require_human_direction": "share",
        "lengthen_review": "factor", "slow_hiring": "factor", "raise_oversight_staffing": "factor",
        "cap_power": "gw", "cap_chip_supply": "h100e_per_year", "cap_compute_spending": "usd_per_year"}
    assert {k: (lever.component, lever.combine) for k, lever in LEVERS.items()} == {
        "pause_training": ("generations", "count"),
        "cap_training_compute": ("generations", "min"), "lengthen_review": ("generations", "product"),
        "cap_training_growth": ("compute", "min"), "cap_inference_share": ("compute", "min"),
        "cap_power": ("compute", "min"), "cap_chip_supply": ("compute", "min"),
        "cap_compute_spending": ("compute", "min"), "slow_hiring": ("labour", "product"),
        "raise_oversight_staffing": ("labour", "product"),
        "require_human_direction": ("judgment", "max")}
    # GW in the scenario, W on the lever
    assert ActionSpec.model_validate({"kind": "cap_power", "gw": "10 GW"}).value == 10.0
    assert LEVERS["cap_power"].scale == 1e9


def test_the_docs_table_is_the_generated_one():
    text = (DOCS / "policies.md").read_text()
    found = re.search(r"<!-- actions: generated from the Lever declarations -->\n(.*?)\n<!-- /actions -->",
                      text, re.S)
    assert found, "docs/policies.md lost the markers around the actions table"
    generated = actions_markdown(levers(SHIPPED))
    assert found.group(1) == generated, (
        "docs/policies.md's actions table is out of date; replace it with:\n" + generated)


def test_the_scenario_schema_has_a_json_schema():
    schema = ScenarioSpec.model_json_schema()
    action = schema["$defs"]["ActionSpec"]
    assert {o["title"] for o in action["oneOf"] if "title" in o} == set(ACTION_KINDS)
    power = next(o for o in action["oneOf"] if o.get("title") == "cap_power")
    assert power["required"] == ["kind", "gw"] and power["additionalProperties"] is False
    assert power["properties"]["gw"]["anyOf"][0] == {"type": "number", "exclusiveMinimum": 0}
    assert {"const": "pause_training", "description": ACTION_KINDS["pause_training"][1]} in action["oneOf"]


def test_yaml_round_trip_writes_the_parameter_name():
    spec = PolicySpec.model_validate(
        {"trigger": "SC", "action": [{"kind": "cap_power", "gw": 5}, "pause_training"]})
    assert spec.to_data()["action"] == [{"kind": "cap_power", "gw": 5.0}, {"kind": "pause_training"}]
    assert PolicySpec.model_validate(spec.to_data()) == spec
