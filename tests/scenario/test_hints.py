"""Mistakes a new user makes get an error that names the file, line and key and says what to
write instead (issue 15, "Confusions to remove")."""

import pytest

import rsi_sim
from rsi_sim.core import ScenarioError

BASE = "name: mine\nhorizon: 3 y\ncomponents:\n  jones: {}\n"
POLICY = ("extends: baseline\nname: mine\npolicies:\n  p:\n    trigger: SC\n"
          "    action: pause_training\n")


def error_of(write, text: str) -> ScenarioError:
    path = write(text)
    with pytest.raises(ScenarioError) as info:
        rsi_sim.load_scenario(path).build_model()
    assert info.value.file == str(path)
    return info.value


@pytest.mark.parametrize("text, line, key, expected", [
    ("name: x\nhorizn: 3 y\ncomponents:\n  jones: {}\n", 2, "horizn",
     "unknown key 'horizn' (did you mean 'horizon'?); expected one of: name,"),
    (BASE + "outputs: {stpe: 1 month}\n", 5, "outputs.stpe",
     "unknown key 'stpe' (did you mean 'step'?); expected one of: step"),
    (POLICY.replace("action:", "acton:"), 6, "policies.p.acton",
     "unknown key 'acton' (did you mean 'action' or 'actor' or 'actors'?); expected one of: "
     "description, trigger, action, release, repeat, actor, actors (the required key 'action' "
     "is missing)"),
    (POLICY + "    release: {aftr: 1 y}\n", 7, "policies.p.release.aftr",
     "(did you mean 'after'?)"),
    (POLICY.replace("pause_training", "pause_trainig"), 6, "policies.p.action",
     "unknown action kind 'pause_trainig' (did you mean 'pause_training'?)"),
    (BASE + "milestones:\n  X: 'A >= 2 and growth_rat > 1'\n", 6, "milestones.X",
     "unknown name(s) growth_rat (did you mean 'growth_rate'?)"),
    (BASE + "uncertainty:\n  components.jones.ph: {dist: uniform, low: 0, high: 1}\n", 6,
     "uncertainty.components.jones.ph", "(did you mean 'phi'?)"),
    (BASE + "uncertainty:\n  components.jones.phi: {dist: unifrm, low: 0, high: 1}\n", 6,
     "uncertainty.components.jones.phi.dist", "(did you mean 'uniform' or"),
])
def test_typos_get_a_suggestion(write, text, line, key, expected):
    err = error_of(write, text)
    assert (err.line, err.key) == (line, key)
    assert expected in err.message


@pytest.mark.parametrize("key, value, expected", [
    ("horizon", "01/01/2040", "dates are written YYYY-MM-DD: 2040-01-01"),
    ("horizon", "2040/01/01", "dates are written YYYY-MM-DD: 2040-01-01"),
    ("start", "2027/01/01", "dates are written YYYY-MM-DD: 2027-01-01"),
    ("start", "03/04/2027", "2027-04-03 or 2027-03-04 (day and month cannot be told apart here)"),
    ("start", "1.3.2027", "2027-03-01"),
])
def test_dates_in_other_formats_are_told_the_format(write, key, value, expected):
    dates = {"horizon": "2030-01-01", "start": "2026-01-01", key: f"'{value}'"}
    text = BASE.replace("horizon: 3 y", f"horizon: {dates['horizon']}\nstart: {dates['start']}")
    err = error_of(write, text)
    assert err.key == key and expected in err.message


def test_a_release_written_as_a_duration_says_how_to_write_it(write):
    err = error_of(write, POLICY + "    release: 18 months\n")
    assert (err.line, err.key) == (7, "policies.p.release")
    assert "write  release: {after: 18 months}" in err.message
    assert "valid dictionary" not in err.message
    err = error_of(write, POLICY + "    release: SAR\n")
    assert "write  release: {when: SAR}" in err.message


def test_a_percentage_suggests_the_fraction(write):
    err = error_of(write, "extends: baseline\nname: m\ncomponents:\n  compute:\n"
                          "    training_share: 30%\n")
    assert (err.line, err.key) == (5, "components.compute.training_share")
    assert "a share is written as a fraction: 0.3, not 30%" in err.message
    err = error_of(write, POLICY.replace("pause_training",
                                         "{kind: require_human_direction, share: 90%}"))
    assert "a share is written as a fraction: 0.9, not 90%" in err.message


def test_a_tab_suggests_spaces(write):
    err = error_of(write, "name: m\nhorizon: 1 y\ncomponents:\n\tjones: {}\n")
    assert err.line == 4 and "indent with spaces (YAML does not allow tabs)" in err.message


def test_text_choices_get_a_suggestion(write):
    err = error_of(write, "extends: baseline\nname: m\ncomponents:\n  generations:\n"
                          "    cadence: back_to_bak\n")
    assert "(did you mean 'back_to_back'?)" in err.message


def test_shipped_scenarios_by_name_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert rsi_sim.load_scenario("baseline").name == "baseline"
    assert rsi_sim.load_scenario("reference/jones").spec.components["jones"]["phi"] == 0.7
    (tmp_path / "mine.yaml").write_text("extends: baseline\nname: mine\nhorizon: 5 y\n")
    mine = rsi_sim.load_scenario("mine.yaml")
    assert mine.spec.horizon_years() == 5 and "software" in mine.spec.components
    (tmp_path / "other.yaml").write_text("extends: baseline.yaml\nname: other\n")
    assert rsi_sim.load_scenario("other.yaml").name == "other"  # .yaml, no local file: shipped
    with pytest.raises(ScenarioError, match=r"no such file, nor a shipped scenario of that name "
                                            r"\(did you mean 'baseline'\?\)"):
        rsi_sim.load_scenario("basline")


def test_a_local_file_wins_over_a_shipped_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "baseline.yaml").write_text(BASE.replace("mine", "my baseline"))
    assert rsi_sim.load_scenario("baseline.yaml").name == "my baseline"
    (tmp_path / "child.yaml").write_text("extends: baseline.yaml\nname: child\n")
    assert list(rsi_sim.load_scenario("child.yaml").spec.components) == ["jones"]


def test_extends_outside_the_tree_is_still_refused(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b" / "c").mkdir(parents=True)
    (tmp_path / "a" / "secret.yaml").write_text(BASE)
    child = tmp_path / "b" / "c" / "child.yaml"
    child.write_text("extends: ../../a/secret.yaml\nname: c\n")
    with pytest.raises(ScenarioError, match="which is outside"):
        rsi_sim.load_scenario(child)


def test_the_scenarios_command_lists_them(cli):
    res = cli("scenarios")
    assert res.exit_code == 0
    for name in ("baseline", "managed_slowdown", "reference/jones"):
        assert name in res.output


def test_a_variant_does_not_inherit_the_description_of_what_it_extends(tmp_path):
    child = tmp_path / "mine.yaml"
    child.write_text(POLICY)
    sc = rsi_sim.load_scenario(child)
    assert "No policies" not in sc.spec.description
    assert sc.spec.description == "Based on baseline (baseline)."
    child.write_text(POLICY.replace("name: mine", "name: mine\ndescription: my pause"))
    assert rsi_sim.load_scenario(child).spec.description == "my pause"


def test_an_installed_wheel_reads_the_package_data(tmp_path, monkeypatch):
    """After `pip install .` the scenarios are in rsi_sim/_scenarios (copied by setup.py); a
    source checkout reads scenarios/ next to the package."""
    from rsi_sim.scenario import shipped

    package = tmp_path / "site-packages" / "rsi_sim"
    (package / "_scenarios" / "reference").mkdir(parents=True)
    (package / "_scenarios" / "baseline.yaml").write_text(BASE.replace("mine", "installed"))
    (package / "_scenarios" / "reference" / "x.yaml").write_text(BASE)
    monkeypatch.setattr(shipped, "_PACKAGE", package)
    shipped.shipped_dir.cache_clear()
    try:
        assert shipped.shipped_dir() == package / "_scenarios"
        assert shipped.shipped_names() == ["baseline", "reference/x"]
        monkeypatch.chdir(tmp_path)
        assert rsi_sim.load_scenario("baseline").name == "installed"
    finally:
        shipped.shipped_dir.cache_clear()


def test_setup_py_copies_every_shipped_scenario():
    """The build hook copies scenarios/**/*.yaml: every file the repository ships is found."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    text = (root / "setup.py").read_text()
    assert 'rglob("*.yaml")' in text and '"_scenarios"' in text
    from rsi_sim.scenario.shipped import shipped_names

    on_disk = sorted(p.relative_to(root / "scenarios").with_suffix("").as_posix()
                     for p in (root / "scenarios").rglob("*.yaml"))
    assert sorted(shipped_names()) == on_disk
