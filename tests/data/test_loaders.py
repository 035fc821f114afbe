"""The shipped calibration tables and their loaders."""

import pandas as pd
import pytest

from rsi_sim.data import available_tables, load_table, metr_time_horizons

SHIPPED = {
    "actors_race",
    "economy_compute_limits",
    "labour",
    "ai_rd_labour_uplift",
    "benchmarks",
    "data_sources_licensing",
    "epoch_frontier_training_compute",
    "epoch_trends",
    "metr_doubling_times",
    "metr_time_horizons",
    "takeoff_parameters",
}


def test_every_shipped_table_loads_with_a_source_column():
    assert set(available_tables()) == SHIPPED
    for name in SHIPPED:
        table = load_table(name)
        assert len(table) > 0
        assert "source" in table.columns
        assert table["source"].notna().all(), name


def test_csv_suffix_is_accepted():
    pd.testing.assert_frame_equal(load_table("epoch_trends.csv"), load_table("epoch_trends"))


def test_unknown_table_error_names_it_and_lists_the_available_ones():
    with pytest.raises(KeyError) as excinfo:
        load_table("metr_horizons")
    message = str(excinfo.value)
    assert "'metr_horizons'" in message
    for name in SHIPPED:
        assert name in message


def test_unlicensed_row_is_not_shipped():
    sources = load_table("takeoff_parameters")["source"]
    assert not sources.str.contains("do not ship").any()
    assert not sources.str.contains("peterhurford/metr_graph").any()
    assert len(sources) == 26


def test_metr_time_horizons_parses_dates_and_flags():
    th = metr_time_horizons("TH1.1")
    assert pd.api.types.is_datetime64_any_dtype(th["release_date"])
    assert th["is_sota"].dtype == bool
    assert "suite" not in th.columns
    assert th["release_date"].is_monotonic_increasing
    assert (th["p50_ci95_low"] <= th["p50_minutes"]).all()
    assert (th["p50_minutes"] <= th["p50_ci95_high"]).all()
    gpt4 = th.set_index("model_key").loc["gpt_4"]
    assert gpt4["release_date"] == pd.Timestamp("2023-03-14")
    assert gpt4["p50_minutes"] == pytest.approx(3.987428)


def test_metr_suites_are_kept_apart():
    assert len(metr_time_horizons("TH1.1")) == 26
    assert len(metr_time_horizons("TH1.0")) == 33
    with pytest.raises(ValueError, match="TH1.0, TH1.1"):
        metr_time_horizons("TH2")
