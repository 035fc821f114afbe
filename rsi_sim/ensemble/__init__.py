"""Ensembles: samplers, seeding, evaluators (sequential, processes, Dask) and streaming results.

See docs/ensembles.md. The entry point is :func:`run_ensemble`.
"""

from .run import run_ensemble
from .store import open_ensemble

__all__ = ["open_ensemble", "run_ensemble"]
