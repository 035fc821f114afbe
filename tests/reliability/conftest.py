"""Fuzz profile (CI or long) and the count of generated cases, reported at the end of the run."""

from __future__ import annotations

import collections
import os

import pytest

_COUNTS: collections.Counter = collections.Counter()


def pytest_configure(config: pytest.Config) -> None:
    # Runs before the test modules here are imported, so they read the profile at import time.
    if config.getoption("--fuzz-long", default=False):
        os.environ["RSI_SIM_FUZZ"] = "long"


def fuzz_profile() -> str:
    """``"long"`` (thousands of cases) or ``"ci"`` (a few hundred)."""
    return "long" if os.environ.get("RSI_SIM_FUZZ", "").lower() == "long" else "ci"


@pytest.fixture(scope="session")
def fuzz_counts() -> collections.Counter:
    """Counter of generated fuzz cases by kind and outcome (and ``seconds`` spent in them);
    reported in the terminal summary."""
    return _COUNTS


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if not _COUNTS:
        return
    tr = terminalreporter
    tr.section("rsi_sim fuzz cases")
    tr.write_line(f"profile {fuzz_profile()}: {_COUNTS['cases']} generated scenario cases, "
                  f"{_COUNTS['seconds']:.1f} s spent in them")
    for key in sorted(k for k in _COUNTS if k not in ("cases", "seconds")):
        tr.write_line(f"  {key}: {_COUNTS[key]}")
