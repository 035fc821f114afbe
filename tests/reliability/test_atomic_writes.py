"""No finished output is lost: a run killed at any moment leaves the previous output file intact
or a complete new one, and the temporary files of killed writers do not accumulate."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
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
    removed = io.remove_stale_temps(tmp_path / "out.nc")
    assert removed == [dead] and live.exists() and other.exists()


CLI_AFTER_IMPORTS = textwrap.dedent("""
    import sys
    from rsi_sim.cli import main
    import rsi_sim.api, rsi_sim.io, rsi_sim.analysis.summary, rsi_sim.scenario  # noqa: F401
    print("ready", flush=True)
    sys.argv = ["rsi-sim", "run", *sys.argv[1:]]
    main()
""")


CLI_INTERRUPTED_WHILE_IMPORTING = textwrap.dedent("""
    import builtins, os, signal, sys
    module, args = sys.argv[1], sys.argv[2:]
    real_import = builtins.__import__

    def importing(name, *a, **k):  # Ctrl-C just as `module` starts loading
        if name == module and not getattr(importing, "done", False):
            importing.done = True
            os.kill(os.getpid(), signal.SIGINT)
        return real_import(name, *a, **k)

    builtins.__import__ = importing
    sys.argv = ["rsi-sim", "run", *args]
    from rsi_sim.__main__ import main
    main()
""")


@pytest.mark.parametrize("module", ["typer", "xarray"])
def test_sigint_while_the_libraries_load(tmp_path, outputs, module):
    """Ctrl-C while the command line's libraries (typer) or the science libraries (xarray) are
    being imported: status 130 and one line, no traceback, the old file kept."""
    old, _, _ = outputs
    out = tmp_path / "out.nc"
    out.write_bytes(old.read_bytes())
    proc = subprocess.run([sys.executable, "-c", CLI_INTERRUPTED_WHILE_IMPORTING, module, str(JONES),
                           "-q", "-o", str(out)], cwd=tmp_path, env=ENV, capture_output=True,
                          text=True, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 130 and proc.stderr.strip() == "interrupted", proc.stderr
    assert out.read_bytes() == old.read_bytes() and temps(tmp_path) == []


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


# ---- ensembles streamed to Zarr: killed or interrupted, then resumed -------------------------

JONES_ENSEMBLE = ROOT / "scenarios" / "reference" / "jones_ensemble.yaml"
#: small, with several batches; the sampler draws every sample's values up front
ENSEMBLE_ARGS = ["-n", "30", "--batch-size", "4", "--seed", "3", "--set", "horizon=3 y", "-q"]
ENSEMBLE_TRIALS = 8 if LONG else 2

CLI_READY = textwrap.dedent("""
    import sys
    from rsi_sim.cli import main
    import rsi_sim.api, rsi_sim.ensemble, rsi_sim.ensemble.store, rsi_sim.scenario  # noqa: F401
    import rsi_sim.analysis.ensemble_summary, zarr  # noqa: F401
    print("ready", flush=True)
    sys.argv = ["rsi-sim", *sys.argv[1:]]
    main()
""")


def ensemble_cli(out: Path, *extra: str) -> subprocess.Popen:
    """``rsi-sim ensemble`` in a subprocess that prints ``ready`` once its imports are done (they
    take most of the start-up), so a signal can be timed against the ensemble itself."""
    proc = subprocess.Popen([sys.executable, "-c", CLI_READY, "ensemble", str(JONES_ENSEMBLE),
                             *ENSEMBLE_ARGS, "-o", str(out), *extra], cwd=out.parent, env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    return proc


def finish(out: Path) -> None:
    """Complete an interrupted ensemble as a user would: ``--resume`` if a store exists, else
    start it again."""
    proc = ensemble_cli(out, *(["--resume"] if out.exists() else []))
    code, stderr = proc.wait(120), proc.stderr.read()
    assert code == 0, stderr


def assert_same_store(path: Path, clean: Path, why: str) -> None:
    """Every sample present exactly once, every variable identical to the uninterrupted run."""
    from rsi_sim import open_ensemble

    with open_ensemble(path) as got, open_ensemble(clean) as want:
        got, want = got.load(), want.load()
        n = want.sizes["sample"]
        assert np.array_equal(got["sample"].values, np.arange(n)), why
        assert (got["status"].values == 1).all(), (got["status"].values, why)
        xr.testing.assert_identical(got, want)
        for name, var in want.variables.items():  # NaN where NaN, and the same bits elsewhere
            if var.dtype.kind in "biuf":
                assert np.ascontiguousarray(got[name].values).tobytes() == \
                    np.ascontiguousarray(var.values).tobytes(), (name, why)
    assert [p.name for p in path.parent.iterdir() if ".tmp" in p.name] == [], why


@pytest.fixture(scope="module")
def clean_ensemble(tmp_path_factory):
    """An uninterrupted ensemble store and how long it took from the end of the imports."""
    d = tmp_path_factory.mktemp("ensemble")
    out = d / "clean.zarr"
    proc = ensemble_cli(out)
    t0 = time.perf_counter()
    assert proc.wait(120) == 0, proc.stderr.read()
    return out, time.perf_counter() - t0


def test_ensemble_sigkill_resume_keeps_every_sample_once(tmp_path, clean_ensemble):
    """SIGKILL while planning, creating the store or writing batches, then again while
    resuming: ``--resume`` completes the store, equal to an uninterrupted run."""
    clean, took = clean_ensemble
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    out = tmp_path / "e.zarr"
    for trial in range(ENSEMBLE_TRIALS):
        shutil.rmtree(out, ignore_errors=True)
        moments = []
        for kill in range(2):
            proc = ensemble_cli(out, *(["--resume"] if kill and out.exists() else []))
            moments.append(round(rng.uniform(0.0, 1.1) * took, 3))
            time.sleep(moments[-1])
            proc.send_signal(signal.SIGKILL)
            proc.wait(60)
        why = f"seed {seed}, trial {trial}, kills {moments} s after the imports"
        finish(out)
        assert_same_store(out, clean, why)


def test_ensemble_sigint_resume(tmp_path, clean_ensemble):
    """Ctrl-C during an ensemble: exit 130, one line on stderr, no traceback, and a store that
    ``--resume`` completes to the uninterrupted result."""
    clean, took = clean_ensemble
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    out = tmp_path / "e.zarr"
    codes = []
    for trial in range(ENSEMBLE_TRIALS):
        shutil.rmtree(out, ignore_errors=True)
        proc = ensemble_cli(out)
        moment = round(rng.uniform(0.0, 1.1) * took, 3)
        time.sleep(moment)
        proc.send_signal(signal.SIGINT)
        code, stderr = proc.wait(60), proc.stderr.read()
        why = f"seed {seed}, trial {trial}, SIGINT {moment} s after the imports"
        codes.append(code)
        assert "Traceback" not in stderr, (stderr, why)
        assert code in (0, 130), (code, stderr, why)  # 0: it had finished before the signal
        if code == 130:
            assert stderr.strip() == "interrupted", (stderr, why)
            if out.exists():  # interrupted after the store was made: it resumes
                from rsi_sim import open_ensemble

                with open_ensemble(out) as part:
                    assert set(np.unique(part["status"].values)) <= {0, 1}, why
        finish(out)
        assert_same_store(out, clean, why)
