"""Single neuron vs hidden layer: the page's claims, over 10 seeds with defaults."""

from __future__ import annotations

import torch

from brainsim.rules import delta, hebbian
from brainsim.xor.experiment import XorConfig, run
from brainsim.xor.neurons import HebbianNeuron


def final(tables, learner):
    c = tables["curves"]
    return c[c["learner"] == learner].groupby("seed").tail(1).set_index("seed")


def test_one_neuron_cannot_learn_xor_but_an_mlp_can():
    tables = run(XorConfig())  # defaults: xor, 10 seeds
    for learner in ("single neuron (delta)", "single neuron (hebbian)"):
        acc = final(tables, learner)["train_accuracy"]
        assert len(acc) == 10 and (acc <= 0.75).all(), f"{learner} exceeded 75% on XOR: {acc.tolist()}"
    mlp = final(tables, "mlp (backprop)")["train_accuracy"]
    assert (mlp == 1.0).sum() >= 7, f"MLP solved XOR in only {(mlp == 1.0).sum()} of 10 seeds"


def test_one_neuron_learns_and_and_or():
    for task in ("and", "or"):
        tables = run(XorConfig(task=task, seeds=5, epochs=200))
        for learner in ("single neuron (delta)", "single neuron (hebbian)", "mlp (backprop)"):
            assert (final(tables, learner)["train_accuracy"] == 1.0).all(), f"{learner} failed {task}"


def test_noisy_xor_generalises_only_with_a_hidden_layer():
    tables = run(XorConfig(noise=0.15, n_points=200, seeds=5, epochs=150))
    mlp = final(tables, "mlp (backprop)")["test_accuracy"]
    delta = final(tables, "single neuron (delta)")["test_accuracy"]
    assert mlp.min() > 0.9 and delta.max() < 0.8


def test_hebbian_weights_converge_to_input_target_correlation():
    # AND with ±1 inputs: <s x> = (0.5, 0.5), <s> = -0.5, so w* = (0.5, 0.5), b* = -0.5 with λ = 1.
    x = torch.tensor([[-1.0, -1], [-1, 1], [1, -1], [1, 1]]).unsqueeze(0)
    t = torch.tensor([[0.0], [0], [0], [1]]).unsqueeze(0)
    n = HebbianNeuron(torch.zeros(1, 1, 2), torch.zeros(1, 1, 1), lr=0.1)
    for _ in range(300):
        n.step(x, t)
    assert torch.allclose(n.w, torch.tensor([[[0.5, 0.5]]]), atol=1e-4)
    assert torch.allclose(n.b, torch.tensor([[[-0.5]]]), atol=1e-4)


def test_hebb_and_delta_updates_equal_hand_computed_outer_products():
    pre = torch.tensor([[1.0, 2.0], [3.0, -1.0]])  # (B=2, n_in=2)
    post = torch.tensor([[0.5], [2.0]])  # (B=2, n_out=1)
    expected = 0.1 * (torch.outer(post[0], pre[0]) + torch.outer(post[1], pre[1])) / 2
    assert torch.allclose(hebbian.hebb(pre, post, 0.1), expected)
    target = torch.tensor([[1.0], [0.0]])
    err = target - post
    expected = 0.1 * (torch.outer(err[0], pre[0]) + torch.outer(err[1], pre[1])) / 2
    assert torch.allclose(delta.delta_rule(pre, post, target, 0.1), expected)


def test_oja_converges_to_first_principal_component():
    g = torch.Generator().manual_seed(0)
    cov = torch.tensor([[3.0, 1.0], [1.0, 1.0]])
    x = torch.randn(4000, 2, generator=g) @ torch.linalg.cholesky(cov).T
    w = torch.tensor([[0.3, -0.8]])
    for i in range(0, 4000, 10):
        xb = x[i:i + 10]
        w = w + hebbian.oja(xb, xb @ w.T, w, 0.01)
    pc = torch.linalg.eigh(cov).eigenvectors[:, -1]
    assert abs(float(w.norm()) - 1.0) < 0.05
    assert abs(float((w[0] / w.norm()) @ pc)) > 0.99


def test_divergence_stops_that_learner_and_the_others_finish():
    # A linear output (LMS) with η = 50 is far past 2/λ_max: the weights blow up to inf/NaN.
    tables = run(XorConfig(task="and", output="linear", lr=50.0, neuron_lr=0.5, optimizer="sgd", seeds=3,
                           epochs=100))
    summary = tables["summary"].set_index("learner")
    assert summary.loc["mlp (backprop)", "diverged"] and summary.loc["mlp (backprop)", "diverged_seeds"] == 3
    assert not summary.loc["single neuron (delta)", "diverged"]
    curves = tables["curves"]
    mlp = curves[curves["learner"] == "mlp (backprop)"]
    assert mlp["epoch"].max() < 100 and mlp.groupby("seed").tail(1)["diverged"].all()
    delta = curves[curves["learner"] == "single neuron (delta)"]
    assert delta["epoch"].max() == 100 and not delta["diverged"].any()
    assert (final(tables, "single neuron (delta)")["train_accuracy"] == 1.0).all()
