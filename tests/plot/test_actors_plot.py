"""Figures of runs with several actors: one curve per actor, overlaid."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import rsi_sim  # noqa: E402
import rsi_sim.plot  # noqa: E402

HORIZON = {"horizon": "2031-01-01"}


@pytest.fixture(scope="module")
def race():
    return rsi_sim.run("scenarios/race.yaml", overrides=HORIZON)


def _lines(ax):
    return [line for line in ax.get_lines() if not line.get_label().startswith("_")]


def test_takeoff_overlays_the_actors(race):
    fig = rsi_sim.plot.takeoff(race)
    for ax in fig.axes:
        lines = _lines(ax)
        assert [line.get_label() for line in lines] == ["us_lab", "cn_project"]
        # each curve is that actor's series
        y = race["effective_compute"] if ax is fig.axes[0] else None
        if y is not None:
            for line, actor in zip(lines, ("us_lab", "cn_project"), strict=True):
                assert np.array_equal(line.get_ydata(), y.sel(actor=actor).values, equal_nan=True)


def test_comparison_gives_each_actor_a_line_style(race):
    other = rsi_sim.run("scenarios/unilateral_slowdown.yaml", overrides=HORIZON)
    ds = rsi_sim.compare([rsi_sim.load_scenario("scenarios/race.yaml", HORIZON),
                          rsi_sim.load_scenario("scenarios/unilateral_slowdown.yaml", HORIZON)])
    fig = rsi_sim.plot.comparison(ds)
    lines = _lines(fig.axes[0])
    assert [line.get_label() for line in lines] == [
        "race us_lab", "race cn_project", "unilateral_slowdown us_lab", "unilateral_slowdown cn_project"]
    assert [line.get_linestyle() for line in lines] == ["-", "--", "-", "--"]
    assert lines[0].get_color() == lines[1].get_color() != lines[2].get_color()
    assert np.array_equal(lines[2].get_ydata(), other["effective_compute"].sel(actor="us_lab").values,
                          equal_nan=True)


def test_the_lead_figure_draws_both_leads_of_the_run(race):
    fig = rsi_sim.plot.plot(race, "lead")
    lines = _lines(fig.axes[0])
    assert [line.get_label() for line in lines] == ["race: lead_years", "race: catch_up_years"]
    expected = np.clip(race["catch_up_years"].sel(actor="us_lab", rival="cn_project").values, -10, 10)
    assert np.array_equal(lines[1].get_ydata(), expected, equal_nan=True)


def test_the_lead_figure_needs_actors():
    ds = rsi_sim.run("scenarios/reference/jones.yaml")
    with pytest.raises(rsi_sim.plot.PlotError, match="'actor'"):
        rsi_sim.plot.lead(ds)
