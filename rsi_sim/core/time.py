"""Calendar dates and decimal years: the one place rsi_sim converts between them.

A *decimal year* is `year + (day_of_year - 1) / days_in_that_year`, so 1 January is always a
whole number and every calendar year spans exactly one unit whatever its length. Scenario
times are decimal years; calibration data carry calendar dates.

Nothing here reads the wall clock: every function is a pure function of its argument.
"""

from __future__ import annotations

import datetime as _dt
import math

__all__ = [
    "DAYS_PER_YEAR",
    "DateLike",
    "as_date",
    "epoch_days",
    "from_decimal_year",
    "to_decimal_year",
]

DateLike = _dt.date | str
"""A calendar date: a `datetime.date` (or `datetime.datetime`/`pandas.Timestamp`) or an
ISO string `'YYYY-MM-DD'`."""

# Julian year (IAU): the conventional length used to turn a per-day rate into a per-year one.
DAYS_PER_YEAR = 365.25

_EPOCH = _dt.date(1970, 1, 1)


def _days_in_year(year: int) -> int:
    return 366 if _dt.date(year, 12, 31).timetuple().tm_yday == 366 else 365


def _day_fraction(when: DateLike) -> float:
    """Fraction of the day elapsed at `when` (0 for anything but a datetime)."""
    if not isinstance(when, _dt.datetime):
        return 0.0
    midnight = _dt.datetime.combine(when.date(), _dt.time(), tzinfo=when.tzinfo)
    return (when - midnight).total_seconds() / 86400.0


def as_date(when: DateLike) -> _dt.date:
    """Return `when` as a `datetime.date`.

    Parameters
    ----------
    when
        datetime.date, datetime.datetime or str
        A date, a datetime (its time of day is dropped) or an ISO string `'YYYY-MM-DD'`.

    Returns
    -------
    datetime.date

    Examples
    --------
    >>> as_date("2024-03-01")
    datetime.date(2024, 3, 1)
    """
    if isinstance(when, _dt.datetime):  # before date: datetime is a subclass of date
        return when.date()
    if isinstance(when, _dt.date):
        return when
    if isinstance(when, str):
        try:
            return _dt.date.fromisoformat(when.strip()[:10])
        except ValueError:
            raise ValueError(f"Expected a date as 'YYYY-MM-DD'; got {when!r}.") from None
    raise TypeError(f"Expected a datetime.date or an ISO date string; got {type(when).__name__}.")


def to_decimal_year(when: DateLike) -> float:
    """Convert a calendar date to a decimal year.

    Parameters
    ----------
    when
        datetime.date, datetime.datetime or str
        The date. A `datetime` keeps its time of day as a fraction of that day.

    Returns
    -------
    float
        `year + (day_of_year - 1 + fraction_of_day) / days_in_that_year`.

    Examples
    --------
    >>> to_decimal_year("2024-01-01")
    2024.0
    >>> round(to_decimal_year("2024-07-02"), 4)  # day 184 of a 366-day year
    2024.5
    """
    date = as_date(when)
    day_of_year = date.timetuple().tm_yday
    return date.year + (day_of_year - 1 + _day_fraction(when)) / _days_in_year(date.year)


def from_decimal_year(x: float) -> _dt.date:
    """Convert a decimal year to the calendar date it falls in.

    The inverse of `to_decimal_year` for dates: `from_decimal_year(to_decimal_year(d)) == d`.
    A decimal year between two midnights maps to the nearest one, so float round-off never
    shifts a date by a day.

    Parameters
    ----------
    x
        float
        A decimal year, e.g. `2024.5`.

    Returns
    -------
    datetime.date

    Examples
    --------
    >>> from_decimal_year(2024.5)
    datetime.date(2024, 7, 2)
    >>> from_decimal_year(2023.0)
    datetime.date(2023, 1, 1)
    """
    if not math.isfinite(x):
        raise ValueError(f"A decimal year must be finite; got {x!r}.")
    year = math.floor(x)
    offset = round((x - year) * _days_in_year(year))
    # offset may round up to days_in_year: that is 1 January of the next year, which timedelta
    # handles without a special case.
    return _dt.date(year, 1, 1) + _dt.timedelta(days=offset)


def epoch_days(when: DateLike | float) -> float:
    """Continuous days since 1970-01-01 for a date or a decimal year.

    Trend fits regress on this (calendar days), which is how METR states doubling times.
    A float is read as a decimal year and keeps its fraction of a day.

    Parameters
    ----------
    when
        datetime.date, str or float
        A date, an ISO date string, or a decimal year.

    Returns
    -------
    float

    Examples
    --------
    >>> epoch_days("1970-01-11")
    10.0
    >>> epoch_days(1971.0)
    365.0
    """
    if isinstance(when, int | float) and not isinstance(when, bool):
        if not math.isfinite(when):
            raise ValueError(f"A decimal year must be finite; got {when!r}.")
        year = math.floor(when)
        start = (_dt.date(year, 1, 1) - _EPOCH).days
        return start + (when - year) * _days_in_year(year)
    return (as_date(when) - _EPOCH).days + _day_fraction(when)
