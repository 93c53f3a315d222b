"""Reward-modulated three-factor learner: it never sees a label, only a scalar reward for an answer
it sampled. Both layers learn by REINFORCE (Williams 1992, brainsim.rules.reward): the output layer
as a softmax policy with an entropy bonus (Williams & Peng 1991), the hidden layer by Gaussian node
perturbation with its rate divided by the fan-in d (η_h/d), so that the change of each hidden unit's
input current per step does not grow with the number of inputs (as in normalised LMS)."""

from __future__ import annotations

import torch

from brainsim.arena.learners.base import Learner, Spec
from brainsim.rules.reward import entropy_bonus, node_perturbation, reinforce_output
from brainsim.rules.three_factor import running_baseline
from brainsim.runtime import torch_generator
from brainsim.torchkit import activate


def sample_answer(z: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """k ~ softmax(z) per row by the Gumbel-max trick; uniforms come from the CPU generator g."""
    u = torch.rand(z.shape, generator=g).clamp_(1e-12, 1.0).to(z.device)  # (B, C)
    return torch.argmax(z - torch.log(-torch.log(u)), dim=1)  # (B,)


class RewardModulated(Learner):
    """One hidden layer; answers are sampled from softmax(z); reward R = 1 if right, else 0.

        ΔW₂ = η/n Σ_i [(R_i − R̄)(onehot(k_i) − π_i) + β (∂H/∂z)_i] h_iᵀ,   β = spec.reward_entropy
        ΔW₁ = (η_h/d)/n Σ_i (R_i − R̄) (ξ_i/σ²) x_iᵀ,   R̄ ← R̄ + α(⟨R⟩ − R̄)

    π = softmax(z), k ~ π the sampled answer, H = −Σ_j π_j ln π_j, ξ ~ N(0, σ²) the hidden units'
    own noise, d the number of inputs, i indexes the n samples of a batch, ⟨R⟩ their mean reward."""

    name = "reward-modulated"
    state = ("W1", "b1", "W2", "b2", "baseline")

    def __init__(self, spec: Spec, init: dict, seed: int):
        super().__init__()
        self.spec = spec
        self.W1, self.b1 = init["W1"].clone(), init["b1"].clone()  # (H, d), (H,)
        self.W2, self.b2 = init["W2"].clone(), init["b2"].clone()  # (C, H), (C,)
        self.baseline = torch.zeros(())  # b, running mean reward
        self.g = torch_generator(seed, 4)

    def scores(self, x):  # greedy answer at test time: no perturbation
        return activate(x @ self.W1.T + self.b1, self.spec.activation)[0] @ self.W2.T + self.b2  # (B, C)

    def step(self, x, t, y):
        s = self.spec
        xi = s.reward_noise * torch.randn((x.shape[0], s.hidden), generator=self.g).to(x.device)  # (B, H)
        h = activate(x @ self.W1.T + self.b1 + xi, s.activation)[0]  # (B, H)
        z = h @ self.W2.T + self.b2  # (B, C)
        k = sample_answer(z, self.g)  # (B,)
        reward = (k == y).to(x.dtype)  # (B,): the only feedback it gets
        m = reward - self.baseline  # (B,)
        p = torch.softmax(z, 1)  # (B, C) answer probabilities
        dW2, db2 = reinforce_output(h, p, k, m, s.reward_lr)
        eW2, eb2 = entropy_bonus(h, p, s.reward_entropy, s.reward_lr)
        dW1, db1 = node_perturbation(x, xi, m, s.reward_noise, s.reward_hidden_lr / x.shape[1])  # η_h / d
        self.W2 += dW2 + eW2
        self.b2 += db2 + eb2
        self.W1 += dW1
        self.b1 += db1
        self.baseline = running_baseline(self.baseline, reward.mean(), s.baseline_rate)  # b ← b + α(R̄ − b)
        self.updates += 1

    def loss_of(self, z, t, loss):
        """Cross-entropy of the policy (nats), or ½‖π − t‖² of its answer probabilities for MSE."""
        p = torch.softmax(z, 1)
        if loss == "cross-entropy":
            return float(-(t * torch.log(p.clamp_min(1e-12))).sum(1).mean())
        return float(0.5 * ((p - t) ** 2).sum(1).mean())

    def parameters(self):
        return [self.W1, self.b1, self.W2, self.b2]

    def features(self):
        return self.W1
