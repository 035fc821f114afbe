"""Dates and decimal years, converted in one place. Nothing here reads the wall clock."""

from __future__ import annotations

import datetime as _dt


def _year_length(year: int) -> int:
    return 366 if (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else 365


def to_decimal_year(date: _dt.date | str) -> float:
    """Decimal year of a date: ``year + (day_of_year - 1) / days_in_year``.

    >>> to_decimal_year("2026-01-01")
    2026.0
    """
    if isinstance(date, str):
        date = _dt.date.fromisoformat(date)
    if isinstance(date, _dt.datetime):
        date = date.date()
    return date.year + (date.timetuple().tm_yday - 1) / _year_length(date.year)


def from_decimal_year(x: float) -> _dt.date:
    """The date on which decimal year ``x`` falls (inverse of :func:`to_decimal_year`).

    >>> from_decimal_year(2027.5)
    datetime.date(2027, 7, 2)
    """
    year = int(x // 1)
    day = int(round((x - year) * _year_length(year)))
    if day >= _year_length(year):
        year, day = year + 1, 0
    return _dt.date(year, 1, 1) + _dt.timedelta(days=day)
