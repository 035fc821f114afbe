"""Packages rsi_sim imports only where they are used, and the install line of each.

Dask is an extra (``pip install 'rsi_sim[dask]'``); zarr and SALib are core dependencies, so a
missing one means a broken or partial install. Either way the user gets one line saying what to
install, and the command line exits with status 2 (see :func:`missing_dependency`).
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from .core.errors import RsiSimError

#: top-level module name -> the command that installs it
INSTALL = {
    "dask": "pip install 'rsi_sim[dask]'",
    "distributed": "pip install 'rsi_sim[dask]'",
    "zarr": "pip install zarr",
    "SALib": "pip install SALib",
    "hypothesis": "pip install 'rsi_sim[test]'",
}


class MissingDependency(RsiSimError):
    """A package a feature needs is not installed; the message gives the install line."""


def missing_dependency(exc: ImportError, purpose: str | None = None) -> MissingDependency | None:
    """The user-facing error for an ``ImportError`` of a known package, else ``None``.

    >>> str(missing_dependency(ModuleNotFoundError("no", name="distributed"), "the dask engine"))
    "the dask engine needs the Python package 'distributed', which is not installed: pip install 'rsi_sim[dask]'"
    """
    name = (getattr(exc, "name", None) or "").split(".")[0]
    if name not in INSTALL:
        return None
    what = purpose or "this command"
    return MissingDependency(f"{what} needs the Python package {name!r}, which is not installed: "
                             f"{INSTALL[name]}")


def require(module: str, purpose: str) -> ModuleType:
    """Import ``module``, or raise :class:`MissingDependency` naming ``purpose`` and the install
    line."""
    try:
        return import_module(module)
    except ImportError as exc:
        error = missing_dependency(exc, purpose)
        if error is None:
            raise
        raise error from None
