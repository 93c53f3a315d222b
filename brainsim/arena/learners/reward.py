"""Reward-modulated three-factor learner: it never sees a label, only a scalar reward for an answer
it sampled. Both layers learn by REINFORCE (Williams 1992): the output layer as a softmax policy,
the hidden layer by Gaussian node perturbation."""

from __future__ import annotations

import torch

from brainsim.arena.learners.base import Learner, Spec, activate
from brainsim.runtime import torch_generator


def reinforce_output_update(
    h: torch.Tensor, p: torch.Tensor, k: torch.Tensor, m: torch.Tensor, lr: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """REINFORCE for a softmax policy (Williams 1992) as a three-factor rule Δw = η·M·e
    (Frémaux & Gerstner 2016).

    π = softmax(z) (B, C): answer probabilities; k (B,): the sampled answer; h (B, H): presynaptic
    rates; M = R − b (B,): reward minus the running baseline b (the neuromodulatory third factor);
    e = (onehot(k) − π) hᵀ = ∂ ln π_k / ∂W (the eligibility: pre × post-minus-expected);
    ΔW = η/B Σ_b M_b e_b, Δb = η/B Σ_b M_b (onehot(k_b) − π_b). Returns ΔW (C, H), Δb (C,)."""
    n = h.shape[0]
    post = (torch.nn.functional.one_hot(k, p.shape[1]).to(p.dtype) - p) * m[:, None]  # (B, C)
    return lr / n * post.T @ h, lr / n * post.sum(0)


def node_perturbation_update(
    x: torch.Tensor, xi: torch.Tensor, m: torch.Tensor, sigma: float, lr: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """REINFORCE for Gaussian hidden units h = f(W x + b + ξ), ξ ~ N(0, σ²) (node perturbation;
    Williams 1992, Fiete & Seung 2006).

    x (B, d): presynaptic input; ξ (B, H): the unit's own noise; M = R − b (B,) as above;
    e = (ξ / σ²) xᵀ = ∂ ln p(ξ) / ∂W;  ΔW = η/B Σ_b M_b e_b, Δb = η/B Σ_b M_b ξ_b / σ².
    The expected update is the gradient of the expected reward; its variance grows with the number
    of units perturbed and answers, so it needs more samples than backprop (Werfel, Xie & Seung
    2005). Returns ΔW (H, d), Δb (H,)."""
    n = x.shape[0]
    post = xi / sigma**2 * m[:, None]  # (B, H)
    return lr / n * post.T @ x, lr / n * post.sum(0)


def entropy_bonus_update(h: torch.Tensor, p: torch.Tensor, beta: float, lr: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Entropy bonus of the policy (Williams & Peng 1991): ΔW = η β/B Σ_b (∂H/∂z)_b h_bᵀ with
    H = −Σ_j π_j ln π_j and ∂H/∂z_j = −π_j (ln π_j + H). It keeps the answer distribution from
    collapsing onto one confident answer, where REINFORCE's eligibility (onehot(k) − π) vanishes and
    confidently wrong inputs stop learning. h (B, H) rates, π (B, C), β the bonus weight, η the rate."""
    logp = torch.log(p.clamp_min(1e-12))  # (B, C)
    gh = -p * (logp - (p * logp).sum(1, keepdim=True))  # (B, C) ∂H/∂z
    n = h.shape[0]
    return lr * beta / n * gh.T @ h, lr * beta / n * gh.sum(0)


def sample_answer(z: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """k ~ softmax(z) per row by the Gumbel-max trick; uniforms come from the CPU generator g."""
    u = torch.rand(z.shape, generator=g).clamp_(1e-12, 1.0).to(z.device)  # (B, C)
    return torch.argmax(z - torch.log(-torch.log(u)), dim=1)  # (B,)


class RewardModulated(Learner):
    """One hidden layer; answers are sampled from softmax(z); reward R = 1 if right, else 0."""

    name = "reward-modulated"

    def __init__(self, spec: Spec, init: dict, seed: int):
        super().__init__()
        self.spec = spec
        self.W1, self.b1 = init["W1"].clone(), init["b1"].clone()  # (H, d), (H,)
        self.W2, self.b2 = init["W2"].clone(), init["b2"].clone()  # (C, H), (C,)
        self.baseline = torch.zeros(())  # b, running mean reward
        self.g = torch_generator(seed, 4)

    def to(self, device):
        for k in ("W1", "b1", "W2", "b2", "baseline"):
            setattr(self, k, getattr(self, k).to(device))
        return self

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
        dW2, db2 = reinforce_output_update(h, p, k, m, s.reward_lr)
        eW2, eb2 = entropy_bonus_update(h, p, s.reward_entropy, s.reward_lr)
        dW1, db1 = node_perturbation_update(x, xi, m, s.reward_noise, s.reward_hidden_lr)
        self.W2 += dW2 + eW2
        self.b2 += db2 + eb2
        self.W1 += dW1
        self.b1 += db1
        self.baseline += s.baseline_rate * (reward.mean() - self.baseline)  # b ← b + α(R̄ − b)
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
