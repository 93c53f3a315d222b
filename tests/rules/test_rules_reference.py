"""The shared local rules against hand-computed answers and known fixed points."""

from __future__ import annotations

import torch

from brainsim.rules import delta, hebbian, three_factor


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
        xb = x[i : i + 10]
        w = w + hebbian.oja(xb, xb @ w.T, w, 0.01)
    pc = torch.linalg.eigh(cov).eigenvectors[:, -1]
    assert abs(float(w.norm()) - 1.0) < 0.05
    assert abs(float((w[0] / w.norm()) @ pc)) > 0.99


def test_eligibility_decays_with_tau_and_accumulates_coincidences():
    e = torch.full((2, 3), 2.0)
    c = torch.ones(2, 3)
    out = three_factor.eligibility_step(e, c, dt=1.0, tau_e=2.0)
    assert torch.allclose(out, 2.0 * torch.exp(torch.tensor(-0.5)) + 1.0)


def test_three_factor_update_is_eta_times_reward_prediction_error_times_trace():
    e = torch.tensor([[[1.0, -2.0]], [[0.5, 0.5]]])  # two seeds, (1, 2) weights each
    dw = three_factor.three_factor(e, torch.tensor([1.0, 0.0]), torch.tensor([0.25, 0.5]), 0.1)
    assert torch.allclose(dw, torch.tensor([[[0.075, -0.15]], [[-0.025, -0.025]]]))


def test_running_baseline_tracks_the_mean_reward():
    b = torch.zeros(())
    for _ in range(200):
        b = three_factor.running_baseline(b, torch.tensor(0.8), 0.05)
    assert abs(float(b) - 0.8) < 1e-4
    assert torch.allclose(
        three_factor.running_baseline(torch.tensor([0.0, 1.0]), torch.tensor([1.0, 0.0]), 0.5), torch.tensor([0.5, 0.5])
    )


def test_sanger_with_one_unit_is_oja_and_its_first_row_ignores_the_others():
    g = torch.Generator().manual_seed(3)
    x, w1, w3 = torch.randn(16, 5, generator=g), torch.randn(1, 5, generator=g), torch.randn(3, 5, generator=g)
    assert torch.allclose(hebbian.sanger(x, x @ w1.T, w1, 0.1), hebbian.oja(x, x @ w1.T, w1, 0.1))
    first = hebbian.sanger(x, x @ w3.T, w3, 0.1)[0]  # unit 1 subtracts only its own reconstruction
    assert torch.allclose(first, hebbian.oja(x, x @ w3[:1].T, w3[:1], 0.1)[0])
