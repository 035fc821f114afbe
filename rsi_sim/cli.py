"""The ``rsi-sim`` command."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

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

Scenario = Annotated[Path, typer.Argument(help="scenario YAML file", show_default=False)]
Sets = Annotated[list[str] | None, typer.Option(
    "--set", "-s", metavar="KEY=VALUE",
    help="override a value by its dotted path, e.g. --set components.software.r=1.5 (repeatable)")]
Seed = Annotated[int | None, typer.Option(help="random seed (default: the scenario's seed)")]


def user_errors(fn):
    """Turn errors meant for users into one paragraph on stderr and exit status 2."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except RsiSimError as exc:
            err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            err.print("interrupted")
            raise typer.Exit(130) from None
        except Exception as exc:  # a bug, not bad input: say so plainly
            if os.environ.get("RSI_SIM_DEBUG"):
                raise
            err.print(f"[bold red]internal error:[/] {type(exc).__name__}: {exc}\n"
                      "This is a bug in rsi_sim; rerun with RSI_SIM_DEBUG=1 for the traceback "
                      "and report it.", highlight=False)
            raise typer.Exit(1) from None

    return wrapper


@app.command()
@user_errors
def run(
    scenario: Scenario,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write results: .nc (netCDF) or .csv (tidy)")] = None,
    set_: Sets = None,
    seed: Seed = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="print nothing but errors")] = False,
    plot: Annotated[Path | None, typer.Option(
        "--plot", metavar="FIG", help="also draw the takeoff figure: .png, .svg or .pdf")] = None,
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
    sc = load_scenario(scenario, set_ or None)
    ds = run_scenario(sc, seed=seed)
    if not quiet:
        for table in summary_tables(ds):
            out.print(table)
    if output is not None:
        io.write(ds, output)
        if not quiet:
            out.print(f"wrote {output}")
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
        out.print(f"wrote {path} ({kind} figure)", soft_wrap=True)


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
def validate(scenario: Scenario, set_: Sets = None):
    """Check a scenario file (schema, parameter bounds, condition names) without running it."""
    from .scenario import load_scenario

    sc = load_scenario(scenario, set_ or None)
    model = sc.build_model()
    out.print(f"[green]ok[/]: {scenario} — '{sc.name}', {len(model.components) - 1} components, "
              f"{len(sc.spec.milestones)} milestones, {sc.spec.horizon_years():.4g} years")


@app.command()
@user_errors
def describe(scenario: Scenario, set_: Sets = None):
    """List every parameter of the scenario's components: value, unit, bounds and source."""
    from .scenario import load_scenario

    sc = load_scenario(scenario, set_ or None)
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


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except SystemExit as exc:
        code = exc.code
        # click reports usage errors with status 2 already; keep codes as they are.
        sys.exit(code)
