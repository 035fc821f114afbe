"""Parameter declarations: one declaration validates input, documents the parameter and feeds
the uncertainty sampler (the scikit-learn idea of constraints as data)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .errors import ParameterError, did_you_mean
from .units import duration_years, is_time_unit, parse_quantity


@dataclass(frozen=True)
class Param:
    """A declared model parameter.

    Declared as a class attribute of a `Component`; reads as the value on
    instances.

    Parameters
    ----------
    default
        the baseline value.
    unit
        the unit the value is in (`"1"` for dimensionless).
    bounds
        inclusive `(low, high)`; `None` for unbounded.
    source
        where the default comes from (shipped data file or literature).
    doc
        what the parameter means.
    kind
        `float`, `int`, `bool`, `str` or `dict` (a series: decimal year -> number, each
        number within `bounds`; `None` for none).
    choices
        allowed values for `str` parameters.
    """

    default: Any
    unit: str = "1"
    bounds: tuple[float | None, float | None] = (None, None)
    source: str = ""
    doc: str = ""
    kind: type = float
    choices: tuple[str, ...] = ()
    name: str = field(default="", compare=False)

    def __set_name__(self, owner: type, name: str) -> None:
        object.__setattr__(self, "name", name)

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        # Reached on the class only: a component keeps its checked values in its instance dict
        # (see Component.__setattr__), which takes precedence over this descriptor.
        if obj is None:
            return self
        raise AttributeError(self.name)

    def expected(self) -> str:
        """A phrase saying what values are accepted, for error messages."""
        if self.kind is bool:
            return "true or false"
        if self.kind is str:
            return "one of " + ", ".join(repr(c) for c in self.choices) if self.choices else "text"
        if self.kind is dict:
            return ("a mapping of years to " + Param(0.0, unit=self.unit, bounds=self.bounds).expected()
                    + ", e.g. {2026: 2.6, 2030: 2.0}, or null for none")
        what = "an integer" if self.kind is int else "a number"
        lo, hi = self.bounds
        if lo is not None and hi is not None:
            what += f" between {lo:g} and {hi:g}"
        elif lo is not None:
            what += f" ≥ {lo:g}"
        elif hi is not None:
            what += f" ≤ {hi:g}"
        if self.unit not in ("1", ""):
            what += f" (in {self.unit})"
        return what

    def quantity(self, text: str) -> float:
        """The number `text` means in this parameter's unit (bounds not checked).

        >>> Param(1.0, unit="year", name="lag", doc="").quantity("6 months")
        0.5
        """
        return self._from_text(text, ParameterError(f"cannot read {text!r} in {self.unit!r}"))

    def _from_text(self, text: str, bad: ParameterError) -> float:
        """Read `"3 months"` for a parameter in years, `"1e27 FLOP"` for one in FLOP."""
        try:
            if is_time_unit(self.unit):
                return duration_years(text) / duration_years(f"1 {self.unit}")
            number, unit = parse_quantity(text)
        except ValueError as exc:
            raise ParameterError(f"{bad} ({exc})") from None
        if unit == "%" and self.unit in ("1", ""):
            raise ParameterError(f"{bad} (a share is written as a fraction: {number / 100:g}, "
                                 f"not {text.strip()})")
        if unit not in ("", self.unit):
            raise ParameterError(f"{bad} (the unit must be {self.unit!r}, not {unit!r})")
        return number

    def check(self, value: Any, owner: str = "") -> Any:
        """Return `value` converted to the declared kind, or raise `ParameterError`."""
        label = f"The '{self.name}' parameter" + (f" of {owner}" if owner else "")
        bad = ParameterError(f"{label} must be {self.expected()}. Got {short_repr(value)} instead.")
        if self.kind is bool:
            if not isinstance(value, bool):
                raise bad
            return value
        if self.kind is str:
            if not isinstance(value, str) or (self.choices and value not in self.choices):
                hint = did_you_mean(value, self.choices) if self.choices else ""
                raise ParameterError(f"{bad}{hint}") if hint else bad
            return value
        if self.kind is dict:
            return self._check_series(value, bad)
        if isinstance(value, str):
            value = self._from_text(value, bad)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad
        try:
            if self.kind is int:
                if isinstance(value, float) and not value.is_integer():
                    raise bad
                value = int(value)
            else:
                value = float(value)
            if not math.isfinite(value):
                raise bad
        except OverflowError:  # an integer beyond float range
            raise bad from None
        lo, hi = self.bounds
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise bad
        return value


    def _check_series(self, value: Any, bad: ParameterError) -> dict[float, float] | None:
        """A series ``{year: number}``: years from 1900 to 3000, sorted; numbers in bounds."""
        if value is None:
            return None
        if not isinstance(value, dict) or not value:
            raise bad
        item = Param(0.0, unit=self.unit, bounds=self.bounds, name=self.name)
        out: dict[float, float] = {}
        for year, number in value.items():
            if isinstance(year, str):  # YAML keys may reach here as text
                try:
                    year = float(year)
                except ValueError:
                    pass
            if isinstance(year, bool) or not isinstance(year, int | float) or not 1900 <= year <= 3000:
                raise ParameterError(f"{bad} (the key {year!r} is not a year between 1900 and 3000)")
            try:
                out[float(year)] = item.check(number)
            except ParameterError:
                raise ParameterError(f"{bad} (the value for {year!r} is {short_repr(number)})") from None
        return dict(sorted(out.items()))


def short_repr(value: Any, limit: int = 80) -> str:
    """`repr(value)`, cut short so a huge value cannot flood an error message."""
    text = value.isoformat() if hasattr(value, "isoformat") else repr(value)
    return text if len(text) <= limit else f"{text[: limit - 20]}... ({len(text):,} characters)"
