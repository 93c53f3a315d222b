"""A run's independent networks on several threads (brainsim.parallel): results in the jobs' order, errors
and cancels that stop the run, one serialised progress bar, and the same CSV bytes as one thread."""

from __future__ import annotations

import threading
import time

import pytest
import torch

from brainsim import parallel, registry
from brainsim.export import TIMING_TABLES, csv_bytes
from brainsim.workers import Cancelled


@pytest.mark.parametrize(("raw", "expected"), [("1", 1), ("3", 3), ("0", 2), ("two", 2), ("", 2)])
def test_run_threads_reads_the_environment(monkeypatch, raw, expected):
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 8)
    monkeypatch.setenv(parallel.RUN_THREADS_ENV, raw)
    assert parallel.run_threads() == expected


def test_a_one_core_machine_runs_one_job_at_a_time(monkeypatch):
    monkeypatch.delenv(parallel.RUN_THREADS_ENV, raising=False)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 1)
    assert parallel.run_threads() == 1


def test_results_keep_the_jobs_order_whatever_order_they_start_and_finish(monkeypatch):
    monkeypatch.setenv(parallel.RUN_THREADS_ENV, "2")
    started, threads = [], set()

    def job(k: int) -> int:
        started.append(k)
        threads.add(threading.current_thread().name)
        time.sleep(0.02 * (5 - k))  # the first jobs finish last
        return k * k

    assert parallel.map_jobs(job, range(5), cost=[1, 2, 3, 4, 5]) == [0, 1, 4, 9, 16]
    assert started[:2] == [4, 3]  # the dearest jobs start first
    assert len(threads) == 2 and all(name.startswith("brainsim-run") for name in threads)


def test_one_thread_runs_the_jobs_in_order_on_the_callers_thread(monkeypatch):
    monkeypatch.setenv(parallel.RUN_THREADS_ENV, "1")
    seen = []
    assert parallel.map_jobs(lambda k: seen.append(threading.current_thread()) or k, range(3)) == [0, 1, 2]
    assert seen == [threading.current_thread()] * 3


def test_a_failing_job_stops_the_run_and_jobs_not_started_never_run(monkeypatch):
    monkeypatch.setenv(parallel.RUN_THREADS_ENV, "2")
    ran = []

    def job(k: int) -> int:
        ran.append(k)
        if k == 0:
            raise ValueError("job 0 failed")
        time.sleep(0.05)
        return k

    with pytest.raises(ValueError, match="job 0 failed"):
        parallel.map_jobs(job, range(40))
    assert len(ran) < 10


def test_a_caller_that_stops_early_starts_no_more_jobs(monkeypatch):
    monkeypatch.setenv(parallel.RUN_THREADS_ENV, "2")
    ran = []
    results = parallel.imap_jobs(lambda k: ran.append(k) or time.sleep(0.02) or k, range(40))
    assert next(results) == 0
    results.close()
    assert len(ran) < 10


def test_pool_threads_flush_subnormal_floats_as_the_runs_main_thread_does(monkeypatch):
    """Flushing subnormals is a per-thread CPU setting; the memory page's bytes depend on it."""
    monkeypatch.setenv(parallel.RUN_THREADS_ENV, "2")
    tiny = torch.tensor([1e-39])  # subnormal in float32
    assert parallel.map_jobs(lambda _: float(tiny * 1.0), range(4)) == [0.0] * 4


def test_shared_progress_is_one_weighted_serialised_bar():
    calls, inside = [], [0]

    def progress(fraction, message, rows=None):
        inside[0] += 1
        assert inside[0] == 1, "two jobs reported at the same time"
        time.sleep(0.001)
        calls.append((round(fraction, 6), message, rows))
        inside[0] -= 1

    progress.live = True
    shared = parallel.SharedProgress(progress, cost=[1, 3], start=0.0, end=0.8)
    first, second = shared.job(0), shared.job(1)
    assert first.live and second.live
    first(1.0, "a done", [("a", 1, 0.5)])
    second(0.5, "b half")
    assert calls == [(0.2, "a done", [("a", 1, 0.5)]), (0.5, "b half", None)]  # 0.8 * 1/4, 0.8 * (1 + 1.5)/4

    calls.clear()
    jobs = [shared.job(j % 2) for j in range(8)]
    threads = [threading.Thread(target=lambda r=r: [r(i / 50, "step") for i in range(51)]) for r in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 8 * 51


def test_rows_go_only_to_a_callback_that_takes_them():
    calls = []
    shared = parallel.SharedProgress(lambda fraction, message: calls.append((fraction, message)), cost=[1])
    report = shared.job(0)
    assert not report.live
    report(0.5, "half", [("a", 1, 0.5)])
    assert calls == [(0.5, "half")]
    parallel.SharedProgress(None, cost=[1]).job(0)(0.5, "nobody listens")  # no callback: nothing to do


def test_a_cancel_raised_by_the_progress_callback_ends_the_run(monkeypatch):
    """The app cancels a run by raising from its progress callback (every call, once the run is cancelled):
    every job stops at its next report."""
    monkeypatch.setenv(parallel.RUN_THREADS_ENV, "2")
    exp = registry.get("working_memory")
    cfg = exp.config(seeds=2, delays=(2, 4), steps=200, learners=("rnn", "gru"), hidden=8)
    calls = []

    def progress(fraction, message, rows=None):
        calls.append(fraction)
        if len(calls) >= 5:
            raise Cancelled()

    with pytest.raises(Cancelled):
        exp.run(cfg, progress)
    assert len(calls) <= 6, "a job went on reporting after the cancel"


RUNS = {
    "working_memory": dict(seeds=2, delays=(3, 6), steps=30, learners=("feedforward", "rnn", "gru", "fast weights")),
    "overfitting": dict(seeds=2, epochs=4, n_train=60, sweep="width", sweep_widths=(4, 16)),
}


@pytest.mark.parametrize("name", sorted(RUNS))
def test_two_threads_give_the_same_bytes_as_one(monkeypatch, name):
    exp = registry.get(name)
    cfg = exp.config(**RUNS[name])
    tables = {}
    for threads in ("1", "2"):
        monkeypatch.setenv(parallel.RUN_THREADS_ENV, threads)
        fractions = []
        tables[threads] = exp.run(cfg, lambda f, m, rows=None, fractions=fractions: fractions.append(f))
        assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0), "the bar went back or stopped"
    one, two = tables["1"], tables["2"]
    assert one.keys() == two.keys()
    for table in one:
        if table not in TIMING_TABLES:
            assert csv_bytes(one[table]) == csv_bytes(two[table]), f"{name}/{table} depends on the thread count"


def test_the_cold_run_benchmark_times_one_thread_against_the_default(capsys, monkeypatch):
    """`make bench`'s cold-run table, briefly: one page, both columns, the environment left as it was."""
    from benchmarks import bench_latency

    monkeypatch.delenv(parallel.RUN_THREADS_ENV, raising=False)
    bench_latency.cold_runs(["xor"])
    (row,) = [line.split() for line in capsys.readouterr().out.splitlines() if line.startswith("xor ")]
    one, one_cpu, default, cpu, threads = (float(v) for v in row[1:6])
    assert min(one, one_cpu, default, cpu) > 0 and threads == parallel.run_threads()
    assert row[-1] == "met" and (row[-2] == "not") == (default > bench_latency.COLD_TARGET_S)
    assert parallel.RUN_THREADS_ENV not in parallel.os.environ
