"""The page's tables and charts on a small run, and the sweeps."""

from __future__ import annotations

import pytest

from brainsim import registry


@pytest.fixture(scope="module")
def small():
    exp = registry.get("overfitting")
    cfg = exp.config(seeds=2, epochs=4, n_train=60, sweep="width", sweep_widths=(4, 32))
    return exp, cfg, exp.run(cfg)


def test_tables_hold_every_learner_epoch_and_sweep_point(small):
    exp, cfg, t = small
    curves = t["curves"]
    assert set(curves["learner"]) == set(cfg.learners)
    assert curves.groupby(["learner", "seed"]).size().eq(cfg.epochs + 1).all()
    assert {"mlp + early stopping", "cnn + early stopping"} <= set(t["summary"]["learner"])
    width = t["sweep"][t["sweep"]["sweep"] == "width"]
    assert sorted(width["hidden_width"].unique()) == [4, 32] and set(width["learner"]) == {"mlp"}
    assert not curves["diverged"].any()


def test_every_chart_draws(small):
    exp, cfg, t = small
    for chart in exp.charts:
        fig = chart.build(t[chart.table], cfg)
        assert fig.data, chart.title
    names = [m[0] for m in exp.metrics(t, cfg)]
    assert "mlp training accuracy" in names and "mlp + early stopping" in names


def test_size_sweep_trains_mlp_and_cnn_at_each_size():
    exp = registry.get("overfitting")
    cfg = exp.config(seeds=1, epochs=2, n_train=40, learners=("mlp",), sweep="training set size", sweep_sizes=(30, 90))
    sweep = exp.run(cfg)["sweep"]
    part = sweep[sweep["sweep"] == "training set size"]
    assert set(zip(part["learner"], part["n_train"])) == {("mlp", 30), ("mlp", 90), ("cnn", 30), ("cnn", 90)}


def test_early_stopping_stars_sit_on_the_test_panel(small):
    exp, cfg, t = small
    fig = exp.charts[0].build(t["curves"], cfg)
    titles = [a.text for a in fig.layout.annotations]
    test_axis = "x" if "test set" in titles[0] else "x2"
    stars = [tr for tr in fig.data if tr.name and tr.name.endswith("early stop")]
    assert len(stars) == len(cfg.learners) and all(tr.xaxis == test_axis for tr in stars)
