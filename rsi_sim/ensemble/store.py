"""Where ensemble results go: a Zarr store written batch by batch (resumable), or memory.

Layout (both stores, and the Dataset :func:`open_ensemble` returns)
------------------------------------------------------------------
- dims ``sample``, ``time`` (the output grid, decimal years) and ``milestone``;
- coordinates: ``sample``, ``time``, ``milestone`` and one per uncertain parameter, named by its
  dotted path (``components.jones.phi``), holding the value used by each sample;
- every recorded time variable as ``(sample, time)`` (none on the vectorised path);
  ``milestone_year (sample, milestone)``;
- per-sample results of components with a vectorised path (their drawn inputs and scalar
  statistics, e.g. ``progress_in_one_year (sample)``, ``phase_years (sample, phase)``), with
  any extra dimension and its coordinate;
  ``diverged``, ``divergence_time``, ``n_events`` (the per-run event log is not kept, only its
  length), ``status`` (0 not run yet, 1 ok, 2 failed) and ``error`` (the exception of a failed
  sample, empty otherwise);
- attrs: the resolved scenario and its SHA-256, seed, sampler, samples, batch size, package
  version. A store is refused for ``resume`` unless these match the ensemble being run.

``status`` is the completion mask: a batch's data are written first and its status last, so a
batch interrupted half-way is simply run again on resume (same numbers, nothing lost).
"""

from __future__ import annotations

import json
import os
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from .._deps import require
from ..core.errors import RsiSimError
from ..io import remove_stale_temps, temp_prefix

# zarr notes, on every consolidation, that consolidated metadata is an extension of format 3.
# It is ignored by a filter for that one message rather than inside catch_warnings: zarr
# consolidates on its own event-loop thread, which can still be warning after a Ctrl-C has
# unwound the main thread out of a catch_warnings block (the note then reached stderr).
warnings.filterwarnings("ignore", message="Consolidated metadata is currently not part",
                        module="zarr")

STATUS_NOT_RUN, STATUS_OK, STATUS_FAILED = 0, 1, 2
#: attrs that must match for a store to be resumed.
IDENTITY = ("scenario_sha256", "seed", "sampler", "samples", "batch_size", "parameters",
            "evaluation", "components", "design_sha256")


class StoreError(RsiSimError):
    """An ensemble output store cannot be created, resumed or written."""


@dataclass(frozen=True)
class ArraySpec:
    name: str
    dims: tuple[str, ...]
    dtype: Any
    fill: Any
    attrs: dict[str, Any]


@dataclass(frozen=True)
class Layout:
    """Shapes and metadata of an ensemble's results (everything but the numbers)."""

    samples: int
    batch_size: int
    time: np.ndarray
    milestones: tuple[str, ...]
    parameters: tuple[tuple[str, dict[str, Any]], ...]  # (path, attrs)
    variables: tuple[tuple[str, str, str], ...]  # (name, units, long_name)
    attrs: dict[str, Any]
    #: per-sample results: (name, dims starting with "sample", dtype, attrs)
    results: tuple[tuple[str, tuple[str, ...], str, dict[str, Any]], ...] = ()
    #: coordinates of the results' extra dimensions
    extra_coords: tuple[tuple[str, np.ndarray], ...] = ()

    def sizes(self) -> dict[str, int]:
        return {"sample": self.samples, "time": len(self.time), "milestone": len(self.milestones),
                **{d: len(v) for d, v in self.extra_coords}}

    def arrays(self) -> list[ArraySpec]:
        """The per-sample arrays, in the order they are written (``status`` last)."""
        out = [ArraySpec(p, ("sample",), "f8", np.nan, a) for p, a in self.parameters]
        out += [ArraySpec(n, ("sample", "time"), "f8", np.nan, {"units": u, "long_name": ln})
                for n, u, ln in self.variables]
        fills = {"f": np.nan, "b": False, "i": -1, "u": 0}
        out += [ArraySpec(n, dims, dtype, fills[np.dtype(dtype).kind], attrs)
                for n, dims, dtype, attrs in self.results]
        out += [
            ArraySpec("milestone_year", ("sample", "milestone"), "f8", np.nan, {
                "units": "year", "long_name": "decimal year the milestone was first reached (NaN: not reached)"}),
            ArraySpec("diverged", ("sample",), "bool", False, {
                "long_name": "growth diverged (finite-time blow-up)"}),
            ArraySpec("divergence_time", ("sample",), "f8", np.nan, {
                "units": "year", "long_name": "time of divergence, years since start (NaN if none)"}),
            ArraySpec("n_events", ("sample",), "i8", 0, {"long_name": "number of logged events in the run"}),
            ArraySpec("error", ("sample",), str, "", {"long_name": "error of a failed sample (empty if none)"}),
            ArraySpec("status", ("sample",), "i1", STATUS_NOT_RUN, {
                "long_name": "sample status", "flag_values": [0, 1, 2],
                "flag_meanings": "not_run ok failed"}),
        ]
        return out


def _coords(layout: Layout) -> dict[str, Any]:
    return {
        "sample": ("sample", np.arange(layout.samples, dtype=np.int64), {"long_name": "sample number"}),
        "time": ("time", layout.time, {"units": "year", "long_name": "decimal year"}),
        "milestone": ("milestone", np.array(layout.milestones, dtype=str), {"long_name": "milestone"}),
        **{d: (d, np.asarray(v), {}) for d, v in layout.extra_coords},
    }


class MemoryStore:
    """Results held in memory (small ensembles, sensitivity runs, ``.nc`` output)."""

    def __init__(self, layout: Layout):
        self.layout = layout
        sizes = layout.sizes()
        self.data = {}
        for spec in layout.arrays():
            shape = tuple(sizes[d] for d in spec.dims)
            self.data[spec.name] = (np.full(shape, spec.fill, dtype=object) if spec.dtype is str
                                    else np.full(shape, spec.fill, dtype=spec.dtype))

    def done(self) -> np.ndarray:
        return self.data["status"] != STATUS_NOT_RUN

    def write(self, start: int, result: dict[str, np.ndarray]) -> None:
        for spec in self.layout.arrays():
            self.data[spec.name][start:start + len(result["status"])] = result[spec.name]

    def close(self) -> None:
        pass

    def dataset(self) -> xr.Dataset:
        lay = self.layout
        params = {p for p, _ in lay.parameters}
        coords = _coords(lay)
        data = {}
        for spec in lay.arrays():
            values = self.data[spec.name]
            if spec.dtype is str:
                values = values.astype(str)
            (coords if spec.name in params else data)[spec.name] = (spec.dims, values, spec.attrs)
        return xr.Dataset(data, coords=coords, attrs=dict(lay.attrs))


class ZarrStore:
    """A Zarr (format 3) directory written one batch (= one chunk along ``sample``) at a time."""

    def __init__(self, path: str | Path, layout: Layout, *, resume: bool = False):
        zarr = require("zarr", "a .zarr ensemble store")

        self.path = Path(path)
        self.layout = layout
        if resume:
            if not self.path.exists():
                raise StoreError(f"{self.path}: nothing to resume (no such store); run without --resume")
            if not self.path.is_dir():
                raise StoreError(f"{self.path} is a file, not an rsi_sim ensemble store; cannot resume "
                                 "into it")
            try:
                self.group = zarr.open_group(str(self.path), mode="r+")
            except Exception as exc:
                raise StoreError(f"{self.path}: not an rsi_sim ensemble store ({exc})") from None
            self._check_identity()
        else:
            if self.path.exists() and not self.path.is_dir():
                raise StoreError(f"{self.path} is an existing file, not an ensemble store; remove it "
                                 "or choose another path")
            if self.path.exists():
                raise StoreError(f"{self.path} already exists; pass --resume (resume=True) to continue "
                                 "it, or remove it or choose another path")
            if not self.path.parent.is_dir():
                raise StoreError(f"{self.path}: the directory {self.path.parent} does not exist")
            self._create_atomically()
        self.arrays = {spec.name: self.group[spec.name] for spec in layout.arrays()}
        #: batches written by this object (0: nothing finished since it was opened)
        self.written = 0

    def _check_identity(self) -> None:
        have = dict(self.group.attrs)
        if have.get("rsi_sim_store") != "ensemble":
            raise StoreError(f"{self.path}: not an rsi_sim ensemble store; cannot resume into it")
        for key in IDENTITY:
            mine, theirs = self.layout.attrs.get(key), have.get(key)
            if mine != theirs:
                what = {"scenario_sha256": "a different scenario (the resolved YAML differs)",
                        "seed": f"seed {theirs}, not {mine}",
                        "sampler": f"the {theirs} sampler, not {mine}",
                        "samples": f"{theirs} samples, not {mine}",
                        "batch_size": f"batch size {theirs}, not {mine}",
                        "parameters": "different uncertain parameters",
                        "evaluation": f"the {theirs} path, not {mine}",
                        "components": f"other component classes ({theirs or 'the shipped ones'}, "
                                      f"not {mine or 'the shipped ones'})",
                        "design_sha256": "other given designs"}[key]
                raise StoreError(f"cannot resume {self.path}: it was made from {what}. Resume with the "
                                 "same scenario, seed, sampler and samples, or write a new store")

    def _create_atomically(self) -> None:
        """Create the empty store in a temporary directory next to the target and rename it into
        place: a run killed while creating leaves no half-made store (which could be neither
        resumed nor overwritten), only a temporary directory the next creation removes."""
        import tempfile

        import zarr

        remove_stale_temps(self.path)
        try:
            tmp = Path(tempfile.mkdtemp(prefix=temp_prefix(self.path), suffix=self.path.suffix,
                                        dir=self.path.parent))
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot create the store ({exc.strerror or exc})") from None
        try:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it private; a store gets the usual mode
            self._create(tmp)
            os.rename(tmp, self.path)
        except BaseException as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            if isinstance(exc, OSError):
                raise StoreError(f"{self.path}: cannot create the store ({exc.strerror or exc})") from None
            raise
        self.group = zarr.open_group(str(self.path), mode="r+")

    def _create(self, where: Path) -> None:
        import zarr

        lay = self.layout
        sizes = lay.sizes()
        b = lay.batch_size
        try:
            group = zarr.open_group(str(where), mode="w-", zarr_format=3)
        except Exception as exc:
            raise StoreError(f"{self.path}: cannot create the store ({exc})") from None
        for name, (dim, values, attrs) in _coords(lay).items():
            arr = group.create_array(name, shape=values.shape, chunks=(max(1, min(len(values), b if name == "sample" else len(values))),),
                                     dtype=str if values.dtype.kind == "U" else values.dtype,
                                     fill_value="" if values.dtype.kind == "U" else None,
                                     dimension_names=(dim,), attributes=attrs)
            if name == "sample":
                for i in range(0, len(values), b):
                    arr[i:i + b] = values[i:i + b]
            elif len(values):
                arr[:] = values.astype(object) if values.dtype.kind == "U" else values
        for spec in lay.arrays():
            shape = tuple(sizes[d] for d in spec.dims)
            chunks = tuple(b if d == "sample" else max(1, sizes[d]) for d in spec.dims)
            group.create_array(spec.name, shape=shape, chunks=chunks, dtype=spec.dtype,
                               fill_value=spec.fill, dimension_names=spec.dims, attributes=spec.attrs)
        group.attrs.update({**lay.attrs, "rsi_sim_store": "ensemble"})
        # Metadata never changes after creation (batches write chunks only), so it is
        # consolidated once: xr.open_zarr then reads one document, without a RuntimeWarning.
        with warnings.catch_warnings():  # (and see the filter at the top of this module)
            warnings.simplefilter("ignore")
            zarr.consolidate_metadata(str(where))

    def done(self) -> np.ndarray:
        status = self.arrays["status"]
        b = self.layout.batch_size
        out = np.empty(status.shape[0], dtype=bool)
        for i in range(0, len(out), 100 * b):  # read in slices: flat memory, few requests
            out[i:i + 100 * b] = status[i:i + 100 * b] != STATUS_NOT_RUN
        return out

    def write(self, start: int, result: dict[str, np.ndarray]) -> None:
        stop = start + len(result["status"])
        for spec in self.layout.arrays():  # status last: the batch counts as done only now
            self.arrays[spec.name][start:stop] = result[spec.name]
        self.written += 1

    def close(self) -> None:
        pass


def open_ensemble(path: str | Path) -> xr.Dataset:
    """Open an ensemble store lazily (nothing is read until used), parameters as coordinates.

    Samples not run yet (an interrupted ensemble) have ``status == 0`` and NaN results.
    """
    path = Path(path)
    if not path.exists():
        raise StoreError(f"{path}: no such ensemble store")
    require("zarr", "reading a .zarr ensemble store")
    ds = xr.open_dataset(path, engine="zarr", chunks=None, consolidated=False)
    params = json.loads(ds.attrs.get("parameters", "[]"))
    ds = ds.set_coords([p for p in params if p in ds.variables])
    ds.attrs.pop("rsi_sim_store", None)
    return ds


def remove_store(path: str | Path) -> None:
    """Delete a store directory (used by tests and ``--overwrite``-style callers)."""
    shutil.rmtree(path, ignore_errors=True)
