"""`rsi-sim compare` and rsi_sim.compare: one seed, a scenario dimension, a table, two files."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import rsi_sim
from rsi_sim.analysis.compare import comparison_table


@pytest.fixture(scope="module")
def compared():
    return rsi_sim.compare(["scenarios/baseline.yaml", "scenarios/managed_slowdown.yaml"])


def test_managed_slowdown_delays_sar_and_asi(compared):
    delay = compared["milestone_delay"].sel(scenario="managed_slowdown")
    assert float(delay.sel(milestone="SAR")) > 0.5 and float(delay.sel(milestone="ASI")) > 0.5
    assert float(compared["time_paused"].sel(scenario="managed_slowdown")) > 1.0
    assert float(compared["time_paused"].sel(scenario="baseline")) == 0.0
    assert np.all(compared["milestone_delay"].sel(scenario="baseline").fillna(0) == 0)


def test_each_pause_starts_and_lifts_with_its_reason(compared):
    ds = compared.sel(scenario="managed_slowdown")
    kinds, details = ds["event_kind"].values, ds["event_detail"].values
    triggered = [json.loads(d) for k, d in zip(kinds, details, strict=True) if k == "policy_triggered"]
    released = [json.loads(d) for k, d in zip(kinds, details, strict=True) if k == "policy_released"]
    assert {t["policy"] for t in triggered} == set(ds["policy"].values)
    assert len(released) == len(triggered)
    assert all(r["reason"] == "safety evaluation passed" for r in released)


def test_dataset_layout_and_table(compared):
    assert list(compared["scenario"].values) == ["baseline", "managed_slowdown"]
    assert compared["policy_active"].dims == ("scenario", "time", "policy")
    # the baseline has no policies: NaN there after alignment on the union
    assert bool(compared["policy_active"].sel(scenario="baseline").isnull().all())
    table = comparison_table(compared)
    assert list(table.index) == ["baseline", "managed_slowdown"]
    for col in ("SAR (year)", "SAR delay (years)", "peak AI R&D multiplier", "time paused (years)",
                "peak alignment drift", "mean human bottleneck utilisation"):
        assert col in table.columns
    assert table.loc["managed_slowdown", "SAR delay (years)"] == pytest.approx(
        table.loc["managed_slowdown", "SAR (year)"] - table.loc["baseline", "SAR (year)"])


def test_different_milestone_sets_align_on_the_union(write):
    a = write("name: a\nhorizon: 3 y\ncomponents:\n  jones: {phi: 0.3}\nmilestones:\n  one: A >= 1.05\n", "a.yaml")
    b = write("name: b\nhorizon: 3 y\ncomponents:\n  jones: {phi: 0.3, delta: 0.2}\n"
              "milestones:\n  one: A >= 1.05\n  two: A >= 1.2\n", "b.yaml")
    ds = rsi_sim.compare([a, b], seed=7)
    assert set(ds["milestone"].values) == {"one", "two"}
    assert np.isnan(float(ds["milestone_year"].sel(scenario="a", milestone="two")))
    assert float(ds["milestone_delay"].sel(scenario="b", milestone="one")) < 0
    assert ds.attrs["seed"] == 7


def test_cli_prints_the_table_and_writes_both_files(cli, tmp_path, scenarios):
    out = tmp_path / "new" / "dir"
    result = cli("compare", scenarios / "baseline.yaml", scenarios / "compute_cap.yaml", "-o", out)
    assert result.exit_code == 0, result.output
    for word in ("SAR", "ASI", "compute_cap", "time paused", "peak AI R&D", "+"):
        assert word in result.output
    ds = xr.open_dataset(out / "comparison.nc")
    assert ds.sizes["scenario"] == 2
    table = pd.read_csv(out / "comparison.csv", index_col="scenario")
    # the CSV's delay is the difference of the two runs' ASI dates, and the cap does delay ASI
    asi = ds["milestone_year"].sel(milestone="ASI")
    delay = float(asi.sel(scenario="compute_cap") - asi.sel(scenario="baseline"))
    assert table.loc["compute_cap", "ASI delay (years)"] == pytest.approx(delay, abs=1e-9) and delay > 0.25
    assert not list(out.glob(".*tmp*"))


def test_cli_fails_early_on_a_bad_output_or_scenario(cli, tmp_path, scenarios, write):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = cli("compare", scenarios / "baseline.yaml", "-o", blocker)
    assert result.exit_code == 2 and "not a directory" in result.output
    bad = write("name: bad\nhorizon: 3 y\ncomponents:\n  jones: {}\npolicies:\n  p:\n"
                "    trigger: B >= 1\n    action: pause_training\n", "bad.yaml")
    result = cli("compare", scenarios / "baseline.yaml", bad)
    assert result.exit_code == 2 and "bad.yaml, line 8" in result.output


# ---- several actors -------------------------------------------------------------------------

RACES = ["scenarios/race.yaml", "scenarios/unilateral_slowdown.yaml",
         "scenarios/coordinated_slowdown.yaml"]


@pytest.fixture(scope="module")
def races():
    return rsi_sim.compare(RACES)


def test_actor_comparison_is_per_actor(races):
    assert races["milestone_year"].dims == ("scenario", "actor", "milestone")
    delay = races["milestone_delay"]
    # the unilateral pause binds the US lab only: cn_project's dates do not move at all
    assert np.all(delay.sel(scenario="unilateral_slowdown", actor="cn_project").values == 0)
    assert float(delay.sel(scenario="unilateral_slowdown", actor="us_lab", milestone="SAR")) > 0.5
    assert float(delay.sel(scenario="coordinated_slowdown", actor="cn_project", milestone="SAR")) > 0.5
    paused = races["time_paused"]
    assert float(paused.sel(scenario="race", actor="us_lab")) == 0.0
    assert float(paused.sel(scenario="unilateral_slowdown", actor="cn_project")) == 0.0
    assert float(paused.sel(scenario="unilateral_slowdown", actor="us_lab")) == pytest.approx(
        float(paused.sel(scenario="coordinated_slowdown", actor="us_lab")))
    table = comparison_table(races)
    assert list(table.index.names) == ["scenario", "actor"] and len(table) == 6
    lead = "lead over cn_project on 2028-01-01 (years)"
    assert table.loc[("unilateral_slowdown", "us_lab"), lead] < table.loc[("race", "us_lab"), lead]
    # a lead and its mirror image
    assert table.loc[("race", "cn_project"), "lead over us_lab on 2028-01-01 (years)"] == \
        -table.loc[("race", "us_lab"), lead]


def test_cli_compare_prints_milestones_per_actor_and_the_lead(cli, scenarios, tmp_path):
    result = cli("compare", *[scenarios / p.split("/")[1] for p in RACES],
                 "--lead-at", "2028-06-01", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    for words in ("SC us_lab", "SC cn_project", "ASI first", "lead of us_lab over cn_project on "
                  "2028-06-01", "time paused us_lab"):
        assert words in text, words
    assert "2027-01-01 (years)" not in text  # only the date asked for
    table = pd.read_csv(tmp_path / "comparison.csv", index_col=["scenario", "actor"])
    assert table.loc[("unilateral_slowdown", "cn_project"), "SAR delay (years)"] == 0.0


def test_actors_compare_only_with_actors(cli, scenarios):
    result = cli("compare", scenarios / "baseline.yaml", scenarios / "race.yaml")
    assert result.exit_code != 0
    assert "compare only with other scenarios with actors" in " ".join(result.output.split())
