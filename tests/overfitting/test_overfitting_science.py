"""Issue 16 part 2's claims, over 5 seeds with margins: with 20% label noise and 200 training images the
unregularised MLP fits >= 95% of its (noisy) training labels while its clean test accuracy falls after its
best epoch; early stopping and weight decay end higher than no regulariser; the CNN beats the MLP at equal
training-set size."""

from __future__ import annotations

import pytest

from brainsim import registry

SEEDS = 5


@pytest.fixture(scope="module")
def summary():
    exp = registry.get("overfitting")
    cfg = exp.config(seeds=SEEDS, label_noise=0.2, n_train=200, learners=("mlp", "mlp + weight decay", "cnn"))
    return exp.run(cfg)["summary"].set_index(["learner", "seed"])


def _final(summary, learner):
    return summary.loc[learner, "final_test_accuracy"]


@pytest.mark.slow
def test_unregularised_mlp_memorises_and_its_test_accuracy_falls_after_its_best_epoch(summary):
    mlp = summary.loc["mlp"]
    assert (mlp["final_train_accuracy"] >= 0.95).all(), mlp["final_train_accuracy"].tolist()
    assert (mlp["best_epoch"] < 20).all()  # of 40 epochs: the peak comes early
    drop = mlp["best_test_accuracy"] - mlp["final_test_accuracy"]
    assert (drop >= 0.03).all() and drop.mean() >= 0.05, drop.tolist()
    assert mlp["final_noisy_fit"].mean() >= 0.8  # it fits the wrong labels too


@pytest.mark.slow
@pytest.mark.parametrize("regulariser", ["mlp + early stopping", "mlp + weight decay"])
def test_early_stopping_and_weight_decay_end_higher_than_no_regulariser(summary, regulariser):
    gain = _final(summary, regulariser) - _final(summary, "mlp")
    assert gain.mean() >= 0.04 and (gain > 0).sum() >= SEEDS - 1, gain.tolist()


@pytest.mark.slow
def test_cnn_beats_mlp_at_equal_training_set_size(summary):
    gain = _final(summary, "cnn") - _final(summary, "mlp")
    assert gain.mean() >= 0.02 and (gain > 0).sum() >= SEEDS - 1, gain.tolist()
    best = summary.loc["cnn", "best_test_accuracy"] - summary.loc["mlp", "best_test_accuracy"]
    assert best.mean() > 0, best.tolist()
