"""Safe loading: no YAML tag constructs Python objects or runs code; ``extends`` cannot reach
files outside the scenario's directory and its parent's; output paths are checked before a run;
conditions are parsed by a small grammar, never ``eval``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rsi_sim import load_scenario
from rsi_sim.core.conditions import ConditionSyntaxError, parse_condition
from rsi_sim.core.errors import ScenarioError

GOOD = """\
name: safe
horizon: 2 y
components:
  jones:
    phi: 0.3
"""
JONES = Path(__file__).resolve().parents[2] / "scenarios" / "reference" / "jones.yaml"

# Every tag that could make PyYAML build a Python object, plus custom and rarely used ones.
DANGEROUS = [
    "!!python/object/apply:os.system",
    "!!python/object/new:os.system",
    "!!python/object:builtins.object",
    "!!python/name:os.system",
    "!!python/module:os",
    "!!python/tuple",
    "!!python/bytes",
    "!!python/complex",
    "!!python/long",
    "!!binary",
    "!!set",
    "!!omap",
    "!!pairs",
    "!custom",
    "!<tag:yaml.org,2002:python/object/apply:os.system>",
]
SHAPES = {
    "scalar": "{tag} 'touch {marker}'",
    "sequence": "{tag} ['touch {marker}']",
    "mapping": "{tag} {{args: ['touch {marker}']}}",
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("tag", DANGEROUS)
@pytest.mark.parametrize("where", ["new key", "parameter", "document"])
def test_tags_are_refused_and_nothing_runs(tmp_path, monkeypatch, cli, tag, shape, where):
    monkeypatch.chdir(tmp_path)
    marker = tmp_path / "PWNED"
    value = SHAPES[shape].format(tag=tag, marker=marker)
    if where == "new key":
        text = GOOD + f"extra: {value}\n"
    elif where == "parameter":
        text = GOOD.replace("phi: 0.3", f"phi: {value}")
    else:
        text = f"--- {tag}\n" + GOOD if shape == "mapping" else f"--- {value}\n"
    path = tmp_path / "tagged.yaml"
    path.write_text(text)
    result = cli("validate", path)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert str(path) in " ".join(result.output.split())
    assert not marker.exists()
    if where != "document":
        assert "line " in result.output


def test_the_error_for_a_tag_says_what_is_allowed(write):
    path = write(GOOD + "x: !!python/object/apply:os.system ['echo hacked']\n")
    with pytest.raises(ScenarioError, match="unsupported YAML tag") as info:
        load_scenario(path)
    assert info.value.line == 6 and "plain values only" in str(info.value)


def test_merge_keys_are_refused(write):
    with pytest.raises(ScenarioError, match="merge keys"):
        load_scenario(write("base: &b {phi: 0.3}\n" + GOOD.replace("    phi: 0.3", "    <<: *b")))


# ---- extends ---------------------------------------------------------------------------------

@pytest.fixture
def tree(tmp_path):
    """tmp/top/proj/sub/main.yaml, its parent proj/, and a valid scenario outside top/."""
    sub = tmp_path / "top" / "proj" / "sub"
    sub.mkdir(parents=True)
    (tmp_path / "outside.yaml").write_text(GOOD)
    (tmp_path / "top" / "proj" / "base.yaml").write_text(GOOD)
    return sub


def _extends(sub: Path, target: str) -> Path:
    main = sub / "main.yaml"
    main.write_text(f"extends: {target}\nname: child\n")
    return main


def test_extends_may_reach_the_parent_directory(tree):
    assert load_scenario(_extends(tree, "../base.yaml")).name == "child"
    assert load_scenario(_extends(tree, str(tree.parent / "base.yaml"))).name == "child"


@pytest.mark.parametrize("target", ["../../../outside.yaml", "{abs_outside}", "../../../../../../../etc/x.yaml"])
def test_extends_cannot_leave_the_scenario_tree(tree, target):
    outside = tree.parents[2] / "outside.yaml"
    with pytest.raises(ScenarioError, match="outside") as info:
        load_scenario(_extends(tree, target.format(abs_outside=outside)))
    assert info.value.key == "extends" and info.value.line == 1


@pytest.mark.parametrize("target", ["/etc/passwd", "/etc/shadow", "/proc/self/environ", "base.txt",
                                    "sub", "/dev/zero", "../base.yml/"])
def test_extends_must_name_a_yaml_file(tree, target):
    (tree / "base.txt").write_text("password: hunter2\n")
    (tree / "sub").mkdir()
    with pytest.raises(ScenarioError) as info:
        load_scenario(_extends(tree, target))
    assert info.value.key == "extends"
    assert "hunter2" not in str(info.value) and "root:" not in str(info.value)


def test_extends_through_a_symlink_follows_the_rules_for_the_real_file(tree):
    (tree / "passwd.yaml").symlink_to("/etc/passwd")
    with pytest.raises(ScenarioError, match="must name a .yaml file") as info:
        load_scenario(_extends(tree, "passwd.yaml"))
    assert "root:" not in str(info.value)
    (tree / "escape.yaml").symlink_to(tree.parents[2] / "outside.yaml")
    with pytest.raises(ScenarioError, match="outside"):
        load_scenario(_extends(tree, "escape.yaml"))
    (tree / "inside.yaml").symlink_to(tree.parent / "base.yaml")
    assert load_scenario(_extends(tree, "inside.yaml")).name == "child"


@pytest.mark.parametrize("target", ["a\\0b.yaml", "loop.yaml", "x" * 5000 + ".yaml"])
def test_extends_to_unusable_paths(tree, target):
    (tree / "loop.yaml").symlink_to(tree / "loop.yaml")
    with pytest.raises(ScenarioError) as info:
        load_scenario(_extends(tree, f'"{target}"'))
    assert info.value.key == "extends" and info.value.line == 1


def test_extends_to_a_directory_named_like_yaml(tree):
    (tree / "dir.yaml").mkdir()
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenario(_extends(tree, "dir.yaml"))


def test_a_broken_base_file_is_named_in_the_error(tree):
    (tree / "base.yaml").write_bytes(b"name: base\nphi: [\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(_extends(tree, "base.yaml"))
    assert info.value.file == str(tree / "base.yaml")


# ---- output paths ----------------------------------------------------------------------------

def _listing(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.mark.parametrize(("make", "words"), [
    (lambda d: d / "x.xlsx", "unknown output type"),
    (lambda d: d / "x", "unknown output type"),
    (lambda d: d / "nope" / "x.nc", "does not exist"),
    (lambda d: (d / "dir.nc").mkdir() or d / "dir.nc", "is a directory"),
    (lambda d: (d / "file").write_text("x") and d / "file" / "x.nc", "not a directory"),
    (lambda d: Path("/proc/rsi_sim_test.nc"), "cannot write"),
])
def test_bad_output_paths_fail_before_running_and_create_nothing(tmp_path, cli, make, words):
    out = make(tmp_path)
    before = _listing(tmp_path)
    result = cli("run", JONES, "-o", out)
    assert result.exit_code == 2, result.output
    assert words in result.output and "Traceback" not in result.output
    assert "growth diverged" not in result.output  # the summary of a run: it never started
    assert _listing(tmp_path) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write in read-only directories")
def test_a_read_only_directory_fails_before_running(tmp_path, cli):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        result = cli("run", JONES, "-o", ro / "x.nc")
        assert result.exit_code == 2 and "not writable" in result.output
        assert list(ro.iterdir()) == []
    finally:
        ro.chmod(0o755)


# ---- conditions ------------------------------------------------------------------------------

INJECTIONS = [
    "__import__('os').system('touch PWNED')",
    "1 if 1 else 0",
    "A >= 1 if True else 0",
    "A >= (lambda: 1)()",
    "A >= 1; import os",
    "A >= 1 and open('x')",
    "A >= 1e400",
    "A >= nan",
    "A >= 0x10",
    "[A for A in ()]",
    "A >= 1 or " * 100 + "A >= 2",
    "(" * 50 + "A >= 1" + ")" * 50,
    "A >= 1 #",
    "A >= `id`",
    "A >= ${HOME}",
    "not A >= 1",
    "A == 1",
    "",
    "   ",
]


@pytest.mark.parametrize("text", INJECTIONS)
def test_conditions_are_parsed_never_evaluated(text, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    calls = []
    monkeypatch.setattr("builtins.eval", lambda *a, **k: calls.append(a))
    monkeypatch.setattr("builtins.exec", lambda *a, **k: calls.append(a))
    with pytest.raises(ConditionSyntaxError):
        parse_condition(text)
    assert calls == [] and not (tmp_path / "PWNED").exists()


def test_attribute_like_names_are_just_unknown_names(write):
    # Dotted names are variable names in the grammar; the model has no 'A.__class__', so it is
    # refused as unknown rather than looked up on a Python object.
    path = write(GOOD + "stop: A.__class__ >= 1\n")
    with pytest.raises(ScenarioError, match="unknown name"):
        load_scenario(path).build_model()


@pytest.mark.parametrize("module", ["rsi_sim.core.conditions", "rsi_sim.scenario.yamlio",
                                    "rsi_sim.scenario.load", "rsi_sim.scenario.schema"])
def test_no_code_evaluation_in_the_loading_path(module):
    import ast
    import importlib

    tree = ast.parse(Path(importlib.import_module(module).__file__).read_text())
    called = {node.func.id for node in ast.walk(tree)
              if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert not called & {"eval", "exec", "compile", "__import__"}
    attrs = {node.func.attr for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)}
    assert not attrs & {"unsafe_load", "full_load", "load_all"}


BOMB = "{a: &a [x,x,x,x,x,x,x,x,x], " + ", ".join(
    f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]" for p, c in zip("abcdefg", "bcdefgh", strict=True)) + "}"


@pytest.mark.parametrize("value", [BOMB, "!!python/object/apply:os.system ['touch PWNED']",
                                   "[" * 5000 + "]" * 5000])
def test_set_values_obey_the_file_limits(cli, tmp_path, monkeypatch, value):
    monkeypatch.chdir(tmp_path)
    result = cli("validate", JONES, "--set", f"components.jones.phi={value}")
    assert result.exit_code == 2 and result.output.startswith("error: --set")
    assert len(result.output) < 2000 and not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("value", ["!!int 'touch PWNED'", "!!float abc", "!!bool maybe",
                                   "!!timestamp 2020-99-99", "!!timestamp 'touch PWNED'", "!!int 0x",
                                   "!!null x", "!!float"])
def test_standard_tags_with_values_they_cannot_read(write, value):
    with pytest.raises(ScenarioError) as info:
        load_scenario(write(GOOD.replace("horizon: 2 y", f"horizon: {value}")))
    assert info.value.line == 2 and info.value.key == "horizon"


def test_integers_beyond_float_range(write):
    huge = "1" + "0" * 400
    for text in (GOOD.replace("2 y", huge), GOOD.replace("phi: 0.3", f"phi: {huge}"),
                 GOOD + f"seed: {huge}\n", GOOD + f"solver:\n  rtol: {huge}\n"):
        with pytest.raises(ScenarioError) as info:
            load_scenario(write(text))
        assert info.value.line and len(str(info.value)) < 400


# ---- ensemble output stores ------------------------------------------------------------------

JONES_ENSEMBLE = JONES.parent / "jones_ensemble.yaml"
ENSEMBLE = ["ensemble", JONES_ENSEMBLE, "-n", "4", "--batch-size", "2", "--set", "horizon=2 y"]


def _contents(root: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None)
            for p in sorted(root.rglob("*"))}


def _other_store(d: Path) -> Path:
    from rsi_sim import run_ensemble

    path = d / "other.zarr"
    run_ensemble(JONES_ENSEMBLE, 2, overrides={"horizon": "1 y"}, output=path)
    return path


@pytest.mark.parametrize(("make", "resume", "words"), [
    (lambda d: (d / "f.zarr").write_text("x") and d / "f.zarr", False, "is an existing file"),
    (lambda d: (d / "f.zarr").write_text("x") and d / "f.zarr", True, "is a file, not an rsi_sim ensemble store"),
    (_other_store, False, "already exists; pass --resume"),
    (_other_store, True, "it was made from a different scenario"),
    (lambda d: (d / "empty.zarr").mkdir() or d / "empty.zarr", True, "not an rsi_sim ensemble store"),
    (lambda d: d / "e.zip", False, "an ensemble is written to .zarr (streamed) or .nc"),
    (lambda d: d / "e", False, "an ensemble is written to .zarr (streamed) or .nc"),
    (lambda d: d / "nope" / "e.zarr", False, "the directory"),
    (lambda d: d / "nope" / "e.zarr", True, "nothing to resume"),
    (lambda d: d / "nope" / "e.nc", False, "does not exist"),
    (lambda d: d / "nope" / "e.nc", True, "--resume needs a .zarr output store"),
    (lambda d: Path("/proc/rsi_sim_test.zarr"), False, "cannot create the store"),
], ids=["file", "file-resume", "other-scenario", "other-scenario-resume", "empty-dir-resume",
        "unknown-ext", "no-ext", "no-parent", "no-parent-resume", "nc-no-parent", "nc-resume",
        "unwritable-dir"])
def test_zarr_output_paths_fail_before_running(tmp_path, cli, monkeypatch, make, resume, words):
    """A bad ensemble output path exits 2 with a clear message before any sample runs, and
    creates or changes nothing."""
    from rsi_sim.ensemble import evaluators

    out = make(tmp_path)
    before = _contents(tmp_path)
    ran = []
    monkeypatch.setattr(evaluators, "evaluate_batch", lambda job, batch: ran.append(batch))
    result = cli(*ENSEMBLE, "-o", out, *(["--resume"] if resume else []))
    assert result.exit_code == 2, result.output
    assert words in " ".join(result.output.split()), result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert ran == []
    assert _contents(tmp_path) == before
