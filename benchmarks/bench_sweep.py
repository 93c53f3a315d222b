"""Sweep throughput: a 32-point sweep of a cheap experiment (xor, 8 hidden widths x 4 seeds, 5 epochs, one
seed per run), run into a fresh folder each time:

- in this process, one point after another (run_point: the run and its CSV bytes, no worker): the reference;
- the local backend with 1 and with 2 worker processes (spawn, one torch thread each), start-up included;
- the Ray backend on a head started here on loopback with 2 CPUs (skipped when ray is not installed).

Prints points/s of each, the 2-worker speed-up over 1, each backend's efficiency against the in-process
reference, and Ray's overhead per point against the local backend with as many workers, all measured in
this run.

    python -m benchmarks.bench_sweep        (or: python -m benchmarks sweep)
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from brainsim import config as cfgmod  # noqa: E402
from brainsim import registry, runtime  # noqa: E402
from brainsim.sweep import backends, grid, runner  # noqa: E402

NAME, POINTS = "xor", 32
SETTINGS = {"epochs": 5, "seeds": 1}
GRID = ["hidden=1:8:8"]
SEEDS = 4


def points() -> list[grid.Point]:
    exp = registry.get(NAME)
    base = cfgmod.make(exp.config, SETTINGS)
    return grid.expand(NAME, exp.config, base, grid.parse_grid(exp.config, GRID), seeds=SEEDS)


def timed_sweep(**kw) -> float:
    """Wall seconds of the whole sweep into a fresh folder (worker start-up included)."""
    out = tempfile.mkdtemp(prefix="bench_sweep_")
    try:
        start = time.perf_counter()
        report = runner.run_sweep(NAME, points(), out, **kw)
        took = time.perf_counter() - start
        assert report.ran == POINTS and report.failed == 0, report
        return took
    finally:
        shutil.rmtree(out, ignore_errors=True)


def in_process() -> float:
    registry.get(NAME).run(cfgmod.make(registry.get(NAME).config, SETTINGS))  # imports and first-call costs
    start = time.perf_counter()
    for p in points():
        assert backends.run_point(NAME, p.config_json).ok
    return time.perf_counter() - start


def ray_head():
    """(address, stop) of a 2-CPU Ray head on loopback, or None when ray is not installed."""
    ray = shutil.which("ray", path=os.path.dirname(sys.executable))
    if ray is None:
        return None
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    cmd = [ray, "start", "--head", "--node-ip-address", "127.0.0.1", "--port", str(port), "--num-cpus", "2"]
    cmd += ["--include-dashboard", "false", "--disable-usage-stats", "--temp-dir", f"/tmp/ray-{port}"]
    subprocess.run(cmd, check=True, capture_output=True, env=env, timeout=180)

    def stop():
        subprocess.run([ray, "stop", "--force"], capture_output=True, env=env, timeout=120)
        shutil.rmtree(f"/tmp/ray-{port}", ignore_errors=True)

    return f"127.0.0.1:{port}", stop


def main() -> None:
    runtime.configure()
    assert len(points()) == POINTS
    ref = in_process()
    one = timed_sweep(jobs=1)
    two = timed_sweep(jobs=2)
    print(f"{NAME} sweep of {POINTS} points ({', '.join(GRID)}, {SEEDS} seeds, {SETTINGS}):")
    print(f"  in this process, one after another: {POINTS / ref:6.2f} points/s ({ref / POINTS * 1000:.0f} ms a point)")
    for label, took in (("local, 1 worker  ", one), ("local, 2 workers ", two)):
        print(f"  {label}: {POINTS / took:6.2f} points/s, {took:.1f} s in all, efficiency {ref / took:.2f} x ref")
    print(f"  2 workers vs 1: {one / two:.2f}x the points/s (ideal 2.0 on 2 idle cores)")
    head = ray_head()
    if head is None:
        print("  ray: not installed (pip install -r requirements-cluster.txt); skipped")
        return
    address, stop = head
    try:
        ray_s = timed_sweep(backend="ray", address=address)
    finally:
        stop()
    print(
        f"  ray, 2 CPUs     : {POINTS / ray_s:6.2f} points/s, {ray_s:.1f} s in all (connect and package upload incl.)"
    )
    print(
        f"  ray overhead vs local with 2 workers: {(ray_s - two) / POINTS * 1000:+.0f} ms a point, "
        f"ratio {ray_s / two:.2f}x the wall time"
    )


if __name__ == "__main__":
    main()
