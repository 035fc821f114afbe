"""Reading quantities written with units: durations (``"3 months"``, ``"2.5 y"``) and amounts
(``"1e27 FLOP"``). Durations are converted to years, the model's unit of time."""

from __future__ import annotations

import re

# Durations: calendar units are averages (a year is 365.25 days) because model time is continuous.
_YEAR = {
    "y": 1.0, "yr": 1.0, "yrs": 1.0, "year": 1.0, "years": 1.0,
    "mo": 1 / 12, "month": 1 / 12, "months": 1 / 12,
    "w": 7 / 365.25, "wk": 7 / 365.25, "week": 7 / 365.25, "weeks": 7 / 365.25,
    "d": 1 / 365.25, "day": 1 / 365.25, "days": 1 / 365.25,
    "h": 1 / (365.25 * 24), "hour": 1 / (365.25 * 24), "hours": 1 / (365.25 * 24),
}
DURATION_UNITS = tuple(_YEAR)
_QUANTITY = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z/%²^0-9\-]*)\s*$")


def parse_quantity(text: str) -> tuple[float, str]:
    """Split ``"1e27 FLOP"`` into ``(1e27, "FLOP")``; raise ``ValueError`` if it is not one.

    >>> parse_quantity("2.5 y")
    (2.5, 'y')
    """
    if len(text) > 100:
        raise ValueError("too long to be a quantity")
    m = _QUANTITY.match(text)
    if not m:
        raise ValueError(f"{text!r} is not a number followed by a unit")
    return float(m.group(1)), m.group(2)


def duration_years(value: float | int | str) -> float:
    """A duration in years from a number (already years) or a string with a unit.

    >>> duration_years("3 months")
    0.25
    >>> duration_years(2)
    2.0
    """
    if isinstance(value, bool):
        raise ValueError("a duration, not true/false")
    if isinstance(value, int | float):
        try:
            return float(value)
        except OverflowError:  # an int beyond float range
            raise ValueError("the number is too large") from None
    number, unit = parse_quantity(str(value))
    if unit.lower() not in _YEAR:
        raise ValueError(f"unknown time unit {unit!r} (use one of: years, months, weeks, days, hours)")
    return number * _YEAR[unit.lower()]


def is_time_unit(unit: str) -> bool:
    return unit.lower() in _YEAR
