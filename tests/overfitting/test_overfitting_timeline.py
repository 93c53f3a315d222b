"""Issue 17: the overfitting timeline, what each network predicts for a few watched images epoch by epoch."""

from __future__ import annotations

import numpy as np
import pytest

from brainsim import registry
from brainsim.export import csv_bytes
from brainsim.overfitting import charts as oc
from brainsim.overfitting import snapshots as snap
from brainsim.timeline import MAX_FRAMES, snapshot_steps

pytestmark = pytest.mark.slow  # the module runs the experiment four times (~10 s)

EXP = registry.get("overfitting")


@pytest.fixture(scope="module")
def default():
    cfg = EXP.config()
    return cfg, EXP.run(cfg)["predictions"]


@pytest.fixture(scope="module")
def by_seed():
    """The unregularised MLP and the augmented CNN at the default sizes, one seed per run."""
    out = {}
    for seed in (0, 1, 2):
        cfg = EXP.config(seed=seed, seeds=1, learners=("mlp", "cnn + augmentation"))
        out[seed] = EXP.run(cfg)["predictions"]
    return out


def test_the_table_is_small_and_holds_every_frame_and_watched_image(default):
    cfg, df = default
    assert list(df.columns) == snap.COLUMNS
    assert list(dict.fromkeys(df["learner"])) == list(cfg.learners) and (df["seed"] == cfg.seed).all()
    steps = snapshot_steps(cfg.epochs)
    assert sorted(df["epoch"].unique()) == steps and len(steps) <= MAX_FRAMES
    sizes = df.groupby(["learner", "epoch", "set"]).size()
    assert sizes.eq(snap.WATCHED).all() and len(sizes) == len(cfg.learners) * len(steps) * 2
    train, test = df[df["set"] == "train"], df[df["set"] == "test"]
    assert (train["label"] != train["true_label"]).all()  # the watched training images are the mislabelled ones
    assert (test["label"] == test["true_label"]).all()  # test labels are clean
    assert df["predicted"].between(0, 9).all()
    assert len(csv_bytes(df)) < 300_000


def test_regularisers_of_one_seed_start_from_the_same_network(default):
    """Epoch 0 is before training: the MLPs share their initial weights, so they predict the same classes."""
    _, df = default
    start = df[df["epoch"] == 0]
    mlps = [
        start[start["learner"] == n]["predicted"].to_numpy() for n in ("mlp", "mlp + weight decay", "mlp + dropout")
    ]
    assert all(np.array_equal(mlps[0], p) for p in mlps[1:])


def _memorised(df, learner: str, epoch: int) -> float:
    part = df[(df["learner"] == learner) & (df["epoch"] == epoch) & (df["set"] == "train")]
    return float((part["predicted"] == part["label"]).mean())


def test_the_mlp_first_ignores_the_wrong_labels_then_memorises_them(by_seed):
    """Zhang et al. (2017) in ten images: after a few epochs the unregularised MLP predicts the true digit of
    training images whose label is wrong; by the end it predicts most wrong labels. Shifting the CNN's
    images each epoch keeps it from memorising them."""
    early = {s: _memorised(df, "mlp", 3) for s, df in by_seed.items()}
    final = {s: _memorised(df, "mlp", 40) for s, df in by_seed.items()}
    augmented = {s: _memorised(df, "cnn + augmentation", 40) for s, df in by_seed.items()}
    assert max(early.values()) <= 0.3 and min(final.values()) >= 0.6, (early, final)
    assert np.mean(list(final.values())) >= np.mean(list(early.values())) + 0.5
    assert max(augmented.values()) <= 0.3, augmented


def test_the_figure_has_one_frame_per_snapshot_and_the_badges_change(default):
    cfg, df = default
    fig = oc.predictions_timeline(df, cfg).to_dict()  # as st.plotly_chart sends it
    frames, steps = fig["frames"], snapshot_steps(cfg.epochs)
    assert [int(f["name"]) for f in frames] == steps
    slider = fig["layout"]["sliders"][0]
    assert [s["label"] for s in slider["steps"]] == [str(s) for s in steps]
    assert [s["args"][0][0] for s in slider["steps"]] == [f["name"] for f in frames]
    moving = frames[0]["traces"]
    assert len(moving) == 2 * len(cfg.learners) and all(fig["data"][j]["type"] == "scatter" for j in moving)
    images = [t for t in fig["data"] if t["type"] == "heatmap"]
    assert len(images) == len(cfg.learners)  # the watched digits, drawn once per panel, not in the frames
    first, last = frames[0]["data"][0], frames[-1]["data"][0]  # the MLP's badges
    assert len(first["text"]) == 2 * snap.WATCHED
    assert first["marker"]["color"] != last["marker"]["color"]
    assert "wrong labels fitted" in frames[-1]["data"][1]["text"][0]
    for axis, spec in fig["layout"].items():
        if axis.startswith(("xaxis", "yaxis")):
            assert spec.get("range") is not None, axis  # fixed: the picture does not jump between frames


def test_an_empty_table_draws_a_message(default):
    cfg, df = default
    fig = oc.predictions_timeline(df.iloc[0:0], cfg).to_dict()
    assert not fig.get("frames")
