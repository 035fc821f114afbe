"""The figures of REFERENCE D. Each function takes ``quick`` (tiny sizes, for the CI smoke test)
and returns a :class:`Result`."""

from __future__ import annotations

import statistics
import time

import numpy as np

from .app import p9_app_redraw
from .harness import Result, repeat, spread


def _ensemble(path: str, samples: int, **kw):
    import rsi_sim

    return rsi_sim.run_ensemble(path, samples=samples, **kw)


def p1_baseline_run(quick: bool) -> Result:
    """P1: one baseline run 2026–2040, in-process, after import (median of repeated runs)."""
    import rsi_sim

    scenario = rsi_sim.load_scenario("scenarios/baseline.yaml", {"horizon": "2040-01-01"})
    rsi_sim.run(scenario)  # warm caches (first xarray Dataset, lazy imports)
    times = repeat(lambda: rsi_sim.run(scenario), 3 if quick else 15)
    med = statistics.median(times)
    return Result("P1", "one baseline run 2026–2040, in-process", "median ≤ 50 ms",
                  spread(times, 1e3, "ms"), med <= 0.050)


def p2_baseline_ensemble(quick: bool) -> Result:
    """P2: a 10,000-sample baseline ensemble on local processes (2 workers). Measured on a
    smaller ensemble and projected linearly when the full one would exceed the time budget."""
    samples = 20 if quick else 1000
    t0 = time.perf_counter()
    _ensemble("scenarios/baseline.yaml", samples, engine="processes", workers=2)
    elapsed = time.perf_counter() - t0
    projected = elapsed * 10_000 / samples
    return Result("P2", "10,000-sample baseline ensemble, local processes (2)", "≤ 60 s wall",
                  f"{projected:.0f} s projected from {samples:,} samples in {elapsed:.1f} s "
                  f"({samples / elapsed:.1f} samples/s)", projected <= 60)


def _reference_timing(path: str, samples: int, quick: bool) -> list[float]:
    _ensemble(path, min(samples, 50))  # warm: imports, first Dataset
    n = samples if not quick else min(samples, 200)
    return repeat(lambda: _ensemble(path, n), 3 if quick else 5)


def p3_ai2027(quick: bool) -> Result:
    """P3: the AI 2027 reference ensemble, 5,000 samples, in-process."""
    times = _reference_timing("scenarios/reference/ai2027_takeoff.yaml", 5000, quick)
    return Result("P3", "AI 2027 reference, 5,000 samples", "≤ 1.5 s", spread(times),
                  statistics.median(times) <= 1.5)


def p4_forethought(quick: bool) -> Result:
    """P4: the Forethought SIE reference ensemble, 10,000 samples, in-process."""
    times = _reference_timing("scenarios/reference/forethought_sie.yaml", 10_000, quick)
    return Result("P4", "Forethought reference, 10,000 samples", "≤ 1 s", spread(times),
                  statistics.median(times) <= 1.0)


def p5_dask_speedup(quick: bool) -> Result:
    """P5: a Dask LocalCluster with 2 workers against one with 1 worker on the same 2,000 samples
    (the Jones ensemble over 10 years, a cheap model, so scheduling overhead shows). Each cluster
    is started (on loopback) and warmed with a small ensemble first: the figure is the speed-up
    of the ensemble, not of starting worker processes (startup is in the detail). The two are
    timed in the order 1, 2, 2, 1 workers and the totals compared, so a drift of the host's
    speed during the measurement cancels to first order."""
    from contextlib import ExitStack

    from distributed import LocalCluster

    samples = 100 if quick else 2000
    path = "scenarios/reference/jones_ensemble.yaml"
    over = {"horizon": "10 y"}
    times: dict[int, float] = {1: 0.0, 2: 0.0}
    with ExitStack() as stack:
        address, startup = {}, {}
        for workers in (1, 2):
            t0 = time.perf_counter()
            cluster = stack.enter_context(LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                dashboard_address=None))
            address[workers] = cluster.scheduler_address
            _ensemble(path, 20, overrides=over, scheduler=address[workers])  # warm the workers
            startup[workers] = time.perf_counter() - t0
        for workers in (1, 2, 2, 1):
            times[workers] += repeat(lambda w=workers: _ensemble(
                path, samples, overrides=over, scheduler=address[w]), 1)[0] / 2
    one, two = times[1], times[2]
    return Result("P5", f"Dask local cluster, 2 workers vs 1, {samples:,} samples", "speed-up ≥ 1.7×",
                  f"{one / two:.2f}× ({one:.1f} s vs {two:.1f} s, means of two runs each; starting "
                  f"and warming the clusters {startup[1]:.1f} s and {startup[2]:.1f} s)", one / two >= 1.7)


def p6_streaming_memory(quick: bool) -> Result:
    """P6: peak memory of an ensemble streamed to a Zarr store, at two sizes (each in a fresh
    process): under 1 GiB, and flat in the number of samples."""
    import subprocess
    import sys
    import tempfile

    sizes = (2_000, 10_000) if quick else (10_000, 100_000)
    code = (
        "import resource, sys, rsi_sim\n"
        "rsi_sim.run_ensemble('scenarios/reference/ai2027_takeoff.yaml', samples=int(sys.argv[1]),"
        " output=sys.argv[2])\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    peaks = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            out = subprocess.run([sys.executable, "-c", code, str(n), f"{tmp}/e{n}.zarr"],
                                 capture_output=True, text=True, check=True)
            peaks.append(int(out.stdout.strip().splitlines()[-1]) / 1024)  # MiB
    flat = peaks[1] <= 1.25 * peaks[0]
    return Result("P6", f"{sizes[1]:,}-sample ensemble streamed to Zarr", "peak < 1 GiB, flat",
                  f"peak {peaks[1]:.0f} MiB at {sizes[1]:,} vs {peaks[0]:.0f} MiB at {sizes[0]:,}",
                  peaks[1] < 1024 and flat)


def p7_event_throughput(quick: bool) -> Result:
    """P7: events the kernel processes per second in a run, against bare SimPy timeouts on the
    same schedule. The model's events are discrete changes (``model.change()``) of a component
    with a continuous stock, so each one syncs and restarts the integrator — the kernel's
    expensive path, and the verdict. For context the detail also gives events that change no
    rate (a logged event each time, the stock integrating meanwhile)."""
    import simpy

    from rsi_sim.core import Component, Model

    n = 500 if quick else 5000
    dt = 0.01

    class Switcher(Component):
        name = "switcher"

        def build(self, model):
            super().build(model)
            self.g = 0.1
            model.add_stock("X", 1.0, unit="1", long_name="X", owner=self.name)

        def start(self):
            self.env.process(self.switching())

        def switching(self):
            for i in range(n):
                yield self.env.timeout(dt)
                with self.model.change():
                    self.g = 0.1 + 1e-3 * (i % 7)

        def rates(self, state):
            return {"X": self.g}

    class Logger(Switcher):
        def switching(self):
            for i in range(n):
                yield self.env.timeout(dt)
                self.model.log("tick", self.name, i=i)

    def bare():
        env = simpy.Environment()

        def proc(env):
            for _ in range(n):
                yield env.timeout(dt)

        env.process(proc(env))
        env.run()

    def model():
        Model([Switcher()], horizon=n * dt + dt).run()

    def logged():
        Model([Logger()], horizon=n * dt + dt).run()

    t_bare = min(repeat(bare, 5))
    t_model = min(repeat(model, 3))
    t_logged = min(repeat(logged, 3))
    ratio = t_bare / t_model
    return Result("P7", "model events/s vs bare SimPy timeouts, same schedule", "≥ 25%",
                  f"{ratio:.1%} ({n / t_model:,.0f} rate-changing events/s vs {n / t_bare:,.0f} bare); "
                  f"events that change no rate: {t_bare / t_logged:.0%} ({n / t_logged:,.0f}/s)",
                  ratio >= 0.25)


def p8_integrator(quick: bool) -> Result:
    """P8: the integrator on Jones growth (REFERENCE A.1) vs ``solve_ivp`` RK45 at rtol 1e-6 on
    the same equations: errors within A.1 and fewer right-hand-side evaluations."""
    from scipy.integrate import solve_ivp

    from rsi_sim.components.jones import JonesResearch
    from rsi_sim.core import Model
    from rsi_sim.scenario import load_scenario

    solver = load_scenario("scenarios/reference/jones.yaml").build_model().solver_options
    rng = np.random.default_rng(2026)
    n_cases = 5 if quick else 40
    ours = theirs = 0
    worst_ours = worst_theirs = 0.0
    worst_tstar = 0.0
    for _ in range(n_cases):
        delta, lam = rng.uniform(0.01, 2.0), rng.uniform(0.05, 1.5)
        k, a0 = rng.uniform(0.3, 3.0), rng.uniform(0.1, 100.0)
        comp = JonesResearch(delta=delta, lam=lam, phi=k - lam, A0=a0)
        t_star = comp.blowup_time()
        horizon = 1.5 * t_star if np.isfinite(t_star) else 50.0
        model = Model([comp], horizon=horizon, output_step=horizon / 200, solver=solver)
        calls = [0]
        rhs = model.kernel.rhs

        def counted(t, y, rhs=rhs, calls=calls):
            calls[0] += 1
            return rhs(t, y)

        model.kernel.rhs = counted
        ds = model.run()
        ours += calls[0]
        t = ds["time"].values - ds["time"].values[0]
        before = t <= (t_star * (1 - 1e-3) if np.isfinite(t_star) else horizon)
        exact = comp.closed_form(t[before])
        # NaN where the run stopped (A past 1e300) before t*(1 - 1e-3): compared where recorded
        worst_ours = max(worst_ours, float(np.nanmax(np.abs(ds["A"].values[before] / exact - 1))))
        if np.isfinite(t_star):
            worst_tstar = max(worst_tstar, abs(float(ds["divergence_time"]) / t_star - 1))
        with np.errstate(all="ignore"):
            sol = solve_ivp(lambda _t, a, d=delta, k=k: d * a**k, (0, horizon), [a0], method="RK45",
                            rtol=1e-6, dense_output=True)
        theirs += sol.nfev
        ok = t[before] <= sol.t[-1]
        if ok.any():
            with np.errstate(all="ignore"):
                err = np.abs(sol.sol(t[before][ok])[0] / exact[ok] - 1)
            worst_theirs = max(worst_theirs, float(np.nanmax(err)))
    passed = ours < theirs and worst_ours < 1e-4 and worst_tstar < 1e-3
    return Result(
        "P8", "integrator vs solve_ivp RK45 rtol 1e-6 (Jones A.1)",
        "A.1 errors, fewer RHS evaluations",
        f"{ours:,} vs {theirs:,} RHS evaluations over {n_cases} cases; max state error "
        f"{worst_ours:.1e} (solve_ivp {worst_theirs:.1e}); max t* error {worst_tstar:.1e}",
        passed)


FIGURES = {
    "P1": p1_baseline_run,
    "P2": p2_baseline_ensemble,
    "P3": p3_ai2027,
    "P4": p4_forethought,
    "P5": p5_dask_speedup,
    "P6": p6_streaming_memory,
    "P7": p7_event_throughput,
    "P8": p8_integrator,
    "P9": p9_app_redraw,
}


def scaling(quick: bool) -> list[tuple[str, str, str]]:
    """How cost grows: one baseline run against its horizon (and so its number of generations),
    and a kernel ensemble against samples and process workers. Rows of (what, size, time)."""
    import rsi_sim

    rows = []
    base = rsi_sim.load_scenario("scenarios/baseline.yaml")
    for end in (("2030", "2035") if quick else ("2030", "2035", "2040", "2045")):
        sc = base.with_overrides({"horizon": f"{end}-01-01"})
        ds = rsi_sim.run(sc)
        t = statistics.median(repeat(lambda sc=sc: rsi_sim.run(sc), 3 if quick else 7))
        rows.append(("baseline run to " + end, f"{int(ds['n_generations'])} generations, "
                     f"{ds.sizes['event']} events", f"{t * 1e3:.0f} ms"))
    path = "scenarios/reference/jones_ensemble.yaml"
    kw = {"overrides": {"horizon": "10 y"}, "engine": "processes"}
    for n, workers in (((20, 1), (40, 1), (40, 2)) if quick else ((250, 1), (500, 1), (500, 2))):
        t = repeat(lambda n=n, w=workers: _ensemble(path, n, workers=w, **kw), 1)[0]
        rows.append((f"Jones ensemble, {workers} process{'es' if workers > 1 else ''}",
                     f"{n} samples", f"{t:.1f} s ({n / t:.0f} samples/s)"))
    return rows


def run_all(only: list[str] | None, quick: bool) -> list[Result]:
    out = []
    for key, fn in FIGURES.items():
        if only and key not in only:
            continue
        t0 = time.perf_counter()
        res = fn(quick)
        res.detail = res.detail or f"took {time.perf_counter() - t0:.1f} s"
        out.append(res)
    return out


__all__ = ["FIGURES", "run_all", "spread"]
