"""Every figure renders to PNG from real runs; labels and the number of plotted series."""

from __future__ import annotations

import matplotlib.image
import numpy as np
import pytest
import xarray as xr

from rsi_sim import plot


def series(ax) -> list[str]:
    """Labels of the data lines on ``ax`` (decorations are labelled with a leading underscore)."""
    return [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]


def legend(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def render(fig, tmp_path, name="fig.png"):
    path = plot.save(fig, tmp_path / name)
    image = matplotlib.image.imread(path)
    assert image.ndim == 3 and image.shape[0] > 200 and image.shape[1] > 200
    assert image[..., :3].std() > 0.01  # not blank
    return path


def test_takeoff_one_run(run, tmp_path):
    fig = plot.takeoff(run)
    render(fig, tmp_path)
    axes = fig.axes
    assert len(axes) == 3 and all(ax.get_yscale() == "log" for ax in axes)
    assert [series(ax) for ax in axes] == [["baseline"]] * 3
    assert "FLOP" in axes[0].get_ylabel() and "hours" in axes[1].get_ylabel()
    assert "multiplier" in axes[2].get_ylabel() and axes[2].get_xlabel() == "date"
    # every milestone reached is in the legend and marked once on each curve
    reached = [str(m) for m, y in zip(run["milestone"].values, run["milestone_year"].values, strict=True)
               if np.isfinite(y)]
    assert set(reached) <= set(legend(axes[0]))
    assert len(axes[0].collections) == len(reached)
    assert fig.get_suptitle() == "Takeoff: baseline"


def test_takeoff_dates_on_time_axis(run):
    fig = plot.takeoff(run)
    line = fig.axes[0].get_lines()[0]
    assert np.issubdtype(np.asarray(line.get_xdata()).dtype, np.datetime64)
    assert str(np.asarray(line.get_xdata())[0])[:10] == "2026-01-01"


def test_to_datetime64_agrees_with_the_calendar():
    from rsi_sim.core.time import from_decimal_year

    years = np.array([2026.0, 2027.5466607, 2028.999, 2030.25])
    # from_decimal_year gives the nearest midnight; to_datetime64 keeps the time of day
    got = (plot.to_datetime64(years) + np.timedelta64(12, "h")).astype("datetime64[D]")
    assert [str(d) for d in got] == [from_decimal_year(y).isoformat() for y in years]


def test_comparison_names_scenarios_and_shades_policies(comparison, tmp_path):
    fig = plot.comparison(comparison)
    render(fig, tmp_path)
    assert len(fig.axes) == 2
    for ax in fig.axes:
        assert series(ax) == ["baseline", "pause at SC"]
        assert any(p.get_alpha() and p.get_alpha() < 0.2 for p in ax.patches)  # the shaded period
    assert "training paused" in legend(fig.axes[0])


def test_legend_patches_look_like_what_they_label(comparison, ensemble):
    """The paused patch is the shading's colour and opacity; the band patches are the bands'
    colour, the inner one with the opacity of the two layers it is drawn as."""
    from matplotlib.colors import to_rgba

    fig = plot.comparison(comparison)
    ax = fig.axes[0]
    shade = next(p for p in ax.patches if p.get_alpha() and p.get_alpha() < 0.2)
    handles = {t.get_text(): h for t, h in zip(ax.get_legend().get_texts(),
                                               ax.get_legend().legend_handles, strict=True)}
    patch = handles["training paused"]
    assert to_rgba(patch.get_facecolor())[:3] == pytest.approx(to_rgba(shade.get_facecolor())[:3])
    assert patch.get_alpha() == pytest.approx(shade.get_alpha())
    fig = plot.bands(ensemble)
    ax = fig.axes[0]
    handles = {t.get_text(): h for t, h in zip(ax.get_legend().get_texts(),
                                               ax.get_legend().legend_handles, strict=True)}
    line = ax.get_lines()[0]
    outer, inner = ax.collections
    for key in ("90% interval", "50% interval"):
        assert to_rgba(handles[key].get_facecolor())[:3] == pytest.approx(to_rgba(line.get_color())[:3])
    assert handles["90% interval"].get_alpha() == pytest.approx(outer.get_alpha())
    composite = 1 - (1 - outer.get_alpha()) * (1 - inner.get_alpha())
    assert handles["50% interval"].get_alpha() == pytest.approx(composite)


def test_comparison_needs_a_scenario_dim(run):
    with pytest.raises(plot.PlotError, match="'scenario'"):
        plot.comparison(run)


def test_bands_median_and_intervals(ensemble, tmp_path):
    fig = plot.bands(ensemble)
    render(fig, tmp_path)
    assert len(fig.axes) == 3
    for ax in fig.axes:
        assert series(ax) == ["baseline"]
        assert len(ax.collections) == 2  # the 50% and 90% bands
    assert legend(fig.axes[0]) == ["baseline (median)", "50% interval", "90% interval"]
    assert "3 samples" in fig.get_suptitle()
    # the median of three samples is the middle one
    y = fig.axes[0].get_lines()[0].get_ydata()
    np.testing.assert_allclose(y, ensemble["effective_compute"].median("sample").values)


def test_bands_per_scenario(ensemble, tmp_path):
    two = xr.concat([ensemble, ensemble.isel(sample=[0, 0, 1])], dim="scenario", data_vars="all",
                    combine_attrs="override").assign_coords(scenario=["a", "b"])
    fig = plot.bands(two, variables=["ai_rd_multiplier"])
    render(fig, tmp_path)
    assert series(fig.axes[0]) == ["a", "b"]


@pytest.mark.parametrize("kind", ["ecdf", "hist"])
def test_milestone_dates_one_scenario(ensemble, tmp_path, kind):
    fig = plot.milestone_dates(ensemble, kind=kind)
    render(fig, tmp_path)
    ax = fig.axes[0]
    n = ensemble.sizes["milestone"]
    if kind == "ecdf":
        assert len(series(ax)) == n and ax.get_ylabel() == "share of samples reached by date"
    assert len(legend(ax)) == n and all("reach it" in t for t in legend(ax))
    assert ax.get_xlabel() == "date reached"


def test_milestone_dates_per_scenario(ensemble, tmp_path):
    two = xr.concat([ensemble, ensemble], dim="scenario", data_vars="all",
                    combine_attrs="override").assign_coords(scenario=["baseline", "again"])
    fig = plot.milestone_dates(two, ["SC", "SAR"])
    render(fig, tmp_path)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["SC", "SAR"]
    assert all(len(series(ax)) == 2 for ax in visible)
    assert legend(visible[0])[0].startswith("baseline")


def test_milestone_ecdf_counts_samples_that_never_arrive(ensemble):
    ds = ensemble.copy()
    ds["milestone_year"] = ds["milestone_year"].where(ds["sample"] != 0)  # sample 0: never
    fig = plot.milestone_dates(ds, ["SC"])
    y = fig.axes[0].get_lines()[0].get_ydata()
    assert y[0] == 0 and y[-1] == pytest.approx(2 / 3)


def test_judgment(run, comparison, tmp_path):
    fig = plot.judgment(run)
    render(fig, tmp_path)
    gap, share = fig.axes
    assert series(gap) == ["baseline"] and len(series(share)) == 2
    assert "doublings" in gap.get_ylabel() and share.get_ylabel() == "share"
    fig = plot.judgment(comparison)
    assert len(series(fig.axes[0])) == 2 and len(series(fig.axes[1])) == 4


def test_generations_timeline(run, tmp_path):
    fig = plot.generations(run)
    render(fig, tmp_path)
    ax = fig.axes[0]
    labels = legend(ax)
    assert {"training", "evaluation and safety review", "release"} <= set(labels)
    n = int(run["gen_training_start"].notnull().sum())
    training = ax.containers[labels.index("training") - (1 if labels[0] == "release" else 0)]
    assert len(training) == n  # one training bar per generation
    assert ax.get_ylabel() == "generation" and ax.get_xlabel() == "date"


def test_generations_needs_one_run(comparison):
    with pytest.raises(plot.PlotError):
        plot.generations(comparison)


def test_sensitivity_ranked(indices, tmp_path):
    fig = plot.sensitivity(indices)
    render(fig, tmp_path)
    ax = fig.axes[0]
    shown = [t.get_text() for t in ax.get_yticklabels()]
    ranked = indices["parameter"].values[np.argsort(-indices["ST"].values)]
    assert shown == [str(p).removeprefix("components.") for p in ranked]
    assert len(ax.containers) >= 2 and legend(ax) == ["total effect ST", "first-order S1"]
    assert "Sobol index" in ax.get_xlabel()


def test_default_kind_follows_dimensions(run, ensemble, comparison, indices):
    assert [plot.default_kind(d) for d in (run, ensemble, comparison, indices)] == [
        "takeoff", "bands", "comparison", "sensitivity"]


def test_unknown_kind_and_missing_variable(run):
    with pytest.raises(plot.PlotError, match="must be one of"):
        plot.plot(run, "spaghetti")
    with pytest.raises(plot.PlotError, match="'no_such_variable'"):
        plot.takeoff(run, ["no_such_variable"])
    with pytest.raises(plot.PlotError, match="'sample'"):
        plot.bands(run)


@pytest.mark.parametrize("suffix, magic", [(".svg", b"<?xml"), (".pdf", b"%PDF")])
def test_save_formats(run, tmp_path, suffix, magic):
    path = plot.save(plot.judgment(run), tmp_path / f"fig{suffix}")
    assert path.read_bytes()[:5].startswith(magic)


def test_save_refuses_unknown_types(run, tmp_path):
    from rsi_sim.io import OutputError

    with pytest.raises(OutputError, match="unknown output type"):
        plot.save(plot.judgment(run), tmp_path / "fig.jpg")
    assert not list(tmp_path.iterdir())


def test_takeoff_of_a_model_without_the_takeoff_variables(tmp_path):
    import rsi_sim

    ds = rsi_sim.run("scenarios/reference/jones.yaml")
    fig = plot.takeoff(ds)
    render(fig, tmp_path)
    assert fig.axes[0].get_ylabel() == "A"
    assert all(series(ax) == [ds.attrs["scenario_name"]] for ax in fig.axes)
