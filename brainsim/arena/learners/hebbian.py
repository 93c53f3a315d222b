"""Hebbian features + readout: a hidden layer learned without labels by the competitive
Hebbian rule of Krotov & Hopfield (2019), read out by the delta rule or by reward-modulated
REINFORCE on the output layer only."""

from __future__ import annotations

import torch

from brainsim.arena.learners.base import Learner, Spec, readout
from brainsim.arena.learners.local import delta_update
from brainsim.arena.learners.reward import sample_answer
from brainsim.rules.competitive import krotov_hopfield
from brainsim.rules.reward import entropy_bonus, reinforce_output
from brainsim.rules.three_factor import running_baseline
from brainsim.runtime import torch_generator

HOMEOSTASIS_RATE = 0.05  # β per update: the rate statistics track a few dozen batches


def hebbian_rates(W: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Hidden rates h = relu(I − mean_μ I): the currents above the mean current, a global
    inhibition that keeps about half the units silent. (B, H)."""
    cur = x @ W.T  # (B, H)
    return torch.relu(cur - cur.mean(1, keepdim=True))


def homeostasis(mu: torch.Tensor, var: torch.Tensor, h: torch.Tensor, rate: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Running mean μ and variance v of each unit's rate: μ ← μ + β(h̄ − μ), v ← v + β(var(h) − v),
    β = `rate`. The readout sees ĥ = (h − μ)/sqrt(v + ε), each unit held near zero mean and unit
    variance, a homeostatic (intrinsic-plasticity-like) normalisation without which the slow delta
    readout of all-positive, correlated rates converges poorly."""
    mu = mu + rate * (h.mean(0) - mu)  # (H,)
    var = var + rate * (((h - mu) ** 2).mean(0) - var)  # (H,)
    return mu, var


class HebbianFeatures(Learner):
    """Unsupervised Hebbian hidden layer; the readout learns by the delta rule (labels) or, with
    `reward_readout`, by REINFORCE from a scalar reward only. Both layers learn on every step."""

    name = "hebbian features"
    state = ("W1", "W2", "b2", "baseline", "mu", "var")

    def __init__(self, spec: Spec, init: dict, seed: int, reward_readout: bool = False):
        super().__init__()
        self.spec = spec
        self.reward_readout = reward_readout
        if reward_readout:
            self.name = "hebbian + reward"
        w = init["W1"].clone()  # (H, d): the shared initial weights, normalised to |w| = 1
        self.W1 = w / w.norm(dim=1, keepdim=True).clamp_min(1e-12)
        self.W2, self.b2 = init["W2"].clone(), init["b2"].clone()  # (C, H), (C,)
        self.baseline = torch.zeros(())
        self.mu, self.var = torch.zeros(spec.hidden), torch.ones(spec.hidden)  # homeostatic rate statistics
        self.g = torch_generator(seed, 5)

    def rates(self, x):
        return (hebbian_rates(self.W1, x) - self.mu) / (self.var + 1e-3).sqrt()  # (B, H) normalised

    def scores(self, x):
        return self.rates(x) @ self.W2.T + self.b2  # (B, C)

    def step(self, x, t, y):
        s = self.spec
        self.W1 += krotov_hopfield(self.W1, x, s.hebb_lr, s.hebb_delta, s.hebb_k)
        self.mu, self.var = homeostasis(self.mu, self.var, hebbian_rates(self.W1, x), HOMEOSTASIS_RATE)
        h = self.rates(x)  # (B, H)
        z = h @ self.W2.T + self.b2  # (B, C)
        if self.reward_readout:
            k = sample_answer(z, self.g)
            reward = (k == y).to(x.dtype)
            p = torch.softmax(z, 1)  # (B, C)
            dW, db = reinforce_output(h, p, k, reward - self.baseline, s.reward_lr)
            eW, eb = entropy_bonus(h, p, s.reward_entropy, s.reward_lr)
            dW, db = dW + eW, db + eb
            self.baseline = running_baseline(self.baseline, reward.mean(), s.baseline_rate)
        else:
            dW, db = delta_update(h, t - readout(z, s.loss), s.local_lr)
        self.W2 += dW
        self.b2 += db
        self.updates += 1

    def parameters(self):
        return [self.W1, self.W2, self.b2, self.mu, self.var]

    def features(self):
        return self.W1
