"""Policies as data: YAML round trip, and line-numbered errors for bad policies."""

from __future__ import annotations

import textwrap

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from rsi_sim import load_scenario
from rsi_sim.core.errors import ScenarioError
from rsi_sim.policies import ACTION_KINDS, PolicySpec
from rsi_sim.scenario import parse_scenario_text

VALUES = {"flop": st.floats(1e20, 1e35), "per_year": st.floats(1.0, 100.0),
          "share": st.floats(0.0, 1.0), "factor": None, "gw": st.floats(1e-3, 1e4),
          "h100e_per_year": st.floats(0.0, 1e12), "usd_per_year": st.floats(1e6, 1e15)}
FACTOR = {"lengthen_review": st.floats(1.0, 10.0), "slow_hiring": st.floats(0.0, 1.0),
          "raise_oversight_staffing": st.floats(1.0, 10.0)}


@st.composite
def actions(draw):
    kind = draw(st.sampled_from(sorted(ACTION_KINDS)))
    param = ACTION_KINDS[kind][0]
    if param is None:
        return {"kind": kind}
    strategy = FACTOR[kind] if param == "factor" else VALUES[param]
    return {"kind": kind, param: draw(strategy)}


releases = st.one_of(
    st.just("never"),
    st.builds(lambda y: {"after": y}, st.floats(0.01, 10.0)),
    st.builds(lambda x: {"when": f"ai_rd_multiplier >= {x}"}, st.floats(1.0, 1e4)),
    st.builds(lambda e: {"evaluation": {"effort": e}}, st.floats(1.0, 1e7)),
)


@st.composite
def policies(draw):
    acts = draw(st.lists(actions(), min_size=1, max_size=3, unique_by=lambda a: a["kind"]))
    release = draw(releases)
    return {"description": draw(st.text(st.characters(categories=("L", "N", "Zs")), max_size=20)),
            "trigger": draw(st.sampled_from(["SC", "time_horizon_hours >= 40", "date >= 2028-01-01",
                                             "generation_released and judgment_gap <= 0"])),
            "action": acts if len(acts) > 1 else acts[0], "release": release,
            "repeat": draw(st.booleans()) and release != "never"}


@settings(max_examples=25, deadline=None)
@given(policies())
def test_policies_round_trip_through_yaml(data):
    spec = PolicySpec.model_validate(data)
    text = yaml.safe_dump(spec.to_data(), sort_keys=False)
    again = PolicySpec.model_validate(yaml.safe_load(text))
    assert again == spec
    assert PolicySpec.model_validate(again.to_data()) == spec


def test_shipped_scenario_round_trips(scenarios):
    sc = load_scenario(scenarios / "managed_slowdown.yaml")
    again = parse_scenario_text(sc.to_yaml(), "resolved.yaml")
    assert again.spec.policies == sc.spec.policies
    assert len(sc.spec.policies) == 4


def test_on_is_read_as_when():
    # YAML 1.1 turns a bare `on:` key into true; policies accept it as `when:`.
    spec = PolicySpec.model_validate(yaml.safe_load(
        "trigger: SC\naction: pause_training\nrelease:\n  on: SAR\n"))
    assert spec.release.when == "SAR"


GOOD = """\
name: test
horizon: 3 y
components:
  jones:
    phi: 0.3
  compute: {}
policies:
  cap:
    trigger: A >= 1.01
    action: {kind: cap_inference_share, share: 0.2}
    release:
      after: 1 year
"""


def error_of(write, text):
    path = write(textwrap.dedent(text))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path).build_model()
    return path, info.value


def test_the_good_policy_file_runs(write):
    import rsi_sim

    ds = rsi_sim.run(load_scenario(write(GOOD)))
    assert float(ds["policy_active_years"].sel(policy="cap")) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("old", "new", "line", "key", "words"),
    [
        ("trigger: A >= 1.01", "trigger: B >= 2", 9, "policies.cap.trigger", "unknown name(s) B"),
        ("trigger: A >= 1.01", "trigger: A >== 2", 9, "policies.cap.trigger", "not a valid condition"),
        ("{kind: cap_inference_share, share: 0.2}", "pause_training", 10, "policies.cap.action",
         "acts on the generations component"),
        ("      after: 1 year", "      when: A >= 5 and A <= 1", 12, "policies.cap.release.when",
         "can never happen"),
        ("      after: 1 year", "      on: A <= -1", 12, "policies.cap.release.True", "A lies in [0, inf]"),
        ("      after: 1 year", "      when: date >= 2040-01-01", 12, "policies.cap.release.when",
         "before the horizon"),
        ("trigger: A >= 1.01", "trigger: physical_compute <= -5", 9, "policies.cap.trigger", "can never fire"),
        ("share: 0.2}", "share: 1.5}", 10, "policies.cap.action", "not a share between 0 and 1"),
        ("{kind: cap_inference_share, share: 0.2}", "{kind: cap_training_growth, per_year: 0.5}", 10,
         "policies.cap.action", "would make training compute shrink"),
        ("{kind: cap_inference_share, share: 0.2}",
         "[{kind: cap_inference_share, share: 0.2}, {kind: cap_inference_share, share: 0.5}]", 10,
         "policies.cap.action", "contradictory values 0.2 and 0.5"),
        ("{kind: cap_inference_share, share: 0.2}", "{kind: cap_inference, share: 0.2}", 10,
         "policies.cap.action", "unknown action kind"),
        ("{kind: cap_inference_share, share: 0.2}", "{kind: cap_inference_share, flop: 1e28}", 10,
         "policies.cap.action", "takes only 'share'"),
        ("      after: 1 year", "      after: 1 year\n      never: true", 11, "policies.cap.release",
         "exactly one of"),
        ("    trigger: A >= 1.01", "    trigger: A >= 2\n    repeats: true", 10, "policies.cap.repeats",
         "unknown key"),
    ],
)
def test_each_bad_policy_names_file_line_and_key(write, old, new, line, key, words):
    assert old in GOOD
    path, exc = error_of(write, GOOD.replace(old, new))
    assert exc.file == str(path)
    assert exc.line == line, str(exc)
    assert exc.key == key, str(exc)
    assert words in str(exc), str(exc)


def test_dropping_a_component_a_policy_acts_on(write, scenarios, tmp_path):
    # A scenario extends files in its own directory tree (docs/reliability.md): copy the chain.
    for name in ("baseline.yaml", "managed_slowdown.yaml"):
        (tmp_path / name).write_text((scenarios / name).read_text())
    text = """\
    extends: managed_slowdown.yaml
    name: no generations
    components:
      generations: off
    """
    # The baseline samples generations' parameters: that is reported first, located in baseline.yaml
    _, exc = error_of(write, text)
    assert "no component 'generations'" in str(exc) and exc.file.endswith("baseline.yaml")
    # without that section, the policy acting on generations is the error
    base = (scenarios / "baseline.yaml").read_text()
    cut = base[:base.index("uncertainty:")] + base[base.index("ensemble:"):]
    (tmp_path / "baseline.yaml").write_text(cut)
    path, exc = error_of(write, text)
    assert "acts on the generations component" in str(exc)
    assert exc.key == "policies.pause_at_work_week_horizon.action"
    assert exc.file.endswith("managed_slowdown.yaml") and exc.line
