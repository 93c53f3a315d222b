"""The backprop side of associative memory: a denoising autoencoder with as many weights as a Hopfield net.

The network maps a corrupted pattern x̃ to logits z(x̃) for the clean one and is trained with
torch.optim (Adam) on the binary cross-entropy
    L = −(1/(P N)) Σ_μ Σ_i [ t_i log σ(z_i) + (1 − t_i) log(1 − σ(z_i)) ],   t = (ξ^μ + 1)/2,
where x̃ = corrupt(ξ^μ) is redrawn every epoch with the cue's corruption (bit flips or occlusion).
Two architectures with the Hopfield network's weight budget (N² up to the diagonal):
- "one-layer": z = W x̃ + b, W (N, N) with w_ii fixed at 0, so N(N−1) weights like the Hopfield
  matrix. Recall iterates s ← sgn(W s + b): the same recurrent network as Hopfield's, only the
  learning rule differs (gradient descent on a denoising loss instead of a local Hebbian rule).
- "bottleneck": z = W₂ tanh(W₁ x̃ + b₁) + b₂ with a hidden layer of H = N/2 units: 2 N H = N² weights.
Recall is measured like the Hopfield networks': iterate s ← sgn(z(s)) synchronously until a fixed
point or 2-cycle (the same loop, dynamics.settle), then compare the final state with the target at overlap ≥ 0.98.

M independent networks (one per seed and load) are trained side by side as one batched module:
the loss is a sum of per-network means, so every network's gradients and Adam statistics are its
own, exactly as if it were trained alone.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from brainsim.hopfield.dynamics import Recall, settle
from brainsim.torchkit import make_optimizer, uniform_init

ARCHITECTURES = ("one-layer", "bottleneck")


class DenoisingAutoencoder(nn.Module):
    """M denoising autoencoders on N binary units, run as batched matrix products (M, K, N)."""

    def __init__(self, n_models: int, n: int, arch: str, generator: torch.Generator):
        super().__init__()
        if arch not in ARCHITECTURES:
            raise ValueError(f"unknown architecture {arch!r}")
        self.arch, self.n = arch, n

        def uniform(*shape, fan_in):  # nn.Linear's default U(−1/√fan_in, 1/√fan_in), from a seeded generator
            return nn.Parameter(uniform_init(generator, shape, fan_in))

        if arch == "one-layer":
            self.w = uniform(n_models, n, n, fan_in=n)  # (M, N_in, N_out)
            self.b = uniform(n_models, 1, n, fan_in=n)  # (M, 1, N)
            self.register_buffer("mask", 1.0 - torch.eye(n))  # no self-connections, like w_ii = 0
        else:
            h = n // 2
            self.w1 = uniform(n_models, n, h, fan_in=n)  # (M, N, H)
            self.b1 = uniform(n_models, 1, h, fan_in=n)
            self.w2 = uniform(n_models, h, n, fan_in=h)  # (M, H, N)
            self.b2 = uniform(n_models, 1, n, fan_in=h)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits for the clean pattern. x (M, K, N) ±1 -> (M, K, N)."""
        if self.arch == "one-layer":
            return torch.baddbmm(self.b, x, self.w * self.mask)  # z = x W + b
        hidden = torch.tanh(torch.baddbmm(self.b1, x, self.w1))  # (M, K, H)
        return torch.baddbmm(self.b2, hidden, self.w2)  # (M, K, N)

    def n_weights(self) -> int:
        """Connection weights of one network (biases excluded), comparable with the Hopfield N(N−1)."""
        return self.n * (self.n - 1) if self.arch == "one-layer" else 2 * self.n * (self.n // 2)

    def weight_matrix(self, m: int) -> torch.Tensor:
        """Network m's N×N map for heatmaps: W (one-layer) or W₁W₂, its linearisation (bottleneck)."""
        with torch.no_grad():
            if self.arch == "one-layer":
                return (self.w[m] * self.mask).T  # (N_out, N_in), like the Hopfield w_ij
            return (self.w1[m] @ self.w2[m]).T


def pad(flat: torch.Tensor, counts: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
    """Flat rows (ΣK, N) grouped by `counts` -> padded (M, K_max, N) and a validity mask (M, K_max)."""
    m, k = len(counts), max(counts)
    out = flat.new_zeros(m, k, flat.shape[-1])
    mask = torch.zeros(m, k, dtype=torch.bool, device=flat.device)
    start = 0
    for i, c in enumerate(counts):
        out[i, :c] = flat[start : start + c]
        mask[i, :c] = True
        start += c
    return out, mask


def unpad(padded: torch.Tensor, counts: list[int]) -> torch.Tensor:
    """Inverse of pad: (M, K_max, ...) -> (ΣK, ...)."""
    return torch.cat([padded[i, :c] for i, c in enumerate(counts)])


def train(
    model: DenoisingAutoencoder,
    patterns: torch.Tensor,
    mask: torch.Tensor,
    corrupt,
    epochs: int,
    lr: float,
    generator: torch.Generator,
) -> torch.Tensor:
    """Full-batch Adam on the denoising loss; returns the per-network loss after each epoch (epochs, M).

    patterns (M, P_max, N) ±1 with mask (M, P_max); corrupt(x, generator) -> a corrupted copy of x,
    redrawn every epoch. Loss of network m = mean BCE over its valid patterns and units.
    """
    opt = make_optimizer("adam", model.parameters(), lr)
    target = (patterns + 1) / 2  # (M, P, N) in {0, 1}
    weight = mask[..., None].to(patterns.dtype) / (mask.sum(1).clamp(min=1)[:, None, None] * patterns.shape[-1])
    history = torch.empty(epochs, patterns.shape[0])
    for epoch in range(epochs):
        noisy = corrupt(patterns, generator)  # (M, P, N)
        loss = F.binary_cross_entropy_with_logits(model(noisy), target, reduction="none")  # (M, P, N)
        per_model = (loss * weight).sum(dim=(1, 2))  # (M,)
        opt.zero_grad(set_to_none=True)
        per_model.sum().backward()
        opt.step()
        history[epoch] = per_model.detach().cpu()
    return history


@torch.no_grad()
def recall(model: DenoisingAutoencoder, cues: torch.Tensor, max_steps: int = 30, record: bool = False) -> Recall:
    """Iterate s ← sgn(z(s)) (ties keep the state) until a fixed point or a 2-cycle: `settle` with the
    network's logits as the field. cues (M, K, N) -> Recall with states (M, K, N), steps (M, K)."""
    return settle(model, cues, max_steps, record)
