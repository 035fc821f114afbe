"""Engines that evaluate batches of samples, behind one :class:`Evaluator` interface.

Every evaluator is a context manager with one method, :meth:`Evaluator.map`, which takes the
ensemble's :class:`~rsi_sim.ensemble.run.EnsembleJob` (sent to each worker once) and an iterator
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

import concurrent.futures as cf
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

from ..core.errors import RsiSimError

if TYPE_CHECKING:
    from .run import Batch, BatchResult, EnsembleJob

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
    from .run import evaluate_batch

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
                yield fut.result()


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
        self._client: Any = None
        self._cluster: Any = None

    def __enter__(self) -> DaskEvaluator:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise RsiSimError("the dask engine needs dask.distributed: pip install 'rsi_sim[dask]'") from None
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
    raise RsiSimError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
