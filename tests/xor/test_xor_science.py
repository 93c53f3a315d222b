"""Single neuron vs hidden layer: the page's claims, over 10 seeds with defaults."""

from __future__ import annotations

from brainsim.xor.experiment import XorConfig, run


def final(tables, learner):
    c = tables["curves"]
    return c[c["learner"] == learner].groupby("seed").tail(1).set_index("seed")


def test_one_neuron_cannot_learn_xor_but_an_mlp_can():
    tables = run(XorConfig())  # defaults: xor, 10 seeds
    for learner in ("single neuron (delta)", "single neuron (hebbian)"):
        acc = final(tables, learner)["train_accuracy"]
        assert len(acc) == 10 and (acc <= 0.75).all(), f"{learner} exceeded 75% on XOR: {acc.tolist()}"
    mlp = final(tables, "backprop mlp")["train_accuracy"]
    assert (mlp == 1.0).sum() >= 7, f"MLP solved XOR in only {(mlp == 1.0).sum()} of 10 seeds"


def test_one_neuron_learns_and_and_or():
    for task in ("and", "or"):
        tables = run(XorConfig(task=task, seeds=5, epochs=200))
        for learner in ("single neuron (delta)", "single neuron (hebbian)", "backprop mlp"):
            assert (final(tables, learner)["train_accuracy"] == 1.0).all(), f"{learner} failed {task}"


def test_noisy_xor_generalises_only_with_a_hidden_layer():
    tables = run(XorConfig(noise=0.15, n_points=200, seeds=5, epochs=150))
    mlp = final(tables, "backprop mlp")["test_accuracy"]
    delta = final(tables, "single neuron (delta)")["test_accuracy"]
    assert mlp.min() > 0.9 and delta.max() < 0.8


def test_divergence_stops_that_learner_and_the_others_finish():
    # A linear output (LMS) with η = 50 is far past 2/λ_max: the weights blow up to inf/NaN.
    tables = run(XorConfig(task="and", output="linear", lr=50.0, neuron_lr=0.5, optimizer="sgd", seeds=3, epochs=100))
    summary = tables["summary"].set_index("learner")
    assert summary.loc["backprop mlp", "diverged"] and summary.loc["backprop mlp", "diverged_seeds"] == 3
    assert not summary.loc["single neuron (delta)", "diverged"]
    curves = tables["curves"]
    mlp = curves[curves["learner"] == "backprop mlp"]
    assert mlp["epoch"].max() < 100 and mlp.groupby("seed").tail(1)["diverged"].all()
    delta = curves[curves["learner"] == "single neuron (delta)"]
    assert delta["epoch"].max() == 100 and not delta["diverged"].any()
    assert (final(tables, "single neuron (delta)")["train_accuracy"] == 1.0).all()
