"""Error-driven local rules: the delta rule (no hidden layer) and feedback alignment.

Both are plain stochastic updates on a batch of B samples (no optimizer state)."""

from __future__ import annotations

import torch

from brainsim.arena.learners.base import Learner, Spec, activate, output_error
from brainsim.runtime import torch_generator


def delta_update(x: torch.Tensor, e: torch.Tensor, lr: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Delta rule (Widrow & Hoff 1960): ΔW = −η/B Σ_b e_b x_bᵀ, Δb = −η/B Σ_b e_b.

    x: (B, d) presynaptic inputs; e: (B, C) output error y − t (y = z for MSE, y = softmax(z) for
    cross-entropy, so the same rule is LMS or softmax regression); η: learning rate.
    Returns ΔW (C, d) and Δb (C,)."""
    n = x.shape[0]
    return -lr / n * e.T @ x, -lr / n * e.sum(0)  # (C, d), (C,)


def feedback_alignment_update(
    x: torch.Tensor, h: torch.Tensor, dh: torch.Tensor, e: torch.Tensor, B: torch.Tensor, lr: float
) -> dict[str, torch.Tensor]:
    """Feedback alignment (Lillicrap, Cownden, Tweed & Akerman 2016).

    δ₂ = e (B, C), the output error ∂ℓ/∂z;  δ₁ = (δ₂ Bᵀ) ⊙ f'(a₁) (B, H), the hidden error sent
    back through the fixed random matrix B (H, C) instead of W₂ᵀ;
    ΔW₂ = −η/B Σ δ₂ hᵀ, ΔW₁ = −η/B Σ δ₁ xᵀ (and the biases with the errors alone).
    x: (B, d) input; h = f(a₁): (B, H) hidden rates; dh = f'(a₁): (B, H); η: learning rate."""
    n = x.shape[0]
    d1 = (e @ B.T) * dh  # (B, H): random feedback, not W2ᵀ
    return {
        "W2": -lr / n * e.T @ h,
        "b2": -lr / n * e.sum(0),  # (C, H), (C,)
        "W1": -lr / n * d1.T @ x,
        "b1": -lr / n * d1.sum(0),
    }  # (H, d), (H,)


class DeltaRule(Learner):
    """Single-layer perceptron trained by the delta rule; no hidden layer, so only linear boundaries."""

    name = "delta rule"

    def __init__(self, spec: Spec, init: dict, seed: int):
        super().__init__()
        self.spec = spec
        self.W = torch.zeros(spec.n_out, spec.n_in)  # (C, d): no hidden layer, so nothing to share
        self.b = torch.zeros(spec.n_out)

    def to(self, device):
        self.W, self.b = self.W.to(device), self.b.to(device)
        return self

    def scores(self, x):
        return x @ self.W.T + self.b  # (B, C)

    def step(self, x, t, y):
        dW, db = delta_update(x, output_error(self.scores(x), t, self.spec.loss), self.spec.local_lr)
        self.W += dW
        self.b += db
        self.updates += 1

    def parameters(self):
        return [self.W, self.b]


class FeedbackAlignment(Learner):
    """One-hidden-layer network whose hidden layer learns from errors sent through a fixed random B."""

    name = "feedback alignment"

    def __init__(self, spec: Spec, init: dict, seed: int):
        super().__init__()
        self.spec = spec
        self.W1, self.b1 = init["W1"].clone(), init["b1"].clone()  # (H, d), (H,)
        self.W2, self.b2 = init["W2"].clone(), init["b2"].clone()  # (C, H), (C,)
        g = torch_generator(seed, 2)
        self.B = (torch.rand(spec.hidden, spec.n_out, generator=g) * 2 - 1) / spec.hidden**0.5  # (H, C) fixed

    def to(self, device):
        for k in ("W1", "b1", "W2", "b2", "B"):
            setattr(self, k, getattr(self, k).to(device))
        return self

    def hidden(self, x):
        return activate(x @ self.W1.T + self.b1, self.spec.activation)  # (B, H) twice

    def scores(self, x):
        return self.hidden(x)[0] @ self.W2.T + self.b2  # (B, C)

    def step(self, x, t, y):
        h, dh = self.hidden(x)
        e = output_error(h @ self.W2.T + self.b2, t, self.spec.loss)  # (B, C)
        for k, dv in feedback_alignment_update(x, h, dh, e, self.B, self.spec.local_lr).items():
            getattr(self, k).add_(dv)
        self.updates += 1

    def parameters(self):
        return [self.W1, self.b1, self.W2, self.b2]

    def features(self):
        return self.W1
