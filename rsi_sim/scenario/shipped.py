"""The scenarios shipped with rsi_sim, found by name from any folder.

``rsi-sim run baseline``, ``load_scenario("reference/jones")`` and ``extends: baseline`` name a
shipped scenario by its path inside the shipped folder, without ``.yaml``. A file of that name
in the current directory (or next to the extending file) always wins: a shipped scenario is used
only when there is no such file.

Where they are: an installed wheel has them as package data in ``rsi_sim/_scenarios/`` (copied
from the repository's ``scenarios/`` folder at build time, see setup.py); a source checkout or an
editable install reads ``scenarios/`` next to the package.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from ..core.errors import ScenarioError, did_you_mean
from .yamlio import read_yaml

_PACKAGE = Path(__file__).resolve().parents[1]
#: A name such as ``baseline`` or ``reference/jones`` (optionally with ``.yaml``).
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)?\Z")


@functools.cache
def shipped_dir() -> Path | None:
    """The folder of the shipped scenarios, or None if this install has none."""
    for candidate in (_PACKAGE / "_scenarios", _PACKAGE.parent / "scenarios"):
        if (candidate / "baseline.yaml").is_file():
            return candidate
    return None


def shipped_names() -> list[str]:
    """Names of the shipped scenarios, e.g. ``['baseline', ..., 'reference/jones']``.

    >>> "baseline" in shipped_names() and "reference/jones" in shipped_names()
    True
    """
    root = shipped_dir()
    if root is None:
        return []
    names = [p.relative_to(root).with_suffix("").as_posix() for p in root.rglob("*.yaml")]
    return sorted(names, key=lambda n: (n.count("/"), n))


def shipped_path(name: str) -> Path | None:
    """The file of the shipped scenario ``name`` (``.yaml`` optional), or None."""
    root = shipped_dir()
    text = str(name).replace("\\", "/")
    if root is None or not _NAME.match(text) or ".." in text.split("/"):
        return None
    text = text.removesuffix(".yaml").removesuffix(".yml")
    path = root / f"{text}.yaml"
    return path if path.is_file() else None


def is_shipped(path: Path) -> bool:
    """Whether ``path`` (resolved) lies in the shipped folder."""
    root = shipped_dir()
    return root is not None and path.resolve().is_relative_to(root.resolve())


def resolve_scenario(path: str | Path) -> Path:
    """The file a scenario argument names: the path itself if it exists, else the shipped
    scenario of that name; an error names both and lists the shipped ones."""
    given = Path(path)
    if given.exists():
        return given
    found = shipped_path(str(path))
    if found is not None:
        return found
    names = shipped_names()
    hint = ""
    if names:
        stem = str(path).replace("\\", "/").removesuffix(".yaml").removesuffix(".yml")
        hint = (f", nor a shipped scenario of that name"
                f"{did_you_mean(stem.split('scenarios/')[-1], names)}; the shipped scenarios are "
                f"run by name from any folder ({', '.join(names)}; 'rsi-sim scenarios' describes "
                "them)")
    raise ScenarioError(f"no such file{hint}", file=str(path))


def shipped_summaries() -> list[tuple[str, str, str]]:
    """``(name, title, description)`` of every shipped scenario, read from the files."""
    out = []
    for name in shipped_names():
        data, _ = read_yaml(shipped_path(name))
        description = " ".join(str(data.get("description") or "").split())
        out.append((name, str(data.get("name", "")), description))
    return out
