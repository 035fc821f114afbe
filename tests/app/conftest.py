"""Fixtures of the app's tests: the catalog of the shipped baseline."""

from __future__ import annotations

from pathlib import Path

import pytest

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
BASELINE = SCENARIOS / "baseline.yaml"


@pytest.fixture(scope="session")
def catalog():
    from rsi_sim.app.settings import Catalog

    return Catalog.load(BASELINE)
