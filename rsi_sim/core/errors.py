"""Errors users can act on. The CLI prints them as one paragraph and exits with status 2."""

from __future__ import annotations

from collections.abc import Iterable


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


def did_you_mean(given: object, choices: Iterable[str]) -> str:
    """``" (did you mean 'x'?)"`` for the close matches of ``given`` among ``choices``, else
    ``""`` (to append to a message).

    >>> did_you_mean("sofware", ["software", "compute"])
    " (did you mean 'software'?)"
    >>> did_you_mean("zzz", ["software"])
    ''
    """
    import difflib

    if not isinstance(given, str):
        return ""
    choices = [str(c) for c in choices]
    close = difflib.get_close_matches(given, choices, n=3, cutoff=0.6)
    if not close:  # a different case, or a prefix: 'Software', 'soft'
        close = [c for c in choices if c.lower() == given.lower()
                 or (len(given) >= 3 and c.lower().startswith(given.lower()))][:3]
    if not close:
        return ""
    return " (did you mean " + " or ".join(repr(c) for c in close) + "?)"
