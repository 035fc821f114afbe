"""Shared pytest options for the rsi_sim test suite."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--full",
        action="store_true",
        default=False,
        help="run reference-model checks at the published sample counts (slower)",
    )


@pytest.fixture
def full(request: pytest.FixtureRequest) -> bool:
    """True when pytest was given ``--full``: use published sample counts and tolerances."""
    return bool(request.config.getoption("--full"))
