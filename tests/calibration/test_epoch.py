"""Epoch AI trend figures against epoch_trends.csv and REFERENCE.md (B)."""

import pytest

from rsi_sim.calibration import epoch_trends, fit_training_compute_growth
from rsi_sim.calibration.epoch import RUNNING_TOP_10


def test_record_setting_training_compute_growth():
    growth = fit_training_compute_growth()
    # Own fit on the 17 record-setting runs 2013-2025 of the Epoch 2025-02-24 snapshot; inside
    # Epoch's published 4-5x/yr for frontier models.
    assert growth == pytest.approx(4.314, abs=0.001)
    assert 4.0 <= growth <= 5.0


def test_running_top_10_reproduces_the_derived_rows_of_epoch_trends():
    # epoch_trends.csv: running top-10 OLS 4.85 (since 2018) and 4.68 (since 2020) x/yr.
    assert fit_training_compute_growth(RUNNING_TOP_10, "2018-01-01") == pytest.approx(
        4.85, abs=0.005
    )
    assert fit_training_compute_growth(RUNNING_TOP_10, "2020-01-01") == pytest.approx(
        4.68, abs=0.005
    )


def test_unknown_series_is_an_error():
    with pytest.raises(ValueError, match="record-setting"):
        fit_training_compute_growth("frontier")


def test_headline_trends_and_sources():
    trends = epoch_trends()
    assert trends.training_compute_growth_published.low == 4.0
    assert trends.training_compute_growth_published.high == 5.0
    assert trends.algorithmic_halving_months.value == 8.0
    assert (trends.algorithmic_halving_months.low, trends.algorithmic_halving_months.high) == (
        5,
        14,
    )
    assert trends.algorithmic_progress.value == pytest.approx(2**1.5)  # ~2.8x/yr
    assert trends.algorithmic_progress.low < trends.algorithmic_progress.value
    assert trends.algorithmic_progress.value < trends.algorithmic_progress.high
    assert 1.3 <= trends.hardware_price_performance.value <= 1.4
    assert trends.hardware_price_performance.doubling_time_years == pytest.approx(2.3, abs=0.1)
    assert "arXiv:2403.05812" in trends.algorithmic_progress.source
    assert "Hobbhahn" in trends.hardware_price_performance.source
    assert "CC-BY 4.0" in trends.training_compute_growth.source
