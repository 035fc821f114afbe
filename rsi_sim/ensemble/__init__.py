"""Ensembles: distributions, samplers, batches, evaluators (sequential, processes, Dask),
streaming results and the reference-model runner; the random streams are those of
:mod:`rsi_sim.core.random`.

See docs/ensembles.md. The entry point is :func:`run_ensemble`.
"""

from .run import run_ensemble
from .store import open_ensemble

__all__ = ["open_ensemble", "run_ensemble"]
