"""Shared fixtures: paths of shipped scenarios, a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


@pytest.fixture
def scenarios() -> Path:
    return SCENARIOS


@pytest.fixture
def cli():
    """Invoke ``rsi-sim`` in-process: ``cli("run", path, "-o", out)`` → result (exit_code, output)."""
    from rsi_sim.cli import app

    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(app, [str(a) for a in args])

    return invoke


@pytest.fixture
def write(tmp_path):
    """Write a scenario file into a temporary directory and return its path."""

    def _write(text: str, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text)
        return path

    return _write


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--full",
        action="store_true",
        default=False,
        help="run reference-model checks at the published sample counts (slower)",
    )
    parser.addoption(
        "--fuzz-long",
        action="store_true",
        default=False,
        help="tests/reliability: thousands of fuzz cases instead of the CI few hundred "
        "(same as RSI_SIM_FUZZ=long)",
    )


@pytest.fixture
def full(request: pytest.FixtureRequest) -> bool:
    """True when pytest was given ``--full``: use published sample counts and tolerances."""
    return bool(request.config.getoption("--full"))
