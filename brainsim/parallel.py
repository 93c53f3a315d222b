"""Independent parts of one run, trained at the same time on the machine's cores.

A run often trains several networks that share nothing: one per seed, delay or learner, each drawing
from its own generator streams. `map_jobs` runs such jobs on a few threads and returns their results in
the jobs' order, so the tables are the same bytes as a run that trains them one after another. Threads,
not processes: torch and numpy release the interpreter lock inside their kernels, the jobs share the
run's data without copying, and the CPU cost per op stays one intra-op thread (runtime.configure), which
is what keeps float sums, hence bytes, reproducible. Measured on the working-memory page's 18 networks
(2 cores): 17.0 s one at a time, 9.8 s on two threads, every number identical.

Two rules for a job: it draws only from its own generators (never global random state), and it reports
progress only through the callback `SharedProgress.job` gives it, which serialises the calls.
BRAINSIM_RUN_THREADS sets how many threads a run may use (default: 2, or 1 on a one-core machine); a sweep's
workers set it to 1, since the sweep already keeps every core busy with whole runs."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import CancelledError, ThreadPoolExecutor
from typing import TypeVar

from brainsim import live, runtime

RUN_THREADS_ENV = "BRAINSIM_RUN_THREADS"
T = TypeVar("T")
R = TypeVar("R")


def run_threads() -> int:
    """Threads one run may train on: BRAINSIM_RUN_THREADS, else 2 (1 on a one-core machine)."""
    raw = os.environ.get(RUN_THREADS_ENV, "")
    if raw.strip().isdigit() and int(raw) >= 1:
        return int(raw)
    return min(2, os.cpu_count() or 1)


def map_jobs(fn: Callable[[T], R], jobs: Iterable[T], cost: Sequence[float] | None = None) -> list[R]:
    """[fn(job) for job in jobs], with up to run_threads() jobs at a time (imap_jobs)."""
    return list(imap_jobs(fn, jobs, cost))


def imap_jobs(fn: Callable[[T], R], jobs: Iterable[T], cost: Sequence[float] | None = None) -> Iterator[R]:
    """fn(job) for each job, yielded in the jobs' order as soon as each is done, with up to run_threads()
    jobs in flight: the caller can turn job 0's result into rows (and live-curve points) while job 1 still
    trains. `cost` (one number per job) starts the dearest jobs first, so two threads finish together rather
    than one waiting on a long last job. An exception in a job (a cancelled run, say) is raised here; from
    the moment it happens no job starts, and the ones in flight are waited for before it propagates."""
    jobs = list(jobs)
    n = min(run_threads(), len(jobs))
    if n <= 1:
        yield from (fn(job) for job in jobs)
        return
    order = sorted(range(len(jobs)), key=lambda j: -cost[j]) if cost is not None else range(len(jobs))
    with ThreadPoolExecutor(n, thread_name_prefix="brainsim-run", initializer=runtime.configure_thread) as pool:
        futures = {j: pool.submit(fn, jobs[j]) for j in order}

        failures: list[BaseException] = []

        def stop_on_error(future) -> None:  # a job failed: start no other
            if not future.cancelled() and future.exception() is not None:
                failures.append(future.exception())
                for other in futures.values():
                    other.cancel()

        for future in futures.values():
            future.add_done_callback(stop_on_error)
        try:
            for j in range(len(jobs)):
                try:
                    result = futures[j].result()
                except CancelledError:  # dropped because another job failed: that failure is the run's
                    raise failures[0] from None
                yield result
        finally:  # an error, or a caller that stopped early: start nothing more
            for future in futures.values():
                future.cancel()


class SharedProgress:
    """One progress bar for jobs running at once: job j reports its own fraction done, and the bar shows
    the cost-weighted sum, mapped onto [start, end] of the run's bar. Calls are serialised (the app's
    callback buffers rows and checks for a cancel; it is not written for two threads at once)."""

    def __init__(self, progress, cost: Sequence[float], start: float = 0.0, end: float = 1.0):
        self._progress, self._cost, self._start, self._end = progress, list(cost), start, end
        self._done = [0.0] * len(self._cost)
        self._lock = threading.Lock()
        self.live = bool(getattr(progress, "live", False))

    def job(self, j: int) -> Callable:
        """Job j's callback: report(fraction, message, rows=None), rows as brainsim.live.report takes them."""

        def report(fraction: float, message: str, rows=None) -> None:
            if self._progress is None:
                return
            with self._lock:
                self._done[j] = min(max(float(fraction), 0.0), 1.0)
                total = sum(c * d for c, d in zip(self._cost, self._done)) / max(sum(self._cost), 1e-12)
                live.report(self._progress, self._start + (self._end - self._start) * total, message, rows)

        report.live = self.live
        return report
