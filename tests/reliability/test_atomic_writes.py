"""No finished output is lost: a run killed at any moment leaves the previous output file intact
or a complete new one, and the temporary files of killed writers do not accumulate."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import xarray as xr

ROOT = Path(__file__).resolve().parents[2]
JONES = ROOT / "scenarios" / "reference" / "jones.yaml"
LONG = os.environ.get("RSI_SIM_FUZZ", "").lower() == "long"
TRIALS = 20 if LONG else 4
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def rsi_sim(*args: str, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "rsi_sim", *args], cwd=cwd, env=ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def temps(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if ".tmp" in p.name)


def same_dataset(a: Path, b: Path) -> bool:
    with xr.open_dataset(a) as x, xr.open_dataset(b) as y:
        return x.load().identical(y.load())


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """An old output (a different scenario value) and what a clean run writes; the run's duration."""
    d = tmp_path_factory.mktemp("atomic")
    old = d / "old.nc"
    assert rsi_sim("run", str(JONES), "-q", "--set", "components.jones.phi=0.5", "-o", str(old),
                   cwd=d).wait(120) == 0
    t0 = time.perf_counter()
    clean = d / "clean.nc"
    assert rsi_sim("run", str(JONES), "-q", "-o", str(clean), cwd=d).wait(120) == 0
    return old, clean, time.perf_counter() - t0


def test_sigkill_at_random_moments_keeps_old_or_complete_new(tmp_path, outputs):
    old, clean, took = outputs
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    out = tmp_path / "out.nc"
    outcomes = []
    for _ in range(TRIALS):
        out.write_bytes(old.read_bytes())
        proc = rsi_sim("run", str(JONES), "-q", "-o", str(out), cwd=tmp_path)
        time.sleep(rng.uniform(0.2, 1.1) * took)
        proc.send_signal(signal.SIGKILL)
        proc.wait(60)
        if out.read_bytes() == old.read_bytes():
            outcomes.append("old")
        else:
            assert same_dataset(out, clean), f"out.nc is neither the old nor a complete new file (seed {seed})"
            outcomes.append("new")
        left = [p for p in tmp_path.iterdir() if p.name != "out.nc"]
        assert all(p.name.startswith(".out.nc.tmp-") for p in left), (left, seed)
    # The next write cleans up after the killed writers.
    proc = rsi_sim("run", str(JONES), "-q", "-o", str(out), cwd=tmp_path)
    assert proc.wait(120) == 0, proc.stderr.read()
    assert same_dataset(out, clean)
    assert temps(tmp_path) == [], f"stale temporary files remain (outcomes {outcomes})"


SLOW_WRITER = textwrap.dedent("""
    import sys, time
    import xarray as xr
    import rsi_sim
    from rsi_sim import io

    ds = rsi_sim.run(sys.argv[1])
    real = xr.Dataset.to_netcdf

    def slow(self, path, **kw):
        real(self, path, **kw)           # the temporary file is complete ...
        print("written", flush=True)
        time.sleep(60)                   # ... but not yet renamed when the kill comes

    xr.Dataset.to_netcdf = slow
    io.write(ds, sys.argv[2])
""")


def test_sigkill_during_the_write_keeps_the_old_file(tmp_path, outputs):
    old, _, _ = outputs
    out = tmp_path / "out.nc"
    out.write_bytes(old.read_bytes())
    proc = subprocess.Popen([sys.executable, "-c", SLOW_WRITER, str(JONES), str(out)], cwd=tmp_path,
                            env=ENV, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "written"
    assert len(temps(tmp_path)) == 1
    proc.kill()
    proc.wait(60)
    assert out.read_bytes() == old.read_bytes()
    from rsi_sim import io

    io.write(xr.open_dataset(old).load(), out)
    assert temps(tmp_path) == []


def test_stale_temps_of_live_writers_and_other_targets_are_kept(tmp_path):
    import socket

    from rsi_sim import io

    host = socket.gethostname().replace("-", "_")
    live = tmp_path / f".out.nc.tmp-{host}-{os.getppid()}-abc.nc"   # our parent is alive
    other = tmp_path / f".other.nc.tmp-{host}-999999999-abc.nc"      # another target
    dead = tmp_path / f".out.nc.tmp-{host}-999999999-abc.nc"         # no such process
    for p in (live, other, dead):
        p.write_bytes(b"partial")
    removed = io._remove_stale_temps(tmp_path / "out.nc")
    assert removed == [dead] and live.exists() and other.exists()


CLI_AFTER_IMPORTS = textwrap.dedent("""
    import sys
    from rsi_sim.cli import main
    import rsi_sim.api, rsi_sim.io, rsi_sim.analysis.summary, rsi_sim.scenario  # noqa: F401
    print("ready", flush=True)
    sys.argv = ["rsi-sim", "run", *sys.argv[1:]]
    main()
""")


def test_sigint_stops_cleanly_and_keeps_the_old_file(tmp_path, outputs):
    """Ctrl-C once the command runs (loading, simulating or writing): exit 130, a one-line
    message, the old file intact, no temporary file left."""
    old, clean, _ = outputs
    out = tmp_path / "out.nc"
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    for _ in range(max(2, TRIALS // 2)):
        out.write_bytes(old.read_bytes())
        proc = subprocess.Popen([sys.executable, "-c", CLI_AFTER_IMPORTS, str(JONES), "-q", "-o",
                                 str(out)], cwd=tmp_path, env=ENV, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        t0 = time.perf_counter()
        time.sleep(rng.uniform(0.0, 1.5))
        proc.send_signal(signal.SIGINT)
        code = proc.wait(60)
        stderr = proc.stderr.read()
        assert "Traceback" not in stderr, (stderr, seed, time.perf_counter() - t0)
        assert code in (0, 130), (code, stderr, seed)  # 0: it had finished before the signal
        if code == 130:
            assert out.read_bytes() == old.read_bytes() and "interrupted" in stderr
        else:
            assert same_dataset(out, clean)
        assert temps(tmp_path) == [], seed
