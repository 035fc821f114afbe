"""The ``rsi-sim`` command."""

from __future__ import annotations

import functools
import os
import sys
import textwrap
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ._deps import missing_dependency
from .core.errors import RsiSimError

app = typer.Typer(
    name="rsi-sim",
    help=(
        "Simulate recursive self-improvement of AI from scenario files.\n\n"
        "Start with:  rsi-sim run scenarios/baseline.yaml -o baseline.nc\n\n"
        "Check a file without running it with 'rsi-sim validate', and list every parameter with "
        "its unit, bounds and source with 'rsi-sim describe'."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
out = Console()
err = Console(stderr=True)

Scenario = Annotated[Path, typer.Argument(
    help="scenario YAML file, or the name of a shipped scenario such as baseline (see 'rsi-sim "
         "scenarios')", show_default=False)]
Sets = Annotated[list[str] | None, typer.Option(
    "--set", "-s", metavar="KEY=VALUE",
    help="override a value by its dotted path, e.g. --set components.software.r=1.5 (repeatable)")]
Seed = Annotated[int | None, typer.Option(help="random seed (default: the scenario's seed)")]
Plugins = Annotated[list[str] | None, typer.Option(
    "--plugin", metavar="MODULE",
    help="import MODULE (a module name or a .py file) first: every Component subclass it defines "
         "with a name becomes usable in scenario files, here and in every worker (repeatable)")]
PlotOpt = Annotated[Path | None, typer.Option(
    "--plot", metavar="FIG", help="also draw the headline figure: .png, .svg or .pdf")]


def user_errors(fn):
    """Turn errors meant for users into one paragraph on stderr and exit status 2."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except RsiSimError as exc:
            _print_error(exc)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            err.print("interrupted")
            raise typer.Exit(130) from None
        except Exception as exc:  # a bug, not bad input: say so plainly
            missing = missing_dependency(exc) if isinstance(exc, ImportError) else None
            if missing is not None:  # a package that is not installed: say which, and how
                _print_error(missing)
                raise typer.Exit(2) from None
            if os.environ.get("RSI_SIM_DEBUG"):
                raise
            err.print(f"[bold red]internal error:[/] {type(exc).__name__}: {escape(str(exc))}\n"
                      "This is a bug in rsi_sim; rerun with RSI_SIM_DEBUG=1 for the traceback "
                      "and report it.", highlight=False)
            raise typer.Exit(1) from None

    return wrapper


def _print_error(exc: Exception) -> None:
    # Messages hold user text (paths, values, install lines such as 'rsi_sim[dask]'): never markup.
    err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)


@app.command()
@user_errors
def run(
    scenario: Scenario,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write results: .nc (netCDF) or .csv (tidy)")] = None,
    set_: Sets = None,
    seed: Seed = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="print nothing but errors")] = False,
    plot: PlotOpt = None,
    plugin: Plugins = None,
):
    """Run one scenario: print a summary (milestones, divergence, headline variables) and write
    the results by file extension."""
    from . import io
    from .analysis.summary import summary_tables
    from .api import run as run_scenario
    from .scenario import load_scenario

    if output is not None:
        io.check_output_path(output)  # fail before a long run, not after
    if plot is not None:
        io.check_output_path(plot, FIGURE_TYPES)
    sc = load_scenario(scenario, set_ or None, plugins=plugin)
    ds = run_scenario(sc, seed=seed)
    if not quiet:
        for table in summary_tables(ds):
            out.print(table)
    if output is not None:
        io.write(ds, output)
        if not quiet:
            out.print(f"wrote {escape(str(output))}")
    if plot is not None:
        _draw(ds, "takeoff", plot, quiet)


FIGURE_TYPES = (".png", ".svg", ".pdf")
FIGURE_KINDS = ("takeoff", "bands", "milestones", "comparison", "judgment", "generations", "sensitivity")


def _draw(ds, kind: str | None, path: Path, quiet: bool) -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only: never open a window from the command line
    from . import plot as figures

    kind = kind or figures.default_kind(ds)
    figures.save(figures.plot(ds, kind), path)
    if not quiet:
        out.print(f"wrote {escape(str(path))} ({kind} figure)", soft_wrap=True)


@app.command()
@user_errors
def plot(
    results: Annotated[Path, typer.Argument(help="results file written by rsi-sim: .nc or .zarr", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="the figure: .png, .svg or .pdf", show_default=False)],
    kind: Annotated[str | None, typer.Option(
        "--kind", "-k", help=f"figure: {', '.join(FIGURE_KINDS)} (default: chosen from the results: "
        "comparison for 'rsi-sim compare', bands for an ensemble, takeoff for one run)")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="print nothing but errors")] = False,
):
    """Draw a figure of results written by run, compare, ensemble or sensitivity."""
    from . import io

    if kind is not None and kind not in FIGURE_KINDS:
        raise RsiSimError(f"--kind must be one of {', '.join(FIGURE_KINDS)}. Got {kind!r} instead.")
    io.check_output_path(output, FIGURE_TYPES)
    ds = _open_results(results)
    _draw(ds, kind, output, quiet)


def _open_results(path: Path):
    import xarray as xr

    if not path.exists():
        raise RsiSimError(f"{path}: no such results file")
    try:
        if path.suffix == ".zarr" or path.is_dir():
            return xr.open_zarr(path)
        return xr.load_dataset(path)
    except (OSError, ValueError) as exc:
        raise RsiSimError(f"{path}: not a results file rsi-sim can read (.nc or .zarr): {exc}") from None


@app.command()
@user_errors
def validate(scenario: Scenario, set_: Sets = None, plugin: Plugins = None):
    """Check a scenario file (schema, parameter bounds, condition names) without running it."""
    from .scenario import load_scenario

    sc = load_scenario(scenario, set_ or None, plugins=plugin)
    model = sc.build_model()
    parts = [c for c in model.components if c not in ("milestones", "policies")]
    policies = f"{len(sc.spec.policies)} policies, " if sc.spec.policies else ""
    out.print(f"[green]ok[/]: {escape(str(scenario))} — '{escape(sc.name)}', {len(parts)} components, "
              f"{len(sc.spec.milestones)} milestones, {policies}{sc.spec.horizon_years():.4g} years")


@app.command()
@user_errors
def describe(scenario: Scenario, set_: Sets = None, plugin: Plugins = None):
    """List every parameter of the scenario's components: value, unit, bounds and source."""
    from .scenario import load_scenario

    sc = load_scenario(scenario, set_ or None, plugins=plugin)
    model = sc.build_model()
    table = Table(title=f"{sc.name} — parameters", title_justify="left", show_lines=False)
    for col in ("parameter", "value", "unit", "bounds", "source"):
        table.add_column(col, overflow="fold")
    for comp in model.components.values():
        for pname, param in comp.params.items():
            value = comp.values[pname]
            changed = "" if value == param.default else " [yellow](set)[/]"
            lo, hi = param.bounds
            bounds = "" if (lo is None and hi is None) else f"[{'' if lo is None else f'{lo:g}'}, {'' if hi is None else f'{hi:g}'}]"
            table.add_row(f"{comp.name}.{pname}", f"{value!r}{changed}", param.unit, bounds, param.source)
    out.print(table)
    if sc.spec.milestones:
        ms = Table(title="milestones", title_justify="left")
        ms.add_column("name")
        ms.add_column("condition")
        for name, m in sc.spec.milestones.items():
            ms.add_row(name, m.when)
        out.print(ms)


@app.command()
@user_errors
def scenarios():
    """List the scenarios shipped with rsi_sim: run any of them by name from any folder
    (rsi-sim run baseline), or extend one in your own file (extends: baseline)."""
    from .scenario.shipped import shipped_dir, shipped_summaries

    table = Table(title=f"Shipped scenarios (in {escape(str(shipped_dir()))})",
                  title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("name", no_wrap=True)
    table.add_column("what it is")
    for name, title, description in shipped_summaries():
        first = description.split(". ")[0].rstrip(".") + "." if description else ""
        text = first if title in (name, "") else f"{title}: {first}"
        table.add_row(escape(name), escape(textwrap.shorten(text, 120, placeholder=" …")))
    out.print(table)
    out.print("Run one with 'rsi-sim run NAME'; extend one in your own file with 'extends: NAME'.")


Engine = Annotated[str, typer.Option(
    help="where samples run: sequential, processes (local pool) or dask; results are identical")]
Workers = Annotated[int | None, typer.Option(
    help="worker processes (processes engine, or a local Dask cluster); default: CPU count")]
Scheduler = Annotated[str | None, typer.Option(
    help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 (implies --engine dask)")]
SamplerOpt = Annotated[str | None, typer.Option(
    "--sampler", help="mc (Monte Carlo), lhs (Latin hypercube) or sobol; default: the scenario's")]


def _progress_bar():
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("left"),
        TimeRemainingColumn(), console=err, transient=False)


def _with_progress(show: bool, label: str, fn):
    """Run ``fn(progress_callback)`` under a progress bar showing samples/s and time left."""
    if not show:
        return fn(None)
    import time

    with _progress_bar() as bar:
        task = bar.add_task(label, total=None, rate="")
        first: list[float] = []

        def update(done: int, total: int) -> None:
            now = time.perf_counter()
            if not first:
                first[:] = [now, done]
            elapsed = now - first[0]
            rate = (done - first[1]) / elapsed if elapsed > 0 and done > first[1] else 0.0
            bar.update(task, completed=done, total=total,
                       rate=f"{rate:,.1f} samples/s" if rate else "")

        return fn(update)


@app.command()
@user_errors
def ensemble(
    scenario: Scenario,
    samples: Annotated[int | None, typer.Option("--samples", "-n", help="number of samples (default: the scenario's ensemble.samples)")] = None,
    seed: Seed = None,
    sampler: SamplerOpt = None,
    engine: Engine = "sequential",
    workers: Workers = None,
    scheduler: Scheduler = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write results: .zarr (streamed, resumable) or .nc (small ensembles)")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="continue an interrupted .zarr store; only unfinished samples run")] = False,
    by: Annotated[list[float] | None, typer.Option("--by", metavar="YEAR", help="also give P(milestone reached by YEAR) (repeatable)")] = None,
    batch_size: Annotated[int | None, typer.Option(help="samples per task and per chunk (default from --samples)")] = None,
    set_: Sets = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar and no summary")] = False,
    plot: PlotOpt = None,
    kernel: Annotated[bool, typer.Option("--kernel", help="run every sample through the kernel even if the model has a vectorised path (records time variables; slower)")] = False,
    plugin: Plugins = None,
):
    """Run a scenario as a seeded Monte Carlo ensemble over its uncertainty: section, then print
    milestone-date percentiles and the probability of each milestone by the horizon and by given
    years. Results are identical whatever the engine and number of workers."""
    from .analysis.ensemble_summary import ensemble_tables
    from .ensemble import run_ensemble

    if output is not None and output.suffix not in (".zarr", ".nc"):
        raise RsiSimError(f"{output}: an ensemble is written to .zarr (streamed) or .nc; got {output.suffix!r}")
    if plot is not None:
        from . import io

        io.check_output_path(plot, FIGURE_TYPES)
    ds = _with_progress(not quiet, "ensemble", lambda cb: run_ensemble(
        scenario, samples, seed=seed, sampler=sampler, engine=engine, workers=workers,
        scheduler=scheduler, output=output, resume=resume, batch_size=batch_size,
        overrides=set_ or None, progress=cb, vectorized=False if kernel else None,
        plugins=plugin))
    if not quiet:
        for table in ensemble_tables(ds, by):
            out.print(table)
        if output is not None:
            out.print(f"wrote {escape(str(output))}")
    if plot is not None:
        # A vectorised ensemble stores no time series: then draw the milestone-date distributions.
        has_series = any(v.dims[-1:] == ("time",) for v in ds.data_vars.values())
        _draw(ds, "bands" if has_series else "milestones", plot, quiet)


@app.command()
@user_errors
def sensitivity(
    scenario: Scenario,
    metric: Annotated[str, typer.Option(help="what to explain: milestone_year:NAME, divergence_time, diverged, final:VARIABLE or max:VARIABLE")],
    samples: Annotated[int, typer.Option("--samples", "-n", help="base samples N (a power of two); the model runs N*(D+2) times for D parameters")] = 64,
    seed: Seed = None,
    engine: Engine = "sequential",
    workers: Workers = None,
    scheduler: Scheduler = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write the indices: .nc or .csv")] = None,
    set_: Sets = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="print nothing but errors")] = False,
    plugin: Plugins = None,
):
    """Sobol sensitivity indices (first-order and total, via SALib) of a metric to the
    parameters of the scenario's uncertainty: section, as a ranked table."""
    from . import io
    from .analysis.sensitivity import sensitivity as run_sensitivity
    from .analysis.sensitivity import sensitivity_table

    if output is not None:
        io.check_output_path(output)
    ds = _with_progress(not quiet, "sensitivity", lambda cb: run_sensitivity(
        scenario, metric, samples=samples, seed=seed, engine=engine, workers=workers,
        scheduler=scheduler, overrides=set_ or None, progress=cb, plugins=plugin))
    if not quiet:
        out.print(sensitivity_table(ds))
    if output is not None:
        io.write(ds, output)
        if not quiet:
            out.print(f"wrote {escape(str(output))}")


@app.command()
@user_errors
def compare(
    scenarios: Annotated[list[Path], typer.Argument(
        help="scenario YAML files; delays are measured against the first", show_default=False)],
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="directory for comparison.nc and comparison.csv (created if missing)")] = None,
    seed: Seed = None,
    plot: PlotOpt = None,
    plugin: Plugins = None,
):
    """Run several scenarios with the same seed and table what each buys and costs: milestone
    dates and delays against the first, peak AI R&D multiplier, time paused, peak alignment
    drift, human bottleneck utilisation."""
    from .analysis.compare import compare as compare_runs
    from .analysis.compare import comparison_table, write_comparison
    from .analysis.summary import fmt_year
    from .io import OutputError
    from .scenario import load_scenario

    if plot is not None:
        from . import io

        io.check_output_path(plot, FIGURE_TYPES)
    if output is not None:  # fail before the runs, not after
        if output.exists() and not output.is_dir():
            raise OutputError(f"{output}: exists and is not a directory")
        try:
            output.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{output}: cannot create the directory ({exc.strerror or exc})") from None
        if not os.access(output, os.W_OK):
            raise OutputError(f"{output}: not writable (permission denied)")
    loaded = [load_scenario(p, plugins=plugin) for p in scenarios]  # all checked before any run
    for sc in loaded:
        sc.build_model()
    ds = compare_runs(loaded, seed=seed)
    table = comparison_table(ds)
    milestones = [str(m) for m in ds["milestone"].values]
    first = str(ds["scenario"].values[0])
    # Scenarios as columns: a comparison of several policies stays readable in 80 columns.
    rich = Table(title=f"Comparison (seed {ds.attrs['seed']}; delays against {first})",
                 title_justify="left")
    rich.add_column("")
    for sc in table.index:
        rich.add_column(str(sc), justify="right", overflow="fold")
    for m in milestones:
        cells = []
        for sc, row in table.iterrows():
            year, delay = row[f"{m} (year)"], row[f"{m} delay (years)"]
            shown = fmt_year(year)
            if sc != first and year == year:
                shown += f"\n{delay:+.2f} y" if delay == delay else "\n(first: not reached)"
            cells.append(shown)
        rich.add_row(m, *cells)
    for label, col, fmt in (("peak AI R&D multiplier", "peak AI R&D multiplier", "{:.4g}"),
                            ("time paused (years)", "time paused (years)", "{:.2f}"),
                            ("peak alignment drift", "peak alignment drift", "{:.3g}"),
                            ("human bottleneck utilisation (mean)", "mean human bottleneck utilisation", "{:.3f}")):
        rich.add_row(label, *[fmt.format(v) for v in table[col]])
    out.print(rich)
    if output is not None:
        nc, csv = write_comparison(ds, output)
        out.print(f"wrote {escape(str(nc))} and {escape(str(csv))}")
    if plot is not None:
        _draw(ds, "comparison", plot, quiet=False)


@app.command("app")
def app_command(
    scenario: Annotated[Path | None, typer.Argument(
        help="scenario YAML file (default: the shipped baseline)", show_default=False)] = None,
    port: Annotated[int, typer.Option(min=0, max=65535, help="port to serve on (0: any free port)")] = 5006,
    host: Annotated[str, typer.Option(help="address to listen on (the default serves this machine only)")] = "127.0.0.1",
    control: Annotated[list[str] | None, typer.Option(
        "--control", metavar="PATH", help="a parameter to give a slider, e.g. components.software.r "
        "(repeatable; default: the scenario's uncertainty: keys)")] = None,
):
    """Serve a web page for exploring the scenario: sliders, takeoff curves, the milestone table,
    a policy and its comparison, an ensemble band; its address holds the settings. Needs the app
    extra: pip install 'rsi_sim\\[app]'."""
    try:
        import panel  # noqa: F401  (the app extra; imported only by this command)
    except ImportError:
        err.print("[bold red]error:[/] rsi-sim app needs the app extra: "
                  + escape("pip install 'rsi_sim[app]'"), highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    _serve_app(scenario, host, port, control)


@user_errors
def _serve_app(scenario: Path | None, host: str, port: int, control: list[str] | None) -> None:
    from .app.server import serve

    serve(scenario, host=host, port=port, controls=control,
          echo=lambda text: out.print(text, markup=False, highlight=False, soft_wrap=True))


def main() -> None:
    """Console-script entry point."""
    import signal

    try:
        app()
    except KeyboardInterrupt:  # between click's parsing and a command's own handler
        err.print("interrupted")
        code = 130
    except SystemExit as exc:
        # click reports usage errors with status 2 already; keep codes as they are.
        code = exc.code
    # The command has finished (its files are complete): a Ctrl-C from here on would only turn
    # a clean exit into a KeyboardInterrupt during interpreter shutdown.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(code)
