"""The figures: each takes a results Dataset and returns a `matplotlib.figure.Figure`.

Dataset conventions read here (see `docs/figures.md`):

* one run: variables over `time` (decimal years), `milestone_year` over `milestone`, the
  generation table over `gen`; `attrs["scenario_name"]` names it;
* a comparison: the same with a leading `scenario` dimension whose coordinate (or a
  `scenario_name` variable) holds the scenarios' names; `training_paused` over
  `(scenario, time)` marks when a policy paused training;
* an ensemble: a `sample` dimension on time variables and on `milestone_year`;
* sensitivity indices: `S1`/`ST` (and `S1_conf`/`ST_conf`) over `parameter`.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import seaborn as sns
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .style import (
    MILESTONE_MARKERS,
    PlotError,
    by_scenario,
    date_axis,
    label,
    log_axis,
    median_over_samples,
    new_figure,
    quiet_nan,
    require,
    scenario_names,
    spans,
    to_datetime64,
)

#: The three curves of a takeoff: inputs, capability and the feedback loop's speed.
TAKEOFF_VARIABLES = ("effective_compute", "time_horizon_hours", "ai_rd_multiplier")


def _palette(n: int) -> list:
    return sns.color_palette("colorblind", max(n, 1))


#: Opacity of the shading of paused training, and of the ensemble's outer and inner bands.
PAUSED_ALPHA, OUTER_ALPHA, INNER_ALPHA = 0.13, 0.15, 0.3


def _milestone_markers(ds: xr.Dataset) -> dict[str, str]:
    if "milestone" not in ds.dims:
        return {}
    return {str(m): MILESTONE_MARKERS[i % len(MILESTONE_MARKERS)] for i, m in enumerate(ds["milestone"].values)}


def _mark_milestones(ax: Axes, run: xr.Dataset, y: xr.DataArray, color, markers: dict[str, str],
                     log: bool) -> None:
    """Put each reached milestone on the curve `y` at its date, in the curve's colour."""
    if not markers or "milestone_year" not in run:
        return
    years = median_over_samples(run["milestone_year"])
    t = run["time"].values
    values = np.asarray(y.values, dtype=float)
    good = np.isfinite(values) & ((values > 0) if log else True)
    if good.sum() < 2:
        return
    for m, marker in markers.items():
        year = float(years.sel(milestone=m))
        if not (np.isfinite(year) and t[0] <= year <= t[-1]):
            continue
        if log:
            value = np.exp(np.interp(year, t[good], np.log(values[good])))
        else:
            value = np.interp(year, t[good], values[good])
        ax.scatter(to_datetime64(year), [value], marker=marker, s=42, color=color,
                   edgecolor="black", linewidth=0.6, zorder=5, label="_milestone")


def _milestone_handles(markers: dict[str, str]) -> list[Line2D]:
    return [Line2D([], [], marker=mk, linestyle="none", color="white", markeredgecolor="black",
                   markersize=7, label=m) for m, mk in markers.items()]


def _curves(ds: xr.Dataset, variables: Sequence[str], *, title: str, milestones: bool,
            shade_policies: bool) -> Figure:
    """Stacked log-scale panels, one curve per scenario, milestones marked on every curve."""
    require(ds, title, dims=("time",), variables=tuple(variables))
    curves = _overlaid(ds)
    markers = _milestone_markers(ds) if milestones else {}
    fig, axes = new_figure(len(variables), 1, size=(8.0, 2.6 * len(variables) + 0.8), sharex=True)
    dates = to_datetime64(ds["time"].values)
    shaded: dict[str, object] = {}  # scenario -> its colour, for those that paused
    for ax, name in zip(axes[:, 0], variables, strict=True):
        for scenario, run, color, style in curves:
            y = median_over_samples(run[name])
            ax.plot(dates, y.values, color=color, lw=1.8, label=scenario, linestyle=style)
            _mark_milestones(ax, run, y, color, markers, log=True)
            if shade_policies and "training_paused" in run:
                paused = run["training_paused"]
                if "sample" in paused.dims:
                    paused = paused.median("sample")
                for lo, hi in spans(run["time"].values, paused.values > 0.5):
                    ax.axvspan(*to_datetime64([lo, hi]), color=color, alpha=PAUSED_ALPHA, lw=0)
                    shaded[scenario] = color
        log_axis(ax)
        ax.set_ylabel(label(ds, name))
    date_axis(axes[-1, 0])
    handles, _ = axes[0, 0].get_legend_handles_labels()
    # The legend's patches are drawn exactly as the shading is: the scenario's colour, same alpha.
    for scenario, color in shaded.items():
        handles.append(Patch(color=color, alpha=PAUSED_ALPHA, label="training paused"
                             + (f" ({scenario})" if len(shaded) > 1 else "")))
    handles += _milestone_handles(markers)
    axes[0, 0].legend(handles=handles, loc="upper left", fontsize="small", ncols=2 if len(handles) > 6 else 1)
    names = scenario_names(ds)
    suffix = f" of {ds.sizes['sample']} samples (median)" if "sample" in ds.dims else ""
    fig.suptitle(f"{title}: {names[0]}{suffix}" if len(names) == 1 else f"{title}{suffix}")
    return fig


#: Line styles of the actors when several scenarios with actors are overlaid.
ACTOR_STYLES = ("-", "--", ":", "-.")


def _overlaid(ds: xr.Dataset) -> list[tuple[str, xr.Dataset, object, str]]:
    """The curves to overlay: ``(legend label, results, colour, line style)`` per scenario and,
    with an ``actor`` dimension, per actor (one scenario: a colour per actor; several: a colour
    per scenario and a line style per actor)."""
    runs = list(by_scenario(ds))
    if "actor" not in ds.dims:
        return [(name, run, color, "-") for (name, run), color in zip(runs, _palette(len(runs)), strict=True)]
    actors = [str(a) for a in ds["actor"].values]
    out = []
    if len(runs) == 1:
        name, run = runs[0]
        for actor, color in zip(actors, _palette(len(actors)), strict=True):
            out.append((actor, run.sel(actor=actor), color, "-"))
        return out
    for (name, run), color in zip(runs, _palette(len(runs)), strict=True):
        for i, actor in enumerate(actors):
            out.append((f"{name} {actor}", run.sel(actor=actor), color, ACTOR_STYLES[i % len(ACTOR_STYLES)]))
    return out


def takeoff(ds: xr.Dataset, variables: Sequence[str] | None = None, *,
            milestones: bool = True) -> Figure:
    """Takeoff curves on log scales with milestone markers.

    Parameters
    ----------
    ds
        results of `rsi_sim.run` (dim `time`); with a `scenario` dim one curve per
        scenario, with a `sample` dim the sample median.
    variables
        the time variables to draw, one panel each (default: effective compute, time
        horizon and AI R&D multiplier; for a model without them, such as `jones.yaml`, its
        first positive time variables, up to three).
    milestones
        mark each milestone's date on every curve (marker shapes in the legend).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import rsi_sim, rsi_sim.plot
    >>> ds = rsi_sim.run("scenarios/baseline.yaml", overrides={"horizon": "2030-01-01"})
    >>> fig = rsi_sim.plot.takeoff(ds)
    >>> [ax.get_yscale() for ax in fig.axes]
    ['log', 'log', 'log']
    """
    if variables is None:
        variables = [v for v in TAKEOFF_VARIABLES if v in ds] or _positive_series(ds)[:3]
    return _curves(ds, variables, title="Takeoff", milestones=milestones, shade_policies=False)


def lead(ds: xr.Dataset, rival: str | None = None) -> Figure:
    """The lead of the first actor over another, over time: `lead_years` (at the follower's
    recent pace, what triggers read) solid, `catch_up_years` (what happened in the run) dotted;
    one colour per scenario.

    Parameters
    ----------
    ds
        results with an `actor` dimension (`rsi_sim.run` of a scenario with actors, or
        `rsi_sim.compare` of several).
    rival
        the actor the lead is over (default: the second actor).

    Examples
    --------
    >>> import rsi_sim, rsi_sim.plot
    >>> ds = rsi_sim.run("scenarios/race.yaml", overrides={"horizon": "2029-01-01"})
    >>> [line.get_label() for line in rsi_sim.plot.lead(ds).axes[0].get_lines()][:2]
    ['race: lead_years', 'race: catch_up_years']
    """
    require(ds, "lead", dims=("actor", "time"), variables=("lead_years",))
    actors = [str(a) for a in ds["actor"].values]
    leader, rival = actors[0], rival or actors[1]
    fig, axes = new_figure(1, 1, size=(8.0, 4.0))
    ax = axes[0, 0]
    dates = to_datetime64(ds["time"].values)
    runs = list(by_scenario(ds))
    for (name, run), color in zip(runs, _palette(len(runs)), strict=True):
        for var, style in (("lead_years", "-"), ("catch_up_years", ":")):
            if var in run:
                y = median_over_samples(run[var].sel(actor=leader, rival=rival))
                ax.plot(dates, np.clip(y.values, -10, 10), color=color, linestyle=style, lw=1.6,
                        label=f"{name}: {var}")
    ax.axhline(0.0, color="black", lw=0.8)
    ax.set_ylabel(f"years {leader} is ahead of {rival}")
    date_axis(ax)
    ax.legend(loc="upper left", fontsize="small")
    fig.suptitle(f"Lead of {leader} over {rival} (clipped to ±10 years)")
    return fig


def _positive_series(ds: xr.Dataset) -> list[str]:
    """Time variables that can go on a log axis: numeric and positive wherever finite."""
    names = []
    for name, var in ds.data_vars.items():
        if "time" in var.dims and var.dtype.kind == "f":
            values = var.values[np.isfinite(var.values)]
            if values.size and (values > 0).all():
                names.append(str(name))
    return names


def comparison(ds: xr.Dataset, variables: Sequence[str] = ("effective_compute", "ai_rd_multiplier"), *,
               milestones: bool = True) -> Figure:
    """Policy comparison: each scenario's curves overlaid, periods of paused training shaded.

    Parameters
    ----------
    ds
        results with a `scenario` dimension (from `rsi_sim.compare`); the legend uses the
        scenario names. `training_paused` over `(scenario, time)`, when present, shades the
        times a policy paused new training runs, in the scenario's colour.
    variables
        time variables to draw, one log-scale panel each.
    milestones
        mark milestone dates on the curves.
    """
    require(ds, "comparison", dims=("scenario", "time"))
    return _curves(ds, variables, title="Policy comparison", milestones=milestones, shade_policies=True)


def bands(ds: xr.Dataset, variables: Sequence[str] = TAKEOFF_VARIABLES, *,
          intervals: tuple[float, float] = (0.5, 0.9)) -> Figure:
    """Ensemble bands: the median and central intervals across samples, per scenario.

    Parameters
    ----------
    ds
        ensemble results (dim `sample`, variables over `(sample, time)`; optionally a
        `scenario` dim).
    variables
        time variables, one log-scale panel each.
    intervals
        the central probability of the inner and outer bands (default 50% and 90%).
    """
    require(ds, "bands", dims=("sample", "time"), variables=tuple(variables))
    runs = list(by_scenario(ds))
    colors = _palette(len(runs))
    fig, axes = new_figure(len(variables), 1, size=(8.0, 2.6 * len(variables) + 0.8), sharex=True)
    dates = to_datetime64(ds["time"].values)
    inner, outer = sorted(intervals)
    qs = [(1 - outer) / 2, (1 - inner) / 2, 0.5, (1 + inner) / 2, (1 + outer) / 2]
    for ax, name in zip(axes[:, 0], variables, strict=True):
        for (scenario, run), color in zip(runs, colors, strict=True):
            with quiet_nan():
                q = np.nanquantile(run[name].transpose("sample", "time").values, qs, axis=0)
            ax.fill_between(dates, q[0], q[4], color=color, alpha=OUTER_ALPHA, lw=0)
            ax.fill_between(dates, q[1], q[3], color=color, alpha=INNER_ALPHA, lw=0)
            ax.plot(dates, q[2], color=color, lw=1.8, label=scenario)
        log_axis(ax)
        ax.set_ylabel(label(ds, name))
    date_axis(axes[-1, 0])
    handles, _ = axes[0, 0].get_legend_handles_labels()
    handles = [Line2D([], [], color=h.get_color(), lw=1.8, label=f"{h.get_label()} (median)") for h in handles]
    # The inner band is drawn over the outer one: its patch shows the two layers' combined
    # opacity, in the curve's colour (grey when several scenarios share the legend).
    band = colors[0] if len(runs) == 1 else "grey"
    handles += [Patch(color=band, alpha=1 - (1 - OUTER_ALPHA) * (1 - INNER_ALPHA),
                      label=f"{inner:.0%} interval"),
                Patch(color=band, alpha=OUTER_ALPHA, label=f"{outer:.0%} interval")]
    axes[0, 0].legend(handles=handles, loc="upper left", fontsize="small")
    names = scenario_names(ds)
    head = f"Ensemble of {ds.sizes['sample']} samples"
    fig.suptitle(f"{head}: {names[0]}" if len(names) == 1 else head)
    return fig


def milestone_dates(ds: xr.Dataset, milestones: Sequence[str] | None = None, *,
                    kind: str = "ecdf") -> Figure:
    """Distributions of milestone dates across ensemble samples.

    With a `scenario` dim: one panel per milestone, one series per scenario. Without: one
    panel, one series per milestone. An ECDF counts samples that never reach a milestone in
    its denominator, so its curve levels off at the share that do.

    Parameters
    ----------
    ds
        ensemble results with `milestone_year` over `(sample, milestone)`.
    milestones
        which milestones (default all).
    kind
        `"ecdf"` (share of samples that reached it by each date) or `"hist"`.
    """
    require(ds, "milestones", dims=("sample", "milestone"), variables=("milestone_year",))
    if kind not in ("ecdf", "hist"):
        raise PlotError(f"The 'kind' of a milestone figure must be 'ecdf' or 'hist'. Got {kind!r} instead.")
    names = [str(m) for m in ds["milestone"].values] if milestones is None else list(milestones)
    unknown = set(names) - {str(m) for m in ds["milestone"].values}
    if unknown:
        raise PlotError(f"No milestone(s) {sorted(unknown)} in these results; they have "
                        f"{[str(m) for m in ds['milestone'].values]}.")
    runs = list(by_scenario(ds))
    multi = "scenario" in ds.dims
    panels = names if multi else [None]
    ncols = min(3, len(panels))
    nrows = -(-len(panels) // ncols)
    fig, axes = new_figure(nrows, ncols, size=(4.2 * ncols + 0.6, 3.3 * nrows + 0.6), sharey=kind == "ecdf")
    flat = axes.ravel()
    for ax in flat[len(panels):]:
        ax.set_visible(False)
    for ax, panel in zip(flat, panels, strict=False):
        if multi:
            series = [(scenario, run["milestone_year"].sel(milestone=panel).values) for scenario, run in runs]
        else:
            series = [(m, ds["milestone_year"].sel(milestone=m).values) for m in names]
        colors = _palette(len(series))
        frames = []
        for (name, years), color in zip(series, colors, strict=True):
            years = np.asarray(years, dtype=float).ravel()
            reached = np.sort(years[np.isfinite(years)])
            share = reached.size / max(years.size, 1)
            text = f"{name} ({share:.0%} reach it)"
            if kind == "ecdf":
                y = np.arange(0, reached.size + 1) / max(years.size, 1)
                x = to_datetime64(np.concatenate([reached[:1], reached]))
                ax.step(x, y, where="post", color=color, lw=1.8, label=text)
            else:
                frames.append(pd.DataFrame({"date": to_datetime64(reached), "series": text}))
        if kind == "hist" and frames:
            data = pd.concat(frames, ignore_index=True)
            sns.histplot(data, x="date", hue="series", ax=ax, element="step", stat="count",
                         common_bins=True, palette=colors[:len(frames)], alpha=0.25)
            ax.set_ylabel("samples")
        elif kind == "ecdf":
            ax.set_ylim(0, 1.02)
            ax.set_ylabel("share of samples reached by date")
            ax.legend(loc="upper left", fontsize="small")
        date_axis(ax, "date reached")
        ax.tick_params(axis="x", labelrotation=0)
        if panel is not None:
            ax.set_title(panel)
    head = f"Milestone dates across {ds.sizes['sample']:,} samples"
    # Two lines for one scenario: a long scenario name must not run off a one-panel figure.
    fig.suptitle(head if multi else f"{head}\n{scenario_names(ds)[0]}")
    return fig


def judgment(ds: xr.Dataset) -> Figure:
    """The judgment gap and the human bottleneck over time.

    Top: the judgment gap (SDs of research taste by which the top humans lead AI; below zero AI
    directs its own research). Bottom: the share of human judgment time spent directing AI
    (solid) and the share of research labour AI directs (dashed).

    Parameters
    ----------
    ds
        results with `judgment_gap`, `human_bottleneck_utilisation` and
        `ai_directed_share` over `time` (a `scenario` dim: one colour per scenario;
        a `sample` dim: the median).
    """
    variables = ("judgment_gap", "human_bottleneck_utilisation", "ai_directed_share")
    require(ds, "judgment", dims=("time",), variables=variables)
    runs = list(by_scenario(ds))
    colors = _palette(len(runs))
    fig, axes = new_figure(2, 1, size=(8.0, 6.0), sharex=True)
    gap_ax, share_ax = axes[:, 0]
    dates = to_datetime64(ds["time"].values)
    for (scenario, run), color in zip(runs, colors, strict=True):
        gap_ax.plot(dates, median_over_samples(run["judgment_gap"]).values, color=color, lw=1.8, label=scenario)
        share_ax.plot(dates, median_over_samples(run["human_bottleneck_utilisation"]).values, color=color,
                      lw=1.8, label=f"{scenario}: human judgment time directing AI")
        share_ax.plot(dates, median_over_samples(run["ai_directed_share"]).values, color=color, lw=1.5,
                      ls="--", label=f"{scenario}: research labour directed by AI")
    gap_ax.axhline(0.0, color="black", lw=0.8, label="_parity")
    for y, va, text in ((0.97, "top", "above 0: humans must direct AI work"),
                        (0.03, "bottom", "below 0: AI directs its own research")):
        gap_ax.text(0.99, y, text, transform=gap_ax.transAxes, ha="right", va=va, fontsize="small",
                    color="dimgrey")
    gap_ax.set_ylabel(label(ds, "judgment_gap"))
    gap_ax.legend(loc="lower left", fontsize="small")
    share_ax.set_ylim(-0.03, 1.03)
    share_ax.set_ylabel("share")
    share_ax.legend(loc="center right", fontsize="small")
    date_axis(share_ax)
    names = scenario_names(ds)
    fig.suptitle("Judgment gap and human bottleneck" + (f": {names[0]}" if len(names) == 1 else ""))
    return fig


def generations(ds: xr.Dataset, *, max_generations: int | None = None) -> Figure:
    """Generation timeline: training, waiting for reviewers, review, and release of each generation.

    Parameters
    ----------
    ds
        one run's results with the generation table over `gen` (`gen_training_start`,
        `gen_training_end`, `gen_review_start`, `gen_release`). A generation not released
        by the end of the run is drawn to the end, hatched.
    max_generations
        draw only the first this many generations (default all).
    """
    table = ("gen_training_start", "gen_training_end", "gen_review_start", "gen_release")
    require(ds, "generations", dims=("gen",), variables=table)
    if "scenario" in ds.dims or "sample" in ds.dims:
        raise PlotError("The 'generations' figure shows one run; select one first, e.g. "
                        "ds.isel(scenario=0) or ds.isel(sample=0).")
    g = ds[list(table)].dropna("gen", subset=["gen_training_start"])
    if max_generations is not None:
        g = g.isel(gen=slice(0, max_generations))
    t_end = float(ds["time"].values[-1]) if "time" in ds.dims else float(np.nanmax(g["gen_release"]))
    start, train_end, review_start, release = (np.asarray(g[v].values, dtype=float) for v in table)
    unreleased = ~np.isfinite(release)
    train_end = np.where(np.isfinite(train_end), train_end, t_end)
    review_start = np.where(np.isfinite(review_start), review_start, np.where(unreleased, train_end, release))
    release = np.where(unreleased, t_end, release)
    n = start.size
    fig, axes = new_figure(1, 1, size=(9.0, min(2.0 + 0.12 * n, 11.0)))
    ax = axes[0, 0]
    num = mdates.date2num
    rows = g["gen"].values if "gen" in g.coords else np.arange(n)
    phases = [("training", start, train_end, "#4477aa", None),
              ("waiting for reviewers", train_end, review_start, "#bbbbbb", None),
              ("evaluation and safety review", review_start, release, "#ee7733", None)]
    for name, lo, hi, color, hatch in phases:
        xs = num(to_datetime64(lo))
        widths = num(to_datetime64(hi)) - xs
        keep = np.isfinite(widths) & (widths > 0)
        if not keep.any():
            continue
        ax.barh(rows[keep], widths[keep], left=xs[keep], height=0.8, color=color, hatch=hatch, label=name)
    if unreleased.any():
        xs = num(to_datetime64(review_start[unreleased]))
        ax.barh(rows[unreleased], num(to_datetime64(release[unreleased])) - xs, left=xs, height=0.8,
                fill=False, hatch="///", edgecolor="#ee7733", label="not released by the end of the run")
    released = ~unreleased
    ax.scatter(num(to_datetime64(release[released])), rows[released], marker="|", s=30, color="black",
               zorder=4, label="release")
    if "milestone_year" in ds:
        dated: dict[float, list[str]] = {}  # milestones reached at one release share a line
        for m, year in zip(ds["milestone"].values, ds["milestone_year"].values, strict=True):
            if np.isfinite(year):
                dated.setdefault(round(float(year), 4), []).append(str(m))
        for year, names in dated.items():
            x = num(to_datetime64(year))[0]
            ax.axvline(x, color="dimgrey", lw=0.7, ls=":", label="_milestone")
            ax.text(x, 0.99, ", ".join(names) + " ", rotation=90, va="top", ha="right",
                    fontsize="x-small", color="dimgrey", transform=ax.get_xaxis_transform())
    ax.xaxis_date()
    ax.set_xlim(num(to_datetime64(float(ds["time"].values[0]) - 0.5 if "time" in ds.dims else np.nanmin(start)))[0],
                num(to_datetime64(t_end))[0])
    ax.invert_yaxis()
    ax.set_ylabel("generation")
    date_axis(ax)
    ax.legend(loc="lower left", fontsize="small")
    fig.suptitle(f"Model generations: {scenario_names(ds)[0]}")
    return fig


def sensitivity(ds: xr.Dataset, *, top: int | None = 20) -> Figure:
    """Sobol sensitivity indices as a ranked bar chart (total `ST` and first-order `S1`).

    Parameters
    ----------
    ds
        indices over dim `parameter` with `ST` and/or `S1` (`ST_conf`/`S1_conf`
        drawn as error bars when present); ranked here by `ST` (else `S1`), largest on top.
    top
        show at most this many parameters.
    """
    require(ds, "sensitivity", dims=("parameter",))
    indices = [v for v in ("ST", "S1") if v in ds]
    if not indices:
        raise PlotError("The 'sensitivity' figure needs the variable(s) 'ST' or 'S1' over 'parameter'.")
    order = np.argsort(-np.nan_to_num(ds[indices[0]].values, nan=-np.inf), kind="stable")
    sel = ds.isel(parameter=order[:top] if top else order)
    params = [str(p).removeprefix("components.") for p in sel["parameter"].values]
    fig, axes = new_figure(1, 1, size=(8.0, 1.5 + 0.45 * len(params)))
    ax = axes[0, 0]
    y = np.arange(len(params))
    height = 0.8 / len(indices)
    names = {"ST": "total effect ST", "S1": "first-order S1"}
    colors = _palette(2)
    for k, index in enumerate(indices):
        conf = sel[f"{index}_conf"].values if f"{index}_conf" in sel else None
        ax.barh(y + (k - (len(indices) - 1) / 2) * height, sel[index].values, height=height, xerr=conf,
                color=colors[k], label=names[index], error_kw={"lw": 0.8, "capsize": 2})
    ax.set_yticks(y, params)
    ax.invert_yaxis()
    ax.axvline(0.0, color="black", lw=0.6, label="_zero")
    ax.set_xlabel("Sobol index (share of output variance)")
    ax.legend(loc="lower right", fontsize="small")
    metric = ds.attrs.get("metric", "")
    fig.suptitle("Sensitivity" + (f" of {metric}" if metric else ""))
    return fig
