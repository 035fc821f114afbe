"""Instructions per baseline run (2026–2040), and what its parts cost, counted with callgrind.

``python -m benchmarks.instructions`` (needs valgrind). Wall-clock time on a shared host drifts
between minutes; instruction counts do not, so they compare two versions of the code. Each part's
share is measured by leaving it out (the run is then wrong, only its cost is of interest):
``flush`` (the recorder's variables), ``watches`` (conditions and crossings), and ``results``
(building the Dataset, timed alone). Collection starts after a warm-up run; its own fixed cost
(the ``none`` case) is subtracted.
"""

from __future__ import annotations

import gc
import os
import re
import subprocess
import sys

RUNS = 2


def _measure(case: str) -> None:
    import rsi_sim
    from rsi_sim.core.recorder import Recorder
    from rsi_sim.core.watches import Watches

    sc = rsi_sim.load_scenario("scenarios/baseline.yaml", {"horizon": "2040-01-01"})
    model = sc.build_model()
    model.run()
    if case == "flush":
        Recorder.flush = lambda self: setattr(self, "_pending", [])
    elif case == "watches":
        Watches.first_crossing = lambda self, step, ceiling: None
        Watches.check_now = lambda self, state_now: None
    work = {"results": model.results, "none": lambda: None}.get(case, lambda: rsi_sim.run(sc))
    work()
    gc.collect()
    subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], capture_output=True, check=False)
    for _ in range(RUNS):
        work()


def _count(case: str) -> float:
    out = subprocess.run(["valgrind", "--tool=callgrind", "--instr-atstart=no", "--callgrind-out-file=/dev/null",
                          sys.executable, "-m", "benchmarks.instructions", "--case", case],
                         capture_output=True, text=True, check=True)
    return float(re.search(r"Collected : (\d+)", out.stderr).group(1))


def main() -> None:
    if sys.argv[1:2] == ["--case"]:
        _measure(sys.argv[2])
        return
    fixed = _count("none")
    run = (_count("run") - fixed) / RUNS
    print(f"baseline run 2026-2040: {run / 1e6:.0f} M instructions")
    for case in ("flush", "watches"):
        print(f"  {case}: {(run - (_count(case) - fixed) / RUNS) / run:.0%}")
    print(f"  results: {(_count('results') - fixed) / RUNS / run:.0%}")


if __name__ == "__main__":
    main()
