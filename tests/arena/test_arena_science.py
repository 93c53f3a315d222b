"""The arena's headline figures (issue 4), over seeds with margins, at sizes that run in seconds."""

from __future__ import annotations

import pytest

from brainsim.arena.experiment import EXPERIMENT, ArenaConfig


def final_accuracy(tables) -> dict[str, list[float]]:
    c = tables["curves"]
    last = c[c["epoch"] == c["epoch"].max()]
    return {name: part.sort_values("seed")["test_accuracy"].tolist() for name, part in last.groupby("learner")}


def test_xor_needs_a_hidden_layer():
    """Backprop MLP solves noisy XOR in most data/model seeds. The delta rule (one layer, a straight
    boundary) gets at most three of the four corners: <= 75% when the corners are equally common.
    On a finite test set the corners' shares vary, so per seed its bound is 1 − (the smallest
    corner's share of that test set), and the mean over seeds must stay <= 75%."""
    mlp, delta = [], []
    for seed in range(5):
        cfg = ArenaConfig(task="xor", seed=seed, epochs=30, learners=("backprop mlp", "delta rule"))
        tables = EXPERIMENT.run(cfg)
        acc = final_accuracy(tables)
        mlp += acc["backprop mlp"]
        delta += acc["delta rule"]
        b = tables["boundary"]
        test = b[(b["learner"] == "delta rule") & (b["kind"] == "test")]
        corner = (test["x1"] > 0.5).astype(int) * 2 + (test["x2"] > 0.5).astype(int)
        bound = 1.0 - corner.value_counts(normalize=True).reindex(range(4), fill_value=0).min()
        assert acc["delta rule"][0] <= bound + 1e-6, (seed, acc["delta rule"], bound)
    assert sum(a == 1.0 for a in mlp) >= 4, mlp
    assert sum(delta) / len(delta) <= 0.75, delta


@pytest.mark.slow
def test_digits_race_figures():
    """Digits, fixed split with 25% test, 20 epochs, two model seeds: backprop MLP >= 97%, the best
    brain-like learner >= 95%, the delta rule >= 90% (mean over seeds)."""
    cfg = ArenaConfig(
        task="digits",
        train_fraction=0.75,
        epochs=20,
        seeds=2,
        learners=("backprop mlp", "feedback alignment", "hebbian features", "delta rule"),
    )
    acc = {k: sum(v) / len(v) for k, v in final_accuracy(EXPERIMENT.run(cfg)).items()}
    assert acc["backprop mlp"] >= 0.97, acc
    assert max(acc["feedback alignment"], acc["hebbian features"]) >= 0.95, acc
    assert acc["delta rule"] >= 0.90, acc


@pytest.mark.slow
def test_reward_modulated_needs_more_samples_than_backprop():
    """Samples to reach 90% of backprop's accuracy on digits (10 answers): reward-only learning needs
    several times more than backprop (theory: about the number of outputs, Werfel et al. 2005). The
    page's reward rates are tuned on circles; with 64 inputs and 10 answers these do better."""
    rates = dict(reward_lr=1.0, reward_hidden_lr=0.2)
    cfg = ArenaConfig(task="digits", epochs=30, learners=("backprop mlp", "reward-modulated"), **rates)
    s = EXPERIMENT.run(cfg)["summary"].set_index("learner")
    assert s.loc["backprop mlp", "final_test_accuracy"] >= s.loc["reward-modulated", "final_test_accuracy"]
    ratio = s.loc["reward-modulated", "samples_vs_backprop"]
    assert 3.0 <= ratio < float("inf"), s


@pytest.mark.slow
def test_reward_modulated_learns_circles_at_the_page_budget_but_needs_more_samples():
    """Circles at the page defaults (200 updates), five seeds: the reward-modulated learner, which only
    ever gets a 0/1 reward, reaches >= 80% test accuracy on average (measured 0.91 on seeds 0-4, 0.87 on
    seeds 10-29), below backprop, and needs at least twice backprop's samples to reach 90% of the best
    learner's accuracy (measured 3.5x)."""
    cfg = ArenaConfig(seeds=5, learners=("backprop mlp", "reward-modulated"))
    s = EXPERIMENT.run(cfg)["summary"].set_index("learner")
    assert s.loc["reward-modulated", "final_test_accuracy"] >= 0.80, s
    assert s.loc["backprop mlp", "final_test_accuracy"] > s.loc["reward-modulated", "final_test_accuracy"], s
    assert s.loc["reward-modulated", "samples_vs_backprop"] >= 2.0, s
