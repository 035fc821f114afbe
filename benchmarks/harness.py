"""Timing helpers, the result record, and the machine facts printed with every table."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass
class Result:
    """One figure of REFERENCE D as measured."""

    id: str
    what: str
    target: str
    measured: str
    passed: bool | None  # None: not measured (the reason is in `measured`)
    detail: str = ""

    @property
    def verdict(self) -> str:
        return {True: "pass", False: "FAIL", None: "not measured"}[self.passed]


def repeat(fn: Callable[[], object], n: int) -> list[float]:
    """Wall-clock seconds of ``n`` calls of ``fn``."""
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def spread(times: list[float], scale: float = 1.0, unit: str = "s") -> str:
    """'median (min–max) unit' of repeated timings."""
    med = statistics.median(times) * scale
    return f"{med:.3g} {unit} (min {min(times) * scale:.3g}, max {max(times) * scale:.3g}, n={len(times)})"


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import scipy
    import simpy

    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "simpy": simpy.__version__,
        "os": f"{platform.system()} {platform.release()}",
    }
