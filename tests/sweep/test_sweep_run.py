"""The sweep end to end: local worker processes, a real Ray head on loopback, and resuming a killed sweep.
Every point's CSV bytes must equal `python -m brainsim run` for its config, whichever backend ran it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest
from conftest import ROOT

from brainsim import cli

CHEAP = ["--set", "epochs=5", "--set", "seeds=1"]  # one xor point: well under a second
GRID = ["--grid", "hidden=2,4", "--grid", "optimizer=sgd,adam"]
pytestmark = pytest.mark.xdist_group("sweep")  # the local sweep below is shared by the tests of this module


def sweep(out, *extra) -> int:
    return cli.main(["sweep", "xor", *GRID, "--seeds", "2", *CHEAP, "--out", str(out), "--quiet", *extra])


def csvs(folder) -> dict[str, bytes]:
    return {f: open(os.path.join(folder, f), "rb").read() for f in sorted(os.listdir(folder)) if f.endswith(".csv")}


@pytest.fixture(scope="module")
def local_sweep(tmp_path_factory):
    out = tmp_path_factory.mktemp("local")
    assert sweep(out, "--jobs", "2") == 0
    return out


@pytest.mark.slow
def test_every_point_equals_the_cli_run_of_its_config(local_sweep, tmp_path):
    doc = json.load(open(local_sweep / "sweep.json"))
    assert len(doc["points"]) == 8 and {p["status"] for p in doc["points"]} == {"ok"}
    for point in doc["points"][:3]:  # each costs a CLI run here; three cover both fields and both seeds
        ref = tmp_path / point["key"]
        sets = [f"hidden={point['hidden']}", f"optimizer={point['optimizer']}", f"seed={point['seed']}"]
        assert cli.main(["run", "xor", *CHEAP, *[a for s in sets for a in ("--set", s)], "--out", str(ref)]) == 0
        stored = csvs(local_sweep / "points" / point["key"])
        expected = csvs(ref)
        del stored["timing.csv"], expected["timing.csv"]
        assert stored == expected
    combined = (local_sweep / "summary.csv").read_text().splitlines()
    assert combined[0].startswith("hidden,optimizer,seed,learner,")
    assert len(combined) == 1 + 8 * 3  # a row per point and learner
    assert (local_sweep / "curves.csv").read_text().startswith("hidden,optimizer,sweep_seed,learner,seed,")


def finished_points(points) -> dict[str, int]:
    """Key -> mtime of `done` for every point renamed into place; a `.tmp-` folder that already holds
    `done` but was killed before its rename is half-written, and the resumed sweep recomputes it."""
    names = [k for k in os.listdir(points) if not k.startswith(".")]
    return {k: (points / k / "done").stat().st_mtime_ns for k in names if (points / k / "done").exists()}


@pytest.mark.slow
def test_a_killed_sweep_resumes_without_recomputing(tmp_path):
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "brainsim", "sweep", "xor", "--grid", "hidden=1:8:8", *CHEAP, "--jobs", "1"]
    proc = subprocess.Popen([*cmd, "--out", str(out)], cwd=ROOT, start_new_session=True, stderr=subprocess.DEVNULL)
    points = out / "points"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        if points.exists() and len(finished_points(points)) >= 2:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its worker, mid-way
    proc.wait()
    before = finished_points(points)
    assert 2 <= len(before) < 8, "the sweep should be killed part-way"
    assert cli.main(["sweep", "xor", "--grid", "hidden=1:8:8", *CHEAP, "--jobs", "1", "--out", str(out)]) == 0
    doc = json.load(open(out / "sweep.json"))
    keys = [p["key"] for p in doc["points"]]
    assert len(keys) == 8 == len(set(keys)) and {p["status"] for p in doc["points"]} == {"ok"}
    assert sorted(os.listdir(points)) == sorted(keys)  # no half-written point left, nothing twice
    assert {k: v for k, v in finished_points(points).items() if k in before} == before  # not recomputed
    rows = (out / "summary.csv").read_text().splitlines()[1:]
    assert sorted(int(r.split(",")[0]) for r in rows) == sorted(h for h in range(1, 9) for _ in range(3))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def ray_head(tmp_path):
    ray = shutil.which("ray", path=os.path.dirname(sys.executable))
    if ray is None:
        pytest.skip("ray is not installed (make test installs requirements-cluster.txt)")
    port = free_port()
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    start = [ray, "start", "--head", "--node-ip-address", "127.0.0.1", "--port", str(port), "--num-cpus", "2"]
    start += ["--include-dashboard", "false", "--disable-usage-stats", "--temp-dir", f"/tmp/ray-{port}"]
    subprocess.run(start, check=True, capture_output=True, env=env, timeout=180)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        subprocess.run([ray, "stop", "--force"], capture_output=True, env=env, timeout=120)
        shutil.rmtree(f"/tmp/ray-{port}", ignore_errors=True)


@pytest.mark.slow
def test_ray_cluster_gives_the_same_bytes_as_local(local_sweep, ray_head, tmp_path):
    out = tmp_path / "ray"
    assert sweep(out, "--backend", "ray", "--address", ray_head) == 0
    local, remote = csvs(local_sweep), csvs(out)
    del local["timing.csv"], remote["timing.csv"]
    assert remote == local
    doc = json.load(open(out / "sweep.json"))
    for key in (p["key"] for p in doc["points"]):
        a, b = csvs(local_sweep / "points" / key), csvs(out / "points" / key)
        assert {k: v for k, v in a.items() if k != "timing.csv"} == {k: v for k, v in b.items() if k != "timing.csv"}
