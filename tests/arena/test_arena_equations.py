"""The arena's equations say what its learners do (issue 12): the reward-modulated step is the shown
REINFORCE + entropy bonus + node perturbation with the rate η_h/d, and every optimizer has its rule."""

from __future__ import annotations

import torch

from brainsim.arena.experiment import EQUATIONS
from brainsim.arena.learners import Spec, init_weights, make_learner
from brainsim.arena.learners.reward import sample_answer
from brainsim.equations import OPTIMIZER_EQUATIONS
from brainsim.rules.reward import entropy_bonus, node_perturbation, reinforce_output
from brainsim.torchkit import activate


def test_reward_step_is_the_equation_shown():
    spec = Spec(n_in=4, n_out=3, hidden=6, reward_lr=0.7, reward_hidden_lr=0.9, reward_noise=0.2)
    init = init_weights(spec, 0)
    learner = make_learner("reward-modulated", spec, init, 0, "cpu")
    w1, w2 = learner.W1.clone(), learner.W2.clone()
    g = torch.Generator()
    g.set_state(learner.g.get_state())  # replay the learner's own draws
    x = torch.randn(5, 4, generator=torch.Generator().manual_seed(1))
    y = torch.tensor([0, 1, 2, 0, 1])
    learner.step(x, torch.eye(3)[y], y)
    xi = spec.reward_noise * torch.randn((5, spec.hidden), generator=g)
    h = activate(x @ w1.T + init["b1"] + xi, spec.activation)[0]
    z = h @ w2.T + init["b2"]
    k = sample_answer(z, g)
    m = (k == y).float()  # the baseline starts at 0
    p = torch.softmax(z, 1)
    dw2 = reinforce_output(h, p, k, m, 0.7)[0] + entropy_bonus(h, p, spec.reward_entropy, 0.7)[0]
    dw1 = node_perturbation(x, xi, m, 0.2, 0.9 / 4)[0]  # η_h divided by the d = 4 inputs
    assert torch.allclose(learner.W2 - w2, dw2, atol=1e-6)
    assert torch.allclose(learner.W1 - w1, dw1, atol=1e-6)


def test_equations_show_the_entropy_bonus_and_every_optimizer():
    reward = next(e for e in EQUATIONS if "REINFORCE" in e.caption)
    assert r"\mathcal{H}" in reward.latex and "Williams & Peng 1991" in reward.caption
    assert r"\eta_h}{d" in reward.latex
    assert all(eq in EQUATIONS for eq in OPTIMIZER_EQUATIONS.values())
    delta = EQUATIONS[0]
    assert "cross-entropy" in delta.caption and "LMS" in delta.caption
