"""Broken scenario files get one clear paragraph naming file, line and key — and exit status 2."""

import subprocess
import sys
import textwrap

import pytest

from rsi_sim import load_scenario
from rsi_sim.core.errors import ScenarioError

GOOD = """\
name: test
horizon: 10 y
components:
  jones:
    delta: 0.1
    phi: 0.3
milestones:
  double: A >= 2
"""


def error_of(write, text, name="scenario.yaml"):
    path = write(textwrap.dedent(text), name)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path).build_model()
    return path, info.value


def test_the_good_file_loads(write):
    sc = load_scenario(write(GOOD))
    assert sc.spec.components["jones"]["phi"] == 0.3 and sc.spec.horizon_years() == 10


@pytest.mark.parametrize(
    ("text", "line", "key", "words"),
    [
        (GOOD.replace("phi: 0.3", "phi: [0.3"), 7, None, "invalid YAML"),
        (GOOD.replace("    phi: 0.3", "    phi: 0.3\n    phy: 0.3"), 7, "components.jones.phy", "unknown parameter"),
        (GOOD.replace("horizon: 10 y", "horizon: 10 y\nhorizn: 3"), 3, "horizn", "unknown key"),
        (GOOD.replace("phi: 0.3", "phi: high"), 6, "components.jones.phi", "must be a number"),
        (GOOD.replace("horizon: 10 y", "horizon: -3 months"), 2, "horizon", "positive"),
        (GOOD.replace("delta: 0.1", "delta: -0.1"), 5, "components.jones.delta", "between"),
        (GOOD.replace("jones:", "jonas:"), 4, "components.jonas", "unknown component"),
        (GOOD.replace("A >= 2", "B >= 2"), 8, "milestones.double", "unknown name(s) B"),
        (GOOD.replace("A >= 2", "A >>= 2"), 8, "milestones.double", "not a valid condition"),
        (GOOD.replace("name: test\n", ""), None, "name", "required key is missing"),
        (GOOD.replace("    phi: 0.3", "    phi: 0.3\n    phi: 0.4"), 7, "components.jones.phi", "appears twice"),
        (GOOD + "x: !!python/object/apply:os.system ['echo hacked']\n", 9, "x", "unsupported YAML tag"),
    ],
)
def test_each_mistake_names_file_line_and_key(write, text, line, key, words):
    path, exc = error_of(write, text)
    assert exc.file == str(path)
    assert exc.line == line
    assert exc.key == key
    assert words in str(exc)
    assert str(exc).startswith(f"{path}")


def test_missing_extends_target(write):
    path, exc = error_of(write, "extends: nowhere.yaml\nname: child\n")
    assert "nowhere.yaml" in str(exc) and "no such file" in str(exc)
    assert (exc.file, exc.line, exc.key) == (str(path), 1, "extends")


@pytest.mark.parametrize("n", [300, 4_900])
def test_an_unusable_extends_path_gives_a_short_message(write, n):
    """A name too long for the file system: the reason, not the path again in full (found by the
    fuzz suite: a 4,900-character name gave a 5,000-character message)."""
    path, exc = error_of(write, "extends: " + "x" * n + "\nname: child\n")
    assert "not a usable path" in str(exc) and len(str(exc)) < 500
    assert (exc.file, exc.line, exc.key) == (str(path), 1, "extends")


def test_a_blank_extends_value_is_quoted_short(write):
    """A value of only spaces is not a path; the message quotes it cut short (found by the fuzz
    suite: 4,900 spaces gave a 5,000-character message)."""
    path, exc = error_of(write, "extends: '" + " " * 4_900 + "'\nname: child\n")
    assert "must be the path of another scenario file" in str(exc) and len(str(exc)) < 500
    assert "4,902 characters" in str(exc)
    assert (exc.file, exc.line, exc.key) == (str(path), 1, "extends")


def test_extends_merges_key_by_key_and_reports_lines_in_the_right_file(write):
    write(GOOD, "base.yaml")
    child = write("extends: base.yaml\nname: child\ncomponents:\n  jones:\n    lam: 9.0\n", "child.yaml")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    assert info.value.file == str(child) and info.value.line == 5
    ok = write("extends: base.yaml\nname: child\ncomponents:\n  jones:\n    lam: 0.2\n", "ok.yaml")
    sc = load_scenario(ok)
    assert sc.spec.components["jones"] == {"delta": 0.1, "phi": 0.3, "lam": 0.2}
    assert sc.name == "child" and "double" in sc.spec.milestones


def test_extends_loops_are_errors(write):
    write("extends: b.yaml\nname: a\n", "a.yaml")
    b = write("extends: a.yaml\nname: b\n", "b.yaml")
    with pytest.raises(ScenarioError, match="loop"):
        load_scenario(b)


def test_overrides_are_validated_and_named(write):
    path = write(GOOD)
    assert load_scenario(path, ["components.jones.phi=0.9"]).spec.components["jones"]["phi"] == 0.9
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, ["components.jones.phi=abc"])
    assert info.value.file == "--set" and info.value.key == "components.jones.phi"
    with pytest.raises(ScenarioError, match="KEY=VALUE"):
        load_scenario(path, ["components.jones.phi"])


def test_durations_and_dates_with_units(write):
    sc = load_scenario(write(GOOD.replace("horizon: 10 y", "start: 2027-01-01\nhorizon: 2029-01-01")))
    assert sc.spec.horizon_years() == 2.0
    sc = load_scenario(write(GOOD.replace("horizon: 10 y", "horizon: 30 months\noutputs:\n  step: 1 week")))
    assert sc.spec.horizon_years() == 2.5 and abs(sc.spec.outputs.step - 7 / 365.25) < 1e-12


@pytest.mark.parametrize("text", ["", "just text", "- a\n- b\n"])
def test_empty_or_non_mapping_files(write, text):
    with pytest.raises(ScenarioError):
        load_scenario(write(text))


def test_alias_bomb_is_refused_quickly(write):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True))
    with pytest.raises(ScenarioError, match="alias"):
        load_scenario(write(bomb))


def test_the_command_line_exits_2_with_one_paragraph_and_no_traceback(write):
    path = write(GOOD.replace("phi: 0.3", "phi: high"))
    proc = subprocess.run([sys.executable, "-m", "rsi_sim", "run", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert f"{path}, line 6: components.jones.phi" in " ".join(proc.stderr.split())
