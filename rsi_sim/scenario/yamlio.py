"""Safe YAML reading that remembers where every key was written.

Only plain YAML (mappings, sequences, scalars) is accepted: no Python tags, no custom tags.
Duplicate keys are errors (YAML silently keeps the last one, which hides mistakes), and alias
expansion is bounded so an "alias bomb" cannot exhaust memory.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

import yaml

from ..core.errors import ScenarioError

#: Largest number of YAML nodes (after expanding aliases) in one file.
MAX_NODES = 20_000
MAX_DEPTH = 40
MAX_BYTES = 2_000_000

Locations = dict[tuple, tuple[str, int]]


class _Loader(yaml.SafeLoader):
    """SafeLoader without timestamps turned into datetimes at random places (we parse dates
    where the schema expects them) — dates stay ``datetime.date`` as SafeLoader gives them."""


def read_yaml(path: str | Path) -> tuple[dict[str, Any], Locations]:
    """Read a YAML mapping from ``path``; return it and the (file, line) of every key path.

    Raises
    ------
    ScenarioError
        naming the file and line for any problem.
    """
    path = Path(path)
    shown = str(path)
    if not path.exists():
        raise ScenarioError("no such file", file=shown)
    if path.is_dir():
        raise ScenarioError("this is a directory; give the path of a .yaml scenario file", file=shown)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioError(f"cannot be read ({exc.strerror})", file=shown) from None
    if len(raw) > MAX_BYTES:
        raise ScenarioError(f"is {len(raw):,} bytes; a scenario file may be at most {MAX_BYTES:,}", file=shown)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError("is not valid UTF-8 text", file=shown, line=line) from None
    return parse_yaml(text, shown)


def parse_yaml(text: str, shown: str = "<text>") -> tuple[dict[str, Any], Locations]:
    """Parse YAML text (see :func:`read_yaml`)."""
    try:
        _check_depth(text, shown)
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid YAML"
        ctx = f" ({exc.context})" if exc.context else ""
        if "'\\t'" in problem:  # PyYAML: found character '\t' that cannot start any token
            problem, ctx = "a tab character; indent with spaces (YAML does not allow tabs)", ""
        raise ScenarioError(f"invalid YAML: {problem}{ctx}", file=shown,
                            line=mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"invalid YAML: {exc}", file=shown) from None
    if node is None:
        raise ScenarioError("is empty; a scenario needs at least a name and components", file=shown)
    if not isinstance(node, yaml.MappingNode):
        raise ScenarioError("must be a mapping of keys (name:, components:, ...) at the top level",
                            file=shown, line=node.start_mark.line + 1)
    locs: Locations = {}
    counter = [0]
    constructor = _Loader("")
    value = _convert(node, (), shown, locs, counter, constructor, 0)
    return value, locs


def parse_value(text: str, shown: str = "--set") -> Any:
    """Parse one value written in YAML (a ``--set`` override) within the limits of a file:
    plain tags only, bounded depth and alias expansion. Text that is not YAML is the text itself.
    """
    try:
        _check_depth(text, shown)
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return text
    if node is None:
        return None
    return _convert(node, (), shown, {}, [0], _Loader(""), 0)


def _check_depth(text: str, shown: str) -> None:
    """Refuse deep nesting before composing: PyYAML's composer recurses once per level, so
    ``[[[[...]]]]`` thousands deep would exhaust the interpreter's stack."""
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise ScenarioError(f"is nested more than {MAX_DEPTH} levels deep", file=shown,
                                    line=event.start_mark.line + 1)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _convert(node, path: tuple, shown: str, locs: Locations, counter: list[int], constructor,
             depth: int) -> Any:
    counter[0] += 1
    line = node.start_mark.line + 1
    if counter[0] > MAX_NODES:
        raise ScenarioError(f"has more than {MAX_NODES:,} values once aliases are expanded "
                            "(an alias bomb?)", file=shown, line=line)
    if depth > MAX_DEPTH:
        raise ScenarioError(f"is nested more than {MAX_DEPTH} levels deep", file=shown, line=line)
    locs.setdefault(path, (shown, line))
    if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_TAGS:
        raise ScenarioError(f"unsupported YAML tag {node.tag!r}: scenario files hold plain values only",
                            file=shown, line=line, key=".".join(map(str, path)) or None)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise ScenarioError("'<<' merge keys are not supported; use extends: instead",
                                    file=shown, line=key_node.start_mark.line + 1)
            if not isinstance(key_node, yaml.ScalarNode):
                raise ScenarioError("keys must be plain names", file=shown, line=key_node.start_mark.line + 1)
            key = _scalar(key_node, shown, constructor)
            if not isinstance(key, str):
                key = str(key)
            if key in out:
                raise ScenarioError(f"the key '{key}' appears twice in the same mapping",
                                    file=shown, line=key_node.start_mark.line + 1,
                                    key=".".join(map(str, path + (key,))))
            locs[path + (key,)] = (shown, key_node.start_mark.line + 1)
            out[key] = _convert(value_node, path + (key,), shown, locs, counter, constructor, depth + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(v, path + (i,), shown, locs, counter, constructor, depth + 1)
                for i, v in enumerate(node.value)]
    return _scalar(node, shown, constructor, path)


_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


def _scalar(node, shown: str, constructor, path: tuple = ()) -> Any:
    try:
        value = constructor.construct_object(node, deep=True)
    except yaml.constructor.ConstructorError:
        raise ScenarioError(f"unsupported YAML tag {node.tag!r}: scenario files hold plain "
                            "values only", file=shown, line=node.start_mark.line + 1,
                            key=".".join(map(str, path)) or None) from None
    except Exception:  # a standard tag on a value it cannot read: `!!int abc`, `!!bool maybe`,
        # `!!timestamp x` (PyYAML's constructors fail with ValueError, KeyError, AttributeError...)
        raise ScenarioError(f"the value cannot be read as {node.tag.rsplit(':', 1)[-1]}",
                            file=shown, line=node.start_mark.line + 1,
                            key=".".join(map(str, path)) or None) from None
    if isinstance(value, _dt.datetime):
        value = value.date() if value.time() == _dt.time() else value
    if isinstance(value, str) and len(value) > 10_000:
        raise ScenarioError("a text value is longer than 10,000 characters", file=shown,
                            line=node.start_mark.line + 1)
    return value


def dump_yaml(data: Any) -> str:
    """YAML text of plain data, keys in the given order."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)
