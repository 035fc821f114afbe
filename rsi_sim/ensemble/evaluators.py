"""Engines that evaluate batches of samples, behind one :class:`Evaluator` interface.

Every evaluator is a context manager with one method, :meth:`Evaluator.map`, which takes the
ensemble's :class:`~rsi_sim.ensemble.batch.EnsembleJob` (sent to each worker once) and an iterator
of batches, and yields batch results as they finish (in any order). The result of a sample never
depends on the evaluator: it is fixed by the job and the sample index (see
:mod:`rsi_sim.ensemble.samplers`).

- :class:`SequentialEvaluator`: in this process (the default; no start-up cost).
- :class:`ProcessEvaluator`: a local process pool; the job is handed to each worker process once
  through the pool's initializer.
- :class:`DaskEvaluator`: ``dask.distributed``, on an existing scheduler (``address``) or a
  ``LocalCluster`` it starts and stops; the job is scattered to every worker once. Dask is
  imported only here, when this evaluator is entered.

At most a few batches per worker are in flight at any time, so memory stays flat however many
samples the ensemble has.
"""

from __future__ import annotations

import ast
import concurrent.futures as cf
import multiprocessing
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

from .._deps import require
from ..core.errors import RsiSimError, did_you_mean
from ..plugins import check_portable
from .batch import Batch, BatchResult, EnsembleJob, evaluate_batch

ENGINES = ("sequential", "processes", "dask")


class Evaluator(Protocol):
    """Evaluate batches of samples; use as ``with evaluator: evaluator.map(job, batches)``."""

    name: str
    workers: int

    def __enter__(self) -> Evaluator: ...

    def __exit__(self, *exc: Any) -> None: ...

    def map(self, job: EnsembleJob, batches: Iterable[Batch]) -> Iterator[BatchResult]:
        """Yield the result of every batch, in the order they finish."""
        ...


def _evaluate(job: EnsembleJob, batch: Batch) -> BatchResult:
    return evaluate_batch(job, batch)


class SequentialEvaluator:
    """Run every batch in this process, in order.

    >>> with SequentialEvaluator() as ev:
    ...     ev.workers
    1
    """

    name = "sequential"

    def __init__(self) -> None:
        self.workers = 1

    def __enter__(self) -> SequentialEvaluator:
        return self

    def __exit__(self, *exc: Any) -> None:
        pass

    def map(self, job: EnsembleJob, batches: Iterable[Batch]) -> Iterator[BatchResult]:
        for batch in batches:
            yield _evaluate(job, batch)


# ---- local processes ------------------------------------------------------------------------
class WorkerStartError(RsiSimError):
    """Worker processes cannot be started from here (a script without a ``__main__`` guard)."""


def unguarded_main_call() -> tuple[str, int] | None:
    """``(script, line)`` when the caller runs from the top level of the script being run
    (``__main__``) outside ``if __name__ == "__main__":``, else ``None``.

    Worker processes are started with ``spawn``, which imports the main script again in each
    worker: such a call would run again there, start workers of its own, and fail. Known up
    front, it is refused in one line before anything is written.
    """
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or not path:  # an interactive session or notebook: nothing is re-imported
        return None
    frame = sys._getframe(1)
    while frame is not None and not (frame.f_globals is vars(main)
                                     and frame.f_code.co_name == "<module>"):
        frame = frame.f_back
    if frame is None:
        return None
    line = frame.f_lineno
    try:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"), path)
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        return None
    for node in ast.walk(tree):
        if (isinstance(node, ast.If) and _is_main_test(node.test)
                and node.lineno <= line <= (node.end_lineno or node.lineno)):
            return None
    return str(path), line


def _is_main_test(test: ast.expr) -> bool:
    """``__name__ == "__main__"`` (either way round)."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1
            and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = [test.left, test.comparators[0]]
    return (any(isinstance(x, ast.Name) and x.id == "__name__" for x in sides)
            and any(isinstance(x, ast.Constant) and x.value == "__main__" for x in sides))


def check_can_start_workers(engine: str) -> None:
    """Refuse an engine whose worker processes would re-run the calling script."""
    if getattr(multiprocessing.current_process(), "_inheriting", False):
        # A worker re-importing the main script reached an ensemble call: stop it quietly
        # (the parent reports the problem once).
        raise SystemExit(1)
    found = unguarded_main_call()
    if found is not None:
        script, line = found
        raise WorkerStartError(
            f"{script}, line {line}: the {engine} engine starts worker processes that import "
            f"this script again, which would run this line again in each of them; put the "
            f"script's work under  if __name__ == \"__main__\":  (docs/ensembles.md), or use "
            f"engine=\"sequential\"")


_WORKER_JOB: Any = None


def _init_process(job: EnsembleJob) -> None:
    global _WORKER_JOB
    _WORKER_JOB = job


def _evaluate_in_process(batch: Batch) -> BatchResult:
    return _evaluate(_WORKER_JOB, batch)


class ProcessEvaluator:
    """A pool of local worker processes (``spawn`` start method, so it is safe with threads).

    Parameters
    ----------
    workers : number of processes (default: the number of CPUs).
    """

    name = "processes"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = int(workers or os.cpu_count() or 1)
        if self.workers < 1:
            raise RsiSimError(f"--workers must be at least 1; got {workers}")
        check_can_start_workers(self.name)
        self._pool: cf.ProcessPoolExecutor | None = None
        self._job_key: str | None = None

    def __enter__(self) -> ProcessEvaluator:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=exc[0] is None, cancel_futures=True)
            self._pool = None

    def _pool_for(self, job: EnsembleJob) -> cf.ProcessPoolExecutor:
        if self._pool is None or self._job_key != job.key:
            if self._pool is not None:
                self._pool.shutdown()
            self._pool = cf.ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_process, initargs=(job,))
            self._job_key = job.key
        return self._pool

    def map(self, job: EnsembleJob, batches: Iterable[Batch]) -> Iterator[BatchResult]:
        check_portable(job.components, self.name)
        pool = self._pool_for(job)
        limit = 2 * self.workers + 1
        pending: set[cf.Future] = set()
        todo = iter(batches)
        exhausted = False
        while True:
            while not exhausted and len(pending) < limit:
                batch = next(todo, None)
                if batch is None:
                    exhausted = True
                else:
                    pending.add(pool.submit(_evaluate_in_process, batch))
            if not pending:
                return
            done, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            for fut in done:
                try:
                    result = fut.result()
                except cf.process.BrokenProcessPool:
                    raise WorkerStartError(
                        "the worker processes stopped unexpectedly (killed, out of memory, or "
                        "a script that starts the ensemble outside  if __name__ == "
                        "\"__main__\":); finished samples are kept in a .zarr store for "
                        "--resume") from None
                yield result


# ---- Dask ------------------------------------------------------------------------------------
class DaskEvaluator:
    """``dask.distributed``: connect to a scheduler, or start a local cluster.

    Parameters
    ----------
    address : scheduler address such as ``tcp://10.0.0.5:8786``; workers there need rsi_sim
        installed. Without it, a ``LocalCluster`` of ``workers`` single-threaded processes is
        started on 127.0.0.1 and closed on exit.
    workers : size of the local cluster (default: the number of CPUs).
    """

    name = "dask"

    def __init__(self, address: str | None = None, workers: int | None = None) -> None:
        self.address = address
        self.workers = int(workers or os.cpu_count() or 1)
        if address is None:  # a local cluster spawns its worker processes from this script
            check_can_start_workers(self.name)
        self._client: Any = None
        self._cluster: Any = None

    def __enter__(self) -> DaskEvaluator:
        distributed = require("distributed", "the dask engine")
        Client, LocalCluster = distributed.Client, distributed.LocalCluster
        try:
            if self.address:
                self._client = Client(self.address, timeout="20s")
                self.workers = max(1, sum(w.get("nthreads", 1) for w in
                                          self._client.scheduler_info()["workers"].values()))
            else:
                self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1,
                                             processes=True, host="127.0.0.1",
                                             dashboard_address=None)
                self._client = Client(self._cluster)
        except OSError as exc:
            self.__exit__(None, None, None)
            raise RsiSimError(f"cannot reach the Dask scheduler at {self.address}: {exc}") from None
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def map(self, job: EnsembleJob, batches: Iterable[Batch]) -> Iterator[BatchResult]:
        from distributed import as_completed

        check_portable(job.components, self.name)
        client = self._client
        # Sent once to every worker; tasks refer to it by key, not by value.
        job_ref = client.scatter(job, broadcast=True, hash=False)
        limit = 2 * self.workers + 1
        todo = iter(batches)

        def submit(batch: Batch):
            return client.submit(_evaluate, job_ref, batch, pure=False,
                                 key=f"rsi-sim-batch-{job.key[:12]}-{batch.index}")

        first = [submit(b) for _, b in zip(range(limit), todo, strict=False)]
        if not first:
            return
        queue = as_completed(first)
        for fut in queue:
            result = fut.result()
            fut.release()
            nxt = next(todo, None)
            if nxt is not None:
                queue.add(submit(nxt))
            yield result


def make_evaluator(engine: str = "sequential", workers: int | None = None,
                   scheduler: str | None = None) -> Evaluator:
    """The evaluator for an engine name (``scheduler`` implies ``dask``).

    >>> make_evaluator("processes", workers=2).workers
    2
    """
    if scheduler:
        engine = "dask"
    if engine == "sequential":
        return SequentialEvaluator()
    if engine == "processes":
        return ProcessEvaluator(workers)
    if engine == "dask":
        return DaskEvaluator(scheduler, workers)
    raise RsiSimError(f"unknown engine {engine!r}{did_you_mean(engine, ENGINES)}; use one of "
                      f"{', '.join(ENGINES)}")
