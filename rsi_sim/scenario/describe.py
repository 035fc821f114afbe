"""What ``rsi-sim describe`` prints: every parameter of a scenario's components (value, unit,
bounds, source), its milestones and policies, and the names conditions may use."""

from __future__ import annotations

import sys

from ..components import INTERACTIONS
from ..core import Model
from ..core.levers import Lever
from ..core.race import Race
from ..policies.actions import levers
from ..tables import Column, TextTable, to_markdown
from .load import Scenario


def _bounds(param) -> str:
    if param.choices:
        return ", ".join(param.choices)
    lo, hi = param.bounds
    if lo is None and hi is None:
        return ""
    return f"[{'' if lo is None else f'{lo:g}'}, {'' if hi is None else f'{hi:g}'}]"


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _release(release) -> str:
    if release.never:
        return "never"
    if release.after is not None:
        return f"after {release.after:g} years"
    if release.when is not None:
        return f"when {release.when}"
    return f"a safety evaluation of {release.evaluation.effort:,.0f} oversight person-hours passes"


def _neutral(lever: Lever) -> str:
    return "off" if lever.combine == "count" else f"{lever.neutral:g}"


def actions_table(found: dict[str, Lever], title: str = "Policy actions",
                  key: str = "actions") -> TextTable:
    """One row per action kind, from its `Lever` declaration: the parameter (unit, the values
    that make sense), how concurrent actions combine (count: reference-counted, min: the
    tightest cap, max, product), the value when no policy acts, the component attribute it
    moves, and its meaning. The same table is in docs/policies.md."""
    table = TextTable(title, [Column("action", wrap=False), Column("parameter"),
                              Column("combine", wrap=False), Column("neutral", wrap=False),
                              Column("lever", detail=True), Column("meaning", detail=True)],
                      key=key)
    for kind, lever in found.items():
        if lever.param is None:
            param = "none"
        else:
            unit = f" ({lever.unit})" if lever.unit else ""
            param = f"{lever.param}{unit}, {lever.expected()}"
        target = lever.target + (f" = {lever.scale:g} × {lever.param}" if lever.scale != 1.0 else "")
        table.add_row(kind, param, lever.combine, _neutral(lever), target, lever.doc)
    return table


def actions_markdown(found: dict[str, Lever]) -> str:
    """:func:`actions_table` in Markdown with names as code: the table in docs/policies.md
    (``tests/policies/test_lever_declarations.py`` checks it is up to date)."""
    table = actions_table(found, title="")
    for row in table.rows:
        row[0], row[4] = f"`{row[0]}`", f"`{row[4]}`"
    return to_markdown([table])


def _parameter_tables(comps, prefix: str = "", key: str = "parameters") -> tuple[list[TextTable], int]:
    """One table per component (or interaction) with parameters, and how many values are set."""
    tables, changed = [], 0
    for comp in comps:
        if not comp.params:
            continue
        # the class's docstring, or its module's (one file per component)
        doc = (type(comp).__doc__ or getattr(sys.modules.get(type(comp).__module__), "__doc__", "")
               or "").strip().split("\n\n")[0]
        doc = " ".join(doc.split()).split(". ")[0].rstrip(".")
        params = TextTable(f"{prefix}{comp.name}: {doc}" if doc else f"{prefix}{comp.name}",
                           [Column("parameter", wrap=False), Column("value", wrap=False),
                            Column("unit"), Column("bounds"), Column("source", detail=True)],
                           key=f"{key}.{comp.name}")
        for pname, param in comp.params.items():
            value = comp.values[pname]
            mark = "" if value == param.default else " (set)"
            changed += bool(mark)
            params.add_row(pname, f"{_value(value)}{mark}", param.unit, _bounds(param),
                           param.source)
        tables.append(params)
    return tables, changed


def describe_tables(scenario: Scenario, model: Model | Race) -> list[TextTable]:
    """Tables of a built scenario: parameters, milestones, policies, condition names; with
    actors, each actor's parameters and the interactions'."""
    if isinstance(model, Race):
        tables, changed = [], 0
        for actor, m in model.models.items():
            part, k = _parameter_tables(m.components.values(), f"{actor} · ",
                                        f"actors.{actor}.components")
            tables += part
            changed += k
        inter, k = _parameter_tables(
            [INTERACTIONS[n](**v) for n, v in scenario.spec.interactions.items()], "interaction · ",
            "interactions")
        tables += inter
        changed += k
        n = len(model.models)
        title = TextTable(f"{scenario.name} — {n} actors ({', '.join(model.models)}); set a "
                          "parameter with --set actors.ACTOR.components.COMPONENT.PARAMETER=VALUE",
                          [], key="scenario", header=False)
        model = next(iter(model.models.values()))  # names conditions may use: the same for all
    else:
        tables, changed = _parameter_tables(model.components.values())
        n = len(tables)
        title = TextTable(f"{scenario.name} — {n} component{'' if n == 1 else 's'}; set a "
                          "parameter with --set components.COMPONENT.PARAMETER=VALUE", [],
                          key="scenario", header=False)
    if changed:
        title.notes.append(f"(set): {changed} value(s) differ from the component's default, set "
                           "by the file, extends or --set.")
    tables = [title, *tables]
    spec = scenario.spec
    if spec.milestones:
        ms = TextTable("Milestones", [Column("milestone", wrap=False), Column("condition"),
                                      Column("description")], key="milestones")
        for name, m in spec.milestones.items():
            ms.add_row(name, m.when, m.description)
        tables.append(ms)
    if spec.policies:
        pol = TextTable("Policies", [Column("policy", wrap=False), Column("trigger"),
                                     Column("action"), Column("release")], key="policies")
        for name, p in spec.policies.items():
            actions = "; ".join(a.kind + ("" if a.value is None else f" {a.param}={a.value:g}")
                                for a in p.actions)
            binds = "" if not spec.actors else (
                " [all actors]" if p.actors == "all" else f" [{p.actor or next(iter(spec.actors))}]")
            pol.add_row(name + binds, p.trigger, actions,
                        _release(p.release) + ("; repeats" if p.repeat else ""))
        tables.append(pol)
    offered = {k: lever for k, lever in levers().items() if lever.component in model.components}
    if offered:
        tables.append(actions_table(offered, "Policy actions on these components (policies: "
                                    "... action: {kind: ACTION, PARAMETER: VALUE})"))
    names = TextTable("Names conditions may use (milestones, stop, policy triggers and releases)",
                      [Column("name", wrap=False), Column("unit", wrap=False), Column("meaning")],
                      key="names")
    for name, var in sorted({**{s.name: s for s in model.stocks}, **model.variables}.items()):
        names.add_row(name, var.unit, var.long_name)
    for flag in sorted(model.flags):
        names.add_row(flag, "true/false", "milestone reached" if flag in spec.milestones
                      else "a fact set during the run")
    names.add_row("date", "date", "the simulated date, e.g. date >= 2030-01-01")
    tables.append(names)
    return tables
