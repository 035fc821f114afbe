"""Given designs (run_ensemble(designs=DataFrame)) and the store's consolidated metadata."""

import warnings

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import rsi_sim
from rsi_sim.ensemble.designs import DesignError

from .conftest import JONES_ENSEMBLE, SHORT


def test_designs_run_one_sample_per_row_and_resume_only_with_the_same_rows(tmp_path):
    designs = pd.DataFrame({"components.jones.phi": [0.2, 0.9], "jones.delta": [0.1, 0.3]})
    out = tmp_path / "d.zarr"
    ds = rsi_sim.run_ensemble(JONES_ENSEMBLE, designs=designs, overrides=SHORT, output=out).load()
    assert ds["components.jones.phi"].values.tolist() == [0.2, 0.9]
    assert ds["components.jones.delta"].values.tolist() == [0.1, 0.3]
    assert "components.jones.lam" not in ds.coords  # the uncertainty: section is not used
    one = rsi_sim.run(JONES_ENSEMBLE, rsi_sim.core.random.sample_seed(ds.attrs["seed"], 1),
                      overrides={**SHORT, "components.jones.phi": 0.9, "components.jones.delta": 0.3})
    np.testing.assert_allclose(ds["A"].values[1], one["A"].values, rtol=1e-12)
    other = designs.assign(**{"jones.delta": [0.1, 0.2]})
    with pytest.raises(rsi_sim.core.RsiSimError, match="other given designs"):
        rsi_sim.run_ensemble(JONES_ENSEMBLE, designs=other, overrides=SHORT, output=out,
                             resume=True)


@pytest.mark.parametrize("frame, match", [
    ({"components.jones.ph": [0.1]}, r"jones has no parameter 'ph' \(did you mean 'phi'\?\)"),
    ({"jonse.phi": [0.1]}, r"names the component 'jonse'.*\(did you mean 'jones'\?\)"),
    ({"phi": [0.1]}, "is not a parameter path"),
    ({"jones.phi": [0.1, 7.0]}, r"designs, row 1, column 'jones.phi': The 'phi' parameter of "
                                r"jones must be a number between -5 and 5"),
    ({"jones.phi": [0.1, np.nan]}, "missing value"),
])
def test_a_bad_design_is_refused_before_anything_runs(frame, match):
    with pytest.raises(DesignError, match=match):
        rsi_sim.run_ensemble(JONES_ENSEMBLE, designs=pd.DataFrame(frame), overrides=SHORT)


def test_samples_or_a_sampler_with_designs_are_refused():
    designs = pd.DataFrame({"jones.phi": [0.1, 0.2]})
    with pytest.raises(rsi_sim.core.RsiSimError, match="designs has 2 rows"):
        rsi_sim.run_ensemble(JONES_ENSEMBLE, 3, designs=designs, overrides=SHORT)
    with pytest.raises(rsi_sim.core.RsiSimError, match="does not apply"):
        rsi_sim.run_ensemble(JONES_ENSEMBLE, designs=designs, sampler="lhs", overrides=SHORT)


def test_a_store_opens_with_xarray_without_warnings(tmp_path):
    out = tmp_path / "e.zarr"
    rsi_sim.run_ensemble(JONES_ENSEMBLE, samples=2, overrides=SHORT, output=out)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "failed to open with consolidated metadata"
        ds = xr.open_zarr(out)
    assert ds["status"].values.tolist() == [1, 1], ds["error"].values
