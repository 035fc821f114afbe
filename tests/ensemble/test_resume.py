"""Streaming to Zarr: an interrupted ensemble resumes to the same store; mismatches are refused."""

import pytest
import xarray as xr

from rsi_sim import open_ensemble, run_ensemble
from rsi_sim.core.errors import RsiSimError

from .conftest import JONES_ENSEMBLE, SHORT

KW = dict(samples=9, seed=5, overrides=SHORT, batch_size=2)


class Interrupted(Exception):
    pass


def _interrupt_after(samples_done: int):
    def progress(done, total):
        if done >= samples_done:
            raise Interrupted

    return progress


def test_resume_after_interruption_gives_the_uninterrupted_store(tmp_path):
    whole = run_ensemble(JONES_ENSEMBLE, output=tmp_path / "whole.zarr", **KW).load()
    path = tmp_path / "part.zarr"
    with pytest.raises(Interrupted):
        run_ensemble(JONES_ENSEMBLE, output=path, progress=_interrupt_after(4), **KW)
    part = open_ensemble(path).load()
    done = int((part["status"] > 0).sum())
    assert 4 <= done < 9  # finished batches are on disk, the rest is not
    calls = []
    resumed = run_ensemble(JONES_ENSEMBLE, output=path, resume=True,
                           progress=lambda d, t: calls.append(d), **KW).load()
    assert calls[0] == done  # nothing finished is redone
    xr.testing.assert_identical(whole, resumed)


def test_resume_refuses_a_different_seed_or_scenario(tmp_path):
    path = tmp_path / "r.zarr"
    run_ensemble(JONES_ENSEMBLE, output=path, **{**KW, "samples": 2})
    with pytest.raises(RsiSimError, match="seed 5, not 6"):
        run_ensemble(JONES_ENSEMBLE, output=path, resume=True, **{**KW, "samples": 2, "seed": 6})
    with pytest.raises(RsiSimError, match="different scenario"):
        run_ensemble(JONES_ENSEMBLE, output=path, resume=True,
                     **{**KW, "samples": 2, "overrides": {"horizon": "3 y"}})
    with pytest.raises(RsiSimError, match="already exists"):
        run_ensemble(JONES_ENSEMBLE, output=path, **{**KW, "samples": 2})


def test_resume_needs_an_existing_store(tmp_path):
    with pytest.raises(RsiSimError, match="nothing to resume"):
        run_ensemble(JONES_ENSEMBLE, output=tmp_path / "none.zarr", resume=True, **KW)


def test_netcdf_output_for_small_ensembles(tmp_path):
    ds = run_ensemble(JONES_ENSEMBLE, output=tmp_path / "e.nc", **{**KW, "samples": 3})
    back = xr.open_dataset(tmp_path / "e.nc")
    assert back.sizes["sample"] == 3
    assert (back["A"].values == ds["A"].values).all()
