"""Grid expansion, validation, the store and the combined tables: pure functions, no processes."""

from __future__ import annotations

import json
import os

import pytest

from brainsim import config as cfgmod
from brainsim import registry
from brainsim.config import ConfigError
from brainsim.sweep import backends, grid, runner
from brainsim.sweep.store import Result, Store

XOR = registry.get("xor")


def expand(items, seeds=1, random=None, **base):
    cfg = cfgmod.make(XOR.config, base)
    return grid.expand("xor", XOR.config, cfg, grid.parse_grid(XOR.config, items), seeds=seeds, random=random)


def test_values_lists_and_ranges():
    g = grid.parse_grid(XOR.config, ["hidden=2,4,8", "lr=0.001:1:4:log", "noise=0:0.3:4"])
    assert g["hidden"] == (2, 4, 8)
    assert g["lr"] == (0.001, 0.01, 0.1, 1.0)
    assert g["noise"] == pytest.approx((0.0, 0.1, 0.2, 0.3))
    assert grid.parse_grid(XOR.config, ["hidden=1:4:7"])["hidden"] == (1, 2, 3, 4)  # rounded, duplicates dropped
    learners = grid.parse_grid(XOR.config, ["learners=backprop mlp;single neuron (delta),backprop mlp"])["learners"]
    assert learners == (("backprop mlp",), ("single neuron (delta)", "backprop mlp"))


def test_cartesian_product_times_seeds_with_disjoint_seeds():
    base = cfgmod.make(XOR.config, {"seeds": 5, "seed": 7})
    points = grid.expand("xor", XOR.config, base, grid.parse_grid(XOR.config, ["hidden=2,4", "optimizer=sgd,adam"]), 3)
    assert len(points) == 12 and len({p.key for p in points}) == 12
    assert [p.seed for p in points[:3]] == [7, 12, 17]  # each run covers seeds seed..seed+4: none shared
    assert [dict(p.values) for p in points[::3]] == [
        {"hidden": h, "optimizer": o} for h in (2, 4) for o in ("sgd", "adam")
    ]
    assert all(p.config.hidden == dict(p.values)["hidden"] for p in points)


def test_random_samples_part_of_the_grid_reproducibly():
    a = expand(["hidden=1:64:64", "lr=0.001:1:10:log"], random=20)
    b = expand(["hidden=1:64:64", "lr=0.001:1:10:log"], random=20)
    assert [p.key for p in a] == [p.key for p in b]
    assert len({p.key for p in a}) == 20


@pytest.mark.parametrize(
    "items, words",
    [
        (["nonsense=1,2"], "unknown field"),
        (["hidden=2,500"], "'hidden'"),
        (["lr=1:0.001:3:lin"], "FROM:TO:COUNT"),
        (["lr=0:1:3:log"], "above 0"),
        (["optimizer=adam,nesterov"], "allowed"),
        (["hidden"], "FIELD=VALUES"),
        (["boundary_seed=0,20"], "Sweep point boundary_seed=20"),
    ],
)
def test_bad_grids_are_one_sentence(items, words):
    with pytest.raises(ConfigError) as info:
        expand(items)
    message = str(info.value)
    assert words in message and "\n" not in message and message.endswith((".", ")"))


def test_store_is_whole_or_absent_and_combine_keeps_cells(tmp_path):
    points = expand(["hidden=2,4"], seeds=2)
    store = Store(str(tmp_path))
    os.makedirs(os.path.join(store.root, ".tmp-deadbeef-1"))  # a point half-written by a killed run
    store.clean()
    assert os.listdir(store.root) == []
    tables = {"curves": b"learner,seed,x\nmlp,0,0.5\n", "odd": b'text\n"a, ""b""\nc"\n'}
    fake = {p.key: Result(dict(tables)) for p in points}
    fake[points[3].key] = Result({}, "The run failed (RuntimeError: boom).")

    def tasks(todo):
        return ((p.key, fake[p.key]) for p in todo)

    assert runner.run_points(points, store, tasks, None) == 4
    assert all(store.done(p.key) for p in points) and store.load(points[0].key).tables == tables
    results = {p.key: store.load(p.key) for p in points}
    out = runner.combine(points, results)
    assert out["curves"].decode().splitlines() == [
        "hidden,sweep_seed,learner,seed,x",
        "2,0,mlp,0,0.5",
        "2,10,mlp,0,0.5",
        "4,0,mlp,0,0.5",
    ]
    assert out["odd"].decode().count('"a, ""b""\nc"') == 3  # quoted cells with newlines copied intact
    doc = json.loads(runner.describe("xor", points, results, {}))
    assert [p["status"] for p in doc["points"]] == ["ok", "ok", "ok", "error"]
    assert doc["points"][3]["error"] == "The run failed (RuntimeError: boom)."


def test_a_point_that_raises_is_recorded_as_one_sentence(monkeypatch):
    def broken(cfg, progress=None):
        raise RuntimeError("boom")

    exp = XOR.__class__(**{**XOR.__dict__, "run": broken})
    monkeypatch.setattr(backends.registry, "get", lambda name: exp)
    result = backends.run_point("xor", cfgmod.to_json(XOR.config(), experiment="xor"))
    assert not result.ok and result.error == "The run failed (RuntimeError: boom)."
