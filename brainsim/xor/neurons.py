"""Single-neuron learners and a one-hidden-layer MLP, batched over seeds.

Every learner holds its weights with a leading seed axis S, so ten seeds train in one set of
tensor operations. Seeds never mix: each seed's loss depends only on its own slice, so the sum
of per-seed losses gives every slice exactly its own gradient, and torch.optim's element-wise
optimizers (SGD, momentum, Adagrad, RMSprop, Adam) then update each seed independently.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from brainsim.rules import delta, hebbian
from brainsim.torchkit import activation_module, uniform_init


class DeltaNeuron:
    """One sigmoid neuron y = σ(w·x + b) trained by the delta rule (Widrow & Hoff 1960):

        Δw = η · (t − y) · x,   Δb = η · (t − y)

    t ∈ {0, 1} is the target, η the learning rate. Averaged over the batch, this is gradient
    descent on the cross-entropy loss; the decision boundary w·x + b = 0 is a straight line.
    With a linear output y = w·x + b it is Widrow-Hoff LMS, which diverges when η exceeds
    2/λ_max of the input correlation matrix.
    """

    name = "single neuron (delta)"

    def __init__(self, w0: torch.Tensor, b0: torch.Tensor, lr: float, output: str = "sigmoid"):
        self.w, self.b, self.lr = w0.clone(), b0.clone(), lr  # w: (S, 1, d), b: (S, 1, 1)
        self.output = output

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        return x @ self.w.transpose(-1, -2) + self.b  # (S, B, 1)

    def step(self, x: torch.Tensor, t: torch.Tensor) -> None:
        y = readout(self.logits(x), self.output)  # (S, B, 1)
        self.w += delta.delta_rule(x, y, t, self.lr)
        self.b += self.lr * (t - y).mean(dim=-2, keepdim=True)

    def parameters(self) -> list[torch.Tensor]:
        return [self.w, self.b]

    def n_parameters(self) -> int:
        return self.w.shape[-1] + 1


class HebbianNeuron(DeltaNeuron):
    """One neuron trained by a supervised Hebbian rule with weight decay: the output is clamped
    to the target s = 2t − 1 ∈ {−1, +1} (the "teacher" drives the cell) and

        Δw = η · (s · x − λ · w),   Δb = η · (s − λ · b)

    with inputs coded ±1. The weights converge to w* = ⟨s x⟩/λ, the input-output correlation:
    no error is computed, so the rule cannot find structure that correlations do not show.
    For XOR every input is uncorrelated with the target, so w* = 0 and the neuron guesses.
    """

    name = "single neuron (hebbian)"
    decay = 1.0  # λ: keeps |w| bounded (Hebb alone grows without limit)

    def step(self, x: torch.Tensor, t: torch.Tensor) -> None:
        s = 2 * t - 1  # clamped post-synaptic activity
        self.w += hebbian.hebb(x, s, self.lr) - self.lr * self.decay * self.w
        self.b += self.lr * (s.mean(dim=-2, keepdim=True) - self.decay * self.b)


class BatchedMLP(torch.nn.Module):
    """z = f(x W1 + b1) W2 + b2: one hidden layer, one output unit (readout turns z into its output),
    with a leading seed axis on every weight. The MLP is trained through autograd and torch.optim."""

    name = "backprop mlp"

    def __init__(self, gen: torch.Generator, n_seeds: int, n_in: int, hidden: int, activation: str):
        super().__init__()
        self.act = activation_module(activation)
        self.w1 = torch.nn.Parameter(uniform_init(gen, (n_seeds, n_in, hidden), n_in))
        self.b1 = torch.nn.Parameter(uniform_init(gen, (n_seeds, 1, hidden), n_in))
        self.w2 = torch.nn.Parameter(uniform_init(gen, (n_seeds, hidden, 1), hidden))
        self.b2 = torch.nn.Parameter(uniform_init(gen, (n_seeds, 1, 1), hidden))

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        h = self.act(x @ self.w1 + self.b1)  # (S, B, hidden)
        return h @ self.w2 + self.b2  # (S, B, 1)

    def n_parameters(self) -> int:
        return sum(p[0].numel() for p in self.parameters())


LEARNERS = (DeltaNeuron.name, HebbianNeuron.name, BatchedMLP.name)


def readout(z: torch.Tensor, output: str) -> torch.Tensor:
    """The unit's output: σ(z) for a sigmoid unit, z itself for a linear one."""
    return torch.sigmoid(z) if output == "sigmoid" else z


def predict(z: torch.Tensor, output: str) -> torch.Tensor:
    """Class 1 when the output crosses 0.5 (z > 0 for a sigmoid unit)."""
    return (z > 0) if output == "sigmoid" else (z > 0.5)


def loss_per_seed(z: torch.Tensor, t: torch.Tensor, loss: str, output: str = "sigmoid") -> torch.Tensor:
    """Mean loss over the batch, one value per seed: (S,). A linear output always uses MSE."""
    if loss == "cross-entropy" and output == "sigmoid":
        per = F.binary_cross_entropy_with_logits(z, t, reduction="none")
    else:
        per = (readout(z, output) - t) ** 2
    return per.mean(dim=(-2, -1))
