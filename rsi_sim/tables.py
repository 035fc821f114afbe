"""The tables the command line prints, as plain text cells, in the format the user asks for.

One :class:`TextTable` renders as a terminal table fitted to the console's width (80 columns in
a pipe), or as CSV, Markdown or JSON (``--format``). Cells are plain text, never rich markup: a
value such as ``rsi_sim[dask]`` or ``[0, 1]`` is printed as written.

>>> t = TextTable("Milestones", [Column("milestone", wrap=False), Column("date", "right")])
>>> t.add_row("SAR", "2029-03-01")
>>> print(render_text([t], "markdown"))
**Milestones**
<BLANKLINE>
| milestone | date |
|---|---:|
| SAR | 2029-03-01 |
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from rich import box
from rich.table import Table
from rich.text import Text

FORMATS = ("table", "csv", "markdown", "json")


@dataclass
class Column:
    """A column: its header, alignment, and whether its cells may wrap (long text) or must stay
    on one line (names, numbers, dates)."""

    name: str
    justify: Literal["left", "right"] = "left"
    wrap: bool = True
    #: in a terminal too narrow for the whole table, shown on a line of its own under each row
    #: (long text such as a parameter's source) instead of as a squeezed column
    detail: bool = False


@dataclass
class TextTable:
    """A titled table of text cells; ``key`` names it in JSON, ``notes`` follow it."""

    title: str
    columns: list[Column]
    rows: list[list[str]] = field(default_factory=list)
    key: str = ""
    header: bool = True
    notes: list[str] = field(default_factory=list)
    styles: dict[int, str] = field(default_factory=dict)
    #: in a terminal too narrow for all columns, print several tables, each with the first
    #: column and as many of the others as fit (a comparison of many scenarios)
    split: bool = False

    def add_row(self, *cells: object, style: str | None = None) -> None:
        if len(cells) != len(self.columns):
            raise ValueError(f"{self.title}: {len(cells)} cells for {len(self.columns)} columns")
        if style:
            self.styles[len(self.rows)] = style
        self.rows.append(["" if c is None else str(c) for c in cells])

    def widths(self) -> list[int]:
        """Natural width of each column: its longest line, or its header."""
        return [max([len(c.name), *(len(line) for row in self.rows
                                    for line in row[i].splitlines())])
                for i, c in enumerate(self.columns)]

    def __rich_console__(self, console, options):
        if not self.columns:  # a heading only
            yield Text(self.title, style="bold")
            return
        width = options.max_width
        detail = [i for i, c in enumerate(self.columns) if c.detail]
        natural = self.widths()
        if self.split and sum(natural) + 2 * (len(natural) - 1) > width:
            yield from self._split(width, natural)
            return
        if detail and sum(natural) + 2 * (len(natural) - 1) > width:
            main = [w for i, w in enumerate(natural) if i not in detail]
            if sum(main) + 2 * (len(main) - 1) <= width:
                yield from _records(self, width)
                return
        yield to_rich(self)


    def _split(self, width: int, natural: list[int]):
        first = min(natural[0], 24)  # the labels wrap to this width if need be
        groups: list[list[int]] = [[]]
        used = first
        for i in range(1, len(self.columns)):
            if groups[-1] and used + 2 + natural[i] > width:
                groups.append([])
                used = first
            groups[-1].append(i)
            used += 2 + natural[i]
        for k, group in enumerate(groups):
            cols = [0, *group]
            part = TextTable(self.title if k == 0 else f"{self.title} (continued)",
                             [self.columns[i] for i in cols],
                             [[row[i] for i in cols] for row in self.rows],
                             header=self.header, styles=self.styles)
            yield to_rich(part)


def to_rich(t: TextTable) -> Table:
    """A rich Table: cells as Text (no markup), short columns kept whole, long text wrapped at
    word boundaries, a light box so that the width goes to the content."""
    table = Table(title=Text(t.title) if t.title else None, title_justify="left",
                  show_header=t.header, box=box.SIMPLE_HEAD, pad_edge=False,
                  title_style="bold")
    for c in t.columns:
        table.add_column(Text(c.name), justify=c.justify, no_wrap=not c.wrap,
                         overflow="fold" if c.wrap else "ellipsis")
    for k, row in enumerate(t.rows):
        table.add_row(*(Text(cell) for cell in row), style=t.styles.get(k))
    return table


def _records(t: TextTable, width: int):
    """A table too wide for the terminal because of its ``detail`` columns: the other columns
    aligned on one line per row, each detail on the lines under it, wrapped at word boundaries
    across the whole width (nothing is squeezed into a narrow column)."""
    detail = [i for i, c in enumerate(t.columns) if c.detail]
    main = [i for i in range(len(t.columns)) if i not in detail]
    natural = t.widths()

    def line(cells: list[str]) -> str:
        parts = []
        for i, cell in zip(main, cells, strict=True):
            c = t.columns[i]
            parts.append(cell.rjust(natural[i]) if c.justify == "right" else cell.ljust(natural[i]))
        return "  ".join(parts).rstrip()

    if t.title:
        yield Text(t.title, style="bold")
    if t.header:
        yield Text(line([t.columns[i].name for i in main]), style="bold")
        yield Text("─" * min(width, len(line([t.columns[i].name for i in main]))))
    for k, row in enumerate(t.rows):
        yield Text(line([row[i].replace("\n", " ") for i in main]), style=t.styles.get(k) or "")
        for i in detail:
            if row[i]:
                text = f"{t.columns[i].name}: {_flat(row[i], ' ')}"
                wrapped = textwrap.fill(text, width - 4, initial_indent="    ",
                                        subsequent_indent="    ", break_long_words=False,
                                        break_on_hyphens=False)
                yield Text(wrapped, style="dim")
    yield Text("")


def _flat(cell: str, sep: str = "; ") -> str:
    return sep.join(line for line in cell.splitlines() if line.strip())


def to_csv(tables: Sequence[TextTable]) -> str:
    """Each table as a CSV block (header row first), blocks separated by a blank line and
    preceded by ``# title`` when there are several."""
    buf = io.StringIO()
    tables = [t for t in tables if t.columns]
    for k, t in enumerate(tables):
        if k:
            buf.write("\n")
        if len(tables) > 1:
            buf.write(f"# {t.title}\n")
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow([c.name or "item" for c in t.columns])
        writer.writerows([_flat(cell) for cell in row] for row in t.rows)
    return buf.getvalue().rstrip("\n")


def _md(cell: str) -> str:
    return _flat(cell, "<br>").replace("|", "\\|")


def to_markdown(tables: Sequence[TextTable]) -> str:
    parts = []
    for t in tables:
        if not t.columns:
            parts.append("\n\n".join([f"**{t.title}**", *t.notes]))
            continue
        lines = [f"**{t.title}**", ""] if t.title else []
        lines.append("| " + " | ".join(_md(c.name) for c in t.columns) + " |")
        lines.append("|" + "|".join("---:" if c.justify == "right" else "---"
                                     for c in t.columns) + "|")
        lines += ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in t.rows]
        lines += [f"\n{note}" for note in t.notes]
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def to_json(tables: Sequence[TextTable]) -> str:
    """A list with one object per table: key, title, columns, rows (objects by column), notes."""
    out = []
    for t in tables:
        names = [c.name or f"column{i}" for i, c in enumerate(t.columns)]
        out.append({"key": t.key or t.title, "title": t.title, "columns": names,
                    "rows": [dict(zip(names, row, strict=True)) for row in t.rows],
                    "notes": list(t.notes)})
    return json.dumps(out, indent=2, ensure_ascii=False)


def render_text(tables: Sequence[TextTable], fmt: str) -> str:
    """CSV, Markdown or JSON text of ``tables``."""
    if fmt == "csv":
        return to_csv(tables)
    if fmt == "markdown":
        return to_markdown(tables)
    if fmt == "json":
        return to_json(tables)
    raise ValueError(f"--format must be one of {', '.join(FORMATS)}; got {fmt!r}")


def print_tables(console, tables: Sequence[TextTable], fmt: str = "table") -> None:
    """Print ``tables`` on a rich console in the format ``fmt`` (see :data:`FORMATS`)."""
    if fmt == "table":
        for t in tables:
            console.print(t)
            for note in t.notes:
                console.print(Text(note), soft_wrap=False)
        return
    # Machine-readable text goes out exactly as it is: no wrapping, no markup, no highlighting.
    console.file.write(render_text(tables, fmt) + "\n")
    console.file.flush()
