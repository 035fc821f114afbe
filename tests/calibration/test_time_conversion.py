"""Date <-> decimal-year conversion (rsi_sim.core.time)."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rsi_sim.core.time import as_date, epoch_days, from_decimal_year, to_decimal_year

dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2300, 12, 31))


@given(dates)
def test_date_round_trips_through_decimal_year(date):
    assert from_decimal_year(to_decimal_year(date)) == date


@given(dates)
def test_decimal_year_lies_in_its_calendar_year(date):
    x = to_decimal_year(date)
    assert date.year <= x < date.year + 1


@given(dates, dates)
def test_decimal_year_is_strictly_increasing(a, b):
    if a < b:
        assert to_decimal_year(a) < to_decimal_year(b)


@given(dates)
def test_epoch_days_agrees_for_a_date_and_its_decimal_year(date):
    assert epoch_days(to_decimal_year(date)) == pytest.approx(epoch_days(date), abs=1e-6)


@given(st.floats(min_value=1900.0, max_value=2300.0))
def test_from_decimal_year_is_within_half_a_day(x):
    date = from_decimal_year(x)
    assert abs(epoch_days(x) - epoch_days(date)) <= 0.5 + 1e-9


def test_known_values():
    assert to_decimal_year(dt.date(2024, 1, 1)) == 2024.0
    assert to_decimal_year("2023-07-02") == pytest.approx(2023 + 182 / 365)
    assert to_decimal_year(dt.datetime(2023, 1, 1, 12)) == pytest.approx(2023 + 0.5 / 365)
    assert from_decimal_year(2024.999999) == dt.date(2025, 1, 1)
    assert as_date(dt.datetime(2025, 5, 6, 23, 59)) == dt.date(2025, 5, 6)


def test_bad_input_is_rejected():
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        as_date("May 2025")
    with pytest.raises(TypeError):
        as_date(2025)
    with pytest.raises(ValueError):
        from_decimal_year(float("nan"))
