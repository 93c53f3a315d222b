"""Where a sweep's points run. Each backend takes (key, experiment, config JSON) tasks and yields (key, Result)
as points finish, whatever the order; every point runs `run_point`, the CLI's run and CSV writer.

- local: a concurrent.futures process pool (spawn context) of `jobs` workers on this machine, each set up
  once by runtime.configure() (one torch thread; one thread per run, brainsim.parallel) with the experiment
  imported once: the start-up and import cost is paid per worker, not per point.
- ray: Ray tasks on an existing cluster (--address or RAY_ADDRESS); the brainsim package travels with the job
  (runtime_env py_modules), so the cluster's nodes need only the pinned requirements installed.

At most a few points per worker are in flight at once, so a killed sweep loses only those.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing as mp
import os
import signal
import time
from collections.abc import Iterable, Iterator

from brainsim import config as cfgmod
from brainsim import parallel, registry, runtime
from brainsim.config import ConfigError
from brainsim.export import csv_bytes
from brainsim.sweep.store import Result

Task = tuple[str, str, str]  # (key, experiment name, config JSON)
IN_FLIGHT_PER_WORKER = 2


def run_point(name: str, config_json: str) -> Result:
    """One point as `python -m brainsim run` runs it: each table's CSV bytes, or its error as one sentence."""
    from brainsim.workers import failure_sentence

    start = time.perf_counter()
    exp = registry.get(name)
    try:
        tables = exp.execute(cfgmod.from_json(exp.config, config_json))
        data = {table: csv_bytes(df) for table, df in tables.items()}
    except Exception as exc:  # recorded with the point; the sweep goes on
        return Result({}, str(exc) if isinstance(exc, ConfigError) else failure_sentence(exc), 0.0)
    return Result(data, None, time.perf_counter() - start)


def _init_worker(name: str) -> None:
    """A worker's one-time set-up: the CLI's process configuration and the experiment's imports. Ctrl-C is the
    parent's to handle (it stops submitting and keeps what finished); the worker ends its point quietly."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ[parallel.RUN_THREADS_ENV] = "1"  # the sweep keeps every core busy with whole points
    runtime.configure()
    registry.get(name)


def _ready() -> None:
    """A first task per worker: it makes the pool start every worker at once."""


def _task(task: Task) -> tuple[str, Result]:
    key, name, config_json = task
    return key, run_point(name, config_json)


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)


def run_local(tasks: Iterable[Task], jobs: int, name: str) -> Iterator[tuple[str, Result]]:
    """Run tasks on `jobs` spawned worker processes; yield (key, Result) as each finishes."""
    from brainsim.workers import _main_hidden  # a spawned worker must not re-run the app's page script

    pool = cf.ProcessPoolExecutor(jobs, mp_context=mp.get_context("spawn"), initializer=_init_worker, initargs=(name,))
    with _main_hidden():  # every worker starts now, one per submit while none is idle
        for _ in range(jobs):
            pool.submit(_ready)
    pending: dict[cf.Future, str] = {}
    todo = iter(tasks)
    try:
        while True:
            for task in todo:
                pending[pool.submit(_task, task)] = task[0]
                if len(pending) >= IN_FLIGHT_PER_WORKER * jobs:
                    break
            if not pending:
                return
            finished, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            for future in finished:
                del pending[future]
                yield future.result()  # a worker that died (BrokenProcessPool) stops the sweep: rerun resumes
    finally:
        pool.shutdown(wait=not pending, cancel_futures=True)


def ray_connect(address: str | None) -> bool:
    """Connect to the Ray cluster at `address` (or RAY_ADDRESS), shipping the brainsim package with the job;
    True when this call connected (the caller then disconnects), False when Ray was already connected."""
    import ray

    import brainsim

    if ray.is_initialized():
        return False
    package = os.path.dirname(os.path.abspath(brainsim.__file__))
    ray.init(
        address=address or os.environ.get("RAY_ADDRESS"),
        runtime_env={"py_modules": [package], "env_vars": {"BRAINSIM_THREADS": "1", parallel.RUN_THREADS_ENV: "1"}},
        logging_level="ERROR",
        log_to_driver=False,
    )
    return True


def _ray_task(task: Task) -> tuple[str, Result]:
    runtime.configure()
    return _task(task)


def run_ray(tasks: Iterable[Task], address: str | None) -> Iterator[tuple[str, Result]]:
    """Run tasks as Ray tasks (one CPU each); yield (key, Result) as each finishes."""
    import ray

    connected = ray_connect(address)
    remote = ray.remote(num_cpus=1, max_retries=1)(_ray_task)
    limit = max(2, IN_FLIGHT_PER_WORKER * int(ray.cluster_resources().get("CPU", 1)))
    pending: dict = {}
    todo = iter(tasks)
    try:
        while True:
            for task in todo:
                pending[remote.remote(task)] = task[0]
                if len(pending) >= limit:
                    break
            if not pending:
                return
            finished, _ = ray.wait(list(pending), num_returns=1)
            for ref in finished:
                del pending[ref]
                yield ray.get(ref)  # a lost worker or node stops the sweep: rerun resumes
    finally:
        for ref in pending:
            ray.cancel(ref, force=True)
        if connected:
            ray.shutdown()
