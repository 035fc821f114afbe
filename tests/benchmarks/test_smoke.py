"""The benchmark command runs end to end at tiny sizes, so it cannot rot (its figures are
measured by `python -m benchmarks`, not asserted here)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_benchmark_command_runs_every_figure_quickly():
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "--quick"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    for figure in ("P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9"):
        assert f"│ {figure} │" in proc.stdout, f"{figure} missing from the table"
    assert "not measured" not in proc.stdout
