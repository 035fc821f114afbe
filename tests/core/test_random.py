"""The seeding rule lives in rsi_sim.core.random: its fast path equals numpy's SeedSequence for
every component stream the package draws, and no other module builds a SeedSequence."""

from __future__ import annotations

import ast
import inspect
import sys
from pathlib import Path

import numpy as np
import pytest

import rsi_sim
from rsi_sim.components import REGISTRY
from rsi_sim.core import Model
from rsi_sim.core.random import (
    DEFAULT_SEED,
    DESIGN_KEY,
    SampleSeeds,
    component_key,
    design_seed,
    monte_carlo_seed,
    resolve_seed,
    sample_seed,
    stream_uniforms,
)
from rsi_sim.scenario import load_scenario
from rsi_sim.scenario.schema import ScenarioSpec

PACKAGE = Path(rsi_sim.__file__).parent
VECTORISED = sorted(n for n, c in REGISTRY.items() if hasattr(c, "run_vectorized"))
SEEDS = [0, 1, 2**32 - 1, 2**32, 2**63 - 1]


def _numpy_uniforms(seed: int, start: int, stop: int, k: int, name: str) -> np.ndarray:
    """The component stream computed by numpy itself, one SeedSequence per sample."""
    rows = []
    for i in range(start, stop):
        seq = np.random.SeedSequence(seed, spawn_key=(i, component_key(name)))
        words = seq.generate_state(k, np.uint64)
        rows.append(((words >> np.uint64(11)).astype(float) + 0.5) * 2.0**-53)
    return np.vstack(rows)


def _streams_drawn(name: str, monkeypatch) -> set[tuple[int, str]]:
    """The (k, stream name) pairs component ``name``'s run_vectorized reads."""
    cls = REGISTRY[name]
    module = sys.modules[cls.__module__]
    seen: set[tuple[int, str]] = set()
    if hasattr(module, "stream_uniforms"):
        real = module.stream_uniforms

        def spy(seeds, k, stream):
            seen.add((k, stream))
            return real(seeds, k, stream)

        monkeypatch.setattr(module, "stream_uniforms", spy)
    values = {"sampling": "published"} if "sampling" in cls.params else {}
    cls.run_vectorized(values, SampleSeeds(0, 0, 2), 2026.0, {})
    monkeypatch.undo()
    return seen


def test_the_package_draws_component_streams(monkeypatch):
    drawn = {name: _streams_drawn(name, monkeypatch) for name in VECTORISED}
    # the two published-sampling reference models draw four uniforms from their own stream
    assert drawn["ladder"] == {(4, "ladder")}
    assert drawn["software_doublings"] == {(4, "software_doublings")}


@pytest.mark.parametrize("name", VECTORISED)
@pytest.mark.parametrize("seed", SEEDS)
def test_fast_path_equals_numpy_for_every_component_stream(name, seed, monkeypatch):
    for k, stream in _streams_drawn(name, monkeypatch):
        for start in (0, 12345, 2**32 - 3):
            fast = stream_uniforms(SampleSeeds(seed, start, start + 3), k, stream)
            assert np.array_equal(fast, _numpy_uniforms(seed, start, start + 3, k, stream))


@pytest.mark.parametrize("name", VECTORISED)
def test_run_vectorized_same_on_fast_and_numpy_streams(name):
    cls = REGISTRY[name]
    values = {"sampling": "published"} if "sampling" in cls.params else {}
    fast = cls.run_vectorized(values, SampleSeeds(9, 100, 108), 2026.0, {})
    slow = cls.run_vectorized(values, list(SampleSeeds(9, 100, 108)), 2026.0, {})
    assert set(fast.data_vars) == set(slow.data_vars)
    for v in fast.data_vars:
        assert np.array_equal(fast[v].values, slow[v].values,
                              equal_nan=fast[v].dtype.kind == "f"), v


def test_streams_are_numpy_spawn_children():
    kids = np.random.SeedSequence(42).spawn(6)
    for i in (0, 5):
        assert np.array_equal(sample_seed(42, i).generate_state(4), kids[i].generate_state(4))
        # a sample's Monte Carlo stream is its stream's first child
        assert np.array_equal(monte_carlo_seed(42, i).generate_state(4),
                              kids[i].spawn(1)[0].generate_state(4))
    assert design_seed(42).spawn_key == (DESIGN_KEY,)
    assert all(component_key(n) != 0 for n in REGISTRY)


def test_no_other_module_builds_a_seed_sequence():
    """The rule is written once: SeedSequence(...) and .spawn(...) are called only here."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "core" / "random.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call):
                f = node.func
                name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
                if name in ("SeedSequence", "spawn"):
                    offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {name}")
    assert offenders == []


def test_seed_defaults_once():
    assert ScenarioSpec.model_fields["seed"].default == DEFAULT_SEED
    assert inspect.signature(Model).parameters["seed"].default == DEFAULT_SEED
    spec = load_scenario("scenarios/reference/jones.yaml").spec
    assert resolve_seed(None, spec) == spec.seed
    assert resolve_seed(None, spec, ensemble=True) == spec.seed  # no ensemble.seed in the file
    assert resolve_seed(7, spec, ensemble=True) == 7
