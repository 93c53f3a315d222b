"""Error-driven local learners: the delta rule (no hidden layer) and feedback alignment.

Both are plain stochastic updates on a batch of B samples (no optimizer state), with the delta
rule's sign convention: the error is t − y (brainsim.rules.delta)."""

from __future__ import annotations

import torch

from brainsim.arena.learners.base import Learner, Spec, readout
from brainsim.rules.feedback_alignment import hidden_error
from brainsim.runtime import torch_generator
from brainsim.torchkit import activate, uniform_init


def delta_update(x: torch.Tensor, err: torch.Tensor, lr: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Delta rule with a bias over a batch of n samples: ΔW = η/n Σ_i err_i x_iᵀ, Δb = η/n Σ_i err_i.
    With err = t − softmax(z) it descends the cross-entropy; with err = t − z and ½ squared error it is
    Widrow & Hoff's (1960) LMS rule.

    The arena's fast form of brainsim.rules.delta.delta_rule (tested equal to it): it takes the error
    err = t − y (n, C) directly, so one rule serves the delta learner, both layers of feedback
    alignment and the Hebbian readout. x: (n, d) presynaptic inputs; η: learning rate.
    Returns ΔW (C, d) and Δb (C,)."""
    n = x.shape[0]
    return lr / n * err.T @ x, lr / n * err.sum(0)  # (C, d), (C,)


def feedback_alignment_update(
    x: torch.Tensor, h: torch.Tensor, dh: torch.Tensor, err: torch.Tensor, B: torch.Tensor, lr: float
) -> dict[str, torch.Tensor]:
    """Feedback alignment (Lillicrap, Cownden, Tweed & Akerman 2016): the delta rule on both layers.

    For sample i of a batch of n: δ₂ᵢ = err_i = tᵢ − yᵢ (C,), the output error; δ₁ᵢ = (B δ₂ᵢ) ⊙ f'(a₁ᵢ) (H,),
    the hidden error sent back through the fixed random matrix B (H, C) instead of W₂ᵀ;
    ΔW₂ = η/n Σ_i δ₂ᵢ hᵢᵀ, ΔW₁ = η/n Σ_i δ₁ᵢ xᵢᵀ (and the biases with the errors alone).
    x: (n, d) input; h = f(a₁): (n, H) hidden rates; dh = f'(a₁): (n, H); η: learning rate."""
    w2, b2 = delta_update(h, err, lr)  # (C, H), (C,)
    w1, b1 = delta_update(x, hidden_error(err, B, dh), lr)  # (H, d), (H,): random feedback, not W2ᵀ
    return {"W2": w2, "b2": b2, "W1": w1, "b1": b1}


class DeltaRule(Learner):
    """Single-layer perceptron trained by the delta rule; no hidden layer, so only linear boundaries."""

    name = "delta rule"
    state = ("W", "b")

    def __init__(self, spec: Spec, init: dict, seed: int):
        super().__init__()
        self.spec = spec
        self.W = torch.zeros(spec.n_out, spec.n_in)  # (C, d): no hidden layer, so nothing to share
        self.b = torch.zeros(spec.n_out)

    def scores(self, x):
        return x @ self.W.T + self.b  # (B, C)

    def step(self, x, t, y):
        dW, db = delta_update(x, t - readout(self.scores(x), self.spec.loss), self.spec.local_lr)
        self.W += dW
        self.b += db
        self.updates += 1

    def parameters(self):
        return [self.W, self.b]


class FeedbackAlignment(Learner):
    """One-hidden-layer network whose hidden layer learns from errors sent through a fixed random B."""

    name = "feedback alignment"
    state = ("W1", "b1", "W2", "b2", "B")

    def __init__(self, spec: Spec, init: dict, seed: int):
        super().__init__()
        self.spec = spec
        self.W1, self.b1 = init["W1"].clone(), init["b1"].clone()  # (H, d), (H,)
        self.W2, self.b2 = init["W2"].clone(), init["b2"].clone()  # (C, H), (C,)
        self.B = uniform_init(torch_generator(seed, 2), (spec.hidden, spec.n_out), spec.hidden)  # (H, C) fixed

    def hidden(self, x):
        return activate(x @ self.W1.T + self.b1, self.spec.activation)  # (B, H) twice

    def scores(self, x):
        return self.hidden(x)[0] @ self.W2.T + self.b2  # (B, C)

    def step(self, x, t, y):
        h, dh = self.hidden(x)
        err = t - readout(h @ self.W2.T + self.b2, self.spec.loss)  # (B, C)
        for k, dv in feedback_alignment_update(x, h, dh, err, self.B, self.spec.local_lr).items():
            getattr(self, k).add_(dv)
        self.updates += 1

    def parameters(self):
        return [self.W1, self.b1, self.W2, self.b2]

    def features(self):
        return self.W1
