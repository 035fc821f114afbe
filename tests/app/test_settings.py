"""The page's settings mapped to scenarios, without a browser or a web framework: controls come
from the parameter declarations, the address's query round-trips, and what the page runs is what
``rsi-sim run`` runs."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import rsi_sim
from rsi_sim.app.settings import (
    NO_POLICY,
    Catalog,
    PageState,
    controls_for,
    policy_choices,
    shipped_scenarios_dir,
)
from rsi_sim.core.distributions import parse_uncertainty
from rsi_sim.core.errors import RsiSimError, ScenarioError
from rsi_sim.scenario import load_scenario, parse_scenario_text
from rsi_sim.scenario.load import uncertainty_components

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
BASELINE = SCENARIOS / "baseline.yaml"  # (tests/app/conftest.py gives the catalog fixture)


def _uncertain(scenario):
    return parse_uncertainty(scenario.spec.uncertainty, uncertainty_components(scenario)).parameters


def test_controls_are_the_uncertainty_keys_with_their_declarations(catalog):
    # Generated, not listed: whatever baseline.yaml's uncertainty: section holds today.
    params = _uncertain(catalog.base)
    assert [c.path for c in catalog.controls] == [p.path for p in params]
    for control, p in zip(catalog.controls, params, strict=True):
        assert control.param is p.param
        lo, hi = p.param.bounds
        value = catalog.base.spec.components[p.component].get(p.name, p.param.default)
        assert control.value == pytest.approx(float(p.param.check(value)))  # '3 years' too
        ends = (10 ** control.low, 10 ** control.high) if control.log else (control.low, control.high)
        assert ends[0] <= control.value <= ends[1]
        assert lo is None or ends[0] >= lo - 1e-12
        assert hi is None or ends[1] <= hi + 1e-12
        support = p.dist.support()
        if all(math.isfinite(s) for s in support):  # the slider covers the plausible range
            assert ends[0] <= support[0] + control.step and ends[1] >= support[1] - control.step
        assert p.param.doc in control.tooltip
        if p.param.unit not in ("1", ""):
            assert p.param.unit in control.label and p.param.unit in control.tooltip
        assert control.key == p.path.removeprefix("components.")


def test_a_scenario_without_uncertainty_gets_sliders_for_the_numbers_it_sets():
    jones = load_scenario(SCENARIOS / "reference" / "jones.yaml")
    controls = controls_for(jones)
    given = {f"components.{c}.{k}" for c, values in jones.spec.components.items() for k, v in values.items()
             if isinstance(v, int | float) and not isinstance(v, bool)}
    assert {c.path for c in controls} == given and controls


def test_explicit_controls_and_a_bad_one(catalog):
    (c,) = controls_for(catalog.base, ["software.r"])
    assert c.path == "components.software.r"
    with pytest.raises(RsiSimError, match="not a parameter"):
        controls_for(catalog.base, ["components.software.nope"])


def test_slider_positions_map_to_clean_values(catalog):
    for c in catalog.controls:
        assert c.from_slider(c.to_slider(c.value)) == pytest.approx(c.value, rel=1e-2)
        x = c.low + 7 * c.step  # a position with float noise
        v = c.from_slider(x)  # a clean value: a few significant digits, not 1.6700000000000002
        assert float(f"{v:.6g}") == v, (c.path, v)


def test_wide_ranges_get_log_sliders(catalog):
    (c,) = controls_for(catalog.base, ["components.compute.initial_h100e"])
    assert c.log and 10 ** c.low <= c.value <= 10 ** c.high
    assert c.from_slider(c.to_slider(c.value)) == pytest.approx(c.value, rel=1e-2)


def test_query_round_trip(catalog):
    control = catalog.controls[0]
    policy = next(iter(catalog.choices))
    query = {control.key: "1.6", "policy": policy, "compare": "0", "axes": "fixed", "band": "0"}
    state, notes = catalog.read_query(query)
    assert notes == []
    assert state == PageState(values={control.path: 1.6}, policy=policy, compare=False,
                              axes="fixed", band=False)
    assert catalog.query(state) == query
    assert catalog.read_query(catalog.query(state))[0] == state
    assert catalog.query(PageState()) == {}  # the defaults make a bare address


def test_query_values_as_the_web_server_gives_them(catalog):
    control = catalog.controls[0]
    state, _ = catalog.read_query({control.key: [b"2", b"1.5"]})
    assert state.values == {control.path: 1.5}


def test_unknown_settings_are_noted_and_ignored(catalog):
    state, notes = catalog.read_query({"policy": "../../etc/passwd", "axes": "diagonal",
                                       "compare": "maybe", "colour": "red"})
    assert state == PageState()
    assert len(notes) == 4
    assert "the policies offered are none" in notes[0]


def test_the_browser_names_no_files(catalog):
    # Policies are names of shipped scenarios, mapped to their changes when the server starts.
    assert set(catalog.choices) == {load_scenario(SCENARIOS / c.file).name for c in catalog.choices.values()}
    for choice in catalog.choices.values():
        assert "/" not in choice.file and (SCENARIOS / choice.file).parent == SCENARIOS
    assert catalog.policy_names[0] == NO_POLICY
    shipped = {p.name for p in SCENARIOS.glob("*.yaml")
               if load_scenario(p).spec.policies and not load_scenario(p).spec.actors}
    assert {c.file for c in catalog.choices.values()} == shipped
    assert shipped_scenarios_dir() == SCENARIOS


def test_out_of_range_value_gives_the_command_lines_message(catalog, cli):
    control = catalog.controls[0]
    hi = control.param.bounds[1]
    bad = hi * 10 if hi is not None else 1e300
    state, _ = catalog.read_query({control.key: str(bad)})
    with pytest.raises(ScenarioError) as page_error:
        catalog.resolve(state)
    result = cli("validate", BASELINE, "--set", f"{control.path}={bad}")
    assert result.exit_code == 2
    assert " ".join(str(page_error.value).split()) in " ".join(result.output.split())


def test_text_where_a_number_belongs_is_reported_by_the_declaration(catalog):
    state, _ = catalog.read_query({catalog.controls[0].key: "fast"})
    with pytest.raises(ScenarioError, match="Got 'fast' instead"):
        catalog.resolve(state)


def test_policy_runs_what_rsi_sim_run_runs_on_the_policy_file(catalog):
    choice = catalog.choices["managed_slowdown"]
    control = catalog.controls[0]
    state = PageState(values={control.path: 1.5}, policy=choice.name)
    shown, parent = catalog.resolve(state)
    assert parent.name == catalog.base.name and shown.name == choice.name
    direct = load_scenario(SCENARIOS / choice.file, [f"{control.path}=1.5"])
    assert shown.spec.policies == direct.spec.policies
    assert shown.spec.components == direct.spec.components
    a, b = rsi_sim.run(shown), rsi_sim.run(direct)
    np.testing.assert_array_equal(a["milestone_year"].values, b["milestone_year"].values)
    assert parent.spec.policies == {} and parent.spec.components == shown.spec.components


def test_no_compare_without_a_policy_or_when_switched_off(catalog):
    assert catalog.resolve(PageState())[1] is None
    assert catalog.resolve(PageState(policy="managed_slowdown", compare=False))[1] is None


def test_the_downloaded_yaml_reruns_to_the_same_results(catalog):
    state = PageState(values={catalog.controls[0].path: 2.0}, policy="compute_cap")
    shown, _ = catalog.resolve(state)
    again = parse_scenario_text(shown.to_yaml(), "page.yaml")
    a, b = rsi_sim.run(shown), rsi_sim.run(again)
    np.testing.assert_array_equal(a["milestone_year"].values, b["milestone_year"].values)


def test_own_policies_switch_on_and_off():
    catalog = Catalog.load(SCENARIOS / "managed_slowdown.yaml")
    names = catalog.own_policies
    assert len(names) > 1 and catalog.choices == {}
    shown, parent = catalog.resolve(PageState())
    assert tuple(shown.spec.policies) == names and parent.spec.policies == {}
    state, notes = catalog.read_query({"policies": names[0]})
    assert notes == [] and state.own_policies == (names[0],)
    shown, parent = catalog.resolve(state)
    assert tuple(shown.spec.policies) == (names[0],) and parent is not None
    assert catalog.query(state) == {"policies": names[0]}
    shown, parent = catalog.resolve(PageState(own_policies=()))
    assert shown.spec.policies == {} and parent is None
    _, notes = catalog.read_query({"policy": "compute_cap"})
    assert "policies of its own" in notes[0]


def test_band_scenario_follows_the_policy_not_the_sampled_sliders(catalog):
    sampled = catalog.controls[0]
    state = PageState(values={sampled.path: 2.5}, policy="managed_slowdown")
    band = catalog.band_scenario(state)
    assert band.spec.policies == catalog.resolve(state)[0].spec.policies
    comp, name = sampled.path.split(".")[1:]
    assert band.spec.components[comp].get(name) == catalog.base.spec.components[comp].get(name)
    assert catalog.band_scenario(PageState(policy="managed_slowdown")).to_yaml() == band.to_yaml()


def test_policy_choices_skip_files_that_do_not_load(tmp_path):
    (tmp_path / "baseline.yaml").write_text(BASELINE.read_text())
    (tmp_path / "broken.yaml").write_text("extends: baseline.yaml\nname: broken\npolicies: 3\n")
    (tmp_path / "pause.yaml").write_text(
        "extends: baseline.yaml\nname: pause\npolicies:\n  p:\n    trigger: SC\n"
        "    action: pause_training\n    release: {after: 1 year}\n")
    choices = policy_choices(tmp_path)
    assert list(choices) == ["pause"]
    assert set(choices["pause"].changes) == {"policies"}


def test_no_scenario_and_none_shipped(tmp_path):
    with pytest.raises(RsiSimError, match="give a scenario file"):
        Catalog.load(None, shipped=tmp_path / "nothing")
