"""Short baseline-derived runs for the policy tests (a 4-year horizon keeps each run fast)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from rsi_sim import run
from rsi_sim.scenario import parse_scenario_text

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"


def scenario_with(policies: dict | None = None, horizon: str = "2030-01-01", **generations):
    """The baseline with reviews as short as allowed (review = min_review_duration, no queue),
    a shorter horizon, milestones on the deployed generation index, and ``policies``."""
    data = yaml.safe_load(BASELINE.read_text())
    data["horizon"] = horizon
    data["components"]["generations"].update({"review_effort_hours": 0, **generations})
    data["milestones"] = {**data["milestones"], "gen8": "generation >= 8", "gen12": "generation >= 12"}
    if policies:
        data["policies"] = policies
    return parse_scenario_text(yaml.safe_dump(data, sort_keys=False), "test.yaml")


def events(ds, kind: str, source: str | None = None) -> list[tuple[float, dict]]:
    out = []
    for t, k, s, d in zip(ds["event_time"].values, ds["event_kind"].values, ds["event_source"].values,
                          ds["event_detail"].values, strict=True):
        if k == kind and (source is None or s == source):
            out.append((float(t), json.loads(d)))
    return out


@pytest.fixture(scope="session")
def plain_run():
    return run(scenario_with())


def starts(ds) -> np.ndarray:
    return ds["gen_training_start"].values
