"""Single-neuron learners and a one-hidden-layer MLP, batched over seeds.

Every learner holds its weights with a leading seed axis S, so ten seeds train in one set of
tensor operations. Seeds never mix: each seed's loss depends only on its own slice, so the sum
of per-seed losses gives every slice exactly its own gradient, and torch.optim's element-wise
optimizers (SGD, momentum, Adagrad, RMSprop, Adam) then update each seed independently.

Each seed draws its data, initial weights and shuffles from its own generator, so its numbers do not
depend on the other seeds up to float rounding: torch computes the last (size mod 16 or 32) elements of
a buffer on a scalar path whose exp/tanh may differ from the vectorised one in the last bit, so where
a seed's slice falls in the batch can move its sigmoid and tanh outputs by an ulp (measured: losses and
probabilities within 3e-6, accuracies equal; tests/xor checks 1e-5). The truth table with up to 3
seeds (12 values, all on the scalar path) is exact.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from brainsim.rules import delta, hebbian
from brainsim.torchkit import activation_module, uniform_init


class DeltaNeuron:
    """One sigmoid neuron y = σ(w·x + b) trained by the delta rule:

        Δw = η · (t − y) · x,   Δb = η · (t − y)

    t ∈ {0, 1} is the target, η the learning rate. Averaged over the batch, this is gradient
    descent on the cross-entropy loss (logistic regression); the decision boundary w·x + b = 0 is a
    straight line. With a linear output y = w·x + b it descends the squared error: Widrow & Hoff's
    (1960) LMS rule, which diverges when η exceeds 2/λ_max of the input correlation matrix.
    """

    name = "single neuron (delta)"

    def __init__(self, w0: torch.Tensor, b0: torch.Tensor, lr: float, output: str = "sigmoid"):
        self.w, self.b, self.lr = w0.clone(), b0.clone(), lr  # w: (S, 1, d), b: (S, 1, 1)
        self.output = output

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        return x @ self.w.transpose(-1, -2) + self.b  # (S, B, 1)

    def seed_logits(self, x: torch.Tensor, s: int) -> torch.Tensor:
        """Logits of seed s alone, whatever else is batched beside it: x (B, d) -> (B, 1)."""
        return x @ self.w[s].T + self.b[s]

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

    def __init__(self, gens: list[torch.Generator], n_in: int, hidden: int, activation: str):
        """One generator per seed: seed s's weights are drawn from gens[s] alone (w1, b1, w2, b2 in
        that order), so they do not depend on how many seeds train beside it."""
        super().__init__()
        self.act = activation_module(activation)
        shapes = (((n_in, hidden), n_in), ((1, hidden), n_in), ((hidden, 1), hidden), ((1, 1), hidden))
        drawn = [[uniform_init(g, shape, fan_in) for shape, fan_in in shapes] for g in gens]
        self.w1, self.b1, self.w2, self.b2 = (
            torch.nn.Parameter(torch.stack([d[k] for d in drawn])) for k in range(4)
        )  # (S, n_in, H), (S, 1, H), (S, H, 1), (S, 1, 1)

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        h = self.act(x @ self.w1 + self.b1)  # (S, B, hidden)
        return h @ self.w2 + self.b2  # (S, B, 1)

    def seed_logits(self, x: torch.Tensor, s: int) -> torch.Tensor:
        """Logits of seed s alone, whatever else is batched beside it: x (B, d) -> (B, 1)."""
        return self.act(x @ self.w1[s] + self.b1[s]) @ self.w2[s] + self.b2[s]

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
