"""METR time-horizon fits against METR's published figures (shared/REFERENCE.md, B)."""

import datetime as dt

import numpy as np
import pytest

from rsi_sim.calibration import (
    TimeHorizonTrend,
    fit_time_horizon,
    hindcast_table,
    metr_doubling_time,
)
from rsi_sim.core.time import to_decimal_year
from rsi_sim.data import load_table, metr_time_horizons


def test_doubling_time_all_models_matches_metr():
    # METR benchmark_results_1_1.yaml (vintage 2026-05-08), all_time_stitched: 187.778 days.
    assert metr_doubling_time() == pytest.approx(187.8, abs=0.05)


def test_doubling_time_since_2023_matches_metr():
    # Same file, from_2023_on: 128.744 days.
    assert metr_doubling_time(since="2023-01-01") == pytest.approx(128.7, abs=0.05)
    assert metr_doubling_time(since=dt.date(2023, 1, 1)) == metr_doubling_time(since="2023-01-01")


def test_fits_match_the_shipped_doubling_time_table():
    table = load_table("metr_doubling_times")
    vintage = table[table["solidity"] == "solid (vintage 2026-05-08)"]
    published = dict(
        zip(vintage["window"], vintage["point_estimate_days"].astype(float), strict=True)
    )
    assert metr_doubling_time() == pytest.approx(published["all time stitched"], abs=1e-3)
    assert metr_doubling_time("2023-01-01") == pytest.approx(published["from 2023 on"], abs=1e-3)


def test_fit_uses_sota_models_up_to_16_hours():
    trend = fit_time_horizon()
    th = metr_time_horizons()
    assert trend.n_models == int((th["is_sota"] & (th["p50_minutes"] <= 960)).sum()) == 17
    assert fit_time_horizon(since="2023-01-01").n_models == 14


def test_horizon_minutes_reproduces_the_fitted_line():
    trend = fit_time_horizon(since="2023-01-01")
    th = metr_time_horizons()
    rows = th[th["is_sota"] & (th["p50_minutes"] <= 960) & (th["release_date"] >= "2023-01-01")]
    days = (rows["release_date"] - rows["release_date"].min()).dt.days.to_numpy(float)
    slope, intercept = np.polyfit(days, np.log2(rows["p50_minutes"]), 1)
    for date, d in zip(rows["release_date"], days, strict=True):
        expected = 2.0 ** (intercept + slope * d)
        assert trend.horizon_minutes(date.date()) == pytest.approx(expected, rel=1e-9)
        # the same instant as a decimal year
        assert trend.horizon_minutes(to_decimal_year(date.date())) == pytest.approx(
            expected, rel=1e-9
        )


def test_trend_is_consistent_with_itself():
    trend = fit_time_horizon()
    assert isinstance(trend, TimeHorizonTrend)
    start = dt.date(2024, 1, 1)
    later = start + dt.timedelta(days=round(trend.doubling_time_days))
    ratio = trend.horizon_minutes(later) / trend.horizon_minutes(start)
    assert ratio == pytest.approx(2.0, rel=0.01)
    assert trend.slope_log2_per_year == pytest.approx(365.25 / trend.doubling_time_days)
    assert trend.horizon_minutes(trend.reference_date) == pytest.approx(
        2.0**trend.intercept_log2_minutes
    )
    assert trend.horizon_hours("2025-06-01") == pytest.approx(
        trend.horizon_minutes("2025-06-01") / 60
    )
    with pytest.raises(AttributeError):
        trend.doubling_time_days = 1.0  # frozen


def test_hindcast_of_the_fit_itself_is_mostly_within_ci():
    trend = fit_time_horizon(since="2023-01-01")
    table = hindcast_table(trend.horizon_minutes, since="2023-01-01")
    assert list(table.columns) == [
        "model",
        "release_date",
        "decimal_year",
        "p50_minutes",
        "ci95_low",
        "ci95_high",
        "predicted",
        "within_ci",
    ]
    assert table["within_ci"].dtype == bool
    # 15 SOTA models from 2023 on, including Claude Mythos Preview above the 16 h fit cut.
    assert len(table) == 15
    assert "Claude Mythos Preview (early)" in set(table["model"])
    # The 2023+ trend misses only GPT-4 0314 (below its interval) and GPT-4o (above).
    assert set(table.loc[~table["within_ci"], "model"]) == {"GPT-4 0314", "GPT-4o"}


def test_all_time_trend_fails_the_recent_hindcast():
    # The 187.8-day trend is too slow for 2025-26 frontier models: a baseline calibrated to it
    # cannot pass the hindcast, which is why the baseline must use the 2023+ trend.
    table = hindcast_table(fit_time_horizon().horizon_minutes, since="2025-12-01")
    assert not table["within_ci"].any()


def test_hindcast_passes_decimal_years_and_checks_output():
    seen = []

    def constant(x):
        seen.append(x)
        return 60.0

    table = hindcast_table(constant, since="2025-01-01")
    assert seen == pytest.approx(table["decimal_year"].tolist())
    assert all(isinstance(x, float) for x in seen)
    assert table["within_ci"].tolist() == [
        lo <= 60.0 <= hi for lo, hi in zip(table["ci95_low"], table["ci95_high"], strict=True)
    ]
    with pytest.raises(ValueError, match="non-finite"):
        hindcast_table(lambda x: float("nan"))


def test_too_few_models_is_an_error():
    with pytest.raises(ValueError, match="Too few"):
        fit_time_horizon(since="2026-03-01")
