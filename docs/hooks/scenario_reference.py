"""mkdocs hook: generate the scenario file reference from the schema and the component
parameter declarations at every build, so it cannot go stale.

The page is built from :class:`rsi_sim.scenario.schema.ScenarioSpec` (top-level keys: type,
default, description) and :data:`rsi_sim.components.REGISTRY` (every component parameter:
default, unit, bounds, source, meaning; every policy action its components' levers offer). Run ``python docs/hooks/scenario_reference.py`` to
print it.
"""

from __future__ import annotations

import sys
import types
import typing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # build from a clone without installing
    sys.path.insert(0, str(ROOT))

PAGE = "scenario-reference.md"


#: Readable names of the schema's validated types, by the validator's function name.
VALIDATED = {"_duration": "duration (years, or text with a unit)", "_date": "date (YYYY-MM-DD)",
             "_condition": "condition", "_milestone": "milestone"}

#: Meanings for schema keys that carry no description.
MEANINGS = {"description": "free text shown by `describe` and stored with the results",
            "outputs": "the output grid", "solver": "the integrator of continuous stocks",
            "milestones": "named conditions whose first crossing is dated (see below)"}


def _type_name(annotation) -> str:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        for meta in args[1:]:
            func = getattr(getattr(meta, "func", None), "__name__", "")
            if func in VALIDATED:
                return VALIDATED[func]
        return _type_name(args[0])
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in args)
    if origin is typing.Literal:
        return "one of " + ", ".join(f"`{a}`" for a in args)
    if origin is dict:
        return f"mapping of {_type_name(args[0])} to {_type_name(args[1])}"
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if annotation is type(None):
        return "null"
    if annotation is typing.Any:
        return "any"
    names = {"str": "text", "int": "integer", "float": "number", "bool": "true/false", "date": "date (YYYY-MM-DD)"}
    name = getattr(annotation, "__name__", str(annotation))
    return names.get(name, name)


def _cell(value) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _text(value) -> str:
    """A free-text cell: brackets escaped, so ``x[0]`` is not read as a Markdown link."""
    return _cell(value).replace("[", "\\[").replace("]", "\\]")


def _default(field) -> str:
    from pydantic_core import PydanticUndefined

    if field.is_required():
        return "required"
    value = field.default
    if value is PydanticUndefined:
        return ""
    if hasattr(value, "model_dump"):
        return "see below"
    if isinstance(value, float):
        return f"`{value:.4g}`"
    if hasattr(value, "isoformat"):
        return f"`{value.isoformat()}`"
    return f"`{value!r}`"


def _fields(model, prefix: str = "") -> list[str]:
    rows = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        validated = [VALIDATED[f] for m in field.metadata
                     if (f := getattr(getattr(m, "func", None), "__name__", "")) in VALIDATED]
        kind = validated[0] if validated else _type_name(field.annotation)
        rows.append(f"| `{key}` | {_cell(kind)} | {_default(field)} | "
                    f"{_cell(field.description or MEANINGS.get(name, ''))} |")
        sub = field.annotation
        if isinstance(sub, type) and hasattr(sub, "model_fields"):
            rows += _fields(sub, f"{key}.")
    return rows


def _bounds(param) -> str:
    if param.choices:
        return ", ".join(f"`{c}`" for c in param.choices)
    lo, hi = param.bounds
    if lo is None and hi is None:
        return ""
    # In backticks: "[a][b]" next to each other would read as a Markdown reference link.
    return f"`[{'' if lo is None else f'{lo:g}'}, {'' if hi is None else f'{hi:g}'}]`"


def reference_markdown() -> str:
    """The whole page as Markdown."""
    from rsi_sim.components import INTERACTIONS, REGISTRY
    from rsi_sim.policies.actions import levers
    from rsi_sim.scenario.describe import actions_markdown
    from rsi_sim.scenario.schema import ScenarioSpec

    lines = [
        "# Scenario file reference",
        "",
        "Generated at every documentation build from the scenario schema "
        "(`rsi_sim/scenario/schema.py`) and the parameter declarations of the components "
        "(`rsi_sim/components/`), so it always matches the code. `rsi-sim describe FILE` prints "
        "the same parameters with the values a given file sets.",
        "",
        "Unknown keys are errors. Durations are read with units (`\"3 months\"`, `\"2.5 y\"`), "
        "quantities may carry their unit (`\"1e27 FLOP\"`). Any value can be overridden from the "
        "command line by its dotted path: `--set components.software.r=1.5`.",
        "",
        "## Top-level keys",
        "",
        "| key | type | default | meaning |",
        "|---|---|---|---|",
        *_fields(ScenarioSpec),
        "",
        "`extends: OTHER.yaml` (a path relative to the file) merges this file key by key onto "
        "another before validation; a key the file sets replaces the other's, mappings merge, "
        "and `description` is not inherited (a variant without one reads \"Based on OTHER\").",
        "",
        "Where `extends` may point (the safe-loading promise: a scenario file cannot make "
        "rsi_sim read arbitrary files): a file in the scenario's own directory, its parent "
        "directory, or their subdirectories; or a **shipped scenario by name** from anywhere "
        "(`extends: baseline`, `extends: reference/jones`, with or without `.yaml`), used when "
        "no file of that name is next to the scenario. Any other path (`../../elsewhere.yaml`, "
        "an absolute path outside the tree) is refused with the file, line and key. `rsi-sim "
        "scenarios` lists the shipped scenarios; the command line and `load_scenario` accept "
        "their names too (`rsi-sim run baseline`). A scenario file never imports code: "
        "components of your own are registered with `--plugin` "
        "([Write your own component](components.md)).",
        "",
        "`milestones` maps a name to a condition (`SC: \"ai_rd_multiplier >= 5\"`) or to "
        "`{when: CONDITION, description: TEXT}`. Conditions compare any recorded variable, or "
        "`date`, with a number or a date.",
        "",
        "## Component parameters",
        "",
        "Under `components:`, one mapping per component; a component left out is not built "
        "(`alignment: false` drops one inherited through `extends`).",
    ]
    for key, cls in REGISTRY.items():
        doc = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
        lines += ["", f"### `{key}`", "", doc, ""]
        needs = ", ".join(f"`{n}`" for n in cls.needs)
        if needs:
            lines += [f"Needs: {needs}.", ""]
        lines += ["| key | default | unit | bounds | meaning | source |", "|---|---|---|---|---|---|"]
        for name, param in cls.params.items():
            lines.append(f"| `components.{key}.{name}` | `{param.default!r}` | {_cell(param.unit)} | "
                         f"{_cell(_bounds(param))} | {_text(param.doc)} | {_text(param.source)} |")
    lines += ["", "## Interaction parameters", "",
              "Under `interactions:`, in a scenario with two or more `actors:` (docs/actors.md)."]
    for key, cls in INTERACTIONS.items():
        doc = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
        lines += ["", f"### `{key}`", "", doc, "",
                  "| key | default | unit | bounds | meaning | source |", "|---|---|---|---|---|---|"]
        for name, param in cls.params.items():
            lines.append(f"| `interactions.{key}.{name}` | `{param.default!r}` | {_cell(param.unit)} | "
                         f"{_cell(_bounds(param))} | {_text(param.doc)} | {_text(param.source)} |")
    lines += ["", "## Policy actions", "",
              "Under `policies.NAME.action`: a kind, or `{kind: KIND, PARAMETER: VALUE}`, or a list "
              "of them. Generated from the `Lever` declarations of the components "
              "([Policies](policies.md) says how concurrent actions combine).", "",
              actions_markdown(levers(REGISTRY))]
    return "\n".join(lines) + "\n"


def on_files(files, config):
    """Add the generated page to the site (nothing is written into docs/)."""
    from mkdocs.structure.files import File

    files.append(File.generated(config, PAGE, content=reference_markdown()))
    return files


if __name__ == "__main__":
    print(reference_markdown())
