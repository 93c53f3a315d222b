"""Issue 17: the receptive-field timeline, the first seed's fields epoch by epoch (snapshots table, figure)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import heatmap_z as _z

from brainsim import datasets
from brainsim.export import csv_bytes
from brainsim.features import charts as fc
from brainsim.features import hebbian as hb
from brainsim.features import reference as ref
from brainsim.features import snapshots as snap
from brainsim.features.experiment import FeaturesConfig, run
from brainsim.timeline import MAX_FRAMES

pytestmark = pytest.mark.slow  # the module runs the experiment once (~5 s)

# the default run's settings for the timeline's learners, one seed (seed 0's table is the same with two)
DEFAULT_TIMELINE = FeaturesConfig(seeds=1, learners=snap.LEARNERS)


@pytest.fixture(scope="module")
def tables():
    return run(DEFAULT_TIMELINE)


def test_snapshots_are_bounded_and_hold_every_unit_image(tables):
    cfg, df = DEFAULT_TIMELINE, tables["snapshots"]
    assert list(df.columns) == snap.COLUMNS
    assert list(dict.fromkeys(df["learner"])) == list(snap.LEARNERS)
    assert (df["seed"] == cfg.seed).all()
    steps = snap.timeline_epochs(cfg, 64)
    assert 10 <= len(steps) <= MAX_FRAMES and steps[0] == 0 and steps[-1] == cfg.hebb_epochs
    for name, part in df.groupby("learner"):
        epochs = sorted(part["epoch"].unique())
        last = cfg.epochs if name == "backprop mlp" else cfg.hebb_epochs
        assert epochs == snap.own_epochs(steps, last), name  # the timeline's frames, held at its last epoch
        k = part["unit"].nunique()
        assert k == snap.units(cfg, name) <= snap.MAX_UNITS
        assert part.groupby("epoch").size().eq(k * 64).all(), name  # every pixel of every unit, each frame
    assert len(df) <= snap.MAX_ROWS
    assert len(csv_bytes(df)) < 300_000  # the default run's table


def test_the_last_snapshot_is_the_drawn_final_fields(tables):
    """The timeline ends where the fields chart is: the same weights, Oja's and Sanger's sign-matched alike."""
    df, fields = tables["snapshots"], tables["fields"]
    for name, part in df.groupby("learner"):
        last = part[part["epoch"] == part["epoch"].max()].sort_values(["unit", "row", "col"])
        final = fields[(fields["learner"] == name) & (fields["unit"] <= last["unit"].max())]
        final = final.sort_values(["unit", "row", "col"])
        np.testing.assert_allclose(last["weight"].to_numpy(), final["weight"].to_numpy(), rtol=1e-5, atol=1e-7)


def test_the_table_bound_holds_for_long_runs_and_big_layers():
    cfg = FeaturesConfig(hebb_epochs=200, epochs=150, hidden=64, components=16)
    steps = snap.timeline_epochs(cfg, 784)  # a 28 x 28 image file
    assert 2 <= len(steps) <= MAX_FRAMES and steps[0] == 0 and steps[-1] == 200
    assert snap.timeline_epochs(FeaturesConfig(learners=("cnn", "autoencoder")), 64) == []


def test_sangers_units_turn_into_the_components_along_the_timeline():
    """Over seeds: each of Sanger's first four units starts far from its principal component (random weights)
    and ends on it; the frames in between change."""
    d = datasets.digits(0.75, 0)
    x = np.asarray(d.x_train, dtype=np.float32)
    pcs = ref.principal_components(x, 4)
    xc = torch.tensor(x - x.mean(0))
    steps = list(range(0, 21, 2))
    for seed in (0, 1, 2):
        t = hb.train_sanger(xc, 4, 0.5, 20, 32, seed)
        df = snap.frames("sanger", seed, t.history, steps, 4, (8, 8), pcs)
        w = {
            e: p.sort_values(["unit", "row", "col"])["weight"].to_numpy().reshape(4, 64) for e, p in df.groupby("epoch")
        }
        first, last = ref.abs_cos(w[0], pcs), ref.abs_cos(w[20], pcs)
        assert first.max() < 0.5 and last.min() >= 0.95, (seed, first, last)
        assert (np.sum(w[20] * pcs, axis=1) > 0).all(), seed  # carries the sign matched to the component
        assert not np.allclose(w[2], w[20]), seed


def test_the_figure_has_one_frame_per_snapshot_on_fixed_axes(tables):
    df = tables["snapshots"]
    fig = fc.fields_timeline(df, DEFAULT_TIMELINE).to_dict()  # as st.plotly_chart sends it
    frames = fig["frames"]
    steps = snap.timeline_epochs(DEFAULT_TIMELINE, 64)
    assert [int(f["name"]) for f in frames] == steps
    slider = fig["layout"]["sliders"][0]
    assert [s["label"] for s in slider["steps"]] == [str(s) for s in steps]
    assert [s["args"][0][0] for s in slider["steps"]] == [f["name"] for f in frames]
    assert slider["active"] == len(steps) - 1
    assert len(fig["data"]) == 4 and all(len(f["data"]) == 4 for f in frames)  # one picture per learner
    sanger = list(snap.LEARNERS).index("sanger")
    first, last = (_z(frames[i]["data"][sanger]) for i in (0, -1))
    assert first.shape == last.shape == (17, 17)  # 2 x 2 units of 8 x 8 with a one-pixel gap
    assert np.nanmax(np.abs(last)) <= 1.0 and not np.allclose(first, last, equal_nan=True)
    mlp = list(snap.LEARNERS).index("backprop mlp")  # trained 8 epochs: held from epoch 8 on
    held = [_z(f["data"][mlp]) for f in frames if int(f["name"]) >= DEFAULT_TIMELINE.epochs]
    assert len(held) >= 2 and all(np.array_equal(h, held[0], equal_nan=True) for h in held)
    for axis, spec in fig["layout"].items():
        if axis.startswith(("xaxis", "yaxis")):
            assert spec.get("range") is not None, axis  # fixed: the picture does not jump between frames
    assert sum(bool(t.get("showscale")) for t in fig["data"]) == 1  # one shared colour scale


def test_a_run_without_timeline_learners_has_an_empty_table_and_says_so():
    cfg = FeaturesConfig(seeds=1, learners=("cnn",), epochs=1, filters=2)
    df = run(cfg)["snapshots"]
    assert df.empty and list(df.columns) == snap.COLUMNS
    fig = fc.fields_timeline(df, cfg).to_dict()
    assert not fig.get("frames") and "No timeline" in fig["layout"]["annotations"][0]["text"]
