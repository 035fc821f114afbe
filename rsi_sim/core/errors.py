"""Errors users can act on. The CLI prints them as one paragraph and exits with status 2."""

from __future__ import annotations


class RsiSimError(Exception):
    """Base class of every error meant for a user rather than a developer."""


class ScenarioError(RsiSimError):
    """A scenario file (or an override) is wrong: says where, what was given and what was expected.

    Parameters
    ----------
    message : what is wrong, in the user's terms.
    file, line : where it was written (``line`` is 1-based; either may be unknown).
    key : the dotted key path, e.g. ``components.software.r``.
    """

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 key: str | None = None):
        self.message, self.file, self.line, self.key = message, file, line, key
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(str(self.file))
        if self.line:
            where.append(f"line {self.line}")
        prefix = ", ".join(where)
        key = f"{self.key}: " if self.key else ""
        return f"{prefix}: {key}{self.message}" if prefix else f"{key}{self.message}"


class ParameterError(RsiSimError, ValueError):
    """A parameter value is of the wrong type or out of its declared bounds."""


class SimulationError(RsiSimError):
    """A model could not be simulated as specified (e.g. an integrator step budget exhausted)."""
