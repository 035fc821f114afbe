"""Milestone percentiles and probabilities of an ensemble."""

import numpy as np
import pytest
import xarray as xr

from rsi_sim.analysis.ensemble_summary import milestone_summary


def _ensemble(years, status=None):
    years = np.asarray(years, dtype=float)[:, None]
    n = len(years)
    return xr.Dataset(
        {"milestone_year": (("sample", "milestone"), years),
         "status": ("sample", np.ones(n, np.int8) if status is None else np.asarray(status, np.int8)),
         "diverged": ("sample", np.zeros(n, bool))},
        coords={"milestone": ["SC"], "time": [2026.0, 2036.0]},
        attrs={"start_year": 2026.0, "end_year": 2036.0})


def test_percentiles_and_probabilities():
    years = [2027.0 + i for i in range(8)] + [np.nan, np.nan]  # 8 of 10 reach SC by 2036
    s = milestone_summary(_ensemble(years), by_years=[2030.0])
    q = s["year_quantile"].sel(milestone="SC").values
    assert q[0] == 2027.0 and q[1] == 2031.0 and np.isinf(q[2])
    assert float(s["p_by_horizon"].sel(milestone="SC")) == pytest.approx(0.8)
    assert float(s["p_by_year"].sel(milestone="SC", year=2030.0)) == pytest.approx(0.4)


def test_failed_and_unrun_samples_are_left_out_and_counted():
    s = milestone_summary(_ensemble([2027.0, np.nan, np.nan, 2029.0], status=[1, 2, 0, 1]))
    assert float(s["p_by_horizon"].sel(milestone="SC")) == 1.0
    assert (s.attrs["samples_ok"], s.attrs["samples_failed"], s.attrs["samples_not_run"]) == (2, 1, 1)
