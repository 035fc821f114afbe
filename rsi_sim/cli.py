"""The ``rsi-sim`` command.

Each command imports what it runs (scenarios, the kernel, ensembles, analysis, plots, the app)
inside its own function, so ``rsi-sim --help`` (and a mistyped command) answers without loading
xarray, scipy or matplotlib, and a command loads only what it uses. This module, and
``__main__`` (which imports it inside ``main`` so a Ctrl-C while it loads ends cleanly), are the
one place where the package imports its own modules inside functions; ``tests/test_imports.py``
allows exactly these (docs/architecture.md, "The parts and the way dependencies point"). At
module level it imports only light parts: ``core.errors``, ``core.time``, ``tables``, ``_deps``.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
import textwrap
from pathlib import Path
from typing import Annotated

import typer
import typer.core
from rich.console import Console
from rich.markup import escape

from ._deps import missing_dependency
from .core.errors import RsiSimError, did_you_mean
from .core.time import to_decimal_year
from .tables import FORMATS, Column, TextTable, print_tables

app = typer.Typer(
    name="rsi-sim",
    help=(
        "Simulate recursive self-improvement of AI from scenario files.\n\n"
        "Start with:  rsi-sim run baseline -o baseline.nc\n\n"
        "'rsi-sim scenarios' lists the shipped scenarios (run them by name from any folder). "
        "Check a file without running it with 'rsi-sim validate', and list every parameter with "
        "its unit, bounds and source with 'rsi-sim describe'. Components of your own: --plugin "
        "MODULE (docs/components.md)."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
out = Console()
err = Console(stderr=True)

# Typer's help shows a type for every option, '<bool>' for flags (--quiet, --help) that take no
# value, which reads as if they needed one: flags show none.
_display_type = typer.core.TyperOption.display_type_rich
typer.core.TyperOption.display_type_rich = (
    lambda self, ctx: None if self.is_flag else _display_type(self, ctx))


def _tables(tables, fmt: str) -> None:
    """Print tables in the chosen ``--format``."""
    print_tables(out, tables, fmt)


def _say(text: str, fmt: str = "table") -> None:
    """A status line ("wrote ..."): on stdout with tables, on stderr beside machine-readable
    output (which must stay parseable)."""
    (out if fmt == "table" else err).print(escape(text), highlight=False, soft_wrap=True)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise RsiSimError(f"--format must be one of {', '.join(FORMATS)}{did_you_mean(fmt, FORMATS)}; "
                          f"got {fmt!r}")

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
FormatOpt = Annotated[str, typer.Option(
    "--format", "-f", metavar="FORMAT",
    help="how to print the tables: table (fitted to the terminal), csv, markdown or json")]
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
    fmt: FormatOpt = "table",
):
    """Run one scenario: print a summary (milestones, divergence, headline variables) and write
    the results by file extension."""
    from . import io
    from .analysis.summary import next_steps, summary_tables
    from .api import run as run_scenario
    from .scenario import load_scenario

    _check_format(fmt)
    if output is not None:
        io.check_output_path(output)  # fail before a long run, not after
    if plot is not None:
        io.check_output_path(plot, FIGURE_TYPES)
    sc = load_scenario(scenario, set_ or None, plugins=plugin)
    ds = run_scenario(sc, seed=seed)
    if not quiet:
        _tables(summary_tables(ds), fmt)
    if output is not None:
        io.write(ds, output)
        if not quiet:
            _say(f"wrote {output}", fmt)
    if plot is not None:
        _draw(ds, "takeoff", plot, quiet, fmt)
    if not quiet and fmt == "table":
        _say(next_steps(scenario, output if output is not None and output.suffix == ".nc"
                        else None, actors="actor" in ds.dims))


FIGURE_TYPES = (".png", ".svg", ".pdf")
FIGURE_KINDS = ("takeoff", "bands", "milestones", "comparison", "judgment", "generations", "sensitivity", "lead")


def _draw(ds, kind: str | None, path: Path, quiet: bool, fmt: str = "table") -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only: never open a window from the command line
    from . import plot as figures

    kind = kind or figures.default_kind(ds)
    figures.save(figures.plot(ds, kind), path)
    if not quiet:
        _say(f"wrote {path} ({kind} figure)", fmt)


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
    models = getattr(model, "models", {"": model})  # a race: one model per actor
    parts = [c for c in next(iter(models.values())).components
             if c not in ("milestones", "policies", "rivals")]
    n = len(sc.spec.policies)
    policies = f"{n} {'policy' if n == 1 else 'policies'}, " if n else ""
    actors = f"{len(models)} actors ({', '.join(models)}), " if sc.spec.actors else ""
    out.print(f"[green]ok[/]: {escape(str(scenario))} — '{escape(sc.name)}', {actors}"
              f"{len(parts)} components{' each' if actors else ''}, "
              f"{len(sc.spec.milestones)} milestones, {policies}{sc.spec.horizon_years():.4g} years")


@app.command()
@user_errors
def describe(scenario: Scenario, set_: Sets = None, plugin: Plugins = None,
             fmt: FormatOpt = "table"):
    """List every parameter of the scenario's components (value, unit, bounds, source), its
    milestones and policies, and the names conditions may use."""
    from .scenario import load_scenario
    from .scenario.describe import describe_tables

    _check_format(fmt)
    sc = load_scenario(scenario, set_ or None, plugins=plugin)
    _tables(describe_tables(sc, sc.build_model()), fmt)


@app.command()
@user_errors
def scenarios(fmt: FormatOpt = "table"):
    """List the scenarios shipped with rsi_sim: run any of them by name from any folder
    (rsi-sim run baseline), or extend one in your own file (extends: baseline)."""
    from .scenario.shipped import shipped_dir, shipped_summaries

    _check_format(fmt)
    table = TextTable(f"Shipped scenarios (in {shipped_dir()})",
                      [Column("name", wrap=False), Column("what it is")], key="scenarios")
    for name, title, description in shipped_summaries():
        first = description.split(". ")[0].rstrip(".") + "." if description else ""
        text = first if title in (name, "") else f"{title}: {first}"
        table.add_row(name, textwrap.shorten(text, 120, placeholder=" …"))
    table.notes.append("Run one with 'rsi-sim run NAME'; extend one in your own file with "
                       "'extends: NAME'.")
    _tables([table], fmt)


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
    fmt: FormatOpt = "table",
):
    """Run a scenario as a seeded Monte Carlo ensemble over its uncertainty: section, then print
    milestone-date percentiles and the probability of each milestone by the horizon and by given
    years. Results are identical whatever the engine and number of workers."""
    from .analysis.ensemble_summary import ensemble_tables
    from .ensemble import run_ensemble

    _check_format(fmt)
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
        _tables(ensemble_tables(ds, by), fmt)
        if output is not None:
            _say(f"wrote {output}", fmt)
    if plot is not None:
        # A vectorised ensemble stores no time series: then draw the milestone-date distributions.
        has_series = any(v.dims[-1:] == ("time",) for v in ds.data_vars.values())
        _draw(ds, "bands" if has_series else "milestones", plot, quiet, fmt)


@app.command()
@user_errors
def sensitivity(
    scenario: Scenario,
    metric: Annotated[str, typer.Option(help="what to explain: milestone_year:NAME, divergence_time, diverged, final:VARIABLE or max:VARIABLE")],
    samples: Annotated[int, typer.Option("--samples", "-n", help="base samples N (a power of two); the model runs N*(D+2) times for D parameters; the table warns if the intervals are too wide to rank")] = 256,
    seed: Seed = None,
    engine: Engine = "sequential",
    workers: Workers = None,
    scheduler: Scheduler = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write the indices: .nc or .csv")] = None,
    set_: Sets = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="print nothing but errors")] = False,
    plugin: Plugins = None,
    fmt: FormatOpt = "table",
):
    """Sobol sensitivity indices (first-order and total, via SALib) of a metric to the
    parameters of the scenario's uncertainty: section, as a ranked table."""
    from . import io
    from .analysis.sensitivity import sensitivity as run_sensitivity
    from .analysis.sensitivity import sensitivity_table

    _check_format(fmt)
    if output is not None:
        io.check_output_path(output)
    ds = _with_progress(not quiet, "sensitivity", lambda cb: run_sensitivity(
        scenario, metric, samples=samples, seed=seed, engine=engine, workers=workers,
        scheduler=scheduler, overrides=set_ or None, progress=cb, plugins=plugin))
    if not quiet:
        _tables([sensitivity_table(ds)], fmt)
    if output is not None:
        io.write(ds, output)
        if not quiet:
            _say(f"wrote {output}", fmt)


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
    fmt: FormatOpt = "table",
    lead_at: Annotated[list[str] | None, typer.Option(
        "--lead-at", help="with actors: a date (YYYY-MM-DD) to print the lead at; repeat for "
        "several (default: 1 January of the five years after the start)")] = None,
):
    """Run several scenarios with the same seed and table what each buys and costs: milestone
    dates and delays against the first, peak AI R&D multiplier, time paused, peak alignment
    drift, human bottleneck utilisation. Scenarios with actors: get these per actor, who reaches
    each milestone first, and the lead of the first actor over the others."""
    from .analysis.compare import compare as compare_runs
    from .analysis.compare import comparison_text_table, write_comparison
    from .io import OutputError
    from .scenario import load_scenario

    _check_format(fmt)
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
    dates = [_lead_date(d) for d in lead_at or []]
    loaded = [load_scenario(p, plugins=plugin) for p in scenarios]  # all checked before any run
    for sc in loaded:
        sc.build_model()
    ds = compare_runs(loaded, seed=seed)
    _tables([comparison_text_table(ds, dates)], fmt)
    if output is not None:
        nc, csv = write_comparison(ds, output)
        _say(f"wrote {nc} and {csv}", fmt)
    if plot is not None:
        _draw(ds, "comparison", plot, quiet=False, fmt=fmt)


def _lead_date(text: str) -> float:
    """A ``--lead-at`` date as a decimal year."""
    try:
        return to_decimal_year(dt.date.fromisoformat(text.strip()))
    except ValueError:
        raise RsiSimError(f"--lead-at expects a date written YYYY-MM-DD, got {text!r}") from None


def _reflow_help() -> None:
    """Command help from docstrings with their line breaks removed: the commands list and
    --help then wrap at the terminal's width, not mid-sentence where the source line ended."""
    import inspect

    for info in app.registered_commands:
        doc = inspect.getdoc(info.callback) or ""
        info.help = "\n\n".join(" ".join(p.split()) for p in doc.split("\n\n"))


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

    if scenario is not None:
        from .scenario import load_scenario

        if load_scenario(scenario).spec.actors:
            raise RsiSimError(f"{scenario}: the web page runs one developer; a scenario with "
                              "actors: runs with rsi-sim run, compare or ensemble (docs/actors.md)")
    serve(scenario, host=host, port=port, controls=control,
          echo=lambda text: out.print(text, markup=False, highlight=False, soft_wrap=True))


_reflow_help()  # after the last command is registered


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
