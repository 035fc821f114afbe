"""--format table|csv|markdown|json on every command that prints tables; tables fit 80 columns
(a pipe) and print user text as written."""

import csv
import io
import json

import pytest

JONES = "reference/jones"
ENSEMBLE = ["ensemble", "reference/jones_ensemble", "--samples", "4", "--set", "horizon=2 y"]


@pytest.mark.parametrize("command", [
    ["run", JONES], ["describe", JONES], ["compare", "baseline", "compute_cap"], ENSEMBLE,
    ["sensitivity", "reference/jones_ensemble", "--metric", "final:A", "--samples", "2",
     "--set", "horizon=1 month"], ["scenarios"]])
def test_json_is_parseable_and_csv_is_csv(cli, command):
    res = cli(*command, "--format", "json")
    assert res.exit_code == 0, res.output
    tables = json.loads(res.stdout)  # the progress bar goes to stderr
    assert tables and all({"key", "title", "columns", "rows"} <= set(t) for t in tables)
    assert any(t["rows"] for t in tables)
    res = cli(*command, "--format", "csv")
    assert res.exit_code == 0, res.output
    for block in res.stdout.strip().split("\n\n"):
        text = block.split("\n", 1)[1] if block.startswith("# ") else block
        rows = list(csv.reader(io.StringIO(text)))
        assert len(rows) >= 2 and len({len(r) for r in rows}) == 1, block


def test_markdown_tables(cli):
    res = cli("run", JONES, "--format", "markdown")
    assert res.exit_code == 0
    assert "**Milestones**" in res.output and "| milestone | condition | date |" in res.output
    assert "|---|---|---|" in res.output


def test_an_unknown_format_is_refused_with_a_suggestion(cli):
    res = cli("run", JONES, "--format", "jsn")
    assert res.exit_code == 2 and "did you mean 'json'" in res.output


def test_wrote_lines_go_to_stderr_beside_machine_output(cli, tmp_path):
    res = cli("run", JONES, "--format", "json", "-o", tmp_path / "j.nc")
    assert res.exit_code == 0
    assert json.loads(res.stdout) and "wrote" not in res.stdout and "wrote" in res.stderr


@pytest.mark.parametrize("command", [["run", "baseline"], ["compare", "baseline",
                                     "managed_slowdown", "compute_cap", "human_in_the_loop",
                                     "oversight_first"], ["scenarios"]])
def test_tables_fit_80_columns(cli, command):
    res = cli(*command)
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert max(len(line) for line in lines if not line.startswith("Next:")) <= 80
    assert not any("…" in line for line in lines if not command == ["scenarios"])


def test_user_text_in_tables_is_printed_as_written(cli, write):
    path = write("name: '[bold]mine[/bold] [dask]'\nhorizon: 1 y\ncomponents:\n  jones: {}\n"
                 "milestones:\n  two: 'A >= 2'\n")
    res = cli("run", path)
    assert res.exit_code == 0, res.output
    assert "[bold]mine[/bold] [dask]" in res.output


@pytest.mark.parametrize("command", ["run", "ensemble", "compare", "describe", "scenarios"])
def test_flags_show_no_value_type_in_help(cli, command):
    res = cli(command, "--help")
    assert res.exit_code == 0 and "--help" in res.output
    assert "<bool>" not in res.output


def test_command_help_is_not_broken_where_the_source_line_ended(cli):
    from rsi_sim.cli import app

    for info in app.registered_commands:
        assert info.help and all("\n" not in p for p in info.help.split("\n\n")), info.name
    listing = cli("--help").output
    run_line = next(line for line in listing.splitlines() if "│ run " in line)
    assert len(run_line.rstrip("│ ")) > 70  # the first line of 'run' is filled, not cut short
