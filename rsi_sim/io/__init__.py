"""Writing results by file extension (``.nc``, ``.csv``), atomically: a temporary file in the
same directory is renamed over the target only once it is complete."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import xarray as xr

from ..core.errors import RsiSimError

WRITERS = (".nc", ".csv")


class OutputError(RsiSimError):
    """An output path cannot be written."""


def check_output_path(path: str | Path, allowed: tuple[str, ...] = WRITERS) -> Path:
    """Fail early (before a run) if ``path`` has an unknown extension or cannot be written."""
    path = Path(path)
    if path.suffix not in allowed:
        raise OutputError(f"{path}: unknown output type {path.suffix!r}; use one of {', '.join(allowed)}")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"{path}: the directory {parent} does not exist")
    if path.is_dir():
        raise OutputError(f"{path}: is a directory")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise OutputError(f"{path}: not writable (permission denied)")
    return path


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` if the block succeeds."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp" + path.suffix, dir=path.parent or ".")
    os.close(fd)
    # mkstemp makes the file private (0600); a results file gets the usual permissions.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def to_tidy(ds: xr.Dataset) -> pd.DataFrame:
    """Long format for spreadsheets: one row per (variable, time or milestone, value)."""
    rows = []
    for name, var in ds.data_vars.items():
        if var.dims == ("time",):
            rows.append(pd.DataFrame({"variable": name, "time": ds["time"].values, "milestone": "",
                                      "value": var.values, "units": var.attrs.get("units", "")}))
        elif var.dims == ("milestone",) and var.dtype.kind == "f":
            rows.append(pd.DataFrame({"variable": name, "time": float("nan"),
                                      "milestone": ds["milestone"].values, "value": var.values,
                                      "units": var.attrs.get("units", "")}))
        elif var.dims == () and var.dtype.kind in "bfi":
            rows.append(pd.DataFrame({"variable": [name], "time": [float("nan")], "milestone": [""],
                                      "value": [float(var.values)], "units": [var.attrs.get("units", "")]}))
    return pd.concat(rows, ignore_index=True)


def write(ds: xr.Dataset, path: str | Path) -> Path:
    """Write ``ds`` to ``path`` in the format its extension names, atomically."""
    path = check_output_path(path)
    try:
        with atomic_path(path) as tmp:
            if path.suffix == ".nc":
                ds.to_netcdf(tmp, engine="netcdf4")
            else:
                to_tidy(ds).to_csv(tmp, index=False)
    except OSError as exc:
        raise OutputError(f"{path}: could not be written ({exc.strerror or exc})") from None
    return path
