"""Known answers for the continual-learning building blocks: gradients and Fisher against autograd, the
penalties' gradients, the chain, the reservoir, gates, task streams and the transfer measures."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from brainsim.config import ConfigError, make
from brainsim.continual import experiment as exp
from brainsim.continual import learners as L
from brainsim.continual import network, tables, tasks


def small_net(seed: int = 0, s: int = 2, d: int = 5, h: int = 4, o: int = 3):
    params = network.init_params(list(range(seed, seed + s)), d, h, o, "cpu")
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(s, 6, d, generator=g)
    y = torch.randint(0, 2, (s, 6), generator=g)  # targets inside the mask below
    mask = torch.zeros(s, 6, o, dtype=torch.bool)
    mask[..., :2] = True
    gate = (torch.rand(s, 6, h, generator=g) < 0.7).float()
    return [p.double() for p in params], x.double(), y, mask, gate.double()


def autograd_loss(params, x, y, mask, gate, weight=None):
    w1, b1, w2, b2 = params
    h = torch.relu(x @ w1.transpose(1, 2) + b1.unsqueeze(1)) * gate
    z = (h @ w2.transpose(1, 2) + b2.unsqueeze(1)).masked_fill(~mask, network.NEG)
    nll = -torch.log_softmax(z, -1).gather(2, y.unsqueeze(-1)).squeeze(-1)
    return (nll * weight).sum(1) if weight is not None else nll.mean(1)


def test_hand_written_gradients_equal_autograd():
    params, x, y, mask, gate = small_net()
    weight = torch.rand(y.shape, dtype=torch.float64)
    weight = weight / weight.sum(1, keepdim=True)
    g, loss = network.grads(params, x, y, mask, gate, weight=weight.float())
    leaves = [p.clone().requires_grad_(True) for p in params]
    ref = torch.autograd.grad(autograd_loss(leaves, x, y, mask, gate, weight).sum(), leaves)
    for mine, theirs in zip(g, ref):
        torch.testing.assert_close(mine, theirs, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(loss.double(), autograd_loss(params, x, y, mask, gate, weight), rtol=1e-5, atol=1e-6)


def test_fisher_equals_the_expected_squared_per_sample_gradient():
    params, x, _, mask, gate = small_net(3)
    f = network.fisher(params, x, mask, gate)
    ref = [torch.zeros_like(p) for p in params]
    p_all = torch.softmax(network.forward(params, x, mask, gate)[0], -1)
    for n in range(x.shape[1]):
        for c in range(2):  # the masked-out class has p = 0
            leaves = [p.clone().requires_grad_(True) for p in params]
            y = torch.full((x.shape[0], 1), c)
            logp = -autograd_loss(leaves, x[:, n : n + 1], y, mask[:, n : n + 1], gate[:, n : n + 1])
            gs = torch.autograd.grad(logp.sum(), leaves)  # seeds are independent: the sum separates them
            for r, gi in zip(ref, gs):
                w = p_all[:, n, c].reshape(-1, *[1] * (gi.dim() - 1))
                r += w * gi * gi / x.shape[1]
    for mine, theirs in zip(f, ref):
        torch.testing.assert_close(mine, theirs, rtol=1e-5, atol=1e-9)


def test_ewc_penalty_gradient_equals_autograd_of_the_penalty():
    g = torch.Generator().manual_seed(1)
    theta, f1, f2, s1, s2 = (torch.randn(7, generator=g, dtype=torch.float64) for _ in range(5))
    f1, f2, lam = f1.abs(), f2.abs(), 3.0
    a, b = L.ewc_update(torch.zeros(7, dtype=torch.float64), torch.zeros(7, dtype=torch.float64), f1, s1, lam)
    a, b = L.ewc_update(a, b, f2, s2, lam)
    t = theta.clone().requires_grad_(True)
    penalty = lam / 2 * (f1 * (t - s1) ** 2 + f2 * (t - s2) ** 2).sum()
    torch.testing.assert_close(a * theta - b, torch.autograd.grad(penalty, t)[0])


def test_online_ewc_decays_the_old_fisher_and_anchors_at_the_latest_weights():
    f1, f2, s2 = torch.tensor([2.0, 0.0]), torch.tensor([1.0, 4.0]), torch.tensor([0.5, -1.0])
    a, b = L.online_ewc_update(torch.zeros(2), torch.zeros(2), f1, torch.tensor([9.0, 9.0]), 1.0, 0.5)
    a, b = L.online_ewc_update(a, b, f2, s2, 1.0, 0.5)
    torch.testing.assert_close(a, torch.tensor([2.0, 4.0]))  # 0.5·2 + 1, 0.5·0 + 4
    torch.testing.assert_close(a * s2 - b, torch.zeros(2))  # no pull at the anchor


def test_si_importance_is_the_path_integral_over_the_squared_change():
    omega, start, end = torch.tensor([0.3, 0.0]), torch.tensor([1.0, 1.0]), torch.tensor([2.0, 1.0])
    big, a, b = L.si_update(torch.zeros(2), omega, end, start, c=2.0, xi=0.5)
    torch.testing.assert_close(big, torch.tensor([0.3 / 1.5, 0.0]))
    torch.testing.assert_close(a, 4.0 * big)
    torch.testing.assert_close(a * end - b, torch.zeros(2))


def test_chain_keeps_a_settled_weight_and_pulls_a_moved_fast_end_back():
    m = L.chain_step_matrix(tau=2.0, stages=4, dtype=torch.float64, device="cpu")
    torch.testing.assert_close(m @ torch.ones(4, dtype=torch.float64), torch.ones(4, dtype=torch.float64))
    u = torch.tensor([1.0, 0.0, 0.0, 0.0], dtype=torch.float64)  # a gradient step moved u1 only
    for _ in range(5):
        u = m @ u
    assert 0 < u[0] < 1 and u[1] > u[2] > u[3] > 0  # the change flows to slower stages, the fast end relaxes
    c = torch.tensor([1.0, 2.0, 4.0, 8.0], dtype=torch.float64)
    assert float(c @ u) == pytest.approx(1.0, rel=1e-6)  # nothing leaks: Σ C_k u_k is conserved


def test_reservoir_keeps_at_most_m_examples_spread_evenly_over_tasks():
    shares = []
    for seed in range(20):
        r = L.Reservoir(seed, 100)
        for t in range(5):
            r.push_task(t, 240)
        held = np.asarray(r.slots)
        assert len(held) == 100 and len(set(map(tuple, held))) == 100
        shares.append(np.bincount(held[:, 0], minlength=5) / 100)
    np.testing.assert_allclose(np.mean(shares, 0), 0.2, atol=0.03)


def test_gates_open_the_same_number_of_units_per_task():
    g = L.gates(0, 5, 50, 0.2)
    assert g.shape == (5, 50) and (g.sum(1) == 10).all()
    assert not (g[0] == g[1]).all()


@pytest.mark.parametrize("scenario", tasks.SCENARIOS)
def test_split_stream_shapes_targets_and_heads(scenario):
    s = tasks.make_stream("split", scenario, 5, [0, 1], "cpu")
    assert s.x_train.shape == (2, 5, 240, 64) and s.x_test.shape == (2, 5, 100, 64)
    o = tasks.n_outputs("split", scenario)
    assert int(s.y_train.max()) < o and s.masks.shape == (5, o)
    if scenario == "task":  # each task's targets sit in its own head
        for t in range(5):
            assert set(s.y_train[:, t].unique().tolist()) == {2 * t, 2 * t + 1}
            assert s.masks[t].nonzero().flatten().tolist() == [2 * t, 2 * t + 1]
    digits = {d for lab in s.labels[0] for d in map(int, lab.split(" vs "))}
    assert digits == set(range(10))
    assert s.labels[0] != s.labels[1]  # the task order comes from the seed


def test_permuted_stream_permutes_pixels_and_starts_unpermuted():
    s = tasks.make_stream("permuted", "class", 3, [4], "cpu")
    x0, x1 = s.x_train[0, 0], s.x_train[0, 1]
    torch.testing.assert_close(x0.sum(1), x1.sum(1))  # the same images, pixels moved
    assert not torch.equal(x0, x1)
    torch.testing.assert_close(s.y_train[0, 0], s.y_train[0, 2])


def test_transfer_measures_on_a_hand_matrix():
    r = np.array([[0.9, 0.1, 0.0], [0.5, 0.8, 0.2], [0.3, 0.6, 0.7]])
    assert tables.average_accuracy(r) == pytest.approx((0.3 + 0.6 + 0.7) / 3)
    assert tables.backward_transfer(r) == pytest.approx(((0.3 - 0.9) + (0.6 - 0.8)) / 2)
    assert tables.forgetting(r) == pytest.approx(((0.9 - 0.3) + (0.8 - 0.6)) / 2)


def test_config_refuses_impossible_combinations_with_one_sentence():
    with pytest.raises(ConfigError, match="task identity"):
        make(exp.ContinualConfig, {"learners": ["context gating"], "scenario": "class"})
    with pytest.raises(ConfigError, match="batch_size"):
        make(exp.ContinualConfig, {"batch_size": 241})
    with pytest.raises(ConfigError, match="GFLOP"):
        make(exp.ContinualConfig, {"benchmark": "permuted", "n_tasks": 20, "epochs": 50, "hidden": 400, "seeds": 10})
    cfg = make(exp.ContinualConfig, {"scenario": "class"})
    assert "context gating" not in exp.active_learners(cfg)
    assert "context gating" in exp.active_learners(make(exp.ContinualConfig, {"scenario": "task"}))
