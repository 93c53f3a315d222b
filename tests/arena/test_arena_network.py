"""The arena's network diagram (issue 17): the snapshot_weights table (bounded, one snapshot per timeline step,
first seed, 2-D tasks only), the drawn units and the timeline figure that follows it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from brainsim import timeline
from brainsim.arena import snapshots
from brainsim.arena.experiment import EXPERIMENT, ArenaConfig
from brainsim.export import csv_bytes

SMALL = dict(task="circles", n_samples=160, epochs=6, seeds=2, hidden_width=12)
CHART = next(c for c in EXPERIMENT.charts if c.table == "snapshot_weights")


@pytest.fixture(scope="module")
def small():
    cfg = ArenaConfig(**SMALL)
    return cfg, EXPERIMENT.run(cfg)


def _layer(df: pd.DataFrame, learner: str, epoch: int, layer: int) -> pd.DataFrame:
    return df[(df["learner"] == learner) & (df["epoch"] == epoch) & (df["layer"] == layer)]


def test_one_snapshot_per_timeline_step_of_the_first_seed_with_a_bounded_network(small):
    cfg, tables = small
    w = tables["snapshot_weights"]
    assert list(w.columns) == snapshots.WEIGHT_COLUMNS
    assert set(w["seed"]) == {cfg.seed}
    assert set(w["learner"]) == set(cfg.learners)
    for name, part in w.groupby("learner"):
        assert sorted(part["epoch"].unique()) == timeline.snapshot_steps(cfg.epochs), name
        sizes = part.groupby("epoch").size()
        assert sizes.nunique() == 1, f"{name}: the same connections at every snapshot"
        hidden = {u for u in part["target"] if u.startswith("h")}
        assert 0 < len(hidden) <= snapshots.MAX_HIDDEN_DRAWN or name == "delta rule"
    assert set(w["epoch"]) == set(tables["snapshots"]["epoch"])  # follows the decision-region timeline


def test_each_learner_is_drawn_with_its_own_layers(small):
    _, tables = small
    w = tables["snapshot_weights"]
    delta = w[w["learner"] == "delta rule"]
    assert set(delta["layer"]) == {1} and set(delta["target"]) == {"y0", "y1"}  # no hidden layer
    assert len(delta[delta["source"] != "bias"]) == 2 * 2 * delta["epoch"].nunique()
    hebb = _layer(w, "hebbian features", 0, 1)
    assert "bias" not in set(hebb["source"])  # the Hebbian layer has no bias
    norms = hebb.pivot(index="target", columns="source", values="weight").pow(2).sum(axis=1).pow(0.5)
    np.testing.assert_allclose(norms, 1.0, atol=1e-5)  # it starts from the shared W1 normalised to |w| = 1
    for name in ("backprop mlp", "feedback alignment", "reward-modulated"):
        assert {"bias"} <= set(_layer(w, name, 0, 1)["source"]) and set(_layer(w, name, 0, 2)["target"]) == {
            "y0",
            "y1",
        }


def test_learners_start_from_the_same_weights_and_then_move_apart(small):
    _, tables = small
    w = tables["snapshot_weights"]
    last = int(w["epoch"].max())
    start = {
        n: _layer(w, n, 0, 1).set_index(["source", "target"])["weight"] for n in ("backprop mlp", "feedback alignment")
    }
    shared = start["backprop mlp"].index.intersection(start["feedback alignment"].index)
    assert len(shared) > 0
    pd.testing.assert_series_equal(start["backprop mlp"][shared], start["feedback alignment"][shared])
    for name, part in w.groupby("learner"):
        a = part[part["epoch"] == 0]["weight"].to_numpy()
        b = part[part["epoch"] == last]["weight"].to_numpy()
        assert np.abs(a - b).max() > 1e-3, f"{name}: its weights never moved"


def test_drawn_hidden_units_are_those_the_next_layer_weighs_most():
    w1 = np.arange(20, dtype=float).reshape(10, 2)  # (H, d)
    w2 = np.zeros((2, 10))  # (C, H)
    w2[:, [1, 4, 9]] = [[3.0, -5.0, 1.0], [0.0, 0.0, 1.0]]
    snaps = [(0, 0, [(w1, np.zeros(10)), (w2 * 0, np.zeros(2))]), (0, 5, [(w1, np.zeros(10)), (w2, np.zeros(2))])]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(snapshots, "MAX_HIDDEN_DRAWN", 2)
        kept = snapshots.drawn_units(snaps)
    assert kept == [[0, 1], [1, 4], [0, 1]]  # chosen at the last snapshot, in index order
    rows = snapshots.connection_rows(snaps[1][2], kept)
    assert (1, "x2", "h5", 9.0) in rows and (2, "h5", "y0", -5.0) in rows and (2, "bias", "y1", 0.0) in rows
    assert len(rows) == 2 * 2 + 2 + 2 * 2 + 2


def test_the_diagram_does_not_change_any_other_table(small, monkeypatch):
    cfg, tables = small
    monkeypatch.setattr(snapshots, "weight_layers", lambda learner: [])
    without = EXPERIMENT.run(cfg)
    assert without["snapshot_weights"].empty
    for name, df in tables.items():
        if name not in ("timing", "snapshot_weights"):
            assert csv_bytes(df) == csv_bytes(without[name]), name


def test_the_table_stays_small_at_the_defaults():
    w = EXPERIMENT.run(ArenaConfig())["snapshot_weights"]
    assert w["epoch"].nunique() <= timeline.MAX_FRAMES
    assert len(csv_bytes(w)) < 300_000


def test_the_timeline_has_one_frame_per_snapshot_and_a_fixed_frame(small):
    cfg, tables = small
    w = tables["snapshot_weights"]
    fig = CHART.build(w, cfg).to_dict()
    steps = timeline.snapshot_steps(cfg.epochs)
    frames = fig["frames"]
    assert [f["name"] for f in frames] == [str(s) for s in steps]
    assert [s["label"] for s in fig["layout"]["sliders"][0]["steps"]] == [str(s) for s in steps]
    assert all(len(f["data"]) == len(fig["data"]) for f in frames)
    widths = [[t["line"]["width"] for t in f["data"] if t.get("mode") == "lines"] for f in (frames[0], frames[-1])]
    assert widths[0] != widths[1]  # the picture moves with the slider
    axes = {k: v["range"] for k, v in fig["layout"].items() if k.startswith(("xaxis", "yaxis"))}
    assert len(axes) >= 2 * len(cfg.learners) and all(r is not None and None not in r for r in axes.values())
    hover = [t for t in fig["data"] if t.get("mode") == "markers" and t.get("text")]
    assert any("w = " in s for t in hover for s in t["text"])  # edge midpoints hover with their weight


def test_a_diverged_learner_keeps_its_last_drawing():
    cfg = ArenaConfig(
        task="blobs", loss="mse", optimizer="sgd", lr=10.0, activation="relu", epochs=5,
        learners=("backprop mlp", "delta rule"),
    )  # fmt: skip
    tables = EXPERIMENT.run(cfg)
    w = tables["snapshot_weights"]
    assert (
        w.loc[w["learner"] == "backprop mlp", "epoch"].max() < 5 == w.loc[w["learner"] == "delta rule", "epoch"].max()
    )
    fig = CHART.build(w, cfg).to_dict()
    assert len(fig["frames"]) == 6 and all(len(f["data"]) == len(fig["data"]) for f in fig["frames"])
    regions = next(c for c in EXPERIMENT.charts if c.table == "snapshots").build(tables["snapshots"], cfg)
    assert len(regions.frames) == 6  # the decision-region timeline holds it too (it raised KeyError before)


def test_no_diagram_on_digits():
    cfg = ArenaConfig(task="digits", epochs=1, learners=("backprop mlp", "delta rule"))
    w = EXPERIMENT.run(cfg)["snapshot_weights"]
    assert w.empty and list(w.columns) == snapshots.WEIGHT_COLUMNS
    fig = CHART.build(w, cfg)
    assert "2-D tasks only" in str(fig.to_dict()["layout"])
