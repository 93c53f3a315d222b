"""Experiment runs in worker processes shared by every session of the app, so that one session's run
never holds the other sessions' pages behind one interpreter lock.

    job = workers.submit(name, config_json)   # an equal run already in flight is shared, not repeated
    while not job.wait(0.2):
        fraction, message = job.progress()
        rows = job.live_rows()                # the live curve so far (brainsim.live), when the run sends one
    tables = job.result()                     # or ConfigError / RunFailed: one sentence
    job.release()                             # this waiter is gone; the last one cancels the run

Workers are spawned processes (never forked from a server full of threads), each set up by
`runtime.configure()` (one torch thread), importing an experiment on its first run there. A worker runs exactly what
the CLI runs, `Experiment.execute` on the config parsed from the same JSON, so the tables are the same
bytes as `python -m brainsim run`. Progress comes back through one queue that a listener thread drains;
cancelling sets a flag the worker's progress callback checks (a run that has not started is simply
dropped). BRAINSIM_WORKERS sets how many workers (default: os.cpu_count()); 0, or a pool that cannot
start, runs jobs on threads of this process instead: the same code, with one interpreter lock.

Files a config names by an upload token live in this process's upload store (textio.UPLOADS): they travel
with the job, and the worker reads them through the app's reader, which refuses any other server path.
"""

from __future__ import annotations

import atexit
import concurrent.futures as cf
import contextlib
import itertools
import logging
import multiprocessing as mp
import os
import queue
import sys
import threading
import time
import traceback
import types

from brainsim import config as cfgmod
from brainsim import registry, runtime, textio
from brainsim.config import ConfigError

WORKERS_ENV = "BRAINSIM_WORKERS"
CANCEL_SLOTS = 4096  # a cancelled job's id is written to slot id % CANCEL_SLOTS
LIVE_S = 0.2  # seconds between a worker's batches of live-curve rows (the page redraws at least twice a second)
MAX_LIVE_ROWS = 20_000  # live rows kept per job in flight (bounded memory); a longer curve stops growing
_LOG = logging.getLogger(__name__)


class Cancelled(Exception):
    """Nobody waits for this run any more."""


class RunFailed(RuntimeError):
    """A run that failed inside the model or its worker; the message is one sentence."""


def failure_sentence(exc: BaseException) -> str:
    """One sentence for an unexpected exception inside a run (its type and first words, never a traceback)."""
    if isinstance(exc, MemoryError):
        return "The run ran out of memory; choose smaller settings."
    text = " ".join(str(exc).split())
    text = text if len(text) <= 160 else text[:157] + "..."
    return f"The run failed ({type(exc).__name__}{': ' + text if text else ''})."


def worker_count() -> int:
    """How many worker processes: BRAINSIM_WORKERS, else one per CPU."""
    text = os.environ.get(WORKERS_ENV, "").strip()
    try:
        return max(0, int(text)) if text else max(1, os.cpu_count() or 1)
    except ValueError:
        return max(1, os.cpu_count() or 1)


# --------------------------------------------------------------------------- the worker's side

_SINK = None  # where progress goes: the pool's queue in a worker process, a local queue for threads
_CANCELLED = None  # job id per slot, set when a job is cancelled
_IN_PROCESS_WORKER = False


def _init_worker(sink, cancelled) -> None:
    """A worker process starts with the CLI's set-up (torch imported); an experiment is imported on its first
    run there, so a worker holds only the experiments it has run."""
    global _SINK, _CANCELLED, _IN_PROCESS_WORKER
    _SINK, _CANCELLED, _IN_PROCESS_WORKER = sink, cancelled, True
    runtime.configure()


def execute(name: str, config_json: str, progress=None):
    """Parse the config and run it as the CLI does; every failure becomes ConfigError or RunFailed."""
    runtime.configure()  # done by a worker process's start; here for runs on the server's own threads
    exp = registry.get(name)
    try:
        return exp.execute(cfgmod.from_json(exp.config, config_json), progress=progress)
    except (ConfigError, Cancelled):
        raise
    except Exception as exc:  # a failure inside the model: one sentence here, the traceback in the server's log
        _LOG.error("run of %s failed:\n%s", name, traceback.format_exc())
        raise RunFailed(failure_sentence(exc)) from None


def _work(
    job_id: int,
    name: str,
    config_json: str,
    files: tuple[tuple[str, bytes], ...],
    folder: str | None = None,
    figures: bool = False,
):
    """One job in a worker: files from uploads, the app's reader, progress that also checks for a cancel.
    Returns (tables, the page's figures as plain JSON when asked for, else None)."""
    textio.serve_app_files()  # a worker reads uploads and the data folder only, as the app's script does
    if _IN_PROCESS_WORKER and folder is None:  # the server's data folder as it is now, not at the worker's start
        os.environ.pop(textio.DATA_DIR_ENV, None)
    elif _IN_PROCESS_WORKER:
        os.environ[textio.DATA_DIR_ENV] = folder
    if _IN_PROCESS_WORKER:  # this process's own upload store: just the files this job needs
        textio.UPLOADS = textio.UploadStore()
        for file_name, data in files:
            textio.UPLOADS.put(file_name, data)
    slot, last, rows_due, sent_at = job_id % CANCEL_SLOTS, [-1.0], [], [0.0]

    def progress(fraction: float, message: str, rows=None) -> None:
        """Also takes a live curve's rows (brainsim.live.report): buffered, sent at most every LIVE_S."""
        if _CANCELLED[slot] == job_id:
            raise Cancelled()
        fraction = min(max(float(fraction), 0.0), 1.0)
        if rows:
            rows_due.extend(rows)
        now = time.perf_counter()
        if fraction - last[0] >= 0.01 or fraction >= 1.0 or (rows_due and now - sent_at[0] >= LIVE_S):
            last[0], sent_at[0] = fraction, now
            _SINK.put((job_id, fraction, str(message)[:200], tuple(rows_due)))
            rows_due.clear()

    progress.live = True  # brainsim.live.report sends this callback the live curve's rows

    if _CANCELLED[slot] == job_id:
        raise Cancelled()
    tables = execute(name, config_json, progress)
    if not figures:
        return tables, None
    from brainsim import figspecs  # plotly: imported by the workers that build pages, not by a sweep's

    return tables, figspecs.page_figures(name, config_json, tables)


# --------------------------------------------------------------------------- the server's side


class Job:
    """A run in flight, shared by every session that asked for the same (experiment, config JSON)."""

    def __init__(self, key: tuple[str, str], job_id: int, future: cf.Future):
        self.key, self.id, self.future, self.waiters = key, job_id, future, 1

    def wait(self, timeout: float) -> bool:
        """True once the run has finished (or failed), after waiting at most `timeout` seconds."""
        try:
            self.future.exception(timeout=timeout)
        except (cf.TimeoutError, cf.CancelledError):
            pass
        return self.future.done()

    def progress(self) -> tuple[float, str]:
        if not self.future.running() and not self.future.done():
            return 0.0, "Waiting for a free worker (other runs are ahead)"
        return _PROGRESS.get(self.id, (0.0, "Starting"))

    def live_rows(self) -> list[tuple]:
        """The live curve's rows received so far (brainsim.live): (learner, x, y) each."""
        with _LOCK:
            return list(_LIVE.get(self.id, ()))

    def result(self):
        """The tables; raises ConfigError or RunFailed (one sentence) when the run failed."""
        return self._outcome()[0]

    def figures(self) -> list | None:
        """The page's figures as plain JSON (brainsim.figspecs), when the job was asked for them; else None."""
        return self._outcome()[1]

    def _outcome(self):
        try:
            return self.future.result()
        except (ConfigError, RunFailed):
            raise
        except cf.process.BrokenProcessPool:
            _reset_pool()
            raise RunFailed("The worker running this stopped unexpectedly (out of memory?); try again.") from None
        except (cf.CancelledError, Cancelled):
            raise RunFailed("The run was cancelled; run it again.") from None
        except Exception as exc:
            raise RunFailed(failure_sentence(exc)) from None

    def release(self) -> None:
        """This waiter no longer needs the run: the last one to leave cancels it (queued or running)."""
        with _LOCK:
            self.waiters -= 1
            if self.waiters > 0:
                return
            if _JOBS.get(self.key) is self:
                del _JOBS[self.key]
            _PROGRESS.pop(self.id, None)
            _LIVE.pop(self.id, None)
            if not self.future.done() and not self.future.cancel() and _CANCELLED is not None:
                _CANCELLED[self.id % CANCEL_SLOTS] = self.id


_LOCK = threading.Lock()
_JOBS: dict[tuple[str, str], Job] = {}
_PROGRESS: dict[int, tuple[float, str]] = {}
_LIVE: dict[int, list[tuple]] = {}  # job id -> live-curve rows so far
_IDS = itertools.count(1)
_POOL: cf.Executor | None = None
_MODE = ""  # "processes" or "threads", once a pool exists


def mode() -> str:
    """'processes' or 'threads': where runs go (starts the pool if needed)."""
    with _LOCK:
        _pool()
        return _MODE


def submit(name: str, config_json: str, figures: bool = False) -> Job:
    """Start (or join) the run of `name` with this config JSON; returns its Job. With `figures`, the worker
    also builds the page's figures after the run (a joined job keeps what its first submitter asked for)."""
    key = (name, config_json)
    with _LOCK:
        job = _JOBS.get(key)
        if job is not None and not job.future.done():
            job.waiters += 1
            return job
        job_id = next(_IDS)
        files = _upload_files(name, config_json) if _MODE != "threads" else ()
        try:
            future = _pool().submit(_work, job_id, name, config_json, files, textio.data_folder(), figures)
        except (cf.process.BrokenProcessPool, RuntimeError):  # a pool broken or shut down: start a fresh one
            _reset_pool(locked=True)
            files = _upload_files(name, config_json)
            future = _pool().submit(_work, job_id, name, config_json, files, textio.data_folder(), figures)
        job = _JOBS[key] = Job(key, job_id, future)
        return job


def _upload_files(name: str, config_json: str) -> tuple[tuple[str, bytes], ...]:
    """(name, bytes) of each uploaded file the config names, for a worker process's own upload store."""
    exp = registry.get(name)
    try:
        cfg = cfgmod.from_json(exp.config, config_json)
    except ConfigError:
        return ()  # the worker says what is wrong
    out = []
    for spec in cfgmod.specs(exp.config):
        value = getattr(cfg, spec.name)
        if spec.widget == "file" and isinstance(value, str) and textio.upload_name(value.strip()):
            try:
                out.append(textio.app_files(value.strip(), textio.MAX_FILE_BYTES, spec.name))
            except ConfigError:
                pass  # an upload the server no longer holds: the worker's reader says so
    return tuple(out)


def _pool() -> cf.Executor:
    """The shared executor (call with _LOCK held): worker processes, or threads when they cannot start."""
    global _POOL, _MODE, _SINK, _CANCELLED
    if _POOL is not None:
        return _POOL
    n = worker_count()
    if n > 0:
        try:
            ctx = mp.get_context("spawn")
            sink, cancelled = ctx.Queue(), ctx.Array("q", CANCEL_SLOTS, lock=False)
            _POOL = cf.ProcessPoolExecutor(n, mp_context=ctx, initializer=_init_worker, initargs=(sink, cancelled))
            with _main_hidden():  # all n workers start now (one per submit while none is idle)
                for _ in range(n):
                    _POOL.submit(_ready)
            _SINK, _CANCELLED, _MODE = sink, cancelled, "processes"
        except (OSError, ValueError, ImportError) as exc:
            _LOG.warning("worker processes could not start (%s); running on threads", exc)
    if _POOL is None:
        _SINK, _CANCELLED, _MODE = queue.SimpleQueue(), [0] * CANCEL_SLOTS, "threads"
        _POOL = cf.ThreadPoolExecutor(max(1, os.cpu_count() or 1), thread_name_prefix="brainsim-run")
    threading.Thread(target=_listen, args=(_SINK,), name="brainsim-progress", daemon=True).start()
    return _POOL


def _ready() -> None:
    """A first task per worker: it makes the pool start every worker at once."""


def busy() -> bool:
    """True while any run is in flight."""
    with _LOCK:
        return any(not job.future.done() for job in _JOBS.values())


def on_every_worker(fn, *args) -> list[cf.Future]:
    """Submit fn(*args) once per worker process (each takes one copy while the others are busy with theirs);
    no futures when runs go to this process's threads."""
    with _LOCK:
        pool, processes = _pool(), _MODE == "processes"
    return [pool.submit(fn, *args) for _ in range(worker_count())] if processes else []


@contextlib.contextmanager
def _main_hidden():
    """A spawned child re-runs its parent's __main__ module; in the app that is Streamlit's page script
    (app.py, or AppTest's script), which must never run in a worker. Hide it while the workers start."""
    saved = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = saved


def _listen(sink) -> None:
    """Drain the progress queue into _PROGRESS (job id -> latest fraction and message) and _LIVE (its rows)."""
    while True:
        try:
            job_id, fraction, message, rows = sink.get()
        except (EOFError, OSError, ValueError):  # the pool's queue was closed
            return
        with _LOCK:
            if any(job.id == job_id for job in _JOBS.values()):
                _PROGRESS[job_id] = (fraction, message)
                if rows:
                    kept = _LIVE.setdefault(job_id, [])
                    kept.extend(rows[: max(0, MAX_LIVE_ROWS - len(kept))])


@atexit.register
def _close_at_exit() -> None:
    """Let go of the pool while the interpreter is whole: dropped later, during its teardown, the pool's
    clean-up callback finds the multiprocessing module gone and prints a traceback on every exit."""
    global _POOL
    with _LOCK:
        pool, _POOL = _POOL, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def _reset_pool(locked: bool = False) -> None:
    """Forget a broken pool; the next submit starts a fresh one."""
    global _POOL
    if not locked:
        with _LOCK:
            return _reset_pool(locked=True)
    if _POOL is not None:
        _POOL.shutdown(wait=False, cancel_futures=True)
    _POOL = None
