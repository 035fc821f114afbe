"""Hostile scenario files through the real command line: every case either runs and gives a sane
Dataset, or fails with exit status 2 and one error line naming the file (and, where the problem
sits in the file, its line) — never a traceback, a hang or a memory blow-up.

Cases are valid scenarios (the shipped Jones file and a small one using every section) mutated
by hypothesis: wrong types, missing, unknown and non-string keys, extreme and negative numbers,
NaN/inf, huge integers and strings, deep nesting, duplicate keys, alias bombs, Python and custom
tags, non-UTF-8 bytes, byte-level garbage, empty files, a directory instead of a file, and
``extends`` loops and escapes. The number of generated cases is printed at the end of the
pytest run ("rsi_sim fuzz cases"). Profiles: CI (a few hundred cases) by default;
``--fuzz-long`` or ``RSI_SIM_FUZZ=long`` for thousands.
"""

from __future__ import annotations

import math
import os
import re
import resource
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import xarray as xr
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from rsi_sim.cli import app
from rsi_sim.components import REGISTRY
from rsi_sim.testing import time_limit

ROOT = Path(__file__).resolve().parents[2]
LONG = os.environ.get("RSI_SIM_FUZZ", "").lower() == "long"
#: Examples per fuzz test: 4 tests, so about 240 cases in CI and 8,000 in the long profile.
EXAMPLES = 2000 if LONG else 60
#: Wall-clock limit of one case (validate + run), and the resident-memory growth allowed.
CASE_SECONDS = 60
CASE_MEMORY_MB = 600
#: A file this case creates if any YAML tag ever executes code.
MARKER = "PWNED"

SMALL = """\
name: small
description: a small valid scenario that uses every section
start: 2026-01-01
horizon: 4 y
seed: 3
outputs:
  step: 3 months
solver:
  method: RK45
  rtol: 1.0e-6
  max_step: 0.5
components:
  jones:
    delta: 0.1
    lam: 0.4
    phi: 0.3
    A0: 2.0
milestones:
  double: A >= 4
  later:
    when: double and date >= 2027-01-01
    description: doubled, after 2027
stop: A >= 1000
"""
BASES = {
    "jones": (ROOT / "scenarios" / "reference" / "jones.yaml").read_text(),
    "small": SMALL,
}
BASE_DATA = {k: yaml.safe_load(v) for k, v in BASES.items()}




def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB


# ---- the cases -----------------------------------------------------------------------------


@dataclass
class Case:
    """Files to write (relative path → bytes, or None for a directory) and the one to load."""

    kind: str
    files: dict[str, bytes | None]
    main: str = "proj/main.yaml"
    key: tuple | None = None  # the key path a tree mutation changed, when there is one
    symlinks: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:  # hypothesis prints it on failure: keep it readable
        shown = {k: (v[:300] if v else v) for k, v in self.files.items()}
        return f"Case({self.kind!r}, key={self.key!r}, main={self.main!r}, files={shown!r})"


def _nested(depth: int, kind: str) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value] if kind == "list" else {"k": value}
    return value


EXTREME_NUMBERS = [0, -0.0, -1, 1, 0.5, 1e-300, -1e-300, 5e-324, 1e300, -1e300, 1.7976931348623157e308,
                   2**31, 2**53 + 1, 2**63 - 1, 2**63, -(2**63), 10**19, 10**400, -(10**400),
                   math.nan, math.inf, -math.inf, 1e9, 1e-9, 10, 100, 2200]
HOSTILE_TEXT = [
    "", " ", "~", "null", "yes", "1e9 y", "1e400 y", "-3 months", "nan y", "inf years", "0 d",
    "1e-12 h", "3 parsecs", "12", "1e27 FLOP", "2026-13-45", "0001-01-01", "9999-12-31",
    "1899-12-31", "2200-01-01", "A >= ", ">= 5", "A >= 1 and", "(A >= 1", "A == 2", "date >= 5",
    "__import__('os').system('touch PWNED')", "1 if 1 else 0", "A >= 1; import os",
    "A >= 1 " + "or A >= 2 " * 80, "(" * 30 + "A >= 1" + ")" * 30, "A >= 1e400", "A >= nan",
    "\u202e\u0000\ufffd", "é" * 300, "{{ seed }}", "$(touch PWNED)", "../../etc/passwd",
]
hostile_values = st.one_of(
    st.sampled_from(EXTREME_NUMBERS),
    st.sampled_from(HOSTILE_TEXT),
    st.floats(),
    st.integers(),
    st.booleans(),
    st.none(),
    st.text(max_size=40),
    st.builds(lambda n, c: c * n, st.integers(100, 30_000), st.sampled_from("x9é🙂 ")),
    st.dates(),
    st.lists(st.integers() | st.text(max_size=5), max_size=4),
    st.dictionaries(st.text(max_size=8), st.integers() | st.none(), max_size=3),
    st.builds(_nested, st.integers(2, 80), st.sampled_from(["list", "dict"])),
)
hostile_keys = st.one_of(st.text(max_size=30), st.integers(), st.booleans(), st.none(),
                         st.floats(), st.sampled_from(["horizn", "Name", "components ", "extends"]))


def _paths(node: Any, prefix: tuple = ()) -> Iterator[tuple]:
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))


def _get(node: Any, path: tuple) -> Any:
    for p in path:
        node = node[p]
    return node


def _bound_values(path: tuple) -> list[Any]:
    """For ``components.<c>.<p>``: the declared bounds and just beyond them."""
    if len(path) != 3 or path[0] != "components" or path[1] not in REGISTRY:
        return []
    param = REGISTRY[path[1]].params.get(path[2])
    if param is None or param.kind not in (int, float):
        return []
    out = []
    for b in param.bounds:
        if b is not None:
            out += [b, np.nextafter(b, math.inf).item(), np.nextafter(b, -math.inf).item(),
                    b * 10 if b else 1e-300, -b]
    return out


def _dump(data: Any) -> bytes:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode()


def _change_one(draw, data: dict) -> tuple[str, tuple]:
    """Change one place in ``data``; return what was done and the key path changed."""
    paths = [p for p in _paths(data) if p]
    if not paths:
        data["name"] = draw(hostile_values)
        return "replace", ("name",)
    path = draw(st.sampled_from(paths))
    parent = _get(data, path[:-1])
    op = draw(st.sampled_from(["replace", "replace", "replace", "bounds", "delete", "add", "rename"]))
    if op == "bounds" and not _bound_values(path):
        op = "replace"
    if op == "replace":
        parent[path[-1]] = draw(hostile_values)
    elif op == "bounds":
        parent[path[-1]] = draw(st.sampled_from(_bound_values(path)))
    elif op == "delete":
        del parent[path[-1]]
    else:  # add a key, or rename one (a typo)
        target = parent if op == "rename" or draw(st.booleans()) else data
        key = draw(hostile_keys)
        if key in target:
            return f"{op}-existing", path
        target[key] = parent.pop(path[-1]) if op == "rename" else draw(hostile_values)
        path = (*path[:-1], key) if target is parent else (key,)
    return op, path


@st.composite
def tree_cases(draw, changes: int = 1) -> Case:
    """Parse a valid file, change ``changes`` places in it, write it back."""
    base = draw(st.sampled_from(sorted(BASES)))
    data = yaml.safe_load(BASES[base])
    done = [_change_one(draw, data) for _ in range(changes)]
    try:
        text = _dump(data)
    except (yaml.YAMLError, RecursionError):
        text = BASES[base].encode()
    if changes == 1:
        return Case(f"tree:{done[0][0]}", {"proj/main.yaml": text}, key=done[0][1])
    return Case(f"tree:{changes} changes", {"proj/main.yaml": text})


TAGS = ["!!python/object/apply:os.system", "!!python/object/new:os.system",
        "!!python/object:os.system", "!!python/name:os.system", "!!python/module:os",
        "!!python/tuple", "!!python/unicode", "!!python/bytes", "!!binary", "!!set", "!!omap",
        "!!pairs", "!custom", "!", "!<tag:example.com,2024:x>", "!!int", "!!float", "!!str",
        "!!bool", "!!timestamp", "!!null", "!!merge", "!!value"]


TEXT_OPS = ["duplicate", "bomb", "anchor", "tag", "bytes", "garbage", "delete", "nest", "whole",
            "line-endings"]


@st.composite
def text_cases(draw, op: str) -> Case:
    """Change the text or bytes of a valid file (``op``: one of :data:`TEXT_OPS`)."""
    base = draw(st.sampled_from(sorted(BASES)))
    text = BASES[base]
    lines = text.splitlines(keepends=True)
    if op == "duplicate":
        keyed = [i for i, ln in enumerate(lines) if re.match(r"\s*[\w ]+:", ln)]
        i = draw(st.sampled_from(keyed))
        lines.insert(i + 1, lines[i])
        out = "".join(lines).encode()
    elif op == "bomb":
        width, depth = draw(st.integers(2, 12)), draw(st.integers(2, 12))
        bomb = f"bomb0: &b0 [{', '.join(['lol'] * width)}]\n" + "".join(
            f"bomb{i}: &b{i} [{', '.join([f'*b{i - 1}'] * width)}]\n" for i in range(1, depth))
        out = (text + bomb).encode()
    elif op == "anchor":  # anchors and aliases used the way a person might: still plain data
        out = (text.replace("horizon:", "horizon: &h", 1).rstrip("\n") + "\nx: *h\n").encode()
    elif op == "tag":
        tag = draw(st.sampled_from(TAGS))
        shape = draw(st.sampled_from(["scalar", "seq", "map", "document", "key-value"]))
        cmd = f"touch {MARKER}"
        value = {"scalar": f"{tag} '{cmd}'", "seq": f"{tag} ['{cmd}']",
                 "map": f"{tag} {{cmd: '{cmd}'}}", "document": "", "key-value": f"{tag} x"}[shape]
        if shape == "document":
            out = (f"--- {tag}\n" + text).encode()
        else:
            where = draw(st.sampled_from(["new", "name", "param"]))
            if where == "new":
                out = (text + f"extra: {value}\n").encode()
            elif where == "name":
                out = re.sub(r"(?m)^name: .*$", f"name: {value}", text, count=1).encode()
            else:
                out = re.sub(r"(?m)^(    delta:) .*$", rf"\1 {value}", text, count=1).encode()
    elif op == "bytes":
        raw = text.encode()
        at = draw(st.integers(0, len(raw)))
        junk = draw(st.sampled_from([b"\xff", b"\xfe\xff", b"\xc3\x28", b"\x80", b"\xed\xa0\x80",
                                     b"\x00", b"\x1b[31m"]) | st.binary(min_size=1, max_size=20))
        out = raw[:at] + junk + raw[at:]
    elif op == "garbage":
        raw = text
        at = draw(st.integers(0, len(raw)))
        junk = draw(st.text(max_size=20) | st.sampled_from(
            [":", "- ", "  ", "\t", "{", "[", "]", "}", "'", '"', "#", "&", "*", "!", "|", ">", "%",
             "@", "`", "? ", "---\n", "...\n", "\n  x: 1\n"]))
        out = (raw[:at] + junk + raw[at:]).encode()
    elif op == "delete":
        a = draw(st.integers(0, len(text)))
        b = draw(st.integers(a, min(len(text), a + 40)))
        out = (text[:a] + text[b:]).encode()
    elif op == "nest":
        depth = draw(st.integers(30, 20_000))
        kind = draw(st.sampled_from(["flow-list", "flow-map", "block"]))
        if kind == "flow-list":
            deep = "[" * depth + "]" * depth
        elif kind == "flow-map":
            deep = "{a: " * depth + "1" + "}" * depth
        else:
            depth = min(depth, 400)  # block nesting grows quadratically in bytes
            deep = "\n" + "".join("  " * (i + 1) + "k:\n" for i in range(depth))
        out = (text + f"deep: {deep}\n").encode()
    elif op == "whole":
        out = draw(st.sampled_from([
            b"", b"   \n\n", b"# only a comment\n", b"---\n", b"---\n...\n", b"~\n", b"[]\n", b"42\n",
            b"'just text'\n", b"\xef\xbb\xbf", ("\ufeff" + text).encode(), b"\x00" * 64,
            (text + "---\nname: second\n").encode(), b"{" * 50, text.encode() * 3,
            b"x" * 2_100_000, ("a: " + "b" * 1_000_000 + "\n").encode(),
        ]))
    else:  # line-endings and indentation
        style = draw(st.sampled_from(["crlf", "cr", "tabs", "trailing-spaces", "no-final-newline"]))
        out = {"crlf": text.replace("\n", "\r\n"), "cr": text.replace("\n", "\r"),
               "tabs": text.replace("  ", "\t"), "trailing-spaces": text.replace("\n", "   \n"),
               "no-final-newline": text.rstrip("\n")}[style].encode()
    return Case(f"text:{op}", {"proj/main.yaml": out})


GOOD_BASE = SMALL.encode()


STRUCTURE_OPS = ["directory", "missing", "self-extends", "loop2", "loop3", "chain", "extends-dir",
                 "extends-nonyaml", "extends-passwd", "extends-up", "extends-symlink",
                 "extends-good", "extends-value", "extends-bad-base"]


@st.composite
def structure_cases(draw, op: str) -> Case:
    """Files that are not where they should be: directories, missing files, extends chains."""
    child = b"extends: %s\nname: child\n"
    if op == "directory":
        return Case(op, {"proj/main.yaml": None})
    if op == "missing":
        return Case(op, {"proj/other.yaml": GOOD_BASE})
    if op == "self-extends":
        return Case(op, {"proj/main.yaml": child % b"main.yaml"})
    if op == "loop2":
        return Case(op, {"proj/main.yaml": child % b"b.yaml", "proj/b.yaml": child % b"main.yaml"})
    if op == "loop3":
        return Case(op, {"proj/main.yaml": child % b"b.yaml", "proj/b.yaml": child % b"sub/c.yaml",
                         "proj/sub/c.yaml": child % b"../main.yaml"})
    if op == "chain":
        n = draw(st.integers(2, 14))
        files = {f"proj/f{i}.yaml": child % f"f{i + 1}.yaml".encode() for i in range(n)}
        files[f"proj/f{n}.yaml"] = GOOD_BASE
        files["proj/main.yaml"] = child % b"f0.yaml"
        return Case(op, files)
    if op == "extends-dir":
        return Case(op, {"proj/main.yaml": child % b"sub.yaml", "proj/sub.yaml/x.yaml": GOOD_BASE})
    if op == "extends-nonyaml":
        return Case(op, {"proj/main.yaml": child % b"base.txt", "proj/base.txt": GOOD_BASE})
    if op == "extends-passwd":
        return Case(op, {"proj/main.yaml": child % draw(st.sampled_from(
            [b"/etc/passwd", b"/etc/shadow", b"/proc/self/environ", b"/dev/zero", b"/dev/urandom"]))})
    if op == "extends-up":  # a valid .yaml outside the allowed tree
        return Case(op, {"top/proj/sub/main.yaml": child % b"../../../outside.yaml",
                         "outside.yaml": GOOD_BASE}, main="top/proj/sub/main.yaml")
    if op == "extends-symlink":
        target = draw(st.sampled_from(["/etc/passwd", "../outside.yaml", "/dev/zero"]))
        return Case(op, {"proj/main.yaml": child % b"link.yaml", "outside.yaml": GOOD_BASE},
                    symlinks={"proj/link.yaml": target})
    if op == "extends-good":
        return Case(op, {"proj/sub/main.yaml": child % b"../base.yaml", "proj/base.yaml": GOOD_BASE},
                    main="proj/sub/main.yaml")
    if op == "extends-value":
        value = draw(hostile_values)
        return Case(op, {"proj/main.yaml": _dump({"extends": value, "name": "child"})})
    # extends-bad-base: the error is in the base file and must name it
    bad = draw(st.sampled_from([b"phi: [", b"name: [1]\n", b"horizon: -1 y\n", b"\xff\xfe",
                                b"x: !!python/name:os.system\n", b""]))
    return Case(op, {"proj/main.yaml": child % b"base.yaml", "proj/base.yaml": GOOD_BASE + bad})


def write_case(case: Case, root: Path) -> Path:
    for rel, content in case.files.items():
        p = root / rel
        if content is None:
            p.mkdir(parents=True, exist_ok=True)
        else:
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(content)
    for rel, target in case.symlinks.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.symlink_to(target)
    (root / Path(case.main).parent).mkdir(parents=True, exist_ok=True)
    return root / case.main


# ---- the checks ----------------------------------------------------------------------------

RUNNER = CliRunner()


def check_user_error(result, case: Case, root: Path) -> None:
    text = " ".join(result.output.split())
    assert result.exit_code == 2, f"exit {result.exit_code}: {text[:2000]}"
    assert "Traceback" not in result.output and "internal error" not in result.output, text[:2000]
    assert text.startswith("error:"), text[:500]
    assert len(result.output) < 5_000, f"error message of {len(result.output)} characters"
    # the file named is one of the case's files (the main one or an extends target)
    named = [str(root / rel) for rel in (*case.files, *case.symlinks)] + [str(root / case.main)]
    assert any(n in text for n in named), f"no file named in: {text[:500]}"
    if case.key is not None and case.kind in ("tree:replace", "tree:bounds", "tree:add", "tree:rename"):
        # the changed key is in the file, so a problem with it is located by line
        assert re.search(r", line \d+:", text) or "required key is missing" in text, text[:500]


def check_dataset(path: Path, scenario: Path) -> None:
    from rsi_sim import load_scenario

    model = load_scenario(scenario).build_model()
    positive = {s.name for s in model.stocks if s.log}
    with xr.open_dataset(path) as ds:
        ds = ds.load()
    t = ds["time"].values
    assert len(t) >= 2 and np.all(np.diff(t) > 0)
    assert math.isclose(t[0], model.start_year)
    diverged = bool(ds["diverged"])
    if diverged:
        assert 0 <= float(ds["divergence_time"]) <= model.horizon + 1e-9
    for name, var in ds.data_vars.items():
        if var.dims != ("time",) or var.dtype.kind != "f":
            continue
        v = var.values
        finite = np.isfinite(v)
        # NaN only after the run ended (divergence or a stop condition), never in the middle
        n = int(finite.sum())
        assert n >= 1 and finite[:n].all(), f"{name}: non-finite values inside the run"
        if ds.attrs.get("stop_reason") == "horizon" and not diverged:
            assert finite.all(), f"{name}: NaN although the run reached its horizon"
        if name in positive:
            assert (v[:n] > 0).all(), f"{name} is a positive stock but went to {v[:n].min()}"
    years = ds["milestone_year"].values
    ok = np.isnan(years) | ((years >= t[0] - 1e-9) & (years <= t[-1] + 1e-9))
    assert ok.all(), years


def run_case(case: Case, counts) -> None:
    counts["cases"] += 1
    counts[f"kind {case.kind}"] += 1
    started = time.perf_counter()
    try:
        _run_case(case, counts)
    finally:
        counts["seconds"] += time.perf_counter() - started


def _run_case(case: Case, counts) -> None:
    before = rss_mb()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = write_case(case, root)
        cwd = os.getcwd()
        os.chdir(root / "proj" if (root / "proj").is_dir() else root)  # a tag's `touch` lands here
        try:
            with time_limit(CASE_SECONDS):
                result = RUNNER.invoke(app, ["validate", str(path)])
                if result.exit_code == 0:
                    counts["validate ok"] += 1
                    out = root / "out.nc"
                    ran = RUNNER.invoke(app, ["run", str(path), "-o", str(out), "-q"])
                    if ran.exit_code == 0:
                        counts["run ok"] += 1
                        check_dataset(out, path)
                    else:
                        counts["run refused (exit 2)"] += 1
                        check_user_error(ran, case, root)
                else:
                    counts["validate refused (exit 2)"] += 1
                    check_user_error(result, case, root)
        finally:
            os.chdir(cwd)
        created = [p for p in root.rglob(f"*{MARKER}*")] + list(Path(cwd).glob(f"*{MARKER}*"))
        assert not created, f"a YAML tag executed code: {created}"
    grown = rss_mb() - before
    assert grown < CASE_MEMORY_MB, f"peak memory grew by {grown:.0f} MB"


def fuzz(examples: int):
    return settings(max_examples=examples, deadline=None, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.large_base_example,
                                           HealthCheck.function_scoped_fixture])


FUZZ = fuzz(EXAMPLES)


@FUZZ
@given(case=tree_cases())
def test_changed_values_and_keys(case, fuzz_counts):
    run_case(case, fuzz_counts)


@pytest.mark.parametrize("op", TEXT_OPS)
def test_changed_text_and_bytes(op, fuzz_counts):
    @fuzz(max(5, 8 * EXAMPLES // 60))
    @given(case=text_cases(op))
    def check(case):
        run_case(case, fuzz_counts)

    check()


@pytest.mark.parametrize("op", STRUCTURE_OPS)
def test_files_and_extends(op, fuzz_counts):
    @fuzz(max(3, 4 * EXAMPLES // 60))
    @given(case=structure_cases(op))
    def check(case):
        run_case(case, fuzz_counts)

    check()


@FUZZ
@given(case=st.integers(2, 6).flatmap(tree_cases))
def test_several_changes_at_once(case, fuzz_counts):
    run_case(case, fuzz_counts)


@pytest.mark.parametrize("base", sorted(BASES))
def test_the_unmutated_bases_run(base, fuzz_counts):
    run_case(Case("base", {"proj/main.yaml": BASES[base].encode()}), fuzz_counts)
    assert fuzz_counts["run ok"] >= 1
