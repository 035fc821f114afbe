"""Given designs: an ensemble over parameter sets the user supplies, one row per sample.

``rsi_sim.run_ensemble(scenario, designs=df)`` runs sample ``i`` with the values of row ``i``
of ``df`` (a pandas DataFrame, or anything ``pandas.DataFrame`` accepts); its columns are
parameter paths ``components.<component>.<parameter>`` (or ``<component>.<parameter>``). The
scenario's ``uncertainty:`` section is not used. Every value is checked against the parameter's
declaration before anything runs; text and true/false values are stored as indices into the
``choices`` attr of their coordinate, as for a ``choice`` distribution.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

import numpy as np
import pandas as pd

from ..core.distributions import Distribution, UncertainParameter, Uncertainty
from ..core.errors import ParameterError, RsiSimError, did_you_mean


class DesignError(RsiSimError):
    """A given design names an unknown parameter or holds a value the parameter refuses."""


class GivenDesign:
    """The rows of a given design as an ensemble reads them (:meth:`values` in slices).

    >>> from rsi_sim.components import JonesResearch
    >>> d = GivenDesign.from_frame(pd.DataFrame({"jones.phi": [0.2, 0.4]}), {"jones": JonesResearch})
    >>> d.uncertainty.paths, d.values(0, 2)[:, 0].tolist()
    (['components.jones.phi'], [0.2, 0.4])
    """

    sampler = "given"

    def __init__(self, uncertainty: Uncertainty, matrix: np.ndarray):
        self.uncertainty = uncertainty
        self.matrix = matrix
        self.samples = len(matrix)
        self.sha256 = hashlib.sha256(np.ascontiguousarray(matrix).tobytes()
                                     + repr(uncertainty.paths).encode()).hexdigest()

    def values(self, start: int, stop: int) -> np.ndarray:
        return self.matrix[start:stop]

    @classmethod
    def from_frame(cls, frame: Any, components: dict[str, type]) -> GivenDesign:
        """Check a design against the scenario's component classes (by name)."""
        if not isinstance(frame, pd.DataFrame):
            try:
                frame = pd.DataFrame(frame)
            except (TypeError, ValueError) as exc:
                raise DesignError(f"designs must be a pandas DataFrame (one row per sample, "
                                  f"columns named by parameter path); got {type(frame).__name__} "
                                  f"({exc})") from None
        if frame.empty or not len(frame.columns):
            raise DesignError("designs has no rows or no columns; give one row per sample and "
                              "one column per parameter, e.g. components.software.r")
        params, columns = [], []
        for col in frame.columns:
            path, comp, name, param = _parameter(col, components)
            if path in {p.path for p in params}:
                raise DesignError(f"designs: the parameter {path} is given by two columns")
            values = []
            for row, value in zip(frame.index, frame[col].tolist(), strict=True):
                if isinstance(value, float) and math.isnan(value):
                    raise DesignError(f"designs, row {row!r}, column {col!r}: missing value (NaN)")
                try:  # the checked value: "3 months" is read in the parameter's unit
                    values.append(param.check(_plain(value), owner=comp))
                except ParameterError as exc:
                    raise DesignError(f"designs, row {row!r}, column {col!r}: {exc}") from None
            if param.kind in (float, int):
                dist = Distribution("given", (float(min(values)), float(max(values))))
                column = np.asarray(values, dtype=float)
            else:  # text or true/false: stored as the index of the value
                unique = tuple(dict.fromkeys(values))
                dist = Distribution("choice", values=unique, weights=(1.0,) * len(unique))
                column = np.asarray([unique.index(v) for v in values], dtype=float)
            params.append(UncertainParameter(path, comp, name, param, dist))
            columns.append(column)
        return cls(Uncertainty(tuple(params)), np.column_stack(columns))


def _plain(value: Any) -> Any:
    """numpy scalars as Python values (a Param checks Python types)."""
    return value.item() if isinstance(value, np.generic) else value


def _parameter(column: Any, components: dict[str, type]):
    parts = str(column).split(".")
    if len(parts) == 3 and parts[0] == "components":
        parts = parts[1:]
    if len(parts) != 2:
        raise DesignError(f"designs: the column {column!r} is not a parameter path "
                          "components.<component>.<parameter> (e.g. components.software.r)")
    comp, name = parts
    cls = components.get(comp)
    if cls is None:
        raise DesignError(f"designs: the column {column!r} names the component {comp!r}, which "
                          f"this scenario does not have{did_you_mean(comp, components)}; it has: "
                          f"{', '.join(components)}")
    param = cls.params.get(name)
    if param is None:
        raise DesignError(f"designs: the column {column!r}: {comp} has no parameter {name!r}"
                          f"{did_you_mean(name, cls.params)}; its parameters are: "
                          f"{', '.join(cls.params)}")
    return f"components.{comp}.{name}", comp, name, param
