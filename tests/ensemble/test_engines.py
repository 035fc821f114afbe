"""Same seed, same numbers: whatever the engine and the number of workers (DESIGN §8)."""

import numpy as np
import pytest
import xarray as xr

from rsi_sim import run_ensemble

from .conftest import JONES_ENSEMBLE, SHORT

KW = dict(samples=10, seed=11, overrides=SHORT, batch_size=3)


@pytest.fixture(scope="module")
def sequential(tmp_path_factory):
    path = tmp_path_factory.mktemp("seq") / "seq.zarr"
    return run_ensemble(JONES_ENSEMBLE, output=path, **KW).load()


def _numeric_equal(a: xr.Dataset, b: xr.Dataset) -> None:
    for name, var in a.variables.items():
        if var.dtype.kind in "fiub":
            assert np.array_equal(var.values, b[name].values, equal_nan=var.dtype.kind == "f"), name


def test_processes_match_sequential(sequential, tmp_path):
    ds = run_ensemble(JONES_ENSEMBLE, output=tmp_path / "p.zarr", engine="processes", workers=2, **KW).load()
    xr.testing.assert_identical(sequential, ds)
    _numeric_equal(sequential, ds)


def test_dask_local_cluster_matches_sequential(sequential, tmp_path):
    pytest.importorskip("distributed")
    ds = run_ensemble(JONES_ENSEMBLE, output=tmp_path / "d.zarr", engine="dask", workers=2, **KW).load()
    xr.testing.assert_identical(sequential, ds)
    _numeric_equal(sequential, ds)


def test_dask_by_scheduler_address(sequential, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        ds = run_ensemble(JONES_ENSEMBLE, output=tmp_path / "s.zarr", scheduler=cluster.scheduler_address,
                          **KW).load()
    xr.testing.assert_identical(sequential, ds)


def test_memory_result_matches_store_and_batch_size_does_not_matter(sequential):
    ds = run_ensemble(JONES_ENSEMBLE, **{**KW, "batch_size": 4})
    for name in ("A", "milestone_year", "divergence_time", "components.jones.phi", "status"):
        assert np.array_equal(ds[name].values, sequential[name].values, equal_nan=True), name


def test_samples_differ_and_seed_matters(sequential):
    phi = sequential["components.jones.phi"].values
    assert len(np.unique(phi)) == len(phi)
    other = run_ensemble(JONES_ENSEMBLE, **{**KW, "seed": 12})
    assert not np.array_equal(other["components.jones.phi"].values, phi)
