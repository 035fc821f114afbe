"""rsi_sim: simulate recursive self-improvement of AI as a discrete-event simulation.

>>> import rsi_sim
>>> ds = rsi_sim.run(rsi_sim.load_scenario("scenarios/reference/jones.yaml"))
>>> bool(ds["diverged"]), round(float(ds["divergence_time"]), 3)
(True, 25.0)

The names below are imported on first use (PEP 562), so ``import rsi_sim`` and the command line
start without loading xarray and scipy: a Ctrl-C while they load ends the command cleanly.
"""

from ._lazy import lazy_getattr

__version__ = "0.1.0"

_EXPORTS = {
    "Scenario": ".scenario",
    "compare": ".analysis.compare",
    "load_scenario": ".scenario",
    "load_plugins": ".plugins",
    "open_ensemble": ".ensemble",
    "register_component": ".plugins",
    "run": ".api",
    "run_ensemble": ".ensemble",
    "sensitivity": ".analysis.sensitivity",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


__getattr__ = lazy_getattr(__name__, globals(), _EXPORTS)


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
