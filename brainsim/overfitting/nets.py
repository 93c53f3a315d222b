"""An MLP and a small CNN, each batched over M members (seeds × regularisers) as one torch.nn.Module.

Every parameter carries a leading member axis M and every member sees its own batch, so one forward pass
trains M independent networks: the loss is the sum of the members' mean losses, which gives each member's
slice exactly its own gradient, and torch.optim's element-wise optimizers then update each member alone.
Linear layers and the convolution are batched matrix products (torch.baddbmm), which compute each member's
slice as the same product whatever else is batched beside it (tests/overfitting checks it).
"""

from __future__ import annotations

import torch

from brainsim.overfitting.data import N_CLASSES, SIDE, shifted_copies
from brainsim.torchkit import uniform_init

N_PIXELS = SIDE * SIDE
CNN_CHANNELS = 16  # filters of the one 3x3 convolution
KERNEL = 3


def dropout(h: torch.Tensor, rate: torch.Tensor, gens: list[torch.Generator | None]) -> torch.Tensor:
    """Inverted dropout (Srivastava et al. 2014), per member m with rate p_m:

        h̃ = h ⊙ r / (1 − p_m),   r_i ~ Bernoulli(1 − p_m)

    h (M, B, ...); rate (M,); gens[m] draws member m's masks (None: no dropout for that member)."""
    mask = torch.ones(h.shape, device=h.device)
    for m, g in enumerate(gens):
        keep = 1.0 - float(rate[m])
        if g is not None and keep < 1.0:
            mask[m] = (torch.rand(h.shape[1:], generator=g) < keep).to(h.device) / keep
    return h * mask


class BatchedLinear(torch.nn.Module):
    """y = x W + b for each member: x (M, B, n_in) -> (M, B, n_out); torch.nn.Linear's initialisation."""

    def __init__(self, inits: list[torch.Generator], n_in: int, n_out: int):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.stack([uniform_init(g, (n_in, n_out), n_in) for g in inits]))
        self.bias = torch.nn.Parameter(torch.stack([uniform_init(g, (1, n_out), n_in) for g in inits]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.baddbmm(self.bias, x, self.weight)


class MLP(torch.nn.Module):
    """64 pixels -> `width` ReLU units (dropout on them during training) -> 10 logits, per member."""

    def __init__(self, inits: list[torch.Generator], width: int):
        super().__init__()
        self.hidden = BatchedLinear(inits, N_PIXELS, width)
        self.out = BatchedLinear(inits, width, N_CLASSES)

    @staticmethod
    def inputs(x: torch.Tensor) -> torch.Tensor:
        """What the network reads: the pixels themselves, (M, n, 64)."""
        return x

    def forward(self, x: torch.Tensor, drop=None) -> torch.Tensor:
        h = torch.relu(self.hidden(x))  # (M, B, width)
        if drop is not None:
            h = dropout(h, *drop)
        return self.out(h)  # (M, B, 10)

    def n_parameters(self) -> int:
        return sum(p[0].numel() for p in self.parameters())


# Pixel order of the CNN's input: each 2x2 pooling window's four pixels next to each other, windows row by row
POOL_ORDER = torch.tensor(
    [(2 * r + dr) * SIDE + 2 * c + dc for r in range(4) for c in range(4) for dr in (0, 1) for dc in (0, 1)]
)


def patches(x: torch.Tensor) -> torch.Tensor:
    """im2col: every pixel's 3x3 neighbourhood (zero padding), pixels in POOL_ORDER: (..., 64) -> (..., 64·9)."""
    p = shifted_copies(x)[..., POOL_ORDER.to(x.device)]  # (9, ..., 64)
    return p.movedim(0, -1).reshape(*x.shape[:-1], N_PIXELS * KERNEL * KERNEL)


class CNN(torch.nn.Module):
    """8x8 image -> CNN_CHANNELS 3x3 ReLU filters (zero padding) -> 2x2 max-pool -> 10 logits, per member.

    Weight sharing and pooling build in what an MLP must learn from examples: a stroke is a stroke wherever
    it lies (LeCun et al. 1989). The convolution is computed as im2col + matrix product, the way cuDNN and
    oneDNN lower it: every pixel's 3x3 neighbourhood (`patches`, made once per image) times the filters,

        a[m, b, p, c] = Σ_k patch[m, b, p, k] · w[m, k, c] + bias[m, c]

    one batched product for all members (torch.nn.Conv2d's cross-correlation; tests/overfitting checks it
    against torch.nn.functional.conv2d). Its input is `patches(x)` (see `inputs`)."""

    def __init__(self, inits: list[torch.Generator]):
        super().__init__()
        c, k2 = CNN_CHANNELS, KERNEL * KERNEL
        self.conv = BatchedLinear(inits, k2, c)  # (M, 9, C) filters, fan-in 9 as torch.nn.Conv2d's init
        self.out = BatchedLinear(inits, c * (SIDE // 2) ** 2, N_CLASSES)

    @staticmethod
    def inputs(x: torch.Tensor) -> torch.Tensor:
        """What the network reads: the pixels' 3x3 neighbourhoods, (M, n, 64) -> (M, n, 576)."""
        return patches(x)

    def features(self, p: torch.Tensor) -> torch.Tensor:
        """Patches (M, B, 576) -> pooled feature maps (M, B, 16·C): 4x4 windows, channels last."""
        m, b, _ = p.shape
        a = self.conv(p.reshape(m, b * N_PIXELS, KERNEL * KERNEL))  # (M, B·64, C)
        pooled = a.reshape(m, b, N_PIXELS // 4, 4, CNN_CHANNELS).amax(dim=3)  # 2x2 max-pool: 4 pixels per window
        return torch.relu(pooled).reshape(m, b, -1)  # ReLU after the pool: the same numbers (ReLU is monotone)

    def forward(self, p: torch.Tensor, drop=None) -> torch.Tensor:
        h = self.features(p)
        if drop is not None:
            h = dropout(h, *drop)
        return self.out(h)

    def n_parameters(self) -> int:
        return sum(q[0].numel() for q in self.parameters())
