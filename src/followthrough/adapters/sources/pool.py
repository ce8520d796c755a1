"""Parsing many documents on every core this process may use.

A cold scan of a large tree is CPU-bound Python: one process parses about one document at a
time per core. `ParsePool` hands batches of documents to worker processes started from a
clean fork server (never forked from a worker that runs threads) and gives the results back
in the order asked. Small batches are parsed in this process: starting workers costs more
than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Generic, TypeVar

Job = TypeVar("Job")
Result = TypeVar("Result")

# Below this many documents to parse, the workers' start-up outweighs the gain.
POOL_FROM = 64
# Documents sent to a worker at a time: enough to amortise the hand-over, few enough that
# every worker gets a share of a window.
_CHUNK = 16


def available_cores() -> int:
    """Cores this process may run on: CPU affinity, capped by a cgroup v2 CPU quota.

    In a container the machine's core count says nothing about the CPU limit; the quota in
    ``/sys/fs/cgroup/cpu.max`` (e.g. ``200000 100000`` for two cores) does.
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        cores = os.cpu_count() or 1
    quota = _cgroup_quota(Path("/sys/fs/cgroup/cpu.max"))
    if quota is not None:
        cores = min(cores, quota)
    return max(cores, 1)


def _cgroup_quota(path: Path) -> int | None:
    try:
        limit, period = path.read_text().split()[:2]
    except (OSError, ValueError):
        return None
    if limit == "max":
        return None
    try:
        return max(1, -(-int(limit) // int(period)))  # a part of a core counts as one
    except (ValueError, ZeroDivisionError):
        return None


class ParsePool(Generic[Job, Result]):
    """Runs ``work`` over batches of jobs, in worker processes when a batch is large.

    What a worker returns crosses the process boundary and is turned back into a result by
    ``receive`` (e.g. plain tuples that pickle fast back into objects). ``setup`` runs once in each worker with ``setup_args`` before any job; ``work`` must be a
    module-level function (workers import it by name). A pool whose worker died (killed, out
    of memory) is replaced by parsing the batch here: no document is lost.
    """

    def __init__(
        self,
        work: Callable[[Job], Any],
        *,
        receive: Callable[[Any], Result],
        workers: int,
        setup: Callable[..., None] | None = None,
        setup_args: tuple[Any, ...] = (),
        pool_from: int = POOL_FROM,
    ) -> None:
        self._work = work
        self._receive = receive
        self._workers = workers
        self._setup = setup
        self._setup_args = setup_args
        self._pool_from = pool_from
        self._executor: ProcessPoolExecutor | None = None
        self.used_workers = False  # whether the last batch went to the workers

    def run(self, jobs: Sequence[Job], local: Callable[[Job], Result]) -> list[Result]:
        """Results of ``jobs`` in order: by the workers, or by ``local`` in this process."""
        self.used_workers = False
        if self._workers < 2 or len(jobs) < self._pool_from:
            return [local(job) for job in jobs]
        try:
            executor = self._start()
            sent = list(executor.map(self._work, jobs, chunksize=_CHUNK))
        except (BrokenProcessPool, OSError):  # a worker died, or none could be started
            self.close()
            return [local(job) for job in jobs]
        self.used_workers = True
        return [self._receive(result) for result in sent]

    def _start(self) -> ProcessPoolExecutor:
        if self._executor is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload([self._work.__module__])
            self._executor = ProcessPoolExecutor(
                max_workers=self._workers,
                mp_context=context,
                initializer=self._setup,
                initargs=self._setup_args,
            )
        return self._executor

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
