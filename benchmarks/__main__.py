"""``python -m benchmarks [--quick] [--only P1,P8] [--record]`` — measure REFERENCE D."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from .figures import run_all, scaling
from .harness import machine

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
MARK_BEGIN, MARK_END = "<!-- results:begin -->", "<!-- results:end -->"


def markdown(results, facts, when: str, quick: bool, rows) -> str:
    lines = [f"Measured {when} with `python -m benchmarks{' --quick' if quick else ''}`.", ""]
    lines += ["| machine | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in facts.items()] + [""]
    lines += ["| # | what | target | measured | verdict |", "|---|---|---|---|---|"]
    lines += [f"| {r.id} | {r.what} | {r.target} | {r.measured} | {r.verdict} |" for r in results]
    if rows:
        lines += ["", "How cost grows:", "", "| what | size | time |", "|---|---|---|"]
        lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="tiny sizes (smoke test; figures not comparable)")
    ap.add_argument("--only", help="comma-separated figure ids, e.g. P1,P8")
    ap.add_argument("--no-scaling", action="store_true", help="skip the scaling table")
    ap.add_argument("--record", action="store_true", help=f"write the table into {DOC.name}")
    args = ap.parse_args(argv)
    only = args.only.split(",") if args.only else None
    facts = machine()
    results = run_all(only, args.quick)
    console = Console()
    table = Table(title="rsi_sim benchmarks (REFERENCE D)", title_justify="left")
    for col in ("#", "what", "target", "measured", "verdict"):
        table.add_column(col, overflow="fold")
    for r in results:
        style = {True: "green", False: "red", None: "yellow"}[r.passed]
        table.add_row(r.id, r.what, r.target, r.measured, f"[{style}]{r.verdict}[/]")
    console.print(table)
    rows = [] if (args.no_scaling or only) else scaling(args.quick)
    if rows:
        grow = Table(title="How cost grows", title_justify="left")
        for col in ("what", "size", "time"):
            grow.add_column(col)
        for row in rows:
            grow.add_row(*row)
        console.print(grow)
    console.print(", ".join(f"{k}: {v}" for k, v in facts.items()))
    if args.record:
        body = markdown(results, facts, dt.date.today().isoformat(), args.quick, rows)
        text = DOC.read_text() if DOC.exists() else f"# Benchmarks\n\n{MARK_BEGIN}\n{MARK_END}\n"
        if MARK_BEGIN not in text:
            text += f"\n{MARK_BEGIN}\n{MARK_END}\n"
        head, rest = text.split(MARK_BEGIN, 1)
        tail = rest.split(MARK_END, 1)[1]
        DOC.write_text(f"{head}{MARK_BEGIN}\n{body}\n{MARK_END}{tail}")
        console.print(f"recorded in {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
