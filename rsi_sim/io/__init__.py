"""Writing results by file extension (`.nc`, `.csv`), atomically: a temporary file in the
same directory is renamed over the target only once it is complete.

Temporary files are named `.<target>.tmp-<host>-<pid>-<random><suffix>`. A process killed while
writing (SIGKILL, power loss) leaves its temporary file behind; the next write to the same
target removes those left by processes of this host that are no longer running, so they never
accumulate.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
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
    """Fail early (before a run) if `path` has an unknown extension or cannot be written."""
    path = Path(path)
    if path.suffix not in allowed:
        raise OutputError(f"{path}: unknown output type {path.suffix!r}; use one of {', '.join(allowed)}")
    parent = path.parent if str(path.parent) else Path(".")
    if parent.exists() and not parent.is_dir():
        raise OutputError(f"{path}: {parent} is a file, not a directory")
    if not parent.is_dir():
        raise OutputError(f"{path}: the directory {parent} does not exist")
    if path.is_dir():
        raise OutputError(f"{path}: is a directory")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise OutputError(f"{path}: not writable (permission denied)")
    # os.access says yes to root and knows nothing of read-only or full file systems: try it.
    try:
        fd, probe = tempfile.mkstemp(prefix=temp_prefix(path), suffix=path.suffix, dir=parent)
        try:
            os.close(fd)
        finally:
            os.unlink(probe)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write in {parent} ({exc.strerror or exc})") from None
    return path


def temp_prefix(path: Path) -> str:
    """Prefix of this process's temporary files for `path`: host and pid, so that
    `remove_stale_temps` can tell a dead writer's leftovers."""
    host = socket.gethostname().replace("-", "_") or "host"
    return f".{path.name}.tmp-{host}-{os.getpid()}-"


def remove_stale_temps(path: Path) -> list[Path]:
    """Delete temporary files of `path` left by dead processes of this host; return them."""
    host = socket.gethostname().replace("-", "_") or "host"
    stem = f".{path.name}.tmp-{host}-"
    removed = []
    parent = path.parent if str(path.parent) else Path(".")
    for tmp in parent.glob(f"{glob.escape(stem)}*{glob.escape(path.suffix)}"):
        pid_text = tmp.name[len(stem):].split("-", 1)[0]
        if not pid_text.isdigit() or _alive(int(pid_text)):
            continue
        with contextlib.suppress(OSError):
            if tmp.is_dir() and not tmp.is_symlink():  # a half-made ensemble store
                shutil.rmtree(tmp)
            else:
                tmp.unlink()
            removed.append(tmp)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists but belongs to someone else
        return True
    return True


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to `path`; rename it onto `path` if the block succeeds."""
    path = Path(path)
    remove_stale_temps(path)
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path), suffix=path.suffix, dir=path.parent or ".")
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
    """Long format for spreadsheets: one row per (variable, time or milestone, value); results
    with several actors get an `actor` column, and their leads the variables
    `lead_years.<rival>` and `catch_up_years.<rival>`."""
    if "actor" in ds.dims:
        parts = []
        for actor in ds["actor"].values:
            one = ds.sel(actor=actor)
            pairwise = [n for n in ("lead_years", "catch_up_years") if n in one]
            leads = {n: one[n] for n in pairwise}
            one = one.drop_vars([*pairwise, "rival"], errors="ignore")
            for n, lead in leads.items():
                one = one.assign({f"{n}.{r}": lead.sel(rival=r).drop_vars("rival")
                                  for r in lead["rival"].values if r != actor})
            table = to_tidy(one)
            table.insert(0, "actor", str(actor))
            parts.append(table)
        return pd.concat(parts, ignore_index=True)
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
    if not rows:
        dims = {v.dims for v in ds.data_vars.values()}
        if len(dims) == 1 and len(next(iter(dims))) == 1:
            # A table over one other dimension (sensitivity indices by parameter): as it is.
            return ds.to_dataframe().reset_index()
        raise OutputError("these results have no time series, milestones or scalars to write "
                          "as CSV; write them to .nc instead")
    return pd.concat(rows, ignore_index=True)


def write(ds: xr.Dataset, path: str | Path) -> Path:
    """Write `ds` to `path` in the format its extension names, atomically."""
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
